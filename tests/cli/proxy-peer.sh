#!/bin/sh
# agentwrap's proxy serves only the user agentwrap runs as: a client of
# another user (here nobody, while root runs agentwrap) is closed without
# an answer, and never gets a request judged; one of the same user gets the
# proxy's answer. Only root can start a process of another user: as a
# plain user this script is skipped.
. "$(dirname "$0")/lib.sh"

# needs: root (tests/run does not run it again as nobody)
[ "$(id -u)" -eq 0 ] || skip "not root: no process of another uid to start"

# a client: send a request for a denied name, print the first line back
cat > "$T/client.py" <<'PYEOF'
import socket, sys
port = int(sys.argv[1].rsplit(":", 1)[1])
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(b"GET http://evil.test/x HTTP/1.1\r\nHost: evil.test\r\n\r\n")
out = b""
try:
    while True:
        d = s.recv(4096)
        if not d:
            break
        out += d
except OSError as e:
    print("error", e)
print("answer", out.split(b"\r\n", 1)[0].decode(errors="replace") or "none")
PYEOF
chmod 755 "$T"
chmod 644 "$T/client.py"

"$AGENTWRAP" -a never -n -c features.network_proxy=true \
    -c 'features.network_proxy.domains={ "evil.test" = "deny" }' -- \
    sh -c 'echo $PPID > sup && echo "$HTTP_PROXY" > url.tmp && mv url.tmp url &&
        while [ ! -e stop ]; do sleep 0.1; done' >"$T/o" 2>"$T/e" &
aw=$!
i=0
while [ ! -s url ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
url=$(cat url 2>/dev/null)
check "the command got a proxy" sh -c "echo '$url' | grep -q '^http://127\.0\.0\.1:[0-9]*$'"

/usr/bin/python3 "$T/client.py" "$url" > "$T/root.out" 2>&1
check "a client of the same user gets the proxy's answer (403)" \
    grep -qx "answer HTTP/1.1 403 Forbidden" "$T/root.out"
setpriv --reuid=nobody --regid=nogroup --clear-groups \
    /usr/bin/python3 "$T/client.py" "$url" > "$T/nobody.out" 2>&1
check "the client of another user ran" grep -q "^answer\|^error" "$T/nobody.out"
check "and got no answer" sh -c "! grep -q 'HTTP/' '$T/nobody.out'"
# a client of another user that sends its request and closes at once:
# by the time the proxy looks, its socket may be a TIME_WAIT row, which
# the kernel shows as root's; none of them may be judged
cat > "$T/closefirst.py" <<'PYEOF'
import socket, sys
port = int(sys.argv[1].rsplit(":", 1)[1])
for i in range(40):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET http://evil.test/gone-%d HTTP/1.1\r\nHost: evil.test\r\n\r\n" % i)
    s.close()
print("sent 40")
PYEOF
chmod 644 "$T/closefirst.py"
# (the supervisor is stopped meanwhile, so that every one of them is gone
# before it accepts)
sup=$(cat sup)
check "the supervisor is the command's parent" \
    grep -q '^Name:.*agentwrap' "/proc/$sup/status"
kill -STOP "$sup"
setpriv --reuid=nobody --regid=nogroup --clear-groups \
    /usr/bin/python3 "$T/closefirst.py" "$url" > "$T/gone.out" 2>&1
kill -CONT "$sup"
check "the closing clients of another user ran" grep -qx "sent 40" "$T/gone.out"
sleep 1
touch stop
wait $aw
check "agentwrap says it turned them away" \
    grep -q "the proxy turned away [0-9]* connections of another user" "$T/e"
check "only the same user's request was judged" \
    grep -q "1 call denied" "$T/e"
[ "$nfail" -eq 0 ] || { cat "$T/root.out" "$T/nobody.out"; sed 's/^/    /' "$T/e"; }
finish
