# needs: netns
# DNS rebinding, against a name server of the test's own: rebind.test
# resolves to a public address first (a peer the test runs there) and to
# 127.0.0.1 from then on, where another peer listens on the same port. The
# supervisor looks the name up again once its answer is older than
# AGENTWRAP_DNS_TTL (1 s here), judges the new answer like the first, and
# refuses it; the loopback address was never pinned, so neither a lookup,
# nor a connect to the old address's port on 127.0.0.1, nor the proxy
# reaches the loopback peer. tests/run makes the network namespace (lo with
# the public test addresses) and a mount namespace whose /etc/resolv.conf
# names 127.0.0.1, where any user may bind port 53.
D=$(cd "$(dirname "$0")" && pwd)
HARNESS=$D/../../scripts/harness.py
. "$D/lib.sh"
. "$D/approvals.inc"
set +f

ADDR_OK=93.184.215.14

# a name server on 127.0.0.1:53: A queries for a name answer ADDR_OK the
# first time and 127.0.0.1 after, AAAA and the rest answer nothing; every
# A query is logged
cat > "$T/ns.py" <<'PYEOF'
import sys
from nameserver import A, a, serve
public, log, ready = sys.argv[1:4]
asked = {}
def answer(name, qtype, raw):
    if qtype != A or not name.endswith(".test"):
        return 0, [], []
    n = asked.get(name, 0)
    asked[name] = n + 1
    addr = public if n == 0 or name.startswith("stable") else "127.0.0.1"
    with open(log, "a") as f:
        f.write("%s %s\n" % (name, addr))
    return 0, [a(addr)], []
serve(53, ready, answer)
PYEOF

# two peers on the same port: one at the public address, one on loopback
cat > "$T/peer.py" <<'PYEOF'
import http.server, os, socket, sys, threading
public, log, portfile = sys.argv[1:4]
def handler(name):
    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            open(log, "a").write("%s %s\n" % (name, self.path))
            self.send_response(200)
            self.send_header("Content-Length", str(len(name)))
            self.end_headers()
            self.wfile.write(name.encode())
        def log_message(self, *a): pass
    return H
pub = http.server.ThreadingHTTPServer((public, 0), handler("public"))
port = pub.server_address[1]
loc = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler("loopback"))
threading.Thread(target=loc.serve_forever, daemon=True).start()
open(portfile + ".tmp", "w").write(str(port))
os.rename(portfile + ".tmp", portfile)
pub.serve_forever()
PYEOF

needs_netns "$ADDR_OK" "grep -qx 'nameserver 127.0.0.1' /etc/resolv.conf"
PYTHONPATH="$D" $PY "$T/ns.py" "$ADDR_OK" "$T/ns.log" "$T/ns.ready" & p1=$!
$PY "$T/peer.py" "$ADDR_OK" "$T/peer.log" "$T/peer.port" & p2=$!
trap 'kill $p1 $p2 2>/dev/null; rm -rf "$T"' EXIT
wait_files 200 "$T/ns.ready" "$T/peer.port"
P=$(cat "$T/peer.port")

# the fixture: unwrapped, the name server rebinds, and both peers answer
check "fixture: unwrapped, ctl.test resolves public, then loopback" \
    [ "$($PY -c "import socket; print(socket.gethostbyname('ctl.test'), socket.gethostbyname('ctl.test'))")" = "$ADDR_OK 127.0.0.1" ]
