-- wrk script for reloads under load: POSTs one record to the `marked` ruleset
-- and checks every answer: status 200, and the `marker` output of the result
-- equal to the version the X-Segrule-Version header names (a result computed
-- by one version and labelled with another would be a mixed response).
wrk.method = "POST"
wrk.path = "/v1/rulesets/marked/evaluate"
wrk.body = '{"id":"L1","aum":250000}'
wrk.headers["Content-Type"] = "application/json"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  failed, mixed, seen_a, seen_b = 0, 0, 0, 0
end

function response(status, headers, body)
  if status ~= 200 then
    failed = failed + 1
    return
  end
  local marker = body:match('"marker":"(%a)"')
  local version = headers["X-Segrule-Version"]
  if marker == nil or marker ~= version then
    mixed = mixed + 1
  elseif marker == "a" then
    seen_a = seen_a + 1
  else
    seen_b = seen_b + 1
  end
end

function done(summary, latency, requests)
  local f, m, a, b = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    f = f + t:get("failed")
    m = m + t:get("mixed")
    a = a + t:get("seen_a")
    b = b + t:get("seen_b")
  end
  io.write(string.format("checked: failed=%d mixed=%d version_a=%d version_b=%d socket_errors=%d\n", f, m, a, b,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
