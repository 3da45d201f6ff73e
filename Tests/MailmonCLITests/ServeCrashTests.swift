import App
import Domain
import Foundation
import MailmonTestSupport
import NIOHTTP1
import Synchronization
import Testing

/// `mailmon serve` killed with SIGKILL while clients create, rename and delete monitors, twice,
/// and started again each time: every write the server acknowledged is there (a created monitor
/// with its last acknowledged name, a deleted one gone), and every monitor reads back whole.
@Suite("mailmon serve: SIGKILL while clients write")
struct ServeCrashTests {
    /// What the clients were told, per monitor.
    final class Ledger: Sendable {
        struct Entry: Sendable {
            var name: String
            var deleted: Bool
            /// A write sent and not answered (the server died meanwhile): it may or may not have landed.
            var pendingName: String? = nil
            var pendingDelete = false
        }
        let entries = Mutex<[String: Entry]>([:])
        let acknowledged = Atomic<Int>(0)

        func record(_ publicId: String, _ entry: Entry) {
            entries.withLock { $0[publicId] = entry }
            acknowledged.add(1, ordering: .relaxed)
        }

        func pending(_ publicId: String, name: String? = nil, delete: Bool = false) {
            entries.withLock { entries in
                if let name { entries[publicId]?.pendingName = name }
                if delete { entries[publicId]?.pendingDelete = true }
            }
        }
    }

    @Test("every acknowledged create, rename and delete survives two SIGKILLs mid-stream; no monitor reads back half-written")
    func killWhileWriting() async throws {
        let directory = try MailmonBinary.workspace("mm-crash-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var port = try FreePorts.take(1)[0]
        var serve = try MailmonBinary.start("serve", in: directory, ["--port", "\(port)"], name: "serve0")
        let token = try await MailmonBinary.bootstrapToken(of: serve, port: port)
        #expect(try await HTTPCall(base: "http://127.0.0.1:\(port)", token: token)(.POST, "/api/customers", json: #"{"name": "Acme"}"#).status == 201)
        let ledger = Ledger()
        let kills = 2
        for round in 0...kills {
            let api = HTTPCall(base: "http://127.0.0.1:\(port)", token: token)
            let target = ledger.acknowledged.load(ordering: .relaxed) + 400
            let running = serve
            // Eight clients write until the server goes away (or, in the last round, until the target).
            await withTaskGroup(of: Void.self) { group in
                for client in 0..<8 {
                    group.addTask {
                        var serial = 0
                        while round == kills ? ledger.acknowledged.load(ordering: .relaxed) < target : true {
                            serial += 1
                            let name = "r\(round)-c\(client)-\(serial)"
                            guard let created = try? await api(.POST, "/api/imap-pop-monitors", json: Self.body(name)) else { return }
                            guard created.status == 201, let publicId = created.body["publicId"] as? String else { continue }
                            ledger.record(publicId, .init(name: name, deleted: false))
                            ledger.pending(publicId, name: name + "-v2")
                            guard let renamed = try? await api(.PATCH, "/api/imap-pop-monitors/\(publicId)", json: #"{"name": "\#(name)-v2"}"#)
                            else { return }
                            if renamed.status == 200 { ledger.record(publicId, .init(name: name + "-v2", deleted: false)) }
                            if serial % 3 == 0 {
                                ledger.pending(publicId, delete: true)
                                guard let deleted = try? await api(.DELETE, "/api/imap-pop-monitors/\(publicId)") else { return }
                                if deleted.status == 204 { ledger.record(publicId, .init(name: name + "-v2", deleted: true)) }
                            }
                        }
                    }
                }
                if round < kills {
                    // Kill once the round has acknowledged enough, with the clients still writing.
                    group.addTask {
                        while ledger.acknowledged.load(ordering: .relaxed) < target { try? await Task.sleep(for: .milliseconds(20)) }
                        running.send(SIGKILL)
                    }
                }
            }
            if round < kills {
                #expect(try serve.waitForExit() == 128 + SIGKILL)
                port = try FreePorts.take(1)[0]
                serve = try MailmonBinary.start("serve", in: directory, ["--port", "\(port)"], name: "serve\(round + 1)")
                try await serve.waitUntil("the restarted server") { FreePorts.accepts(port) }
            }
        }

        // Every acknowledged write, checked against the server that survived two kills.
        let api = HTTPCall(base: "http://127.0.0.1:\(port)", token: token)
        let expected = ledger.entries.withLock { $0 }
        var present = 0
        for (publicId, entry) in expected {
            let read = try await api(.GET, "/api/imap-pop-monitors/\(publicId)")
            if entry.deleted {
                #expect(read.status == 404, "acknowledged delete of \(publicId) lost")
            } else if read.status == 404 {
                #expect(entry.pendingDelete, "acknowledged monitor \(publicId) lost")
            } else {
                present += 1
                let name = read.body["name"] as? String
                #expect(
                    read.status == 200 && (name == entry.name || (name != nil && name == entry.pendingName)),
                    "\(publicId): \(read.status) \(name ?? "nil"), expected \(entry.name) (or \(entry.pendingName ?? "-"))")
                #expect((read.body["config"] as? [String: Any])?["password"] as? String == "p", "\(publicId) reads back whole")
            }
        }
        // Nothing else is half there: every listed monitor reads back whole (creates in flight at a kill may have landed).
        let listed = try await api(.GET, "/api/imap-pop-monitors?perPage=200")
        let total = listed.body["total"] as? Int ?? -1
        #expect(total >= present)
        var page = 1
        var checked = 0
        while checked < total {
            let items = (try await api(.GET, "/api/imap-pop-monitors?perPage=200&page=\(page)").body["items"] as? [[String: Any]]) ?? []
            if items.isEmpty { break }
            for item in items {
                #expect(item["name"] is String && (item["config"] as? [String: Any])?["password"] as? String == "p")
                checked += 1
            }
            page += 1
        }
        #expect(checked == total)
        print("crash safety: \(ledger.acknowledged.load(ordering: .relaxed)) writes acknowledged, \(kills) SIGKILLs, \(expected.count) monitors checked (\(present) present, \(expected.count - present) deleted), \(checked) rows read back")
        serve.send(SIGTERM)
        #expect(try serve.waitForExit() == 0)
    }

    static func body(_ name: String) -> String {
        #"{"customerId": 1, "name": "\#(name)", "hostname": "mail.example.com", "status": "disabled", "imapPopConfig": {"user": "u", "password": "p"}}"#
    }
}
