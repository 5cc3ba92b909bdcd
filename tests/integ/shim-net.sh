# The network from the shim's side: connect, sendto and bind of inet
# addresses fail with EPERM when the policy says no, name resolution with
# EAI_FAIL (C's gethostbyname with NO_RECOVERY), Unix sockets by path, and
# an allowed name's answers can be connected to.
. "$(dirname "$0")/lib.sh"

cat > "$T/n.py" <<'PYEOF'
import errno, socket, sys
what = sys.argv[1]
def show(f):
    try:
        f()
        print("ok")
    except socket.gaierror as e:
        print("gai", "EAI_FAIL" if e.errno == socket.EAI_FAIL else e.errno)
    except OSError as e:
        print(errno.errorcode.get(e.errno, e.errno))
if what == "udp":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    show(lambda: s.sendto(b"x", ("127.0.0.1", 9)))
elif what == "udp6":
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    show(lambda: s.sendto(b"x", ("::1", 9)))
elif what == "bind":
    s = socket.socket()
    show(lambda: s.bind(("127.0.0.1", 0)))
elif what == "resolve":
    show(lambda: socket.getaddrinfo("localhost", 80))
elif what == "hostbyname":
    show(lambda: socket.gethostbyname("localhost"))
elif what == "literal":
    show(lambda: socket.getaddrinfo("127.0.0.1", 80))
elif what == "unix-bind":
    s = socket.socket(socket.AF_UNIX)
    show(lambda: s.bind(sys.argv[2]))
elif what == "unix-connect-abstract":
    # the name as given, with \\0 for a NUL inside it
    s = socket.socket(socket.AF_UNIX)
    show(lambda: s.connect("\0" + sys.argv[2].replace("\\0", "\0")))
elif what == "unix-connect":
    s = socket.socket(socket.AF_UNIX)
    show(lambda: s.connect(sys.argv[2]))
elif what == "resolve-connect":
    # resolve an allowed name, then talk to a listener at that address
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    def go():
        addr = socket.getaddrinfo("localhost", port, socket.AF_INET, socket.SOCK_STREAM)[0][4]
        socket.create_connection(addr).sendall(b"x")
    show(go)
PYEOF
A="aw -q -a never --"
P="$PY $T/n.py"

# network off (the default): nothing leaves, errors as the kernel would give
for w in udp udp6 bind; do
	status 0 "network off: $w" $A $P $w
	check "network off: $w fails with EPERM" [ "$(cat "$T/last.out")" = EPERM ]
done
status 0 "network off: getaddrinfo" $A $P resolve
check "network off: getaddrinfo fails with EAI_FAIL" \
    [ "$(cat "$T/last.out")" = "gai EAI_FAIL" ]
status 0 "network off: gethostbyname" $A $P hostbyname
check "network off: gethostbyname fails" grep -q '^gai' "$T/last.out"
status 0 "an IP literal needs no resolver" $A $P literal
check "literal resolves" [ "$(cat "$T/last.out")" = ok ]

# network on without the proxy feature: unrestricted
N="aw -q -a never -n --"
for w in udp bind resolve hostbyname; do
	status 0 "network on: $w" $N $P $w
	check "network on: $w works" [ "$(cat "$T/last.out")" = ok ]
done

# the proxy feature: localhost named exactly, resolution and connect work
X="aw -q -a never -n -c features.network_proxy=true"
X="$X -c features.network_proxy.allow_local_binding=true"
status 0 "proxy: localhost allowed" $X \
    -c 'features.network_proxy.domains={ "localhost" = "allow" }' -- \
    $P resolve-connect
check "proxy: resolve then connect" [ "$(cat "$T/last.out")" = ok ]
status 0 "proxy: localhost denied" $X \
    -c 'features.network_proxy.domains={ "localhost" = "deny" }' -- $P resolve
check "proxy: a denied name fails with EAI_FAIL" \
    [ "$(cat "$T/last.out")" = "gai EAI_FAIL" ]

# Unix sockets: binding makes an entry (a write); connecting needs the list
status 0 "unix bind inside" $A $P unix-bind "$WS/sock"
check "unix bind inside works" [ "$(cat "$T/last.out")" = ok ]
check "the socket exists" [ -S "$WS/sock" ]
status 0 "unix bind outside" $A $P unix-bind "$OUT/sock"
check "unix bind outside: EACCES" [ "$(cat "$T/last.out")" = EACCES ]
check "no socket outside" absent "$OUT/sock"
status 0 "unix connect, not listed" $A $P unix-connect "$WS/sock"
check "unix connect not listed: EPERM" [ "$(cat "$T/last.out")" = EPERM ]
# an abstract name is all of its bytes: "@name" listed does not let a
# connect reach "name\0more", another socket to the kernel
ABS="aw-shimnet-$$"
L="features.network_proxy.unix_sockets={\"@$ABS\"=\"allow\"}"
status 0 "unwrapped: abstract connect" $P unix-connect-abstract "$ABS\\0more"
check "unwrapped: nobody listens (the kernel says so)" \
    [ "$(cat "$T/last.out")" = ECONNREFUSED ]
status 0 "a listed abstract name" aw -q -a never -c "$L" -- \
    $P unix-connect-abstract "$ABS"
check "listed: the kernel is reached" [ "$(cat "$T/last.out")" = ECONNREFUSED ]
status 0 "the listed name with a NUL and more" aw -q -a never -c "$L" -- \
    $P unix-connect-abstract "$ABS\\0more"
check "refused: it is another name" [ "$(cat "$T/last.out")" = EPERM ]
status 0 "the listed name with one NUL after it" aw -q -a never -c "$L" -- \
    $P unix-connect-abstract "$ABS\\0"
check "refused: that too is another name" [ "$(cat "$T/last.out")" = EPERM ]
L0="features.network_proxy.unix_sockets={\"@$ABS\\\\0\"=\"allow\"}"
status 0 "a name listed with its NUL" aw -q -a never -c "$L0" -- \
    $P unix-connect-abstract "$ABS\\0"
check "listed with its NUL: the kernel is reached" \
    [ "$(cat "$T/last.out")" = ECONNREFUSED ]
finish
