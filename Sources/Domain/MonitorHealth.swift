public import Foundation

/// What the checks say about a monitor: its state, since when, the last failure and the last response time.
public struct MonitorHealth: Sendable, Hashable {
    /// The state the checks gave: nil before the first check.
    public var checkState: CheckState?
    public var checkStateSince: Date?
    /// When the monitor's status (active, maintenance, disabled) last changed.
    public var statusSince: Date?
    public var lastFailureCategory: String?
    public var lastFailureMessage: String?
    public var lastFailureAt: Date?
    public var lastResponseMilliseconds: Double?

    public init(
        checkState: CheckState? = nil, checkStateSince: Date? = nil, statusSince: Date? = nil, lastFailureCategory: String? = nil,
        lastFailureMessage: String? = nil, lastFailureAt: Date? = nil, lastResponseMilliseconds: Double? = nil
    ) {
        self.checkState = checkState
        self.checkStateSince = checkStateSince
        self.statusSince = statusSince
        self.lastFailureCategory = lastFailureCategory
        self.lastFailureMessage = lastFailureMessage
        self.lastFailureAt = lastFailureAt
        self.lastResponseMilliseconds = lastResponseMilliseconds
    }
}

/// What the checks say: `up`; `down` while an availability incident is open; `degraded` when the
/// latest check failed below the alert threshold, or only a warning (certificate, flapping, slow) is open.
public enum CheckState: String, Sendable, Hashable, CaseIterable {
    case up, down, degraded

    /// Incident types that warn rather than say the mailbox is down.
    public static let warningIncidentTypes: Set<String> = ["certificate_expiring", "flapping", "slow_response", "message_count", "message_age"]

    /// The one rule every store applies when it records a check.
    public static func after(ok: Bool, openIncidentTypes: [String]) -> CheckState {
        if openIncidentTypes.contains(where: { !warningIncidentTypes.contains($0) }) { return .down }
        if !ok || !openIncidentTypes.isEmpty { return .degraded }
        return .up
    }
}

/// The state the API shows: the status wins (maintenance, disabled), then the checks' state, `unknown` before the first.
public enum MonitorState: String, Sendable, Hashable, CaseIterable {
    case up, down, degraded, unknown, maintenance, disabled

    public init(status: MonitorStatus, health: MonitorHealth) {
        switch status {
        case .disabled: self = .disabled
        case .maintenance: self = .maintenance
        case .active: self = health.checkState.map { MonitorState(rawValue: $0.rawValue) ?? .unknown } ?? .unknown
        }
    }

    /// Since when the monitor has been in this state.
    public static func since(status: MonitorStatus, health: MonitorHealth, createdAt: Date) -> Date {
        switch status {
        case .disabled, .maintenance: return health.statusSince ?? createdAt
        case .active:
            guard let since = health.checkStateSince else { return max(health.statusSince ?? createdAt, createdAt) }
            return max(since, health.statusSince ?? since)
        }
    }

    /// Down first: the order `sort=state` lists in.
    public var rank: Int {
        switch self {
        case .down: 0
        case .degraded: 1
        case .unknown: 2
        case .up: 3
        case .maintenance: 4
        case .disabled: 5
        }
    }
}
