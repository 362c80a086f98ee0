#!/usr/bin/env python3
"""Records and I/O faults (docs/reliability.md): a full disk, a file size
limit hit half way, a closed pipe, `--output` written whole or not at all,
records read = results + errors on every run, and progress only on a terminal.

Usage: run.py SEGRULE_BINARY   (run from the repository root)
"""
import functools
import os
import pty
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time

RULES = "rulesets/retail-2025.seg"
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def run(args, stdout=subprocess.PIPE, stdin_data=None, preexec=None, restore_signals=True):
    return subprocess.run([BINARY] + args, stdout=stdout, stderr=subprocess.PIPE, input=stdin_data,
                          preexec_fn=preexec, restore_signals=restore_signals)


@functools.lru_cache(maxsize=None)
def customers(n, broken_every=0):
    """n generated customers as JSON Lines; every broken_every-th line is malformed."""
    out = subprocess.run([sys.executable, "scripts/gen_customers.py", str(n)], capture_output=True, check=True).stdout
    lines = out.decode().splitlines()
    if broken_every:
        for i in range(0, len(lines), broken_every):
            lines[i] = lines[i][: len(lines[i]) // 2]
    return "".join(l + "\n" for l in lines).encode()


def full_disk():
    """Every command's output to /dev/full: exit 4, a clear message, no success summary."""
    commands = [
        ["eval", RULES, "--input", "examples/customers.jsonl"],
        ["eval", RULES, "--input", "examples/customers.csv"],
        ["check", RULES],
        ["fmt", RULES],
        ["explain", RULES, "--input", "examples/customers.jsonl", "--key", "C00000001"],
        ["test", RULES, "rulesets/retail-2025.test.yaml"],
        ["diff", RULES, "rulesets/value-three-tier.seg"],
        ["impact", RULES, "rulesets/retail-2025.seg", "--input", "examples/customers.jsonl"],
    ]
    with open("/dev/full", "wb") as full:
        for args in commands:
            r = run(args, stdout=full)
            err = r.stderr.decode()
            name = " ".join(args[:1])
            check(r.returncode == 4, "%s > /dev/full: exit %d, expected 4 (stderr: %s)" % (name, r.returncode, err[-300:]))
            check("cannot write standard output: No space left on device" in err,
                  "%s > /dev/full: no clear message: %r" % (name, err[-300:]))
            check("records read" not in err, "%s > /dev/full: printed a success summary: %r" % (name, err))
    # With threads the workers write the output themselves (a block at a time,
    # well past the 64 KB buffer): the failure still stops the run the same way.
    with open("/dev/full", "wb") as full:
        for threads in ("2", "3"):
            r = run(["eval", RULES, "--input", "-", "--threads", threads], stdout=full, stdin_data=customers(20000))
            err = r.stderr.decode()
            check(r.returncode == 4 and "cannot write standard output: No space left on device" in err
                  and "records read" not in err,
                  "eval --threads %s > /dev/full: exit %d, %r" % (threads, r.returncode, err[-300:]))
    # --output straight at a device is written as it is, and fails the same way.
    r = run(["eval", RULES, "--input", "examples/customers.jsonl", "--output", "/dev/full"])
    check(r.returncode == 4 and b"cannot write `/dev/full`: No space left on device" in r.stderr,
          "eval --output /dev/full: exit %d, %r" % (r.returncode, r.stderr))
    check(os.path.exists("/dev/full") and not os.path.isfile("/dev/full"), "/dev/full was replaced by a file")
    # --errors to a full disk fails too, and says which output.
    with tempfile.TemporaryDirectory() as tmp:
        r = run(["eval", RULES, "--input", "-", "--output", os.path.join(tmp, "out.jsonl"), "--errors", "/dev/full"],
                stdin_data=customers(50, broken_every=7))
        check(r.returncode == 4 and b"cannot write `/dev/full`" in r.stderr, "eval --errors /dev/full: exit %d, %r" % (r.returncode, r.stderr))
        check(not os.path.exists(os.path.join(tmp, "out.jsonl")), "--output file created although --errors failed")


def limit_file_size():
    """A write that fails half way (file size limit): the old --output file stays as it was, no temporary is left."""
    data = customers(2000)

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG instead of killing us

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "results.jsonl")
        with open(out, "w") as f:
            f.write("yesterday's results\n")
        r = run(["eval", RULES, "--input", "-", "--output", out], stdin_data=data, preexec=small_files)
        check(r.returncode == 4, "eval over the file size limit: exit %d, expected 4 (%r)" % (r.returncode, r.stderr))
        check(b"File too large" in r.stderr and b"the file was not created or changed" in r.stderr,
              "eval over the file size limit: message %r" % r.stderr)
        check(b"records read" not in r.stderr, "eval over the file size limit: printed a success summary")
        check(open(out).read() == "yesterday's results\n", "the old --output file was changed by a failed run")
        check(sorted(os.listdir(tmp)) == ["results.jsonl"], "temporary files left behind: %r" % os.listdir(tmp))
        # The same run without the limit replaces it whole, keeping its permissions.
        os.chmod(out, 0o640)
        r = run(["eval", RULES, "--input", "-", "--output", out], stdin_data=data)
        check(r.returncode == 0, "eval --output: exit %d (%r)" % (r.returncode, r.stderr))
        lines = open(out).read().splitlines()
        check(len(lines) == 2000, "eval --output wrote %d lines for 2000 records" % len(lines))
        check(os.stat(out).st_mode & 0o777 == 0o640, "eval --output changed the file's permissions")
        check(sorted(os.listdir(tmp)) == ["results.jsonl"], "temporary files left behind: %r" % os.listdir(tmp))
        # Rules that do not compile leave the old output alone too.
        bad = os.path.join(tmp, "bad.seg")
        with open(bad, "w") as f:
            f.write("ruleset r { version \"1\" }\nlet x = \n")
        r = run(["eval", bad, "--input", "-", "--output", out], stdin_data=data)
        check(r.returncode == 1 and len(open(out).read().splitlines()) == 2000, "a compile error touched --output")


