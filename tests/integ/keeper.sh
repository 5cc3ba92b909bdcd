# The keeper (supervisor/keeper.h): killing the supervisor leaves no
# process of the tree able to act. A daemon of the command's (its own
# session, an orphan) creates a file every 5 ms with the system call
# instruction, which neither the shim nor, in the default mode, the watch
# sees; the supervisor is SIGKILLed from outside. With the keeper the
# ticks stop and the daemon is gone; without it (AGENTWRAP_DISABLE=keeper,
# as if it had been killed too) the documented weaker outcome: a dynamic
# daemon goes on. And the tree cannot signal, stop, limit or starve the
# keeper.
. "$(dirname "$0")/lib.sh"

K="$PROBES/keeper"
KS="$PROBES/keeper-static"

ATTACKS="kill kill-group kill-zero tkill tgkill rt_sigqueueinfo
    rt_tgsigqueueinfo pidfd_open pidfd_send_signal prlimit sched_setscheduler
    sched_setparam sched_setaffinity setpriority setpriority-group
    setpriority-user ioprio_set fcntl-setsig fcntl-setsig-stop"

ticks() { ls "$1" 2>/dev/null | grep -c '^tick\.'; }

# tickrun NAME PROBE [AGENTWRAP_DISABLE]: start the daemon under agentwrap,
# kill the supervisor once it ticks; leaves $D (its directory), $DPID,
# $AST (agentwrap's status), $A1 and $A2 (ticks 0.3 s and 0.8 s after)
tickrun() {
	D="$WS/$1"
	mkdir -p "$D"
	(
		[ -n "${3:-}" ] && export AGENTWRAP_DISABLE="$3"
		exec "$AGENTWRAP" -C "$WS" -a never -- sh -c \
		    "'$2' ${TICKCMD:-tick} '$D' ${TICKARG:-} && sleep 60" \
		    2>"$T/$1.err"
	) &
	apid=$!
	n=0
	while [ "$(ticks "$D")" -lt 10 ] && [ $n -lt 100 ]; do
		sleep 0.05
		n=$((n + 1))
	done
	DPID=$(cat "$D/pid" 2>/dev/null)
	check "$1: the daemon ticks under agentwrap" [ "$(ticks "$D")" -ge 10 ]
	# without the keeper, agentwrap is the supervisor itself
	if [ -n "${3:-}" ]; then
		sup=$apid
	else
		sup=$(pgrep -P "$apid" -x agentwrap)
	fi
	check "$1: found the supervisor ($sup)" [ -n "$sup" ]
	kill -KILL $sup
	sleep 0.3
	A1=$(ticks "$D")
	sleep 0.5
	A2=$(ticks "$D")
	wait $apid
	AST=$?
}

# the probe itself works here: the attacks reach an ordinary process
sleep 120 &
NB=$!
# (in a session of its own: its group is itself, whose nice it may set)
setsid -w "$K" attack $NB "$(ps -o pgid= $NB | tr -d ' ')" >"$T/plain.out" 2>&1
kill $NB
# perf_event_open where the kernel lets a user count their own processes
PERF_OK=0
if [ "$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo 9)" -le 2 ]; then
	PERF_OK=1
	check "perf_event_open reaches an outside process unwrapped" \
	    grep -qx "done perf_event_open" "$T/plain.out"
else
	echo "note: perf_event_paranoid > 2: no user may count another process; perf not tried"
fi
for a in $ATTACKS; do
	# (every process of ours set to our own nice: the kernel may say
	# EACCES for one that has a higher one; it answered)
	check "$a reaches an outside process unwrapped" \
	    grep -Eqx "done $a|refused $a: Permission denied" "$T/plain.out"
done

