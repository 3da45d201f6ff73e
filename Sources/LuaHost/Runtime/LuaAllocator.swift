import CLua
import Glibc

/// The `lua_Alloc` of every state: `realloc` with the state's memory limit.
///
/// It never raises; past the limit it returns NULL, which Lua turns into a
/// memory error after an emergency collection. Shrinking never fails, as Lua requires.
let luaLimitedAllocator: lua_Alloc = { userData, pointer, oldSize, newSize in
    let context = userData!.assumingMemoryBound(to: mm_context.self)
    let old = pointer == nil ? 0 : oldSize
    if newSize == 0 {
        free(pointer)
        context.pointee.mem_used -= old
        return nil
    }
    if newSize > old, context.pointee.mem_used - old + newSize > context.pointee.mem_limit {
        context.pointee.mem_exceeded = 1
        return nil
    }
    guard let result = realloc(pointer, newSize) else { return nil }
    context.pointee.mem_used = context.pointee.mem_used - old + newSize
    return result
}
