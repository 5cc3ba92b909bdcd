# The shim's own variables: out of the program's view, carried across every
# exec; the user's LD_PRELOAD given back to the program; without agentwrap's
# variables the shim does nothing; with broken ones it fails closed with one
# line on stderr.
. "$(dirname "$0")/lib.sh"

SHIM=$(dirname "$AGENTWRAP")/libagentwrap.so
LIBC=$(ldd /bin/true | awk '/libc\.so/ { print $3 }')
A="aw -q -a never --"

status 0 "env under agentwrap" $A env
check "no AGENTWRAP_ variable in env" sh -c "! grep -q '^AGENTWRAP_' '$T/last.out'"
check "no LD_PRELOAD in env" sh -c "! grep -q '^LD_PRELOAD=' '$T/last.out'"
status 0 "python's environ" $A $PY -c \
    'import os; print([k for k in os.environ if k.startswith("AGENTWRAP_") or k == "LD_PRELOAD"])'
check "python sees none of them" [ "$(cat "$T/last.out")" = "[]" ]
status 0 "a grandchild's environ" $A sh -c 'sh -c "env -i env; echo --; env"'
check "no AGENTWRAP_ variable in a grandchild" \
    sh -c "! grep -q '^AGENTWRAP_\|^LD_PRELOAD=' '$T/last.out'"
status 0 "env -i child sees an empty environment" $A env -i env
check "env -i: nothing at all" [ ! -s "$T/last.out" ]

# bash brings its own getenv/setenv/unsetenv: the shim must not rely on them
status 0 "bash" $A bash -c 'env; echo x > "$0"; echo y > "$1"' "$OUT/bash" \
    "$WS/bash"
check "bash: no AGENTWRAP_ variable" \
    sh -c "! grep -q '^AGENTWRAP_\|^LD_PRELOAD=' '$T/last.out'"
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
status 2 "bad token" env LD_PRELOAD="$SHIM" AGENTWRAP_FDS=0,1,2 \
    AGENTWRAP_TOKEN=$Z sh -c 'echo x > "$0"' "$WS/bad"
check "bad token: the write failed" absent "$WS/bad"
check "bad token: one line on stderr" \
    [ "$(grep -c '^agentwrap: shim:' "$T/last.err")" -eq 1 ]
status 2 "malformed AGENTWRAP_FDS" env LD_PRELOAD="$SHIM" AGENTWRAP_FDS=x \
    AGENTWRAP_TOKEN=$Z sh -c 'echo x > "$0"' "$WS/bad2"
check "malformed fds: the write failed" absent "$WS/bad2"
status 2 "a token without descriptors" env LD_PRELOAD="$SHIM" \
    AGENTWRAP_TOKEN=$Z sh -c 'echo x > "$0"' "$WS/bad3"
check "token alone: the write failed" absent "$WS/bad3"
check "broken: exec fails too" sh -c "env LD_PRELOAD='$SHIM' \
    AGENTWRAP_FDS=0,1,2 AGENTWRAP_TOKEN=$Z sh -c '/bin/true' 2>/dev/null; [ \$? -ne 0 ]"
finish
