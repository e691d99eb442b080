import Foundation
import NIOHTTP1

/// Where a webhook's deliveries go, parsed once from its URL: the address to
/// connect to, whether to speak TLS, and the request line and headers every
/// delivery starts from.
struct WebhookEndpoint: Sendable, Equatable {
    var secure: Bool
    /// The host to connect to, without the brackets of an IPv6 literal.
    var host: String
    var port: Int
    /// The request target: path and query.
    var target: String
    /// The `Host` header: the host as written, with the port when it is not the scheme's default.
    var authority: String

    init(url: String) throws(WebhookEndpointError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https"
        else { throw WebhookEndpointError(reason: "invalid URL: not an http(s) URL") }
        guard let host = components.host, !host.isEmpty else { throw WebhookEndpointError(reason: "invalid URL: no host") }
        guard host.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F && !"/?#@".unicodeScalars.contains($0) })
        else { throw WebhookEndpointError(reason: "invalid URL: host \(host)") }
        secure = scheme == "https"
        let defaultPort = secure ? 443 : 80
        port = components.port ?? defaultPort
        guard (1...65535).contains(port) else { throw WebhookEndpointError(reason: "invalid URL: port \(port)") }
        self.host = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let named = self.host.contains(":") ? "[\(self.host)]" : self.host
        authority = port == defaultPort ? named : "\(named):\(port)"
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        target = components.percentEncodedQuery.map { "\(path)?\($0)" } ?? path
    }

    /// The head of a delivery: the request line and the headers every
    /// delivery sends, to which the signing headers are added.
    func head(contentLength: Int) -> HTTPRequestHead {
        var headers = HTTPHeaders()
        headers.reserveCapacity(9)
        headers.add(name: "Host", value: authority)
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(contentLength))
        headers.add(name: "User-Agent", value: "Parley-Webhooks")
        return HTTPRequestHead(version: .http1_1, method: .POST, uri: target, headers: headers)
    }
}

/// A webhook URL Parley cannot send to; every delivery fails with it.
struct WebhookEndpointError: Error, Sendable, Equatable {
    var reason: String
}
