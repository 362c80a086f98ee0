import shutil

import pytest

import segrule
from conftest import AS_OF, MONEY

A = {"id": "A", "name": "x", "aum": 1500000, "age": 40, "opened": "2020-01-01", "tags": []}


def test_reload_swaps_versions_and_keeps_serving_on_errors(tmp_path):
    path = tmp_path / "rules.seg"
    shutil.copy(MONEY, path)
    engine = segrule.Engine(path)
    first = engine.current
    assert engine.evaluate(A, as_of=AS_OF)["tier"] == "high"

    path.write_text(path.read_text(encoding="utf-8").replace("100万", "200万"), encoding="utf-8")
    r = engine.reload()
    assert r.ok and r.changed and r.content_hash != first.info.content_hash
    assert engine.current.info.content_hash == r.content_hash
    assert engine.evaluate(A, as_of=AS_OF)["tier"] == "low"
    assert first.evaluate(A, as_of=AS_OF)["tier"] == "high"  # a snapshot stays as it was

    assert engine.reload().changed is False

    path.write_text("ruleset broken {", encoding="utf-8")
    r = engine.reload()
    assert not r.ok and r.diagnostics and r.diagnostics[0].severity == "error"
    assert r.diagnostics[0].file == str(path) and r.diagnostics[0].line >= 1
    assert engine.evaluate(A, as_of=AS_OF)["tier"] == "low"  # the last good version serves on

    r = engine.reload_text(open(MONEY, encoding="utf-8").read())
    assert r.ok and r.content_hash == first.info.content_hash
    assert engine.evaluate([A], as_of=AS_OF)[0]["tier"] == "high"
    assert "high" in engine.explain(A, as_of=AS_OF)


def test_an_engine_needs_a_file_that_compiles(tmp_path):
    path = tmp_path / "bad.seg"
    path.write_text("ruleset x {", encoding="utf-8")
    with pytest.raises(segrule.CompileError):
        segrule.Engine(path)
