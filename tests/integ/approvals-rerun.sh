# approval_policy = on-failure: the run is fully sandboxed (asks denied);
# when the command then fails after such denials, agentwrap asks once,
# through the harness or at the terminal, whether to run it again with
# exactly those granted. Yes: the rerun has them, and its exit status is
# agentwrap's; no: nothing more runs. Deny rules and deny paths are never
# offered, and a command that succeeds is never asked about.
D=$(cd "$(dirname "$0")" && pwd)
HARNESS=$D/../../scripts/harness.py
DRIVE=$D/ptydrive.py
. "$D/lib.sh"
. "$D/approvals.inc"

DENYP="agentwrap.filesystem.paths.\"$OUT/never\"=\"deny\""

# through the harness: allow
H="--rerun allow"
status 0 "harness allow: the rerun's status" hrun -a on-failure -- \
    sh -c "echo >> '$WS/runs'; echo hi > '$OUT/f'"
check "harness allow: written by the rerun" [ "$(cat "$OUT/f" 2>/dev/null)" = hi ]
check "harness allow: ran twice" [ "$(wc -l < "$WS/runs")" -eq 2 ]
check "harness allow: one rerun_request, exactly the denial" hlog_ok '
    [m for m in got if m["type"] == "rerun_request"] == [{"type":
    "rerun_request", "id": 1, "grants": ["write: exactly the path '"$OUT"'/f"],
    "timeout": 300}] and reqs == []'
check "harness allow: a rerun record and a grant" audit_ok '
    [r["type"] for r in recs if r["type"] in ("grant", "rerun")] ==
    ["grant", "rerun"] and [r for r in recs if r["type"] == "rerun"][0][
    "exit_status"] == 2 and recs[-1]["exit_status"] == 0 and
    grants[0]["decided_by"] == "harness"'

# the rerun's grants are saved like any other (the same table as a
# question's, the setting the denial line named beside it)
rm -f "$WS/runs" "$OUT/f"
status 0 "harness allow, --save-grants" hrun -a on-failure --save-grants "$T/rr.toml" -- \
    sh -c "echo >> '$WS/runs'; echo hi > '$OUT/f'"
check "saved: the rerun's write as its own entry" grep -qx "\"$OUT/f\" = \"write\"" "$T/rr.toml"
check "saved: the wider setting in the denial line's words" grep -qx \
    "# or wider, the whole directory: --add-dir $OUT or sandbox_workspace_write.writable_roots" "$T/rr.toml"

# through the harness: deny; the first run's status stays
rm -f "$WS/runs"
H="--rerun deny"
status 2 "harness deny: the first run's status" hrun -a on-failure -- \
    sh -c "echo >> '$WS/runs'; echo hi > '$OUT/g'"
check "harness deny: not written" absent "$OUT/g"
check "harness deny: ran once" [ "$(wc -l < "$WS/runs")" -eq 1 ]
check "harness deny: no rerun record" audit_ok '
    not [r for r in recs if r["type"] == "rerun"]'

# a deny path is never offered; the rerun still cannot write it
rm -f "$WS/runs"
H="--rerun allow"
status 2 "deny path: the rerun fails on it" hrun -a on-failure -c "$DENYP" -- \
    sh -c "echo >> '$WS/runs'; echo a > '$OUT/h'; echo b > '$OUT/never'"
check "deny path: the grant worked" [ "$(cat "$OUT/h" 2>/dev/null)" = a ]
check "deny path: never written" absent "$OUT/never"
check "deny path: not offered" hlog_ok '
    [m["grants"] for m in got if m["type"] == "rerun_request"] ==
    [["write: exactly the path '"$OUT"'/h"]]'

# a command that succeeds is not asked about, denials or not
H="--rerun allow"
status 0 "success: no question" hrun -a on-failure -- \
    sh -c "echo x > '$OUT/i'; true"
check "success: not written" absent "$OUT/i"
check "success: no rerun_request" hlog_ok '
    not [m for m in got if m["type"] == "rerun_request"]'

# failing without denials: nothing to offer, nothing asked
status 3 "no denials: no question" hrun -a on-failure -- sh -c "exit 3"
check "no denials: no rerun_request" hlog_ok '
    not [m for m in got if m["type"] == "rerun_request"]'

# several kinds, grouped: paths, then hosts, then commands
status 0 "grouped" hrun -a on-failure -- "$PY" -c '
import socket, sys
try:
    socket.getaddrinfo("example.invalid", 80)
except OSError:
    pass
try:
    open(sys.argv[1], "w").write("x")
except OSError:
    sys.exit(1)' "$OUT/j"
check "grouped: paths before hosts" hlog_ok '
    [m["grants"] for m in got if m["type"] == "rerun_request"][0][0] ==
    "write: exactly the path '"$OUT"'/j" and
    [m["grants"] for m in got if m["type"] == "rerun_request"][0][1].startswith(
    "network: exactly the host example.invalid")'
check "grouped: written" [ -f "$OUT/j" ]

# at the terminal: y runs it again, n does not
trun() {
	rm -f "$T/tty.log"
	steps=""
	while [ "$1" != "--" ]; do
		steps="$steps $1"
		shift
	done
	shift
	# shellcheck disable=SC2086
	timeout 120 "$PY" "$DRIVE" --log "$T/tty.log" --timeout 30 $steps -- \
	    "$AGENTWRAP" $AWOPTS "$@"
}
P='expect:(Enter:\x20no)\x20'
status 0 "tty y" trun "$P" send:y -- -a on-failure -- sh -c "echo t > '$OUT/k'"
check "tty y: written" [ "$(cat "$OUT/k" 2>/dev/null)" = t ]
check "tty y: the list was shown" grep -q \
    "agentwrap:   write: exactly the path $OUT/k" "$T/tty.log"
status 2 "tty n" trun "$P" send:n -- -a on-failure -- sh -c "echo t > '$OUT/l'"
check "tty n: not written" absent "$OUT/l"
status 2 "tty Enter" trun "$P" 'send:\r' -- -a on-failure -- sh -c "echo t > '$OUT/m'"
check "tty Enter: not written" absent "$OUT/m"
status 2 "tty timeout" trun "$P" 'expect:nobody\x20answered\x20in\x20time:\x20not\x20run\x20again' \
    -- -a on-failure -c approval_timeout=1 -- sh -c "echo t > '$OUT/n'"
check "tty timeout: not written" absent "$OUT/n"

finish
