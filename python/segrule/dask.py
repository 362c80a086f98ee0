"""Batch runs on a Dask cluster: many input files, or a dask.bag of records.

    from dask.distributed import Client
    import segrule.dask
    client = Client("tcp://scheduler:8786")
    totals = segrule.dask.evaluate(paths, "rulesets/retail-2025.seg", "/shared/run-2025-06-30",
                                   as_of="2025-06-30")

One task per partition (an input file, or a partition of the bag). Each task
writes `part-NNNNN.jsonl` (results, as `segrule eval` prints them) and
`part-NNNNN.errors.jsonl` (error entries) in output_dir, each through a
temporary file renamed into place: a task that Dask retries (its worker died)
overwrites its files, it never adds to them. When every partition is done,
`manifest.json` says which input each partition read, its counts, the ruleset
version and the evaluation date. See docs/scale-out.md.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import socket
import tempfile
import threading
from typing import Dict, List, Optional, Sequence, Tuple, Union

import segrule

__all__ = ["evaluate", "compile_count"]

MANIFEST = "manifest.json"

# Per worker process: rulesets compiled so far, by (rule file, content hash),
# and how many compilations that took (tests check it is one per version).
_cache: Dict[Tuple[str, str], segrule.Ruleset] = {}
_cache_lock = threading.Lock()
_compiles = 0


def compile_count() -> int:
    """How many rule texts this process has compiled for Dask tasks."""
    return _compiles


def _ruleset(name: str, text: str, content_hash: str) -> segrule.Ruleset:
    """The compiled ruleset, compiled once per process and version: every
    partition a worker runs after the first uses the same compiled form."""
    global _compiles
    key = (name, content_hash)
    with _cache_lock:
        rules = _cache.get(key)
        if rules is None:
            rules = segrule.compile(text, name)
            _compiles += 1
            _cache[key] = rules
        return rules


def _part_name(index: int, width: int) -> str:
    return f"part-{index:0{width}d}"


def _write_atomically(path: str, data: bytes) -> None:
    """`path` appears whole, or stays as it was: a temporary file in the same
    directory, flushed to disk, then renamed over it."""
    directory = os.path.dirname(path)
    fd, temp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise


def _answer(index, source, stem, read, results, errors) -> dict:
    if read != results + errors:
        raise RuntimeError(f"partition {index}: {read} records read but {results} results and {errors} errors")
    return {"partition": index, "input": source, "results_file": stem + ".jsonl", "errors_file": stem + ".errors.jsonl",
            "read": read, "results": results, "errors": errors, "worker": f"{socket.gethostname()}:{os.getpid()}"}


def _evaluate_file_partition(rules_name, rules_text, content_hash, index, width, path, fmt, output_dir, as_of, threads):
    """One input file: read by the engine, results and errors written atomically."""
    rules = _ruleset(rules_name, rules_text, content_hash)
    stem = _part_name(index, width)
    totals = rules.evaluate_file(path, fmt, output=os.path.join(output_dir, stem + ".jsonl"),
                                 errors=os.path.join(output_dir, stem + ".errors.jsonl"), threads=threads, as_of=as_of)
    return _answer(index, path, stem, totals.read, totals.results, totals.errors)


def _evaluate_records_partition(rules_name, rules_text, content_hash, index, width, records, output_dir, as_of, threads):
    """One partition of a bag: dicts or JSON lines; error entries numbered by
    place in the partition, from 1."""
    rules = _ruleset(rules_name, rules_text, content_hash)
    stem = _part_name(index, width)
    if not isinstance(records, list):
        records = list(records)
    results, errors, read, ok, failed = rules._native.evaluate_to_lines(records, as_of, False, False, threads)
    # Errors first: a partition counts as done once its results file is there.
    _write_atomically(os.path.join(output_dir, stem + ".errors.jsonl"), errors)
    _write_atomically(os.path.join(output_dir, stem + ".jsonl"), results)
    return _answer(index, f"partition {index}", stem, read, ok, failed)


def _prepare_output_dir(output_dir: str, overwrite: bool) -> None:
    os.makedirs(output_dir, exist_ok=True)
    old = sorted(glob.glob(os.path.join(output_dir, "part-*.jsonl")) + glob.glob(os.path.join(output_dir, MANIFEST)))
    if old and not overwrite:
        raise FileExistsError(f"{output_dir} already holds the output of a run ({os.path.basename(old[0])}, ...): "
                              "choose an empty directory, or pass overwrite=True to replace it")
    for path in old:
        os.unlink(path)


def evaluate(bag_or_paths, ruleset_path, output_dir, *, as_of=None, format: Optional[str] = None, threads: int = 1,
             overwrite: bool = False, client=None) -> segrule.Totals:
    """Evaluates every record of `bag_or_paths` with the rule file `ruleset_path`
    on the Dask cluster, writing each partition's results and errors in
    `output_dir` (a directory every worker can write: shared storage).

    bag_or_paths: a list of input files (JSON Lines, JSON array or CSV; format
    by extension unless `format` is given), each a partition; or a dask.bag of
    records, each a dict or the JSON text of one.

    The rule file is read and compiled here once (a CompileError stops the run
    before any task starts); its text goes to the workers with the tasks, so
    every partition runs the same version even if the file changes meanwhile,
    and each worker process compiles it once. `as_of` defaults to today (UTC),
    fixed here for every partition. `threads` is the engine's threads per task.
    `client`: the dask.distributed Client to run on (default: the current one,
    or dask's default scheduler when there is none).

    Returns the totals summed over partitions; records read = results + errors.
    """
    import dask
    import dask.bag

    ruleset_path = os.fspath(ruleset_path)
    with open(ruleset_path, "rb") as f:
        rules_bytes = f.read()
    rules_text = rules_bytes.decode("utf-8")
    rules = segrule.compile(rules_text, ruleset_path)  # raises CompileError with every diagnostic
    content_hash = "sha256:" + hashlib.sha256(rules_bytes).hexdigest()
    date = segrule._as_of_text(as_of)
    if not 1 <= threads <= 256:
        raise ValueError(f"threads is from 1 to 256, not {threads}")
    output_dir = os.path.abspath(os.fspath(output_dir))

    if isinstance(bag_or_paths, dask.bag.Bag):
        parts = bag_or_paths.to_delayed()
        width = max(5, len(str(len(parts) - 1)))
        _prepare_output_dir(output_dir, overwrite)
        task = dask.delayed(_evaluate_records_partition, pure=False)
        tasks = [task(ruleset_path, rules_text, content_hash, i, width, part, output_dir, date, threads)
                 for i, part in enumerate(parts)]
    else:
        if isinstance(bag_or_paths, (str, bytes, os.PathLike)):
            raise TypeError("bag_or_paths is a list of paths or a dask.bag, not one path: write [path]")
        paths = [os.path.abspath(os.fspath(p)) for p in bag_or_paths]
        if format is not None and format not in ("jsonl", "json", "csv"):
            raise ValueError(f"format is jsonl, json or csv, not {format!r}")
        for p in paths:
            if not os.path.isfile(p):
                raise FileNotFoundError(f"input `{p}` is not a readable file")
        width = max(5, len(str(len(paths) - 1)))
        _prepare_output_dir(output_dir, overwrite)
        task = dask.delayed(_evaluate_file_partition, pure=False)
        tasks = [task(ruleset_path, rules_text, content_hash, i, width, p, format or segrule._segrule.input_format_for(p),
                      output_dir, date, threads)
                 for i, p in enumerate(paths)]

    if client is not None:
        answers = client.gather(client.compute(tasks))
    else:
        answers = list(dask.compute(*tasks))

    # What attempts killed mid-write left behind (their retries wrote the real files).
    for stale in glob.glob(os.path.join(output_dir, ".part-*.tmp")):
        try:
            os.unlink(stale)
        except FileNotFoundError:
            pass

    totals = segrule.Totals(0, 0, 0)
    for a in answers:
        totals = totals + segrule.Totals(a["read"], a["results"], a["errors"])
    manifest = {
        "ruleset": {"file": ruleset_path, "name": rules.info.name, "version": rules.info.version,
                    "content_hash": content_hash},
        "as_of": date,
        "partitions": sorted(answers, key=lambda a: a["partition"]),
        "totals": {"read": totals.read, "results": totals.results, "errors": totals.errors},
    }
    _write_atomically(os.path.join(output_dir, MANIFEST),
                      (json.dumps(manifest, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    return totals
