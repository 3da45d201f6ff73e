/*
 * CLua: the system Lua 5.4 (Debian liblua5.4-dev) for Swift.
 *
 * Two things live here and nothing else:
 *  1. `static inline` wrappers for the Lua API macros Swift cannot import.
 *  2. The trampolines: the only C code that may raise a Lua error (longjmp).
 *     Swift host functions never call lua_error; they return a status and a
 *     value program (mm_op) that the trampoline turns into Lua values or an
 *     error, so a longjmp never crosses a Swift frame. See docs/lua.md.
 */
#ifndef MAILMON_CLUA_SHIM_H
#define MAILMON_CLUA_SHIM_H

#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>
#include <stdint.h>
#include <stddef.h>
#include <time.h>

/* ---- 1. Macro wrappers ------------------------------------------------ */

static inline int mm_pcall(lua_State *L, int nargs, int nresults, int msgh) { return lua_pcall(L, nargs, nresults, msgh); }
static inline const char *mm_tostring(lua_State *L, int idx) { return lua_tostring(L, idx); }
static inline void mm_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline void mm_newtable(lua_State *L) { lua_newtable(L); }
static inline int mm_upvalueindex(int i) { return lua_upvalueindex(i); }
static inline void mm_pushcfunction(lua_State *L, lua_CFunction f) { lua_pushcfunction(L, f); }
static inline int mm_isnil(lua_State *L, int idx) { return lua_isnil(L, idx); }
static inline int mm_istable(lua_State *L, int idx) { return lua_istable(L, idx); }
static inline int mm_isfunction(lua_State *L, int idx) { return lua_isfunction(L, idx); }
static inline lua_Number mm_tonumber(lua_State *L, int idx) { return lua_tonumber(L, idx); }
static inline lua_Integer mm_tointeger(lua_State *L, int idx) { return lua_tointeger(L, idx); }
static inline void mm_insert(lua_State *L, int idx) { lua_insert(L, idx); }
static inline void mm_remove(lua_State *L, int idx) { lua_remove(L, idx); }
static inline void mm_replace(lua_State *L, int idx) { lua_replace(L, idx); }
static inline void mm_pushglobaltable(lua_State *L) { lua_pushglobaltable(L); }
static inline void *mm_getextraspace(lua_State *L) { return lua_getextraspace(L); }
static inline int mm_registryindex(void) { return LUA_REGISTRYINDEX; }
static inline int mm_multret(void) { return LUA_MULTRET; }
static inline int mm_loadbuffer(lua_State *L, const char *buf, size_t len, const char *name, const char *mode) {
    return luaL_loadbufferx(L, buf, len, name, mode);
}

/* ---- 2. Shared context and trampolines ------------------------------- */

/* One value-building instruction, written by Swift, run by mm_build. */
enum {
    MM_OP_NIL = 0,     /* push nil */
    MM_OP_BOOL = 1,    /* push boolean (i != 0) */
    MM_OP_INT = 2,     /* push integer i */
    MM_OP_NUM = 3,     /* push number n */
    MM_OP_STR = 4,     /* push string bytes[i ..< i+len] */
    MM_OP_TABLE = 5,   /* push new table, len = array size hint, i = hash size hint */
    MM_OP_RAWSET = 6,  /* t[k] = v where stack is ... t k v */
    MM_OP_RAWSETI = 7, /* t[i] = v where stack is ... t v */
    MM_OP_NULL = 8,    /* push the null sentinel (light userdata NULL) */
    MM_OP_REF = 9      /* push registry[i] */
};

typedef struct mm_op {
    int64_t i;
    double n;
    uint32_t len;
    int32_t op;
} mm_op;

/* Host dispatch: Swift reads the arguments with non-raising API calls only,
 * runs the host function, writes results into the context's program, and
 * returns one of the MM_HOST_* statuses. */
typedef int (*mm_dispatch_fn)(lua_State *L, void *host, int function_id);

enum {
    MM_HOST_RETURN = 0, /* push the program's values and return them */
    MM_HOST_ERROR = 1,  /* the program holds one string: raise it at the caller's line */
    MM_HOST_YIELD = 2   /* asynchronous: yield to the host, which resumes with results */
};

typedef struct mm_context {
    /* memory limit, maintained by the allocator */
    size_t mem_used;
    size_t mem_limit;
    int32_t mem_exceeded;
    /* instruction budget, maintained by mm_budget_hook */
    int32_t budget_exceeded;
    int64_t budget_remaining;
    int32_t hook_interval;
    /* value program for mm_build and the trampoline */
    const mm_op *ops;
    int64_t op_count;
    const char *bytes;
    int32_t values_pushed; /* set by the host for MM_HOST_RETURN */
    /* set by the host before resuming after an asynchronous call failed */
    int32_t resume_with_error;
    /* Swift host dispatch */
    mm_dispatch_fn dispatch;
    void *host;
    lua_State *host_thread; /* the only thread allowed to yield to the host */
    /* time slice of a call run on the caller's thread: past this CLOCK_MONOTONIC instant
       (0: never) the budget hook yields the host thread, and the host moves the rest of
       the call to its own threads */
    int64_t preempt_deadline_ns;
    int32_t preempted;
} mm_context;

