/// The pattern bounds of the sandbox (docs/lua.md, "Sandbox"): Lua wrappers of
/// `string.find`, `match`, `gmatch` and `gsub` that estimate, before the C
/// matcher runs, how many steps the call can take at worst, and refuse it with an
/// error at the calling line when that is over `LuaLimits.patternSteps`.
///
/// Why an estimate suffices: Lua patterns have no nested quantified groups. The
/// matcher tries each start position (one when anchored), and each `*`, `-` or
/// `+` whose continuation can still fail tries every length it can take, so d such
/// points over n bytes make at most C(n + d, d) tries of what follows. Items that
/// cannot fail at the end of a pattern are reached once per match. When that crude
/// bound is over the limit, it is tightened with facts about the subject read in
/// linear time (the bytes each class matches, the longest run of each repeated
/// class) before the call is refused; a plain `find` is bounded by its memcmp work.
///
/// The chunk runs once per state from the sandbox prelude with
/// `string, pcall, error, type, tostring, patternSteps, maxPatternLength, memoryBytes`.
let patternGuard = #"""
-- Pattern bounds. string.find, match, gmatch and gsub run in C, where the
-- instruction budget cannot reach, and a pattern such as '.-.-.-b' backtracks
-- for seconds on a few hundred bytes. Lua patterns have no nested groups, so
-- the work of a call is bounded before it runs: the matcher tries each start
-- position (one, when anchored) and each quantifier '*' or '-' (and '+') whose
-- continuation can fail tries every length it can take, so the tries are at
-- most C(n + d, d) for d such branching points over n bytes. Calls whose bound
-- is over the step limit are refused, at the calling line. When the crude bound
-- is over, it is tightened with the subject itself (how many of its bytes each
-- class matches and the longest run of each repeated class) before refusing.
local string, pcall, error, type, tostring, max_steps, max_pattern, max_bytes = ...
-- string.find, match, gmatch and gsub are replaced in place, as string.rep is:
-- the method forms ("x"):find(...) reach them through the string metatable,
-- and scripts never see the library's own functions (upvalues here).
local find, match, gmatch, gsub = string.find, string.match, string.gmatch, string.gsub
local byte, sub, rep, format = string.byte, string.sub, string.rep, string.format

local SPECIALS = "[%^%$%*%+%?%.%(%[%%%-]"
-- Bytes memcmp compares in the time the matcher takes one step (measured: over 500).
local PLAIN_BYTES_PER_STEP = 256

-- Index after the ']' that closes the set opening at i, as lstrlib's classEnd; nil if malformed.
local function class_end(p, i, m)
  i = i + 1
  if byte(p, i) == 94 then i = i + 1 end
  repeat
    if i > m then return nil end
    local c = byte(p, i)
    i = i + 1
    if c == 37 then
      if i > m then return nil end
      i = i + 1
    end
  until byte(p, i) == 93
  return i + 1
end

-- A single-byte item as pattern text that repeats and nests safely ('-' -> '%-').
local function unit(text)
  if #text == 1 and not find(text, "^%w") then return "%" .. text end
  return text
end

-- A set matching what the single-byte item `text` does not match.
local function complement(text)
  local c = byte(text, 1)
  if c == 91 then
    if byte(text, 2) ~= 94 then return "[^" .. sub(text, 2) end
    if byte(text, 3) == 94 then return "[%^" .. sub(text, 4) end
    return "[" .. sub(text, 3)
  end
  return "[^" .. unit(text) .. "]"
end

