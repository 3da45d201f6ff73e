@testable import Engine
import Notifiers
import Testing

/// A delivery's lease outlasts the slowest send of its batch, so no other dispatcher takes it
/// while it is still being sent (an alert never goes out twice because the relay is slow).
@Suite("Alert delivery leases")
struct AlertLeaseTests {
    @Test("the lease covers a batch's sends in a row at the relay's timeout, and is never under 5 minutes")
    func leaseFollowsTheSlowestSender() throws {
        let quick = try AlertSenders.configured(smtp: nil, sms: nil)
        #expect(AlertDispatcher.lease(quick) == 300)
        let slowRelay = SmtpRelay(host: "relay.example.com", port: 587, from: "mailmon@example.com", timeoutSeconds: 3_600)
        let slow = try AlertSenders.configured(smtp: slowRelay, sms: nil)
        let rounds = Double(AlertDispatcher.batch / AlertDispatcher.parallel)
        #expect(AlertDispatcher.lease(slow) >= rounds * 3_600, "every send of a batch, one round after another, within the lease")
    }
}
