#!/bin/sh
# hooks-table.sh: preload/hooks.def is the one list of the shim's hooks.
# Every function libagentwrap.so exports is a row of it (HOOK, HAND or
# ALIAS), and every row is exported: a hook written by hand somewhere else,
# or a row whose function went missing, fails here.
# (found before lib.sh moves to a scratch directory)
DEF="$(cd "$(dirname "$0")/../.." && pwd)/preload/hooks.def"
. "$(dirname "$0")/lib.sh"
SO="$(dirname "$AGENTWRAP")/libagentwrap.so"

check "the table is here" [ -r "$DEF" ]
check "the shim is built" [ -r "$SO" ]

# the function names the shim exports (the version suffix dropped)
nm -D --defined-only "$SO" | awk '$2 == "T" || $2 == "W" || $2 == "i" {
	sub(/@.*/, "", $3); print $3 }' | sort -u >"$T/exported"
# the rows' names: HOOK(cls, ret, NAME, ...), HAND(ret, NAME, ...),
# ALIAS(ret, NAME, ...); a row's first line holds its name
sed -n -E \
    -e 's/^HOOK\([^,]*,[^,]*, *([A-Za-z_0-9]+).*/\1/p' \
    -e 's/^(HAND|ALIAS)\([^,]*, *([A-Za-z_0-9]+).*/\2/p' "$DEF" |
    sort -u >"$T/rows"

n=$(wc -l <"$T/exported")
check "the shim exports its hooks ($n functions)" [ "$n" -gt 100 ]
check "the table has its rows ($(wc -l <"$T/rows"))" [ "$(wc -l <"$T/rows")" -gt 100 ]
comm -23 "$T/exported" "$T/rows" >"$T/unlisted"
comm -13 "$T/exported" "$T/rows" >"$T/missing"
check "every exported function is a row: $(tr '\n' ' ' <"$T/unlisted")" \
    [ ! -s "$T/unlisted" ]
check "every row is exported: $(tr '\n' ' ' <"$T/missing")" \
    [ ! -s "$T/missing" ]
check "the __res_* names are ALIAS rows" \
    [ "$(grep -c '^ALIAS(int, __res_' "$DEF")" -eq 8 ]

finish