-- The items of a pattern, as lstrlib reads them: kind k, weight w (its bytes),
-- text for single-byte items. 'x+' is read as 'x' then 'x*', which it is.
local function analyse(p, gm)
  local m = #p
  local items, count = {}, 0
  local function add(k, w, text, q)
    count = count + 1
    items[count] = { k = k, w = w, text = text, q = q }
  end
  local i, anchored = 1, false
  -- gmatch reads a leading '^' as a plain byte.
  if not gm and byte(p, 1) == 94 then anchored, i = true, 2 end
  while i <= m do
    local c, d = byte(p, i), byte(p, i + 1)
    if c == 40 then
      if d == 41 then add("cap", 2); i = i + 2 else add("cap", 1); i = i + 1 end
    elseif c == 41 then
      add("cap", 1); i = i + 1
    elseif c == 36 and i == m then
      add("end", 1); i = i + 1
    elseif c == 37 and d == 98 then
      -- The matcher raises its own error where a malformed item is reached: nothing runs past it.
      if i + 3 > m then add("bad", 1); break end
      add("bal", 4, sub(p, i + 2, i + 2)); i = i + 4
    elseif c == 37 and d == 102 then
      local e = byte(p, i + 2) == 91 and class_end(p, i + 2, m)
      if not e then add("bad", 1); break end
      add("front", 2 * (e - i)); i = e
    elseif c == 37 and d ~= nil and d >= 48 and d <= 57 then
      add("back", 2); i = i + 2
    else
      local e
      if c == 37 then
        if d == nil then add("bad", 1); break end
        e = i + 2
      elseif c == 91 then
        e = class_end(p, i, m)
        if not e then add("bad", 1); break end
      else
        e = i + 1
      end
      local text, q = sub(p, i, e - 1), byte(p, e)
      if q == 42 or q == 45 then
        add("rep", e - i, text, q); i = e + 1
      elseif q == 43 then
        add("one", e - i, text); add("rep", e - i, text, 42); i = e + 1
      elseif q == 63 then
        add("opt", e - i, text); i = e + 1
      else
        add("one", e - i, text); i = e
      end
    end
  end
  -- The tail: items that cannot fail, up to the end. The matcher reaches them
  -- only on the way to a success, once per match, and never backtracks into them.
  local tail = count + 1
  while tail > 1 do
    local k = items[tail - 1].k
    if k == "rep" or k == "opt" or k == "cap" then tail = tail - 1 else break end
  end
  local tail_bytes, tail_scans = 0, 0
  for t = tail, count do
    tail_bytes = tail_bytes + items[t].w
    if items[t].q == 42 then tail_scans = tail_scans + 1 end
  end
  -- Coefficients of the crude bound, by the number of branching points passed.
  local a, b, d, f = { 0 }, { 0 }, 0, 1
  for t = 1, tail - 1 do
    local it = items[t]
    if it.k == "bal" or it.k == "back" then
      a[d + 1], b[d + 1] = a[d + 1] + f, b[d + 1] + f
    else
      a[d + 1] = a[d + 1] + f * it.w
    end
    if it.k == "rep" then
      d = d + 1
      a[d + 1], b[d + 1] = f * it.w, 0
    elseif it.k == "opt" then
      f = f * 2
    end
  end
  return {
    items = items, branching = tail - 1, anchored = anchored, d = d, a = a, b = b,
    tail_bytes = tail_bytes, tail_scans = tail_scans,
  }
end

-- The crude bound: every branching point may take any length.
local function crude(info, n)
  local j = info.anchored and 0 or 1
  local c = j == 1 and (n + 1) or 1
  local a, b = info.a, info.b
  local cost = (n + 1) * info.tail_bytes + n * info.tail_scans
  for k = 1, info.d + 1 do
    if k > 1 then
      j = j + 1
      c = c * (n + j) / j
    end
    cost = cost + c * (a[k] + b[k] * (n + 1))
  end
  return cost
end

-- What the subject tells: how many of its bytes a class matches (a try past
-- a single-byte item after a branching point succeeds only there) and the
-- longest run of a class (the lengths a repeated item can take).
local function subject_facts(s, n)
  local counts, runs, spent = {}, {}, 0
  local function count(text)
    if text == "." then return n end
    local c = counts[text]
    if c == nil then
      c = false
      if n <= max_bytes // 4 then
        local ok, rest = pcall(gsub, s, complement(text) .. "+", "")
        if ok then c = #rest end
      end
      counts[text] = c
    end
    return c or nil
  end
  local function run(text)
    if text == "." then return n end
    local r = runs[text]
    if r ~= nil then return r end
    r = count(text) or n
    local u, k = unit(text), 1
    while k <= r do
      local work = (n + 1) * k * #u
      if spent + work > max_steps then break end
      spent = spent + work
      local ok, found = pcall(find, s, rep(u, k))
      if not ok then break end
      if not found then
        r = k - 1
        break
      end
      k = k * 2
    end
    runs[text] = r
    return r
  end
  return count, run
end

-- The bound with the subject's facts: the tries that pass each item, item by item.
local function refined(info, s, n)
  local count, run = subject_facts(s, n)
  local paths, base = 1, nil
  if not info.anchored then paths, base = n + 1, 1 end
  local cost = (n + 1) * info.tail_bytes + n * info.tail_scans
  local items = info.items
  for t = 1, info.branching do
    local it = items[t]
    local k = it.k
    if k == "bal" then
      cost = cost + paths
      if base then
        local c = count(unit(it.text))
        if c and base * c < paths then paths = base * c end
      end
      cost = cost + paths * (n + 1)
      base = nil
    elseif k == "back" then
      cost = cost + paths * (n + 2)
      base = nil
    else
      cost = cost + paths * it.w
      if k == "one" then
        if base then
          local c = count(it.text)
          if c and base * c < paths then paths = base * c end
          base = nil
        end
      elseif k == "rep" then
        base = paths
        paths = paths * (run(it.text) + 1)
        cost = cost + paths * it.w
      elseif k == "end" then
        if base and base < paths then paths = base end
        base = nil
      elseif k == "opt" then
        paths, base = paths * 2, nil
      elseif k ~= "cap" then
        base = nil
      end
    end
    if cost > max_steps then return cost end
  end
  return cost
