import LuaHost
import Testing

@Suite("Encoding straight into Lua: hand-written Encodable shapes")
struct ProgramEncoderTests {
    enum Key: String, CodingKey { case a, b, x, y, list }

    /// Nested containers used in nesting order: the direct path.
    struct InOrder: Encodable, Sendable {
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            var inner = c.nestedContainer(keyedBy: Key.self, forKey: .a)
            try inner.encode(2, forKey: .x)
            var list = inner.nestedUnkeyedContainer(forKey: .list)
            try list.encode("p")
            try list.encodeNil()
            try list.encode("q")
            try c.encode(1, forKey: .b)
        }
    }

    /// A child container written after its parent moved on: the tree fallback.
    struct OutOfOrder: Encodable, Sendable {
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            var inner = c.nestedContainer(keyedBy: Key.self, forKey: .a)
            try c.encode(1, forKey: .b)
            try inner.encode(2, forKey: .x)
            var list = inner.nestedUnkeyedContainer(forKey: .list)
            try list.encode("p")
            try list.encodeNil()
            try list.encode("q")
        }
    }

    /// `superEncoder`, whose use cannot be ordered: the tree fallback.
    struct WithSuper: Encodable, Sendable {
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            var base = c.superEncoder().singleValueContainer()
            try c.encode(1, forKey: .b)
            try base.encode("base")
        }
    }

    struct Patch: Codable, Sendable {
        var port: Int?
        var name: String?
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(port, forKey: .port)
            try c.encodeIfPresent(name, forKey: .name)
        }
    }

    static let inspect = """
        return { version = '1',
          shape = function(m) return { m.a.x, m.b, m.a.list[1], m.a.list[2] == mailmon.null, m.a.list[3], #m.a.list } end,
          super = function(m) return { m.super, m.b } end,
          patch = function(p) return { p.port == mailmon.null, p.name == nil } end,
        }
        """

    func run<Input: Encodable & Sendable, Output: Decodable & Sendable>(
        _ function: String, _ input: Input, as type: Output.Type
    ) async throws -> Output {
        let fixture = try await ScriptFixture(["t": Self.inspect])
        defer { fixture.remove() }
        return try await fixture.library.call("t", function, with: input, as: type)
    }

    @Test("nested containers in nesting order arrive whole")
    func inOrder() async throws {
        #expect(try await run("shape", InOrder(), as: [LuaValue].self) == [2, 1, "p", true, "q", 3])
    }

    @Test("a container used after its parent moved on still arrives whole")
    func outOfOrder() async throws {
        #expect(try await run("shape", OutOfOrder(), as: [LuaValue].self) == [2, 1, "p", true, "q", 3])
    }

    @Test("superEncoder values arrive under 'super'")
    func superEncoder() async throws {
        #expect(try await run("super", WithSuper(), as: [LuaValue].self) == ["base", 1])
    }

    @Test("the tree encoder handles superEncoder with any key type")
    func treeSuperEncoder() throws {
        let value = try LuaValueEncoder().encode(WithSuper())
        #expect(value["super"] == "base")
        #expect(value["b"] == 1)
    }

    @Test("the nil rule holds on the direct path: explicit null is mailmon.null, omitted is nil")
    func nilRule() async throws {
        #expect(try await run("patch", Patch(port: nil, name: nil), as: [Bool].self) == [true, true])
    }

    @Test("top-level scalars and arrays encode directly too")
    func scalars() async throws {
        let fixture = try await ScriptFixture(["t": "return { version = '1', id = function(x) return x end }"])
        defer { fixture.remove() }
        #expect(try await fixture.library.call("t", "id", with: 42, as: Int.self) == 42)
        #expect(try await fixture.library.call("t", "id", with: ["a", "b"], as: [String].self) == ["a", "b"])
        #expect(try await fixture.library.call("t", "id", with: ["k": [1.5]], as: [String: [Double]].self) == ["k": [1.5]])
        #expect(try await fixture.library.call("t", "id", with: Int?.none, as: Int?.self) == nil)
    }
}
