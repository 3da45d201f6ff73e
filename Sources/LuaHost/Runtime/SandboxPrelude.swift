/// The Lua half of the sandbox. It runs once per state, protected, with the raw
/// libraries as arguments, and returns the runtime's entry points. Scripts
/// never see the real global table: each gets its own strict environment with
/// copies of the allowed libraries (docs/lua.md, "Sandbox").
let sandboxPrelude = #"""
local G, string, table, math, utf8, coroutine, os, null, host_paths, make_host, max_bytes,
  pattern_steps, max_pattern, pattern_guard = ...
local type, pairs, ipairs, error, tostring = G.type, G.pairs, G.ipairs, G.error, G.tostring
local rawget, setmetatable, load, collectgarbage = G.rawget, G.setmetatable, G.load, G.collectgarbage

-- The string library is shared by every script through the string metatable:
-- harden it in place, then hide the metatable from scripts.
string.dump = nil
local rep = string.rep
string.rep = function(s, n, sep)
  if type(n) == "number" and n > 1 then
    local size = (#tostring(s) + (sep ~= nil and #tostring(sep) or 0)) * n
    if size > max_bytes then
      error(string.format("string.rep: a result of %.0f bytes is over the memory limit of %d bytes", size, max_bytes), 2)
    end
    -- Lua's C loop would still run n times (no count hook fires in C) to build nothing.
    if size == 0 then return "" end
  end
  return rep(s, n, sep)
end
-- table.move copies element by element in C, where the instruction budget does not
-- reach: a range larger than the memory limit could hold is refused up front.
local move = table.move
table.move = function(a1, f, e, t, a2)
  if type(f) == "number" and type(e) == "number" and e - f >= max_bytes // 16 then
    error(string.format("table.move: a range of %.0f elements is over what the memory limit allows", e - f + 1), 2)
  end
  return move(a1, f, e, t, a2)
end
-- Pattern matching runs in C too: find, match, gmatch and gsub are bounded before
-- they run (PatternGuard.swift).
pattern_guard(string, G.pcall, error, type, tostring, pattern_steps, max_pattern, max_bytes)
G.getmetatable("").__metatable = false

-- Host functions, as a tree of tables keyed by their dotted paths.
local host_tree = { mailmon = { null = null } }
for id, path in ipairs(host_paths) do
  local node, last = host_tree, nil
  for name in string.gmatch(path, "[^.]+") do
    if last ~= nil then
      node[last] = node[last] or {}
      node = node[last]
    end
    last = name
  end
  node[last] = make_host(id - 1)
end

local function copy(t)
  local c = {}
  for k, v in pairs(t) do
    if type(v) == "table" then c[k] = copy(v) else c[k] = v end
  end
  return c
end

local function safe_setmetatable(t, mt)
  if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
    error("setmetatable: __gc metamethods are not allowed in scripts", 2)
  end
  return setmetatable(t, mt)
end

local function safe_collectgarbage(opt, ...)
  opt = opt or "collect"
  if opt ~= "collect" and opt ~= "count" and opt ~= "step" and opt ~= "isrunning" then
    error("collectgarbage: option '" .. tostring(opt) .. "' is not allowed in scripts", 2)
  end
  return collectgarbage(opt, ...)
end

-- xpcall's message handler would run inside the error raised by the budget
-- hook, where Lua disables hooks; here it runs after the stack unwinds instead.
local pcall, pack, unpack = G.pcall, table.pack, table.unpack
local function safe_xpcall(f, handler, ...)
  local r = pack(pcall(f, ...))
  if r[1] then return unpack(r, 1, r.n) end
  local ok, result = pcall(handler, r[2])
  return false, result
end

local strict = {
  __index = function(_, k) error("undefined global '" .. tostring(k) .. "'", 2) end,
  __newindex = function(_, k) error("assignment to undefined global '" .. tostring(k) .. "' (declare it local)", 2) end,
  __metatable = false,
}

local base_names = { "assert", "error", "getmetatable", "ipairs", "next", "pairs", "pcall", "rawequal",
  "rawget", "rawlen", "rawset", "select", "tonumber", "tostring", "type", "_VERSION" }

local chunks, modules, loading = {}, {}, {}

local function require(name)
  if type(name) ~= "string" then error("require: the module name must be a string", 2) end
  local m = modules[name]
  if m ~= nil then return m end
  local chunk = chunks[name]
  if chunk == nil then error("module '" .. name .. "' is not in the script library", 2) end
  if loading[name] then error("circular require of '" .. name .. "'", 2) end
  loading[name] = true
  local ok, result = pcall(chunk, name)
  loading[name] = nil
  if not ok then error(result, 0) end
  m = result
  if type(m) ~= "table" then
    error({ mailmon_contract = "the script must return a table (got " .. type(m) .. ")" }, 0)
  end
  modules[name] = m
  return m
end

local function new_env()
  local env = {}
  for _, k in ipairs(base_names) do env[k] = G[k] end
  env.setmetatable = safe_setmetatable
  env.collectgarbage = safe_collectgarbage
  env.xpcall = safe_xpcall
  env.string, env.table, env.math = copy(string), copy(table), copy(math)
  env.utf8, env.coroutine = copy(utf8), copy(coroutine)
  env.os = { time = os.time, clock = os.clock, date = os.date }
  for k, v in pairs(host_tree) do
    if type(v) == "table" then env[k] = copy(v) else env[k] = v end
  end
  env.require = require
  env.load = function(chunk, chunkname, mode, e)
    if type(chunk) ~= "string" then error("load: only source strings are allowed in scripts", 2) end
    if e == nil then e = env end
    return load(chunk, chunkname or "=(load)", "t", e)
  end
  env._G = env
  return setmetatable(env, strict)
end

local function install(name, source)
  local chunk, err = load(source, "=" .. name .. ".lua", "t", new_env())
  if not chunk then return err end
  chunks[name] = chunk
  return nil
end

local function open(name)
  local m = require(name)
  local functions = {}
  for key, value in next, m do
    if type(key) == "string" and type(value) == "function" then functions[#functions + 1] = key end
  end
  return { version = rawget(m, "version"), functions = functions }
end

-- Entry points, resolved once per state to an index the host calls them by.
local entries = {}
local function resolve(name, fname)
  local m = modules[name]
  if m == nil then error({ mailmon_contract = "script '" .. tostring(name) .. "' is not in the script library" }, 0) end
  local f = rawget(m, fname)
  if type(f) ~= "function" then error({ mailmon_contract = "the script has no function '" .. tostring(fname) .. "'" }, 0) end
  entries[#entries + 1] = f
  return #entries
end

local function new_thread() return coroutine.create(function() end) end

return resolve, install, open, new_thread, entries, new_thread()
"""#
