/// The order a stored monitor config's keys are written in: the order of the
/// Uptimeify reference and of docs/api.md (`protocol`, `user`, `password`, `tls`, …),
/// so a create answers with the config as the client wrote it. Other keys follow, sorted.
enum MonitorConfigKeys {
    static let documentedOrder = ["protocol", "user", "password", "tls", "starttls", "mailbox", "tlsOptions"]
}
