import Foundation
import GRDB
@testable import SQLiteStore
import Domain
import Testing

/// The migrated schema: every index earns the page each insert writes into it.
@Suite("Schema after the migrations")
struct SchemaTests {
    @Test("no index repeats the leading columns of another index on its table")
    func noCoveredIndexes() async throws {
        let file = TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        let covered = try await database.pool.read { db -> [String] in
            let indexes = try Row.fetchAll(
                db, sql: "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
            var columns: [(name: String, table: String, columns: [String])] = []
            for index in indexes {
                let name: String = index["name"]
                let names = try String.fetchAll(db, sql: "SELECT name FROM pragma_index_info(?) ORDER BY seqno", arguments: [name])
                columns.append((name, index["tbl_name"], names))
            }
            return columns.compactMap { index in
                let wider = columns.first { other in
                    other.name != index.name && other.table == index.table && other.columns.count >= index.columns.count
                        && Array(other.columns.prefix(index.columns.count)) == index.columns
                        && (other.columns.count > index.columns.count || other.name < index.name)
                }
                return wider.map { "\(index.name) is covered by \($0.name)" }
            }
        }
        #expect(covered.isEmpty, "\(covered)")
    }
}
