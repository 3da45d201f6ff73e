import Foundation
public import Hummingbird
import HTTPTypes

/// Every error leaves as `{"statusCode": …, "statusMessage": "…", "message": "…"}`.
public struct APIError: HTTPResponseError {
    public var status: HTTPResponse.Status
    public var message: String
    /// Headers the answer carries besides its JSON body (`Retry-After`).
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    func with(header name: HTTPField.Name, _ value: String) -> APIError {
        var error = self
        error.headers[name] = value
        return error
    }

    static func reason(_ code: Int) -> String? {
        switch code {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 409: "Conflict"
        case 405: "Method Not Allowed"
        case 413: "Content Too Large"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        default: nil
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var json = JSONWriter()
        json.object { json in
            json.field("statusCode", status.code)
            json.field("statusMessage", Self.reason(status.code) ?? status.reasonPhrase)
            json.field("message", message)
        }
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: json.bytes)))
    }
}