static inline mm_context *mm_ctx(lua_State *L) { return *(mm_context **)lua_getextraspace(L); }

static inline int64_t mm_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + (int64_t)ts.tv_nsec;
}
static inline void mm_set_ctx(lua_State *L, mm_context *c) { *(mm_context **)lua_getextraspace(L) = c; }

/* Runs the context's value program; leaves the built values on the stack. */
static inline int mm_build_values(lua_State *L, mm_context *c) {
    int base = lua_gettop(L);
    for (int64_t k = 0; k < c->op_count; k++) {
        const mm_op *o = &c->ops[k];
        luaL_checkstack(L, 3, "value too deeply nested");
        switch (o->op) {
        case MM_OP_NIL: lua_pushnil(L); break;
        case MM_OP_BOOL: lua_pushboolean(L, o->i != 0); break;
        case MM_OP_INT: lua_pushinteger(L, (lua_Integer)o->i); break;
        case MM_OP_NUM: lua_pushnumber(L, (lua_Number)o->n); break;
        case MM_OP_STR: lua_pushlstring(L, c->bytes + o->i, o->len); break;
        case MM_OP_TABLE: lua_createtable(L, (int)o->len, (int)o->i); break;
        case MM_OP_RAWSET: lua_rawset(L, -3); break;
        case MM_OP_RAWSETI: lua_rawseti(L, -2, (lua_Integer)o->i); break;
        case MM_OP_NULL: lua_pushlightuserdata(L, NULL); break;
        case MM_OP_REF: lua_rawgeti(L, LUA_REGISTRYINDEX, (lua_Integer)o->i); break;
        default: return luaL_error(L, "mailmon: bad value op %d", (int)o->op);
        }
    }
    return lua_gettop(L) - base;
}

/* lua_CFunction run under lua_pcall by Swift: builds the program's values. */
static inline int mm_build(lua_State *L) {
    lua_settop(L, 0);
    return mm_build_values(L, mm_ctx(L));
}

/* Count hook: the instruction budget. Once exceeded it fires on every
 * instruction, so a script's pcall cannot swallow it. */
static inline void mm_budget_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    mm_context *c = mm_ctx(L);
    if (!c->budget_exceeded) {
        c->budget_remaining -= c->hook_interval;
        if (c->budget_remaining > 0) {
            /* Preemption: only the host thread, and only where Lua can yield (not inside a
               C call such as a table.sort comparator, where the slice simply runs on). */
            if (c->preempt_deadline_ns != 0 && L == c->host_thread && lua_isyieldable(L)
                && mm_now_ns() >= c->preempt_deadline_ns) {
                c->preempt_deadline_ns = 0;
                c->preempted = 1;
                lua_yield(L, 0);
            }
            return;
        }
        c->budget_exceeded = 1;
    }
    lua_sethook(L, mm_budget_hook, LUA_MASKCOUNT, 1);
    luaL_error(L, "instruction budget exceeded");
}

static inline int mm_raise_host_error(lua_State *L, mm_context *c) {
    luaL_where(L, 1);
    mm_build_values(L, c);
    lua_concat(L, 2);
    return lua_error(L);
}

/* Continuation after the host resumes an asynchronous call. */
static inline int mm_async_continue(lua_State *L, int status, lua_KContext base) {
    (void)status;
    mm_context *c = mm_ctx(L);
    if (c->resume_with_error) {
        c->resume_with_error = 0;
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
        return lua_error(L);
    }
    return lua_gettop(L) - (int)base;
}

/* The C function behind every Swift host function; upvalue 1 is its id. */
static inline int mm_host_trampoline(lua_State *L) {
    mm_context *c = mm_ctx(L);
    int id = (int)lua_tointeger(L, lua_upvalueindex(1));
    switch (c->dispatch(L, c->host, id)) {
    case MM_HOST_RETURN:
        return mm_build_values(L, c);
    case MM_HOST_YIELD:
        if (L != c->host_thread || !lua_isyieldable(L))
            return luaL_error(L, "asynchronous host function called where the host cannot wait "
                                 "(inside a script's coroutine, or in a callback from C such as a table.sort comparator)");
        return lua_yieldk(L, 0, (lua_KContext)lua_gettop(L), mm_async_continue);
    default:
        return mm_raise_host_error(L, c);
    }
}

/* lua_CFunction: makes the Lua closure for host function id (argument 1). */
static inline int mm_make_host_function(lua_State *L) {
    lua_Integer id = luaL_checkinteger(L, 1);
    lua_settop(L, 0);
    lua_pushinteger(L, id);
    lua_pushcclosure(L, mm_host_trampoline, 1);
    return 1;
}

/* Function pointers for Swift (static inline functions cannot be referenced as C function values). */
static inline lua_CFunction mm_build_fn(void) { return mm_build; }
static inline lua_CFunction mm_make_host_function_fn(void) { return mm_make_host_function; }
static inline lua_Hook mm_budget_hook_fn(void) { return mm_budget_hook; }

#endif
