# CPython's own test suites for the modules that touch descriptors,
# processes and files give the same result, case by case, wrapped (network
# on, nothing denied) as unwrapped. Most of them here (test_subprocess found
# the descriptors agentwrap used to leave in programs); `make check-cpython`
# runs all of os, subprocess, posix, shutil, tempfile, pty, select, fcntl.
CMP=$(cd "$(dirname "$0")/../cpython" && pwd)/compare.py
. "$(dirname "$0")/lib.sh"

status 0 "CPython suites, wrapped as unwrapped" $PY "$CMP" "$AGENTWRAP" \
    "$T/cpython" \
    test_subprocess test_fcntl test_select test_pty test_posix test_tempfile \
    test_shutil
cat "$T/last.out"
check "every suite ran cases" [ "$(grep -c ' cases; plain ' "$T/last.out")" -eq 7 ]
finish
