-- policies/access.lua: decides every read, delete and change the monitor policies do not:
-- reading a monitor or customer, deleting a monitor, checks on demand, customers and alert channels.
-- input.action:   "read_monitor" | "read_customer" | "list_monitors" | "delete_monitor" | "trigger_check"
--                 | "create_customer" | "change_channel" | "read_secrets" (see a monitor's password or a
--                 channel's URL in clear; when refused, the host masks them)
-- input.actor:    { role, globalSupporter, organizationId, customerId (token scope) }
-- input.target:   { organizationId, customerId } of the thing (customerId nil: organization-wide);
--                 for list_monitors, the organization and customer the request filters by (nil: none)
-- Returns nil (allowed) or { reject = { status = 4xx, message = "…" } }. If this script fails,
-- the request fails (500 naming script and line): nothing is allowed by default.
local access = require "lib/access"

local M = {
  version = "1.3.0",
  description = "Access to monitors, customers, alert channels and checks on demand",
}

local reject = access.reject

function M.decide(input)
  local action, actor, target = input.action, input.actor, input.target or {}
  if action == "read_monitor" then
    return access.read_forbidden(actor, target.organizationId, target.customerId, "Monitor")
  elseif action == "read_customer" then
    return access.read_forbidden(actor, target.organizationId, target.customerId, "Customer")
  elseif action == "list_monitors" then
    if target.organizationId ~= nil and target.organizationId ~= actor.organizationId and not actor.globalSupporter then
      return reject(403, "Forbidden: organization " .. target.organizationId .. " is not yours")
    end
    if target.customerId ~= nil and actor.customerId ~= nil and target.customerId ~= actor.customerId then
      return reject(403, "Forbidden: token is scoped to another customer")
    end
    return nil
  elseif action == "delete_monitor" or action == "trigger_check" then
    return access.write_forbidden(actor, target.customerId)
  elseif action == "create_customer" then
    local forbidden = access.write_forbidden(actor, nil)
    if forbidden then return forbidden end
    if actor.customerId ~= nil then return reject(403, "Forbidden: a customer-scoped token cannot create customers") end
    return nil
  elseif action == "read_secrets" then
    -- Secrets are shown to whoever may change the thing, and masked for everyone else: a
    -- customer-scoped token does not change what belongs to the whole organization.
    local forbidden = access.write_forbidden(actor, target.customerId)
    if forbidden then return forbidden end
    if actor.customerId ~= nil and target.customerId == nil then
      return reject(403, "Forbidden: this belongs to the whole organization")
    end
    return nil
  elseif action == "change_channel" then
    local forbidden = access.write_forbidden(actor, target.customerId)
    if forbidden then return forbidden end
    if actor.customerId ~= nil and target.customerId == nil then
      return reject(403, "Forbidden: this channel belongs to the whole organization")
    end
    return nil
  end
  return reject(403, "Forbidden: unknown action " .. tostring(action))
end

function M.selftest()
  local admin = { role = "admin", globalSupporter = false, organizationId = 1 }
  local readonly = { role = "readonly", globalSupporter = false, organizationId = 1 }
  local scoped = { role = "member", globalSupporter = false, organizationId = 1, customerId = 5 }
  local supporter = { role = "member", globalSupporter = true, organizationId = 2 }
  assert(M.decide { action = "read_monitor", actor = admin, target = { organizationId = 1, customerId = 5 } } == nil)
  assert(M.decide { action = "read_monitor", actor = admin, target = { organizationId = 2, customerId = 9 } }.reject.status == 404)
  assert(M.decide { action = "read_customer", actor = admin, target = { organizationId = 2 } }.reject.status == 404)
  assert(M.decide { action = "read_monitor", actor = supporter, target = { organizationId = 1, customerId = 5 } } == nil)
  assert(M.decide { action = "read_monitor", actor = scoped, target = { organizationId = 1, customerId = 6 } }.reject.status == 404)
  assert(M.decide { action = "delete_monitor", actor = readonly, target = { organizationId = 1, customerId = 5 } }.reject.status == 403)
  assert(M.decide { action = "trigger_check", actor = supporter, target = { organizationId = 1, customerId = 5 } }.reject.status == 403)
  assert(M.decide { action = "create_customer", actor = scoped }.reject.status == 403)
  assert(M.decide { action = "change_channel", actor = scoped, target = { organizationId = 1 } }.reject.status == 403)
  assert(M.decide { action = "change_channel", actor = scoped, target = { organizationId = 1, customerId = 5 } } == nil)
  assert(M.decide { action = "list_monitors", actor = admin, target = { organizationId = 2 } }.reject.status == 403)
  assert(M.decide { action = "list_monitors", actor = supporter, target = { organizationId = 1 } } == nil)
  assert(M.decide { action = "read_secrets", actor = admin, target = { organizationId = 1, customerId = 5 } } == nil)
  assert(M.decide { action = "read_secrets", actor = readonly, target = { organizationId = 1, customerId = 5 } }.reject.status == 403)
  assert(M.decide { action = "read_secrets", actor = supporter, target = { organizationId = 1, customerId = 5 } }.reject.status == 403)
  assert(M.decide { action = "read_secrets", actor = scoped, target = { organizationId = 1 } }.reject.status == 403)
  assert(M.decide { action = "read_secrets", actor = scoped, target = { organizationId = 1, customerId = 5 } } == nil)
end

return M
