import Foundation
import Testing

@testable import ParleyServer

@Suite struct ServerConfigurationTests {
    private func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "parley-config-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func fileThenEnvironmentThenFlagsWin() throws {
        let directory = try temporaryDirectory()
        let file = directory + "/parley.json"
        try #"{"port": 4000, "host": "0.0.0.0", "data": "/srv/a", "max_body_bytes": 2048}"#.write(
            toFile: file, atomically: true, encoding: .utf8)
        var settings = ServerConfiguration()
        try settings.apply(file: file)
        #expect(settings.port == 4000 && settings.host == "0.0.0.0" && settings.maxBodyBytes == 2048)
        try settings.apply(environment: ["PARLEY_PORT": "5000", "PARLEY_DATA": "/srv/b", "UNRELATED": "x"])
        #expect(settings.port == 5000 && settings.dataDirectory == "/srv/b" && settings.host == "0.0.0.0")
        try settings.set("port", to: "6000")
        #expect(settings.port == 6000)
    }

    @Test func badValuesAndUnknownKeysAreRefused() throws {
        var settings = ServerConfiguration()
        #expect(throws: ServerConfiguration.Failure.self) { try settings.set("port", to: "70000") }
        #expect(throws: ServerConfiguration.Failure.self) { try settings.set("max_body_bytes", to: "12") }
        #expect(throws: ServerConfiguration.Failure.self) { try settings.set("platform_token", to: "short") }
        let directory = try temporaryDirectory()
        try #"{"prot": 1}"#.write(toFile: directory + "/c.json", atomically: true, encoding: .utf8)
        #expect(throws: ServerConfiguration.Failure.self) { try settings.apply(file: directory + "/c.json") }
        #expect(throws: ServerConfiguration.Failure.self) { try settings.apply(file: directory + "/missing.json") }
        #expect(settings == ServerConfiguration())
    }

    @Test func secretsAreCreatedOnceAndKeepOnlyTheTokenHash() throws {
        let directory = try temporaryDirectory()
        let (first, origin) = try ServerSecrets.open(in: directory, platformToken: nil)
        guard case .generated(let token) = origin else {
            Issue.record("expected a generated token, got \(origin)")
            return
        }
        #expect(first.platformTokenSha256 == Crypto.sha256Hex(token))
        let stored = try String(contentsOfFile: directory + "/" + ServerSecrets.fileName, encoding: .utf8)
        #expect(!stored.contains(token))
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/" + ServerSecrets.fileName)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let (second, again) = try ServerSecrets.open(in: directory, platformToken: nil)
        #expect(second == first && again == .stored)
        let (third, configured) = try ServerSecrets.open(in: directory, platformToken: "a-configured-platform-token")
        #expect(configured == .configured)
        #expect(third.platformTokenSha256 == Crypto.sha256Hex("a-configured-platform-token"))
        #expect(third.derivationSecret == first.derivationSecret)
    }

    @Test func cryptoMatchesKnownVectors() {
        #expect(Crypto.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // RFC 4231 test case 2.
        #expect(
            Crypto.hmacSHA256Hex(key: "Jefe", message: "what do ya want for nothing?")
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(Crypto.constantTimeEquals("abc", "abc"))
        #expect(!Crypto.constantTimeEquals("abc", "abd"))
        #expect(!Crypto.constantTimeEquals("abc", "abcd"))
        #expect(Crypto.randomHex(bytes: 16).count == 32)
    }

    @Test func derivedSecretsRepeatForAKeyAndDifferWithout() {
        let keyed = SecretSource(serverSecret: "s", idempotencyKey: "k")
        #expect(keyed.make("token") == keyed.make("token"))
        #expect(keyed.make("token") != keyed.make("identifier"))
        #expect(keyed.make("token") != SecretSource(serverSecret: "s", idempotencyKey: "k2").make("token"))
        let random = SecretSource(serverSecret: "s", idempotencyKey: nil)
        #expect(random.make("token") != random.make("token"))
    }
}
