# needs: netns
# agentwrap's HTTP proxy (CONNECT and absolute-URI requests), with real
# peers at public addresses in a network namespace of the test's own (see
# tests/integ/dns-pin.sh and tests/run). The command finds the proxy in
# HTTP_PROXY and friends; what it asks for is judged as a connect, and a
# refusal is a 403 with x-proxy-error. Every check looks at what the peer
# received, or at the bytes the client got back.
D=$(cd "$(dirname "$0")" && pwd)
HARNESS=$D/../../scripts/harness.py
. "$D/lib.sh"
. "$D/approvals.inc"
set +f

ADDR_OK=93.184.215.14
ADDR_EVIL=93.184.215.15

# an HTTP peer that logs "METHOD path body" and answers its own name; an
# echo peer for CONNECT
cat > "$T/peer.py" <<'PYEOF'
import http.server, os, socket, socketserver, sys, threading
addr, name, log, portfile = sys.argv[1:5]
class H(http.server.BaseHTTPRequestHandler):
    def handle_one(self, method):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode() if n else ""
        open(log, "a").write("%s %s %s|%s\n" % (method, self.path, body,
                             self.headers.get("Connection", "")))
        open(log + ".host", "a").write("%s %s\n" % (self.path,
                                       self.headers.get("Host", "")))
        out = name.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)
    def do_GET(self): self.handle_one("GET")
    def do_POST(self): self.handle_one("POST")
    def log_message(self, *a): pass
class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        while True:
            d = self.request.recv(65536)
            if not d:
                self.request.shutdown(socket.SHUT_WR)
                return
            self.request.sendall(d)