# in the tree, each is refused, from a dynamic and a static program, in
# the default mode and under --strict
for mode in "dyn:$K:" "static:$KS:" "strict:$K:--strict" \
    "strict-static:$KS:--strict"; do
	name=${mode%%:*}
	rest=${mode#*:}
	prog=${rest%%:*}
	opt=${rest#*:}
	# in the background, for agentwrap's pid: the keeper's. A wrong
	# target would fail with EPERM as well (another user's process)
	"$AGENTWRAP" -C "$WS" -a never $opt -- "$prog" attack \
	    >"$T/last.out" 2>"$T/last.err" &
	apid=$!
	wait $apid
	rc=$?
	check "$name: attack ran (exit $rc)" [ "$rc" -eq 0 ]
	check "$name: the probe aimed at its keeper ($apid)" \
	    grep -q "^target $apid [1-9][0-9]*$" "$T/last.out"
	for a in $ATTACKS; do
		check "$name: $a aimed at the keeper is refused" grep -Eqx \
		    "refused $a: (Operation not permitted|Function not implemented)" \
		    "$T/last.out"
	done
	# perf: the keeper is not dumpable, so the kernel's ptrace check
	# refuses (where perf_event_paranoid lets anyone count their own)
	if [ "$PERF_OK" = 1 ]; then
		check "$name: perf_event_open of the keeper is refused" \
		    grep -Eqx "refused perf_event_open: (Permission denied|Operation not permitted)" \
		    "$T/last.out"
	fi
done

# the keeper ends the tree when the supervisor dies
for p in "dyn:$K" "static:$KS"; do
	name=${p%%:*}
	tickrun "$name" "${p#*:}"
	check "$name: agentwrap says the supervisor was killed" \
	    grep -q "the supervisor was killed" "$T/$name.err"
	check "$name: agentwrap exits 125 (got $AST)" [ "$AST" -eq 125 ]
	check "$name: no tick after the supervisor's death ($A1, then $A2)" \
	    [ "$A1" -eq "$A2" ]
	check "$name: the daemon is gone" sh -c "! kill -0 $DPID 2>/dev/null"
done

# a chain of 300 processes whose first thread has exited (/proc shows
# them as zombies while another thread runs), the deepest one ticking:
# the keeper's scan must not pass over them, nor give up on them
TICKCMD=zchain TICKARG=300 tickrun zchain "$K"
check "zchain: agentwrap exits 125 (got $AST)" [ "$AST" -eq 125 ]
check "zchain: no tick after the supervisor's death ($A1, then $A2)" \
    [ "$A1" -eq "$A2" ]
check "zchain: none of the chain is left" \
    sh -c "! pgrep -u $(id -u) -x keeper >/dev/null"

# the supervisor stopped (SIGSTOP) by the tree, then killed: the keeper
# must not stop with it (it would never end the tree)
D="$WS/stopsup"
mkdir -p "$D"
"$AGENTWRAP" -C "$WS" -a never -- "$K" stopsup "$D" 2>"$T/stopsup.err" &
apid=$!
n=0
while kill -0 $apid 2>/dev/null && [ $n -lt 100 ]; do
	sleep 0.05
	n=$((n + 1))
done
A1=$(ticks "$D")
sleep 0.5
A2=$(ticks "$D")
check "stopsup: the daemon ticked before ($A1)" [ "$A1" -ge 4 ]
check "stopsup: agentwrap ended within 5 s" sh -c "! kill -0 $apid 2>/dev/null"
kill -CONT $apid 2>/dev/null
wait $apid
check "stopsup: no tick after ($A1, then $A2)" [ "$A1" -eq "$A2" ]
DPID=$(cat "$D/pid" 2>/dev/null)
check "stopsup: the daemon said its pid" [ -n "$DPID" ]
check "stopsup: the daemon is gone" sh -c "! kill -0 ${DPID:-0} 2>/dev/null"

# without the keeper: the dynamic daemon's raw calls go on (the weaker
# outcome security.md states); the static one's fail (ENOSYS from the
# watch's filter), though it lives on
tickrun nok-dyn "$K" keeper
check "no keeper, dynamic: the daemon still acts ($A1, then $A2)" \
    [ "$A2" -gt "$A1" ]
kill -KILL "$DPID" 2>/dev/null
tickrun nok-static "$KS" keeper
check "no keeper, static: its calls fail ($A1, then $A2)" [ "$A1" -eq "$A2" ]
check "no keeper, static: but it lives on" kill -0 "$DPID"
kill -KILL "$DPID" 2>/dev/null

finish
