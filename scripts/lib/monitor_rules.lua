-- lib/monitor_rules.lua: the monitor rules shared by the create and update policies:
-- who may write, status normalization, defaults and bounds, config normalization.
-- Change a rule here (and bump the version) to change it for both.
local ports = require "lib/ports"
local access = require "lib/access"

local M = {
  version = "1.5.0",
  description = "Shared monitor rules: roles, statuses, defaults, bounds, config",
  defaults = { checkInterval = 30, timeoutSeconds = 30, status = "active" },
  bounds = { checkInterval = { 1, 60 }, timeoutSeconds = { 1, 60 } },
}

local null = mailmon.null

--- What a secret shows as to a token that cannot change it (the host masks with the same text).
M.SECRET_MASK = "********"

local function reject(status, message) return { reject = { status = status, message = message } } end
M.reject = reject

--- true when a request value is absent or JSON null
function M.absent(value) return value == nil or value == null end

local statuses = { active = "active", maintenance = "maintenance", disabled = "disabled", paused = "disabled", inactive = "disabled" }

--- nil, rejection when the actor may not write monitors of this customer (id) at all (lib/access owns the rule)
M.write_forbidden = access.write_forbidden

function M.status(value)
  if M.absent(value) then return M.defaults.status end
  local status = statuses[value]
  if status == nil then
    return nil, "status must be one of active, maintenance, disabled, paused, inactive"
  end
  return status
end

function M.bounded(name, value)
  if M.absent(value) then return M.defaults[name] end
  local low, high = M.bounds[name][1], M.bounds[name][2]
  if math.type(value) ~= "integer" or value < low or value > high then
    return nil, string.format("%s must be an integer from %d to %d", name, low, high)
  end
  return value
end

function M.hostname(value)
  if M.absent(value) or value == "" then return nil, "hostname is required" end
  local ok, reason = mailmon.validate.hostname(value)
  if not ok then return nil, "Invalid hostname: " .. reason end
  return string.lower(value)
end

function M.port(value)
  if M.absent(value) then return nil end  -- stored null: the worker applies default_port at check time
  if math.type(value) ~= "integer" or value < 1 or value > 65535 then
    return nil, "port must be an integer from 1 to 65535, or null"
  end
  return value
end

function M.name(value)
  if M.absent(value) or value:match("^%s*$") then return nil, "name is required" end
  if utf8.len(value) == nil or utf8.len(value) > 200 then return nil, "name must be valid UTF-8 of at most 200 characters" end
  -- ASCII controls (%c) and the C1 controls U+0080-U+009F (UTF-8 C2 80 - C2 9F)
  if value:find("%c") or value:find("\xC2[\x80-\x9F]") then return nil, "name must not contain control characters" end
  return value
end

