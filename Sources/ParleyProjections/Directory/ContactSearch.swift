/// Chatwoot's contact search as a test on one contact: a case-insensitive
/// substring of the name, email or phone number, a case-sensitive substring
/// of the identifier, or the id. A value, so a route can filter a copy of an
/// account's contacts outside the projections' lock.
public struct ContactSearch: Sendable {
    private let query: String
    private let folded: String
    private let id: UInt64?

    public init(_ query: String) {
        self.query = query
        self.folded = query.lowercased()
        self.id = UInt64(query)
    }

    public func matches(_ contact: ContactView) -> Bool {
        let details = contact.details
        return contact.id == id || details.name.lowercased().contains(folded)
            || (details.email?.lowercased().contains(folded) ?? false)
            || (details.phoneNumber?.lowercased().contains(folded) ?? false)
            || (details.identifier?.contains(query) ?? false)
    }
}
