#!/usr/bin/env python3
"""Tests for `segrule serve` over real HTTP (docs/service.md).

Usage: run.py SEGRULE_BINARY [FILTER]   (from the repository root)

Starts the binary on --port 0 with a temporary rule directory and checks every
route of the contract against the command line's own output (byte for byte
where the contract says "exactly"), the 400/404/405/413 answers, hot reload of
good and bad versions, a new file appearing, reloads under load never mixing
two versions in one response, SIGTERM draining a request in flight, `pii`
fields never reaching the log, and the metrics moving. Only the standard
library. Ends with the line `N passed, N failed`.
"""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path.cwd()
AS_OF = "2025-06-30"
RETAIL = ROOT / "rulesets" / "retail-2025.seg"
CUSTOMERS = ROOT / "examples" / "customers.jsonl"
PII_RULES = ROOT / "tests" / "pii" / "rules_v1.seg"
PII_RECORDS = ROOT / "tests" / "pii" / "customers.jsonl"
PII_SECRETS = ["王小明", "李秀英", "13800138000", "13911112222"]

# Two versions of one small rule file; every result names its version in `marker`.
MARKED = """ruleset marked {{
  version "{v}"
}}

input customer key id {{
  id  : string
  aum : money
}}

tiers value_tier {{
  high "高" when aum >= 10万
  low  "低" otherwise
}}

output {{
  marker : enum [a, b] = {v}
}}
"""

BINARY = None


def segrule(*args, stdin=None):
    proc = subprocess.run([BINARY, *map(str, args)], input=stdin, capture_output=True, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


class Server:
    """One `segrule serve` process on a free port; stderr goes to a file we read as the log."""

    def __init__(self, rules_dir, *extra):
        self.log_path = Path(tempfile.mkstemp(prefix="serve-log-")[1])
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [BINARY, "serve", "--rules", str(rules_dir), "--port", "0", "--as-of", AS_OF, *extra],
            stdout=subprocess.PIPE, stderr=self.log)
        line = self.proc.stdout.readline().decode()  # printed once the port is bound
        m = re.fullmatch(r"listening on http://127\.0\.0\.1:(\d+)\n", line)
        if not m:
            self.stop()
            raise RuntimeError("no `listening on` line: %r; log: %s" % (line, self.log_text()))
        self.port = int(m.group(1))

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body, ensure_ascii=False)
        if isinstance(body, str):
            body = body.encode()
        conn.request(method, path, body=body, headers=headers or {})
        res = conn.getresponse()
        data = res.read()
        conn.close()
        return res.status, dict(res.getheaders()), data

    def json(self, method, path, body=None):
        status, _, data = self.request(method, path, body)
        return status, json.loads(data)

    def log_text(self):
        self.log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=20)
        self.log.close()
        return code