function M.country_codes(value)
  if M.absent(value) then return {} end
  local seen, codes = {}, {}
  for _, code in ipairs(value) do
    local upper = string.upper(code)
    if not mailmon.validate.country_code(upper) then
      return nil, code .. " is not an ISO 3166 alpha-2 country code"
    end
    if not seen[upper] then seen[upper] = true; codes[#codes + 1] = upper end
  end
  return codes
end

function M.email(value)
  if M.absent(value) then return nil end
  if not mailmon.validate.email(value) then return nil, "notificationEmail is not a valid address" end
  return value
end

function M.phone(value)
  if M.absent(value) then return nil end
  if not mailmon.validate.phone(value) then return nil, "notificationPhoneNumber must be in E.164 form (+4930123456)" end
  return value
end

-- The config keys the worker reads; any other key is refused rather than stored unread
-- (a misspelt "tlsOption" would otherwise vanish, and the check would run without it).
local config_keys = { "protocol", "user", "password", "tls", "starttls", "mailbox", "tlsOptions" }
local tls_option_keys = { "rejectUnauthorized" }
-- The JSON type of each key (the host has already refused arrays where an object belongs).
local config_types = {
  protocol = "string", user = "string", password = "string", tls = "boolean", starttls = "boolean", mailbox = "string",
  tlsOptions = "table",
}
local type_names = { string = "a string", boolean = "a boolean", table = "an object" }

local function key_set(keys)
  local set = {}
  for _, key in ipairs(keys) do set[key] = true end
  return set
end
local config_key_set, tls_option_key_set = key_set(config_keys), key_set(tls_option_keys)

--- The first key of `given` (in sorted order, so a message is stable) that is not in `allowed` (a set), or nil.
function M.first_unknown_key(given, allowed)
  local unknown = {}
  for key in pairs(given) do
    if not allowed[key] then unknown[#unknown + 1] = tostring(key) end
  end
  table.sort(unknown)
  return unknown[1]
end

--- The stored config: protocol and tls always present, other keys only when given.
-- `field`: the name the client sent it under ("imapPopConfig" or its alias "config"), for messages.
function M.config(value, field)
  field = field or "imapPopConfig"
  local c = M.absent(value) and {} or value
  local unknown = M.first_unknown_key(c, config_key_set)
  if unknown then
    return nil, string.format("%s.%s is not a known key (known: %s)", field, unknown, table.concat(config_keys, ", "))
  end
  for _, key in ipairs(config_keys) do
    local value = c[key]
    if not M.absent(value) and type(value) ~= config_types[key] then
      return nil, string.format("%s.%s must be %s", field, key, type_names[config_types[key]])
    end
  end
  if not M.absent(c.tlsOptions) then
    local reject_unauthorized = c.tlsOptions.rejectUnauthorized
    if not M.absent(reject_unauthorized) and type(reject_unauthorized) ~= "boolean" then
      return nil, field .. ".tlsOptions.rejectUnauthorized must be a boolean"
    end
    unknown = M.first_unknown_key(c.tlsOptions, tls_option_key_set)
    if unknown then
      return nil, string.format("%s.tlsOptions.%s is not a known key (known: %s)", field, unknown, table.concat(tls_option_keys, ", "))
    end
  end
  local config = {}
  config.protocol = M.absent(c.protocol) and "imap" or c.protocol
  if config.protocol ~= "imap" and config.protocol ~= "pop3" then
    return nil, field .. ".protocol must be imap or pop3"
  end
  config.tls = not M.absent(c.tls) and c.tls or false
  if not M.absent(c.starttls) then
    if c.starttls and config.tls then return nil, field .. ".starttls needs tls false (STARTTLS upgrades a plain connection)" end
    config.starttls = c.starttls
  end
  if not M.absent(c.user) then config.user = c.user end
  if not M.absent(c.password) then config.password = c.password end
  if not M.absent(c.mailbox) then
    if config.protocol ~= "imap" then return nil, field .. ".mailbox applies to imap only" end
    if c.mailbox == "" then return nil, field .. ".mailbox must not be empty (omit it for INBOX)" end
    config.mailbox = c.mailbox
  end
  if not M.absent(c.tlsOptions) then
    local reject_unauthorized = c.tlsOptions.rejectUnauthorized
    config.tlsOptions = { rejectUnauthorized = M.absent(reject_unauthorized) or reject_unauthorized }
  end
  ports.default_port(config.protocol, config.tls)  -- the protocol is one the worker can check
  return config
end

function M.selftest()
  assert(M.status("paused") == "disabled" and M.status("inactive") == "disabled" and M.status(nil) == "active")
  assert(M.status("weird") == nil)
  assert(M.bounded("checkInterval", nil) == 30 and M.bounded("checkInterval", 61) == nil and M.bounded("timeoutSeconds", 1) == 1)
  assert(M.port(null) == nil and M.port(993) == 993 and select(2, M.port(0)) ~= nil)
  local config = M.config({ protocol = "pop3", tls = true })
  assert(config.protocol == "pop3" and config.tls == true and config.user == nil)
  assert(M.config(nil).protocol == "imap" and M.config(nil).tls == false)
  assert(select(2, M.config({ protocol = "smtp" })) ~= nil)
  assert(select(2, M.config({ tlsOption = { rejectUnauthorized = false } })):find("imapPopConfig.tlsOption is not a known key", 1, true))
  assert(select(2, M.config({ tlsOptions = { rejectUnauthorised = false } }, "config")):find("config.tlsOptions.rejectUnauthorised", 1, true) == 1)
  assert(select(2, M.config({ mailbox = "" })) ~= nil)
  assert(select(2, M.config({ tls = "yes" })) == "imapPopConfig.tls must be a boolean")
  assert(select(2, M.config({ tlsOptions = { rejectUnauthorized = 0 } })) == "imapPopConfig.tlsOptions.rejectUnauthorized must be a boolean")
end

return M
