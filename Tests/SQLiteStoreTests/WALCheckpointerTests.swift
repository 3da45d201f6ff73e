import Foundation
import Logging
import MailmonTestSupport
import SQLiteStore
import Domain
import Testing

/// The background checkpointer copies the write-ahead log into the database file.
@Suite("WAL checkpointer service")
struct WALCheckpointerTests {
    @Test("commits stay in the WAL until the checkpointer runs; then the database file holds them")
    func copiesTheLog() async throws {
        let directory = try TemporaryDirectory.make(prefix: "mm-ckpt-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/mailmon.sqlite"
        let database = try AppDatabase(path: path)
        func fileSize() throws -> Int { try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0 }
        let before = try fileSize()
        for index in 0..<1_500 { _ = try await database.createOrganization(name: "organization \(index) " + String(repeating: "x", count: 200)) }
        // Below the in-commit backstop nothing reached the database file yet.
        #expect(try fileSize() == before)
        let service = Task { try await WALCheckpointer(database: database, interval: .milliseconds(10), logger: Logger(label: "test")).run() }
        defer { service.cancel() }
        // A passive checkpoint may copy the log in more than one pass: wait for all of it (10 s at most).
        var waited = 0
        while try fileSize() <= before + 1_500 * 200, waited < 1_000 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        #expect(try fileSize() > before + 1_500 * 200)
        let rest = try await database.checkpointWAL()
        #expect(rest.checkpointedFrames == rest.walFrames)
    }
}