class TS(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512
h = TS((addr, 0), H)
e = TS((addr, 0), Echo)
threading.Thread(target=e.serve_forever, daemon=True).start()
open(portfile + ".tmp", "w").write("%d %d" % (h.server_address[1], e.server_address[1]))
os.rename(portfile + ".tmp", portfile)
h.serve_forever()
PYEOF

needs_netns "$ADDR_OK"
$PY "$T/peer.py" "$ADDR_OK" ok "$T/ok.log" "$T/ok.port" & p1=$!
$PY "$T/peer.py" "$ADDR_EVIL" evil "$T/evil.log" "$T/evil.port" & p2=$!
trap 'kill $p1 $p2 2>/dev/null; rm -rf "$T"' EXIT
wait_files 200 "$T/ok.port" "$T/evil.port"
read -r PO EO < "$T/ok.port"
read -r PE EE < "$T/evil.port"
check "fixture: the peers answer unwrapped" \
    [ "$(curl -s "http://$ADDR_OK:$PO/f")$(curl -s "http://$ADDR_EVIL:$PE/f")" = okevil ]

RULES='features.network_proxy.domains={ "example.test" = "allow", "evil.test" = "deny", "loc.test" = "allow" }'
awp() {
	aw -a never -n -c features.network_proxy=true -c "$RULES" \
	    --resolve example.test=$ADDR_OK --resolve evil.test=$ADDR_EVIL \
	    --resolve other.test=$ADDR_EVIL --resolve loc.test=127.0.0.1 "$@"
}

# the command is told where the proxy is
status 0 "the proxy variables" awp -- sh -c 'env | sort'
for v in http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY \
    npm_config_proxy npm_config_https_proxy PIP_PROXY; do
	check "$v names the proxy on loopback" \
	    grep -q "^$v=http://127\.0\.0\.1:[0-9][0-9]*$" "$T/last.out"
done
check "NO_PROXY lists loopback and the private ranges" \
    grep -q '^NO_PROXY=localhost,127.0.0.0/8,::1,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16' "$T/last.out"

# an allowed name: absolute-URI GET and POST, and CONNECT
status 0 "curl through the proxy" awp -- curl -s -f "http://example.test:$PO/get"
check "the answer came back" [ "$(cat "$T/last.out")" = ok ]
check "the peer got the request in origin form, Connection: close" \
    grep -qx "GET /get |close" "$T/ok.log"
status 0 "a POST body goes through" awp -- curl -s -f -d hello "http://example.test:$PO/post"
check "the peer got the body" grep -qx "POST /post hello|close" "$T/ok.log"
status 0 "CONNECT (curl -p)" awp -- curl -s -f -p "http://example.test:$PO/tunnel"
check "the tunnelled request arrived" grep -q "^GET /tunnel " "$T/ok.log"
status 0 "python urllib through the proxy" awp -- $PY -c "
import urllib.request
print(urllib.request.urlopen('http://example.test:$PO/urllib').read().decode())"
check "urllib got the answer" [ "$(cat "$T/last.out")" = ok ]
check "and the peer the request" grep -q "^GET /urllib " "$T/ok.log"

# a static program through the proxy (busybox wget honours http_proxy)
status 0 "static busybox wget through the proxy" awp -- /bin/busybox wget -q -O - "http://example.test:$PO/static"
check "the static program got the answer" [ "$(cat "$T/last.out")" = ok ]
status 1 "static busybox wget, a denied name" awp -- /bin/busybox wget -q -O - "http://evil.test:$PE/static"
check "the denied name's peer saw nothing" sh -c "! grep -q '/static' '$T/evil.log'"
# what the proxy decided is recorded as the proxy layer's, with the
# client's pid (the kernel's, from its socket), and --report says so
status 1 "static wget of a denied name, audited" awp --audit "$T/px.jsonl" -- \
    /bin/busybox wget -q -O - "http://evil.test:$PE/static2"
check "the denied name's peer saw nothing (audited)" sh -c "! grep -q '/static2' '$T/evil.log'"
check "the proxy's record: layer proxy, the client's pid" $PY -c "
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
ev = [x for x in r if x.get('type') == 'event' and x.get('call') == 'proxy']
assert ev and all(x['layer'] == 'proxy' and x['host'] == 'evil.test' and x['verdict'] == 'deny' for x in ev), ev
assert any(x['pid'] > 0 for x in ev), ev
" "$T/px.jsonl"
"$AGENTWRAP" --report "$T/px.jsonl" >"$T/px.txt"
check "--report: the denial seen by the proxy" \
    grep -q "^  connect evil.test  x1  pid [0-9]*  rule features.network_proxy.domains\[\"evil.test\"\]  \[proxy\]$" "$T/px.txt"

# refusals: 403, x-proxy-error, a body that says what would allow it
status 0 "a denied name" awp -- curl -s -i "http://evil.test:$PE/deny"
check "403" grep -q '^HTTP/1.1 403 ' "$T/last.out"
check "x-proxy-error: blocked-by-denylist" grep -q '^x-proxy-error: blocked-by-denylist' "$T/last.out"
check "the denial names the client process, curl" \
    grep -q 'denied connect evil.test:[0-9]* (curl\[[0-9][0-9]*\])' "$T/last.err"
check "the body names the host and the rule" grep -q 'blocked evil.test port [0-9]*: evil.test is denied: features.network_proxy.domains\["evil.test"\]' "$T/last.out"
status 0 "a name no rule allows" awp -- curl -s -i "http://other.test:$PE/allowlist"
check "x-proxy-error: blocked-by-allowlist" grep -q '^x-proxy-error: blocked-by-allowlist' "$T/last.out"
check "the body says what would allow it" grep -q 'To allow it: features.network_proxy.domains = { "other.test" = "allow" }' "$T/last.out"
status 0 "a name that resolves to loopback" awp -- curl -s -i "http://loc.test:$PO/local"
check "x-proxy-error: blocked-by-policy" grep -q '^x-proxy-error: blocked-by-policy' "$T/last.out"
status 56 "CONNECT to an address no rule names" awp -- curl -s -i -p "http://$ADDR_EVIL:$PE/rawip"
check "refused (403)" grep -q '^HTTP/1.1 403 ' "$T/last.out"
check "no refused request reached a peer" sh -c "! grep -q 'deny\|allowlist\|local\|rawip' '$T/ok.log' '$T/evil.log'"

# the proxy's port is the one loopback target: another one stays closed
status 0 "loopback beside the proxy" awp -- $PY -c "
import os, socket
port = int(os.environ['HTTP_PROXY'].rsplit(':', 1)[1])
socket.create_connection(('127.0.0.1', port)).close()
try:
    socket.create_connection(('127.0.0.1', port + 1 if port < 65535 else port - 1))
    print('other reached')
except OSError as e:
    print('other', e.errno)"
check "the proxy is reachable, the port beside it is not" grep -qx "other 1" "$T/last.out"

# a dual-stack client (an IPv6 socket, as Java's are) reaches the proxy at
# ::ffff:127.0.0.1, and is served as the user it is
cat > "$T/v6client.py" <<'PYEOF'
import os, socket, sys
port = int(os.environ["HTTP_PROXY"].rsplit(":", 1)[1])
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(("::ffff:127.0.0.1", port))
s.sendall(b"GET http://example.test:%s/dualstack HTTP/1.1\r\n\r\n" % sys.argv[1].encode())
out = b""
while True:
    d = s.recv(4096)
    if not d:
        break
    out += d
print("dualstack", out.split(b"\r\n", 1)[0].decode(), out.rsplit(b"\r\n\r\n", 1)[-1].decode())
PYEOF
status 0 "a dual-stack client" awp -- $PY "$T/v6client.py" "$PO"
check "it is served" grep -qx "dualstack HTTP/1.0 200 OK ok" "$T/last.out"
check "the peer got its request" grep -q "^GET /dualstack " "$T/ok.log"

# an approval through the proxy: asked once, the connect then happens
H="--rule connect:other.test=allow"
status 0 "an approved name through the proxy" hrun -a on-request -n \
    -c features.network_proxy=true -c "$RULES" --resolve other.test=$ADDR_EVIL \
    -- curl -s -f "http://other.test:$PE/approved"
check "the approved request reached its peer" grep -q "^GET /approved " "$T/evil.log"
check "one question, about other.test, from curl" hlog_ok 'len(reqs) == 1 and
    reqs[0]["op"] == "connect" and reqs[0]["host"] == "other.test" and
    reqs[0]["pid"] > 0 and reqs[0]["exe"].endswith("/curl")'
H="--rule connect:*=deny"
status 0 "a refused approval through the proxy" hrun -a on-request -n \
    -c features.network_proxy=true -c "$RULES" --resolve other.test=$ADDR_EVIL \
    -- curl -s -i "http://other.test:$PE/refused"
check "403 after the refusal" grep -q '^HTTP/1.1 403 ' "$T/last.out"
check "blocked-by-allowlist: no rule allows it, and the question was refused" \
    grep -q '^x-proxy-error: blocked-by-allowlist' "$T/last.out"
check "the refused request did not arrive" sh -c "! grep -q /refused '$T/evil.log'"

# the Host the peer sees is the target's, whatever the client wrote (a
# shared server would pick its site by it); a header with a bare LF, which
# some servers read as two lines, is refused
status 0 "a Host header of another name" awp -- curl -s -f -H 'Host: evil.test' \
    "http://example.test:$PO/hosthdr"
check "the peer got the target's Host" grep -qx "/hosthdr example.test:$PO" "$T/ok.log.host"
cat > "$T/lf.py" <<'PYEOF'
import os, socket, sys
port = int(os.environ["HTTP_PROXY"].rsplit(":", 1)[1])
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(b"GET http://example.test:%s/barelf HTTP/1.1\r\nX: y\nConnection: keep-alive\r\n\r\n" % sys.argv[1].encode())
print("barelf", s.recv(100).split(b"\r\n", 1)[0].decode())
PYEOF
status 0 "a bare LF in a header" awp -- $PY "$T/lf.py" "$PO"
check "400" grep -qx "barelf HTTP/1.1 400 Bad Request" "$T/last.out"
check "and the peer got nothing" sh -c "! grep -q /barelf '$T/ok.log'"
# the proxy never connects to itself, even where a rule would allow the
# address (a localhost rule, allow_local_binding)
cat > "$T/self.py" <<'PYEOF'
import os, socket
port = int(os.environ["HTTP_PROXY"].rsplit(":", 1)[1])
for host in ("localhost", "127.0.0.1", "[::ffff:127.0.0.1]"):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(b"CONNECT %s:%d HTTP/1.1\r\n\r\n" % (host.encode(), port))
    print("self", host, s.recv(100).split(b"\r\n", 1)[0].decode()[:12])
PYEOF
status 0 "CONNECT to the proxy itself, allowed by rules" aw -a never -n \
    -c features.network_proxy=true -c features.network_proxy.allow_local_binding=true \
    -c 'features.network_proxy.domains={ "localhost" = "allow", "127.0.0.1" = "allow" }' \
    -- $PY "$T/self.py"
for h in localhost 127.0.0.1 "[::ffff:127.0.0.1]"; do
	check "CONNECT $h:<the proxy's port>: not served" \
	    sh -c "grep -qF 'self $h HTTP/1.1 ' '$T/last.out' && ! grep -qF 'self $h HTTP/1.1 200' '$T/last.out'"
done

# SOCKS5 on the same port (enable_socks5 is on by default): curl with the
# name sent to the proxy (socks5h) and resolved by curl (socks5, through
# the supervisor, so the address is pinned); a denied name gets reply 2
status 0 "curl --socks5-hostname" awp -- sh -c \
    'curl -s -f --socks5-hostname "127.0.0.1:${HTTP_PROXY##*:}" "$0"' \
    "http://example.test:$PO/socks5h"
check "the peer got the SOCKS5 request" grep -q "^GET /socks5h " "$T/ok.log"
status 0 "curl --socks5" awp -- sh -c \
    'curl -s -f --socks5 "127.0.0.1:${HTTP_PROXY##*:}" "$0"' \
    "http://example.test:$PO/socks5"
check "the peer got that one too" grep -q "^GET /socks5 " "$T/ok.log"
status 97 "a denied name over SOCKS5" awp -- sh -c \
    'curl -s --socks5-hostname "127.0.0.1:${HTTP_PROXY##*:}" "$0"' \
    "http://evil.test:$PE/socks-deny"
check "its peer got nothing" sh -c "! grep -q /socks-deny '$T/evil.log'"
status 97 "enable_socks5 = false: no SOCKS5" awp \
    -c features.network_proxy.enable_socks5=false -- sh -c \
    'curl -s --socks5-hostname "127.0.0.1:${HTTP_PROXY##*:}" "$0"' \
    "http://example.test:$PO/socks-off"
check "and the peer got nothing" sh -c "! grep -q /socks-off '$T/ok.log'"
cat > "$T/socks.py" <<'PYEOF'
import os, socket, struct, sys
port = int(os.environ["HTTP_PROXY"].rsplit(":", 1)[1])
eport = int(sys.argv[1])
def ask(greet, req, data=b""):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(greet)
    g = s.recv(2)
    if g != b"\x05\x00" or req is None:
        s.close()
        return g.hex()
    s.sendall(req)
    r = b""
    while len(r) < 10:
        d = s.recv(10 - len(r))
        if not d:
            break
        r += d
    out = "rep %d" % r[1] if len(r) >= 2 else "closed"
    if data and r[1:2] == b"\x00":
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        got = b""
        while True:
            d = s.recv(65536)
            if not d:
                break
            got += d
        out += " echoed" if got == data else " lost"
    s.close()
    return out
NOAUTH = b"\x05\x01\x00"
def name(n, p, cmd=1):
    return bytes([5, cmd, 0, 3, len(n)]) + n + struct.pack(">H", p)
print("userpass-only", ask(b"\x05\x01\x02", None))
print("connect", ask(NOAUTH, name(b"example.test", eport), os.urandom(100000)))
print("udp-associate", ask(NOAUTH, name(b"example.test", eport, 3)))
print("bind", ask(NOAUTH, name(b"example.test", eport, 2)))
print("denied", ask(NOAUTH, name(b"evil.test", eport)))
print("name-loopback", ask(NOAUTH, name(b"127.0.0.1", port)))
print("ipv4-loopback", ask(NOAUTH, b"\x05\x01\x00\x01\x7f\x00\x00\x01" + struct.pack(">H", port)))
print("ipv6-loopback", ask(NOAUTH, b"\x05\x01\x00\x04" + b"\x00" * 15 + b"\x01" + struct.pack(">H", port)))
print("mapped-loopback", ask(NOAUTH, b"\x05\x01\x00\x04" + b"\x00" * 10 + b"\xff\xff\x7f\x00\x00\x01" + struct.pack(">H", port)))
print("atyp", ask(NOAUTH, b"\x05\x01\x00\x05\x01\x02"))
print("odd-name", ask(NOAUTH, name(b"a@example.test", eport)))
PYEOF
status 0 "SOCKS5 by hand" awp -- $PY "$T/socks.py" "$EO"
for w in "userpass-only 05ff" "connect rep 0 echoed" "udp-associate rep 0" \
    "bind rep 7" "denied rep 2" "name-loopback rep 2" "ipv4-loopback rep 2" \
    "ipv6-loopback rep 2" "mapped-loopback rep 2" "atyp rep 8" "odd-name rep 1"; do
	check "SOCKS5: $w" grep -qxF "$w" "$T/last.out"
done

# UDP through SOCKS5 (UDP ASSOCIATE): datagrams to an allowed name reach
# its peer and the answers come back with the SOCKS5 header; a denied name,
# loopback and a second sender get nothing through; with enable_socks5_udp
# = false the association is refused
cat > "$T/udpecho.py" <<'PYEOF'
import os, socket, sys
addr, log, portfile = sys.argv[1:4]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((addr, 0))
open(portfile + ".tmp", "w").write(str(s.getsockname()[1]))
os.rename(portfile + ".tmp", portfile)
while True:
    d, peer = s.recvfrom(65536)
    open(log, "a").write(d.decode(errors="replace") + "\n")
    s.sendto(b"echo:" + d, peer)
PYEOF
$PY "$T/udpecho.py" "$ADDR_OK" "$T/uok.log" "$T/uok.port" & p4=$!
$PY "$T/udpecho.py" "$ADDR_EVIL" "$T/uevil.log" "$T/uevil.port" & p5=$!
trap 'kill $p1 $p2 $p4 $p5 2>/dev/null; rm -rf "$T"' EXIT
wait_files 200 "$T/uok.port" "$T/uevil.port"
UO=$(cat "$T/uok.port")
UE=$(cat "$T/uevil.port")
cat > "$T/sudp.py" <<'PYEOF'
import os, socket, struct, sys
port = int(os.environ["HTTP_PROXY"].rsplit(":", 1)[1])
uo, ue = int(sys.argv[1]), int(sys.argv[2])
c = socket.create_connection(("127.0.0.1", port), timeout=10)
c.sendall(b"\x05\x01\x00")
assert c.recv(2) == b"\x05\x00"
c.sendall(b"\x05\x03\x00\x01\x00\x00\x00\x00\x00\x00")
r = b""
while len(r) < 10:
    r += c.recv(10 - len(r))
print("associate rep", r[1])
if r[1] != 0:
    sys.exit(0)
relay = (socket.inet_ntoa(r[4:8]), struct.unpack(">H", r[8:10])[0])
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(3)
def name(n, p):
    return b"\x00\x00\x00\x03" + bytes([len(n)]) + n + struct.pack(">H", p)
def ask(sock, hdr, data):
    sock.sendto(hdr + data, relay)
    try:
        d = sock.recv(65536)
    except socket.timeout:
        return "nothing"
    # the header: RSV RSV FRAG ATYP(1) ADDR(4) PORT(2)
    if d[3] == 1:
        return "%s:%d %s" % (socket.inet_ntoa(d[4:8]), struct.unpack(">H", d[8:10])[0], d[10:].decode())
    return "odd " + d.hex()
print("allowed", ask(u, name(b"example.test", uo), b"u1"))
print("again", ask(u, name(b"example.test", uo), b"u2"))
print("denied", ask(u, name(b"evil.test", ue), b"u3"))
print("loopback", ask(u, b"\x00\x00\x00\x01\x7f\x00\x00\x01" + struct.pack(">H", port), b"u4"))
print("raw-address", ask(u, b"\x00\x00\x00\x01" + socket.inet_aton(sys.argv[3]) + struct.pack(">H", ue), b"u5"))
v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
v.settimeout(3)
print("second-sender", ask(v, name(b"example.test", uo), b"u6"))
PYEOF
status 0 "SOCKS5 UDP" awp -- $PY "$T/sudp.py" "$UO" "$UE" "$ADDR_EVIL"
for w in "associate rep 0" "allowed $ADDR_OK:$UO echo:u1" "again $ADDR_OK:$UO echo:u2" \
    "denied nothing" "loopback nothing" "raw-address nothing" "second-sender nothing"; do
	check "SOCKS5 UDP: $w" grep -qxF "$w" "$T/last.out"
done
check "the allowed peer got u1 and u2 only" [ "$(cat "$T/uok.log" 2>/dev/null | tr '\n' ' ')" = "u1 u2 " ]
check "the denied peer got nothing" [ ! -s "$T/uevil.log" ]
status 0 "enable_socks5_udp = false" awp -c features.network_proxy.enable_socks5_udp=false \
    -- $PY "$T/sudp.py" "$UO" "$UE" "$ADDR_EVIL"
check "UDP ASSOCIATE refused (reply 7)" grep -qx "associate rep 7" "$T/last.out"

# an upstream proxy named in agentwrap's own environment: every allowed
# target goes through it as a CONNECT tunnel (with the credentials of the
# URL), a refused one never reaches it, NO_PROXY's names and
# allow_upstream_proxy = false go directly, and a URL or a host agentwrap
# cannot use stops the run before the command starts
cat > "$T/upstream.py" <<'PYEOF'
import base64, os, socket, socketserver, sys, threading
addr, log, portfile, ok, evil = sys.argv[1:6]
names = {"example.test": ok, "evil.test": evil}
class H(socketserver.BaseRequestHandler):
    def handle(self):
        head = b""
        while b"\r\n\r\n" not in head:
            d = self.request.recv(4096)
            if not d:
                return
            head += d
        lines = head.split(b"\r\n\r\n", 1)[0].decode().split("\r\n")
        auth = [l.split(" ", 2)[2] for l in lines if l.lower().startswith("proxy-authorization: basic ")]
        method, target = lines[0].split(" ")[:2]
        open(log, "a").write("%s %s %s\n" % (method, target, base64.b64decode(auth[0]).decode() if auth else "-"))
        host, port = target.rsplit(":", 1)
        if method != "CONNECT" or host == "refuse.test":
            self.request.sendall(b"HTTP/1.1 403 Forbidden by upstream\r\n\r\n")
            return
        out = socket.create_connection((names.get(host, host), int(port)))
        self.request.sendall(b"HTTP/1.1 200 OK\r\n\r\n")
        def pipe(a, b):
            try:
                while True:
                    d = a.recv(65536)
                    if not d:
                        break
                    b.sendall(d)
                b.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        t = threading.Thread(target=pipe, args=(out, self.request), daemon=True)
        t.start()
        pipe(self.request, out)
        t.join()
class TS(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
u = TS((addr, 0), H)
open(portfile + ".tmp", "w").write(str(u.server_address[1]))
os.rename(portfile + ".tmp", portfile)
u.serve_forever()
PYEOF
$PY "$T/upstream.py" "$ADDR_EVIL" "$T/up.log" "$T/up.port" "$ADDR_OK" "$ADDR_EVIL" & p3=$!
trap 'kill $p1 $p2 $p3 $p4 $p5 2>/dev/null; rm -rf "$T"' EXIT
wait_files 200 "$T/up.port"
UP=$(cat "$T/up.port")
UPURL="http://me%40corp:s3cret@$ADDR_EVIL:$UP/"
RULES_UP='features.network_proxy.domains={ "example.test" = "allow", "evil.test" = "deny", "refuse.test" = "allow" }'
# awu "VAR=value ..." ARGS...: agentwrap with those in its environment
awu() {
	(
	for a in $1; do export "${a?}"; done
	shift
	aw -a never -n -c features.network_proxy=true -c "$RULES_UP" \
	    --resolve example.test=$ADDR_OK --resolve evil.test=$ADDR_EVIL \
	    --resolve refuse.test=$ADDR_OK "$@"
	)
}
status 0 "through the upstream proxy" awu "HTTPS_PROXY=$UPURL" -- \
    curl -s -f "http://example.test:$PO/via-upstream"
check "the answer came back" [ "$(cat "$T/last.out")" = ok ]
check "the upstream got a CONNECT for the name, with the URL's user" \
    grep -qx "CONNECT example.test:$PO me@corp:s3cret" "$T/up.log"
check "and the peer the request" grep -q "^GET /via-upstream " "$T/ok.log"
status 0 "a denied name, with an upstream" awu "HTTPS_PROXY=$UPURL" -- \
    curl -s -i "http://evil.test:$PE/up-deny"
check "403 from agentwrap's proxy" grep -q '^x-proxy-error: blocked-by-denylist' "$T/last.out"
check "the upstream never heard of it" sh -c "! grep -q evil.test '$T/up.log'"
status 0 "the upstream refuses" awu "HTTPS_PROXY=$UPURL" -- \
    curl -s -i "http://refuse.test:$PO/up-refused"
check "502, saying what the upstream answered" \
    grep -q "the upstream proxy answered HTTP/1.1 403 Forbidden by upstream" "$T/last.out"
: > "$T/up.log"
status 0 "NO_PROXY names go directly" awu \
    "HTTPS_PROXY=$UPURL NO_PROXY=other.test,.example.test" -- curl -s -f "http://example.test:$PO/up-bypass"
check "the peer got it" grep -q "^GET /up-bypass " "$T/ok.log"
status 0 "allow_upstream_proxy = false goes directly" awu "HTTPS_PROXY=$UPURL" \
    -c features.network_proxy.allow_upstream_proxy=false -- \
    curl -s -f "http://example.test:$PO/up-off"
check "the peer got that one too" grep -q "^GET /up-off " "$T/ok.log"
check "and the upstream neither" [ ! -s "$T/up.log" ]
status 125 "an upstream URL agentwrap cannot use" awu "HTTPS_PROXY=socks5://$ADDR_EVIL:$UP" \
    -- sh -c 'echo ran > ran'
check "says so" grep -q "HTTPS_PROXY: only an http:// upstream proxy is supported" "$T/last.err"
check "the command did not run" [ ! -e ran ]
status 125 "an upstream that does not resolve" awu "http_proxy=http://nowhere.invalid:3128" \
    -- sh -c 'echo ran > ran'
check "says so" grep -q "http_proxy: the upstream proxy nowhere.invalid does not resolve" "$T/last.err"

# dangerously_allow_non_loopback_proxy: the proxy listens on every address
# (here a client outside the tree reaches it at $ADDR_OK); without it, on
# loopback alone
widerun() {	# NAME [extra agentwrap args...]
	wname=$1
	shift
	rm -f "$WS/wurl" "$WS/wstop"
	awp "$@" -- sh -c 'echo "$HTTP_PROXY" > wurl.tmp && mv wurl.tmp wurl
	    while [ ! -e wstop ]; do sleep 0.1; done' > "$T/wide.out" 2>&1 &
	wpid=$!
	wait_files 100 "$WS/wurl"
	wport=$(sed 's/.*://' "$WS/wurl")
	curl -s -m 10 -x "http://$ADDR_OK:$wport" "http://example.test:$PO/$wname" > "$T/wide.got"
	echo "exit $?" >> "$T/wide.got"
	touch "$WS/wstop"
	wait $wpid
}
widerun wide -c features.network_proxy.dangerously_allow_non_loopback_proxy=true
check "non-loopback on: a client at $ADDR_OK:port is served" \
    grep -qx "okexit 0" "$T/wide.got"
check "and the peer got its request" grep -q "^GET /wide " "$T/ok.log"
widerun narrow
check "by default the proxy is not on $ADDR_OK" grep -qx "exit 7" "$T/wide.got"

# garbage, an oversized head, a slow client: answered or dropped, and the
# proxy goes on serving; 200 concurrent CONNECTs lose no byte
cat > "$T/abuse.py" <<'PYEOF'
import os, socket, sys, threading, time, random
port = int(os.environ["HTTP_PROXY"].rsplit(":", 1)[1])
target, eport = sys.argv[1], int(sys.argv[2])
def talk(data, want=4096):
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    s.sendall(data)
    out = b""
    try:
        while len(out) < want:
            d = s.recv(want)
            if not d:
                break
            out += d
    except (socket.timeout, ConnectionResetError):
        pass
    s.close()
    return out
def first(b):
    return b.split(b"\r\n", 1)[0].decode(errors="replace")
print("garbage", first(talk(b"\x00\x01\x02 nonsense\r\n\r\n")))
print("oversized", first(talk(b"GET http://example.test/ HTTP/1.1\r\nX: " + b"a" * 20000 + b"\r\n\r\n")))
print("version", first(talk(b"GET http://example.test/ HTTP/2.0\r\n\r\n")))
print("https-uri", first(talk(b"GET https://example.test/ HTTP/1.1\r\n\r\n")))
print("userinfo", first(talk(b"GET http://a@example.test/ HTTP/1.1\r\n\r\n")))
print("badport", first(talk(b"CONNECT example.test:99999 HTTP/1.1\r\n\r\n")))
# local addresses in other spellings (curl would not send them here:
# NO_PROXY lists 127.0.0.0/8)
for lit in ("2130706433", "0x7f.1", "[::ffff:127.0.0.1]", "[::1]"):
    print("literal", lit, first(talk(("CONNECT %s:%d HTTP/1.1\r\n\r\n" % (lit, port)).encode())))
# a slow client holds its connection; others are served meanwhile
slow = socket.create_connection(("127.0.0.1", port))
slow.sendall(b"CONNECT exam")
# 200 concurrent tunnels to the echo peer, each with its own bytes
N, SIZE = 200, 65536
ok = [False] * N
def tunnel(i):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=60)
        s.sendall(("CONNECT %s:%d HTTP/1.1\r\n\r\n" % (target, eport)).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            d = s.recv(1)
            if not d:
                return
            head += d
        if not head.startswith(b"HTTP/1.1 200"):
            return
        data = random.Random(i).randbytes(SIZE)
        threading.Thread(target=lambda: (s.sendall(data), s.shutdown(socket.SHUT_WR)), daemon=True).start()
        got = b""
        while True:
            d = s.recv(65536)
            if not d:
                break
            got += d
        ok[i] = got == data
        s.close()
    except OSError as e:
        print("tunnel", i, e)
ts = [threading.Thread(target=tunnel, args=(i,)) for i in range(N)]
for t in ts: t.start()
for t in ts: t.join()
print("tunnels", sum(ok))
# 300 more clients that never finish their heads: the proxy keeps 256
# connections (the slow one among them) and closes the rest at once
held = []
for i in range(300):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"CONNECT exam")
    held.append(s)
time.sleep(1)
closed = 0
for s in held:
    s.setblocking(False)
    try:
        if s.recv(1) == b"":
            closed += 1
    except BlockingIOError:
        pass
    except OSError:
        closed += 1
print("over the limit closed", closed)
for s in held:
    s.close()
time.sleep(0.5)
slow.close()
print("after", first(talk(b"GET http://example.test:%d/after HTTP/1.1\r\nHost: x\r\n\r\n" % int(sys.argv[3]))))
PYEOF
status 0 "abuse and load" awp -- $PY "$T/abuse.py" example.test "$EO" "$PO"
check "garbage: 400" grep -qx "garbage HTTP/1.1 400 Bad Request" "$T/last.out"
check "an oversized head: 431" grep -qx "oversized HTTP/1.1 431 Request Header Fields Too Large" "$T/last.out"
check "HTTP/2.0: 505" grep -qx "version HTTP/1.1 505 HTTP Version Not Supported" "$T/last.out"
check "an https:// URI: 400" grep -qx "https-uri HTTP/1.1 400 Bad Request" "$T/last.out"
check "userinfo in the URI: 400" grep -qx "userinfo HTTP/1.1 400 Bad Request" "$T/last.out"
check "a port past 65535: 400" grep -qx "badport HTTP/1.1 400 Bad Request" "$T/last.out"
for lit in 2130706433 0x7f.1 "[::ffff:127.0.0.1]" "[::1]"; do
	check "CONNECT to $lit: 403" grep -qxF "literal $lit HTTP/1.1 403 Forbidden" "$T/last.out"
done
check "200 concurrent tunnels, every byte back" grep -qx "tunnels 200" "$T/last.out"
check "past 256 connections, the rest are closed (300 - 255 = 45)" \
    sh -c "grep -qx 'over the limit closed 4[0-9]' '$T/last.out'"
check "and the proxy still serves" grep -qx "after HTTP/1.0 200 OK" "$T/last.out"
finish
