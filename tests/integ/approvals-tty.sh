# Approvals at the terminal: agentwrap runs on a real pseudo-terminal
# (tests/integ/ptydrive.py), questions go to /dev/tty and a one-key answer
# decides the call: y writes the file, n and d and Enter and Ctrl-C and
# Ctrl-D and a closed terminal do not (and the run goes on), a (a session
# grant) lets a second process write without a second question, an
# unanswered question times out, questions are shown one at a time, and a
# file name full of escape sequences and newlines reaches the terminal only
# escaped.
D=$(cd "$(dirname "$0")" && pwd)
HARNESS=$D/../../scripts/harness.py
DRIVE=$D/ptydrive.py
. "$D/lib.sh"
. "$D/approvals.inc"

# trun STEP... -- AGENTWRAP OPTIONS -- COMMAND: on a new terminal, audited;
# what the terminal showed is in $T/tty.log
trun() {
	rm -f "$T/tty.log" "$T/a.jsonl"
	steps=""
	while [ "$1" != "--" ]; do
		steps="$steps $1"
		shift
	done
	shift
	# shellcheck disable=SC2086
	timeout 120 "$PY" "$DRIVE" --log "$T/tty.log" --timeout 30 $steps -- \
	    "$AGENTWRAP" $AWOPTS --audit "$T/a.jsonl" "$@"
}

# prompts: how many questions the terminal showed
prompts() {
	"$PY" -c 'import sys; print(open(sys.argv[1], "rb").read().count(b"(Enter: deny) "))' \
	    "$T/tty.log"
}

P='expect:(Enter:\x20deny)\x20'

# y: allowed once, the file is written
status 0 "y" trun "$P" send:y -- -- sh -c "echo yes > '$OUT/y'"
check "y: file written" [ "$(cat "$OUT/y" 2>/dev/null)" = yes ]
check "y: the prompt as documented" grep -q \
    "agentwrap: dash\[[0-9]*\] wants to write $OUT/y (outside the writable roots" \
    "$T/tty.log"
check "y: one question" [ "$(prompts)" -eq 1 ]
check "y: audit says tty" audit_ok 'len(asked) == 1 and
    asked[0]["verdict"] == "allow" and asked[0]["decided_by"] == "tty"'

# n: denied, the file is not there, the command goes on
status 0 "n" trun "$P" send:n -- -- sh -c "echo no > '$OUT/n'; echo on > '$WS/n-on'"
check "n: file absent" absent "$OUT/n"
check "n: the command went on" [ -f "$WS/n-on" ]
check "n: audit says tty" audit_ok 'len(asked) == 1 and
    asked[0]["verdict"] == "deny" and asked[0]["decided_by"] == "tty"'

# a: a session grant; a second process writing the same path is not asked
status 0 "a" trun "$P" send:a -- -- \
    sh -c "echo 1 > '$OUT/a'; sh -c 'echo 2 >> \"$OUT/a\"'"
check "a: both writes happened" [ "$(cat "$OUT/a" 2>/dev/null | tr '\n' ,)" = "1,2," ]
check "a: asked once" [ "$(prompts)" -eq 1 ]
check "a: the scope was shown" grep -q \
    "\[a\] allow for this session: write: exactly the path $OUT/a " "$T/tty.log"
check "a: a grant in the audit log" audit_ok 'len(grants) == 1 and
    grants[0]["decision"] == "allow_session" and
    grants[0]["decided_by"] == "tty"'

# d: denied for this session: the second try is not asked, and fails
status 0 "d" trun "$P" send:d -- -- \
    sh -c "echo 1 > '$OUT/d'; sh -c 'echo 2 > \"$OUT/d\"'; echo on > '$WS/d-on'"
check "d: file absent" absent "$OUT/d"
check "d: asked once" [ "$(prompts)" -eq 1 ]
check "d: the command went on" [ -f "$WS/d-on" ]

# Enter alone denies; an unknown key asks again first
status 0 "Enter" trun "$P" send:x "$P" 'send:\r' -- -- \
    sh -c "echo e > '$OUT/enter'; echo on > '$WS/e-on'"
check "Enter: file absent" absent "$OUT/enter"
check "Enter: an unknown key asked again" grep -q "press y, a, n or d" "$T/tty.log"
check "Enter: the command went on" [ -f "$WS/e-on" ]

# Ctrl-C at the prompt denies that call, never the whole run
status 0 "Ctrl-C" trun "$P" 'send:\x03' -- -- \
    sh -c "echo c > '$OUT/ctrlc'; echo on > '$WS/c-on'"
check "Ctrl-C: file absent" absent "$OUT/ctrlc"
check "Ctrl-C: the command went on" [ -f "$WS/c-on" ]
check "Ctrl-C: audit says tty" audit_ok 'len(asked) == 1 and
    asked[0]["verdict"] == "deny" and asked[0]["decided_by"] == "tty"'

