-- wrk script: POSTs one record (the first line of $RECORDS, default
-- examples/customers.jsonl) to $TARGET (default the retail_2025 ruleset).
local path = os.getenv("RECORDS") or "examples/customers.jsonl"
local file = assert(io.open(path, "r"))
local record = file:read("*l")
file:close()

wrk.method = "POST"
wrk.path = os.getenv("TARGET") or "/v1/rulesets/retail_2025/evaluate"
wrk.body = record
wrk.headers["Content-Type"] = "application/json"