def closed_pipe():
    """`segrule eval ... | head -1`: the run ends quietly, whether SIGPIPE is ignored or not."""
    data = customers(200000)  # the same input as progress(): generated once
    with tempfile.NamedTemporaryFile(suffix=".jsonl") as f:
        f.write(data)
        f.flush()
        for ignored in (False, True):
            p = subprocess.Popen([BINARY, "eval", RULES, "--input", f.name], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 restore_signals=not ignored)
            first = p.stdout.readline()
            p.stdout.close()
            err = p.stderr.read()
            p.wait(timeout=60)
            check(first.startswith(b"{\"id\":"), "closed pipe: first line %r" % first)
            check(err == b"", "closed pipe (SIGPIPE %s): stderr %r" % ("ignored" if ignored else "default", err))
            expected = 141 if ignored else -signal.SIGPIPE
            check(p.returncode == expected, "closed pipe (SIGPIPE %s): exit %d, expected %d" %
                  ("ignored" if ignored else "default", p.returncode, expected))


def counts_add_up():
    """Records read = results written + errors, for good, broken and mixed inputs, in each format."""
    data = customers(3000, broken_every=13)
    with tempfile.TemporaryDirectory() as tmp:
        out, errs = os.path.join(tmp, "out.jsonl"), os.path.join(tmp, "errors.jsonl")
        for threads in ("1", "2", "3"):
            r = run(["eval", RULES, "--input", "-", "--output", out, "--errors", errs, "--threads", threads], stdin_data=data)
            results = open(out).read().splitlines()
            errors = open(errs).read().splitlines()
            summary = r.stderr.decode().strip().splitlines()[-1]
            check(r.returncode == 3, "mixed input: exit %d, expected 3" % r.returncode)
            check(summary == "segrule: 3000 records read: %d results, %d errors" % (len(results), len(errors)),
                  "mixed input, %s threads: summary %r for %d results and %d errors" % (threads, summary, len(results), len(errors)))
            check(len(errors) == len(range(0, 3000, 13)), "mixed input: %d errors, expected %d" % (len(errors), len(range(0, 3000, 13))))
    # CSV with the edge cases of the reader: BOM, quoted newlines and quotes, wrong column counts.
    header = "\ufeffid,age,retired,occupation,opened,risk_level,credit_rating,demand_deposits,time_deposits," \
             "wealth_products,investments,loans,aum,monthly_txn_count,large_inflow_30d,products_held\r\n"
    rows = [
        'A,40,false,"line one\nline two",2020-01-01,C3,A,1,2,3,4,0,10,5,0,"gold;bond_fund"',
        'B,40,false,"say ""hi""",2020-01-01,C3,A,1,2,3,4,0,10,5,0,',
        "C,40,false,x,2020-01-01,C3,A,1,2,3,4,0,10,5",          # a cell short
        "D,40,false,x,2020-01-01,C3,A,1,2,3,4,0,10,5,0,,extra",  # a cell over
        'E,40,false,bad"quote,2020-01-01,C3,A,1,2,3,4,0,10,5,0,',
    ]
    csv = (header + "\r\n".join(rows) + "\r\n").encode()
    r = run(["eval", RULES, "--input", "-", "--format", "csv", "--errors", "/dev/null"], stdin_data=csv)
    results = r.stdout.decode().splitlines()
    check(r.stderr.decode().strip().splitlines()[-1] == "segrule: 5 records read: 2 results, 3 errors",
          "CSV edge cases: summary %r" % r.stderr.decode())
    check([l.split('"')[3] for l in results] == ["A", "B"], "CSV edge cases: results %r" % results)


def progress():
    """Progress on stderr when it is a terminal, never when it is not."""
    data = customers(200000)
    with tempfile.NamedTemporaryFile(suffix=".jsonl") as f:
        f.write(data)
        f.flush()
        master, slave = pty.openpty()
        # The input comes through a pipe with a pause in the middle, so the run
        # lasts long enough for progress however fast the machine evaluates.
        p = subprocess.Popen([BINARY, "eval", RULES, "--input", "-"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                             stderr=slave)
        os.close(slave)

        def feed():
            half = data.index(b"\n", len(data) // 2) + 1
            p.stdin.write(data[:half])
            p.stdin.flush()
            time.sleep(1.5)
            p.stdin.write(data[half:])
            p.stdin.close()

        feeder = threading.Thread(target=feed)
        feeder.start()
        seen = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            seen += chunk
        os.close(master)
        feeder.join()
        p.wait(timeout=120)
        text = seen.decode()
        check(p.returncode == 0, "progress run: exit %d" % p.returncode)
        check("records, " in text and "/s, 0 errors" in text, "no progress line on a terminal: %r" % text[:300])
        check(text.endswith("\r\x1b[Ksegrule: 200000 records read: 200000 results, 0 errors\r\n"),
              "the progress line was not cleared before the summary: %r" % text[-200:])
        r = run(["eval", RULES, "--input", f.name], stdout=subprocess.DEVNULL)
        check(r.stderr == b"segrule: 200000 records read: 200000 results, 0 errors\n",
              "progress printed to a stderr that is not a terminal: %r" % r.stderr[:300])


def main():
    global BINARY
    BINARY = os.path.abspath(sys.argv[1])
    full_disk()
    limit_file_size()
    closed_pipe()
    counts_add_up()
    progress()
    for f in failures:
        print("FAIL " + f)
    print("io faults: %d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