# Ctrl-D (end of input) denies
status 0 "Ctrl-D" trun "$P" 'send:\x04' -- -- \
    sh -c "echo c > '$OUT/ctrld'; echo on > '$WS/dd-on'"
check "Ctrl-D: file absent" absent "$OUT/ctrld"
check "Ctrl-D: the command went on" [ -f "$WS/dd-on" ]

# the terminal closes at the prompt: that call is denied, the run goes on
# and ends normally; later questions are denied without a terminal
status 0 "closed terminal" trun "$P" close -- -- \
    sh -c "trap '' HUP; echo c > '$OUT/closed'; sleep 0.2;
        echo c > '$OUT/closed2'; echo on > '$WS/cl-on'"
check "closed: file absent" absent "$OUT/closed"
check "closed: later file absent" absent "$OUT/closed2"
check "closed: the command went on" [ -f "$WS/cl-on" ]
check "closed: audit" audit_ok 'len(asked) == 2 and
    asked[0]["verdict"] == "deny" and asked[0]["decided_by"] == "tty" and
    asked[1]["verdict"] == "deny" and asked[1]["decided_by"] == "no-channel"
    and recs[-1]["type"] == "session_end"'

# nobody answers: approval_timeout denies it, and the prompt says so
status 0 "timeout" trun "$P" 'expect:nobody\x20answered' -- \
    -c approval_timeout=1 -- sh -c "echo t > '$OUT/timeout'; echo on > '$WS/t-on'"
check "timeout: file absent" absent "$OUT/timeout"
check "timeout: the prompt named the timeout" grep -q \
    "not answered within 1 s, it is denied" "$T/tty.log"
check "timeout: the command went on" [ -f "$WS/t-on" ]
check "timeout: audit" audit_ok 'len(asked) == 1 and
    asked[0]["decided_by"] == "timeout"'

# two processes ask at once: one question at a time, in order
status 0 "queue" trun "$P" send:y "$P" send:n -- -- \
    sh -c "echo 1 > '$OUT/q1' & echo 2 > '$OUT/q2'; wait"
check "queue: two questions" [ "$(prompts)" -eq 2 ]
check "queue: exactly one written" [ "$( (cat "$OUT/q1" "$OUT/q2" 2>/dev/null) | wc -l)" -eq 1 ]
check "queue: never two at once" "$PY" -c '
import sys
t = open(sys.argv[1], "rb").read()
i = t.find(b"(Enter: deny) ")
sys.exit(0 if i >= 0 and t.find(b"wants to", 0) < i and
    t.find(b"wants to", t.find(b"wants to") + 1) > i else 1)' "$T/tty.log"

# a file name full of escape sequences and newlines is shown escaped
bad=$("$PY" -c 'print("x\x1b[2J\x1b]0;pwn\x07\nagentwrap: FAKE [y] allow\r", end="")')
status 0 "escaped name" trun "$P" send:n -- -- "$PY" -c '
import sys
try:
    open(sys.argv[1], "w")
except OSError:
    pass' "$OUT/$bad"
check "escaped: file absent" absent "$OUT/$bad"
check "escaped: no raw ESC, BEL or name newline on the terminal" "$PY" -c '
import sys
t = open(sys.argv[1], "rb").read()
sys.exit(1 if b"\x1b" in t or b"\x07" in t or b"\nagentwrap: FAKE" in t
    or b"\rFAKE" in t else 0)' "$T/tty.log"
check "escaped: the escaped form shown" "$PY" -c '
import sys
t = open(sys.argv[1], "rb").read()
sys.exit(0 if b"wants to write " in t and b"\\nagentwrap: FAKE" in t
    and b"\\033[2J" in t else 1)' "$T/tty.log"

# the command itself under untrusted is asked at the terminal before it starts
status 0 "untrusted: the command allowed" trun "$P" send:y -- -a untrusted -- \
    sh -c "echo u > '$WS/u'"
check "untrusted: it ran" [ -f "$WS/u" ]
status 126 "untrusted: the command denied" trun "$P" send:n -- -a untrusted -- \
    sh -c "echo u > '$WS/u2'"
check "untrusted: it did not run" absent "$WS/u2"

# the terminal is restored after the prompt: echo and line mode are back
status 0 "restored" trun "$P" send:y -- -- sh -c "echo r > '$OUT/r';
    stty -a > '$WS/stty'"
check "restored: icanon echo isig" grep -q " icanon " "$WS/stty"
check "restored: echo" grep -Eq "(^| )echo( |$)" "$WS/stty"
check "restored: isig" grep -Eq "(^| )isig( |$)" "$WS/stty"

finish
