-- Cycles through a pool of requests (one per line in $WRK_PATHS), so every request carries its
-- own JWT the way the product signs one per iframe load or per AP.context.getToken(). A line is
-- a path, optionally followed by tab-separated `Name: value` headers for that request alone.
-- Headers for every request come as a flat JSON object of strings in $WRK_HEADERS. The rotation
-- starts at $WRK_START (1-based) when set, else at a random line.
local base = { ["Accept-Language"] = os.getenv("WRK_ACCEPT_LANGUAGE") or "de-DE,de;q=0.9,en;q=0.5" }
local raw = os.getenv("WRK_HEADERS") or "{}"
for k, v in string.gmatch(raw, '"([^"]+)"%s*:%s*"([^"]*)"') do base[k] = v end

local paths, headers = {}, {}
for line in io.lines(os.getenv("WRK_PATHS")) do
  if #line > 0 then
    local n = #paths + 1
    local tab = string.find(line, "\t", 1, true)
    if tab then
      local own = {}
      for k, v in pairs(base) do own[k] = v end
      for name, value in string.gmatch(string.sub(line, tab + 1), "([^\t:]+):%s*([^\t]*)") do own[name] = value end
      paths[n] = string.sub(line, 1, tab - 1)
      headers[n] = own
    else
      paths[n] = line
    end
  end
end
local i = tonumber(os.getenv("WRK_START") or "") or math.random(#paths)
i = ((i - 2) % #paths) + 1

request = function()
  i = i + 1
  if i > #paths then i = 1 end
  return wrk.format("GET", paths[i], headers[i] or base)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
