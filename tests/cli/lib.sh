# tests/cli/lib.sh: helpers for the CLI tests, sourced by each tests/cli/*.sh.
# Each test runs with a fresh HOME in a scratch directory, no user config,
# and checks exit statuses and output lines of $AGENTWRAP.
set -u
: "${AGENTWRAP:?set AGENTWRAP to the agentwrap binary}"

T=$(mktemp -d "${TMPDIR:-/tmp}/aw-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT
export HOME="$T/home"
export TMPDIR=/tmp
unset XDG_CONFIG_HOME AGENTWRAP_CONFIG
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY \
    no_proxy NO_PROXY
mkdir -p "$HOME" "$T/ws"
umask 022
cd "$T/ws" || exit 1
nfail=0
ntest=0

# expect CODE REGEX [agentwrap args...]: exit status and a line of stdout+stderr
expect() {
	code=$1; re=$2; shift 2
	ntest=$((ntest + 1))
	out=$("$AGENTWRAP" "$@" 2>&1)
	got=$?
	if [ "$got" -ne "$code" ] || ! printf '%s\n' "$out" | grep -Eq -- "$re"; then
		nfail=$((nfail + 1))
		echo "FAIL: agentwrap $*"
		echo "  expected exit $code and /$re/"
		echo "  got exit $got:"
		printf '%s\n' "$out" | sed 's/^/    /'
	fi
}

# decide CODE REGEX [args...]: exit CODE and exactly one line on stdout,
# "allow: " (0), "deny: " (1) or "ask: " (2) then the reason, matching REGEX;
# nothing on stderr.
decide() {
	code=$1; re=$2; shift 2
	case $code in 0) v=allow ;; 1) v=deny ;; 2) v=ask ;; *) v=BAD ;; esac
	ntest=$((ntest + 1))
	"$AGENTWRAP" "$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -ne "$code" ] || [ "$(grep -c '' "$T/out")" -ne 1 ] ||
	    ! grep -q "^$v: ." "$T/out" || ! grep -Eq -- "$re" "$T/out" ||
	    [ -s "$T/err" ]; then
		nfail=$((nfail + 1))
		echo "FAIL: agentwrap $*"
		echo "  expected exit $code, one line '$v: ...' matching /$re/" \
		    "and no stderr"
		echo "  got exit $got; stdout:"
		sed 's/^/    /' "$T/out"
		echo "  stderr:"
		sed 's/^/    /' "$T/err"
	fi
}

# refuse REGEX [args...]: exit 125, nothing on stdout, a line of stderr
# matching REGEX
refuse() {
	re=$1; shift
	ntest=$((ntest + 1))
	"$AGENTWRAP" "$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -ne 125 ] || [ -s "$T/out" ] || ! grep -Eq -- "$re" "$T/err"
	then
		nfail=$((nfail + 1))
		echo "FAIL: agentwrap $*"
		echo "  expected exit 125, no stdout and /$re/ on stderr"
		echo "  got exit $got; stdout:"
		sed 's/^/    /' "$T/out"
		echo "  stderr:"
		sed 's/^/    /' "$T/err"
	fi
}

# check DESCRIPTION COMMAND...: a shell condition
check() {
	d=$1; shift
	ntest=$((ntest + 1))
	if ! "$@"; then
		nfail=$((nfail + 1))
		echo "FAIL: $d"
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
