public import Domain
import Foundation
import GRDB
import GRDBSQLite

/// The current row of a stepping statement, read with SQLite's column functions.
///
/// Hot queries (the monitor list, claims) read rows this way: GRDB's generic
/// `row[index]` resolves generic metadata for every value, which was the list
/// route's largest single cost. Indexes are the select list's positions.
struct SQLiteColumns {
    let statement: SQLiteStatement

    init(_ statement: Statement) { self.statement = statement.sqliteStatement }

    func isNull(_ index: Int32) -> Bool { sqlite3_column_type(statement, index) == SQLITE_NULL }

    func int64(_ index: Int32) -> Int64 { sqlite3_column_int64(statement, index) }

    func int(_ index: Int32) -> Int { Int(sqlite3_column_int64(statement, index)) }

    func optionalInt64(_ index: Int32) -> Int64? { isNull(index) ? nil : int64(index) }

    func optionalInt(_ index: Int32) -> Int? { isNull(index) ? nil : int(index) }

    func optionalDouble(_ index: Int32) -> Double? { isNull(index) ? nil : sqlite3_column_double(statement, index) }

    func string(_ index: Int32) -> String {
        guard let text = sqlite3_column_text(statement, index) else { return "" }
        return String(decoding: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, index))), as: UTF8.self)
    }

    func optionalString(_ index: Int32) -> String? { isNull(index) ? nil : string(index) }

    /// Runs `statement` and reads every row with `read`.
    static func fetchAll<T>(_ statement: Statement, arguments: StatementArguments, _ read: (SQLiteColumns) throws -> T) throws -> [T] {
        let cursor = try Row.fetchCursor(statement, arguments: arguments)
        let columns = SQLiteColumns(statement)
        var values: [T] = []
        while try cursor.next() != nil { values.append(try read(columns)) }
        return values
    }

    /// Runs `statement` and reads its first row, if any.
    static func fetchOne<T>(_ statement: Statement, arguments: StatementArguments, _ read: (SQLiteColumns) throws -> T) throws -> T? {
        let cursor = try Row.fetchCursor(statement, arguments: arguments)
        return try cursor.next() == nil ? nil : read(SQLiteColumns(statement))
    }
}
