/// Character classes limited to ASCII: Swift's `isNumber` and `isHexDigit`
/// also accept fullwidth and other scripts' digits, which identifiers,
/// colours and phone numbers must not contain.
enum ASCII {
    static func isDigit(_ character: Character) -> Bool {
        character.isASCII && character.isNumber
    }

    static func isHexDigit(_ character: Character) -> Bool {
        character.isASCII && character.isHexDigit
    }
}
