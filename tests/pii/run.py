#!/usr/bin/env python3
"""Personal data never reaches any tool's output (LANGUAGE.md §4).

Usage: run.py SEGRULE_BINARY   (from the repository root)

Runs every command that can print record data — eval (errors and --explain),
explain (text and JSON), check (example records), diff (example records),
impact (examples), test (failures with their explain trace) — on rules and
records whose `pii` fields hold known names and phone numbers, and fails if
any of them appears in clear. With --show-pii, explain must show them: the
test would pass vacuously if the names never reached the tools at all.
"""
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.relative_to(Path.cwd())
SECRETS = ["王小明", "小明", "李秀英", "秀英", "13800138000", "13911112222", "3800138000", "911112222"]
V1, V2 = str(HERE / "rules_v1.seg"), str(HERE / "rules_v2.seg")
RECORDS = str(HERE / "customers.jsonl")
RECORD = '{"id":"K1","name":"王小明","phone":"13800138000","aum":250000}'
AS_OF = ["--as-of", "2025-06-30"]

RUNS = [
    ["eval", V1, "--input", RECORDS] + AS_OF,
    ["eval", V1, "--input", RECORDS, "--explain"] + AS_OF,
    ["explain", V1, "--record", RECORD] + AS_OF,
    ["explain", V1, "--record", RECORD, "--json"] + AS_OF,
    ["explain", V1, "--record", '{"id":"K9","name":"王小明","aum":"many"}'] + AS_OF,
    ["explain", V1, "--input", RECORDS, "--key", "K2"] + AS_OF,
    ["check", V1],
    ["diff", V1, V2],
    ["diff", V1, V2, "--json"],
    ["impact", V1, V2, "--input", RECORDS] + AS_OF,
    ["impact", V1, V2, "--input", RECORDS, "--json"] + AS_OF,
    ["impact", V1, V2, "--input", RECORDS, "--csv"] + AS_OF,
    ["test", V1, str(HERE / "cases.yaml")],
]


def run(binary, args):
    proc = subprocess.run([binary] + args, capture_output=True, timeout=120)
    return proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace")


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    binary = str(Path(sys.argv[1]).resolve())
    failed = 0
    for args in RUNS:
        output = run(binary, args)
        leaked = [s for s in SECRETS if s in output]
        if leaked:
            failed += 1
            print("FAIL segrule %s: prints %s" % (" ".join(args), ", ".join(leaked)))
            print("  | " + output.replace("\n", "\n  | "))
    shown = run(binary, ["explain", V1, "--record", RECORD, "--show-pii"] + AS_OF)
    if "王小明" not in shown:
        failed += 1
        print("FAIL explain --show-pii does not show the name, so the test above proves nothing")
    print("%d passed, %d failed" % (len(RUNS) + 1 - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
