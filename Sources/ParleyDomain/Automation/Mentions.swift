/// The users a private note mentions: `@Name` with a member's full name
/// (case-insensitive, not followed by a letter or digit), or Chatwoot's
/// mention links `mention://user/{id}/…` as its editor writes them.
public enum Mentions {
    /// - Parameter members: Candidates, by id with their display names.
    /// - Returns: Mentioned ids, ascending, each once.
    public static func users(in content: String, members: [UInt64: String]) -> [UInt64] {
        var found = Set<UInt64>()
        let lowered = content.lowercased()
        for (id, name) in members where !name.isEmpty {
            if lowered.contains("mention://user/\(id)/") { found.insert(id) }
            var rest = lowered[...]
            let needle = "@" + name.lowercased()
            while let range = rest.range(of: needle) {
                let next = rest[range.upperBound...].first
                if next.map({ !($0.isLetter || $0.isNumber) }) ?? true {
                    found.insert(id)
                    break
                }
                rest = rest[range.upperBound...]
            }
        }
        return found.sorted()
    }
}
