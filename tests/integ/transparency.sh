# When nothing is denied a program behaves the same wrapped and unwrapped:
# the same script's output is compared byte for byte, including the
# environment a child sees (agentwrap's own variables stay out of view).
. "$(dirname "$0")/lib.sh"

mkdir -p data/sub
printf 'one\ntwo\n' > data/a.txt
ln -s a.txt data/link
cat > script.sh <<'SEOF'
env | grep -v '^_=' | sort
echo "---"
ls -la data | awk '{print $1, $NF}'
cat data/link
wc -l data/a.txt
sh -c 'echo child: $$ >/dev/null; env | grep -v "^_=" | sort | md5sum'
/usr/bin/python3 -c 'import os, sys; print(sorted(k for k in os.environ if k != "_")); print(open("data/a.txt").read().strip())'
env -i /usr/bin/env
cp data/a.txt data/sub/copy && cat data/sub/copy
rm data/sub/copy
echo "exit"
SEOF
sh script.sh > plain.out 2>&1
aw -- sh script.sh > wrapped.out 2>&1
check "wrapped output equals unwrapped" cmp -s plain.out wrapped.out
if ! cmp -s plain.out wrapped.out; then diff plain.out wrapped.out | head -20; fi
check "none of agentwrap's variables visible" sh -c "! grep -Eq 'AGENTWRAP_(SOCK|HOLDER|TOKEN|SHIM|LD_PRELOAD|AUDIT|AUDIT_ONLY)=' wrapped.out"
check "no LD_PRELOAD visible" sh -c "! grep -q LD_PRELOAD wrapped.out"
finish
