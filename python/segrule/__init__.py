"""segrule for Python: compile `.seg` rule files and evaluate customer records.

    import segrule
    rules = segrule.compile_file("rulesets/retail-2025.seg")
    result = rules.evaluate({"id": "C1", "aum": Decimal("1200000.00"), ...}, as_of="2025-06-30")
    result["value_tier"]                    # 'platinum'

Every number segrule gives back is a decimal.Decimal (exact, never a float).
A record that cannot be evaluated raises RecordError when evaluated alone, and
is an ErrorEntry in the answer to a list. See docs/python.md; Dask runs are in
`segrule.dask` (docs/scale-out.md).
"""

from __future__ import annotations

import datetime as _datetime
import json as _json
import os as _os
import sys as _sys
import tempfile as _tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable, List, Optional, Tuple, Union

from . import _segrule

__all__ = [
    "compile", "compile_file", "Ruleset", "RulesetInfo", "Engine", "ReloadResult", "Diagnostic",
    "CompileError", "RecordError", "ErrorEntry", "Totals", "loads",
]


def loads(text: str) -> Any:
    """JSON text as segrule returns it: every number a Decimal, exactly as written."""
    return _json.loads(text, parse_float=Decimal, parse_int=Decimal)


@dataclass(frozen=True)
class Diagnostic:
    """One error or warning about a rule file, located: `file:line:column`."""
    severity: str            # "error" or "warning"
    code: str                # stable, e.g. "E0201" (docs/diagnostics.md)
    message: str
    help: str = ""
    notes: Tuple[str, ...] = ()
    file: str = ""
    line: int = 0            # 1-based; 0 when the diagnostic is about the whole file
    column: int = 0          # 1-based, in characters

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}: " if self.line else (f"{self.file}: " if self.file else "")
        return f"{where}{self.severity}[{self.code}]: {self.message}"

    @classmethod
    def _from_dict(cls, d: dict) -> "Diagnostic":
        return cls(severity=d["severity"], code=d["code"], message=d["message"], help=d["help"],
                   notes=tuple(d["notes"]), file=d["file"], line=d["line"], column=d["column"])


def _diagnostics(raw: list) -> List[Diagnostic]:
    return [Diagnostic._from_dict(d) for d in raw]


class CompileError(Exception):
    """The rule file does not compile. `diagnostics` lists every error (and
    warning); str() is the report as `segrule check` prints it."""

    def __init__(self, diagnostics: List[Diagnostic], rendered: str):
        super().__init__(rendered.rstrip("\n") or "the rules do not compile")
        self.diagnostics = diagnostics
        self.rendered = rendered

    @property
    def errors(self) -> List[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]


class RecordError(ValueError):
    """A record that cannot be evaluated (a missing field, a wrong type, a
    division by zero...). `key` is the record's key when it could be read."""

    def __init__(self, message: str, key: Optional[str] = None):
        super().__init__(message if key is None else f"record {key}: {message}")
        self.message = message
        self.key = key


class ErrorEntry(dict):
    """In the answer to a list of records, the entry of a record that could not
    be evaluated: {"index": i, "key": "..." or None, "error": "..."}. A dict, so
    it serialises like the others; test for it with isinstance(x, ErrorEntry)."""

    @property
    def index(self) -> int:
        return self["index"]

    @property
    def key(self) -> Optional[str]:
        return self["key"]

    @property
    def error(self) -> str:
        return self["error"]


@dataclass(frozen=True)
class RulesetInfo:
    """Identity of one version of a ruleset, from its `ruleset` header."""
    name: str
    title: str
    version: str
    effective: str           # "YYYY-MM-DD", or ""
    owner: str
    content_hash: str        # "sha256:" + hex SHA-256 of the rule file's bytes
    file: str


@dataclass(frozen=True)
class Totals:
    """What a batch did: every record read is one result or one error."""
    read: int
    results: int
    errors: int

    def __add__(self, other: "Totals") -> "Totals":
        return Totals(self.read + other.read, self.results + other.results, self.errors + other.errors)


@dataclass(frozen=True)
class ReloadResult:
    ok: bool                 # the file compiled and now serves
    changed: bool            # ok, and its content differs from the version before
    diagnostics: List[Diagnostic] = field(default_factory=list)  # why not (the old version serves on), or warnings
    rendered: str = ""
    content_hash: str = ""   # the version serving after the call


