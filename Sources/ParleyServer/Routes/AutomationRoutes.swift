import Hummingbird

/// The automation's routes: FAQ entries and the caller's notifications.
extension ParleyAPI {
    func addAutomationRoutes(to router: Router<ParleyRequestContext>) {
        let account = router.group("api/v1/accounts/:account_id")
        addFAQRoutes(to: account)
        addNotificationRoutes(to: account)
    }
}
