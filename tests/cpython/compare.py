#!/usr/bin/python3
"""Run CPython's own test suites unwrapped and under agentwrap, and compare.

    compare.py AGENTWRAP WORKDIR SUITE...

Each suite runs twice with Debian's python3 (libpython3.11-testsuite), in a
fresh directory under WORKDIR, through `python3 -m test --junit-xml`: once
plainly, once as `agentwrap -q -n -s danger-full-access -a never -- ...`
(the network on, nothing denied: what is compared is the shim itself). The
outcome of every test case (passed, failed, error, skipped) must be the same
both ways, and both runs must have run cases at all. Prints a line per suite
and every difference; exits 0 when there is none, 1 otherwise, 2 when the
suites cannot be run (the test package is missing).
"""
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

PY = "/usr/bin/python3"


def outcomes(xml_path):
    """{test id: outcome} from a junit file of regrtest."""
    got = {}
    root = ET.parse(xml_path).getroot()
    for case in root.iter("testcase"):
        tid = "%s.%s" % (case.get("classname", ""), case.get("name", ""))
        kind = "passed"
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                kind = child.tag
        got[tid] = kind
    return got


def run(cmd, cwd, log):
    with open(log, "wb") as f:
        return subprocess.run(cmd, cwd=cwd, stdout=f, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL).returncode


def main():
    if len(sys.argv) < 4:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    aw, work, suites = sys.argv[1], sys.argv[2], sys.argv[3:]
    if not os.path.exists("/usr/lib/python3.11/test/test_os.py"):
        print("compare: libpython3.11-testsuite is not installed "
              "(scripts/setup installs it)", file=sys.stderr)
        return 2
    bad = 0
    for suite in suites:
        res = {}
        for how in ("plain", "wrapped"):
            d = os.path.join(work, suite, how)
            os.makedirs(d, exist_ok=True)
            xml = os.path.join(d, "junit.xml")
            cmd = [PY, "-m", "test", "--junit-xml", xml, suite]
            if how == "wrapped":
                cmd = [aw, "-q", "-n", "-s", "danger-full-access", "-a",
                       "never", "-C", d, "--"] + cmd
            status = run(cmd, d, os.path.join(d, "log"))
            if not os.path.exists(xml):
                print("%s %s: no results (exit %d); log:" % (suite, how, status))
                with open(os.path.join(d, "log"), errors="replace") as f:
                    print("".join(f.readlines()[-30:]))
                bad += 1
                break
            res[how] = outcomes(xml)
        if len(res) < 2:
            continue
        plain, wrapped = res["plain"], res["wrapped"]
        diff = sorted(t for t in set(plain) | set(wrapped)
                      if plain.get(t) != wrapped.get(t))
        count = lambda r, k: sum(1 for v in r.values() if v == k)
        print("%s: %d cases; plain %d passed, %d failed, %d errors, "
              "%d skipped; wrapped %d passed, %d failed, %d errors, %d skipped; "
              "%d differ" % (suite, len(plain), count(plain, "passed"),
                             count(plain, "failure"), count(plain, "error"),
                             count(plain, "skipped"), count(wrapped, "passed"),
                             count(wrapped, "failure"), count(wrapped, "error"),
                             count(wrapped, "skipped"), len(diff)))
        for t in diff:
            print("  %s: plain %s, wrapped %s" % (t, plain.get(t, "absent"),
                                                  wrapped.get(t, "absent")))
        if diff or not plain or count(plain, "passed") == 0:
            bad += 1
    return 1 if bad else 0


sys.exit(main())
