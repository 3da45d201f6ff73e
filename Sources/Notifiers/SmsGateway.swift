import Foundation
import Domain

/// An HTTP SMS gateway: mailmon POSTs `{"to": …, "text": …, "from": …}` as JSON
/// to `url` with the configured headers (an API key, say); any 2xx is success.
public struct SmsGateway: Sendable, Hashable, Codable {
    public var url: String
    public var headers: [String: String]
    public var from: String?

    public init(url: String, headers: [String: String] = [:], from: String? = nil) {
        self.url = url
        self.headers = headers
        self.from = from
    }

    enum CodingKeys: String, CodingKey { case url, headers, from }

    /// `headers` and `from` may be left out.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            url: try c.decode(String.self, forKey: .url), headers: try c.decodeIfPresent([String: String].self, forKey: .headers) ?? [:],
            from: try c.decodeIfPresent(String.self, forKey: .from))
    }
}

struct SmsSender: AlertSender {
    let gateway: SmsGateway

    func send(_ delivery: PendingDelivery) async throws {
        var object: [String: String] = ["to": delivery.recipient, "text": String(delivery.body.prefix(640))]
        if let from = gateway.from { object["from"] = from }
        let body = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        try await HTTPPost.json(to: gateway.url, body: Array(body), headers: gateway.headers)
    }
}
