-- policies/monitor_create.lua: decides every POST /api/imap-pop-monitors.
-- input.request: the parsed JSON body (types already checked by the host);
-- input.actor: { role, globalSupporter, organizationId, customerId (token scope) }.
-- Returns { monitor = {...} } (normalized, stored as is) or { reject = { status, message } }.
local rules = require "lib/monitor_rules"

local M = {
  version = "1.10.0",
  description = "Create policy for IMAP/POP monitors (Uptimeify-compatible rules)",
}

function M.decide(input)
  local request, actor = input.request, input.actor
  local forbidden = rules.write_forbidden(actor, nil)
  if forbidden then return forbidden end

  if rules.absent(request.customerId) then return rules.reject(400, "customerId is required") end
  -- The host parses the identifier's forms (a positive id or a UUID); an invalid one comes back with why.
  local customer, invalid = mailmon.store.find_customer(actor.organizationId, request.customerId)
  if invalid then return rules.reject(400, invalid) end
  if customer == nil then return rules.reject(404, "Customer not found") end
  forbidden = rules.write_forbidden(actor, customer.id)
  if forbidden then return forbidden end

  local monitor, problem = { customerId = customer.id }, nil
  monitor.name, problem = rules.name(request.name)
  if problem then return rules.reject(400, problem) end
  monitor.hostname, problem = rules.hostname(request.hostname)
  if problem then return rules.reject(400, problem) end
  monitor.port, problem = rules.port(request.port)
  if problem then return rules.reject(400, problem) end
  monitor.status, problem = rules.status(request.status)
  if problem then return rules.reject(400, problem) end
  monitor.checkInterval, problem = rules.bounded("checkInterval", request.checkInterval)
  if problem then return rules.reject(400, problem) end
  monitor.timeoutSeconds, problem = rules.bounded("timeoutSeconds", request.timeoutSeconds)
  if problem then return rules.reject(400, problem) end
  monitor.notificationEmail, problem = rules.email(request.notificationEmail)
  if problem then return rules.reject(400, problem) end
  monitor.notificationPhoneNumber, problem = rules.phone(request.notificationPhoneNumber)
  if problem then return rules.reject(400, problem) end
  monitor.allowedCheckCountryCodes, problem = rules.country_codes(request.allowedCheckCountryCodes)
  if problem then return rules.reject(400, problem) end
  local config, field = request.imapPopConfig, "imapPopConfig"
  if rules.absent(config) then config, field = request.config, "config" end
  monitor.config, problem = rules.config(config, field)
  if problem then return rules.reject(400, problem) end
  return { monitor = monitor }
end

return M
