-- hooks/post_check.lua: the default rule, plus an escalation when an incident is still open after 15 minutes.
--
-- Example from examples/hooks/escalate_after_15_minutes.lua. Install it as scripts/hooks/post_check.lua
-- (see examples/hooks/README.md), after setting ESCALATION below.
--
-- The host keeps no "escalated" flag, and a script must not keep state between calls. So the
-- hook escalates exactly once, at the check where the incident's age crosses 15 minutes: its
-- age at this check (input.checkedAt - startedAt) is 15 minutes or more, and its age at the
-- previous check (input.history[1].checkedAt - startedAt) was less. Without a previous check
-- it escalates at once. A check that resolves the incident does not escalate.
-- In maintenance the host drops these alerts like any other.
local alerting = require "lib/alerting"

local M = {
  version = "2.0.0-escalate",
  description = "Default rule; escalate by SMS and e-mail when an incident is open for 15 minutes",
}

local AFTER_SECONDS = 15 * 60
-- Who gets the escalation: set your own before installing. Leave a field nil to skip that channel.
local ESCALATION = { email = "oncall@example.com", phone = "+4930123456" }

--- Seconds since 1970 of an API timestamp ("2026-02-26T12:00:00.000Z", always UTC); nil if unreadable.
local function epoch(timestamp)
  local y, mo, d, h, mi, s = string.match(timestamp or "", "^(%d+)-(%d+)-(%d+)T(%d+):(%d+):(%d+)")
  if not y then return nil end
  y, mo, d = tonumber(y), tonumber(mo), tonumber(d)
  -- Days from the civil date (proleptic Gregorian), so no time zone is involved.
  if mo <= 2 then y = y - 1 end
  local era = y // 400
  local yoe = y - era * 400
  local doy = (153 * ((mo + 9) % 12) + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  local days = era * 146097 + doe - 719468
  return days * 86400 + tonumber(h) * 3600 + tonumber(mi) * 60 + tonumber(s)
end

--- True when `incident` turned AFTER_SECONDS old between the previous check and this one.
local function crossed(input, incident)
  local started, now = epoch(incident.startedAt), epoch(input.checkedAt)
  if not started or not now or now - started < AFTER_SECONDS then return false end
  local previous = input.history and input.history[1]
  local before = previous and epoch(previous.checkedAt)
  return before == nil or before - started < AFTER_SECONDS
end

local function escalation_alerts(input, incident)
  local monitor = input.monitor
  local minutes = (epoch(input.checkedAt) - epoch(incident.startedAt)) // 60
  local subject = "[mailmon] ESCALATION: " .. monitor.name .. " (" .. monitor.hostname .. ") down for "
    .. minutes .. " min: " .. incident.type
  local text = monitor.name .. " has had an open " .. incident.type .. " incident since " .. incident.startedAt
    .. (incident.message and (" (" .. incident.message .. ")") or "") .. ". Latest check: "
    .. (input.result.category or "unknown") .. (input.result.message and (": " .. input.result.message) or "") .. "."
  local alerts = {}
  if ESCALATION.email then
    alerts[#alerts + 1] = { channel = "email", to = ESCALATION.email, name = "escalation", subject = subject, text = text, incident = incident.id }
  end
  if ESCALATION.phone then
    alerts[#alerts + 1] = { channel = "sms", to = ESCALATION.phone, name = "escalation", subject = subject, text = subject, incident = incident.id }
  end
  return alerts
end

--- decide(input) -> { open, resolve, alerts }
function M.decide(input)
  local decision = alerting.default_decision(input)
  if input.result.ok then return decision end -- this check resolves the availability incidents
  local down = alerting.split_incidents(input.incidents)
  for _, incident in ipairs(down) do
    if crossed(input, incident) then
      for _, alert in ipairs(escalation_alerts(input, incident)) do
        decision.alerts[#decision.alerts + 1] = alert
      end
    end
  end
  return decision
end

function M.selftest()
  assert(epoch("1970-01-01T00:00:00.000Z") == 0)
  assert(epoch("2026-02-26T12:10:00.000Z") == 1772107800)
  assert(epoch("2000-03-01T00:00:00Z") == 951868800)
  assert(epoch("not a date") == nil)

  local incident = { id = 7, type = "timeout", startedAt = "2026-02-26T12:00:00.000Z" }
  local function input(previous, now)
    return {
      monitor = { name = "Mail", hostname = "mail.example.com", notificationEmail = "ops@example.com" },
      result = { ok = false, category = "timeout" }, checkedAt = now,
      history = previous and { { ok = false, category = "timeout", checkedAt = previous } } or {},
      incidents = { incident }, channels = {}, settings = { failureThreshold = 1, certificateWarningDays = 14 },
    }
  end
  local function escalations(decision)
    local count = 0
    for _, alert in ipairs(decision.alerts) do
      if alert.name == "escalation" then
        assert(alert.incident == 7)
        count = count + 1
      end
    end
    return count
  end
  assert(escalations(M.decide(input("2026-02-26T12:10:00.000Z", "2026-02-26T12:14:59.000Z"))) == 0, "too early")
  assert(escalations(M.decide(input("2026-02-26T12:10:00.000Z", "2026-02-26T12:15:00.000Z"))) == 2, "crosses now")
  assert(escalations(M.decide(input("2026-02-26T12:15:00.000Z", "2026-02-26T12:20:00.000Z"))) == 0, "crossed before")
  assert(escalations(M.decide(input(nil, "2026-02-26T13:00:00.000Z"))) == 2, "no previous check")
  local back = input("2026-02-26T12:10:00.000Z", "2026-02-26T12:15:00.000Z")
  back.result = { ok = true }
  assert(escalations(M.decide(back)) == 0 and M.decide(back).resolve[1] == 7, "a recovery resolves, no escalation")
  local certificate = input("2026-02-26T12:10:00.000Z", "2026-02-26T12:15:00.000Z")
  certificate.incidents = { { id = 8, type = "certificate_expiring", startedAt = "2026-02-26T12:00:00.000Z" } }
  assert(escalations(M.decide(certificate)) == 0, "the certificate incident is not escalated")
end

return M
