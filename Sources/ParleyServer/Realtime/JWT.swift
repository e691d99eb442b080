import ParleyDomain

/// HS256 JSON Web Tokens (RFC 7519), the tokens Centrifugo clients present.
///
/// Only `{"alg":"HS256","typ":"JWT"}` is accepted: a token naming another
/// algorithm (`none` above all) is refused before its signature is looked at.
enum JWT {
    enum Failure: Error, Equatable {
        case malformed
        case badSignature
    }

    private static let header = base64URL(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))

    /// A signed token carrying `claims` (an object, written as given).
    static func sign(_ claims: JSONOut, key: [UInt8]) -> String {
        let input = header + "." + base64URL(claims.bytes)
        return input + "." + base64URL(Crypto.hmacSHA256(key: key, message: Array(input.utf8)))
    }

    /// The claims of `token`, unverified: enough to choose the key to verify it with.
    static func unverifiedClaims(_ token: String) throws(Failure) -> [String: JSONValue] {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard token.utf8.count <= 4096, parts.count == 3, let headerBytes = decodeBase64URL(parts[0]),
            case .object(let header)? = try? JSONParser.parse(headerBytes),
            header["alg"] == .string("HS256"), header["typ"] == nil || header["typ"] == .string("JWT"),
            let payload = decodeBase64URL(parts[1]), case .object(let claims)? = try? JSONParser.parse(payload)
        else { throw .malformed }
        return claims
    }

    /// Checks `token`'s signature under `key` in constant time.
    static func verify(_ token: String, key: [UInt8]) throws(Failure) {
        guard let dot = token.utf8.lastIndex(of: UInt8(ascii: ".")) else { throw .malformed }
        let input = Array(token.utf8[..<dot])
        let signature = String(token.utf8[token.utf8.index(after: dot)...])!
        let expected = base64URL(Crypto.hmacSHA256(key: key, message: input))
        guard Crypto.constantTimeEquals(expected, signature) else { throw .badSignature }
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value = UInt32(0)
            for (offset, byte) in chunk.enumerated() { value |= UInt32(byte) << (16 - 8 * offset) }
            for position in 0...chunk.count { out.append(alphabet[Int((value >> (18 - 6 * position)) & 0x3f)]) }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Unpadded base64url; nil for any other character, a padding sign or an impossible length.
    static func decodeBase64URL(_ text: Substring) -> [UInt8]? {
        var out = [UInt8]()
        var value = UInt32(0)
        var bits = 0
        for character in text.utf8 {
            let digit: UInt8
            switch character {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): digit = character - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): digit = character - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = character - UInt8(ascii: "0") + 52
            case UInt8(ascii: "-"): digit = 62
            case UInt8(ascii: "_"): digit = 63
            default: return nil
            }
            value = (value << 6) | UInt32(digit)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((value >> UInt32(bits)) & 0xff))
            }
        }
        guard bits < 6 else { return nil }
        return out
    }
}
