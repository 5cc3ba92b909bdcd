# Landlock under the shim: with approval_policy = never (agentwrap.landlock
# = auto) a program the shim cannot follow (a static busybox) is held to
# the writable roots by the kernel, and cannot open TCP connections while
# the network is off. Renames across directories inside the workspace still
# work. Then the weaker outcomes: --no-landlock, an approval policy that
# may widen the roots, a kernel without Landlock (agentwrap.landlock = on
# refuses to run there).
. "$(dirname "$0")/lib.sh"

BB=$(command -v busybox || true)
if [ -z "$BB" ] || ldd "$BB" >/dev/null 2>&1; then
	echo "FAIL: no static busybox (scripts/setup installs busybox-static)"
	exit 1
fi
ABI=$($PY -c 'import ctypes; print(ctypes.CDLL(None, use_errno=True).syscall(444, None, 0, 1))')

# a listener of the test's own: what it receives is the effect
cat > "$T/listen.py" <<'PYEOF'
import socket, sys, os
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(5)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.settimeout(20)
n = 0
try:
    while True:
        c, _ = s.accept()
        n += 1
        open(sys.argv[2], "w").write(str(n))
        c.close()
except socket.timeout:
    pass
PYEOF
$PY "$T/listen.py" "$T/port" "$T/got" &
LP=$!
i=0
while [ ! -s "$T/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
PORT=$(cat "$T/port")

# --no-seccomp throughout: the seccomp watch would refuse the same calls
# (tests/integ/watch.sh); here Landlock alone is what is tried
if [ "$ABI" -lt 2 ]; then
	echo "note: Landlock ABI $ABI here (2 needed): only the fallbacks are tried"
else
	# unwrapped, the static program can do both: the test can fail
	"$BB" sh -c "echo x > '$OUT/plain'"
	check "unwrapped, a static program writes outside" [ -e "$OUT/plain" ]
	status 0 "a static program, -a never" aw --no-seccomp -c agentwrap.uncovered=allow -a never -- "$BB" sh -c \
	    "echo x > '$OUT/ll'; echo y > '$WS/in'; mkdir -p '$WS/d';
	     mv '$WS/in' '$WS/d/'; true"
	check "it could not write outside" absent "$OUT/ll"
	check "it wrote inside, and moved a file into a directory" \
	    [ -e "$WS/d/in" ]
	if [ "$ABI" -ge 4 ]; then
		rm -f "$T/got"
		"$BB" nc 127.0.0.1 "$PORT" </dev/null >/dev/null 2>&1
		sleep 0.3
		check "unwrapped, it connects" [ -s "$T/got" ]
		rm -f "$T/got"
		aw -q --no-seccomp -c agentwrap.uncovered=allow -a never -- "$BB" nc 127.0.0.1 "$PORT" </dev/null \
		    >/dev/null 2>&1
		sleep 0.3
		check "network off: the listener got no connection" \
		    absent "$T/got"
	fi
	# guarded files: ~/.ssh (a credential store, "ask", so denied under
	# -a never) and a "deny" entry outside the roots are unreadable to
	# the kernel; their neighbours, the workspace and the system are not
	mkdir -p "$HOME/.ssh"
	echo secret-key > "$HOME/.ssh/id"
	echo plain > "$HOME/plain"
	echo secret-out > "$OUT/denied"
	echo fine > "$OUT/fine"
	echo secret-ws > "$WS/denied-ws"
	G="agentwrap.filesystem.paths={\"$OUT/denied\"=\"deny\",\"$WS/denied-ws\"=\"deny\"}"
	"$BB" sh -c "cat '$HOME/.ssh/id' '$OUT/denied'" > "$T/plain.read"
	check "unwrapped, a static program reads them" \
	    sh -c "grep -q secret-out '$T/plain.read' && grep -q secret-key '$T/plain.read'"
	rm -f "$WS"/got.*
	aw --no-seccomp -c agentwrap.uncovered=allow -a never -c "$G" -- \
	    "$BB" sh -c "cat '$HOME/.ssh/id' > got.key; cat '$OUT/denied' > got.out
	    cat '$HOME/plain' > got.plain; cat '$OUT/fine' > got.fine
	    cat /etc/passwd > got.sys; ls '$HOME/.ssh' > got.names
	    ln '$HOME/.ssh/id' got.hard; cat got.hard > got.viahard
	    ln -s '$HOME/.ssh/id' got.sym; cat got.sym > got.viasym
	    cat /proc/self/root'$HOME/.ssh/id' > got.viaproc
	    cat '$WS/denied-ws' > got.ws; true" 2>"$T/ll.err"
	check "the static program ran (it read a neighbour)" grep -q plain got.plain
	check "it read outside files that are not guarded" grep -q fine got.fine
	check "it read the system" grep -q root got.sys
	check "it could not read ~/.ssh/id" [ ! -s got.key ]
	check "nor the deny entry outside the roots" [ ! -s got.out ]
	check "nor through a hard link into the workspace" \
	    sh -c "! grep -q secret got.viahard"
	check "nor through a symlink" sh -c "! grep -q secret got.viasym"
	check "nor through /proc/self/root" sh -c "! grep -q secret got.viaproc"
	check "a guarded directory's names still show" grep -q '^id$' got.names
	# documented: a guarded path inside a writable root is not Landlock's
	check "inside a root, a deny entry is the shim's and the watch's only" \
	    grep -q secret-ws got.ws
	check "and a line says so" grep -q \
	    "$WS/denied-ws is inside a writable root: the shim and the watch guard it, Landlock does not" \
	    "$T/ll.err"
	rm -f got.*
	# a dynamic program's raw system call, which the shim never sees and
	# the default mode does not watch
	aw -q -a never -- "$PROBES/watchcalls-dyn" rawread "$HOME/.ssh/id" \
	    >"$T/raw.out" 2>&1
	check "a raw openat of ~/.ssh/id is refused (Landlock)" \
	    grep -q "refused rawread" "$T/raw.out"
	aw -q -a never -- "$PROBES/watchcalls-dyn" rawread "$HOME/plain" \
	    >"$T/raw.out" 2>&1
	check "a raw openat of a neighbour works" grep -q '^plain$' "$T/raw.out"
	aw -q -a never --no-landlock -- "$PROBES/watchcalls-dyn" rawread \
	    "$HOME/.ssh/id" >"$T/raw.out" 2>&1
	check "--no-landlock: the raw read happens (as documented)" \
	    grep -q secret-key "$T/raw.out"
	aw -q -a on-request -- "$PROBES/watchcalls-dyn" rawread \
	    "$HOME/.ssh/id" >"$T/raw.out" 2>&1 </dev/null
	check "-a on-request under auto: the raw read happens (as documented)" \
	    grep -q secret-key "$T/raw.out"
	# a home that may be searched but not listed: nothing in it is read
	# but what the policy names (the workspace, were it there)
	mkdir -p "$T/h2/.ssh"
	echo secret-h2 > "$T/h2/.ssh/id"
	echo plain-h2 > "$T/h2/plain"
	chmod 0311 "$T/h2"
	HOME="$T/h2" aw --no-seccomp -c agentwrap.uncovered=allow -a never -- \
	    "$BB" sh -c "cat '$T/h2/.ssh/id' '$T/h2/plain' > got.h2; \
	    cat '$OUT/fine' > got.fine" 2>"$T/h2.err"
	chmod 0755 "$T/h2"
	check "an unlistable home: the program ran" grep -q fine got.fine
	check "nothing in it is read" sh -c "! grep -q h2 got.h2"
	check "and it says so" \
	    grep -q "only what the policy names can be read below $T/h2" \
	    "$T/h2.err"
	rm -f got.h2 got.fine
	# attacks on the listing itself, each closed rather than opened:
	# a directory above a guarded path made unlistable by the command
	# (its raw chmod; Landlock does not hold chmod), for the next run
	mkdir -p "$HOME/.config/gh"
	echo secret-gh > "$HOME/.config/gh/hosts.yml"
	# the first run, wrapped, makes it unlistable (Landlock has no right
	# for chmod); the next run must not read what lies below
	aw -q --no-seccomp -c agentwrap.uncovered=allow -a never -- \
	    "$BB" chmod 0311 "$HOME/.config" 2>/dev/null
	check "a wrapped static chmod made ~/.config unlistable" \
	    [ "$(stat -c %a "$HOME/.config")" = 311 ]
	aw --no-seccomp -c agentwrap.uncovered=allow -a never -- "$BB" sh -c \
	    "chmod 0755 '$HOME/.config'; cat '$HOME/.config/gh/hosts.yml' \
	     > got.gh; cat '$HOME/plain' > got.plain" 2>"$T/seal.err"
	chmod 0755 "$HOME/.config"
	check "sealed: the program ran (it read a neighbour)" grep -q plain got.plain
	check "an unlistable ~/.config: its guarded file stays unread" \
	    [ ! -s got.gh ]
	check "and it says what it closed" \
	    grep -q "only what the policy names can be read below $HOME/.config" \
	    "$T/seal.err"
	# an unlistable directory further up (a shared host's 0711 /home):
	# the home below it is listed as usual
	mkdir -p "$T/b2/u/.ssh"
	echo secret-b2 > "$T/b2/u/.ssh/id"
	echo gitconfig-b2 > "$T/b2/u/.gitconfig"
	chmod 0311 "$T/b2"
	HOME="$T/b2/u" aw --no-seccomp -c agentwrap.uncovered=allow -a never -- \
	    "$BB" sh -c "cat '$T/b2/u/.gitconfig' > got.b2c; \
	    cat '$T/b2/u/.ssh/id' > got.b2s" 2>/dev/null
	chmod 0755 "$T/b2"
	check "an unlistable /home: ~/.gitconfig still reads" \
	    grep -q gitconfig-b2 got.b2c
	check "and ~/.ssh/id does not" [ ! -s got.b2s ]
	rm -f got.b2c got.b2s
	# a "write" entry inside a guarded home: read and written (its
	# directory is listed down to it)
	mkdir -p "$T/h3/.cache/pip"
	echo pipdata > "$T/h3/.cache/pip/x"
	echo secret-h3 > "$T/h3/other"
	HOME="$T/h3" aw -q --no-seccomp -c agentwrap.uncovered=allow -a never \
	    -c 'agentwrap.filesystem.paths={"~"="deny","~/.cache/pip"="write"}' \
	    -- "$BB" sh -c "cat '$T/h3/.cache/pip/x' > got.pip; cat '$T/h3/other' \
	    > got.h3; echo new > '$T/h3/.cache/pip/y'" 2>/dev/null
	check "a write entry in a guarded home: read" grep -q pipdata got.pip
	check "and written" [ -s "$T/h3/.cache/pip/y" ]
	check "the rest of the home is not read" [ ! -s got.h3 ]
	rm -f got.pip got.h3
	# a "read" entry inside a root that a guarded directory holds: read,
	# and nothing else of that root (the policy's verdicts)
	mkdir -p "$T/gd/in/sub"
	echo in-x > "$T/gd/in/x"
	echo in-y > "$T/gd/in/sub/y"
	aw -q --no-seccomp -c agentwrap.uncovered=allow -a never \
	    --add-dir "$T/gd/in" \
	    -c "agentwrap.filesystem.paths={\"$T/gd\"=\"deny\",\"$T/gd/in/x\"=\"read\"}" \
	    -- "$BB" sh -c "cat '$T/gd/in/x' > got.inx; cat '$T/gd/in/sub/y' \
	    > got.iny" 2>/dev/null
	check "a read entry inside a root in a guarded directory: read" \
	    grep -q in-x got.inx
	check "and the rest of that root is not (as the policy says)" \
	    [ ! -s got.iny ]
	rm -f got.inx got.iny
	# read-only: Landlock lets nothing be written without asking, the
	# workspace included
	rm -f "$WS/ro-w"
	aw -q -s read-only --no-seccomp -c agentwrap.uncovered=allow -a never -- \
	    "$BB" sh -c "echo x > '$WS/ro-w'" 2>/dev/null
	check "read-only: a static program cannot write the workspace" \
	    absent "$WS/ro-w"
	# a directory above a guarded path filled past the bound
	mkdir -p "$T/fl/home/.ssh"
	echo secret-fl > "$T/fl/home/.ssh/id"
	$PY -c 'import sys
for i in range(4200): open("%s/f%d" % (sys.argv[1], i), "w").close()' "$T/fl"
	HOME="$T/fl/home" aw --no-seccomp -c agentwrap.uncovered=allow -a never \
	    -- "$BB" sh -c "cat '$T/fl/home/.ssh/id' > got.fl; cat /etc/passwd \
	    > got.sys" 2>"$T/fl.err"
	check "a flooded directory: the program ran" grep -q root got.sys
	check "and the guarded file below it stays unread" [ ! -s got.fl ]
	check "it says so" grep -q "more than 4096 entries" "$T/fl.err"
	rm -rf "$T/fl"
	# "/" itself guarded: nothing may be read, so not even the program
	status 126 "/ guarded: nothing runs" aw -q --no-seccomp \
	    -c agentwrap.uncovered=allow -a never \
	    -c 'agentwrap.filesystem.paths={"/"="deny"}' -- \
	    "$BB" sh -c "cat '$OUT/fine' > got.fine"
	check "/ guarded: the file outside was not read" absent got.fine
	# "/" guarded, with one directory let out again
	aw -q --no-seccomp -c agentwrap.uncovered=allow -a never \
	    -c 'agentwrap.filesystem.paths={"/"="deny","/usr"="read"}' -- \
	    "$BB" sh -c "echo ran > got.ran; cat /etc/passwd > got.sys; \
	    cat '$OUT/fine' > got.fine" 2>/dev/null
	check "/ guarded: the program ran from /usr" grep -q ran got.ran
	check "/ guarded: /etc is not read" [ ! -s got.sys ]
	check "/ guarded: nor a file outside" [ ! -s got.fine ]
	# the shim's own directory guarded: the shim still loads, and judges
	aw -a never -c "agentwrap.filesystem.paths={\"$(dirname "$AGENTWRAP")\"=\"deny\"}" \
	    -- /bin/mkdir "$WS/.agentwrap" 2>"$T/shim.err"
	check "the shim's directory guarded: a protected name is still refused" \
	    absent "$WS/.agentwrap"
	check "by the shim, which says so" grep -q "denied write" "$T/shim.err"
	rm -f got.*
	# the weaker outcomes, as documented
	status 0 "--no-landlock" aw --no-seccomp -c agentwrap.uncovered=allow -a never --no-landlock -- "$BB" sh -c \
	    "echo x > '$OUT/nol'"
	check "--no-landlock: the static write happens" [ -e "$OUT/nol" ]
	status 0 "an approval policy that may ask" aw --no-seccomp -c agentwrap.uncovered=allow -a on-request -- \
	    "$BB" sh -c "echo x > '$OUT/ask'"
	check "under auto, no ruleset: the static write happens" [ -e "$OUT/ask" ]
	status 0 "agentwrap.landlock = on with on-request" aw --no-seccomp -c agentwrap.uncovered=allow -a on-request \
	    --landlock on -- "$BB" sh -c "echo x > '$OUT/on'; true"
	check "on: held to the roots" absent "$OUT/on"
fi
# AGENTWRAP_DISABLE=landlock: as on a kernel without it
export AGENTWRAP_DISABLE=landlock
status 0 "AGENTWRAP_DISABLE=landlock" aw --no-seccomp -c agentwrap.uncovered=allow -a never -- "$BB" sh -c \
    "echo x > '$OUT/dis'"
check "no ruleset: the static write happens" [ -e "$OUT/dis" ]
status 125 "agentwrap.landlock = on where there is none: nothing runs" \
    aw --no-seccomp -c agentwrap.uncovered=allow -a never --landlock on -- "$BB" sh -c "echo x > '$WS/never'"
check "it did not run" absent "$WS/never"
check "it says why" grep -q "agentwrap.landlock = on" "$T/last.err"
unset AGENTWRAP_DISABLE
kill "$LP" 2>/dev/null
finish
