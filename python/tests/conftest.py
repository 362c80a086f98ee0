"""Shared fixtures: the repository, the `segrule` command to compare with, and
generated customers. Run with Debian's interpreter and the build's package:

    PYTHONPATH=build-py/python SEGRULE_BIN=build-py/segrule /usr/bin/python3 -m pytest python/tests
"""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "python", "tests", "data")
RETAIL = os.path.join(ROOT, "rulesets", "retail-2025.seg")
MONEY = os.path.join(DATA, "money.seg")
AS_OF = "2025-06-30"


def segrule_bin():
    path = os.environ.get("SEGRULE_BIN")
    if not path:
        import segrule  # BUILD/python/segrule/__init__.py: the command is BUILD/segrule
        path = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(segrule.__file__))), "segrule")
    if not os.path.exists(path):
        pytest.skip(f"no segrule command at {path} (set SEGRULE_BIN)")
    return path


def cli_eval(rules, input_path, *extra):
    """`segrule eval` of a file: (stdout bytes, stderr text, exit code)."""
    run = subprocess.run([segrule_bin(), "eval", rules, "--input", input_path, "--as-of", AS_OF, *extra],
                         capture_output=True)
    return run.stdout, run.stderr.decode(), run.returncode


def generate(n, fmt="jsonl", seed=20250508):
    """n customers from scripts/gen_customers.py, as text."""
    run = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "gen_customers.py"), str(n),
                          "--format", fmt, "--seed", str(seed)], capture_output=True, check=True)
    return run.stdout.decode()


@pytest.fixture(scope="session")
def customers_10k(tmp_path_factory):
    path = tmp_path_factory.mktemp("customers") / "customers.jsonl"
    path.write_text(generate(10000), encoding="utf-8")
    return str(path)
