public import Domain
public import LuaHost

extension JSONRequestBody {
    /// The body parsed as the policies see it; 400 for malformed JSON or anything but an object.
    public func jsonObject() throws -> LuaValue {
        let value: LuaValue
        do {
            value = try LuaValue(json: bytes)
        } catch {
            throw DomainError.badRequest("Invalid request body: malformed JSON (\(error))")
        }
        // `[]` and `{}` both parse to an empty table: the object is told by its first byte.
        let first = bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        guard first == UInt8(ascii: "{") else { throw DomainError.badRequest("Invalid request body: expected a JSON object") }
        return value
    }
}
