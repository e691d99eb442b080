import NIOPosix

extension HTTPServerProcess {
    /// Starts `parley serve` on `dataDirectory`, runs `body` with it and a
    /// client event loop group of `threads` threads, and stops both however
    /// `body` ends; a failure carries the tail of the server's log.
    public static func running<T>(
        executable: String, dataDirectory: String, logLevel: String?, threads: Int = 1,
        _ body: (HTTPServerProcess, MultiThreadedEventLoopGroup) async throws -> T
    ) async throws -> T {
        let server = try await start(executable: executable, dataDirectory: dataDirectory, logLevel: logLevel)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        do {
            let result = try await body(server, group)
            await server.stop()
            try await group.shutdownGracefully()
            return result
        } catch {
            await server.stop()
            try? await group.shutdownGracefully()
            throw HarnessError.childFailed("\(error); server log: \(server.logTail)")
        }
    }
}