def _as_of_text(as_of: Union[None, str, _datetime.date]) -> str:
    """The evaluation date as YYYY-MM-DD; today (UTC) when None, fixed once per call
    so a batch that runs past midnight is evaluated on one date."""
    if as_of is None:
        return _datetime.datetime.now(_datetime.timezone.utc).date().isoformat()
    if isinstance(as_of, _datetime.datetime):
        raise TypeError("as_of is a date, not a datetime: pass value.date()")
    if isinstance(as_of, _datetime.date):
        return as_of.isoformat()
    if not isinstance(as_of, str) or not _segrule.is_valid_date(as_of):
        raise ValueError(f"as_of must be a date YYYY-MM-DD (a str or datetime.date), not {as_of!r}")
    return as_of


def _is_single_record(x: Any) -> bool:
    return isinstance(x, (dict, str, bytes))


class Ruleset:
    """A compiled ruleset: immutable, cheap to share, safe to use from many
    threads at once (the GIL is released while the engine runs)."""

    def __init__(self, native: "_segrule.Ruleset", warnings: List[Diagnostic]):
        self._native = native
        self.warnings = warnings
        self.info = RulesetInfo(**native.info)

    def __repr__(self) -> str:
        return f"<segrule.Ruleset {self.info.name} {self.info.version} {self.info.content_hash[:15]}>"

    def evaluate(self, records, *, as_of=None, show_pii: bool = False, explain: bool = False, threads: int = 1):
        """Evaluates one record (a dict, or its JSON text) and returns its result
        as a dict, or raises RecordError; or evaluates a list of records and
        returns a list of the same length, holding each record's result dict or
        an ErrorEntry. `threads` (1-256) spreads a list over threads."""
        date = _as_of_text(as_of)
        if _is_single_record(records):
            ok, text, key = self._native.evaluate_one(records, date, show_pii, explain)
            if not ok:
                raise RecordError(text, key)
            return loads(text)
        if not 1 <= threads <= 256:
            raise ValueError(f"threads is from 1 to 256, not {threads}")
        if not isinstance(records, list):
            records = list(records)
        answers = self._native.evaluate_many(records, date, show_pii, explain, threads)
        return [loads(text) if ok else ErrorEntry(index=i, key=key, error=text)
                for i, (ok, text, key) in enumerate(answers)]

    def explain(self, record, as_json: bool = False, *, as_of=None, show_pii: bool = False):
        """How one record was evaluated: the text `segrule explain` prints, or
        with as_json the same as a dict (numbers as Decimal). A record that
        cannot be read is explained too (which field, and why)."""
        date = _as_of_text(as_of)
        try:
            text = self._native.explain(record, date, show_pii, as_json)
        except ValueError as e:  # a value Python cannot hand to the engine
            raise RecordError(str(e)) from None
        return loads(text) if as_json else text

    def evaluate_file(self, path, format: Optional[str] = None, output=None, errors=None, threads: int = 1,
                      as_of=None, *, show_pii: bool = False, explain: bool = False) -> Totals:
        """Evaluates a JSON Lines, JSON array or CSV file (format by extension
        when None: .csv, .json, else jsonl) as `segrule eval` does: result lines
        to `output`, error entries to `errors`. Each is a path (written whole or
        not at all: a temporary file renamed when the run is complete), a text
        file object, or None for sys.stdout / sys.stderr."""
        path = _os.fspath(path)
        fmt = format or _segrule.input_format_for(path)
        return _run_batch(self._native, path, True, fmt, _as_of_text(as_of), show_pii, explain, threads, output, errors)

    def evaluate_text(self, data: Union[str, bytes], format: str = "jsonl", output=None, errors=None, threads: int = 1,
                      as_of=None, *, show_pii: bool = False, explain: bool = False) -> Totals:
        """evaluate_file for an input held in memory (JSON Lines by default)."""
        data = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        return _run_batch(self._native, data, False, format, _as_of_text(as_of), show_pii, explain, threads, output, errors)


