#!/usr/bin/python3
"""Run a toml-test decoder over the TOML 1.0.0 cases of the toml-test corpus.

usage: run-corpus.py DECODER CORPUS_DIR

CORPUS_DIR is the corpus 'tests' directory holding files-toml-1.0.0. Valid
cases must exit 0, print nothing on stderr and print JSON equal to X.json;
invalid cases must exit 1 with exactly one stderr line "<stdin>:L:C: msg".
Each case is counted once (a valid .toml/.json pair is one case). Prints
every failure and a last line "toml-test: N passed, M failed"; exits 1 if
anything failed. Test tool, stdlib only.
"""

import json
import math
import os
import re
import subprocess
import sys

TIMEOUT = 10
ERR_RE = re.compile(r"^<stdin>:[1-9][0-9]*:[1-9][0-9]*: \S.*\n?$")
DT_RE = re.compile(
    r"^(\d{4}-\d{2}-\d{2})?(?:[Tt ]?(\d{2}:\d{2}:\d{2})(?:\.(\d+))?)?"
    r"([Zz]|[+-]\d{2}:\d{2})?$")
DT_TYPES = ("datetime", "datetime-local", "date-local", "time-local")


def norm_datetime(s):
    """Canonical form: 'T' separator, 'Z' for UTC, fraction without
    trailing zeros, so that 17:45:56.6Z equals 17:45:56.600Z."""
    m = DT_RE.match(s)
    if not m:
        return s
    date, time, frac, off = m.groups()
    out = date or ""
    if time:
        if date:
            out += "T"
        out += time
        frac = (frac or "").rstrip("0")
        if frac:
            out += "." + frac
    if off:
        off = off.upper()
        if off in ("+00:00", "-00:00"):
            off = "Z"
        out += off
    return out


def norm_float(s):
    s = s.strip().lower()
    if s in ("nan", "+nan", "-nan"):
        return "nan"
    if s in ("inf", "+inf"):
        return math.inf
    if s == "-inf":
        return -math.inf
    return float(s.replace("_", ""))


def compare(exp, got, path):
    """Return None if equal, else a description of the first difference."""
    if isinstance(exp, dict) and set(exp.keys()) == {"type", "value"} \
            and isinstance(exp.get("type"), str) \
            and isinstance(exp.get("value"), str):
        if not (isinstance(got, dict) and set(got.keys()) == {"type", "value"}):
            return "%s: expected scalar %r, got %r" % (path, exp, got)
        if exp["type"] != got["type"]:
            return "%s: type %s, expected %s" % (path, got["type"], exp["type"])
        t, ev, gv = exp["type"], exp["value"], got["value"]
        if not isinstance(gv, str):
            return "%s: value is not a string: %r" % (path, gv)
        try:
            if t == "integer":
                ok = int(ev) == int(gv)
            elif t == "float":
                a, b = norm_float(ev), norm_float(gv)
                ok = (a == b) if not (a == "nan" or b == "nan") \
                    else (a == b == "nan")
            elif t in DT_TYPES:
                ok = norm_datetime(ev) == norm_datetime(gv)
            else:
                ok = ev == gv
        except ValueError:
            ok = False
        if not ok:
            return "%s: %s value %r, expected %r" % (path, t, gv, ev)
        return None
    if isinstance(exp, dict):
        if not isinstance(got, dict):
            return "%s: expected table, got %r" % (path, got)
        if set(exp.keys()) != set(got.keys()):
            return "%s: keys %s, expected %s" % (
                path, sorted(got.keys()), sorted(exp.keys()))
        for k in exp:
            d = compare(exp[k], got[k], "%s.%s" % (path, json.dumps(k)))
            if d:
                return d
        return None
    if isinstance(exp, list):
        if not isinstance(got, list):
            return "%s: expected array, got %r" % (path, got)
        if len(exp) != len(got):
            return "%s: %d elements, expected %d" % (path, len(got), len(exp))
        for i, (e, g) in enumerate(zip(exp, got)):
            d = compare(e, g, "%s[%d]" % (path, i))
            if d:
                return d
        return None
    return "%s: unexpected expected-value %r" % (path, exp)


def run(decoder, tomlpath):
    with open(tomlpath, "rb") as f:
        data = f.read()
    try:
        p = subprocess.run([decoder], input=data, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, b"", b"timeout after %ds" % TIMEOUT
    return p.returncode, p.stdout, p.stderr


def check_valid(decoder, corpus, name):
    base = os.path.join(corpus, name[:-len(".toml")])
    try:
        with open(base + ".json", "rb") as f:
            exp = json.loads(f.read().decode("utf-8"))
    except (OSError, ValueError) as e:
        return "cannot read expected json: %s" % e
    rc, out, err = run(decoder, base + ".toml")
    if rc != 0:
        return "exit %s, stderr: %s" % (rc, err.decode("utf-8", "replace")
                                         .strip())
    if err:
        return "exit 0 but stderr: %s" % err.decode("utf-8", "replace").strip()
    try:
        got = json.loads(out.decode("utf-8"))
    except ValueError as e:
        return "bad json output (%s): %r" % (e, out[:200])
    return compare(exp, got, "$")


def check_invalid(decoder, corpus, name):
    rc, out, err = run(decoder, os.path.join(corpus, name))
    text = err.decode("utf-8", "replace")
    if rc != 1:
        return "exit %s (expected 1), stderr: %s" % (rc, text.strip())
    if not ERR_RE.match(text):
        return "stderr is not one '<stdin>:LINE:COL: msg' line: %r" % text
    return None


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: run-corpus.py DECODER CORPUS_DIR\n")
        return 2
    decoder = os.path.abspath(sys.argv[1])
    corpus = sys.argv[2]
    listpath = os.path.join(corpus, "files-toml-1.0.0")
    try:
        with open(listpath, encoding="utf-8") as f:
            names = [l.strip() for l in f if l.strip()]
    except OSError as e:
        sys.stderr.write("run-corpus.py: %s: %s\n" % (listpath, e))
        return 2

    listed = set(names)
    cases = []
    failures = []
    for name in names:
        if name.startswith("valid/") and name.endswith(".toml"):
            if name[:-5] + ".json" not in listed:
                failures.append((name, "listed without its .json"))
                continue
            cases.append((name, check_valid))
        elif name.startswith("valid/") and name.endswith(".json"):
            if name[:-5] + ".toml" not in listed:
                failures.append((name, "listed without its .toml"))
        elif name.startswith("invalid/") and name.endswith(".toml"):
            cases.append((name, check_invalid))
        else:
            failures.append((name, "unrecognised list entry"))

    passed = 0
    for name, fn in cases:
        why = fn(decoder, corpus, name)
        if why is None:
            passed += 1
        else:
            failures.append((name, why))
    for name, why in failures:
        print("FAIL %s: %s" % (name, why))
    print("toml-test: %d passed, %d failed" % (passed, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
