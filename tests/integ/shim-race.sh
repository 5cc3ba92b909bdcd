# A thread that moves the directory a relative name is taken from (chdir, or
# dup2 over the dirfd) while another makes entries by that name: each call
# acts where it was judged, so nothing appears outside the writable roots.
# cwdrace exits 2 if the race did not run (no call made or none refused).
. "$(dirname "$0")/lib.sh"

for how in chdir dirfd; do
	mkdir -p "$WS/$how" "$OUT/$how"
	status 0 "relative names while another thread moves ($how)" \
	    aw -q -a never -- "$PROBES/cwdrace" "$WS/$how" "$OUT/$how" 20000 "$how"
	check "nothing made outside ($how)" [ -z "$(ls -A "$OUT/$how")" ]
	check "made inside ($how)" [ -n "$(ls -A "$WS/$how")" ]
done
# what the pins must not change: templates filled in, the lowest descriptor
mkdir -p "$WS/tmpl"
status 0 "mkstemp and mkdtemp with threads" aw -q -a never -- \
    "$PROBES/cwdrace" "$WS/tmpl" "$OUT" 0 tmpl
# threads that pin, exit, and make entries from a destructor as they go:
# the shim's per-thread buffers are mapped and unmapped around them
mkdir -p "$WS/exits"
status 0 "threads that exit, destructors that open" aw -q -a never -- \
    "$PROBES/cwdrace" "$WS/exits" "$OUT" 200 exits
check "every entry made" [ "$(ls -A "$WS/exits" | wc -l)" -eq 401 ]
finish
