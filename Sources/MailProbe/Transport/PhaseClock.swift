import NIOCore

/// Attributes elapsed monotonic time to the step in progress.
struct PhaseClock {
    enum Slot: Hashable { case connect, tls, greeting, capability, login, mailbox, logout }

    private let started: NIODeadline
    private var current: Slot = .connect
    private var since: NIODeadline
    private var spent: [Slot: Int64] = [:]

    init(started: NIODeadline) {
        self.started = started
        self.since = started
    }

    /// Closes the current slot at `now` and opens `slot` (adding to it if it ran before).
    mutating func enter(_ slot: Slot, at now: NIODeadline = .now()) {
        guard slot != current else { return }
        spent[current, default: 0] += (now - since).nanoseconds
        current = slot
        since = now
    }

    mutating func enter(_ phase: ProbePhase, at now: NIODeadline = .now()) {
        enter(Self.slot(for: phase), at: now)
    }

    static func slot(for phase: ProbePhase) -> Slot {
        switch phase {
        case .greeting: .greeting
        case .capability: .capability
        case .startTLS: .tls
        case .login: .login
        case .mailbox: .mailbox
        case .logout: .logout
        }
    }

    func timings(at now: NIODeadline = .now()) -> PhaseTimings {
        var spent = spent
        spent[current, default: 0] += (now - since).nanoseconds
        func ms(_ slot: Slot) -> Double? { spent[slot].map { Self.milliseconds($0) } }
        return PhaseTimings(
            connect: ms(.connect), tls: ms(.tls), greeting: ms(.greeting), capability: ms(.capability),
            login: ms(.login), mailbox: ms(.mailbox), logout: ms(.logout),
            total: Self.milliseconds((now - started).nanoseconds))
    }

    private static func milliseconds(_ nanoseconds: Int64) -> Double {
        (Double(nanoseconds) / 10_000).rounded() / 100
    }
}
