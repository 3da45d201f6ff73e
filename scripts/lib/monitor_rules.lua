-- lib/monitor_rules.lua: the monitor rules shared by the create and update policies:
-- who may write, status normalization, defaults and bounds, config normalization.
-- Change a rule here (and bump the version) to change it for both.
local ports = require "lib/ports"
local access = require "lib/access"

local M = {
  version = "1.9.0",
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

--- Whether `value` is a DNS name (RFC 1123 labels of 1-63 letters, digits and inner hyphens, at most
-- 253 characters, an optional final dot) whose last label starts with a letter: never an IP address.
function M.dns_name(value)
  local name = value:gsub("%.$", "")
  if #name == 0 or #name > 253 then return false end
  local last
  for label in (name .. "."):gmatch("([^.]*)%.") do
    if #label == 0 or #label > 63 or not label:match("^%w[%w-]*$") or label:sub(-1) == "-" then return false end
    last = label
  end
  return last ~= nil and last:match("^%a") ~= nil
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
local config_keys = {
  "protocol", "user", "password", "tls", "starttls", "mailbox", "tlsOptions", "auth", "recoveryThreshold", "reminderMinutes",
  "flapThreshold", "greetingPattern", "responseTimeWarningMs", "responseTimeCriticalMs", "messageCountMin", "messageCountMax",
  "newestMessageMaxAgeMinutes",
}
local tls_option_keys = { "rejectUnauthorized", "ca", "servername", "minVersion" }
local tls_versions = { ["TLSv1"] = true, ["TLSv1.1"] = true, ["TLSv1.2"] = true, ["TLSv1.3"] = true }
-- The JSON type of each key (the host has already refused arrays where an object belongs).
local config_types = {
  protocol = "string", user = "string", password = "string", tls = "boolean", starttls = "boolean", mailbox = "string",
  tlsOptions = "table", auth = "table", recoveryThreshold = "number", reminderMinutes = "number", flapThreshold = "number",
  greetingPattern = "string", responseTimeWarningMs = "number", responseTimeCriticalMs = "number",
  messageCountMin = "number", messageCountMax = "number", newestMessageMaxAgeMinutes = "number",
}
local type_limits = {
  recoveryThreshold = { 1, 10 }, reminderMinutes = { 5, 10080 }, flapThreshold = { 3, 9 },
  responseTimeWarningMs = { 1, 300000 }, responseTimeCriticalMs = { 1, 300000 },
  messageCountMin = { 0, 100000000 }, messageCountMax = { 0, 100000000 }, newestMessageMaxAgeMinutes = { 1, 525600 },
}
local type_names = { string = "a string", boolean = "a boolean", table = "an object", number = "an integer" }

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

-- OAuth2 logins (config.auth): the keys, the grants, and the providers' shorthands.
local auth_keys = {
  "type", "provider", "tenant", "tokenEndpoint", "clientId", "clientSecret", "grant", "refreshToken", "privateKey", "scope", "mechanism",
}
local auth_key_set = key_set(auth_keys)
local grants = { refresh_token = true, client_credentials = true, jwt_bearer = true }
local mechanisms = { XOAUTH2 = true, OAUTHBEARER = true }
M.oauth_providers = {
  -- Microsoft 365 (Entra ID): delegated access with a refresh token, or app-only access
  -- (client credentials) with the app granted IMAP.AccessAsApp / POP.AccessAsApp.
  microsoft = {
    endpoint = function(auth) return "https://login.microsoftonline.com/" .. auth.tenant .. "/oauth2/v2.0/token" end,
    scope = {
      refresh_token = "https://outlook.office365.com/IMAP.AccessAsUser.All https://outlook.office365.com/POP.AccessAsUser.All offline_access",
      client_credentials = "https://outlook.office365.com/.default",
    },
    needs_tenant = true,
  },
  -- Google Workspace: a refresh token of an OAuth client with the full mail scope.
  google = {
    endpoint = function() return "https://oauth2.googleapis.com/token" end,
    scope = { refresh_token = "https://mail.google.com/", client_credentials = "https://mail.google.com/", jwt_bearer = "https://mail.google.com/" },
  },
}

--- A token endpoint: https, or http on the loopback interface (a local proxy or a test).
local function endpoint_problem(url)
  if type(url) ~= "string" or #url > 2000 then return "must be an https URL" end
  if url:match("^https://[%w%.%-]+[:/]?") then return nil end
  if url:match("^http://127%.0%.0%.1[:/]") or url:match("^http://localhost[:/]") or url:match("^http://%[::1%][:/]") then return nil end
  return "must be an https URL (http only on 127.0.0.1, localhost or [::1])"
end

--- The normalized auth object, or nil, problem. `field` names it in messages (imapPopConfig.auth).
function M.auth(value, field)
  local unknown = M.first_unknown_key(value, auth_key_set)
  if unknown then
    return nil, string.format("%s.%s is not a known key (known: %s)", field, unknown, table.concat(auth_keys, ", "))
  end
  for _, key in ipairs(auth_keys) do
    if not M.absent(value[key]) and type(value[key]) ~= "string" then return nil, field .. "." .. key .. " must be a string" end
  end
  if value.type ~= "oauth2" then return nil, field .. ".type must be oauth2 (a password login needs no auth object)" end
  local auth = { type = "oauth2" }
  auth.grant = M.absent(value.grant) and "refresh_token" or value.grant
  if not grants[auth.grant] then return nil, field .. ".grant must be refresh_token, client_credentials or jwt_bearer" end
  if auth.grant == "jwt_bearer" and value.provider == "microsoft" then
    return nil, field .. ".grant jwt_bearer is for Google service accounts; Microsoft app-only access is client_credentials"
  end
  local provider = nil
  if not M.absent(value.provider) then
    provider = M.oauth_providers[value.provider]
    if provider == nil then return nil, field .. ".provider must be microsoft or google" end
    auth.provider = value.provider
    if provider.needs_tenant and not (M.absent(value.tenant) and not M.absent(value.tokenEndpoint)) then
      -- The tenant makes the endpoint: required unless the endpoint is given.
      if M.absent(value.tenant) or not value.tenant:match("^[%w%.%-]+$") or #value.tenant > 100 then
        return nil, field .. ".tenant is required for microsoft: the tenant's id or domain (contoso.onmicrosoft.com)"
      end
      auth.tenant = value.tenant
    end
  end
  if not M.absent(value.tokenEndpoint) then
    local problem = endpoint_problem(value.tokenEndpoint)
    if problem then return nil, field .. ".tokenEndpoint " .. problem end
    auth.tokenEndpoint = value.tokenEndpoint
  elseif provider then
    auth.tokenEndpoint = provider.endpoint(auth)
  else
    return nil, field .. ".tokenEndpoint is required (or a provider: microsoft, google)"
  end
  if M.absent(value.clientId) or value.clientId == "" then return nil, field .. ".clientId is required" end
  for _, key in ipairs({ "clientSecret", "refreshToken", "tenant", "tokenEndpoint" }) do
    if value[key] == "" then return nil, field .. "." .. key .. " must not be empty" end
  end
  if not M.absent(value.privateKey) and not value.privateKey:find("-----BEGIN", 1, true) then
    return nil, field .. ".privateKey must be a PEM private key (-----BEGIN …)"
  end
  auth.clientId = value.clientId
  if not M.absent(value.clientSecret) then auth.clientSecret = value.clientSecret end
  if auth.grant == "refresh_token" then
    if M.absent(value.refreshToken) or value.refreshToken == "" then
      return nil, field .. ".refreshToken is required for the refresh_token grant"
    end
    auth.refreshToken = value.refreshToken
  elseif auth.grant == "jwt_bearer" then
    -- A service account with domain-wide delegation: clientId is its e-mail (client_email), privateKey its key (private_key).
    if M.absent(value.privateKey) or not value.privateKey:find("-----BEGIN", 1, true) then
      return nil, field .. ".privateKey is required for the jwt_bearer grant: the service account's private_key (PEM)"
    end
    auth.privateKey = value.privateKey
  elseif M.absent(value.clientSecret) or value.clientSecret == "" then
    return nil, field .. ".clientSecret is required for the client_credentials grant"
  end
  if not M.absent(value.scope) then
    auth.scope = value.scope
  elseif provider then
    auth.scope = provider.scope[auth.grant]
  end
  if not M.absent(value.mechanism) then
    local mechanism = string.upper(value.mechanism)
    if not mechanisms[mechanism] then return nil, field .. ".mechanism must be XOAUTH2 or OAUTHBEARER" end
    auth.mechanism = mechanism
  end
  return auth
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
    local o = c.tlsOptions
    -- A private CA: PEM certificates trusted instead of the system's store.
    if not M.absent(o.ca) then
      if type(o.ca) ~= "string" or not o.ca:find("-----BEGIN CERTIFICATE-----", 1, true)
        or not o.ca:find("-----END CERTIFICATE-----", 1, true) then
        return nil, field .. ".tlsOptions.ca must be PEM text: one or more -----BEGIN CERTIFICATE----- blocks"
      end
      if #o.ca > 32768 then return nil, field .. ".tlsOptions.ca must be at most 32768 bytes" end
    end
    -- The name sent as SNI and verified in the certificate, instead of the hostname.
    if not M.absent(o.servername) then
      if type(o.servername) ~= "string" or o.servername == "" then
        return nil, field .. ".tlsOptions.servername must be a host name"
      end
      if not M.dns_name(o.servername) then
        return nil, field .. ".tlsOptions.servername must be a host name (not an IP address): " .. o.servername
      end
    end
    if not M.absent(o.minVersion) and not tls_versions[o.minVersion] then
      return nil, field .. ".tlsOptions.minVersion must be TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3"
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
    local o = c.tlsOptions
    config.tlsOptions = { rejectUnauthorized = M.absent(o.rejectUnauthorized) or o.rejectUnauthorized }
    if not M.absent(o.ca) then config.tlsOptions.ca = o.ca end
    if not M.absent(o.servername) then config.tlsOptions.servername = string.lower(o.servername) end
    if not M.absent(o.minVersion) then config.tlsOptions.minVersion = o.minVersion end
  end
  -- The post-check rule's settings: successes in a row that close an incident, minutes between reminders.
  for key, limits in pairs(type_limits) do
    local value = c[key]
    if not M.absent(value) then
      if math.type(value) ~= "integer" or value < limits[1] or value > limits[2] then
        return nil, string.format("%s.%s must be an integer from %d to %d", field, key, limits[1], limits[2])
      end
      config[key] = value
    end
  end
  if not M.absent(c.greetingPattern) then
    local ok, problem = mailmon.validate.regex(c.greetingPattern)
    if not ok then return nil, field .. ".greetingPattern: " .. problem end
    config.greetingPattern = c.greetingPattern
  end
  if not M.absent(c.auth) then
    local auth, problem = M.auth(c.auth, field .. ".auth")
    if problem then return nil, problem end
    if M.absent(config.user) or config.user == "" then return nil, field .. ".user is required with auth: the mailbox to log in as" end
    if not M.absent(config.password) then return nil, field .. ".password and auth exclude each other: an OAuth2 login takes no password" end
    config.auth = auth
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
  assert(M.config({ newestMessageMaxAgeMinutes = 1560 }).newestMessageMaxAgeMinutes == 1560)
  assert(select(2, M.config({ newestMessageMaxAgeMinutes = 0 })):find("newestMessageMaxAgeMinutes must be an integer from 1 to 525600", 1, true))
  local counted = M.config({ messageCountMin = 1, messageCountMax = 500 })
  assert(counted.messageCountMin == 1 and counted.messageCountMax == 500)
  assert(select(2, M.config({ messageCountMax = -1 })):find("messageCountMax must be an integer from 0 to 100000000", 1, true))
  local pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
  local tls = M.config({ tls = true, tlsOptions = { ca = pem, servername = "Mail.Internal.Example", minVersion = "TLSv1.2" } })
  assert(tls.tlsOptions.ca == pem and tls.tlsOptions.servername == "mail.internal.example" and tls.tlsOptions.minVersion == "TLSv1.2")
  assert(tls.tlsOptions.rejectUnauthorized == true)
  assert(select(2, M.config({ tlsOptions = { ca = "not a certificate" } })):find("tlsOptions.ca must be PEM", 1, true))
  assert(select(2, M.config({ tlsOptions = { minVersion = "TLSv1.4" } })):find("minVersion must be TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3", 1, true))
  assert(select(2, M.config({ tlsOptions = { servername = "10.0.0.1" } })):find("servername must be a host name", 1, true))
  local ms = M.config({ user = "a@contoso.com", auth = { type = "oauth2", provider = "microsoft", tenant = "contoso.onmicrosoft.com",
    grant = "client_credentials", clientId = "id", clientSecret = "s" } })
  assert(ms.auth.tokenEndpoint == "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token")
  assert(ms.auth.scope == "https://outlook.office365.com/.default")
  local g = M.config({ user = "a@example.com", auth = { type = "oauth2", provider = "google", clientId = "id", refreshToken = "r" } })
  assert(g.auth.grant == "refresh_token" and g.auth.scope == "https://mail.google.com/")
  assert(select(2, M.config({ user = "a", auth = { type = "oauth2", clientId = "id", refreshToken = "r" } })):find("tokenEndpoint is required", 1, true))
  assert(select(2, M.config({ user = "a", auth = { type = "oauth2", tokenEndpoint = "http://example.com/t", clientId = "i", refreshToken = "r" } })):find("https", 1, true))
  assert(select(2, M.config({ auth = { type = "oauth2", provider = "google", clientId = "id", refreshToken = "r" } })):find("user is required", 1, true))
  local sa = M.config({ user = "a@example.com", auth = { type = "oauth2", provider = "google", grant = "jwt_bearer", clientId = "sa@p.iam.gserviceaccount.com",
    privateKey = "-----BEGIN PRIVATE KEY-----\n…" } })
  assert(sa.auth.privateKey and sa.auth.scope == "https://mail.google.com/" and sa.auth.tokenEndpoint == "https://oauth2.googleapis.com/token")
  assert(select(2, M.config({ user = "a", password = "p", auth = { type = "oauth2", provider = "google", clientId = "i", refreshToken = "r" } })):find("exclude", 1, true))
end

return M
