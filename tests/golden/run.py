#!/usr/bin/env python3
"""Golden tests for the segrule command line.

Usage: run.py SEGRULE_BINARY [--refresh] [FILTER]

Run from the repository root. Each case is one of:
  tests/golden/**/NAME.seg   runs `segrule check NAME.seg`
  tests/golden/**/NAME.args  runs `segrule ARGS` (one line, shell words);
                             NAME.stdin, if present, is fed to standard input
and is compared with NAME.golden, which records stdout, stderr and the exit
code. --refresh rewrites the golden files; review them in the diff.
Ends with the line `N passed, N failed`.
"""
import os
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def run_case(binary, case):
    if case.suffix == ".seg":
        args = ["check", str(case.relative_to(Path.cwd()))]
    else:
        args = shlex.split(case.read_text(encoding="utf-8").strip())
    stdin_path = case.with_suffix(".stdin")
    stdin = stdin_path.read_bytes() if stdin_path.exists() else b""
    proc = subprocess.run([binary] + args, input=stdin, capture_output=True, timeout=120)
    text = "$ segrule " + " ".join(shlex.quote(a) for a in args) + "\n"
    text += "--- stdout\n" + proc.stdout.decode("utf-8", "replace")
    text += "--- stderr\n" + proc.stderr.decode("utf-8", "replace")
    text += "--- exit %d\n" % proc.returncode
    return text


def main():
    argv = sys.argv[1:]
    refresh = "--refresh" in argv
    argv = [a for a in argv if a != "--refresh"]
    if not argv:
        print(__doc__)
        return 2
    binary = os.path.abspath(argv[0])
    pattern = argv[1] if len(argv) > 1 else ""
    cases = sorted(p for p in ROOT.rglob("*") if p.suffix in (".seg", ".args") and pattern in str(p))
    # A .seg used as an input by an .args case is not a case of its own.
    cases = [c for c in cases if not (c.suffix == ".seg" and "inputs" in c.relative_to(ROOT).parts[:-1])]
    passed = failed = 0
    for case in cases:
        golden = case.with_suffix(".golden")
        actual = run_case(binary, case)
        if refresh:
            golden.write_text(actual, encoding="utf-8")
            passed += 1
            continue
        expected = golden.read_text(encoding="utf-8") if golden.exists() else "(no golden file)\n"
        if actual == expected:
            passed += 1
        else:
            failed += 1
            print("FAIL %s" % case.relative_to(ROOT))
            import difflib
            for line in difflib.unified_diff(expected.splitlines(), actual.splitlines(), "expected", "actual", lineterm=""):
                print("  " + line)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
