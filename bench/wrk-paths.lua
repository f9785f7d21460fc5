-- Cycles through a pool of request paths (one per line in $WRK_PATHS), so every request
-- carries its own page JWT the way the product signs one per iframe load. Extra headers come
-- as a flat JSON object of strings in $WRK_HEADERS (e.g. an Authorization header).
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do
  if #line > 0 then paths[#paths + 1] = line end
end
local i = math.random(#paths)
local headers = { ["Accept-Language"] = os.getenv("WRK_ACCEPT_LANGUAGE") or "de-DE,de;q=0.9,en;q=0.5" }
local raw = os.getenv("WRK_HEADERS") or "{}"
for k, v in string.gmatch(raw, '"([^"]+)"%s*:%s*"([^"]*)"') do headers[k] = v end

request = function()
  i = i + 1
  if i > #paths then i = 1 end
  return wrk.format("GET", paths[i], headers)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
