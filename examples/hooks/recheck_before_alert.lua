-- hooks/post_check.lua: the default rule, but an incident opens only if an immediate re-check fails too.
--
-- Example from examples/hooks/recheck_before_alert.lua. Install it as scripts/hooks/post_check.lua
-- (see examples/hooks/README.md).
--
-- When the default rule would open an availability incident (not certificate_expiring), the hook
-- runs the same check once more, right away, with mailmon.check[input.check.protocol](input.check).
-- If that re-check passes, nothing opens and no alert is owed. The failed result is still stored,
-- so the next failing check counts it as a consecutive failure and is re-checked in turn.
--
-- The re-check runs inside the hook, so one check can take up to twice the monitor's timeout.
-- Raise worker.claimGraceSeconds to at least the longest monitor timeout (60 s at most) so that
-- no worker claims the same check again while it runs (docs/operations.md, "Claims").
local alerting = require "lib/alerting"

local M = {
  version = "2.0.0-recheck",
  description = "Default rule; re-check once before opening an availability incident",
}

--- The re-check the live hook uses: the same table the scheduled check used. Its password is a sealed
--- handle ("sealed:…"), which only mailmon.check turns back into the password while this hook runs.
local function live_recheck(check)
  return mailmon.check[check.protocol](check)
end

--- Removes the openings of `kind` and the alerts that name it.
local function drop_opening(decision, kind)
  local open, alerts = {}, {}
  for _, opening in ipairs(decision.open) do
    if opening.type ~= kind then open[#open + 1] = opening end
  end
  for _, alert in ipairs(decision.alerts) do
    if alert.incident ~= kind then alerts[#alerts + 1] = alert end
  end
  decision.open, decision.alerts = open, alerts
end

--- decide_with(input, recheck) -> decision
-- `recheck(check)` returns a check result table; the selftest passes a stub.
local function decide_with(input, recheck)
  local decision = alerting.default_decision(input)
  for _, opening in ipairs(decision.open) do
    if opening.type ~= alerting.CERTIFICATE then
      local ran, again = pcall(recheck, input.check)
      -- A re-check that raises (it should not: the same table just worked) changes nothing.
      if ran and again.ok then
        drop_opening(decision, opening.type)
      end
      break -- the default rule opens at most one availability incident per check
    end
  end
  return decision
end

--- decide(input) -> { open, resolve, alerts }
function M.decide(input)
  return decide_with(input, live_recheck)
end

function M.selftest()
  local monitor = { name = "Mail", hostname = "mail.example.com", notificationEmail = "ops@example.com" }
  local check = { protocol = "imap", host = "mail.example.com", timeoutSeconds = 30 }
  local failing = { ok = false, category = "timeout", message = "no answer within 30 s" }
  local settings = { failureThreshold = 1, certificateWarningDays = 14 }
  local function input()
    return { monitor = monitor, check = check, result = failing, history = {}, incidents = {}, channels = {}, settings = settings }
  end
  local rechecked = 0
  local passes = function() rechecked = rechecked + 1; return { ok = true } end
  local fails = function() rechecked = rechecked + 1; return { ok = false, category = "timeout" } end

  local spared = decide_with(input(), passes)
  assert(rechecked == 1 and #spared.open == 0 and #spared.alerts == 0, "a passing re-check must open nothing")

  local confirmed = decide_with(input(), fails)
  assert(rechecked == 2 and confirmed.open[1].type == "timeout" and confirmed.alerts[1].to == "ops@example.com")

  local raising = decide_with(input(), function() error("boom") end)
  assert(#raising.open == 1, "a re-check that raises keeps the opening")

  local up = input()
  up.result = { ok = true }
  decide_with(up, passes)
  assert(rechecked == 2, "no re-check without an opening")
end

return M
