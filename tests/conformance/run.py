#!/usr/bin/env python3
"""The conformance suite through the command line.

Usage: run.py SEGRULE_BINARY [FILTER]

Reads every tests/conformance/*.yaml (the format is in README.md next to this
file). For each case it writes the rules to a temporary file and runs
`segrule eval` (records as JSON Lines or CSV on standard input) or
`segrule check` (diagnostics and warnings cases), then compares what came out
with the case's expectation: whole result objects, member order included,
numbers by their exact text.

Prints `FAIL file:case: ...` for each failure, `KNOWN file:case: ...` for a
case marked `known_failure` that still fails (counted apart, not failed), and
ends with the line `N passed, N failed`. Exits 1 when a case
fails, when a `known_failure` case passes (remove the mark), or when the
suite has fewer than MIN_CASES cases; 2 for misuse or a malformed suite.
FILTER, when given, runs only the cases whose `file:name` contains it (the
size check is then skipped).
"""
import base64
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

SUITE_DIR = Path(__file__).resolve().parent
MIN_CASES = 300
CASE_KEYS = {"name", "rules", "rules_base64", "pad_to_bytes", "standalone", "as_of", "records",
             "record_json", "csv", "json_array", "expect", "diagnostics", "warnings", "known_failure"}
FILE_KEYS = {"suite", "prelude", "as_of", "cases"}
JSON_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
CODE_LINE = re.compile(r"^(?:error|warning)\[([EW][0-9]{4})\]", re.MULTILINE)
SUMMARY = re.compile(r"^segrule: (\d+) records? read: (\d+) results?, (\d+) errors?$")


class SuiteError(Exception):
    """The suite itself is malformed (not a failing case)."""


# --- values: YAML and JSON read into one comparable form ---------------------
# A value is ("null",), ("bool", b), ("num", text), ("str", s), ("arr", [v...])
# or ("obj", [(key, v)...]). Numbers keep their text so they compare exactly.

def from_yaml(node):
    """A YAML node as a value. A plain scalar is null (`null`, `~`, empty),
    a boolean (`true`, `false`), a number (JSON number syntax) or a string;
    a quoted scalar is always a string."""
    if isinstance(node, yaml.ScalarNode):
        if node.style:  # quoted or block: text
            return ("str", node.value)
        text = node.value
        if text in ("null", "~", ""):
            return ("null",)
        if text in ("true", "false"):
            return ("bool", text == "true")
        if JSON_NUMBER.fullmatch(text):
            return ("num", text)
        return ("str", text)
    if isinstance(node, yaml.SequenceNode):
        return ("arr", [from_yaml(item) for item in node.value])
    return ("obj", [(scalar_text(k), from_yaml(v)) for k, v in node.value])


def scalar_text(node):
    if not isinstance(node, yaml.ScalarNode):
        raise SuiteError("line %d: expected a scalar" % (node.start_mark.line + 1))
    return node.value


def from_json(text):
    """JSON text as a value, member order and number text kept."""
    return to_value(json.loads(text, object_pairs_hook=lambda pairs: ("obj", pairs),
                               parse_int=lambda t: ("num", t), parse_float=lambda t: ("num", t)))


def parsed_or_none(text):
    """JSON text as a value, or None when it is not valid JSON."""
    try:
        return from_json(text)
    except ValueError:
        return None


def to_value(decoded):
    if decoded is None:
        return ("null",)
    if isinstance(decoded, bool):
        return ("bool", decoded)
    if isinstance(decoded, str):
        return ("str", decoded)
    if isinstance(decoded, list):
        return ("arr", [to_value(item) for item in decoded])
    kind = decoded[0]
    if kind == "num":
        return decoded
    return ("obj", [(k, to_value(v)) for k, v in decoded[1]])


def to_json(value):
    """A value as compact JSON text, numbers exactly as written."""
    kind = value[0]
    if kind == "null":
        return "null"
    if kind == "bool":
        return "true" if value[1] else "false"
    if kind == "num":
        return value[1]
    if kind == "str":
        return json.dumps(value[1], ensure_ascii=False)
    if kind == "arr":
        return "[" + ",".join(to_json(item) for item in value[1]) + "]"
    return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + to_json(v) for k, v in value[1]) + "}"


