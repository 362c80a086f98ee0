#!/usr/bin/env python3
"""Checks and tests every rule file in rulesets/.

Usage: run.py SEGRULE_BINARY [RULESETS_DIR]

For each rulesets/NAME.seg: `segrule check NAME.seg` must report no error and
no warning, `segrule fmt --check NAME.seg` must find it formatted, and
`segrule test NAME.seg NAME.test.yaml --min-coverage 100` must pass: every case
passes and every tier row, segment row, strategy, conditional statement and
drop row is reached by some case. A rule file without its case file fails, and
so does a case file without its rule file. Ends with the line
`N passed, N failed`; exit 1 on any failure, 2 for misuse.
"""
import subprocess
import sys
from pathlib import Path


def run(binary, args):
    proc = subprocess.run([binary] + args, capture_output=True, timeout=300)
    return proc.returncode, proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace")


def check_ruleset(binary, seg):
    """Returns a list of problems (empty when the ruleset is fine)."""
    cases = seg.with_name(seg.stem + ".test.yaml")
    if not cases.exists():
        return ["%s has no case file: write %s (format: docs/testing.md)" % (seg, cases)]
    problems = []
    code, output = run(binary, ["check", str(seg)])
    if code != 0 or "ok (0 warnings)" not in output:
        problems.append("`segrule check %s` exited %d, and must be clean:\n%s" % (seg, code, output))
    code, output = run(binary, ["fmt", "--check", str(seg)])
    if code != 0:
        problems.append("`segrule fmt --check %s` exited %d (run `segrule fmt --write`):\n%s" % (seg, code, output))
    code, output = run(binary, ["test", str(seg), str(cases), "--min-coverage", "100"])
    if code != 0:
        problems.append("`segrule test %s %s --min-coverage 100` exited %d:\n%s" % (seg, cases, code, output))
    return problems


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__)
        return 2
    binary = str(Path(sys.argv[1]).resolve())
    directory = Path(sys.argv[2]) if len(sys.argv) == 3 else Path("rulesets")
    if not directory.is_dir():
        print("no rulesets directory at %s" % directory)
        return 2
    rule_files = sorted(directory.glob("*.seg"))
    passed = failed = 0
    for seg in rule_files:
        problems = check_ruleset(binary, seg)
        if problems:
            failed += 1
            print("FAIL %s" % seg)
            for problem in problems:
                print("  " + problem.rstrip("\n").replace("\n", "\n  "))
        else:
            passed += 1
            print("ok   %s" % seg)
    for cases in sorted(directory.glob("*.test.yaml")):
        if not cases.with_name(cases.name[: -len(".test.yaml")] + ".seg").exists():
            failed += 1
            print("FAIL %s: a case file without its rule file %s.seg" % (cases, cases.name[: -len(".test.yaml")]))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
