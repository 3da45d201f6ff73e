import Foundation
import Hummingbird
import LuaHost

/// Reads a JSON object body (at most 64 KiB) into a `LuaValue`: the policies get it as parsed.
enum BodyReader {
    static let maxBytes = 64 * 1024

    static func json(_ request: Request) async throws -> LuaValue {
        let buffer = try await request.body.collect(upTo: maxBytes)
        guard buffer.readableBytes > 0 else { throw APIError(.badRequest, "Invalid request body: empty") }
        let value: LuaValue
        do {
            value = try LuaValue(json: buffer.readableBytesView)
        } catch {
            throw APIError(.badRequest, "Invalid request body: malformed JSON (\(error))")
        }
        // `[]` and `{}` both parse to an empty table: the object is told by its first byte.
        let first = buffer.readableBytesView.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        guard first == UInt8(ascii: "{") else { throw APIError(.badRequest, "Invalid request body: expected a JSON object") }
        return value
    }
}
