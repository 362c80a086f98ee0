"""segrule.dask on a LocalCluster of worker processes: the output, put in key
order, equals one `segrule eval` of the same records byte for byte; each
worker compiles the ruleset once; a worker killed mid-run is retried and
nothing is lost or duplicated."""
import glob
import json
import os
import signal
import threading
import time
from decimal import Decimal

import pytest

distributed = pytest.importorskip("distributed")
import dask.bag as db  # noqa: E402

import segrule  # noqa: E402
import segrule.dask  # noqa: E402
from conftest import AS_OF, RETAIL, cli_eval, generate  # noqa: E402

BROKEN = {7: '{"id":"BAD7","age":"seven"}', 1234: '{"id":"BAD1234"}', 5001: "{not json"}


def key_of(line):
    return json.loads(line)["id"]


def by_key(lines):
    return sorted(lines, key=key_of)


def without_line(entries):
    """Error entries compared without their line number (a partition numbers its own lines)."""
    out = []
    for e in entries:
        d = json.loads(e)
        d.pop("line")
        out.append(json.dumps(d, sort_keys=True, ensure_ascii=False))
    return sorted(out)


def read_lines(pattern):
    lines = []
    for path in sorted(glob.glob(pattern)):
        with open(path, encoding="utf-8") as f:
            lines.extend(f.read().splitlines())
    return lines


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """8,000 customers, three of them broken, as one file and as 6 partition files."""
    lines = generate(8000).splitlines()
    for i, text in BROKEN.items():
        lines[i] = text
    root = tmp_path_factory.mktemp("dask-inputs")
    whole = root / "all.jsonl"
    whole.write_text("\n".join(lines) + "\n", encoding="utf-8")
    paths = []
    for p in range(6):
        path = root / f"in-{p}.jsonl"
        chunk = lines[p * len(lines) // 6:(p + 1) * len(lines) // 6]
        path.write_text("\n".join(chunk) + "\n", encoding="utf-8")
        paths.append(str(path))
    out, err = root / "cli.jsonl", root / "cli.errors.jsonl"
    _, _, code = cli_eval(RETAIL, str(whole), "--output", str(out), "--errors", str(err))
    assert code == 3
    expected = by_key(out.read_text(encoding="utf-8").splitlines())
    expected_errors = err.read_text(encoding="utf-8").splitlines()
    assert len(expected) == 8000 - 3 and len(expected_errors) == 3
    return lines, paths, expected, expected_errors


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=40)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def check_output(out_dir, totals, expected, expected_errors):
    results = read_lines(os.path.join(out_dir, "part-*[0-9].jsonl"))
    errors = read_lines(os.path.join(out_dir, "part-*.errors.jsonl"))
    assert totals == segrule.Totals(read=8000, results=len(expected), errors=3)
    assert len(results) == len(set(key_of(r) for r in results)), "a record was written twice"
    assert "\n".join(by_key(results)) == "\n".join(expected)  # byte for byte, in key order
    assert without_line(errors) == without_line(expected_errors)
    assert not glob.glob(os.path.join(out_dir, ".*")), "a temporary file was left behind"
    manifest = json.load(open(os.path.join(out_dir, "manifest.json"), encoding="utf-8"))
    assert manifest["as_of"] == AS_OF
    assert manifest["totals"] == {"read": 8000, "results": len(expected), "errors": 3}
    assert manifest["ruleset"]["content_hash"] == segrule.compile_file(RETAIL).info.content_hash


def test_files_as_partitions(client, inputs, tmp_path):
    lines, paths, expected, expected_errors = inputs
    totals = segrule.dask.evaluate(paths, RETAIL, tmp_path / "out", as_of=AS_OF, client=client)
    check_output(str(tmp_path / "out"), totals, expected, expected_errors)
    assert sorted(os.listdir(tmp_path / "out"))[:2] == ["manifest.json", "part-00000.errors.jsonl"]
    # Each worker process compiled the ruleset once, for six partitions.
    assert set(client.run(segrule.dask.compile_count).values()) <= {1}
    assert sum(client.run(segrule.dask.compile_count).values()) == 2 or len(client.scheduler_info()["workers"]) < 2
    # The directory holds one run: a second run into it must say so.
    with pytest.raises(FileExistsError, match="overwrite=True"):
        segrule.dask.evaluate(paths, RETAIL, tmp_path / "out", as_of=AS_OF, client=client)
    again = segrule.dask.evaluate(paths[:2], RETAIL, tmp_path / "out", as_of=AS_OF, client=client, overwrite=True)
    assert again.read == len(read_lines(os.path.join(tmp_path / "out", "part-*.jsonl")))


def test_a_bag_of_dicts_and_a_bag_of_lines(client, inputs, tmp_path):
    lines, paths, expected, expected_errors = inputs
    records = [json.loads(line, parse_float=Decimal) if i not in BROKEN else line for i, line in enumerate(lines)]
    totals = segrule.dask.evaluate(db.from_sequence(records, npartitions=5), RETAIL, tmp_path / "dicts", as_of=AS_OF,
                                   client=client)
    check_output(str(tmp_path / "dicts"), totals, expected, expected_errors)
    totals = segrule.dask.evaluate(db.read_text(paths), RETAIL, tmp_path / "text", as_of=AS_OF, client=client)
    check_output(str(tmp_path / "text"), totals, expected, expected_errors)


def test_rules_that_do_not_compile_stop_the_run_before_it_starts(client, inputs, tmp_path):
    bad = tmp_path / "bad.seg"
    bad.write_text("ruleset x {", encoding="utf-8")
    with pytest.raises(segrule.CompileError):
        segrule.dask.evaluate(inputs[1], bad, tmp_path / "out", as_of=AS_OF, client=client)
    assert not (tmp_path / "out").exists()
    with pytest.raises(TypeError, match="not one path"):
        segrule.dask.evaluate(inputs[1][0], RETAIL, tmp_path / "out", client=client)


def test_a_worker_killed_mid_run_is_retried(client, inputs, tmp_path):
    lines, _, expected, expected_errors = inputs
    # Many small partitions of JSON lines, so the run is under way when the kill lands.
    bag = db.from_sequence(lines, npartitions=40)
    answer = {}

    def run():
        try:
            answer["totals"] = segrule.dask.evaluate(bag, RETAIL, tmp_path / "out", as_of=AS_OF, client=client)
        except BaseException as e:  # reported by the main thread
            answer["error"] = e

    pids = client.run(os.getpid)
    runner = threading.Thread(target=run)
    runner.start()
    killed = None
    deadline = time.monotonic() + 30
    while killed is None and runner.is_alive() and time.monotonic() < deadline:
        busy = [addr for addr, keys in client.processing().items() if keys]
        done = len(glob.glob(os.path.join(tmp_path / "out", "part-*[0-9].jsonl")))
        if busy and done >= 1:  # under way: some partitions written, others running
            killed = pids[busy[0]]
            os.kill(killed, signal.SIGKILL)
        time.sleep(0.005)
    runner.join(60)
    assert killed is not None, "the run ended before a worker could be killed"
    assert "error" not in answer, answer.get("error")
    check_output(str(tmp_path / "out"), answer["totals"], expected, expected_errors)
    assert killed not in client.run(os.getpid).values()  # that process is gone
    # Every partition it had finished (results held in its memory) or was running ran again elsewhere.
    manifest = json.load(open(os.path.join(tmp_path / "out", "manifest.json"), encoding="utf-8"))
    assert len(manifest["partitions"]) == 40
    assert not [p for p in manifest["partitions"] if p["worker"].endswith(f":{killed}")]
