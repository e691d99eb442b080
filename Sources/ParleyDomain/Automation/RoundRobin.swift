/// Whom auto-assignment gives the next conversation of an inbox: the first
/// eligible member after the one it chose last, in id order, wrapping around.
public enum RoundRobin {
    /// - Parameters:
    ///   - eligible: Members who are online and under their capacity.
    ///   - last: The member the inbox's previous auto-assignment chose.
    public static func next(eligible: Set<UInt64>, after last: UInt64?) -> UInt64? {
        let ordered = eligible.sorted()
        guard let last else { return ordered.first }
        return ordered.first { $0 > last } ?? ordered.first
    }
}
