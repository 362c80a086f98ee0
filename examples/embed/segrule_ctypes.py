#!/usr/bin/env python3
"""Using segrule from Python through its C API with ctypes (no build step).

Usage: segrule_ctypes.py RULES.seg [LIBRARY]
LIBRARY defaults to $SEGRULE_LIB, then to the libsegrule.so the loader finds.
Money comes back as decimal.Decimal: results are parsed with parse_float=Decimal.
"""
import ctypes
import ctypes.util
import json
import os
import sys
from decimal import Decimal


def to_json(value):
    """JSON text with Decimal written as an exact number (json.dumps would need a float)."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(str(k)) + ":" + to_json(v) for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    return json.dumps(value)


class Segrule:
    """A thin wrapper: every char* the library returns is copied, then freed."""

    def __init__(self, library):
        self.lib = ctypes.CDLL(library)
        self.lib.segrule_last_error.restype = ctypes.c_char_p
        self.lib.segrule_compile_file.restype = ctypes.c_void_p
        self.lib.segrule_compile_file.argtypes = [ctypes.c_char_p]
        self.lib.segrule_ruleset_free.argtypes = [ctypes.c_void_p]
        self.lib.segrule_free_string.argtypes = [ctypes.c_void_p]
        for name in ("segrule_ruleset_info",):
            getattr(self.lib, name).restype = ctypes.c_void_p
            getattr(self.lib, name).argtypes = [ctypes.c_void_p]
        self.lib.segrule_evaluate.restype = ctypes.c_void_p
        self.lib.segrule_evaluate.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p]

    def _take(self, pointer):
        if not pointer:
            raise RuntimeError(self.lib.segrule_last_error().decode("utf-8"))
        try:
            return ctypes.string_at(pointer).decode("utf-8")
        finally:
            self.lib.segrule_free_string(pointer)

    def compile_file(self, path):
        handle = self.lib.segrule_compile_file(path.encode("utf-8"))
        if not handle:
            raise ValueError(self.lib.segrule_last_error().decode("utf-8"))
        return Ruleset(self, handle)


class Ruleset:
    def __init__(self, api, handle):
        self.api, self.handle = api, handle

    def __del__(self):
        self.api.lib.segrule_ruleset_free(self.handle)

    def info(self):
        return json.loads(self.api._take(self.api.lib.segrule_ruleset_info(self.handle)))

    def evaluate(self, record, as_of=None):
        text = record if isinstance(record, str) else to_json(record)
        data = text.encode("utf-8")
        options = json.dumps({"as_of": as_of}).encode("utf-8") if as_of else None
        answer = self.api._take(self.api.lib.segrule_evaluate(self.handle, data, len(data), options))
        return json.loads(answer, parse_float=Decimal)


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    library = sys.argv[2] if len(sys.argv) == 3 else os.environ.get("SEGRULE_LIB") or ctypes.util.find_library("segrule")
    if not library:
        print("libsegrule.so not found: pass its path or set SEGRULE_LIB", file=sys.stderr)
        return 2
    rules = Segrule(library).compile_file(sys.argv[1])
    info = rules.info()
    print("ruleset %s version %s" % (info["name"], info["version"]))
    customer = {"id": "C1", "age": 52, "retired": False, "occupation": None, "opened": "2012-04-01",
                "risk_level": "C3", "credit_rating": "AA", "demand_deposits": 100000,
                "time_deposits": 3200000, "wealth_products": 1000000, "investments": 700000,
                "loans": 0, "aum": Decimal("5000000.00"), "monthly_txn_count": 4, "products_held": []}
    answer = rules.evaluate(customer, as_of="2025-06-30")
    result = answer["result"]
    print("C1 is %s, offered %s" % (result["value_tier"], ", ".join(result["offers"])))
    rejected = rules.evaluate({"id": "C3", "age": "forty"}, as_of="2025-06-30")
    print("C3 rejected: %s" % rejected["error"])
    return 0 if answer["ok"] and not rejected["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
