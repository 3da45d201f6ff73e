import App
import Foundation
import MailmonTestSupport
import Testing

/// `mailmon serve` under hostile connections: silent and half-sent requests cannot take the
/// API down, malformed requests get the error body.
@Suite("mailmon serve: connection limits")
struct ServeConnectionTests {
    @Test("1,100 half-sent requests under a 1,024 open-file limit: /health answers throughout; the limit is logged")
    func idleConnectionFlood() async throws {
        _ = OpenFileLimit.inForce  // raised: this test process holds 1,100 connections itself
        let directory = try MailmonBinary.workspace("mm-conn-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try FreePorts.take(1)[0]
        let serve = try ChildProcess.spawn(
            "/usr/bin/prlimit",
            ["--nofile=1024:1024", try MailmonBinary.path(), "serve", "--port", "\(port)", "--database", directory + "/mailmon.sqlite",
             "--scripts", directory + "/scripts"],
            environment: ["MAILMON_LOG_LEVEL": "info", "MAILMON_REQUEST_HEAD_TIMEOUT": "60"], outputPrefix: directory + "/serve")
        _ = try await MailmonBinary.bootstrapToken(of: serve, port: port)
        // Each look at /health on a new connection (a pooled keep-alive one would already be in).
        func health() throws -> String {
            let connection = try RawConnection(port: port, timeoutSeconds: 15)
            try connection.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            return try connection.readUntilClosed()
        }

        var held: [RawConnection] = []
        for index in 0..<1_100 {
            let connection = try RawConnection(port: port, timeoutSeconds: 10)
            try connection.send("GET / HTTP/1.1\r\n")
            held.append(connection)
            if index % 275 == 274 {
                #expect(try health().hasPrefix("HTTP/1.1 200"), "after \(index + 1) half-sent requests")
            }
        }
        #expect(try health().hasPrefix("HTTP/1.1 200"), "with 1,100 half-sent requests open")
        #expect(serve.output.contains("connection limit reached"), "the limit is logged")
        #expect(serve.output.contains("maxConnections=896"), "the limit follows the open-file limit (1,024 less 128)")
        held.removeAll()
        #expect(try health().hasPrefix("HTTP/1.1 200"))
        serve.send(SIGTERM)
        #expect(try serve.waitForExit() == 0)
    }

    @Test("a connection that sends no complete request head is closed after the head timeout; a malformed request gets the error body")
    func headTimeoutAndParserErrors() async throws {
        let directory = try MailmonBinary.workspace("mm-conn-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try FreePorts.take(1)[0]
        let serve = try ChildProcess.spawn(
            try MailmonBinary.path(),
            ["serve", "--port", "\(port)", "--database", directory + "/mailmon.sqlite", "--scripts", directory + "/scripts"],
            environment: ["MAILMON_REQUEST_HEAD_TIMEOUT": "1"], outputPrefix: directory + "/serve")
        _ = try await MailmonBinary.bootstrapToken(of: serve, port: port)

        let silent = try RawConnection(port: port, timeoutSeconds: 20)
        #expect(try silent.readUntilClosed() == "", "closed by the server, nothing sent")
        let partial = try RawConnection(port: port, timeoutSeconds: 20)
        try partial.send("GET /health HTTP/1.1\r\nHost: x\r\n")
        #expect(try partial.readUntilClosed() == "")

        let malformed = try RawConnection(port: port, timeoutSeconds: 20)
        try malformed.send("GARBAGE\r\n\r\n")
        let answer = try malformed.readUntilClosed()
        #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer)")
        #expect(answer.contains(#""statusCode":400"#) && answer.contains("malformed HTTP request"), "\(answer)")

        let badChunks = try RawConnection(port: port, timeoutSeconds: 20)
        try badChunks.send("POST /api/customers HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nnot a chunk\r\n")
        let chunkAnswer = try badChunks.readUntilClosed()
        #expect(chunkAnswer.contains("400") && chunkAnswer.contains(#""statusCode":400"#), "\(chunkAnswer)")
        serve.send(SIGTERM)
        #expect(try serve.waitForExit() == 0)
    }
}
