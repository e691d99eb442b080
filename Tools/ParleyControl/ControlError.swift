/// A command's failure: one line naming the problem, printed before a
/// non-zero exit.
public struct ControlError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
