-- policies/monitor_update.lua: decides every PATCH /api/imap-pop-monitors/:publicId.
-- input.request: the fields to change; input.current: the stored monitor; input.actor as in create.
-- Returns the whole monitor after the change, or a rejection. A readonly user may change
-- only the status; global supporters nothing.
local rules = require "lib/monitor_rules"
local access = require "lib/access"

local M = {
  version = "1.10.0",
  description = "Update policy for IMAP/POP monitors",
}

function M.decide(input)
  local request, actor, current = input.request, input.actor, input.current
  local forbidden = access.scope_forbidden(actor, current.customerId)
  if forbidden then return forbidden end
  if actor.role == "readonly" then
    -- any field but status, known or not, is a 403
    local other = rules.first_unknown_key(request, { status = true })
    if other then return rules.reject(403, "Forbidden: readonly users may change only the status (not " .. other .. ")") end
  end
  if request.customerId ~= nil and request.customerId ~= current.customerId then
    return rules.reject(400, "customerId cannot be changed")
  end

  local monitor = {}
  for key, value in pairs(current) do monitor[key] = value end
  local function take(key, rule, ...)
    if request[key] == nil then return nil end
    local value, problem = rule(...)
    if problem then return problem end
    monitor[key] = value
  end
  local problem = take("status", rules.status, request.status)
    or take("name", rules.name, request.name)
    or take("hostname", rules.hostname, request.hostname)
    or take("port", rules.port, request.port)
    or take("checkInterval", rules.bounded, "checkInterval", request.checkInterval)
    or take("timeoutSeconds", rules.bounded, "timeoutSeconds", request.timeoutSeconds)
    or take("notificationEmail", rules.email, request.notificationEmail)
    or take("notificationPhoneNumber", rules.phone, request.notificationPhoneNumber)
    or take("allowedCheckCountryCodes", rules.country_codes, request.allowedCheckCountryCodes)
  if problem then return rules.reject(400, problem) end
  -- null, like an absent field, leaves the stored config as it is (it never wipes user and password).
  local config, field = request.imapPopConfig, "imapPopConfig"
  if rules.absent(config) then config, field = request.config, "config" end
  if not rules.absent(config) then
    -- The OAuth2 secrets, like the password: left out or sent as the mask, the stored ones stay.
    local stored = current.config.auth
    if rules.absent(config.auth) and type(stored) == "table" and (rules.absent(config.password) or config.password == rules.SECRET_MASK) then
      -- Without auth and without a new password, an OAuth2 login stays one (a password switches it back).
      config.auth = {}
      for key, value in pairs(stored) do config.auth[key] = value end
      config.password = nil
    end
    if type(config.auth) == "table" and type(stored) == "table" then
      for _, key in ipairs({ "clientSecret", "refreshToken", "privateKey" }) do
        if rules.absent(config.auth[key]) or config.auth[key] == rules.SECRET_MASK then config.auth[key] = stored[key] end
      end
    end
    monitor.config, problem = rules.config(config, field)
    if problem then return rules.reject(400, problem) end
    -- A config sent without its password, or with the mask a token that cannot see it was shown,
    -- keeps the stored password (a client can change the server or user without resending it);
    -- an OAuth2 login has none.
    if monitor.config.auth == nil and (monitor.config.password == nil or monitor.config.password == rules.SECRET_MASK) then
      monitor.config.password = current.config.password
    end
  end
  return { monitor = monitor }
end

return M
