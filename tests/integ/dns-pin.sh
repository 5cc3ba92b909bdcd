# needs: netns
# Names resolved by the supervisor and the addresses it pins (direct
# connections: curl --noproxy, busybox without http_proxy; agentwrap's
# proxy is tests/integ/proxy.sh), against real
# peers at public addresses that exist only in a network namespace of the
# test's own: tests/run (as root) makes it with lo up and $ADDR_OK and
# $ADDR_EVIL on lo, then drops to nobody and runs this script in it. Nothing
# here can reach any other machine: the namespace has no other interface.
# example.test is allowed and mapped with --resolve to $ADDR_OK; evil.test
# is mapped to $ADDR_EVIL and allowed by no rule.
D=$(cd "$(dirname "$0")" && pwd)
HARNESS=$D/../../scripts/harness.py
. "$D/lib.sh"
. "$D/approvals.inc"
set +f

ADDR_OK=93.184.215.14
ADDR_EVIL=93.184.215.15

# each peer answers GET with its own name and records every request line
cat > "$T/peer.py" <<'PYEOF'
import http.server, socket, sys
addr, name, log, portfile = sys.argv[1:5]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        open(log, "a").write(self.path + "\n")
        body = name.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer((addr, 0), H)
open(portfile + ".tmp", "w").write(str(s.server_address[1]))
import os; os.rename(portfile + ".tmp", portfile)
s.timeout = 60
s.serve_forever()
PYEOF
# and a UDP peer at the unallowed address, recording what it gets
cat > "$T/udp.py" <<'PYEOF'
import os, socket, sys
addr, log, portfile = sys.argv[1:4]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((addr, 0))
open(portfile + ".tmp", "w").write(str(s.getsockname()[1]))
os.rename(portfile + ".tmp", portfile)
while True:
    d, _ = s.recvfrom(100)
    open(log, "ab").write(d + b"\n")
PYEOF

needs_netns "$ADDR_OK"
$PY "$T/peer.py" "$ADDR_OK" ok "$T/ok.log" "$T/ok.port" & p1=$!
$PY "$T/peer.py" "$ADDR_EVIL" evil "$T/evil.log" "$T/evil.port" & p2=$!
$PY "$T/udp.py" "$ADDR_EVIL" "$T/udp.log" "$T/udp.port" & p3=$!
trap 'kill $p1 $p2 $p3 2>/dev/null; rm -rf "$T"' EXIT
wait_files 100 "$T/ok.port" "$T/evil.port" "$T/udp.port"
PO=$(cat "$T/ok.port")
PE=$(cat "$T/evil.port")
PU=$(cat "$T/udp.port")
hits() { [ -f "$1" ] && wc -l < "$1" | tr -d ' ' || echo 0; }

