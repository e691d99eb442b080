import ParleyDomain
import Testing

@testable import ParleyServer

/// The HS256 tokens realtime clients present: base64url as RFC 4648 spells
/// it, signatures any JWT library agrees with, and refusals of everything else.
@Suite struct RealtimeTokenTests {
    /// Made with Python's `hmac` and `base64`, independently of this code.
    static let pythonToken =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIiwiZXhwIjoyMDAwMDAwMDAwfQ.kaLYBMysTSfUy_0kI4LQZomvU6NJCwDuIBbzOyFRh20"

    @Test func base64URLFollowsRFC4648() {
        let vectors = ["": "", "f": "Zg", "fo": "Zm8", "foo": "Zm9v", "foob": "Zm9vYg", "fooba": "Zm9vYmE", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            #expect(JWT.base64URL(Array(plain.utf8)) == encoded)
            #expect(JWT.decodeBase64URL(Substring(encoded)) == Array(plain.utf8))
        }
        #expect(JWT.base64URL([0xfb, 0xff]) == "-_8")
        #expect(JWT.decodeBase64URL("-_8") == [0xfb, 0xff])
        for bad in ["Zg==", "Zm+v", "Zm/v", "Z", "Zm9vY", "Zm 9"] {
            #expect(JWT.decodeBase64URL(Substring(bad)) == nil, "\(bad)")
        }
    }

    @Test func signsAsOtherLibrariesDo() throws {
        let token = JWT.sign(["sub": "1", "exp": 2_000_000_000], key: Array("secret".utf8))
        #expect(token == Self.pythonToken)
        try JWT.verify(Self.pythonToken, key: Array("secret".utf8))
        #expect(try JWT.unverifiedClaims(Self.pythonToken) == ["sub": .string("1"), "exp": .number(2_000_000_000)])
    }

    @Test func refusesForgedAndForeignTokens() {
        #expect(throws: JWT.Failure.badSignature) { try JWT.verify(Self.pythonToken, key: Array("other".utf8)) }
        var flipped = Array(Self.pythonToken.utf8)
        flipped[flipped.count - 2] = flipped[flipped.count - 2] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: JWT.Failure.badSignature) { try JWT.verify(String(decoding: flipped, as: UTF8.self), key: Array("secret".utf8)) }
        let parts = Self.pythonToken.split(separator: ".").map(String.init)
        let none = JWT.base64URL(Array(#"{"alg":"none","typ":"JWT"}"#.utf8))
        let hs512 = JWT.base64URL(Array(#"{"alg":"HS512"}"#.utf8))
        for token in ["", "a.b", parts[0] + "." + parts[1], none + "." + parts[1] + ".", hs512 + "." + parts[1] + "." + parts[2],
            parts[0] + ".bm90IGpzb24." + parts[2], Self.pythonToken + ".x", String(repeating: "a", count: 5000)]
        {
            #expect(throws: JWT.Failure.malformed, "\(token.prefix(60))") { try JWT.unverifiedClaims(token) }
        }
    }
}
