import datetime
import json
import os
from decimal import Decimal

import pytest

import segrule
from conftest import AS_OF, MONEY, RETAIL, ROOT, cli_eval

EXAMPLES = os.path.join(ROOT, "examples", "customers.jsonl")

A = {"id": "A", "name": "张三", "aum": Decimal("1200000.10"), "age": 40, "opened": "2020-01-01", "tags": ["x"]}


@pytest.fixture(scope="module")
def money():
    return segrule.compile_file(MONEY)


@pytest.fixture(scope="module")
def retail():
    return segrule.compile_file(RETAIL)


def test_money_comes_back_as_exact_decimals(money):
    r = money.evaluate(A, as_of=AS_OF)
    assert r == {"id": "A", "tier": "high", "credit_line": Decimal("180000.015"),
                 "ratio": Decimal("400000.033333333333333333"), "visits": Decimal(4), "flags": [], "dropped": []}
    # One rule for every number: Decimal, even when it prints without a fraction.
    assert all(type(r[k]) is Decimal for k in ("credit_line", "ratio", "visits"))
    low = money.evaluate(dict(A, aum=Decimal("100")), as_of=AS_OF)
    assert type(low["credit_line"]) is Decimal and low["credit_line"] == 0
    assert low["ratio"] is None


def test_results_equal_the_command_for_every_example(retail):
    with open(EXAMPLES, encoding="utf-8") as f:
        lines = [line for line in f if line.strip()]
    records = [json.loads(line, parse_float=Decimal) for line in lines]
    stdout, _, code = cli_eval(RETAIL, EXAMPLES)
    expected = [segrule.loads(line) for line in stdout.decode().splitlines()]
    assert code == 0 and len(expected) == len(records)
    assert retail.evaluate(records, as_of=AS_OF) == expected
    assert retail.evaluate(records, as_of=AS_OF, threads=4) == expected
    assert [retail.evaluate(r, as_of=AS_OF) for r in records[:20]] == expected[:20]
    # JSON text records are read exactly as the command reads them.
    assert retail.evaluate(lines, as_of=AS_OF) == expected


def test_python_values_become_the_engine_types(money):
    record = {"id": "A", "name": "x", "aum": 1200000, "age": 40, "opened": datetime.date(2020, 1, 1),
              "tags": ("a", "b"), "note": None, "ignored": {"nested": [1, 2.5, None]}}
    assert money.evaluate(record, as_of=datetime.date(2025, 6, 30))["credit_line"] == Decimal("180000")
    # A float is read from its shortest text: 0.1 is 0.1, not 0.1000000000000000055...
    r = money.evaluate(dict(record, aum=1000000.1), as_of=AS_OF)
    assert r["credit_line"] == Decimal("150000.015")
    assert money.evaluate(dict(record, aum=Decimal("1E+6")), as_of=AS_OF)["credit_line"] == Decimal("150000")


@pytest.mark.parametrize("value, says", [
    (float("nan"), "field `aum`: nan is not a number"),
    (float("inf"), "field `aum`: inf is not a number"),
    (Decimal("NaN"), "field `aum`: Decimal('NaN') is not a number"),
    ({1, 2}, "field `aum`: a set value cannot be read"),
    (datetime.datetime(2020, 1, 1, 12), "field `aum`: a datetime has a time of day"),
    ("12", "field `aum`: expected a number, found a string"),
])
def test_values_the_engine_cannot_take_are_record_errors(money, value, says):
    with pytest.raises(segrule.RecordError) as caught:
        money.evaluate(dict(A, aum=value), as_of=AS_OF)
    assert says in str(caught.value)


def test_a_record_error_names_the_field_and_key(money):
    with pytest.raises(segrule.RecordError) as caught:
        money.evaluate({"id": "B", "name": "x"}, as_of=AS_OF)
    assert caught.value.key == "B"
    assert caught.value.message == "missing required field `aum`"
    with pytest.raises(segrule.RecordError, match="division by zero in `aum / \\(age - 30\\)`"):
        money.evaluate(dict(A, age=30), as_of=AS_OF)
    with pytest.raises(segrule.RecordError, match="not valid JSON|JSON"):
        money.evaluate('{"id": ', as_of=AS_OF)


def test_a_list_answers_each_record_in_place(money):
    records = [A, dict(A, id="B", age=30), dict(A, id="C", aum=float("nan")), dict(A, id="D")]
    out = money.evaluate(records, as_of=AS_OF)
    assert [type(x) for x in out] == [dict, segrule.ErrorEntry, segrule.ErrorEntry, dict]
    assert out[1] == {"index": 1, "key": "B", "error": "division by zero in `aum / (age - 30)` (line 18)"}
    assert out[1].index == 1 and out[1].key == "B" and "division" in out[1].error
    assert out[2]["index"] == 2 and out[2]["key"] is None and "nan" in out[2]["error"]
    assert out[3]["id"] == "D"
    assert money.evaluate(iter(records), as_of=AS_OF) == out  # any iterable
    assert money.evaluate([], as_of=AS_OF) == []


def test_misuse_raises(money):
    with pytest.raises(TypeError, match="a record is a dict"):
        money.evaluate([A, 42], as_of=AS_OF)
    with pytest.raises(ValueError, match="as_of must be a date"):
        money.evaluate(A, as_of="2025-02-30")
    with pytest.raises(TypeError):
        money.evaluate(A, as_of=datetime.datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="threads"):
        money.evaluate([A], as_of=AS_OF, threads=0)


def test_personal_data_stays_masked(money):
    text = money.explain(A, as_of=AS_OF)
    assert "name = 张*" in text and "张三" not in text
    assert "张三" in money.explain(A, as_of=AS_OF, show_pii=True)
    assert "张三" not in json.dumps(money.explain(A, as_json=True, as_of=AS_OF), default=str, ensure_ascii=False)
    assert "张三" not in json.dumps(money.evaluate(A, as_of=AS_OF, explain=True), default=str, ensure_ascii=False)


def test_explain_as_text_and_json(money, retail):
    text = money.explain(A, as_of=AS_OF)
    assert "→ tier = high (高)" in text and "needs >= 100万 ✓" in text
    doc = money.explain(A, as_json=True, as_of=AS_OF)
    assert doc["key"] == "A" and doc["as_of"] == AS_OF
    assert doc["result"]["credit_line"] == Decimal("180000.015")
    # A record that cannot be evaluated is explained too.
    assert "aum" in money.explain({"id": "Z", "name": "x"}, as_of=AS_OF)
    with pytest.raises(segrule.RecordError, match="nan"):
        money.explain(dict(A, aum=float("nan")), as_of=AS_OF)


def test_explain_member_on_request(money):
    r = money.evaluate(A, as_of=AS_OF, explain=True)
    assert "explain" in r and r["tier"] == "high"
