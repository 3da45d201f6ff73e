-- lib/ports.lua: the default port rule, shared by the API policies and the worker.
-- When a monitor's port is null, the port comes from here: the policies never
-- store a default, so changing this rule changes every such monitor's next check.
local M = {
  version = "1.0.0",
  description = "Default IMAP/POP3 ports by protocol and TLS mode",
}

local defaults = {
  imap = { tls = 993, plain = 143 },
  pop3 = { tls = 995, plain = 110 },
}

--- default_port("imap" | "pop3", tls) -> port number
-- `tls` means implicit TLS; STARTTLS/STLS upgrades use the plain port.
function M.default_port(protocol, tls)
  local ports = defaults[protocol]
  if ports == nil then
    error("unknown protocol '" .. tostring(protocol) .. "' (expected imap or pop3)", 2)
  end
  return tls and ports.tls or ports.plain
end

function M.selftest()
  assert(M.default_port("imap", true) == 993)
  assert(M.default_port("imap", false) == 143)
  assert(M.default_port("pop3", true) == 995)
  assert(M.default_port("pop3", false) == 110)
  assert(not pcall(M.default_port, "smtp", true))
end

return M
