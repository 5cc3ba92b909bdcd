#!/bin/sh
# agentwrap's proxy serves only the user agentwrap runs as: a client of
# another user (here nobody, while root runs agentwrap) is closed without
# an answer, and never gets a request judged; one of the same user gets the
# proxy's answer. Only root can start a process of another user: as a
# plain user this script is skipped. Every check runs twice: with the
# kernel's socket diagnostics (sock_diag), and with AGENTWRAP_DISABLE=
# sock_diag, as on a kernel without them (the tables in /proc/net).
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

# tcp_part: the checks above and below, with sock_diag or without it
# (AGENTWRAP_DISABLE=sock_diag: the kernel's tables in /proc instead)
tcp_part() {
rm -f url stop sup
"$AGENTWRAP" -a never -n -c features.network_proxy=true \
    -c 'features.network_proxy.domains={ "evil.test" = "deny" }' -- \
    sh -c 'echo $PPID > sup && echo "$HTTP_PROXY" > url.tmp && mv url.tmp url &&
        while [ ! -e stop ]; do sleep 0.1; done' >"$T/o" 2>"$T/e" &
aw=$!
i=0
while [ ! -s url ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
url=$(cat url 2>/dev/null)
check "${M}the command got a proxy" sh -c "echo '$url' | grep -q '^http://127\.0\.0\.1:[0-9]*$'"

/usr/bin/python3 "$T/client.py" "$url" > "$T/root.out" 2>&1
check "${M}a client of the same user gets the proxy's answer (403)" \
    grep -qx "answer HTTP/1.1 403 Forbidden" "$T/root.out"
setpriv --reuid=nobody --regid=nogroup --clear-groups \
    /usr/bin/python3 "$T/client.py" "$url" > "$T/nobody.out" 2>&1
check "${M}the client of another user ran" grep -q "^answer\|^error" "$T/nobody.out"
check "${M}and got no answer" sh -c "! grep -q 'HTTP/' '$T/nobody.out'"
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
check "${M}the supervisor is the command's parent" \
    grep -q '^Name:.*agentwrap' "/proc/$sup/status"
kill -STOP "$sup"
setpriv --reuid=nobody --regid=nogroup --clear-groups \
    /usr/bin/python3 "$T/closefirst.py" "$url" > "$T/gone.out" 2>&1
kill -CONT "$sup"
check "${M}the closing clients of another user ran" grep -qx "sent 40" "$T/gone.out"
sleep 1
touch stop
wait $aw
check "${M}agentwrap says it turned them away" \
    grep -q "the proxy turned away [0-9]* connections of another user" "$T/e"
check "${M}only the same user's request was judged" \
    grep -q "1 call denied" "$T/e"
[ "$nfail" -eq 0 ] || { cat "$T/root.out" "$T/nobody.out"; sed 's/^/    /' "$T/e"; }
}


# SOCKS5 UDP: the tree's client sends once through its association, then
# closes its UDP socket (the association lives on with its TCP connection);
# another user binds the freed port and sends through the association:
# nothing of it goes out
cat > "$T/uecho.py" <<'PYEOF'
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    d, peer = s.recvfrom(65536)
    open(sys.argv[2], "a").write(d.decode(errors="replace") + "\n")
    s.sendto(b"echo:" + d, peer)
PYEOF
cat > "$T/utree.py" <<'PYEOF'
import os, socket, struct, sys, time
port = int(os.environ["HTTP_PROXY"].rsplit(":", 1)[1])
eport, d = int(sys.argv[1]), sys.argv[2]
c = socket.create_connection(("127.0.0.1", port), timeout=10)
c.sendall(b"\x05\x01\x00\x05\x03\x00\x01\x00\x00\x00\x00\x00\x00")
r = b""
while len(r) < 12:
    r += c.recv(12 - len(r))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(5)
hdr = b"\x00\x00\x00\x01\x7f\x00\x00\x01" + struct.pack(">H", eport)
u.sendto(hdr + b"legit", ("127.0.0.1", port))
print("tree got", u.recv(1000)[10:].decode())
open(d + "/cport.tmp", "w").write("%d %d" % (u.getsockname()[1], port))
u.close()
os.rename(d + "/cport.tmp", d + "/cport")
while not os.path.exists(d + "/stolen"):
    time.sleep(0.05)
print("tree done")
PYEOF
cat > "$T/usteal.py" <<'PYEOF'
import os, socket, struct, sys, time
d, eport = sys.argv[1], int(sys.argv[2])
while not os.path.exists(d + "/cport"):
    time.sleep(0.05)
cport, port = map(int, open(d + "/cport").read().split())
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", cport))
u.settimeout(2)
hdr = b"\x00\x00\x00\x01\x7f\x00\x00\x01" + struct.pack(">H", eport)
u.sendto(hdr + b"from-nobody", ("127.0.0.1", port))
try:
    print("nobody got", u.recv(1000)[10:].decode())
except socket.timeout:
    print("nobody got nothing")
open(d + "/stolen", "w").close()
PYEOF
udp_part() {
rm -rf "$T/u"
mkdir -m 1777 "$T/u"
chmod 644 "$T/uecho.py" "$T/utree.py" "$T/usteal.py"
/usr/bin/python3 "$T/uecho.py" "$T/u/eport" "$T/u/echo.log" & ep=$!
i=0
while [ ! -s "$T/u/eport" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
EP=$(cat "$T/u/eport")
setpriv --reuid=nobody --regid=nogroup --clear-groups \
    /usr/bin/python3 "$T/usteal.py" "$T/u" "$EP" > "$T/steal.out" 2>&1 &
sp=$!
"$AGENTWRAP" -a never -n -c features.network_proxy=true \
    -c 'features.network_proxy.domains={ "127.0.0.1" = "allow" }' -- \
    /usr/bin/python3 "$T/utree.py" "$EP" "$T/u" > "$T/utree.out" 2>"$T/utree.err"
wait $sp
kill $ep
check "${M}the tree's datagram went through" grep -qx "tree got echo:legit" "$T/utree.out"
check "${M}the other user's client ran" grep -q "^nobody got" "$T/steal.out"
# (without sock_diag the owner of the port is read from /proc/net/udp for
# each datagram, by uid alone: another user's is still refused)
check "${M}its datagram did not go out" sh -c "! grep -q from-nobody '$T/u/echo.log'"
check "${M}and nothing came back to it" grep -qx "nobody got nothing" "$T/steal.out"
[ "$nfail" -eq 0 ] || cat "$T/utree.out" "$T/utree.err" "$T/steal.out"
}


# with dangerously_allow_non_loopback_proxy, clients of other machines are
# served, but one of this machine is still held to agentwrap's user, also
# on an IPv6 socket (its row is in /proc/net/tcp6)
cat > "$T/v6.py" <<'PYEOF'
import socket, sys
port = int(sys.argv[1].rsplit(":", 1)[1])
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.settimeout(10)
try:
    s.connect(("::ffff:127.0.0.1", port))
    s.sendall(b"GET http://evil.test/v6 HTTP/1.1\r\n\r\n")
    print("v6 answer", s.recv(100).split(b"\r\n", 1)[0].decode() or "none")
except OSError as e:
    print("v6 error", e.errno)
PYEOF
chmod 644 "$T/v6.py"
wide_part() {
rm -f url stop
"$AGENTWRAP" -a never -n -c features.network_proxy=true \
    -c features.network_proxy.dangerously_allow_non_loopback_proxy=true \
    -c 'features.network_proxy.domains={ "evil.test" = "deny" }' -- \
    sh -c 'echo "$HTTP_PROXY" > url.tmp && mv url.tmp url &&
        while [ ! -e stop ]; do sleep 0.1; done' >"$T/o" 2>"$T/e" &
aw=$!
i=0
while [ ! -s url ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
url=$(cat url 2>/dev/null)
/usr/bin/python3 "$T/v6.py" "$url" > "$T/v6root.out" 2>&1
setpriv --reuid=nobody --regid=nogroup --clear-groups \
    /usr/bin/python3 "$T/v6.py" "$url" > "$T/v6nobody.out" 2>&1
touch stop
wait $aw
check "${M}non-loopback on: the same user's IPv6 client is served" \
    grep -qx "v6 answer HTTP/1.1 403 Forbidden" "$T/v6root.out"
check "${M}another user's IPv6 client is not" \
    sh -c "grep -q '^v6 ' '$T/v6nobody.out' && ! grep -q 'HTTP/' '$T/v6nobody.out'"
[ "$nfail" -eq 0 ] || cat "$T/v6root.out" "$T/v6nobody.out"
}

for mode in "" sock_diag; do
	AGENTWRAP_DISABLE=$mode
	export AGENTWRAP_DISABLE
	M=${mode:+"without sock_diag: "}
	tcp_part
	udp_part
	wide_part
done
unset AGENTWRAP_DISABLE
finish
