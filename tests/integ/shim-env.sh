# The shim's own variables: out of the program's view, carried across every
# exec; the user's LD_PRELOAD given back to the program; without agentwrap's
# variables the shim does nothing; with broken ones it fails closed with one
# line on stderr.
. "$(dirname "$0")/lib.sh"

SHIM=$(dirname "$AGENTWRAP")/libagentwrap.so
LIBC=$(ldd /bin/true | awk '/libc\.so/ { print $3 }')
A="aw -q -a never --"
# agentwrap's own variables (supervisor/proto.h); a user's other AGENTWRAP_*
# variables are the user's and pass through
OURS='^(AGENTWRAP_(SOCK|HOLDER|TOKEN|SHIM|LD_PRELOAD|AUDIT|AUDIT_ONLY)|LD_PRELOAD)='

status 0 "env under agentwrap" $A env
check "none of agentwrap's variables in env" sh -c "! grep -Eq '$OURS' '$T/last.out'"
check "no LD_PRELOAD in env" sh -c "! grep -q '^LD_PRELOAD=' '$T/last.out'"
status 0 "python's environ" $A $PY -c \
    'import os, re; print([k for k in os.environ if re.match(r"AGENTWRAP_(SOCK|HOLDER|TOKEN|SHIM|LD_PRELOAD|AUDIT|AUDIT_ONLY)$", k) or k == "LD_PRELOAD"])'
check "python sees none of them" [ "$(cat "$T/last.out")" = "[]" ]
status 0 "a grandchild's environ" $A sh -c 'sh -c "env -i env; echo --; env"'
check "none of agentwrap's variables in a grandchild" \
    sh -c "! grep -Eq '$OURS' '$T/last.out'"
# a user's own variables that merely begin with AGENTWRAP_ are the user's
export AGENTWRAP_MINE=1 AGENTWRAP_SOCKET=2 AGENTWRAP_TOKENS=3
status 0 "a user's AGENTWRAP_ variables" $A sh -c 'sh -c env'
unset AGENTWRAP_MINE AGENTWRAP_SOCKET AGENTWRAP_TOKENS
check "a user's AGENTWRAP_MINE reaches a grandchild" \
    grep -qx 'AGENTWRAP_MINE=1' "$T/last.out"
check "so do names that only begin like agentwrap's" \
    sh -c "grep -qx 'AGENTWRAP_SOCKET=2' '$T/last.out' &&
        grep -qx 'AGENTWRAP_TOKENS=3' '$T/last.out'"
status 0 "env -i child sees an empty environment" $A env -i env
check "env -i: nothing at all" [ ! -s "$T/last.out" ]

# bash brings its own getenv/setenv/unsetenv: the shim must not rely on them
status 0 "bash" $A bash -c 'env; echo x > "$0"; echo y > "$1"' "$OUT/bash" \
    "$WS/bash"
check "bash: none of agentwrap's variables" \
    sh -c "! grep -Eq '$OURS' '$T/last.out'"
check "bash: inside written" [ -e "$WS/bash" ]
check "bash: outside absent" absent "$OUT/bash"

# the user's own LD_PRELOAD: the program sees it, the shim still follows
LD_PRELOAD=$LIBC aw -q -a never -- sh -c 'echo "$LD_PRELOAD"; echo x > "$0"' \
    "$OUT/up" > "$T/up.out" 2>/dev/null
check "the user's LD_PRELOAD is what the program sees" \
    [ "$(cat "$T/up.out")" = "$LIBC" ]
check "with a user LD_PRELOAD the write outside failed" absent "$OUT/up"
status 0 "a child's own LD_PRELOAD" $A env LD_PRELOAD="$LIBC" sh -c \
    'echo "$LD_PRELOAD"; echo x > "$0"; echo y > "$1"' "$OUT/cp" "$WS/cp"
check "a child's own LD_PRELOAD is what it sees" \
    [ "$(head -n 1 "$T/last.out")" = "$LIBC" ]
check "a child with its own LD_PRELOAD still judged" absent "$OUT/cp"
check "and still works inside" [ -e "$WS/cp" ]

# no agentwrap variables: the shim passes everything through
status 0 "inert shim" env LD_PRELOAD="$SHIM" sh -c 'echo x > "$0"' "$OUT/inert"
check "inert shim let the write happen" [ -e "$OUT/inert" ]
check "inert shim says nothing" [ ! -s "$T/last.err" ]

