-- lib/alerting.lua: building blocks for post-check hooks (the shipped hook and examples/hooks).
local M = {
  version = "1.0.1",
  description = "Incident and alert helpers for post-check hooks",
}

M.CERTIFICATE = "certificate_expiring"

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

--- Open incidents split into availability ("down") ones and the certificate one.
function M.split_incidents(incidents)
  local down, certificate = {}, nil
  for _, incident in ipairs(incidents or {}) do
    if incident.type == M.CERTIFICATE then certificate = incident else down[#down + 1] = incident end
  end
  return down, certificate
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
  local down, certificate = M.split_incidents(input.incidents)
  local label = monitor.name .. " (" .. monitor.hostname .. ")"
  if result.ok then
    for _, incident in ipairs(down) do
      decision.resolve[#decision.resolve + 1] = incident.id
      append(decision.alerts, M.recipients(input, "[mailmon] RESOLVED: " .. label,
        monitor.name .. " is reachable again; the " .. incident.type .. " incident started at " .. incident.startedAt .. ".",
        incident.id))
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
