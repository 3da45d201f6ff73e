import Domain
import Foundation
import GRDB
import MailmonTestSupport
@testable import SQLiteStore
import Testing

@Suite("Migration v12: alert channel types")
struct ChannelTypesMigrationTests {
    @Test("channels made before v12 keep their ids and rows; the new types can be stored after it, unknown ones still cannot")
    func rebuildKeepsChannels() async throws {
        let directory = try TemporaryDirectory.make(prefix: "mm-v12-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/mailmon.sqlite"
        let queue = try DatabaseQueue(path: path)
        try Migrations.migrator.migrate(queue, upTo: "v11: audit log")
        try await queue.write { db in
            try db.execute(sql: "INSERT INTO organization (id, name, createdAt) VALUES (1, 'Org', 0)")
            try db.execute(sql: "INSERT INTO alertChannel (id, organizationId, type, name, url, createdAt) VALUES (5, 1, 'slack', 'ops', 'https://hooks.slack.com/x', 0)")
        }
        try queue.close()

        let database = try AppDatabase(path: path)
        let channels = try await database.allAlertChannels(organizationId: 1)
        #expect(channels.map(\.id) == [5] && channels.first?.type == .slack && channels.first?.url == "https://hooks.slack.com/x")
        let teams = try await database.addAlertChannel(
            organizationId: 1, customerId: nil, type: .teams, name: "teams", url: "https://example.webhook.office.com/x", at: Date())
        #expect(teams.id == 6)
        let check = try DatabaseQueue(path: path)
        #expect(throws: (any Error).self) {
            try check.write { db in
                try db.execute(sql: "INSERT INTO alertChannel (organizationId, type, name, url, createdAt) VALUES (1, 'pigeon', 'p', 'u', 0)")
            }
        }
    }
}
