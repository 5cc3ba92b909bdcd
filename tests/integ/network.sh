# Network rules against a real peer on loopback: the listener records what
# it received; the client runs under agentwrap.
. "$(dirname "$0")/lib.sh"

cat > "$T/server.py" <<'PYEOF'
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(16)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
s.settimeout(30)
got = open(sys.argv[2], "ab")
end = time.time() + 30
while time.time() < end:
    try:
        c, _ = s.accept()
    except socket.timeout:
        break
    c.settimeout(5)
    data = c.recv(100)
    got.write(data + b"\n"); got.flush()
    c.close()
PYEOF
$PY "$T/server.py" "$T/port" "$T/got" & spid=$!
i=0
while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
port=$(cat "$T/port")
client() {	# client TAG: connect to 127.0.0.1 and send TAG
	$PY -c "import socket,sys; s=socket.create_connection(('127.0.0.1', $port)); s.sendall(sys.argv[1].encode())" "$1"
}
received() { grep -qx "$1" "$T/got" 2>/dev/null; }

# network off (default): refused before anything leaves
status 1 "network off" aw -a never -- $PY -c "import socket; socket.create_connection(('127.0.0.1', $port)).sendall(b'off')"
sleep 0.2
check "peer got nothing with network off" sh -c "! grep -qx off '$T/got' 2>/dev/null"
check "error is EPERM" grep -q 'PermissionError\|Operation not permitted' "$T/last.err"

# network on, no proxy feature: unrestricted
status 0 "network on" aw -n -- $PY -c "import socket; socket.create_connection(('127.0.0.1', $port)).sendall(b'on')"
sleep 0.2
check "peer got the bytes with -n" received on

# proxy feature: loopback blocked unless named exactly
status 1 "proxy, no local rule" aw -a never -n -c features.network_proxy=true \
    -c 'features.network_proxy.domains={ "*" = "allow" }' -- \
    $PY -c "import socket; socket.create_connection(('127.0.0.1', $port)).sendall(b'star')"
sleep 0.2
check "wildcard is no local exception" sh -c "! grep -qx star '$T/got' 2>/dev/null"
status 0 "proxy, exact IP rule" aw -a never -n -c features.network_proxy=true \
    -c 'features.network_proxy.domains={ "127.0.0.1" = "allow" }' -- \
    $PY -c "import socket; socket.create_connection(('127.0.0.1', $port)).sendall(b'exact')"
sleep 0.2
check "exact IP rule reaches the peer" received exact
status 1 "proxy, IP in another form" aw -a never -n -c features.network_proxy=true \
    -c 'features.network_proxy.domains={ "10.0.0.1" = "allow" }' -- \
    $PY -c "import socket; socket.create_connection(('2130706433', $port)).sendall(b'form')"
sleep 0.2
check "2130706433 is 127.0.0.1 and blocked" sh -c "! grep -qx form '$T/got' 2>/dev/null"

# name resolution with the network off fails as a lookup failure
status 1 "resolve with network off" aw -a never -- $PY -c "import socket; socket.getaddrinfo('localhost', 80)"
check "resolution failed (gaierror)" grep -q 'gaierror' "$T/last.err"
kill $spid 2>/dev/null
wait $spid 2>/dev/null
finish
