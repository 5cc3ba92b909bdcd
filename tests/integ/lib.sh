# tests/integ/lib.sh: helpers for the integration tests, sourced by each
# tests/integ/*.sh. They run real programs under agentwrap and assert on
# effects: files that exist or not, their bytes, exit statuses, what a peer
# received. tests/run runs them as an unprivileged user (nobody, no
# capabilities, no namespaces) when it is root.
#
# Each test gets a scratch tree under $T:
#   $WS       the workspace (-C), the only writable root: /tmp and $TMPDIR
#             are excluded so that "outside" has a place to be
#   $OUT      a directory outside every writable root
#   $HOME     a scratch home
# aw ARGS...  runs agentwrap with that policy (add options before --)
set -u
: "${AGENTWRAP:?set AGENTWRAP to the agentwrap binary}"
PROBES=${PROBES:-$(dirname "$AGENTWRAP")/probe}
PY=/usr/bin/python3

T=$(mktemp -d /tmp/aw-integ.XXXXXX)
trap 'rm -rf "$T"' EXIT
WS="$T/ws"
OUT="$T/out"
export HOME="$T/home"
unset XDG_CONFIG_HOME AGENTWRAP_CONFIG LD_PRELOAD
# a proxy of the machine running the tests would be an upstream of the
# proxy agentwrap serves (and curl would go to it)
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY \
    no_proxy NO_PROXY
mkdir -p "$WS" "$OUT" "$HOME"
umask 022
cd "$WS" || exit 1
nfail=0
ntest=0

aw() {
	"$AGENTWRAP" -C "$WS" \
	    -c sandbox_workspace_write.exclude_slash_tmp=true \
	    -c sandbox_workspace_write.exclude_tmpdir_env_var=true "$@"
}

# aw without the keeper (AGENTWRAP_DISABLE=keeper), as if it had been
# killed too: what the filters alone do once the supervisor is gone
aw_nokeeper() { (AGENTWRAP_DISABLE=keeper && export AGENTWRAP_DISABLE && aw "$@"); }

pass() { ntest=$((ntest + 1)); }
fail() {
	ntest=$((ntest + 1))
	nfail=$((nfail + 1))
	echo "FAIL: $*"
}

# check DESCRIPTION COMMAND...: COMMAND (a test(1) expression or any command) must succeed
check() {
	desc=$1
	shift
	if "$@"; then pass; else fail "$desc"; fi
}

# status EXPECTED DESCRIPTION COMMAND...: exit status of COMMAND
status() {
	want=$1 desc=$2
	shift 2
	"$@" >"$T/last.out" 2>"$T/last.err"
	got=$?
	if [ "$got" -eq "$want" ]; then
		pass
	else
		fail "$desc: exit $got, expected $want"
		sed 's/^/    out: /' "$T/last.out" | head -10
		sed 's/^/    err: /' "$T/last.err" | head -10
	fi
}

absent() { [ ! -e "$1" ] && [ ! -L "$1" ]; }

# wait_files TENTHS FILE...: until every FILE is there and not empty, for
# at most TENTHS tenths of a second (a server writes its port file last)
wait_files() {
	wf_max=$1
	shift
	wf_i=0
	while [ "$wf_i" -lt "$wf_max" ]; do
		wf_all=1
		for wf in "$@"; do [ -s "$wf" ] || wf_all=""; done
		[ -n "$wf_all" ] && return 0
		sleep 0.1
		wf_i=$((wf_i + 1))
	done
	return 1
}

# needs_netns ADDR [WHAT]: this script plays servers at the public address
# ADDR, which only the network namespace tests/run makes (as root, for a
# "# needs: netns" script) has; a missing one there is a failure, and a
# skip elsewhere. WHAT: a shell condition that must hold too.
needs_netns() {
	if ! $PY -c "import socket,sys; socket.socket().bind((sys.argv[1], 0))" "$1" 2>/dev/null ||
	    { [ -n "${2:-}" ] && ! sh -c "$2"; }; then
		[ -n "${AGENTWRAP_NETNS:-}" ] &&
		    { echo "FAIL: tests/run made no namespace with $1${2:+ and $2}"; exit 1; }
		skip "needs the namespaces tests/run makes as root"
	fi
}

finish() {
	echo "$((ntest - nfail)) passed, $nfail failed"
	# a script that checked nothing proved nothing
	[ "$ntest" -gt 0 ] || { echo "FAIL: no check ran"; return 1; }
	[ "$nfail" -eq 0 ]
}

# skip REASON: this script cannot run here; tests/run counts it as skipped
# (and as failed when AGENTWRAP_CHECK_STRICT is set, as in CI). Only for
# what a machine may lack legitimately, never for what scripts/setup installs.
skip() {
	echo "SKIP: $*"
	exit 77
}
