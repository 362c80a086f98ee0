#!/usr/bin/env python3
"""The PostgreSQL extension against a real server this test starts.

It builds a private copy of the PostgreSQL installation in a temporary
directory (the server's own binaries, the rest linked, segrule.so and the
extension's files added: nothing is installed on the machine), runs initdb,
starts the server on a free loopback port and always stops it at the end.
PostgreSQL refuses to run as root: as root, the server runs as the
unprivileged `postgres` user (`runuser`).

Then, over generated customers with a few broken records mixed in:
- `SELECT segrule_eval(rules, rec, as_of) FROM customers` equals `segrule eval`
  record by record (as jsonb, and as parsed JSON with number texts kept);
  record errors are error entries, equal to the CLI's without its line number;
- the ruleset is compiled once for the whole table (segrule_cache_stats), a
  changed text gives the new results, the cache stays bounded (LRU);
- a parallel query gives the same results;
- segrule_check gives `segrule check`'s diagnostics with line and column;
  rules that do not compile stop segrule_eval with an ERROR naming the place.

Usage: run_test.py --segrule BIN --extension segrule.so --pg-bindir DIR
                   --pg-pkglibdir DIR --pg-sharedir DIR [--records N] [--keep]
(run from the repository root; ctest does).
"""
import argparse
import hashlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.getcwd()
RULES = os.path.join(ROOT, "rulesets", "retail-2025.seg")
AS_OF = "2025-06-30"
SERVER_USER = "postgres"  # the unprivileged user the server runs as when we are root

failures = []


def check(condition, what):
    print(("ok    " if condition else "FAIL  ") + what, flush=True)
    if not condition:
        failures.append(what)
    return condition


def run(command, **kwargs):
    return subprocess.run(command, check=True, text=True, capture_output=True, **kwargs)


# ---------------------------------------------------------------- the server

