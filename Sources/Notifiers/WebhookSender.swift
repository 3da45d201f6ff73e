import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Domain

/// POSTs the alert as JSON to the channel's URL (`recipient`); any 2xx is success.
struct WebhookSender: AlertSender {
    let slack: Bool

    func send(_ delivery: PendingDelivery) async throws {
        try await HTTPPost.json(to: delivery.recipient, body: WebhookPayload.body(for: delivery, slack: slack, at: Date()), headers: [:])
    }
}

/// One JSON POST with a bounded wait; non-2xx answers are errors carrying status and a bounded body.
enum HTTPPost {
    static func json(to url: String, body: [UInt8], headers: [String: String], timeout: TimeAmount = .seconds(15)) async throws {
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? "") else {
            throw AlertSenderMissing(description: "not an http(s) URL: \(url)")
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
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
