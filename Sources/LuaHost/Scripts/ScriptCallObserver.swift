/// Told of every call into the active scripts (the host's entry points: policies, hooks),
/// after it returns or fails: what metrics count. Called on the caller's task; keep it cheap.
public protocol ScriptCallObserver: Sendable {
    func scriptCalled(script: String, function: String, duration: Duration, failed: Bool)
}