class Server:
    """A throw-away PostgreSQL server in `work`, on a loopback port."""

    def __init__(self, work, args):
        self.work = work
        self.args = args
        self.running = False
        self.as_root = os.geteuid() == 0
        self.install = os.path.join(work, "pg")
        self.bindir = self._private(args.pg_bindir)
        self.cluster = os.path.join(work, "cluster")  # owned by the server's user
        self.data = os.path.join(self.cluster, "data")
        self.port = free_port()

    def _private(self, real_dir):
        """Where a directory of the real installation sits in the private copy.
        PostgreSQL finds its share and lib directories relative to the
        `postgres` binary, so the copy keeps the same layout below a new root."""
        prefix = os.path.commonpath([self.args.pg_bindir, self.args.pg_pkglibdir, self.args.pg_sharedir])
        return os.path.join(self.install, os.path.relpath(real_dir, prefix))

    def build_installation(self):
        # The binaries are copied: the server resolves symlinks to find itself.
        os.makedirs(self.bindir)
        for program in ("postgres", "initdb", "pg_ctl"):
            shutil.copy2(os.path.join(self.args.pg_bindir, program), self.bindir)
        lib = self._private(self.args.pg_pkglibdir)
        link_entries(self.args.pg_pkglibdir, lib)
        shutil.copy2(self.args.extension, os.path.join(lib, "segrule.so"))
        share = self._private(self.args.pg_sharedir)
        link_entries(self.args.pg_sharedir, share, skip={"extension"})
        extension = os.path.join(share, "extension")
        link_entries(os.path.join(self.args.pg_sharedir, "extension"), extension)
        built = os.path.dirname(self.args.extension)  # control and SQL files sit next to segrule.so
        for name in os.listdir(built):
            if name == "segrule.control" or (name.startswith("segrule--") and name.endswith(".sql")):
                shutil.copy2(os.path.join(built, name), extension)
        for directory, _, _ in os.walk(self.install):
            os.chmod(directory, 0o755)

    def as_server_user(self, command):
        return ["runuser", "-u", SERVER_USER, "--"] + command if self.as_root else command

    def start(self):
        os.makedirs(self.cluster)
        if self.as_root:
            user = pwd.getpwnam(SERVER_USER)  # exists once postgresql-15 is installed
            os.chown(self.cluster, user.pw_uid, user.pw_gid)
        run(self.as_server_user([os.path.join(self.bindir, "initdb"), "-D", self.data, "-U", "postgres",
                                 "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"]))
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories='{self.cluster}'"
                   " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_worker_processes=8"
                   " -c max_parallel_workers=4")
        # A start cut short would leave a server coming up after stop() has
        # run: hold SIGTERM and the deadline until pg_ctl has finished.
        held = {signal.SIGTERM, signal.SIGALRM, signal.SIGINT}
        signal.pthread_sigmask(signal.SIG_BLOCK, held)
        try:
            self.running = True  # from here on, stop() must run even if start fails half-way
            run(self.as_server_user([os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-l",
                                     os.path.join(self.cluster, "server.log"), "-w", "-t", "60", "-o", options,
                                     "start"]))
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, held)

    def stop(self):
        if not self.running:
            return
        self.running = False
        for mode in ("fast", "immediate"):  # immediate: when a fast shutdown does not finish in time
            stopped = subprocess.run(self.as_server_user([os.path.join(self.bindir, "pg_ctl"), "-D", self.data,
                                                          "-m", mode, "-w", "-t", "30", "stop"]), capture_output=True)
            if stopped.returncode == 0 or not os.path.exists(os.path.join(self.data, "postmaster.pid")):
                return

    def log_tail(self):
        try:
            with open(os.path.join(self.cluster, "server.log"), errors="replace") as f:
                return "".join(f.readlines()[-30:])
        except OSError:
            return ""

    def psql(self, script, variables=None, database="postgres", expect_error=False):
        """Runs an SQL script (psql, unaligned, tuples only); its output, or
        its error text when `expect_error`."""
        command = [os.path.join(self.args.pg_bindir, "psql"), "-X", "-q", "-A", "-t", "-F", "\t",
                   "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database]
        for name, value in (variables or {}).items():
            command += ["-v", f"{name}={value}"]
        done = subprocess.run(command, input=script, text=True, capture_output=True,
                              env=dict(os.environ, PGCLIENTENCODING="UTF8"))
        if expect_error:
            if done.returncode == 0:
                raise AssertionError(f"expected an SQL error from:\n{script}")
            return done.stderr
        if done.returncode != 0:
            raise AssertionError(f"psql failed ({done.returncode}):\n{done.stderr}\nscript:\n{script}")
        return done.stdout


def link_entries(source, target, skip=()):
    os.makedirs(target, exist_ok=True)
    for name in os.listdir(source):
        if name not in skip:
            os.symlink(os.path.join(source, name), os.path.join(target, name))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- the data

def broken(number, record):
    """A few records the CLI rejects, each in its own way; None keeps it."""
    kind = number % 2000
    if kind == 17:
        return dict(record, age="old")                     # a string for an int
    if kind == 1242:
        return {k: v for k, v in record.items() if k != "aum"}  # a required field missing
    if kind == 777:
        return dict(record, opened="2020-13-45")           # not a date
    if kind == 1901:
        return dict(record, credit_rating="ZZZ")           # not a value of the enum
    if number == 1234:
        return [1, 2, 3]                                   # not an object at all
    return None


def make_customers(work, count):
    """customers.jsonl for the CLI and customers.copy (COPY text format) for
    the table, the same records in the same order."""
    generated = run([sys.executable, os.path.join(ROOT, "scripts", "gen_customers.py"), str(count),
                     "--format", "jsonl"]).stdout.splitlines()
    jsonl = os.path.join(work, "customers.jsonl")
    copy = os.path.join(work, "customers.copy")
    with open(jsonl, "w") as out, open(copy, "w") as table:
        for number, line in enumerate(generated, start=1):
            replaced = broken(number, json.loads(line))
            if replaced is not None:
                line = json.dumps(replaced, ensure_ascii=False, separators=(",", ":"))
            out.write(line + "\n")
            # COPY's text format: backslash is its escape character.
            table.write(f"{number}\t{line.replace(chr(92), chr(92) * 2)}\n")
    return jsonl, copy


def cli_eval(segrule, rules_path, jsonl, work, as_of=AS_OF, name="cli"):
    """`segrule eval` per record number, as JSON text: the result object, or
    the error entry without its line number (as the extension gives it)."""
    results_path = os.path.join(work, name + ".results.jsonl")
    errors_path = os.path.join(work, name + ".errors.jsonl")
    command = [segrule, "eval", rules_path, "--input", jsonl, "--errors", errors_path]
    if as_of:
        command += ["--as-of", as_of]
    with open(results_path, "w") as out:
        done = subprocess.run(command, stdout=out, stderr=subprocess.PIPE, text=True)
    if done.returncode not in (0, 3):
        raise AssertionError(f"segrule eval failed ({done.returncode}): {done.stderr}")
    by_number = {}
    with open(errors_path) as f:
        for line in f:
            entry = json.loads(line)
            number = entry.pop("line")
            by_number[number] = json.dumps(entry, ensure_ascii=False)
    with open(jsonl) as f:
        count = sum(1 for _ in f)
    with open(results_path) as f:
        results = iter(f.read().splitlines())
    for number in range(1, count + 1):
        if number not in by_number:
            by_number[number] = next(results)
    if next(results, None) is not None:
        raise AssertionError("segrule eval printed more results than records")
    return by_number


def load_cli_results(server, work, by_number, table):
    path = os.path.join(work, table + ".copy")
    with open(path, "w") as f:
        for number in sorted(by_number):
            text = by_number[number]
            f.write(f"{number}\t{text.replace(chr(92), chr(92) * 2)}\n")
    server.psql(f"DROP TABLE IF EXISTS {table}; CREATE TABLE {table} (n integer PRIMARY KEY, res jsonb);\n"
                f"\\copy {table} FROM '{path}'\n")


def compare_as_json(server, table, by_number, what):
    """Every row of `table` against the CLI, parsed in Python with number texts
    kept: stricter than jsonb equality, which treats 1.5 and 1.50 alike."""
    rows = server.psql(f"SELECT n, res FROM {table} ORDER BY n").splitlines()
    mismatches = []
    for row in rows:
        number, text = row.split("\t", 1)
        got = json.loads(text, parse_float=str, parse_int=str)
        if got != json.loads(by_number[int(number)], parse_float=str, parse_int=str):
            mismatches.append((number, text, by_number[int(number)]))
    check(len(rows) == len(by_number), f"{what}: one row per record ({len(rows)} of {len(by_number)})")
    check(not mismatches, f"{what}: every record equals the CLI's output as JSON"
          + "".join(f"\n      record {n}: sql {s}\n                 cli {c}" for n, s, c in mismatches[:3]))


def cli_check_diagnostics(segrule, path):
    """(severity, code, message, line, column) of each diagnostic `segrule check` prints."""
    done = subprocess.run([segrule, "check", path], capture_output=True, text=True)
    found = []
    for line in (done.stdout + done.stderr).splitlines():
        if line.startswith(("error[", "warning[")):
            severity, rest = line.split("[", 1)
            code, message = rest.split("]: ", 1)
            found.append([severity, code, message])
        elif line.lstrip().startswith("--> ") and found and len(found[-1]) == 3:
            line_no, column = line.rsplit(":", 2)[1:]
            found[-1] += [int(line_no), int(column)]
    return [tuple(d) for d in found]


# ---------------------------------------------------------------- the checks

def test_against_cli(server, args, work):
    jsonl, copy = make_customers(work, args.records)
    with open(RULES, encoding="utf-8") as f:
        rules = f.read()
    server.psql("CREATE EXTENSION segrule;\n"
                "CREATE TABLE customers (n integer PRIMARY KEY, rec jsonb NOT NULL);\n"
                f"\\copy customers FROM '{copy}'\n"
                "CREATE TABLE rulesets (name text PRIMARY KEY, body text NOT NULL);\n"
                "INSERT INTO rulesets VALUES ('retail', :'rules');\n"
                "ANALYZE customers;\n", {"rules": rules})
    expected = cli_eval(args.segrule, RULES, jsonl, work)
    errors = sum(1 for e in expected.values() if "error" in json.loads(e))
    check(errors >= 5, f"the CLI rejects the broken records ({errors})")

    # The whole table in one query, in one backend: compiled once.
    started = time.monotonic()
    stats = server.psql(
        "SET max_parallel_workers_per_gather = 0;\n"
        "CREATE TABLE sql_results AS SELECT c.n, segrule_eval(r.body, c.rec, DATE '" + AS_OF + "') AS res\n"
        "  FROM customers c JOIN rulesets r ON r.name = 'retail';\n"
        "SELECT entries, hits, compiles FROM segrule_cache_stats();\n").split()
    elapsed = time.monotonic() - started
    rate = args.records / elapsed
    print(f"      {args.records} records in {elapsed:.1f} s ({rate:,.0f} records/s)")
    check(stats == ["1", str(args.records - 1), "1"],
          f"the ruleset is compiled once and then found in the cache (entries, hits, compiles = {stats})")
    check(elapsed < 120, f"{args.records} evaluations are fast ({elapsed:.1f} s)")

    load_cli_results(server, work, expected, "cli_results")
    differing = server.psql("SELECT count(*) FROM sql_results s FULL JOIN cli_results c USING (n)\n"
                            "  WHERE s.res IS DISTINCT FROM c.res").strip()
    check(differing == "0", f"SQL results equal the CLI's as jsonb ({differing} differ)")
    compare_as_json(server, "sql_results", expected, "segrule_eval")
    sample = server.psql("SELECT res FROM sql_results WHERE n = 17").strip()
    check(json.loads(sample) == json.loads(expected[17]) and "error" in json.loads(sample)
          and json.loads(sample).get("key") == "C00000017",
          f"a record error is an entry with its key: {sample}")
    sample = server.psql("SELECT res FROM sql_results WHERE n = 1234").strip()
    check("error" in json.loads(sample), f"a record that is not an object is an error entry: {sample}")

    # The same in a parallel query: workers load the module and compile on their own.
    plan_and_count = server.psql(
        "SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;\n"
        "SET max_parallel_workers_per_gather = 2;\n"
        "EXPLAIN (COSTS OFF) SELECT count(*) FROM customers c JOIN rulesets r ON r.name = 'retail'\n"
        "  JOIN cli_results x USING (n) WHERE segrule_eval(r.body, c.rec, DATE '" + AS_OF + "') IS DISTINCT FROM x.res;\n"
        "SELECT count(*) FROM customers c JOIN rulesets r ON r.name = 'retail'\n"
        "  JOIN cli_results x USING (n) WHERE segrule_eval(r.body, c.rec, DATE '" + AS_OF + "') IS DISTINCT FROM x.res;\n")
    check("Gather" in plan_and_count and plan_and_count.strip().splitlines()[-1] == "0",
          "a parallel query gives the same results:\n" + plan_and_count)
    return rules, jsonl


def test_changed_rules(server, args, work, rules, jsonl):
    """A changed text is a new cache entry with the new results."""
    changed = rules.replace("when aum >= 20万", "when aum >= 30万")
    assert changed != rules
    changed_path = os.path.join(work, "retail-changed.seg")
    with open(changed_path, "w", encoding="utf-8") as f:
        f.write(changed)
    expected = cli_eval(args.segrule, changed_path, jsonl, work, name="changed")
    load_cli_results(server, work, expected, "changed_cli")
    out = server.psql(
        "SET max_parallel_workers_per_gather = 0;\n"
        "INSERT INTO rulesets VALUES ('changed', :'changed');\n"
        "CREATE TABLE mixed AS SELECT c.n, segrule_eval(r.body, c.rec, DATE '" + AS_OF + "') AS res\n"
        "  FROM customers c JOIN rulesets r ON r.name = CASE WHEN c.n % 2 = 0 THEN 'changed' ELSE 'retail' END;\n"
        "SELECT count(*) FROM mixed m JOIN changed_cli x USING (n) WHERE m.n % 2 = 0 AND m.res IS DISTINCT FROM x.res;\n"
        "SELECT count(*) FROM mixed m JOIN cli_results x USING (n) WHERE m.n % 2 = 1 AND m.res IS DISTINCT FROM x.res;\n"
        "SELECT count(*) FROM mixed m JOIN cli_results x USING (n) WHERE m.n % 2 = 0 AND m.res IS DISTINCT FROM x.res;\n"
        "SELECT entries, compiles FROM segrule_cache_stats();\n", {"changed": changed}).split()
    check(out[:2] == ["0", "0"], f"two texts used alternately give each their own results ({out[:2]} differ)")
    check(int(out[2]) > 0, f"the changed text does change results ({out[2]} records)")
    check(out[3:] == ["2", "2"], f"the two texts are compiled once each (entries, compiles = {out[3:]})")


def test_cache_bound(server):
    """16 entries by default, least recently used out first; segrule.cache_size changes it."""
    queries = ["SET max_parallel_workers_per_gather = 0;",
               "CREATE TEMP TABLE one AS SELECT rec FROM customers WHERE n = 1;"]
    for i in range(20):  # twenty texts differing by a comment
        queries.append(f"SELECT segrule_eval(body || E'\\n# variant {i}', rec, DATE '{AS_OF}') IS NOT NULL"
                       f" FROM rulesets, one WHERE name = 'retail';")
    queries.append("SELECT entries, capacity, compiles, evictions FROM segrule_cache_stats();")
    for i in (19, 0):  # 19 is cached, 0 was evicted
        queries.append(f"SELECT segrule_eval(body || E'\\n# variant {i}', rec, DATE '{AS_OF}') IS NOT NULL"
                       f" FROM rulesets, one WHERE name = 'retail';")
        queries.append("SELECT compiles FROM segrule_cache_stats();")
    queries.append("SET segrule.cache_size = 2;")
    queries.append("SELECT entries, capacity FROM segrule_cache_stats();")
    out = server.psql("\n".join(queries) + "\n").split()
    check(out[:20] == ["t"] * 20, "twenty variants evaluate")
    check(out[20:24] == ["16", "16", "20", "4"],
          f"the cache keeps 16 entries (entries, capacity, compiles, evictions = {out[20:24]})")
    check(out[24:28] == ["t", "20", "t", "21"],
          f"the most recent entry is a hit, the least recent was evicted and is recompiled ({out[24:28]})")
    check(out[28:] == ["2", "2"], f"segrule.cache_size = 2 shrinks the cache ({out[28:]})")


def test_errors(server, args, work, rules):
    broken_rules = rules.replace("when aum >= 20万", "when aumm >= 20万").replace(
        "credit_rating >= BBB", "credit_rating >= BBX")
    broken_path = os.path.join(work, "broken.seg")
    with open(broken_path, "w", encoding="utf-8") as f:
        f.write(broken_rules)
    variables = {"broken": broken_rules, "rules": rules}

    error = server.psql("SELECT segrule_eval(:'broken', rec, DATE '2025-06-30') FROM customers WHERE n = 1;\n",
                        variables, expect_error=True)
    check("the rules do not compile" in error and "<rules>:41:28" in error and "unknown name `aumm`" in error,
          "rules that do not compile are an SQL ERROR with the diagnostics and their place:\n" + error)

    rows = server.psql("SELECT severity, code, message, line, \"column\", coalesce(help, '') FROM segrule_check(:'broken');\n",
                       variables).splitlines()
    got = [tuple(row.split("\t")) for row in rows]
    expected = cli_check_diagnostics(args.segrule, broken_path)
    check(len(expected) == 2 and [g[:5] for g in got] == [tuple(map(str, e)) for e in expected],
          f"segrule_check gives `segrule check`'s diagnostics with line and column:\n      {got}\n      {expected}")
    check(all(g[5] for g in got), "segrule_check gives the help lines")
    clean = server.psql("SELECT count(*) FROM segrule_check(:'rules');\n", variables).strip()
    check(clean == "0", f"a clean file has no diagnostics ({clean})")

    # An unreachable tier row: a warning of the analysis, with an example record in its notes.
    warned_rules = rules.replace('  mass     "大众客户"     otherwise',
                                 '  rich     "富裕客户"     when aum >= 100万\n  mass     "大众客户"     otherwise')
    warned_path = os.path.join(work, "warned.seg")
    with open(warned_path, "w", encoding="utf-8") as f:
        f.write(warned_rules)
    rows = server.psql("SELECT severity, code, message, line, \"column\" FROM segrule_check(:'warned');\n"
                       "SELECT count(*) FROM segrule_check(:'warned', analysis => false);\n",
                       {"warned": warned_rules}).splitlines()
    expected = cli_check_diagnostics(args.segrule, warned_path)
    check(bool(expected) and [tuple(r.split("\t")) for r in rows[:-1]] == [tuple(map(str, e)) for e in expected],
          f"segrule_check gives the analysis's warnings as `segrule check` does:\n      {rows}\n      {expected}")

    error = server.psql("SELECT segrule_eval(:'rules', '{}', 'infinity');\n", variables, expect_error=True)
    check("as_of must be a finite date" in error, "an infinite as_of is an SQL ERROR: " + error.strip())
    out = server.psql("SELECT segrule_eval(:'rules', NULL) IS NULL;\n"
                      "SELECT segrule_eval(:'rules', '\"text\"') ? 'error';\n", variables).split()
    check(out == ["t", "t"], f"a NULL record gives NULL, a JSON string an error entry ({out})")


def test_defaults_and_info(server, args, work, rules, jsonl):
    """as_of defaults to today in UTC, as the CLI's does; segrule_info names the version."""
    first = os.path.join(work, "first.jsonl")
    with open(jsonl) as f, open(first, "w") as out:
        for _ in range(200):
            out.write(f.readline())
    expected = cli_eval(args.segrule, RULES, first, work, as_of=None, name="today")
    load_cli_results(server, work, expected, "today_cli")
    out = server.psql("SELECT count(*) FROM customers c JOIN today_cli x USING (n), rulesets r\n"
                      "  WHERE r.name = 'retail' AND segrule_eval(r.body, c.rec) IS DISTINCT FROM x.res;\n"
                      "SELECT count(*) FROM today_cli;\n"
                      "SELECT segrule_info(:'rules') ->> 'content_hash', segrule_info(:'rules') ->> 'name',"
                      " segrule_version();\n", {"rules": rules}).split()
    check(out[:2] == ["0", "200"], f"without as_of, results equal the CLI's without --as-of ({out[:2]})")
    with open(RULES, "rb") as f:
        digest = "sha256:" + hashlib.sha256(f.read()).hexdigest()
    version = run([args.segrule, "version"]).stdout.strip()
    check(out[2:4] == [digest, "retail_2025"] and out[4] in version,
          f"segrule_info and segrule_version ({out[2:]}, CLI: {version})")


TINY_RULES = """ruleset tiny {
  version "1"
}

input customer key id {
  id   : string
  name : string
  age  : int
}

tiers band {
  senior "Senior" when age >= 60
  adult  "Adult"  otherwise
}
"""


def test_other_encoding(server):
    """A LATIN1 database: text reaches segrule as UTF-8 and comes back converted."""
    server.psql("CREATE DATABASE latin1 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;")
    out = server.psql("CREATE EXTENSION segrule;\n"
                      "SELECT convert_to(segrule_eval(:'rules', '{\"id\": \"Zoë\", \"name\": \"Zoë\", \"age\": 70}')"
                      " ->> 'id', 'LATIN1');\n"
                      "SELECT segrule_eval(:'rules', '{\"id\": \"Zoë\", \"age\": \"old\"}') ->> 'key';\n",
                      {"rules": TINY_RULES}, database="latin1").split()
    # ë is one byte (\\xeb) in the database, two in UTF-8.
    check(out == ["\\x5a6feb", "Zoë"], f"a LATIN1 database gets its text back in its encoding ({out})")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--segrule", required=True)
    parser.add_argument("--extension", required=True, help="the built segrule.so (control and SQL files beside it)")
    parser.add_argument("--pg-bindir", required=True)
    parser.add_argument("--pg-pkglibdir", required=True)
    parser.add_argument("--pg-sharedir", required=True)
    parser.add_argument("--records", type=int, default=100000)
    parser.add_argument("--deadline", type=int, default=240, help="seconds before the test gives up")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    for name in ("segrule", "extension"):
        setattr(args, name, os.path.abspath(getattr(args, name)))

    # SIGTERM, ^C and our own deadline end the test through `finally`, which
    # stops the server. The deadline comes before ctest's timeout, whose kill
    # could not be caught.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    signal.signal(signal.SIGALRM, lambda *_: sys.exit(f"took longer than {args.deadline} s: stopped"))
    signal.alarm(args.deadline)
    work = tempfile.mkdtemp(prefix="segrule-pg-")
    os.chmod(work, 0o755)  # the server's user reads the private installation in here
    server = Server(work, args)
    try:
        server.build_installation()
        server.start()
        rules, jsonl = test_against_cli(server, args, work)
        test_changed_rules(server, args, work, rules, jsonl)
        test_cache_bound(server)
        test_errors(server, args, work, rules)
        test_defaults_and_info(server, args, work, rules, jsonl)
        test_other_encoding(server)
    except Exception as e:  # any failure still stops the server, below
        detail = e.stderr if isinstance(e, subprocess.CalledProcessError) else ""
        failures.append(f"{e}\n{detail}")
        print(f"FAIL  {e}\n{detail}\nserver log:\n{server.log_tail()}", flush=True)
    finally:
        server.stop()
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if failures:
        print(f"{len(failures)} failed")
        return 1
    print("all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