def as_mapping(node, what):
    if not isinstance(node, yaml.MappingNode):
        raise SuiteError("%s must be a mapping (line %d)" % (what, node.start_mark.line + 1))
    return {scalar_text(k): v for k, v in node.value}


def string_of(node, what):
    value = from_yaml(node)
    if value[0] not in ("str", "num", "bool"):
        raise SuiteError("%s must be text (line %d)" % (what, node.start_mark.line + 1))
    return node.value


def codes_of(node, what):
    value = from_yaml(node)
    if value[0] != "arr" or any(item[0] != "str" for item in value[1]):
        raise SuiteError("%s must be a list of codes (line %d)" % (what, node.start_mark.line + 1))
    return sorted(item[1] for item in value[1])


# --- reading the suite ----------------------------------------------------------

class Case:
    def __init__(self, file_name, index, fields, prelude, default_as_of):
        self.file = file_name
        unknown = set(fields) - CASE_KEYS
        if unknown:
            raise SuiteError("%s: case %d: unknown key(s) %s" % (file_name, index + 1, ", ".join(sorted(unknown))))
        if "name" not in fields:
            raise SuiteError("%s: case %d has no name" % (file_name, index + 1))
        self.name = string_of(fields["name"], "name")
        self.where = "%s:%s" % (file_name, self.name)
        standalone = "standalone" in fields and from_yaml(fields["standalone"]) == ("bool", True)
        if "rules_base64" in fields:
            self.rules = base64.b64decode(string_of(fields["rules_base64"], "rules_base64"))
        else:
            text = string_of(fields["rules"], "rules") if "rules" in fields else ""
            self.rules = ((prelude if not standalone else "") + text).encode("utf-8")
        if "pad_to_bytes" in fields:
            target = int(string_of(fields["pad_to_bytes"], "pad_to_bytes"))
            line = b"# " + b"x" * 77 + b"\n"
            self.rules += line * ((max(0, target - len(self.rules)) + len(line) - 1) // len(line))
        self.as_of = string_of(fields["as_of"], "as_of") if "as_of" in fields else default_as_of
        self.known_failure = string_of(fields["known_failure"], "known_failure") if "known_failure" in fields else None
        self.diagnostics = codes_of(fields["diagnostics"], "diagnostics") if "diagnostics" in fields else None
        self.warnings = codes_of(fields["warnings"], "warnings") if "warnings" in fields else None
        self.format = "jsonl"
        self.inputs = None  # one text per record (JSON), or the whole CSV text
        if "records" in fields:
            value = from_yaml(fields["records"])
            if value[0] != "arr" or any(item[0] != "obj" for item in value[1]):
                raise SuiteError("%s: records must be a list of mappings" % self.where)
            self.inputs = [to_json(item) for item in value[1]]
        elif "record_json" in fields:
            value = from_yaml(fields["record_json"])
            items = value[1] if value[0] == "arr" else [value]
            if any(item[0] != "str" or "\n" in item[1] for item in items):
                raise SuiteError("%s: record_json must be one-line strings" % self.where)
            self.inputs = [item[1] for item in items]
        elif "csv" in fields:
            self.format = "csv"
            self.inputs = string_of(fields["csv"], "csv")
        elif "json_array" in fields:
            self.format = "json"
            self.inputs = string_of(fields["json_array"], "json_array")
        self.expect = None
        if "expect" in fields:
            value = from_yaml(fields["expect"])
            if value[0] != "arr":
                raise SuiteError("%s: expect must be a list" % self.where)
            self.expect = [expectation(item, self.where) for item in value[1]]
        if (self.inputs is None) != (self.expect is None):
            raise SuiteError("%s: records (or record_json, csv, json_array) and expect go together" % self.where)
        if self.inputs is None and self.diagnostics is None and self.warnings is None:
            raise SuiteError("%s: a case needs records and expect, diagnostics, or warnings" % self.where)
        if self.diagnostics is not None and (self.warnings is not None or self.inputs is not None):
            raise SuiteError("%s: a diagnostics case does not compile: no warnings or records" % self.where)

    def record_lines(self):
        """The input text, and the line on which each record starts."""
        if self.format == "csv":
            return self.inputs, csv_row_lines(self.inputs)
        if self.format == "json":
            return self.inputs, json_element_lines(self.inputs)
        # JSON Lines: a blank line is no record, but it counts for line numbers.
        lines = [n + 1 for n, record in enumerate(self.inputs) if record.strip()]
        return "".join(record + "\n" for record in self.inputs), lines


def expectation(value, where):
    """A result: ("result", value). A record error: ("error", text the message
    contains, text it must not show or None, the key's text or None)."""
    if value[0] != "obj":
        raise SuiteError("%s: each expect entry must be a mapping" % where)
    members = dict(value[1])
    if "error" in members and set(members) <= {"error", "hides", "key"}:
        if any(v[0] not in ("str", "num") for v in members.values()):
            raise SuiteError("%s: error:, hides: and key: must be text" % where)
        text = {k: v[1] for k, v in members.items()}
        return ("error", text["error"], text.get("hides"), text.get("key"))
    return ("result", value)


def load_suite(pattern=""):
    cases = []
    names = set()
    for path in sorted(SUITE_DIR.glob("*.yaml")):
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        top = as_mapping(root, path.name)
        unknown = set(top) - FILE_KEYS
        if unknown:
            raise SuiteError("%s: unknown key(s) %s" % (path.name, ", ".join(sorted(unknown))))
        prelude = string_of(top["prelude"], "prelude") if "prelude" in top else ""
        as_of = string_of(top["as_of"], "as_of") if "as_of" in top else None
        if "cases" not in top or not isinstance(top["cases"], yaml.SequenceNode):
            raise SuiteError("%s: needs a list of cases" % path.name)
        for index, node in enumerate(top["cases"].value):
            case = Case(path.name, index, as_mapping(node, "a case"), prelude, as_of)
            if case.where in names:
                raise SuiteError("%s: two cases have this name" % case.where)
            names.add(case.where)
            if pattern in case.where:
                cases.append(case)
    return cases


def csv_row_lines(text):
    """The line on which each data row of a CSV text starts (the header is line 1)."""
    starts = []
    line = 1
    quoted = False
    at_row_start = True
    for i, ch in enumerate(text):
        if at_row_start and not quoted:
            starts.append(line)
            at_row_start = False
        if ch == '"':
            quoted = not quoted
        elif ch == "\n":
            line += 1
            if not quoted:
                at_row_start = i + 1 < len(text)
    return starts[1:]  # the first row is the header


def json_element_lines(text):
    """The line on which each element of a JSON array text starts."""
    starts = []
    line = 1
    depth = 0
    in_string = escaped = False
    expecting = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch in "[{":
            if depth == 1 and expecting:
                starts.append(line)
                expecting = False
            depth += 1
            if depth == 1:
                expecting = True
        elif ch in "]}":
            depth -= 1
        elif ch == ",":
            if depth == 1:
                expecting = True
        elif not ch.isspace() and depth == 1 and expecting:
            starts.append(line)
            expecting = False
            in_string = ch == '"'
        elif ch == '"':
            in_string = True
        if ch == "\n":
            line += 1
    return starts


# --- running one case through the command -----------------------------------------

def run(binary, args, stdin=b""):
    proc = subprocess.run([binary] + args, input=stdin, capture_output=True, timeout=120)
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")


def check_codes(binary, rules_path, case):
    """Compares `segrule check` with a diagnostics or warnings case: the reason it fails, or None."""
    code, out, err = run(binary, ["check", rules_path])
    got = sorted(CODE_LINE.findall(err))
    if case.diagnostics is not None:
        if code != 1:
            return "expected check to fail (exit 1) with %s, got exit %d and %s\n%s" % (
                case.diagnostics, code, got, err)
        if got != case.diagnostics:
            return "expected diagnostics %s, got %s\n%s" % (case.diagnostics, got, err)
        return None
    if code != 0:
        return "expected the rules to compile with warnings %s, got exit %d and %s\n%s" % (case.warnings, code, got, err)
    if got != case.warnings:
        return "expected warnings %s, got %s\n%s" % (case.warnings, got, err)
    return None


def eval_records(binary, rules_path, case):
    """Runs `segrule eval` over the case's records: the reason it fails, or None."""
    args = ["eval", rules_path, "--input", "-", "--format", case.format]
    if case.as_of:
        args += ["--as-of", case.as_of]
    stdin, lines = case.record_lines()
    code, out, err = run(binary, args, stdin.encode("utf-8"))
    if code not in (0, 3):
        return "eval exited %d\n%s" % (code, err)
    results = [line for line in out.split("\n") if line]
    errors = {}
    summary = None
    for line in err.split("\n"):
        if line.startswith("{"):
            entry = json.loads(line)
            errors[entry["line"]] = (entry.get("error", ""), key_text(entry.get("key")))
        elif SUMMARY.match(line):
            summary = SUMMARY.match(line)
    if summary is None:
        return "eval printed no summary line\n%s" % err
    read, n_results, n_errors = (int(g) for g in summary.groups())
    if read != len(lines) or n_results != len(results) or n_errors != len(errors) or read != n_results + n_errors:
        return "summary `%s` does not match %d records, %d results, %d errors" % (
            summary.group(0), len(lines), len(results), len(errors))
    if code != (3 if errors else 0):
        return "eval exited %d with %d errors" % (code, len(errors))
    got = []
    next_result = iter(results)
    for line in lines:
        if line in errors:
            got.append(("error",) + errors[line])
        else:
            text = next(next_result, None)
            if text is None:
                return "fewer results than records"
            got.append(("result", text, None))
    return compare_outcomes(case.expect, got)


def key_text(key):
    """An error entry's key as text: a JSON string's value, a number's text."""
    if key is None or isinstance(key, str):
        return key
    return json.dumps(key)


def compare_outcomes(expected, got):
    """Expected entries against outcomes, record by record: ("result", JSON
    text, None) or ("error", message, key text or None)."""
    if len(expected) != len(got):
        return "expected %d outcomes, got %d: %s" % (len(expected), len(got), [g[1] for g in got])
    problems = []
    for i, (expectation_, (got_kind, text, got_key)) in enumerate(zip(expected, got)):
        want_kind, want = expectation_[0], expectation_[1]
        if want_kind == "error":
            hides, key = expectation_[2], expectation_[3]
            if got_kind != "error":
                problems.append("record %d: expected an error containing %r, got %s" % (i + 1, want, text))
            elif want not in text:
                problems.append("record %d: expected an error containing %r, got error %r" % (i + 1, want, text))
            elif hides is not None and hides in text:
                problems.append("record %d: the error shows %r, which it must hide: %r" % (i + 1, hides, text))
            elif key is not None and key != got_key:
                problems.append("record %d: expected the error's key %r, got %r" % (i + 1, key, got_key))
        elif got_kind == "error":
            problems.append("record %d: expected %s, got error %r" % (i + 1, to_json(want), text))
        elif parsed_or_none(text) != want:
            problems.append("record %d: expected %s, got %s" % (i + 1, to_json(want), text))
    return "; ".join(problems) or None


def run_case(binary, case, workdir):
    rules_path = os.path.join(workdir, "case.seg")
    with open(rules_path, "wb") as f:
        f.write(case.rules)
    if case.diagnostics is not None or case.warnings is not None:
        problem = check_codes(binary, rules_path, case)
        if problem:
            return problem
    if case.inputs is not None:
        return eval_records(binary, rules_path, case)
    return None


def main():
    argv = sys.argv[1:]
    if not argv or argv[0].startswith("-"):
        print(__doc__)
        return 2
    binary = os.path.abspath(argv[0])
    pattern = argv[1] if len(argv) > 1 else ""
    try:
        cases = load_suite(pattern)
    except (SuiteError, yaml.YAMLError) as e:
        print("malformed suite: %s" % e)
        return 2
    passed = failed = known = 0
    with tempfile.TemporaryDirectory(prefix="segrule-conformance-") as workdir:
        for case in cases:
            problem = run_case(binary, case, workdir)
            if case.known_failure:
                if problem:
                    known += 1
                    print("KNOWN %s: %s (%s)" % (case.where, case.known_failure, problem.split("\n")[0]))
                else:
                    failed += 1
                    print("FAIL %s: marked known_failure (%s) but passes: remove the mark" % (
                        case.where, case.known_failure))
            elif problem:
                failed += 1
                print("FAIL %s: %s" % (case.where, problem))
            else:
                passed += 1
    if not pattern and len(cases) < MIN_CASES:
        print("FAIL the suite has %d cases, fewer than %d" % (len(cases), MIN_CASES))
        failed += 1
    if known:
        print("%d known failures (marked known_failure: the engine disagrees with the spec)" % known)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
