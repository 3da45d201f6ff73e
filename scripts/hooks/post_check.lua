-- hooks/post_check.lua: called by the worker after every check, decides incidents and alerts.
--
-- input.monitor    the monitor (config without its password), status active|maintenance
-- input.check      the check's own table: mailmon.check[input.check.protocol](input.check) re-runs it
-- input.result     this check: ok, category, message, timings, messageCount, certificate{daysUntilExpiry, notAfter, …}
-- input.history    earlier results, newest first: { ok, category, message, checkedAt, messageCount }
-- input.incidents  open incidents: { id, type, startedAt, message }
-- input.channels   the organization's and customer's webhooks: { id, type = "webhook"|"slack", name, url }
-- input.settings   { failureThreshold (the customer's alertLocationThresholdCount), certificateWarningDays }
--
-- Returns nil (nothing to do) or
--   { open    = { { type = "auth_failed", message = "…" } },       -- at most one active incident per type
--     resolve = { incident_id, … },
--     alerts  = { { channel = "email"|"sms"|"webhook"|"slack", to = "…", subject = "…", text = "…",
--                   name = "…" (optional), incident = id | "type opened here" (optional) } } }
-- In maintenance the host drops alerts; results and incidents are still stored.
-- If this script fails, the host records script:line and runs lib/alerting's default_decision
-- instead; if that fails too, nothing is opened or alerted for this check.
local alerting = require "lib/alerting"

local M = {
  version = "1.0.1",
  description = "Default post-check rule: open after N consecutive failures, resolve on success, certificate expiry",
}

M.decide = alerting.default_decision

function M.selftest()
  local monitor = { name = "Mail", hostname = "mail.example.com", notificationEmail = "ops@example.com" }
  local failing = { ok = false, category = "auth_failed", message = "NO [AUTHENTICATIONFAILED]" }
  local settings = { failureThreshold = 2, certificateWarningDays = 14 }
  local first = M.decide { monitor = monitor, result = failing, history = {}, incidents = {}, channels = {}, settings = settings }
  assert(#first.open == 0, "one failure of two must not open")
  local second = M.decide { monitor = monitor, result = failing, history = { failing }, incidents = {}, channels = {}, settings = settings }
  assert(second.open[1].type == "auth_failed" and second.alerts[1].to == "ops@example.com")
  local open = { { id = 7, type = "auth_failed", startedAt = "2026-01-01T00:00:00.000Z" } }
  local back = M.decide { monitor = monitor, result = { ok = true }, history = { failing }, incidents = open, channels = {}, settings = settings }
  assert(back.resolve[1] == 7 and back.alerts[1].incident == 7)
end

return M
