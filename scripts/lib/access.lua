-- lib/access.lua: who may read and change what. The one place the role and scope rules live:
-- policies/access (reads, deletes, channels, customers, checks on demand) and the monitor
-- policies (creates and updates) both call these.
-- actor: { role = "admin"|"member"|"readonly", globalSupporter, organizationId, customerId (token scope) }
local M = {
  version = "1.2.0",
  description = "Role and scope rules shared by every policy",
}

local function reject(status, message) return { reject = { status = status, message = message } } end
M.reject = reject

--- nil, or the rejection when the actor may not change anything (global supporters and readonly
-- tokens read only), or may not change what belongs to customer `customer_id` (a token scoped to another).
function M.write_forbidden(actor, customer_id)
  if actor.globalSupporter then return reject(403, "Forbidden: global supporters have read-only access") end
  if actor.role == "readonly" then return reject(403, "Forbidden: readonly users cannot change this") end
  return M.scope_forbidden(actor, customer_id)
end

--- nil, or the rejection when the actor may change nothing at all (global supporters) or nothing
-- of customer `customer_id` (a token scoped to another), whatever its role.
function M.scope_forbidden(actor, customer_id)
  if actor.globalSupporter then return reject(403, "Forbidden: global supporters have read-only access") end
  if actor.customerId ~= nil and customer_id ~= nil and actor.customerId ~= customer_id then
    return reject(403, "Forbidden: token is scoped to another customer")
  end
  return nil
end

--- nil, or the rejection when the actor may not see a thing of `organization_id` / `customer_id`:
-- a 404, as for an id that does not exist, so that no answer confirms another organization's
-- (or, to a customer-scoped token, another customer's) ids.
function M.read_forbidden(actor, organization_id, customer_id, what)
  if actor.globalSupporter then return nil end
  if actor.organizationId ~= organization_id then return reject(404, what .. " not found") end
  if actor.customerId ~= nil and customer_id ~= nil and actor.customerId ~= customer_id then
    return reject(404, what .. " not found")
  end
  return nil
end

return M
