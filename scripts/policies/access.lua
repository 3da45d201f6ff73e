-- policies/access.lua: decides every read, delete and change the monitor policies do not:
-- reading a monitor or customer, deleting a monitor, checks on demand, customers and alert channels.
-- input.action:   "read_monitor" | "read_customer" | "list_monitors" | "delete_monitor" | "trigger_check"
--                 | "create_customer" | "change_channel" | "read_secrets" (see a monitor's password or a
--                 channel's URL in clear; when refused, the host masks them)
--                 | "acknowledge_incident" (of a monitor of target.customerId)
--                 | "read_audit_log" (the organization's audit log: who changed what)
--                 | "update_customer" | "delete_customer" (for delete_customer, input.monitorCount is how
--                 many monitors the customer has and input.deleteMonitors whether the request asks to
--                 delete them with it)
--                 | "list_tokens" | "create_token" | "revoke_token" (API tokens; input.route is
--                 "organization" or "customer", the two token routes; for create_token input.token is
--                 { role, customerId } of the token asked for, for revoke_token the target is the token's)
-- input.actor:    { role, globalSupporter, organizationId, customerId (token scope) }
-- input.target:   { organizationId, customerId } of the thing (customerId nil: organization-wide);
--                 for list_monitors, the organization and customer the request filters by (nil: none)
-- Returns nil (allowed) or { reject = { status = 4xx, message = "…" } }. If this script fails,
-- the request fails (500 naming script and line): nothing is allowed by default.
local access = require "lib/access"

local M = {
  version = "1.7.0",
  description = "Access to monitors, customers, incidents, alert channels, checks on demand, API tokens and the audit log",
}

local reject = access.reject

local rank = { readonly = 1, member = 2, admin = 3 }

--- Token management: the organization route is its admins'; the customer route is for anyone
-- who may change that customer, making tokens no stronger than their own.
local function tokens(action, input, actor, target)
  if actor.globalSupporter then return reject(403, "Forbidden: global supporters cannot manage tokens") end
  if target.organizationId ~= nil and target.organizationId ~= actor.organizationId then
    return reject(404, "Token not found")
  end
  if input.route == "organization" then
    if actor.role ~= "admin" or actor.customerId ~= nil then
      return reject(403, "Forbidden: only an organization's admins manage its tokens")
    end
    return nil
  end
  -- the customer route
  if action == "list_tokens" then
    return access.scope_forbidden(actor, target.customerId)
  end
  local forbidden = access.write_forbidden(actor, target.customerId)
  if forbidden then return forbidden end
  local token = input.token or {}
  if (rank[token.role] or 99) > (rank[actor.role] or 0) then
    return reject(403, "Forbidden: a token cannot have a stronger role than yours (" .. actor.role .. ")")
  end
  if action == "revoke_token" then
    if target.customerId == nil then
      return reject(403, "Forbidden: an organization token is deleted through /api/organization/tokens")
    end
    return nil
  end
  if token.customerId == nil then return reject(400, "customerId is required") end
  if actor.customerId ~= nil and token.customerId ~= actor.customerId then
    return reject(403, "Forbidden: token is scoped to another customer")
  end
  return nil
end

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
  elseif action == "delete_monitor" or action == "trigger_check" or action == "acknowledge_incident" then
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
  elseif action == "list_tokens" or action == "create_token" or action == "revoke_token" then
    return tokens(action, input, actor, target)
  elseif action == "update_customer" then
    -- Whoever may change the customer's monitors may change the customer (a scoped token its own).
    return access.write_forbidden(actor, target.customerId)
  elseif action == "delete_customer" then
    if actor.role ~= "admin" or actor.customerId ~= nil or actor.globalSupporter then
      return reject(403, "Forbidden: only an organization's admins delete customers")
    end
    if (input.monitorCount or 0) > 0 and not input.deleteMonitors then
      return reject(409, "the customer has " .. input.monitorCount .. " monitor(s): delete them first, "
        .. "or send deleteMonitors=true to delete them (and their history) with it")
    end
    return nil
  elseif action == "read_audit_log" then
    -- Who changed what across the organization: its admins', not a customer's token's.
    if actor.role ~= "admin" or actor.customerId ~= nil or actor.globalSupporter then
      return reject(403, "Forbidden: only an organization's admins read its audit log")
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
  local member = { role = "member", globalSupporter = false, organizationId = 1 }
  assert(M.decide { action = "acknowledge_incident", actor = member, target = { organizationId = 1, customerId = 5 } } == nil)
  assert(M.decide { action = "acknowledge_incident", actor = readonly, target = { organizationId = 1, customerId = 5 } }.reject.status == 403)
  assert(M.decide { action = "list_tokens", route = "organization", actor = admin, target = { organizationId = 1 } } == nil)
  assert(M.decide { action = "list_tokens", route = "organization", actor = member, target = { organizationId = 1 } }.reject.status == 403)
  assert(M.decide { action = "revoke_token", route = "organization", actor = admin, target = { organizationId = 2 } }.reject.status == 404)
  assert(M.decide { action = "create_token", route = "customer", actor = scoped, target = { organizationId = 1, customerId = 5 },
    token = { role = "readonly", customerId = 5 } } == nil)
  assert(M.decide { action = "create_token", route = "customer", actor = scoped, target = { organizationId = 1, customerId = 5 },
    token = { role = "admin", customerId = 5 } }.reject.status == 403)
  assert(M.decide { action = "create_token", route = "customer", actor = scoped, target = { organizationId = 1, customerId = 6 },
    token = { role = "readonly", customerId = 6 } }.reject.status == 403)
  assert(M.decide { action = "create_token", route = "customer", actor = readonly, target = { organizationId = 1, customerId = 5 },
    token = { role = "readonly", customerId = 5 } }.reject.status == 403)
  assert(M.decide { action = "create_token", route = "customer", actor = member, target = { organizationId = 1 },
    token = { role = "readonly" } }.reject.status == 400)
  assert(M.decide { action = "revoke_token", route = "customer", actor = member, target = { organizationId = 1 },
    token = { role = "readonly" } }.reject.status == 403)
  assert(M.decide { action = "revoke_token", route = "customer", actor = scoped, target = { organizationId = 1, customerId = 5 },
    token = { role = "admin" } }.reject.status == 403)
  assert(M.decide { action = "revoke_token", route = "customer", actor = scoped, target = { organizationId = 1, customerId = 5 },
    token = { role = "readonly" } } == nil)
  assert(M.decide { action = "list_tokens", route = "customer", actor = readonly, target = { organizationId = 1, customerId = 5 } } == nil)
  assert(M.decide { action = "list_tokens", route = "customer", actor = supporter, target = { organizationId = 2 } }.reject.status == 403)
  assert(M.decide { action = "read_audit_log", actor = admin, target = { organizationId = 1 } } == nil)
  assert(M.decide { action = "update_customer", actor = member, target = { organizationId = 1, customerId = 5 } } == nil)
  assert(M.decide { action = "update_customer", actor = readonly, target = { organizationId = 1, customerId = 5 } }.reject.status == 403)
  assert(M.decide { action = "update_customer", actor = scoped, target = { organizationId = 1, customerId = 6 } }.reject.status == 403)
  assert(M.decide { action = "delete_customer", actor = member, target = { organizationId = 1, customerId = 5 } }.reject.status == 403)
  assert(M.decide { action = "delete_customer", actor = admin, target = { organizationId = 1, customerId = 5 }, monitorCount = 2 }.reject.status == 409)
  assert(M.decide { action = "delete_customer", actor = admin, target = { organizationId = 1, customerId = 5 }, monitorCount = 2,
    deleteMonitors = true } == nil)
  assert(M.decide { action = "read_audit_log", actor = member, target = { organizationId = 1 } }.reject.status == 403)
  assert(M.decide { action = "read_audit_log", actor = { role = "admin", organizationId = 1, customerId = 5 },
    target = { organizationId = 1, customerId = 5 } }.reject.status == 403)
end

return M
