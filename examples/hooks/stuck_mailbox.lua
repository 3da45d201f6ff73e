-- hooks/post_check.lua: the default rule, plus a "stuck_mailbox" incident when too many messages pile up.
--
-- Example from examples/hooks/stuck_mailbox.lua. Install it as scripts/hooks/post_check.lua
-- (see examples/hooks/README.md), after setting the thresholds below.
--
-- A mailbox that is read by a program (a ticket system, an importer) should stay nearly empty.
-- If result.messageCount goes above OPEN_ABOVE, the hook opens a "stuck_mailbox" incident and
-- alerts by e-mail and webhooks (no SMS). Once the count is below RESOLVE_BELOW, it resolves the
-- incident and says so. The gap between the two stops an incident from flapping. messageCount
-- is present only for a passing check that logs in (a monitor with a user), so a failing check
-- leaves the stuck_mailbox incident as it is.
--
-- lib/alerting's default rule treats every open incident other than certificate_expiring as an
-- availability incident ("down"): it would resolve stuck_mailbox on the next passing check, and
-- open no availability incident while stuck_mailbox is open. So the hook hides its own
-- incident from the default rule and decides it itself.
local alerting = require "lib/alerting"

local M = {
  version = "2.0.0-stuck-mailbox",
  description = "Default rule; a stuck_mailbox incident when the message count stays high",
}

local STUCK = "stuck_mailbox"
local OPEN_ABOVE = 500 -- open when messageCount > OPEN_ABOVE
local RESOLVE_BELOW = 400 -- resolve when messageCount < RESOLVE_BELOW

--- decide(input) -> { open, resolve, alerts }
function M.decide(input)
  local others, stuck = {}, nil
  for _, incident in ipairs(input.incidents or {}) do
    if incident.type == STUCK then stuck = incident else others[#others + 1] = incident end
  end
  -- The same input without this hook's own incident, for the default rule.
  local view = {}
  for key, value in pairs(input) do view[key] = value end
  view.incidents = others
  local decision = alerting.default_decision(view)

  local count = input.result.messageCount
  if count == nil then return decision end
  local monitor = input.monitor
  local label = monitor.name .. " (" .. monitor.hostname .. ")"
  if stuck == nil and count > OPEN_ABOVE then
    decision.open[#decision.open + 1] = { type = STUCK, message = count .. " messages waiting" }
    for _, alert in ipairs(alerting.recipients(input, "[mailmon] STUCK: " .. label .. ": " .. count .. " messages",
      monitor.name .. " holds " .. count .. " messages (more than " .. OPEN_ABOVE .. "): is the program that reads it running?",
      STUCK, false)) do
      decision.alerts[#decision.alerts + 1] = alert
    end
  elseif stuck ~= nil and count < RESOLVE_BELOW then
    decision.resolve[#decision.resolve + 1] = stuck.id
    for _, alert in ipairs(alerting.recipients(input, "[mailmon] RESOLVED: " .. label .. ": " .. count .. " messages",
      monitor.name .. " is down to " .. count .. " messages; the stuck_mailbox incident started at " .. stuck.startedAt .. ".",
      stuck.id, false)) do
      decision.alerts[#decision.alerts + 1] = alert
    end
  end
  return decision
end

function M.selftest()
  local monitor = { name = "Tickets", hostname = "mail.example.com", notificationEmail = "ops@example.com", notificationPhoneNumber = "+4930123456" }
  local settings = { failureThreshold = 1, certificateWarningDays = 14 }
  local function input(result, incidents)
    return { monitor = monitor, result = result, history = {}, incidents = incidents or {}, channels = {}, settings = settings }
  end
  local stuck = { id = 9, type = STUCK, startedAt = "2026-02-26T12:00:00.000Z" }

  local opened = M.decide(input({ ok = true, messageCount = 501 }))
  assert(opened.open[1].type == STUCK and #opened.alerts == 1 and opened.alerts[1].channel == "email")
  assert(opened.alerts[1].incident == STUCK)

  local still = M.decide(input({ ok = true, messageCount = 450 }, { stuck }))
  assert(#still.open == 0 and #still.resolve == 0 and #still.alerts == 0, "between the thresholds nothing changes")

  local cleared = M.decide(input({ ok = true, messageCount = 10 }, { stuck }))
  assert(cleared.resolve[1] == 9 and cleared.alerts[1].incident == 9)

  local down = M.decide(input({ ok = false, category = "timeout" }, { stuck }))
  assert(down.open[1].type == "timeout" and #down.resolve == 0, "an outage still opens while the mailbox is stuck")

  local back = M.decide(input({ ok = true, messageCount = 450 }, { stuck, { id = 10, type = "timeout", startedAt = "2026-02-26T12:30:00.000Z" } }))
  assert(#back.resolve == 1 and back.resolve[1] == 10, "a passing check resolves the outage, not stuck_mailbox")
end

return M
