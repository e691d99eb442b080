/// What an inbox command asks of the inbox's callback URL: Chatwoot's
/// `channel.webhook_url` of an API inbox, kept as a webhook scoped to the inbox.
public enum InboxCallbackChange: Sendable, Hashable {
    /// Deliver the inbox's events to `url`. `secretNonce` (made by the
    /// server, as a webhook's) signs a callback created now; an existing
    /// callback keeps its secret when its URL changes.
    case deliver(url: String, secretNonce: String)
    /// Stop delivering: the callback webhook, if any, is deleted.
    case remove
}
