# The ways past the seccomp watch that an escape hunt found, kept as
# tests: each is first shown to work unwrapped (so the check can fail),
# then wrapped, where it must be refused and have no effect (the UDP
# listener gets nothing, the file keeps its bytes, the forbidden program
# does not run). --no-landlock throughout: Landlock would hide the watch's
# holes behind its own refusals. The /proc/self spellings and a thread
# with a cwd of its own are in watch.sh.
. "$(dirname "$0")/lib.sh"

H="$PROBES/watchhunt"
A="aw -a never --no-landlock --"

# a UDP listener of the test's own, logging what it gets
cat >"$T/udp.py" <<'PYEOF'
import socket, sys, os
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    d = s.recv(65536)
    with open(sys.argv[2], "ab") as f:
        f.write(d)
PYEOF
$PY "$T/udp.py" "$T/port" "$T/got" &
LP=$!
n=0
while [ ! -s "$T/port" ] && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
P=$(cat "$T/port")
waitgot() {
	n=0
	while [ ! -s "$T/got" ] && [ $n -lt 20 ]; do sleep 0.05; n=$((n + 1)); done
}

# 1. UDP with sin_family = AF_UNSPEC: an IPv4 send takes it as AF_INET
rm -f "$T/got"
"$H" unspec 127.0.0.1 "$P" >/dev/null
waitgot
check "unwrapped, an AF_UNSPEC send arrives" grep -q unspec-sendto "$T/got"
rm -f "$T/got"
status 1 "AF_UNSPEC sendto and sendmsg, network off" $A "$H" unspec 127.0.0.1 "$P"
check "both refused" [ "$(grep -c '^refused' "$T/last.out")" -eq 2 ]
sleep 0.3
check "the listener got nothing" [ ! -s "$T/got" ]

# 2. sendmmsg was not a judged call
rm -f "$T/got"
"$H" mmsg 127.0.0.1 "$P" >/dev/null
waitgot
check "unwrapped, sendmmsg arrives" grep -q mmsg "$T/got"
rm -f "$T/got"
status 1 "sendmmsg, network off" $A "$H" mmsg 127.0.0.1 "$P"
sleep 0.3
check "the listener got nothing" [ ! -s "$T/got" ]
status 0 "sendmmsg with the network on" aw -a never --no-landlock -n -- \
    "$H" mmsg 127.0.0.1 "$P"
waitgot
check "it arrives" grep -q mmsg "$T/got"
kill "$LP" 2>/dev/null

# 3. 32-bit calls the table has no name for (truncate64, chown32)
if [ "$(uname -m)" = x86_64 ]; then
	echo keep > "$OUT/t"
	cp "$OUT/t" "$OUT/t0"
	"$H" int80trunc "$OUT/t0" >/dev/null
	if [ ! -s "$OUT/t0" ]; then
		pass
		status 1 "truncate64 through int 0x80" $A "$H" int80trunc "$OUT/t"
		check "the file keeps its bytes" grep -qx keep "$OUT/t"
		status 1 "chown32 through int 0x80" $A "$H" int80chown "$OUT/t"
		check "refused" grep -q "^refused chown32" "$T/last.out"
	else
		echo "note: int 0x80 does not work here; not tried"
	fi
fi

# 4. the first child's exec: a command whose first act is an exec of a
# forbidden program ran it while the supervisor still trusted the child
cat >"$T/rules.toml" <<TOML
[[agentwrap.exec.rules]]
pattern = ["$WS/forbidden"]
decision = "forbidden"
TOML
# (it writes inside the workspace: only the exec rule stands in its way)
printf '#!/bin/sh\necho ran >> "%s/ran"\n' "$WS" > "$WS/forbidden"
chmod 755 "$WS/forbidden"
"$PROBES/execfirst" "$WS/forbidden"
check "unwrapped, it runs" [ -s "$WS/ran" ]
rm -f "$WS/ran"
i=0
while [ $i -lt 60 ]; do
	aw -q -a never --no-landlock --config-file "$T/rules.toml" -- \
	    "$PROBES/execfirst" "$WS/forbidden" >/dev/null 2>&1
	i=$((i + 1))
done
check "60 tries: the forbidden program never ran" [ ! -e "$WS/ran" ]

# 5. a listener of the program's own in the way: the shim must not take
# it for the watch and let a static program run unwatched
BB=$(command -v busybox)
"$PROBES/ownlistener" "$BB" sh -c "echo x > '$OUT/own0'" >/dev/null
check "unwrapped, the program runs under its own listener" [ -e "$OUT/own0" ]
status 127 "a static program under a listener that is not ours" \
    $A "$PROBES/ownlistener" "$BB" sh -c "echo x > '$OUT/own'"
check "it did not run: nothing written" [ ! -e "$OUT/own" ]
check "said why" grep -q "not agentwrap's" "$T/last.err"
# inside the watch, the same program's inherited watch is recognised
status 0 "a static program under the watch it inherited" \
    $A "$BB" sh -c "sh -c \"'$BB' touch '$WS/inherited'\""
check "it ran" [ -e "$WS/inherited" ]
finish