class _Target:
    """Where a batch writes one kind of line: a path (through a temporary file
    in the same directory, renamed on success) or a file object."""

    def __init__(self, target, default):
        self.final = None
        self.temp = None
        self.callback = None
        if target is None:
            target = default
        if isinstance(target, (str, bytes, _os.PathLike)):
            self.final = _os.fspath(target)
            if isinstance(self.final, bytes):
                self.final = _os.fsdecode(self.final)
            directory = _os.path.dirname(_os.path.abspath(self.final))
            fd, self.temp = _tempfile.mkstemp(prefix="." + _os.path.basename(self.final) + ".", suffix=".tmp", dir=directory)
            _os.close(fd)
        elif hasattr(target, "write"):
            self.callback = target.write
        else:
            raise TypeError(f"output and errors are a path or a file object, not {type(target).__name__}")

    def commit(self):
        if self.temp:
            _os.replace(self.temp, self.final)
            self.temp = None

    def discard(self):
        if self.temp:
            try:
                _os.unlink(self.temp)
            except FileNotFoundError:
                pass
            self.temp = None


def _run_batch(native, data, data_is_path, fmt, as_of, show_pii, explain, threads, output, errors) -> Totals:
    if fmt not in ("jsonl", "json", "csv"):
        raise ValueError(f"format is jsonl, json or csv, not {fmt!r}")
    if not 1 <= threads <= 256:
        raise ValueError(f"threads is from 1 to 256, not {threads}")
    results_target = _Target(output, _sys.stdout)
    try:
        errors_target = _Target(errors, _sys.stderr)
    except BaseException:
        results_target.discard()
        raise
    try:
        run = native.evaluate_batch_file if data_is_path else native.evaluate_batch
        read, results, errs = run(data, fmt, as_of, show_pii, explain, threads, results_target.temp, results_target.callback,
                                  errors_target.temp, errors_target.callback)
        if read != results + errs:  # the engine guarantees it; a broken promise must not pass silently
            raise RuntimeError(f"internal error: {read} records read but {results} results and {errs} errors")
        # Both written before either is renamed: a failure leaves neither behind.
        results_target.commit()
        errors_target.commit()
    finally:
        results_target.discard()
        errors_target.discard()
    return Totals(read, results, errs)


def _ruleset_of(answer) -> Ruleset:
    native, raw, rendered = answer
    diagnostics = _diagnostics(raw)
    if native is None:
        raise CompileError(diagnostics, rendered)
    return Ruleset(native, [d for d in diagnostics if d.severity == "warning"])


def compile(text: str, file_name: str = "<rules>") -> Ruleset:
    """Compiles rule text; raises CompileError with every diagnostic if it does not compile."""
    return _ruleset_of(_segrule.compile(text, file_name))


def compile_file(path) -> Ruleset:
    """Reads and compiles a rule file; an unreadable file is a CompileError too."""
    return _ruleset_of(_segrule.compile_file(_os.fspath(path)))


class Engine:
    """Serves the current version of one rule file; reload() swaps in a new
    version without stopping evaluations in flight (each runs wholly on the
    version it started with)."""

    def __init__(self, path):
        self.path = _os.fspath(path)
        first = compile_file(self.path)
        self._warnings = {first.info.content_hash: first.warnings}
        self._native = _segrule.Engine(first._native, self.path)

    @property
    def current(self) -> Ruleset:
        """The version serving now: a snapshot that later reloads leave alone."""
        native = self._native.current()
        return Ruleset(native, self._warnings.get(native.info["content_hash"], []))

    def reload(self) -> ReloadResult:
        """Re-reads the file. If it does not compile the old version keeps
        serving, and the result says why (ok False, diagnostics)."""
        return self._reloaded(self._native.reload())

    def reload_text(self, text: str) -> ReloadResult:
        """The same from rule text, e.g. received over the network."""
        return self._reloaded(self._native.reload_text(text))

    def _reloaded(self, answer) -> ReloadResult:
        ok, changed, raw, rendered, content_hash = answer
        diagnostics = _diagnostics(raw)
        if ok:
            self._warnings[content_hash] = [d for d in diagnostics if d.severity == "warning"]
        return ReloadResult(ok, changed, diagnostics, rendered, content_hash)

    def evaluate(self, records, **options):
        """Ruleset.evaluate on the version serving now (one version for a whole list)."""
        return self.current.evaluate(records, **options)

    def explain(self, record, as_json: bool = False, **options):
        return self.current.explain(record, as_json, **options)

    def evaluate_file(self, path, *args, **options) -> Totals:
        return self.current.evaluate_file(path, *args, **options)


def __getattr__(name):
    # `segrule.dask` on first use: importing dask is slow and optional.
    if name == "dask":
        import importlib
        return importlib.import_module(".dask", __name__)
    raise AttributeError(f"module 'segrule' has no attribute {name!r}")
