import Foundation
@testable import SQLiteStore
import Domain

/// A database file in a directory of its own under the temporary folder; `remove()` deletes both.
struct TemporaryDatabase {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mm-store-\(UUID().uuidString)")

    var path: String { directory.appendingPathComponent("mailmon.sqlite").path }

    /// Opens (creating and migrating) the database.
    func open() throws -> AppDatabase { try AppDatabase(path: path) }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

extension MonitorFields {
    /// An IMAP monitor's fields named `name`, for store tests.
    static func sample(_ name: String) -> MonitorFields {
        MonitorFields(
            name: name, hostname: "mail.example.com", port: nil, checkInterval: 5, timeoutSeconds: 10, status: .active,
            config: #"{"protocol":"imap"}"#, notificationEmail: nil, notificationPhoneNumber: nil, allowedCheckCountryCodes: ["DE"],
            policyVersion: "test@1")
    }
}