# the peers answer unwrapped: what is denied below is agentwrap's doing
check "fixture: the allowed peer answers" [ "$(curl -s "http://$ADDR_OK:$PO/fixture")" = ok ]
check "fixture: the other peer answers" [ "$(curl -s "http://$ADDR_EVIL:$PE/fixture")" = evil ]

RULES='features.network_proxy.domains={ "example.test" = "allow", "loc.test" = "allow", "ten.test" = "allow" }'
awn() {
	aw -a never -n -c features.network_proxy=true -c "$RULES" \
	    --resolve example.test=$ADDR_OK --resolve evil.test=$ADDR_EVIL \
	    --resolve loc.test=127.0.0.1 --resolve ten.test=10.1.2.3 \
	    --resolve example.test.attacker.test=$ADDR_EVIL "$@"
}

# an allowed name: the supervisor's answer (--resolve, in a run), and the
# connect to the address it handed out goes through
status 0 "curl an allowed name" awn -- curl --noproxy '*' -s "http://example.test:$PO/name"
check "curl got the allowed peer's answer" [ "$(cat "$T/last.out")" = ok ]
check "the allowed peer saw the request" grep -qx /name "$T/ok.log"

# a public address nobody handed out: denied, and nothing arrives
status 7 "curl an address no name gave" awn -- curl --noproxy '*' -s "http://$ADDR_EVIL:$PE/raw"
check "the other peer saw nothing" sh -c "! grep -qx /raw '$T/evil.log'"
check "the denial names the address" grep -q "denied connect $ADDR_EVIL" "$T/last.err"

# the pin is the supervisor's, for every process of the run: a second
# curl reaches the address the first one was given; alone it does not
status 7 "the allowed address alone, in a new run" awn -- curl --noproxy '*' -s "http://$ADDR_OK:$PO/alone"
check "the allowed peer did not see it" sh -c "! grep -qx /alone '$T/ok.log'"
status 0 "resolve in one process, connect in another" awn -- sh -c \
    "curl --noproxy '*' -s -o /dev/null http://example.test:$PO/first && curl --noproxy '*' -s http://$ADDR_OK:$PO/second"
check "the second process reached the pinned address" grep -qx /second "$T/ok.log"

# the process's own idea of what the name means does not count
status 7 "curl --resolve to another address" awn -- curl --noproxy '*' -s \
    --resolve "example.test:$PE:$ADDR_EVIL" "http://example.test:$PE/moved"
check "the other peer saw nothing (curl --resolve)" sh -c "! grep -qx /moved '$T/evil.log'"

# LOCALDOMAIN, RES_OPTIONS and HOSTALIASES in the tree: the supervisor
# resolves with its own state, so example.test stays example.test
printf 'example.test evil.test\n' > "$T/aliases"
cat > "$T/get.py" <<'PYEOF'
import socket, sys
name, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
addrs = [a[4][0] for a in socket.getaddrinfo(name, port, socket.AF_INET, socket.SOCK_STREAM)]
print(" ".join(addrs))
s = socket.create_connection((addrs[0], port))
s.sendall(("GET %s HTTP/1.0\r\n\r\n" % path).encode())
print(s.recv(1000).split(b"\r\n\r\n", 1)[-1].decode())
PYEOF
status 0 "resolver environment tricks" env LOCALDOMAIN=attacker.test \
    RES_OPTIONS="ndots:5 attempts:1" HOSTALIASES="$T/aliases" \
    "$AGENTWRAP" -C "$WS" -c sandbox_workspace_write.exclude_slash_tmp=true \
    -c sandbox_workspace_write.exclude_tmpdir_env_var=true \
    -a never -n -c features.network_proxy=true -c "$RULES" \
    --resolve example.test=$ADDR_OK --resolve evil.test=$ADDR_EVIL \
    --resolve example.test.attacker.test=$ADDR_EVIL -- \
    sh -c "LOCALDOMAIN=attacker.test RES_OPTIONS=ndots:5 HOSTALIASES='$T/aliases' $PY '$T/get.py' example.test $PO /tricks"
check "the name kept its meaning" [ "$(head -1 "$T/last.out")" = "$ADDR_OK" ]
check "and the allowed peer got the request" grep -qx /tricks "$T/ok.log"
check "the other peer saw nothing (tricks)" sh -c "! grep -qx /tricks '$T/evil.log'"

# gethostbyname and gethostbyname_r get the handed-out addresses too
status 0 "gethostbyname, gethostbyname_ex" awn -- $PY -c "
import socket
print(socket.gethostbyname('example.test'))
print(socket.gethostbyname_ex('example.test')[2])"
check "gethostbyname answers with the pinned address" \
    [ "$(cat "$T/last.out")" = "$ADDR_OK
['$ADDR_OK']" ]

# names that resolve to local or private addresses are denied, allowed
# by name or not; the loopback peer gets nothing
$PY -c "
import socket, sys
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(5)
open(sys.argv[1], 'w').write(str(s.getsockname()[1]))
s.settimeout(20)
try:
    while True:
        c, _ = s.accept(); open(sys.argv[2], 'a').write('hit\n'); c.close()
except Exception: pass" "$T/lo.port" "$T/lo.log" & p4=$!
wait_files 50 "$T/lo.port"
PL=$(cat "$T/lo.port")
status 6 "an allowed name that resolves to 127.0.0.1" awn -- curl --noproxy '*' -s "http://loc.test:$PL/"
check "the denial says why" grep -q "loc.test resolves to 127.0.0.1" "$T/last.err"
status 6 "an allowed name that resolves to 10.1.2.3" awn -- curl --noproxy '*' -s "http://ten.test:$PL/"
check "the denial says private" grep -q "ten.test resolves to 10.1.2.3" "$T/last.err"
for lit in 2130706433 0x7f.1 "[::ffff:127.0.0.1]"; do
	status 7 "curl $lit" awn -- curl --noproxy '*' -s -g "http://$lit:$PL/"
done
check "the loopback peer got nothing" [ "$(hits "$T/lo.log")" -eq 0 ]
kill $p4 2>/dev/null

# UDP: a datagram to an address no name gave never leaves; to the
# address of an allowed name it does (the peer here is the other one, so
# give it the name through --resolve, allowed)
status 1 "sendto an address no name gave" awn -- $PY -c "
import socket
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'raw', ('$ADDR_EVIL', $PU))"
sleep 0.3
check "the UDP peer got nothing" sh -c "! grep -qx raw '$T/udp.log' 2>/dev/null"
status 0 "sendto the address an allowed name gave" aw -a never -n \
    -c features.network_proxy=true \
    -c 'features.network_proxy.domains={ "udp.test" = "allow" }' \
    --resolve udp.test=$ADDR_EVIL -- $PY -c "
import socket
a = socket.getaddrinfo('udp.test', $PU, socket.AF_INET, socket.SOCK_DGRAM)[0][4]
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'named', a)"
i=0
while ! grep -qx named "$T/udp.log" 2>/dev/null && [ $i -lt 40 ]; do sleep 0.05; i=$((i + 1)); done
check "the UDP peer got the named datagram" grep -qx named "$T/udp.log"

# a name no rule allows is asked (once it is known not to be local); an
# approval hands out the addresses it resolved to, pinned as any
H="--rule resolve:evil.test=allow --rule connect:*=deny"
status 0 "an approved name" hrun -a on-request -n -c features.network_proxy=true \
    -c "$RULES" --resolve evil.test=$ADDR_EVIL -- sh -c \
    "curl --noproxy '*' -s http://evil.test:$PE/approved && curl --noproxy '*' -s http://$ADDR_EVIL:$PE/approved-ip"
check "the approved name reached its peer" grep -qx /approved "$T/evil.log"
check "and its address is pinned" grep -qx /approved-ip "$T/evil.log"
check "one question, about the name" hlog_ok 'len(reqs) == 1 and
    reqs[0]["op"] == "resolve" and reqs[0]["host"] == "evil.test"'
H="--rule resolve:*=deny"
status 6 "a refused name" hrun -a on-request -n -c features.network_proxy=true \
    -c "$RULES" --resolve evil.test=$ADDR_EVIL -- curl --noproxy '*' -s "http://evil.test:$PE/refused"
check "the refused name's peer saw nothing" sh -c "! grep -qx /refused '$T/evil.log'"
H="--rule *:*=allow"
status 6 "a name that resolves to a private address" hrun -a on-request -n \
    -c features.network_proxy=true -c "$RULES" \
    --resolve lan.test=192.168.1.9 -- curl --noproxy '*' -s "http://lan.test:$PE/"
check "is denied, never asked" [ "$(asked)" -eq 0 ]
check "and says why" grep -q "lan.test resolves to 192.168.1.9" "$T/last.err"

# a static program (the seccomp watch decides its connects): the pin
# holds for it too, and an address no name gave stays closed
if [ -x /bin/busybox ] && file -L /bin/busybox 2>/dev/null | grep -q static || \
    ! ldd /bin/busybox >/dev/null 2>&1; then
	status 0 "static wget to the pinned address" awn -- sh -c \
	    "curl --noproxy '*' -s -o /dev/null http://example.test:$PO/pin && env -u http_proxy -u HTTP_PROXY /bin/busybox wget -q -O - http://$ADDR_OK:$PO/static"
	check "the static program reached the pinned address" grep -qx /static "$T/ok.log"
	status 1 "static wget to an address no name gave" awn -- \
	    env -u http_proxy -u HTTP_PROXY /bin/busybox wget -q -O - "http://$ADDR_EVIL:$PE/static"
	check "the other peer saw nothing (static)" sh -c "! grep -qx /static '$T/evil.log'"
else
	fail "busybox-static is not installed (scripts/setup installs it)"
fi
finish
