-- hooks/post_check.lua: the default rule, without SMS alerts between 22:00 and 07:00 UTC.
--
-- Example from examples/hooks/quiet_hours_sms.lua. Install it as scripts/hooks/post_check.lua
-- (see examples/hooks/README.md).
--
-- The time is input.checkedAt (when the check started), which is always UTC. During quiet hours
-- the SMS alerts are dropped, not postponed: they are not sent later and do not appear in the
-- alert history. E-mail and webhook alerts are unchanged, and incidents open and resolve as usual.
local alerting = require "lib/alerting"

local M = {
  version = "2.0.0-quiet-sms",
  description = "Default rule; no SMS alerts from 22:00 to 07:00 UTC",
}

local QUIET_FROM, QUIET_UNTIL = 22, 7 -- hours, UTC: quiet from QUIET_FROM:00 until QUIET_UNTIL:00

--- True when the UTC hour of `timestamp` ("2026-02-26T23:15:00.000Z") is within quiet hours.
local function quiet(timestamp)
  local hour = tonumber(string.match(timestamp or "", "T(%d%d):"))
  if hour == nil then return false end
  if QUIET_FROM > QUIET_UNTIL then return hour >= QUIET_FROM or hour < QUIET_UNTIL end
  return hour >= QUIET_FROM and hour < QUIET_UNTIL
end

--- Removes the SMS alerts of `decision`; returns how many.
local function drop_sms(decision)
  local kept, dropped = {}, 0
  for _, alert in ipairs(decision.alerts) do
    if alert.channel == "sms" then dropped = dropped + 1 else kept[#kept + 1] = alert end
  end
  decision.alerts = kept
  return dropped
end

--- decide(input) -> { open, resolve, alerts }
function M.decide(input)
  local decision = alerting.default_decision(input)
  if quiet(input.checkedAt) then
    local dropped = drop_sms(decision)
    if dropped > 0 then
      mailmon.log.info("quiet hours: dropped", dropped, "SMS alert(s) of monitor", input.monitor.publicId)
    end
  end
  return decision
end

function M.selftest()
  assert(quiet("2026-02-26T22:00:00.000Z") and quiet("2026-02-26T23:59:59.999Z"))
  assert(quiet("2026-02-27T00:30:00.000Z") and quiet("2026-02-27T06:59:59.000Z"))
  assert(not quiet("2026-02-27T07:00:00.000Z") and not quiet("2026-02-26T21:59:59.000Z"))
  assert(not quiet(nil) and not quiet("garbage"))
  local decision = {
    alerts = {
      { channel = "email", to = "ops@example.com", subject = "s" },
      { channel = "sms", to = "+4930123456", subject = "s" },
      { channel = "slack", to = "https://hooks.slack.com/services/x", subject = "s" },
    },
  }
  assert(drop_sms(decision) == 1 and #decision.alerts == 2 and decision.alerts[2].channel == "slack")
  -- decide() itself logs through mailmon.log, which `mailmon scripts check` does not provide,
  -- so the selftest only runs it in daytime, where it logs nothing.
  local day = M.decide {
    monitor = { name = "Mail", hostname = "mail.example.com", notificationPhoneNumber = "+4930123456" },
    result = { ok = false, category = "timeout" }, checkedAt = "2026-02-26T12:00:00.000Z",
    history = {}, incidents = {}, channels = {}, settings = { failureThreshold = 1, certificateWarningDays = 14 },
  }
  assert(day.alerts[1].channel == "sms", "SMS goes out in daytime")
end

return M
