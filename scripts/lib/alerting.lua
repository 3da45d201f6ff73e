-- lib/alerting.lua: building blocks for post-check hooks (the shipped hook and examples/hooks).
local M = {
  version = "1.6.0",
  description = "Incident and alert helpers for post-check hooks",
}

M.CERTIFICATE = "certificate_expiring"
M.FLAPPING = "flapping"
M.SLOW = "slow_response"
--- The mailbox holds fewer messages than messageCountMin or more than messageCountMax (monitor config).
M.MESSAGE_COUNT = "message_count"
--- The newest message is older than newestMessageMaxAgeMinutes, or there is none (monitor config).
M.MESSAGE_AGE = "message_age"
--- How many checks, this one included, flapping is counted over.
M.FLAP_WINDOW = 10

--- Changes between passing and failing among the last FLAP_WINDOW results, this one included.
function M.state_changes(input)
  local states = { input.result.ok }
  for _, previous in ipairs(input.history or {}) do
    if #states >= M.FLAP_WINDOW then break end
    states[#states + 1] = previous.ok
  end
  local changes = 0
  for i = 2, #states do
    if states[i] ~= states[i - 1] then changes = changes + 1 end
  end
  return changes
end

--- Failures in a row, this result included.
function M.consecutive_failures(input)
  if input.result.ok then return 0 end
  local count = 1
  for _, previous in ipairs(input.history or {}) do
    if previous.ok then break end
    count = count + 1
  end
  return count
end

--- Successes in a row, this result included.
function M.consecutive_successes(input)
  if not input.result.ok then return 0 end
  local count = 1
  for _, previous in ipairs(input.history or {}) do
    if not previous.ok then break end
    count = count + 1
  end
  return count
end

--- Seconds since 1970 of the host's timestamps (2026-02-26T12:00:00.000Z), or nil.
function M.epoch_seconds(timestamp)
  local y, mo, d, h, mi, s = tostring(timestamp):match("^(%d+)-(%d+)-(%d+)T(%d+):(%d+):(%d+)")
  if not y then return nil end
  y, mo, d = tonumber(y), tonumber(mo), tonumber(d)
  if mo <= 2 then y = y - 1 end
  local era = y // 400
  local yoe = y - era * 400
  local doy = (153 * ((mo + 9) % 12) + 2) // 5 + d - 1
  local days = era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
  return days * 86400 + tonumber(h) * 3600 + tonumber(mi) * 60 + tonumber(s)
end

--- Whether a reminder for an incident open since `started` is due at this check: a multiple of the
-- period passed between the previous check and this one. Stateless, so a restart never repeats one.
function M.reminder_due(input, started, minutes)
  local previous = input.history and input.history[1]
  local now, before, since = M.epoch_seconds(input.checkedAt), previous and M.epoch_seconds(previous.checkedAt), M.epoch_seconds(started)
  if not (now and before and since and minutes and minutes > 0) then return false end
  local period = minutes * 60
  return now - since >= period and (now - since) // period > (before - since) // period
end

--- Open incidents split into availability ("down") ones, the certificate one and the flapping one.
function M.split_incidents(incidents)
  local down, certificate, flapping, slow, count, age = {}, nil, nil, nil, nil, nil
  for _, incident in ipairs(incidents or {}) do
    if incident.type == M.MESSAGE_COUNT then
      count = incident
    elseif incident.type == M.MESSAGE_AGE then
      age = incident
    elseif incident.type == M.CERTIFICATE then
      certificate = incident
    elseif incident.type == M.FLAPPING then
      flapping = incident
    elseif incident.type == M.SLOW then
      slow = incident
    else
      down[#down + 1] = incident
    end
  end
  return down, certificate, flapping, slow, count, age
end

--- Alerts to everyone the monitor names: e-mail, SMS (unless sms == false), webhooks.
function M.recipients(input, subject, text, incident, sms)
  local alerts, monitor = {}, input.monitor
  if monitor.notificationEmail then
    alerts[#alerts + 1] = { channel = "email", to = monitor.notificationEmail, subject = subject, text = text, incident = incident }
  end
  if sms ~= false and monitor.notificationPhoneNumber then
    alerts[#alerts + 1] = { channel = "sms", to = monitor.notificationPhoneNumber, subject = subject, text = subject, incident = incident }
  end
  for _, channel in ipairs(input.channels or {}) do
    alerts[#alerts + 1] = { channel = channel.type, to = channel.url, name = channel.name, subject = subject, text = text, incident = incident }
  end
  return alerts
end

local function append(list, items)
  for _, item in ipairs(items) do list[#list + 1] = item end
end

--- The default rule: the shipped hook's decision, and what the host runs when a hook fails.
function M.default_decision(input)
  local decision = { open = {}, resolve = {}, alerts = {} }
  local monitor, result = input.monitor, input.result
  local down, certificate, flapping, slow, count, age = M.split_incidents(input.incidents)
  local label = monitor.name .. " (" .. monitor.hostname .. ")"
  local config = monitor.config or {}
  -- Successes in a row that close an incident (monitor config recoveryThreshold, default 1).
  local recovery = math.tointeger(config.recoveryThreshold) or 1
  -- Reachable again, but not yet long enough: the incident stays open, without an alert.
  local holding = result.ok and #down > 0 and M.consecutive_successes(input) < recovery
  -- Flapping (monitor config flapThreshold: that many changes between passing and failing in the
  -- last 10 checks): one FLAPPING alert, then incidents still open and close but without alerts,
  -- until the changes fall to half the threshold (STABLE).
  local flap = math.tointeger(config.flapThreshold)
  local damped = false
  local alerts = decision.alerts
  if flap then
    local changes = M.state_changes(input)
    if flapping == nil and changes >= flap then
      decision.open[#decision.open + 1] = { type = M.FLAPPING, message = changes .. " state changes in the last " .. M.FLAP_WINDOW .. " checks" }
      append(alerts, M.recipients(input, "[mailmon] FLAPPING: " .. label,
        monitor.name .. " changed between passing and failing " .. changes .. " times in the last " .. M.FLAP_WINDOW
          .. " checks; alerts for it are held until it is stable.", M.FLAPPING, false))
      damped = true
    elseif flapping ~= nil and changes < math.max(1, flap // 2) then
      decision.resolve[#decision.resolve + 1] = flapping.id
      local stable = M.recipients(input, "[mailmon] STABLE: " .. label,
        monitor.name .. " is stable again (" .. changes .. " state changes in the last " .. M.FLAP_WINDOW .. " checks).", flapping.id, false)
      for _, alert in ipairs(stable) do alert.event = "resolve" end
      append(alerts, stable)
    elseif flapping ~= nil then
      damped = true
    end
  end
  -- While flapping, the availability alerts are collected here and dropped.
  if damped then decision.alerts = {} end
  if not result.ok and #down > 0 then
    -- Still down: a reminder every reminderMinutes (monitor config) until someone acknowledges it.
    local minutes = math.tointeger(config.reminderMinutes)
    for _, incident in ipairs(down) do
      if minutes and not incident.acknowledgedAt and M.reminder_due(input, incident.startedAt, minutes) then
        append(decision.alerts, M.recipients(input, "[mailmon] STILL DOWN: " .. label .. ": " .. incident.type,
          monitor.name .. " has been failing since " .. incident.startedAt .. " (" .. incident.type .. ")"
            .. (result.message and (": " .. result.message) or "") .. ". Acknowledge the incident to stop these reminders.",
          incident.id))
      end
    end
  end
  if result.ok and not holding then
    for _, incident in ipairs(down) do
      decision.resolve[#decision.resolve + 1] = incident.id
      local resolved = M.recipients(input, "[mailmon] RESOLVED: " .. label,
        monitor.name .. " is reachable again; the " .. incident.type .. " incident started at " .. incident.startedAt .. ".",
        incident.id)
      for _, alert in ipairs(resolved) do alert.event = "resolve" end  -- on-call services close the incident
      append(decision.alerts, resolved)
    end
  elseif #down == 0 then
    local failures = M.consecutive_failures(input)
    if failures >= (input.settings.failureThreshold or 1) then
      local kind = result.category or "unknown"
      decision.open[#decision.open + 1] = { type = kind, message = result.message }
      local detail = result.message and (": " .. result.message) or ""
      append(decision.alerts, M.recipients(input, "[mailmon] DOWN: " .. label .. ": " .. kind,
        monitor.name .. " failed " .. failures .. " check(s) in a row: " .. kind .. detail .. ".", kind))
    end
  end
  if damped then decision.alerts = alerts end
  -- A slow but passing check (monitor config responseTimeWarningMs / responseTimeCriticalMs): a
  -- slow_response incident (the state shows degraded), alerted when the check took the critical time.
  local warning, critical = math.tointeger(config.responseTimeWarningMs), math.tointeger(config.responseTimeCriticalMs)
  local limit = warning or critical
  local took = result.timings and result.timings.total
  if limit and took and result.ok then
    local ms = math.floor(took + 0.5)
    if slow == nil and took >= limit then
      decision.open[#decision.open + 1] = { type = M.SLOW, message = "the check took " .. ms .. " ms (limit " .. limit .. " ms)" }
      if critical and took >= critical then
        append(decision.alerts, M.recipients(input, "[mailmon] SLOW: " .. label .. ": " .. ms .. " ms",
          monitor.name .. " answered, but the check took " .. ms .. " ms (critical at " .. critical .. " ms).", M.SLOW, false))
      end
    elseif slow ~= nil and took < limit then
      decision.resolve[#decision.resolve + 1] = slow.id
      if critical then
        local fast = M.recipients(input, "[mailmon] RESOLVED: " .. label .. " answers in time",
          monitor.name .. " took " .. ms .. " ms (limit " .. limit .. " ms).", slow.id, false)
        for _, alert in ipairs(fast) do alert.event = "resolve" end
        append(decision.alerts, fast)
      end
    end
  end
  -- The mailbox as a signal (monitor config messageCountMin / messageCountMax): a passing check
  -- whose mailbox holds too few messages (a report that did not arrive) or too many (a stuck
  -- queue) opens a message_count incident with an alert; back in range, it resolves.
  local least, most = math.tointeger(config.messageCountMin), math.tointeger(config.messageCountMax)
  local messages = math.tointeger(result.messageCount)
  if (least or most) and messages and result.ok then
    local folder = (config.protocol == "pop3") and "the maildrop" or (config.mailbox or "INBOX")
    local breach
    if least and messages < least then
      breach = folder .. " holds " .. messages .. " message(s), fewer than " .. least .. " (messageCountMin)"
    elseif most and messages > most then
      breach = folder .. " holds " .. messages .. " message(s), more than " .. most .. " (messageCountMax)"
    end
    if breach and count == nil then
      decision.open[#decision.open + 1] = { type = M.MESSAGE_COUNT, message = breach }
      append(decision.alerts, M.recipients(input, "[mailmon] MESSAGES: " .. label .. ": " .. messages .. " message(s)",
        monitor.name .. ": " .. breach .. ".", M.MESSAGE_COUNT, false))
    elseif not breach and count ~= nil then
      decision.resolve[#decision.resolve + 1] = count.id
      local fine = M.recipients(input, "[mailmon] RESOLVED: " .. label .. ": " .. messages .. " message(s)",
        monitor.name .. ": " .. folder .. " holds " .. messages .. " message(s) again, within the limits.", count.id, false)
      for _, alert in ipairs(fine) do alert.event = "resolve" end
      append(decision.alerts, fine)
    end
  end
  -- The newest message must be recent (monitor config newestMessageMaxAgeMinutes): "the nightly
  -- backup report must have arrived within the last 26 hours" is 1560. An older newest message, or
  -- none at all, opens a message_age incident with an alert; a recent one resolves it.
  local max_age = math.tointeger(config.newestMessageMaxAgeMinutes)
  if max_age and result.ok then
    local folder = (config.protocol == "pop3") and "the maildrop" or (config.mailbox or "INBOX")
    local now, newest = M.epoch_seconds(input.checkedAt), M.epoch_seconds(result.newestMessageAt)
    local breach, minutes
    if newest and now then
      minutes = (now - newest) // 60
      if minutes > max_age then
        breach = folder .. "'s newest message is " .. minutes .. " minute(s) old, more than " .. max_age .. " (newestMessageMaxAgeMinutes)"
      end
    elseif math.tointeger(result.messageCount) == 0 then
      breach = folder .. " holds no message (newestMessageMaxAgeMinutes " .. max_age .. ")"
    end
    if breach and age == nil then
      decision.open[#decision.open + 1] = { type = M.MESSAGE_AGE, message = breach }
      append(decision.alerts, M.recipients(input, "[mailmon] NO NEW MAIL: " .. label, monitor.name .. ": " .. breach .. ".", M.MESSAGE_AGE, false))
    elseif not breach and minutes and age ~= nil then
      decision.resolve[#decision.resolve + 1] = age.id
      local fresh = M.recipients(input, "[mailmon] RESOLVED: " .. label .. ": new mail",
        monitor.name .. ": " .. folder .. "'s newest message is " .. minutes .. " minute(s) old.", age.id, false)
      for _, alert in ipairs(fresh) do alert.event = "resolve" end
      append(decision.alerts, fresh)
    end
  end
  local info = result.certificate
  if info then
    local days = input.settings.certificateWarningDays or 14
    if info.daysUntilExpiry <= days and certificate == nil then
      decision.open[#decision.open + 1] = { type = M.CERTIFICATE, message = "certificate expires " .. info.notAfter }
      append(decision.alerts, M.recipients(input,
        "[mailmon] CERTIFICATE: " .. monitor.hostname .. " expires in " .. info.daysUntilExpiry .. " day(s)",
        "The certificate of " .. monitor.hostname .. " (" .. info.subject .. ") expires " .. info.notAfter .. ".",
        M.CERTIFICATE, false))
    elseif info.daysUntilExpiry > days and certificate ~= nil then
      decision.resolve[#decision.resolve + 1] = certificate.id
    end
  end
  return decision
end

return M
