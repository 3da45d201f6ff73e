-- hooks/post_check.lua: called by the worker after every check, decides incidents and alerts.
--
-- input.monitor    the monitor (config without its password), status active|maintenance
-- input.check      the check's own table: mailmon.check[input.check.protocol](input.check) re-runs it
-- input.result     this check: ok, category, message, timings, messageCount, certificate{daysUntilExpiry, notAfter, …}
-- input.history    earlier results, newest first: { ok, category, message, checkedAt, messageCount }
-- input.incidents  open incidents: { id, type, startedAt, message, acknowledgedAt, acknowledgedBy }
-- input.channels   the organization's and customer's webhooks: { id, type = "webhook"|"slack", name, url }
-- input.settings   { failureThreshold (the customer's alertLocationThresholdCount), certificateWarningDays }
--
-- Returns nil (nothing to do) or
--   { open    = { { type = "auth_failed", message = "…" } },       -- at most one active incident per type
--     resolve = { incident_id, … },
--     alerts  = { { channel = "email"|"sms"|"webhook"|"slack"|…, to = "…", subject = "…", text = "…",
--                   name = "…" (optional), incident = id | "type opened here" (optional),
--                   event = "trigger" (default) | "resolve" (on-call services close the incident) } } }
-- In maintenance the host drops alerts; results and incidents are still stored.
-- If this script fails, the host records script:line and runs lib/alerting's default_decision
-- instead; if that fails too, nothing is opened or alerted for this check.
local alerting = require "lib/alerting"

local M = {
  version = "1.6.0",
  description = "Default post-check rule: open after N failures, resolve after M successes, remind until acknowledged, damp flapping, response times, message counts and ages, certificate expiry",
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
  assert(back.resolve[1] == 7 and back.alerts[1].incident == 7 and back.alerts[1].event == "resolve")
  -- recoveryThreshold 2: one success keeps the incident open, the second resolves it
  local patient = { name = "Mail", hostname = "mail.example.com", config = { recoveryThreshold = 2 } }
  assert(#M.decide { monitor = patient, result = { ok = true }, history = { failing }, incidents = open, channels = {}, settings = settings }.resolve == 0)
  assert(M.decide { monitor = patient, result = { ok = true }, history = { { ok = true }, failing }, incidents = open, channels = {},
    settings = settings }.resolve[1] == 7)
  -- reminderMinutes 30: due when a multiple of 30 minutes passes between two checks, not when acknowledged
  local reminding = { name = "Mail", hostname = "mail.example.com", notificationEmail = "ops@example.com", config = { reminderMinutes = 30 } }
  local function at(minute, incidents)
    return M.decide { monitor = reminding, result = failing, checkedAt = string.format("2026-01-01T%02d:%02d:00.000Z", minute // 60, minute % 60),
      history = { { ok = false, checkedAt = string.format("2026-01-01T%02d:%02d:00.000Z", (minute - 5) // 60, (minute - 5) % 60) } },
      incidents = incidents, channels = {}, settings = settings }
  end
  assert(#at(25, open).alerts == 0 and #at(30, open).alerts == 1 and #at(35, open).alerts == 0 and #at(62, open).alerts == 1)
  assert(at(30, open).alerts[1].subject:find("STILL DOWN", 1, true))
  local acknowledged = { { id = 7, type = "auth_failed", startedAt = "2026-01-01T00:00:00.000Z", acknowledgedAt = "2026-01-01T00:10:00.000Z" } }
  assert(#at(30, acknowledged).alerts == 0)
  -- flapThreshold 3: three changes in the last 10 checks open "flapping" with one alert, and hold the rest
  local flappy = { name = "Mail", hostname = "mail.example.com", notificationEmail = "ops@example.com", config = { flapThreshold = 3 } }
  local one = { failureThreshold = 1 }
  local f1 = M.decide { monitor = flappy, result = failing, history = { { ok = true }, failing, { ok = true } }, incidents = {}, channels = {},
    settings = one }
  assert(#f1.open == 2 and #f1.alerts == 1 and f1.alerts[1].subject:find("FLAPPING", 1, true))
  local down_and_flapping = { open[1], { id = 9, type = "flapping", startedAt = "2026-01-01T00:00:00.000Z" } }
  local f2 = M.decide { monitor = flappy, result = { ok = true }, history = { failing, { ok = true } }, incidents = down_and_flapping,
    channels = {}, settings = one }
  assert(f2.resolve[1] == 7 and #f2.alerts == 0)
  local calm = {}
  for i = 1, 9 do calm[i] = { ok = true } end
  local f3 = M.decide { monitor = flappy, result = { ok = true }, history = calm, incidents = { down_and_flapping[2] }, channels = {}, settings = one }
  assert(f3.resolve[1] == 9 and f3.alerts[1].subject:find("STABLE", 1, true) and f3.alerts[1].event == "resolve")
  -- responseTimeWarningMs 500, responseTimeCriticalMs 2000: slow opens slow_response, alerted only at the critical time
  local timed = { name = "Mail", hostname = "mail.example.com", notificationEmail = "ops@example.com",
    config = { responseTimeWarningMs = 500, responseTimeCriticalMs = 2000 } }
  local function took(ms, incidents)
    return M.decide { monitor = timed, result = { ok = true, timings = { total = ms } }, history = {}, incidents = incidents or {},
      channels = {}, settings = one }
  end
  assert(#took(100).open == 0)
  local warned = took(800)
  assert(warned.open[1].type == "slow_response" and #warned.alerts == 0)
  assert(took(2500).alerts[1].subject:find("SLOW", 1, true))
  local slow_open = { { id = 11, type = "slow_response", startedAt = "2026-01-01T00:00:00.000Z" } }
  assert(#took(900, slow_open).resolve == 0)
  local fast = took(100, slow_open)
  assert(fast.resolve[1] == 11 and fast.alerts[1].event == "resolve")
  -- messageCountMin 1: an empty mailbox (the nightly report did not arrive) opens message_count with
  -- an alert; a message back resolves it
  local counted = { name = "Mail", hostname = "mail.example.com", notificationEmail = "ops@example.com", config = { messageCountMin = 1 } }
  local function holding(messages, incidents)
    return M.decide { monitor = counted, result = { ok = true, messageCount = messages }, history = {}, incidents = incidents or {},
      channels = {}, settings = one }
  end
  assert(#holding(3).open == 0)
  local empty = holding(0)
  assert(empty.open[1].type == "message_count" and empty.open[1].message:find("INBOX holds 0 message", 1, true))
  assert(empty.alerts[1].subject:find("MESSAGES", 1, true))
  local count_open = { { id = 13, type = "message_count", startedAt = "2026-01-01T00:00:00.000Z" } }
  assert(#holding(0, count_open).open == 0 and #holding(0, count_open).alerts == 0)
  local back_again = holding(2, count_open)
  assert(back_again.resolve[1] == 13 and back_again.alerts[1].event == "resolve")
  -- newestMessageMaxAgeMinutes 1560 (26 hours): an older newest message opens message_age with an alert
  local aged = { name = "Reports", hostname = "mail.example.com", notificationEmail = "ops@example.com",
    config = { newestMessageMaxAgeMinutes = 1560 } }
  local function newest(at, count, incidents)
    return M.decide { monitor = aged, checkedAt = "2026-01-03T12:00:00.000Z",
      result = { ok = true, messageCount = count or 1, newestMessageAt = at }, history = {}, incidents = incidents or {},
      channels = {}, settings = one }
  end
  assert(#newest("2026-01-02T12:00:00.000Z").open == 0)
  local stale = newest("2026-01-01T12:00:00.000Z")
  assert(stale.open[1].type == "message_age" and stale.open[1].message:find("2880 minute(s) old", 1, true))
  assert(stale.alerts[1].subject:find("NO NEW MAIL", 1, true))
  assert(newest(nil, 0).open[1].message:find("holds no message", 1, true))
  local age_open = { { id = 17, type = "message_age", startedAt = "2026-01-02T00:00:00.000Z" } }
  local arrived = newest("2026-01-03T11:30:00.000Z", 1, age_open)
  assert(arrived.resolve[1] == 17 and arrived.alerts[1].event == "resolve")
end

return M