# broken variables: every guarded call fails, one line says why
Z=00000000000000000000000000000000
status 2 "no supervisor at that name" env LD_PRELOAD="$SHIM" \
    AGENTWRAP_SOCK=agentwrap.nobody.listens AGENTWRAP_TOKEN=$Z \
    sh -c 'echo x > "$0"' "$WS/bad"
check "no supervisor: the write failed" absent "$WS/bad"
check "no supervisor: one line on stderr" \
    [ "$(grep -c '^agentwrap: shim:' "$T/last.err")" -eq 1 ]
check "no supervisor: the line says so" \
    grep -q 'the supervisor is gone' "$T/last.err"
status 2 "malformed AGENTWRAP_TOKEN" env LD_PRELOAD="$SHIM" \
    AGENTWRAP_SOCK=x AGENTWRAP_TOKEN=xyz sh -c 'echo x > "$0"' "$WS/bad2"
check "malformed token: the write failed" absent "$WS/bad2"
status 2 "a token without a socket" env LD_PRELOAD="$SHIM" \
    AGENTWRAP_TOKEN=$Z sh -c 'echo x > "$0"' "$WS/bad3"
check "token alone: the write failed" absent "$WS/bad3"
check "broken: exec fails too" sh -c "env LD_PRELOAD='$SHIM' \
    AGENTWRAP_SOCK=x AGENTWRAP_TOKEN=$Z sh -c '/bin/true' 2>/dev/null; [ \$? -ne 0 ]"

# A live supervisor's socket and holder, but the wrong token: refused, by
# the holder's ring (its token differs) and by the socket (the supervisor
# checks it). The variables are read off a process of a real run.
aw -q -a never -- sh -c 'echo $$ > "$0.tmp"; mv "$0.tmp" "$0"; exec sleep 30' \
    "$WS/sleeper" >/dev/null 2>&1 &
awpid=$!
i=0
sl=
while [ $i -lt 100 ]; do
	[ -s "$WS/sleeper" ] && sl=$(cat "$WS/sleeper") && sleep 0.1 && break
	sleep 0.05; i=$((i + 1))
done
check "a run to borrow from is up" [ -n "${sl:-}" ]
if [ -n "${sl:-}" ]; then
	sock=$(tr '\0' '\n' < /proc/$sl/environ | sed -n 's/^AGENTWRAP_SOCK=//p')
	hold=$(tr '\0' '\n' < /proc/$sl/environ | sed -n 's/^AGENTWRAP_HOLDER=//p')
	tok=$(tr '\0' '\n' < /proc/$sl/environ | sed -n 's/^AGENTWRAP_TOKEN=//p')
	status 2 "wrong token, holder and socket" env LD_PRELOAD="$SHIM" \
	    AGENTWRAP_SOCK="$sock" AGENTWRAP_HOLDER="$hold" AGENTWRAP_TOKEN=$Z \
	    sh -c 'echo x > "$0"' "$WS/bad4"
	check "wrong token: the write failed" absent "$WS/bad4"
	check "wrong token: refused, and said so" grep -q 'refused' "$T/last.err"
	# the right token, from outside the run's tree: the holder lets any
	# process of our uid in (documented); the socket does not
	status 2 "right token, through the holder" env LD_PRELOAD="$SHIM" \
	    AGENTWRAP_SOCK="$sock" AGENTWRAP_HOLDER="$hold" AGENTWRAP_TOKEN="$tok" \
	    sh -c 'echo x > "$0"; echo y > "$1"' "$WS/ok4" "$OUT/bad6"
	check "through the holder: attached" [ -e "$WS/ok4" ]
	check "through the holder: and enforcing" absent "$OUT/bad6"
	status 2 "right token, socket only, outside the tree" env \
	    LD_PRELOAD="$SHIM" AGENTWRAP_SOCK="$sock" AGENTWRAP_TOKEN="$tok" \
	    sh -c 'echo x > "$0"' "$WS/bad5"
	check "outside the tree: the socket refused it" absent "$WS/bad5"
	check "outside the tree: said so" grep -q 'not of its tree' "$T/last.err"
fi
[ -n "${sl:-}" ] && kill "$sl" 2>/dev/null
wait "$awpid" 2>/dev/null
finish
