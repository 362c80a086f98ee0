import os

import pytest

import segrule
from conftest import MONEY, RETAIL

BROKEN = """ruleset e {
  version "1"
}
input c key id {
  id : string
  aum : money
}
tiers t {
  a "A" when aumm >= 10
  c "C" otherwise
}
"""

WARNED = """ruleset w {
  version "2"
}
input c key id {
  id : string
  aum : money
}
let amount = aum ?? 0
tiers t {
  a "A" when amount >= 10
  c "C" otherwise
}
"""


def test_compile_file_gives_the_rulesets_identity():
    rules = segrule.compile_file(RETAIL)
    info = rules.info
    assert info.name == "retail_2025"
    assert info.version == "2025.05"
    assert info.effective == "2025-06-01"
    assert info.owner == "个人金融部"
    assert info.file == RETAIL
    assert info.content_hash.startswith("sha256:") and len(info.content_hash) == 7 + 64
    assert rules.warnings == []
    assert "retail_2025" in repr(rules)


def test_same_text_same_hash_whatever_the_name():
    with open(MONEY, encoding="utf-8") as f:
        text = f.read()
    assert segrule.compile(text, "a.seg").info.content_hash == segrule.compile_file(MONEY).info.content_hash
    assert segrule.compile(text).info.file == "<rules>"


def test_errors_are_diagnostic_objects_with_line_and_column():
    with pytest.raises(segrule.CompileError) as caught:
        segrule.compile(BROKEN, "broken.seg")
    e = caught.value
    assert len(e.diagnostics) == 1
    d = e.diagnostics[0]
    assert isinstance(d, segrule.Diagnostic)
    assert (d.severity, d.code, d.file, d.line, d.column) == ("error", "E0201", "broken.seg", 9, 14)
    assert d.message == "unknown name `aumm`"
    assert d.help == "did you mean `aum`?"
    assert str(d) == "broken.seg:9:14: error[E0201]: unknown name `aumm`"
    assert e.errors == [d]
    # str() is the report `segrule check` prints: the source line and a caret.
    assert "a \"A\" when aumm >= 10" in str(e) and "^^^^" in str(e)


def test_warnings_come_with_the_ruleset():
    rules = segrule.compile(WARNED, "w.seg")
    assert [(w.severity, w.code, w.line) for w in rules.warnings] == [("warning", "W0402", 8)]


def test_unreadable_file_is_a_compile_error(tmp_path):
    missing = tmp_path / "nope.seg"
    with pytest.raises(segrule.CompileError) as caught:
        segrule.compile_file(missing)
    assert "cannot read" in caught.value.diagnostics[0].message
    assert str(missing) in caught.value.diagnostics[0].message
