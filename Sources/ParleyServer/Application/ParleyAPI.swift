import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ParleyDomain
import ParleyLog
import ParleyProjections

/// What every route works with: the ledger (commands and projections), the
/// server's secrets and its limits.
public final class ParleyAPI: Sendable {
    public let ledger: CommandLedger
    public let secrets: ServerSecrets
    public let configuration: ServerConfiguration
    /// The log's epoch, as published events and the events route carry it.
    public let epoch: String
    /// Made for this run; `parleyctl` reads it from the data directory (``AdminChannel``).
    public let adminToken = Crypto.randomHex(bytes: 32)
    let typingTimers: TypingTimers
    /// Delivers events to the accounts' webhooks; a service of its own (``ParleyServer``).
    public let webhooks: WebhookDispatcher
    /// How far the automation reactor has looked, for `/readyz`.
    public let automation = AutomationProgress()

    public init(ledger: CommandLedger, secrets: ServerSecrets, configuration: ServerConfiguration) {
        self.ledger = ledger
        self.secrets = secrets
        self.configuration = configuration
        self.epoch = ledger.log.epoch
        self.typingTimers = TypingTimers(timeout: .seconds(configuration.typingTimeout))
        self.webhooks = WebhookDispatcher(
            ledger: ledger, serverSecret: secrets.derivationSecret, configuration: configuration,
            logger: Logger(label: "parley.webhooks"))
    }

    /// Reads the projections under their lock; keep `body` short and free of I/O.
    public func read<T, E: Error>(_ body: (borrowing Projections) throws(E) -> T) throws(E) -> T {
        try ledger.withProjections(body)
    }

    /// Decides and appends a command. A request's `Idempotency-Key` (or a
    /// message's `echo_id`) makes a retry return the original events; the
    /// same key sent for another conversation, contact or message is another
    /// request (``IdempotencyKeys``).
    ///
    /// A `typing_on` starts the typing timeout (``TypingTimers``).
    public func execute(_ command: Command, idempotencyKey: String?) async throws -> CommandOutcome {
        let outcome = try await ledger.execute(
            command, idempotencyKey: idempotencyKey.map { IdempotencyKeys.ledgerKey($0, for: command.action) })
        typingTimers.noted(command) { [ledger] stop in _ = try? await ledger.execute(stop, idempotencyKey: nil) }
        return outcome
    }

    /// The body of `request` as a JSON object, refused above the configured size.
    public func body(_ request: Request) async throws -> JSONBody {
        try await JSONBody.read(request, limit: configuration.maxBodyBytes)
    }

    /// The `Idempotency-Key` header, checked: at most 255 printable ASCII characters.
    public func idempotencyKey(_ request: Request) throws -> String? {
        guard let key = request.headers[.idempotencyKey] else { return nil }
        guard !key.isEmpty, key.utf8.count <= 255, key.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7e }) else {
            throw APIError.invalid("Idempotency-Key", "must be 1 to 255 printable ASCII characters")
        }
        return key
    }

    /// Secrets for a command: derived from the idempotency key when there is
    /// one (so a retry carries the same secrets), random otherwise.
    public func secretSource(key: String?, scope: String) -> SecretSource {
        SecretSource(serverSecret: secrets.derivationSecret, idempotencyKey: key.map { "\(scope)\u{0}\($0)" })
    }

    /// Secrets for a command `member` makes on `resource` (`contacts`,
    /// `inboxes` …), scoped by their account and user: the same key sent by
    /// another caller, here or in another account, derives other secrets.
    public func secretSource(key: String?, for member: Member, _ resource: String) -> SecretSource {
        secretSource(key: key, scope: "accounts/\(member.accountID)/users/\(member.user.id)/\(resource)")
    }
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let apiAccessToken = HTTPField.Name("api_access_token")!
}
