#!/usr/bin/env python3
"""The generated rulesets of the size benchmark are valid and not trivial.

Usage: run.py SEGRULE_BINARY WORK_DIR [N...]   (N defaults to 10 100 1000)

For each N, scripts/gen_ruleset.py N writes WORK_DIR/scale-N.seg, and:
- a second run prints the same bytes (the benchmark must measure the same file);
- the file has N tier rows and N strategies, and its rows are not all alike:
  several measures, many distinct thresholds, rows with a second condition;
- `segrule check` is clean: exit 0, no error, no warning. The Z3 analysis runs
  for N <= 100; for larger N it is given --no-analysis (the analysis of the
  1,000-row file takes minutes: docs/performance.md, "Ruleset size");
- `segrule eval` over examples/customers.jsonl evaluates every record, and the
  records spread over many tier rows and get different offers.
Ends with `N passed, N failed`; exit 1 on any failure, 2 for misuse.
"""
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "scripts" / "gen_ruleset.py"
RECORDS = ROOT / "examples" / "customers.jsonl"
FULL_ANALYSIS_UP_TO = 100


def generate(n):
    proc = subprocess.run([sys.executable, str(GENERATOR), str(n)], capture_output=True, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError("gen_ruleset.py %d exited %d: %s" % (n, proc.returncode, proc.stderr.decode()))
    return proc.stdout


def shape_problems(n, text):
    problems = []
    tier_rows = []
    in_tiers = False
    for line in text.splitlines():
        if line.startswith("tiers "):
            in_tiers = True
        elif line.startswith("}"):
            in_tiers = False
        elif in_tiers:
            tier_rows.append(line.strip())
    strategies = re.findall(r"^strategy (\w+) \"[^\"]*\" when (.*) \{$", text, re.M)
    if len(tier_rows) != n:
        problems.append("%d tier rows, expected %d" % (len(tier_rows), n))
    if len(strategies) != n:
        problems.append("%d strategies, expected %d" % (len(strategies), n))
    conditions = [re.sub(r"^\w+ \"[^\"]*\" when ", "", row) for row in tier_rows if " when " in row]
    measures = {c.split()[0] for c in conditions}
    thresholds = {c.split()[2] for c in conditions}
    with_second = sum(1 for c in conditions if " and " in c)
    want_measures = min(len(set(range(0, n, 20))), 9)
    if len(measures) < want_measures:
        problems.append("tier rows use %d measures (%s), expected at least %d" % (len(measures), ", ".join(sorted(measures)), want_measures))
    if len(thresholds) < len(conditions) // 4:
        problems.append("only %d distinct thresholds in %d tier rows" % (len(thresholds), len(conditions)))
    if with_second < len(conditions) // 5:
        problems.append("only %d of %d tier rows have a second condition" % (with_second, len(conditions)))
    distinct_when = len({when for _, when in strategies})
    if distinct_when < len(strategies) // 3:
        problems.append("only %d distinct conditions among %d strategies" % (distinct_when, len(strategies)))
    return problems


def check_problems(binary, path, n):
    args = [binary, "check", str(path)]
    if n > FULL_ANALYSIS_UP_TO:
        args.append("--no-analysis")
    proc = subprocess.run(args, capture_output=True, timeout=600)
    output = (proc.stdout + proc.stderr).decode("utf-8", "replace")
    if proc.returncode != 0 or "ok (0 warnings)" not in output:
        return ["`%s` exited %d, and must be clean:\n%s" % (" ".join(args[1:]), proc.returncode, output)]
    return []


def eval_problems(binary, path, n):
    args = [binary, "eval", str(path), "--input", str(RECORDS), "--as-of", "2025-06-30"]
    proc = subprocess.run(args, capture_output=True, timeout=300)
    if proc.returncode != 0:
        return ["`segrule eval` exited %d:\n%s" % (proc.returncode, proc.stderr.decode("utf-8", "replace"))]
    results = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    expected = sum(1 for line in RECORDS.read_text(encoding="utf-8").splitlines() if line.strip())
    problems = []
    if len(results) != expected:
        problems.append("%d results for %d records" % (len(results), expected))
    if not results:
        return problems
    first_tiers = next(k for k in results[0] if k.endswith("_tier"))
    rows = {r[first_tiers] for r in results}
    offers = {tuple(r["offers"]) for r in results}
    cadences = {r["contact_cadence"] for r in results}
    if len(rows) < min(5, n // 2):
        problems.append("the records land in only %d rows of `%s`" % (len(rows), first_tiers))
    if len(offers) < min(len(results) // 4, n):
        problems.append("only %d different offer lists over %d records" % (len(offers), len(results)))
    if len(cadences) < 2:
        problems.append("every record gets contact_cadence %s" % cadences.pop())
    return problems


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    binary = str(Path(sys.argv[1]).resolve())
    work = Path(sys.argv[2])
    work.mkdir(parents=True, exist_ok=True)
    sizes = [int(a) for a in sys.argv[3:]] or [10, 100, 1000]
    passed = failed = 0
    for n in sizes:
        path = work / ("scale-%d.seg" % n)
        try:
            text = generate(n)
            problems = [] if generate(n) == text else ["two runs of gen_ruleset.py %d printed different bytes" % n]
            path.write_bytes(text)
            problems += shape_problems(n, text.decode("utf-8"))
            problems += check_problems(binary, path, n)
            problems += eval_problems(binary, path, n)
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            problems = [str(e)]
        if problems:
            failed += 1
            print("FAIL %s" % path)
            for problem in problems:
                print("  " + problem.rstrip("\n").replace("\n", "\n  "))
        else:
            passed += 1
            print("ok   %s" % path)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
