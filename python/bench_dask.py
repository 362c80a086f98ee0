#!/usr/bin/env python3
"""Throughput of segrule.dask.evaluate on a LocalCluster of 1 and 2 worker
processes (one thread each), against one process evaluating the same files.

    PYTHONPATH=build/python /usr/bin/python3 python/bench_dask.py [--records N] [--files F] [--workers 1,2]

Generates N customers (scripts/gen_customers.py) split into F files in a
temporary directory, runs each configuration --repeat times and prints the
best run in records per second. Cluster start-up is not timed; the ruleset
compile, task scheduling, reading the inputs and writing every result are.
"""
import argparse
import datetime
import os
import platform
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# python/segrule/ next to this script holds the sources without the compiled
# extension: import the built package from PYTHONPATH instead.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE]

import segrule  # noqa: E402
import segrule.dask  # noqa: E402

RULES = os.path.join(ROOT, "rulesets", "retail-2025.seg")
AS_OF = "2025-06-30"


def make_inputs(directory, records, files):
    text = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "gen_customers.py"), str(records)],
                          capture_output=True, check=True).stdout
    lines = text.splitlines(keepends=True)
    paths = []
    for f in range(files):
        path = os.path.join(directory, f"customers-{f:03d}.jsonl")
        with open(path, "wb") as out:
            out.writelines(lines[f * len(lines) // files:(f + 1) * len(lines) // files])
        paths.append(path)
    return paths


def best_of(repeat, run):
    best = None
    for _ in range(repeat):
        start = time.perf_counter()
        totals = run()
        took = time.perf_counter() - start
        best = took if best is None else min(best, took)
    return best, totals


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=400000)
    ap.add_argument("--files", type=int, default=16)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()

    from distributed import Client, LocalCluster

    print(f"# {datetime.datetime.now().isoformat(timespec='minutes')}  {platform.node()}  {platform.processor() or platform.machine()}"
          f"  {os.cpu_count()} CPUs  load {os.getloadavg()[0]:.2f}  python {platform.python_version()}")
    print(f"# {a.records} records in {a.files} files, rulesets/retail-2025.seg, best of {a.repeat}")
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_inputs(tmp, a.records, a.files)
        rules = segrule.compile_file(RULES)

        def single():
            t = segrule.Totals(0, 0, 0)
            for p in paths:
                t = t + rules.evaluate_file(p, output=os.path.join(tmp, "single.jsonl"),
                                            errors=os.path.join(tmp, "single.errors.jsonl"), as_of=AS_OF)
            return t

        took, totals = best_of(a.repeat, single)
        print(f"one process, no Dask   {totals.read / took:>10,.0f} records/s  ({took:.2f} s)")
        for n in [int(x) for x in a.workers.split(",")]:
            with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                              silence_logs=40) as cluster, Client(cluster) as client:
                run = lambda: segrule.dask.evaluate(paths, RULES, os.path.join(tmp, f"out-{n}"), as_of=AS_OF,
                                                    client=client, overwrite=True)
                took, totals = best_of(a.repeat, run)
                assert totals.read == a.records
                print(f"dask, {n} worker{'s' if n > 1 else ' '}        {totals.read / took:>10,.0f} records/s  ({took:.2f} s)")


if __name__ == "__main__":
    main()
