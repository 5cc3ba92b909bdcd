# The shim keeps no descriptor in a program's table: what a wrapped program
# lists in /proc/self/fd is what it lists unwrapped. A parent the shim is
# not inside (static) that closes every descriptor before its exec leaves
# its child's shim working and enforcing. A holder that is killed leaves new
# processes attaching through the supervisor's socket.
. "$(dirname "$0")/lib.sh"

# sh, python3 and a grandchild list their descriptors (3 is the listing's own)
cat > list.sh <<'SEOF'
ls /proc/self/fd | tr '\n' ' '; echo
/usr/bin/python3 -c 'import os; print(sorted(os.listdir("/proc/self/fd")))'
sh -c 'ls -l /proc/self/fd | grep -c -e memfd -e socket -e agentwrap'
SEOF
sh list.sh > plain.out 2>&1 </dev/null
aw -q -a never -- sh list.sh > wrapped.out 2>&1 </dev/null
check "the same descriptors wrapped as unwrapped" cmp -s plain.out wrapped.out
if ! cmp -s plain.out wrapped.out; then diff plain.out wrapped.out | head; fi
check "the listings ran" grep -q "^\['0', '1'" wrapped.out

# a static parent closes everything above 2, then its child writes
status 2 "a child of a parent that closed every descriptor" \
    aw -q -a never -- "$PROBES/closeall" /bin/sh -c \
    'echo x > "$0"; echo y > "$1"' "$WS/ca-in" "$OUT/ca-out"
check "its write inside happened" [ -e "$WS/ca-in" ]
check "its write outside was refused" absent "$OUT/ca-out"

# the holder killed: the next processes still attach (the socket) and
# enforce; the command finds the holder as its parent's child
status 2 "processes after the holder is killed" aw -q -a never -- sh -c '
	h=$(pgrep -P $PPID -x agentwrap-hold) || exit 9
	kill -KILL "$h"; while kill -0 "$h" 2>/dev/null; do sleep 0.01; done
	sh -c "echo x > \"\$0\"; echo y > \"\$1\"" "$0" "$1"' \
    "$WS/nh-in" "$OUT/nh-out"
check "without the holder: the write inside happened" [ -e "$WS/nh-in" ]
check "without the holder: the write outside was refused" absent "$OUT/nh-out"
finish
