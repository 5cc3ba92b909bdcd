#!/bin/sh
# A process of the tree that runs as another user than agentwrap (root runs
# agentwrap, the command drops to nobody) cannot open the holder's
# descriptors; it attaches through the supervisor's socket instead, and is
# judged as any other. Only root can start such a process: as a plain user
# this script is skipped.
. "$(dirname "$0")/lib.sh"

# needs: root (tests/run does not run it again as nobody)
[ "$(id -u)" -eq 0 ] || skip "not root: no process of another uid to start"

mkdir -p "$T/shared" "$T/out"
chmod 1777 "$T/shared"
chmod 755 "$T" "$T/out"
ntest=$((ntest + 1))
"$AGENTWRAP" -q -a never -C "$T/shared" \
    -c sandbox_workspace_write.exclude_slash_tmp=true \
    -c sandbox_workspace_write.exclude_tmpdir_env_var=true -- \
    setpriv --reuid=nobody --regid=nogroup --clear-groups \
    sh -c 'id -u > "$0"; echo y > "$1"' "$T/shared/uid" "$T/out/x" \
    >"$T/o" 2>"$T/e"
if [ "$(cat "$T/shared/uid" 2>/dev/null)" != 65534 ]; then
	nfail=$((nfail + 1))
	echo "FAIL: the command as nobody did not run, or could not attach"
	sed 's/^/    /' "$T/e"
fi
ntest=$((ntest + 1))
if [ -e "$T/out/x" ]; then
	nfail=$((nfail + 1))
	echo "FAIL: the process of another uid was not judged: $T/out/x exists"
fi
finish
