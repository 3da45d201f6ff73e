import Foundation
import LuaHost
import Testing

@Suite("Values: Codable in, Codable out")
struct CodableBridgeTests {
    struct TLSOptions: Codable, Equatable {
        var rejectUnauthorized: Bool
    }

    struct Config: Codable, Equatable {
        var protocolName: String
        var user: String?
        var tls: Bool
        var tlsOptions: TLSOptions
    }

    struct Monitor: Codable, Equatable {
        var id: Int64
        var name: String
        var port: Int?
        var ratio: Double
        var tags: [String]
        var matrix: [[Int]]
        var config: Config
        var extra: [String: LuaValue]
        var checkedAt: Date
    }

    static let sample = Monitor(
        id: 9_007_199_254_740_993,  // 2^53 + 1: not representable as a double
        name: "Mailbox Access", port: nil, ratio: 0.25, tags: ["a", "b"], matrix: [[1, 2], [], [3]],
        config: Config(protocolName: "imap", user: "monitor@example.com", tls: true, tlsOptions: TLSOptions(rejectUnauthorized: false)),
        extra: ["nested": ["deep": [1, 2.5, "x", true]]],
        checkedAt: Date(timeIntervalSince1970: 1_772_107_200.125))

    @Test("a struct goes through Lua and back unchanged")
    func roundTrip() async throws {
        let fixture = try await ScriptFixture(["echo": "return { version = '1', run = function(x) return x end }"])
        defer { fixture.remove() }
        let back = try await fixture.library.call("echo", "run", with: Self.sample, as: Monitor.self)
        #expect(back == Self.sample)
    }

    @Test("integers stay integers in Lua, above 2^53 too")
    func integersInLua() async throws {
        let fixture = try await ScriptFixture([
            "t": "return { version = '1', run = function(m) return math.type(m.id), m.id + 1, math.type(m.ratio) end }"
        ])
        defer { fixture.remove() }
        let results = try await fixture.library.call("t", "run", [try LuaValueEncoder().encode(Self.sample)])
        #expect(results == ["integer", .integer(9_007_199_254_740_994), "float"])
    }

    @Test("arrays become sequences, maps become fields")
    func arraysAndMaps() async throws {
        let fixture = try await ScriptFixture([
            "t": "return { version = '1', run = function(m) return #m.tags, m.tags[2], m.config.tlsOptions.rejectUnauthorized, #m.matrix[2] end }"
        ])
        defer { fixture.remove() }
        let results = try await fixture.library.call("t", "run", [try LuaValueEncoder().encode(Self.sample)])
        #expect(results == [2, "b", false, 0])
    }

    @Test("nil rule: omitted optionals are nil, explicit nulls are mailmon.null, both decode as nil")
    func nilRule() async throws {
        struct Patch: Codable, Equatable {
            var port: Int?
            var name: String?
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(port, forKey: .port)  // explicit: null when nil
                try c.encodeIfPresent(name, forKey: .name)  // omitted when nil
            }
        }
        let fixture = try await ScriptFixture([
            "t": """
            return { version = '1', run = function(p)
              return p.port == mailmon.null, p.name == nil, { port = mailmon.null, name = "x" }
            end }
            """
        ])
        defer { fixture.remove() }
        let results = try await fixture.library.call("t", "run", [try LuaValueEncoder().encode(Patch(port: nil, name: nil))])
        #expect(results[0] == true)
        #expect(results[1] == true)
        #expect(results[2]["port"] == .nil)
        #expect(try LuaValueDecoder().decode(Patch.self, from: results[2]) == Patch(port: nil, name: "x"))
    }

    @Test("a value of the wrong type names the field path")
    func fieldPathInErrors() async throws {
        let fixture = try await ScriptFixture([
            "t": """
            return { version = '1', run = function(m)
              m.config.tlsOptions.rejectUnauthorized = "yes"
              return m
            end }
            """
        ])
        defer { fixture.remove() }
        await #expect {
            _ = try await fixture.library.call("t", "run", with: Self.sample, as: Monitor.self)
        } throws: { error in
            guard let error = error as? LuaScriptError else { return false }
            return error.kind == .conversion && error.message.contains("config.tlsOptions.rejectUnauthorized")
                && error.message.contains("Bool")
        }
    }

    @Test("functions and odd keys cannot cross, with a clear message")
    func unsupportedValues() async throws {
        let function = try #require(await ScriptFixture.failure("return { f = function() end }"))
        #expect(function.kind == .conversion)
        #expect(function.message.contains("at f: a function cannot be passed"))
        let key = try #require(await ScriptFixture.failure("return { [true] = 1 }"))
        #expect(key.message.contains("table key of type boolean"))
        let cycle = try #require(await ScriptFixture.failure("local t = {} t.t = t return t"))
        #expect(cycle.message.contains("nested deeper"))
    }

    @Test("sparse integer keys keep the sequence part and the rest as fields")
    func sparseKeys() async throws {
        let results = try await ScriptFixture.run("return { 'a', 'b', [5] = 'e', x = 1 }")
        let table = try #require(results.first?.tableValue)
        #expect(table.array == ["a", "b"])
        #expect(table.fields == ["5": "e", "x": 1])
    }

    @Test("integers decode from integral floats, not from fractions")
    func integerDecoding() throws {
        #expect(try LuaValueDecoder().decode(Int.self, from: .number(3.0)) == 3)
        #expect(throws: DecodingError.self) { try LuaValueDecoder().decode(Int.self, from: .number(3.5)) }
        #expect(throws: DecodingError.self) { try LuaValueDecoder().decode(Int8.self, from: .integer(300)) }
        #expect(throws: EncodingError.self) { try LuaValueEncoder().encode(UInt64.max) }
    }

    @Test("LuaValue is Codable through JSON too")
    func jsonRoundTrip() throws {
        let value: LuaValue = ["a": [1, 2.5, "x", true], "b": .nil, "c": ["k": "v"]]
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(LuaValue.self, from: data) == value)
    }
}
