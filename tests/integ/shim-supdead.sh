# When the supervisor dies (and the keeper with it: it would end the probe
# first, keeper.sh), every guarded call of the tree fails closed
# (EACCES for files and exec, EPERM for the network) within a second, with
# one line on stderr, and nothing hangs (tests/probe/supdead.c).
. "$(dirname "$0")/lib.sh"

# the probe kills its parent (the supervisor) and outlives it: wait for its
# last line rather than for agentwrap
aw_nokeeper -a never -- "$PROBES/supdead" "$WS" > "$T/sd.out" 2> "$T/sd.err"
i=0
while ! grep -q '^connect after' "$T/sd.out" 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
sed 's/^/    /' "$T/sd.out"
check "the write before worked" [ -e "$WS/before" ]
check "a write failed closed" grep -q '^write after: Permission denied' "$T/sd.out"
check "within a second" awk '/^write after/ { exit !($(NF) + 0 < 1.0) }' "$T/sd.out"
check "exec failed closed" grep -qx 'exec after: Permission denied' "$T/sd.out"
check "connect failed closed" grep -qx 'connect after: Operation not permitted' "$T/sd.out"
check "one line says why" \
    [ "$(grep -c '^agentwrap: shim: the supervisor is gone' "$T/sd.err")" -eq 1 ]
finish
