import Foundation
import Hummingbird
import LuaHost

/// Reads a JSON body (at most 64 KiB) into a `LuaValue`: the policies get it as parsed.
enum BodyReader {
    static let maxBytes = 64 * 1024

    static func json(_ request: Request) async throws -> LuaValue {
        let buffer = try await request.body.collect(upTo: maxBytes)
        guard buffer.readableBytes > 0 else { throw APIError(.badRequest, "Invalid request body: empty") }
        do {
            return try LuaValue(json: buffer.readableBytesView)
        } catch {
            throw APIError(.badRequest, "Invalid request body: malformed JSON (\(error))")
        }
    }
}
