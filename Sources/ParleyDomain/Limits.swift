/// The limits commands are checked against.
public enum Limits {
    /// Characters in a message's content.
    public static let maxContentLength = 150_000
    /// Attachments on one message.
    public static let maxAttachments = 15
    /// Messages in one conversation per one-minute window (activity messages
    /// excluded). The window is fixed: it starts with the first message after
    /// the previous window ended.
    public static let maxMessagesPerWindow = 200
    public static let rateWindowMilliseconds: UInt64 = 60_000
    /// Characters in names, titles, short codes and similar single-line fields.
    public static let maxNameLength = 255
    /// Labels on one conversation.
    public static let maxLabels = 100
}