end

-- A pattern without special characters: find compares bytes (memchr and memcmp),
-- the others step through it at each start.
local function literal_bound(n, m, plain, candidates)
  if plain then
    local starts = n - m + 1
    if starts < 0 then starts = 0 end
    if candidates == nil or candidates > starts then candidates = starts end
    return (n + candidates * m) / PLAIN_BYTES_PER_STEP
  end
  if candidates == nil or candidates > n + 1 then candidates = n + 1 end
  return (n + 1) + candidates * m
end

local function literal_cost(s, n, p, plain)
  local count = subject_facts(s, n)
  return literal_bound(n, #p, plain, #p > 0 and count(unit(sub(p, 1, 1))) or nil)
end

-- The largest subject length for which `bound` stays within the limit (it grows with n).
local function largest_within(bound)
  if bound(0) > max_steps then return -1 end
  local lo, hi = 0, 1
  while bound(hi) <= max_steps do
    lo, hi = hi, hi * 2
    if hi > max_bytes then return hi end
  end
  while hi - lo > 1 do
    local mid = (lo + hi) // 2
    if bound(mid) <= max_steps then lo = mid else hi = mid end
  end
  return lo
end

-- Per mode, what each pattern is: its analysis and the subject length up to
-- which its crude bound is within the limit, so most calls stop at a compare.
local caches, cached = { find = {}, match = {}, gmatch = {} }, 0

local function shown(p)
  if #p > 40 then p = sub(p, 1, 40) .. "..." end
  return format("%q", p)
end

local function describe(name, p, mode)
  local info
  if not find(p, SPECIALS) then
    local m, plain = #p, mode == "find"
    info = { literal = true }
    info.fast = largest_within(function(n) return literal_bound(n, m, plain) end)
  elseif #p > max_pattern then
    error(format("%s: a pattern of %d bytes is over the limit of %d bytes: %s", name, #p, max_pattern, shown(p)), 4)
  else
    info = analyse(p, mode == "gmatch")
    info.fast = largest_within(function(n) return crude(info, n) end)
  end
  if cached >= 256 then
    caches, cached = { find = {}, match = {}, gmatch = {} }, 0
  end
  caches[mode][p] = info
  cached = cached + 1
  return info
end

local function bad(name, arg, got)
  error(format("bad argument #%d to '%s' (string expected, got %s)", arg, sub(name, 8), got), 4)
end

-- Raises, at the line that called `name`, when the call could run past the limit.
local function check(name, mode, s, p, plain)
  local ts, tp = type(s), type(p)
  if ts == "number" then s = tostring(s) elseif ts ~= "string" then bad(name, 1, ts) end
  if tp == "number" then p = tostring(p) elseif tp ~= "string" then bad(name, 2, tp) end
  local n, cost = #s, nil
  if plain then
    cost = literal_bound(n, #p, true)
    if cost <= max_steps then return end
    cost = literal_cost(s, n, p, true)
  else
    local info = caches[mode][p] or describe(name, p, mode)
    if n <= info.fast then return end
    if info.literal then
      cost = literal_cost(s, n, p, mode == "find")
    else
      cost = refined(info, s, n)
    end
  end
  if cost > max_steps then
    error(format("%s: pattern too costly for a subject of %d bytes (limit %d steps): %s",
      name, n, max_steps, shown(p)), 3)
  end
end

-- The library functions run under pcall, so the wrappers never show as the
-- place of an error. Their own errors (a bad argument, a malformed pattern) carry no
-- location under pcall: they get the caller's, as they would without the wrapper.
-- `relay` is tail-called, so level 2 is the caller of the wrapper.
local own_errors = { "bad argument", "malformed pattern", "missing '[' after", "invalid capture",
  "invalid pattern capture", "unfinished capture", "too many captures", "pattern too complex",
  "invalid use of '%' in replacement", "invalid replacement value" }
local function relay(short, ok, ...)
  if ok then return ... end
  local e = ...
  if type(e) == "string" then
    for i = 1, #own_errors do
      if find(e, own_errors[i], 1, true) == 1 then
        error((gsub(e, "^(bad argument #%d+ to )'%?'", "%1'" .. short .. "'")), 2)
      end
    end
  end
  error(e, 0)
end

string.find = function(s, p, init, plain)
  check("string.find", "find", s, p, plain)
  return relay("find", pcall(find, s, p, init, plain))
end
string.match = function(s, p, init)
  check("string.match", "match", s, p, false)
  return relay("match", pcall(match, s, p, init))
end
string.gmatch = function(s, p, init)
  check("string.gmatch", "gmatch", s, p, false)
  return relay("gmatch", pcall(gmatch, s, p, init))
end
string.gsub = function(s, p, repl, n)
  check("string.gsub", "match", s, p, false)
  return relay("gsub", pcall(gsub, s, p, repl, n))
end
"""#