check "fixture: both peers answer on port $P" \
    [ "$(curl -s "http://$ADDR_OK:$P/f")$(curl -s "http://127.0.0.1:$P/f")" = publicloopback ]

# answers are used again for 1 s only
AGENTWRAP_DNS_TTL=1
export AGENTWRAP_DNS_TTL
RULE='features.network_proxy.domains={ "rebind.test" = "allow", "rebind2.test" = "allow" }'
cat > "$T/client.py" <<PYEOF
import socket, time, urllib.request
def get(path):
    try:
        ai = socket.getaddrinfo("rebind.test", $P, socket.AF_INET, socket.SOCK_STREAM)
    except socket.gaierror as e:
        return "lookup failed %d" % e.errno
    addr = ai[0][4]
    s = socket.create_connection(addr, timeout=5)
    s.sendall(("GET %s HTTP/1.0\r\nHost: rebind.test\r\n\r\n" % path).encode())
    out = b""
    while True:
        d = s.recv(4096)
        if not d:
            break
        out += d
    out = out.split(b"\r\n\r\n", 1)[-1].decode()
    s.close()
    return "%s %s" % (addr[0], out)
print("first", get("/first"))
time.sleep(2.5)
print("second", get("/second"))
# the loopback address on the old address's port, directly
try:
    socket.create_connection(("127.0.0.1", $P), timeout=5).close()
    print("direct reached")
except OSError as e:
    print("direct", e.errno)
PYEOF
status 0 "a name that rebinds, under agentwrap" \
    aw -a never -n -c features.network_proxy=true -c "$RULE" -- \
    env -u http_proxy -u HTTP_PROXY $PY "$T/client.py"
check "the first answer (public) reached the public peer" \
    grep -qx "first $ADDR_OK public" "$T/last.out"
check "the supervisor asked the name server again" \
    [ "$(grep -c '^rebind.test ' "$T/ns.log" 2>/dev/null)" -ge 2 ]
check "the second answer (loopback) was refused as a lookup failure" \
    grep -qx "second lookup failed $((-4))" "$T/last.out"
check "the loopback address on the same port was not reached" \
    grep -qx "direct 1" "$T/last.out"
check "the denial says why" grep -q "127.0.0.1 is a loopback address" "$T/last.err"
[ "$nfail" -eq 0 ] || { cat "$T/last.out"; cat "$T/last.err"; }

# the same through the proxy: the first request is allowed, the one after
# the answer changed is refused
rm -f "$T/ns.log"
status 0 "a name that rebinds, through the proxy" \
    aw -a never -n -c features.network_proxy=true -c "$RULE" -- sh -c "
    curl -s 'http://rebind2.test:$P/p1'; echo; sleep 2.5
    curl -s -i 'http://rebind2.test:$P/p2'"
check "through the proxy, the first request reached the public peer" \
    grep -qx "public /p1" "$T/peer.log"
check "the proxy asked the name server again" \
    [ "$(grep -c '^rebind2.test ' "$T/ns.log" 2>/dev/null)" -ge 2 ]
check "the second was refused with a 403" grep -q "^HTTP/1.1 403 " "$T/last.out"
check "the loopback peer never got a request" \
    sh -c "! grep -q '^loopback /[^f]' '$T/peer.log'"
# an approval that takes its time: the question about rebindq.test is put
# with its first (public) answer; meanwhile the answer grows old, another
# lookup of the name gets 127.0.0.1 (refused, and never asked), and then
# the approval comes: the proxy connects to what the person was asked
# about, not to what the name resolves to now
H="--rule connect:*=allow --batch 99 --batch-wait 5"
status 0 "an approval answered after the name rebound" hrun -a on-request -n \
    -c features.network_proxy=true -- sh -c "
    curl -s 'http://rebindq.test:$P/qA' > qA.out & sleep 2.5
    $PY -c \"import socket
try:
    socket.getaddrinfo('rebindq.test', $P)
    print('B resolved')
except socket.gaierror as e:
    print('B failed', e.errno)\"
    wait"
check "one question, about rebindq.test" hlog_ok 'len(reqs) == 1 and
    reqs[0]["host"] == "rebindq.test"'
check "the later lookup got the loopback answer, refused" grep -qx "B failed $((-4))" "$T/last.out"
check "the approved request went to the public peer" grep -qx "public /qA" "$T/peer.log"
check "not to the loopback one" sh -c "! grep -q '^loopback /qA' '$T/peer.log'"

# allow_local_binding = true: names are not resolved to be judged, but an
# allowed name (answered by the name server, not --resolve) is still
# reached, directly and through the proxy
status 0 "allow_local_binding = true, an allowed name" \
    aw -a never -n -c features.network_proxy=true \
    -c features.network_proxy.allow_local_binding=true \
    -c 'features.network_proxy.domains={ "stable1.test" = "allow", "stable2.test" = "allow" }' \
    -- sh -c "curl -s --noproxy '*' 'http://stable1.test:$P/alb-direct'; echo
    curl -s 'http://stable2.test:$P/alb-proxy'"
check "directly, it reached its peer" grep -qx "public /alb-direct" "$T/peer.log"
check "through the proxy too" grep -qx "public /alb-proxy" "$T/peer.log"
finish
