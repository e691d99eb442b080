extension Action {
    /// The action's case name, such as `sendMessage`.
    public var name: String {
        let described = String(describing: self)
        return String(described.prefix { $0 != "(" })
    }
}
