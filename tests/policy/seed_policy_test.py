#!/usr/bin/env python3
"""The differential test: generated customers through `segrule eval
rulesets/retail-2025.seg`, checked for zero errors, for the policy's
invariants, and record by record against tests/policy/reference.py, an
independent implementation of the shared POLICY.md. The output must also be
byte-identical on 1 and 3 threads.

Usage: seed_policy_test.py SEGRULE_BINARY [N]   (run from the repository root)
CI runs 200,000 customers; `scripts/differential` runs 2,000,000.
"""
import json
import subprocess
import sys

RISK_NUMBER = {"C1": 1, "C2": 2, "C3": 3, "C4": 4, "C5": 5}
PRODUCT_RISK = {
    "time_deposit": 1, "large_cd": 1, "money_fund": 1, "treasury_bond": 1, "payment_package": 1,
    "credit_card": 1, "loan_combo": 1, "wealth_plan": 2, "bond_fund": 2, "gold": 3,
    "custom_portfolio": 3, "equity_fund": 4, "family_trust": 4, "trust_plan": 5,
}
TIERS = {"private", "platinum", "gold", "vip", "mass"}


def main():
    binary = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    customers = subprocess.run([sys.executable, "scripts/gen_customers.py", str(n)], capture_output=True, check=True).stdout
    run = subprocess.run([binary, "eval", "rulesets/retail-2025.seg", "--input", "-", "--as-of", "2025-06-30"],
                         input=customers, capture_output=True)
    threaded = subprocess.run([binary, "eval", "rulesets/retail-2025.seg", "--input", "-", "--as-of", "2025-06-30", "--threads", "3"],
                              input=customers, capture_output=True)
    reference = subprocess.run([sys.executable, "tests/policy/reference.py"], input=customers, capture_output=True, check=True).stdout
    failures = []
    if run.returncode != 0:
        failures.append("exit code %d, stderr: %s" % (run.returncode, run.stderr.decode()[-2000:]))
    summary = run.stderr.decode().strip().splitlines()[-1] if run.stderr else ""
    if summary != "segrule: %d records read: %d results, 0 errors" % (n, n):
        failures.append("summary was %r" % summary)
    if threaded.stdout != run.stdout or threaded.stderr != run.stderr:
        failures.append("3 threads did not give byte-identical output to 1 thread")
    records = {json.loads(l)["id"]: json.loads(l) for l in customers.decode().splitlines()}
    results = run.stdout.decode().splitlines()
    expected = reference.decode().splitlines()
    if len(results) != n:
        failures.append("%d result lines for %d records" % (len(results), n))
    mismatches = 0
    for line, want in zip(results, expected):
        r = json.loads(line)
        c = records[r["id"]]
        if r["value_tier"] not in TIERS:
            failures.append("%s: not exactly one tier: %r" % (r["id"], r["value_tier"]))
        for item in r["offers"]:
            if PRODUCT_RISK[item] > RISK_NUMBER[c["risk_level"]]:
                failures.append("%s: offer %s above risk %s" % (r["id"], item, c["risk_level"]))
            if item == "trust_plan" and float(c["aum"]) < 3000000:
                failures.append("%s: trust_plan below 300万" % r["id"])
        for d in r["dropped"]:
            if d.get("reason") not in ("risk", "min_aum") or d.get("constraint") != "suitability":
                failures.append("%s: dropped item without a reason: %r" % (r["id"], d))
        if line != want:
            mismatches += 1
            if mismatches <= 5:
                failures.append("differs from the reference:\n  segrule:   %s\n  reference: %s" % (line, want))
    if mismatches:
        failures.append("%d of %d records differ from the reference implementation" % (mismatches, n))
    for f in failures[:30]:
        print("FAIL " + f)
    print("%d passed, %d failed" % (0 if failures else 1, 1 if failures else 0))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