def wait_for(predicate, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    return predicate()


def replace_file(path, text):
    """Writes as a deployment would: a temporary file renamed over the old one, so
    the service never reads half a file (which would be a failed reload)."""
    tmp = path.with_name("." + path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def metric(text, name):
    m = re.search(r"^" + re.escape(name) + r" (\S+)$", text, re.M)
    return float(m.group(1)) if m else 0.0


# --- the cases ---------------------------------------------------------------

def test_health_and_listing(s, rules):
    status, body = s.json("GET", "/healthz")
    assert status == 200 and body == {"status": "ok", "rulesets": 4}, body
    status, body = s.json("GET", "/v1/rulesets")
    assert status == 200
    by_name = {r["name"]: r for r in body["rulesets"]}
    retail = by_name["retail_2025"]
    assert retail["file"] == "retail-2025.seg" and retail["status"] == "ok" and retail["serving"], retail
    assert retail["version"] == "2025.05" and retail["effective"] == "2025-06-01", retail
    assert retail["title"] == "零售客户分层分类与服务策略" and retail["content_hash"].startswith("sha256:"), retail
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", retail["loaded_at"]), retail
    broken = by_name["broken"]  # never compiled: listed by its stem, with the diagnostics `check` prints
    assert broken["status"] == "error" and not broken["serving"] and broken["content_hash"] == "", broken
    _, _, check_err = segrule("check", rules / "broken.seg", "--no-analysis")
    assert broken["diagnostics"] and broken["diagnostics"] in check_err.decode(), broken["diagnostics"]


def test_describe(s, rules):
    status, body = s.json("GET", "/v1/rulesets/retail_2025")
    assert status == 200 and body["text"] == RETAIL.read_text(encoding="utf-8") and body["name"] == "retail_2025"
    status, by_stem = s.json("GET", "/v1/rulesets/retail-2025")  # the file stem names it too
    assert status == 200 and by_stem["content_hash"] == body["content_hash"]
    status, body = s.json("GET", "/v1/rulesets/nothing_here")
    assert status == 404 and "nothing_here" in body["error"], body


def test_evaluate_equals_eval(s, rules):
    code, out, _ = segrule("eval", RETAIL, "--input", CUSTOMERS, "--as-of", AS_OF)
    assert code == 0
    expected = out.decode().splitlines()
    records = CUSTOMERS.read_text(encoding="utf-8").splitlines()
    assert len(expected) == len(records) == 200
    for record, line in zip(records, expected):  # one record per request
        status, headers, data = s.request("POST", "/v1/rulesets/retail_2025/evaluate", record)
        assert status == 200 and data.decode() == line, (record, data)
        assert headers["X-Segrule-Version"] == "2025.05"
    # the whole file as one array: the same lines, in order
    status, _, data = s.request("POST", "/v1/rulesets/retail_2025/evaluate", "[" + ",\n".join(records) + "]")
    assert status == 200 and data.decode() == "[" + ",".join(expected) + "]"
    # explain, and another evaluation date, as `eval --explain --as-of`
    code, out, _ = segrule("eval", RETAIL, "--input", CUSTOMERS, "--as-of", "2024-01-31", "--explain")
    first = out.decode().splitlines()[0]
    status, _, data = s.request("POST", "/v1/rulesets/retail_2025/evaluate?explain=true&as_of=2024-01-31", records[0])
    assert status == 200 and data.decode() == first


def test_record_errors_are_entries(s, rules):
    status, body = s.json("POST", "/v1/rulesets/retail_2025/evaluate",
                          '[{"id":"A1"}, {"age": 3}, 7, ' + CUSTOMERS.read_text().splitlines()[0] + "]")
    assert status == 200 and len(body) == 4, body
    assert body[0]["key"] == "A1" and "missing required field" in body[0]["error"], body[0]
    assert body[1]["key"] is None and body[1]["error"], body[1]
    assert body[2]["key"] is None and body[2]["error"], body[2]
    assert body[3]["id"] == "C00000001" and "value_tier" in body[3]
    status, body = s.json("POST", "/v1/rulesets/retail_2025/evaluate", '{"id":"B2","age":"old"}')
    assert status == 200 and body["key"] == "B2" and "age" in body["error"], body
    # with explain, an error entry carries the account of what went wrong, as `eval --explain` prints it
    bad = '{"id":"B3","age":"old"}'
    code, _, err = segrule("eval", RETAIL, "--input", "-", "--explain", "--as-of", "2025-01-15", stdin=bad.encode())
    cli_entry = json.loads(err.decode().splitlines()[0])  # error entries go to stderr without --errors
    status, body = s.json("POST", "/v1/rulesets/retail_2025/evaluate?explain=true&as_of=2025-01-15", bad)
    assert status == 200 and body["error"] and "explain" in body, body
    assert body["explain"] == cli_entry["explain"], (body["explain"], cli_entry["explain"])


def test_bad_requests(s, rules):
    for path, body, want in [
        ("/v1/rulesets/retail_2025/evaluate", "not json", 400),
        ("/v1/rulesets/retail_2025/evaluate", '{"id": "x"', 400),
        ("/v1/rulesets/retail_2025/evaluate", '"a string"', 400),
        ("/v1/rulesets/retail_2025/evaluate", "[" * 100 + "]" * 100, 400),
        ("/v1/rulesets/retail_2025/evaluate?as_of=2025-02-30", "{}", 400),
        ("/v1/rulesets/retail_2025/evaluate?as_of=", "{}", 400),
        ("/v1/rulesets/retail_2025/evaluate?explain=maybe", "{}", 400),
        ("/v1/rulesets/no_such/evaluate", "{}", 404),
        ("/v1/rulesets/broken/evaluate", "{}", 404),
        ("/v1/check", "[]", 400),
        ("/v1/check", '{"rules": 5}', 400),
        ("/v1/check", '{}', 400),
        ("/v1/evaluate", '{"rules": "x", "records": 3}', 400),
        ("/v1/evaluate", '{"rules": "x"}', 400),
        ("/v1/diff", '{"old": "x"}', 400),
        ("/v1/test", '{"rules": "x", "cases": "y", "min_coverage": "lots"}', 400),
        ("/v1/impact", '{"old": "x", "new": "y", "records": 5}', 400),
        ("/v1/impact", '{"old": "x", "new": "y", "records": "", "as_of": "2025-1-1"}', 400),
        ("/v1/nothing", "{}", 404),
    ]:
        status, headers, data = s.request("POST", path, body)
        assert status == want, (path, body[:40], status, data)
        assert headers["Content-Type"].startswith("application/json"), headers
        assert json.loads(data)["error"], data
    status, headers, data = s.request("GET", "/v1/check")
    assert status == 405 and headers["Allow"] == "POST" and json.loads(data)["error"]
    status, headers, data = s.request("DELETE", "/v1/rulesets")
    assert status == 405 and headers["Allow"] == "GET"
    # over --max-body (1 MB in these tests): 413, and the server carries on
    status, _, data = s.request("POST", "/v1/rulesets/retail_2025/evaluate", b" " * 1_100_000)
    assert status == 413 and "limit" in json.loads(data)["error"], data
    assert s.json("GET", "/healthz")[0] == 200


def test_check(s, rules):
    text = (rules / "broken.seg").read_text()
    status, body = s.json("POST", "/v1/check", {"rules": text, "name": str(rules / "broken.seg"), "analysis": False})
    assert status == 200 and body["compiles"] is False and body["errors"] == 1 and body["warnings"] == 0, body
    _, _, err = segrule("check", rules / "broken.seg", "--no-analysis")
    assert err.decode().startswith(body["rendered"]) and body["rendered"], (body["rendered"], err)
    d = body["diagnostics"][0]
    assert d["severity"] == "error" and d["code"] == "E0204" and d["message"] == "unknown type `strin`", d
    assert (d["line"], d["column"], d["end_line"], d["end_column"]) == (8, 8, 8, 13), d
    assert d["help"] == "did you mean `string`?" and d["notes"] == [], d
    # columns count characters: a Chinese title before the error on the same line
    status, body = s.json("POST", "/v1/check", {"rules": 'ruleset 甲乙 { version "1" }\ninput x key id { id : strin }\n'})
    assert body["diagnostics"][0]["column"] == 23 and body["diagnostics"][0]["end_column"] == 28, body
    status, body = s.json("POST", "/v1/check", {"rules": RETAIL.read_text(), "name": "rulesets/retail-2025.seg"})
    assert status == 200 and body["compiles"] and body["errors"] == 0 and body["diagnostics"] == [], body


def test_diff(s, rules):
    old, new = rules / "marked_a.txt", rules / "marked_b.txt"
    old.write_text(MARKED.format(v="a"))
    new.write_text(MARKED.format(v="b"))
    code, out, _ = segrule("diff", old, new, "--json")
    assert code == 1
    status, _, data = s.request("POST", "/v1/diff", {"old": old.read_text(), "new": new.read_text(),
                                                     "old_name": str(old), "new_name": str(new)})
    assert status == 200 and data == out, (data, out)
    status, body = s.json("POST", "/v1/diff", {"old": old.read_text(), "new": "ruleset {"})
    assert status == 200 and body["ok"] is False and body["old_diagnostics"] == [], body
    assert body["new_diagnostics"][0]["severity"] == "error" and body["new_diagnostics"][0]["line"] == 1, body


def test_impact(s, rules):
    old, new = ROOT / "tests" / "pii" / "rules_v1.seg", ROOT / "tests" / "pii" / "rules_v2.seg"
    code, out, _ = segrule("impact", old, new, "--input", CUSTOMERS, "--json", "--as-of", AS_OF)
    assert code in (0, 1)
    request = {"old": old.read_text(), "new": new.read_text(), "old_name": str(old), "new_name": str(new),
               "input_name": str(CUSTOMERS), "records": CUSTOMERS.read_text()}
    status, _, data = s.request("POST", "/v1/impact", request)
    assert status == 200 and data == out, data[:300]
    request["records"] = [json.loads(line) for line in CUSTOMERS.read_text().splitlines()]  # an array works too
    status, body = s.json("POST", "/v1/impact", request)
    assert status == 200 and body["totals"] == json.loads(out)["totals"], body
    request["new"] = "ruleset {"
    status, body = s.json("POST", "/v1/impact", request)
    assert status == 200 and body["ok"] is False and body["new_diagnostics"], body


def test_test(s, rules):
    cases = ROOT / "rulesets" / "retail-2025.test.yaml"
    code, out, _ = segrule("test", RETAIL, cases)
    status, body = s.json("POST", "/v1/test", {"rules": RETAIL.read_text(), "cases": cases.read_text(),
                                               "cases_name": str(cases), "min_coverage": 100})
    assert status == 200 and body["report"] == out.decode() and code == 0, body
    assert body["ok"] and body["valid"] and body["failed"] == 0 and body["passed"] > 0, body
    assert body["below_min_coverage"] is False
    status, body = s.json("POST", "/v1/test", {"rules": RETAIL.read_text(), "cases": "cases: [1, 2\n"})
    assert status == 200 and body["ok"] is False and body["valid"] is False and body["diagnostics"], body
    assert body["diagnostics"][0]["line"] >= 1
    status, body = s.json("POST", "/v1/test", {"rules": "ruleset {", "cases": "cases: []"})
    assert status == 200 and body["compiles"] is False and body["diagnostics"], body


def test_workbench_evaluate(s, rules):
    records = CUSTOMERS.read_text().splitlines()[:5]
    code, out, _ = segrule("eval", RETAIL, "--input", CUSTOMERS, "--as-of", AS_OF)
    expected = out.decode().splitlines()[:5]
    body = '{"rules": %s, "records": [%s]}' % (json.dumps(RETAIL.read_text()), ",".join(records))
    status, _, data = s.request("POST", "/v1/evaluate", body)
    assert status == 200 and data.decode() == '{"ok":true,"results":[%s]}' % ",".join(expected), data[:200]
    # one record, with its explain member and the text account `segrule explain` prints
    status, body = s.json("POST", "/v1/evaluate", {"rules": RETAIL.read_text(), "name": str(RETAIL), "records": json.loads(records[1]),
                                                   "explain": True, "as_of": "2025-01-15"})
    _, account, _ = segrule("explain", RETAIL, "--record", records[1], "--as-of", "2025-01-15")
    assert status == 200 and body["ok"] and len(body["results"]) == 1 and "explain" in body["results"][0], body
    assert body["accounts"] == [account.decode()], body["accounts"]
    status, body = s.json("POST", "/v1/evaluate", {"rules": "ruleset x {\n  version 1\n", "records": {}})
    assert status == 200 and body["ok"] is False and body["diagnostics"][0]["line"] >= 1, body


def test_static_files(s, rules):
    status, headers, data = s.request("GET", "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html") and data, headers
    etag = headers["ETag"]
    status, _, data = s.request("GET", "/", headers={"If-None-Match": etag})
    assert status == 304 and data == b""
    status, _, data = s.request("GET", "/index.html")
    assert status == 200
    status, _, data = s.request("GET", "/no-such-file.js")
    assert status == 404 and json.loads(data)["error"]


def test_reload(s, rules):
    path = rules / "marked.seg"
    hash_a = s.json("GET", "/v1/rulesets/marked")[1]["content_hash"]
    before = s.request("GET", "/metrics")[2].decode()
    replace_file(path, MARKED.format(v="b") + "# edited\n")
    assert wait_for(lambda: s.json("GET", "/v1/rulesets/marked")[1]["content_hash"] != hash_a), "no reload"
    status, body = s.json("POST", "/v1/rulesets/marked/evaluate", {"id": "1", "aum": 5})
    assert body["marker"] == "b", body
    entry = s.json("GET", "/v1/rulesets/marked")[1]
    assert entry["text"].endswith("# edited\n") and entry["status"] == "ok"
    # a version that does not compile: the last good one keeps serving, the listing says why
    replace_file(path, MARKED.format(v="a").replace("money", "monee"))
    entry = wait_for(lambda: (lambda e: e if e["status"] == "error" else None)(s.json("GET", "/v1/rulesets/marked")[1]))
    assert entry and entry["serving"] and "monee" in entry["diagnostics"] and entry["text"].endswith("# edited\n"), entry
    status, body = s.json("POST", "/v1/rulesets/marked/evaluate", {"id": "1", "aum": 5})
    assert status == 200 and body["marker"] == "b", body
    replace_file(path, MARKED.format(v="a"))
    assert wait_for(lambda: s.json("GET", "/v1/rulesets/marked")[1]["status"] == "ok")
    assert s.json("POST", "/v1/rulesets/marked/evaluate", {"id": "1", "aum": 5})[1]["marker"] == "a"
    after = s.request("GET", "/metrics")[2].decode()
    assert metric(after, 'segrule_reloads_total{result="ok"}') >= metric(before, 'segrule_reloads_total{result="ok"}') + 2
    assert metric(after, 'segrule_reloads_total{result="failed"}') >= metric(before, 'segrule_reloads_total{result="failed"}') + 1
    # a new file appears, then goes
    replace_file(rules / "fresh.seg", MARKED.format(v="b").replace("ruleset marked", "ruleset fresh"))
    assert wait_for(lambda: s.json("GET", "/healthz")[1]["rulesets"] == 5)
    assert s.json("POST", "/v1/rulesets/fresh/evaluate", {"id": "1", "aum": 5})[1]["marker"] == "b"
    (rules / "fresh.seg").unlink()
    assert wait_for(lambda: s.json("GET", "/healthz")[1]["rulesets"] == 4)
    assert s.json("POST", "/v1/rulesets/fresh/evaluate", {"id": "1", "aum": 5})[0] == 404


def test_reload_under_load(s, rules):
    """Clients evaluate arrays while the file flips between versions a and b:
    no request fails and every response is wholly one version."""
    path = rules / "marked.seg"
    batch = json.dumps([{"id": str(i), "aum": i * 1000} for i in range(50)])
    stop = threading.Event()
    problems, seen, counts = [], set(), [0]

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
        while not stop.is_set():
            conn.request("POST", "/v1/rulesets/marked/evaluate", body=batch)
            res = conn.getresponse()
            data = res.read()
            if res.status != 200:
                problems.append("status %d" % res.status)
                continue
            markers = {r.get("marker") for r in json.loads(data)}
            version = res.getheader("X-Segrule-Version")
            if markers != {version}:
                problems.append("mixed: markers %s under version %s" % (markers, version))
            seen.add(version)
            counts[0] += 1
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(4)]
    for t in threads:
        t.start()
    reloads = 0
    for i in range(20):
        v = "ab"[i % 2]
        replace_file(path, MARKED.format(v=v))
        if wait_for(lambda: s.json("GET", "/v1/rulesets/marked")[1]["version"] == v, timeout=5):
            reloads += 1
    stop.set()
    for t in threads:
        t.join()
    assert not problems, problems[:5]
    assert reloads == 20 and seen == {"a", "b"} and counts[0] > 20, (reloads, seen, counts)


def test_metrics(s, rules):
    text = s.request("GET", "/metrics")[2].decode()
    assert 'segrule_http_requests_total{route="/v1/rulesets/{name}/evaluate",status="200"}' in text
    before = metric(text, "segrule_records_evaluated_total")
    errors = metric(text, "segrule_record_errors_total")
    ok = metric(text, 'segrule_http_requests_total{route="/v1/rulesets/{name}/evaluate",status="200"}')
    posted = s.request("POST", "/v1/rulesets/retail_2025/evaluate", '[{"id":"x"},' + CUSTOMERS.read_text().splitlines()[0] + "]")
    assert posted[0] == 200, posted
    status, headers, data = s.request("GET", "/metrics")
    assert status == 200 and headers["Content-Type"].startswith("text/plain; version=0.0.4"), headers
    text = data.decode()
    # Records are counted by the handler, before it answers.
    assert metric(text, "segrule_records_evaluated_total") == before + 2
    assert metric(text, "segrule_record_errors_total") == errors + 1
    # A request is counted (with its status and latency) by the HTTP library's
    # logger, which runs once the answer has been sent: the next request can
    # come first, so the count may lag by a moment (seconds, on a loaded CI
    # machine running the sanitizer build beside other tests).
    requests = 'segrule_http_requests_total{route="/v1/rulesets/{name}/evaluate",status="200"}'
    counted = wait_for(lambda: metric(s.request("GET", "/metrics")[2].decode(), requests) == ok + 1, 30)
    assert counted, (requests, ok + 1, metric(s.request("GET", "/metrics")[2].decode(), requests))
    assert re.search(r'segrule_http_request_duration_seconds_bucket\{route="/v1/rulesets/\{name\}/evaluate",le="\+Inf"\} \d+', text)
    assert re.search(r'segrule_ruleset_version\{name="retail_2025",version="2025.05",content_hash="sha256:[0-9a-f]{64}"\} 1', text)
    assert 'segrule_ruleset_file_ok{file="broken.seg"} 0' in text


def test_pii_never_logged(s, rules):
    lines = PII_RECORDS.read_text(encoding="utf-8").splitlines()
    for line in lines:  # the last is not JSON: a 400 that must not quote it
        for query in ("", "?explain=true"):
            status, _, data = s.request("POST", "/v1/rulesets/pii_check/evaluate" + query, line)
            assert status == (400 if line == lines[-1] else 200), (status, data)
            assert not any(secret in data.decode() for secret in PII_SECRETS), data
    status, _, data = s.request("POST", "/v1/rulesets/pii_check/evaluate", "[" + ",".join(lines[:4]) + "]")
    assert status == 200 and not any(secret in data.decode() for secret in PII_SECRETS), data
    # the log is written every 100 ms
    log = wait_for(lambda: (lambda text: text if "pii_check/evaluate 400" in text else None)(s.log_text()), 5) or s.log_text()
    assert "POST /v1/rulesets/pii_check/evaluate 200 " in log, log[-500:]
    assert not any(secret in log for secret in PII_SECRETS), "a pii value reached the log"
    assert re.search(r"^GET /healthz 200 \d+\.\d{3}ms$", log, re.M), "one line per request: method, path, status, ms"


def test_sigterm_drains(s, rules):
    """A request whose body is still arriving when SIGTERM comes is answered; then exit 0."""
    body = ("[" + ",".join(CUSTOMERS.read_text().splitlines()) + "]").encode()
    sock = socket.create_connection(("127.0.0.1", s.port))
    sock.sendall(b"POST /v1/rulesets/retail_2025/evaluate HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body))
    sock.sendall(body[:1000])
    time.sleep(0.3)
    s.proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    assert s.proc.poll() is None, "exited with a request in flight"
    sock.sendall(body[1000:])
    response = b""
    sock.settimeout(20)
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        response += chunk
    sock.close()
    head, _, payload = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    assert len(json.loads(payload)) == 200
    assert s.proc.wait(timeout=20) == 0
    try:
        socket.create_connection(("127.0.0.1", s.port), timeout=2).close()
        assert False, "still accepting after SIGTERM"
    except OSError:
        pass


def test_usage_and_listen_errors(s, rules):
    code, _, err = segrule("serve", "--rules", rules, "--port", "0", "--host", "256.1.1.1")
    assert code == 2 and b"cannot listen" in err, err
    held = socket.socket()
    held.bind(("127.0.0.1", 0))
    held.listen()
    code, _, err = segrule("serve", "--rules", rules, "--port", held.getsockname()[1])
    held.close()
    assert code == 2 and b"cannot listen" in err, err
    # a second server on the port of a running one is refused, not sharing it
    code, _, err = segrule("serve", "--rules", rules, "--port", s.port)
    assert code == 2 and b"cannot listen" in err, err


CASES = [test_health_and_listing, test_describe, test_evaluate_equals_eval, test_record_errors_are_entries,
         test_bad_requests, test_check, test_diff, test_impact, test_test, test_workbench_evaluate,
         test_static_files, test_reload, test_reload_under_load, test_metrics, test_pii_never_logged,
         test_usage_and_listen_errors, test_sigterm_drains]


def main():
    global BINARY
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    BINARY = os.path.abspath(sys.argv[1])
    pattern = sys.argv[2] if len(sys.argv) > 2 else ""
    tmp = Path(tempfile.mkdtemp(prefix="segrule-serve-"))
    rules = tmp / "rules"
    rules.mkdir()
    shutil.copy(RETAIL, rules / "retail-2025.seg")
    shutil.copy(PII_RULES, rules / "pii.seg")
    # never compiles: line 8, columns 8 to 13 (the end, exclusive) hold the unknown type
    (rules / "broken.seg").write_text('ruleset broken {\n  version "1"\n}\n\n# a comment\n\ninput x key id {\n  id : strin\n}\n')
    (rules / "marked.seg").write_text(MARKED.format(v="a"))
    server = Server(rules, "--watch-interval", "50", "--max-body", "1000000", "--threads", "16")
    passed = failed = 0
    try:
        for case in CASES:
            if pattern not in case.__name__:
                continue
            try:
                case(server, rules)
                passed += 1
                print("ok     %s" % case.__name__)
            except Exception as e:  # noqa: BLE001 - report every failure and carry on
                failed += 1
                print("FAILED %s: %s: %s" % (case.__name__, type(e).__name__, e))
    finally:
        if server.proc.poll() is None:
            server.stop()
        log = server.log_text()
        if failed:
            print("--- server log (last lines)\n" + "\n".join(log.splitlines()[-20:]))
        shutil.rmtree(tmp, ignore_errors=True)
        server.log_path.unlink(missing_ok=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
