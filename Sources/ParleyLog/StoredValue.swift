/// A key and value in one of the owner's column families (``LogOptions/extraFamilies``).
public struct StoredValue: Sendable, Hashable {
    public var family: String
    public var key: [UInt8]
    public var value: [UInt8]

    public init(family: String, key: [UInt8], value: [UInt8]) {
        self.family = family
        self.key = key
        self.value = value
    }
}
