"""The engine runs without the GIL: while one thread evaluates, another keeps
running Python. If the GIL were held, the main thread would stand still for
the whole call (one gap as long as the run); without it, it never stops for
long."""
import json
import threading
import time
from decimal import Decimal

import pytest

import segrule
from conftest import AS_OF, RETAIL, generate


@pytest.fixture(scope="module")
def workload():
    text = generate(30000)
    records = [json.loads(line, parse_float=Decimal) for line in text.splitlines()]
    return segrule.compile_file(RETAIL), text, records


def longest_pause_while(call):
    """Runs call() on a thread; returns (its duration, the main thread's longest
    pause between two loop turns meanwhile, loop turns)."""
    done = threading.Event()
    took = []

    def run():
        start = time.perf_counter()
        call()
        took.append(time.perf_counter() - start)
        done.set()

    worker = threading.Thread(target=run)
    ticks = [time.perf_counter()]
    worker.start()
    while not done.is_set():
        ticks.append(time.perf_counter())
    worker.join()
    pauses = [b - a for a, b in zip(ticks, ticks[1:])] or [0.0]
    return took[0], max(pauses), len(ticks)


@pytest.mark.parametrize("how", ["file", "list"])
def test_evaluation_releases_the_gil(workload, how, tmp_path):
    rules, text, records = workload
    if how == "file":
        # The engine reads text far faster than Python builds dicts: ten times the
        # records keep the evaluation long enough to see the other thread run.
        text = text * 10
        call = lambda: rules.evaluate_text(text, output=str(tmp_path / "o"), errors=str(tmp_path / "e"), as_of=AS_OF)
    else:
        call = lambda: rules.evaluate(records, as_of=AS_OF)
    took, pause, turns = longest_pause_while(call)
    assert took > 0.1, "the workload is too small to tell"
    assert turns > 1000
    assert pause < took / 3, f"the main thread stood still {pause:.3f}s of a {took:.3f}s evaluation"


def test_two_threads_evaluate_at_once(workload):
    """Both threads get through a big list; results are the same as one thread's."""
    rules, _, records = workload
    part = records[:5000]
    expected = rules.evaluate(part, as_of=AS_OF)
    answers = [None, None]

    def run(i):
        answers[i] = rules.evaluate(part, as_of=AS_OF)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers[0] == expected and answers[1] == expected
