import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Domain

/// POSTs the alert in the shape of the channel's type (`ChannelPayload`) to its URL (`recipient`); any 2xx is success.
struct HTTPChannelSender: AlertSender {
    let type: AlertChannelType

    func send(_ delivery: PendingDelivery) async throws {
        let request = try ChannelPayload.request(type, for: delivery, at: Date())
        try await HTTPPost.send(to: request.url, body: request.body, headers: request.headers)
    }
}

/// One JSON POST with a bounded wait; non-2xx answers are errors carrying status and a bounded body.
enum HTTPPost {
    static func json(to url: String, body: [UInt8], headers: [String: String], timeout: TimeAmount = .seconds(15)) async throws {
        try await send(to: url, body: body, headers: ["Content-Type": "application/json"].merging(headers) { $1 }, timeout: timeout)
    }

    /// One POST; `headers` include the content type.
    static func send(to url: String, body: [UInt8], headers: [String: String], timeout: TimeAmount = .seconds(15)) async throws {
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? "") else {
            throw AlertSenderMissing(description: "not an http(s) URL: \(url)")
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "User-Agent", value: "mailmon")
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let answer = try await response.body.collect(upTo: 4096)
        guard (200..<300).contains(response.status.code) else {
            throw AlertSenderMissing(description: "HTTP \(response.status.code): \(String(buffer: answer).prefix(200))")
        }
    }
}
