import Domain
import Hummingbird

/// Reads a request body (at most 64 KiB) as bytes; the engine parses it for the policies.
enum BodyReader {
    static let maxBytes = 64 * 1024

    static func json(_ request: Request) async throws -> JSONRequestBody {
        let buffer = try await request.body.collect(upTo: maxBytes)
        guard buffer.readableBytes > 0 else { throw APIError(.badRequest, "Invalid request body: empty") }
        return JSONRequestBody(bytes: Array(buffer.readableBytesView))
    }
}
