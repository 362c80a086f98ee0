import io
import os

import pytest

import segrule
from conftest import AS_OF, MONEY, RETAIL, ROOT, cli_eval, generate


@pytest.fixture(scope="module")
def retail():
    return segrule.compile_file(RETAIL)


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    """Customers with a few broken records among them."""
    lines = generate(500).splitlines()
    lines[3] = '{"id":"BAD1","age":"old"}'
    lines[250] = "not json"
    lines[499] = '{"id":"BAD2"}'
    path = tmp_path_factory.mktemp("messy") / "messy.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_file_output_equals_the_command_byte_for_byte(retail, messy, tmp_path):
    out, err = tmp_path / "out.jsonl", tmp_path / "err.jsonl"
    totals = retail.evaluate_file(messy, output=out, errors=err, as_of=AS_OF)
    assert totals == segrule.Totals(read=500, results=497, errors=3)
    cli_out, cli_err = tmp_path / "cli.jsonl", tmp_path / "cli-err.jsonl"
    _, _, code = cli_eval(RETAIL, messy, "--output", str(cli_out), "--errors", str(cli_err))
    assert code == 3
    assert out.read_bytes() == cli_out.read_bytes()
    assert err.read_bytes() == cli_err.read_bytes()
    # No temporary file left behind.
    assert sorted(os.listdir(tmp_path)) == ["cli-err.jsonl", "cli.jsonl", "err.jsonl", "out.jsonl"]


def test_threads_do_not_change_the_output(retail, messy, tmp_path):
    one, four = io.StringIO(), io.StringIO()
    retail.evaluate_file(messy, output=one, errors=io.StringIO(), threads=1, as_of=AS_OF)
    retail.evaluate_file(messy, output=four, errors=io.StringIO(), threads=4, as_of=AS_OF)
    assert one.getvalue() == four.getvalue() and one.getvalue().count("\n") == 497


def test_csv_by_extension_and_text_inputs(retail, tmp_path):
    csv_path = tmp_path / "c.csv"
    csv_path.write_text(generate(50, "csv"), encoding="utf-8")
    jsonl_path = tmp_path / "c.jsonl"
    jsonl_path.write_text(generate(50), encoding="utf-8")
    a, b, c = io.StringIO(), io.StringIO(), io.StringIO()
    assert retail.evaluate_file(csv_path, output=a, as_of=AS_OF).results == 50
    assert retail.evaluate_file(jsonl_path, output=b, as_of=AS_OF).results == 50
    assert retail.evaluate_text(jsonl_path.read_text(encoding="utf-8"), output=c, as_of=AS_OF).read == 50
    assert a.getvalue() == b.getvalue() == c.getvalue()
    cli_out, _, _ = cli_eval(RETAIL, str(csv_path))
    assert a.getvalue().encode() == cli_out


def test_defaults_are_stdout_and_stderr(retail, capsys):
    retail.evaluate_text('{"id":"X"}\n' + generate(2), as_of=AS_OF)
    captured = capsys.readouterr()
    assert captured.out.count("\n") == 2
    assert captured.err == '{"line":1,"key":"X","error":"missing required field `age`"}\n'


def test_a_failed_run_writes_neither_file(retail, messy, tmp_path):
    out = tmp_path / "out.jsonl"

    class Full:
        def write(self, text):
            raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        retail.evaluate_file(messy, output=out, errors=Full(), as_of=AS_OF)
    assert os.listdir(tmp_path) == []


def test_bad_inputs_and_options(retail, tmp_path):
    with pytest.raises(OSError, match="cannot read"):
        retail.evaluate_file(tmp_path / "missing.jsonl", output=io.StringIO(), as_of=AS_OF)
    with pytest.raises(ValueError, match="format is jsonl, json or csv"):
        retail.evaluate_file(tmp_path / "x", format="xml", as_of=AS_OF)
    with pytest.raises(ValueError, match="threads"):
        retail.evaluate_file(tmp_path / "x", threads=300, as_of=AS_OF)
    with pytest.raises(TypeError, match="path or a file object"):
        retail.evaluate_file(tmp_path / "x", output=42, as_of=AS_OF)
    assert os.listdir(tmp_path) == []
