/// How well a message matches an FAQ entry: the share of the entry's
/// keywords found in the message, from 0 to 1.
///
/// Words are runs of letters and digits, compared case-insensitively; a
/// keyword of several words is found when every one of its words is; a
/// plural `s` is ignored (`refund` matches `refunds`). An entry's score does
/// not depend on how long the message is, so a long message that mentions
/// every keyword still scores 1.
public enum KeywordScore {
    public static func score(message: String, keywords: [String]) -> Double {
        let phrases = keywords.map(words).filter { !$0.isEmpty }
        guard !phrases.isEmpty else { return 0 }
        let present = Set(words(message))
        let found = phrases.filter { phrase in phrase.allSatisfy(present.contains) }
        return Double(found.count) / Double(phrases.count)
    }

    /// The normalized words of `text`.
    static func words(_ text: String) -> [String] {
        text.lowercased()
            .split { !($0.isLetter || $0.isNumber) }
            .map { word in word.count > 3 && word.hasSuffix("s") && !word.hasSuffix("ss") ? String(word.dropLast()) : String(word) }
    }
}
