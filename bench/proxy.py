# bench/proxy.py: the proxy rows of `make bench`.
#   proxy.py serve PORTFILE        a sink (reads to EOF, answers the byte
#                                  count) and an echo peer on 127.0.0.1
#   proxy.py client PORTFILE MIB ROUNDS
#                                  through $HTTP_PROXY's CONNECT if set, else
#                                  direct: prints "MiB/s us-per-round-trip"
import os, socket, sys, threading, time

def serve(portfile):
    sink = socket.create_server(("127.0.0.1", 0))
    echo = socket.create_server(("127.0.0.1", 0))
    def sinks():
        while True:
            c, _ = sink.accept()
            n = 0
            while True:
                d = c.recv(1 << 20)
                if not d:
                    break
                n += len(d)
            c.sendall(b"%d\n" % n)
            c.close()
    def echoes():
        while True:
            c, _ = echo.accept()
            c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            while True:
                d = c.recv(65536)
                if not d:
                    break
                c.sendall(d)
            c.close()
    threading.Thread(target=sinks, daemon=True).start()
    threading.Thread(target=echoes, daemon=True).start()
    with open(portfile + ".tmp", "w") as f:
        f.write("%d %d" % (sink.getsockname()[1], echo.getsockname()[1]))
    os.rename(portfile + ".tmp", portfile)
    threading.Event().wait()

def dial(port):
    proxy = os.environ.get("HTTP_PROXY")
    if not proxy:
        s = socket.create_connection(("127.0.0.1", port))
    else:
        s = socket.create_connection(("127.0.0.1", int(proxy.rsplit(":", 1)[1])))
        s.sendall(b"CONNECT 127.0.0.1:%d HTTP/1.1\r\n\r\n" % port)
        head = b""
        while b"\r\n\r\n" not in head:
            d = s.recv(1)
            if not d:
                raise SystemExit("the proxy closed")
            head += d
        if not head.startswith(b"HTTP/1.1 200"):
            raise SystemExit("the proxy said " + head.decode(errors="replace"))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s

def client(portfile, mib, rounds):
    sport, eport = map(int, open(portfile).read().split())
    chunk = b"x" * (1 << 20)
    s = dial(sport)
    t0 = time.perf_counter()
    for _ in range(mib):
        s.sendall(chunk)
    s.shutdown(socket.SHUT_WR)
    got = s.makefile().readline()
    t1 = time.perf_counter()
    if int(got) != mib << 20:
        raise SystemExit("the sink got %s bytes" % got.strip())
    s.close()
    s = dial(eport)
    t2 = time.perf_counter()
    for _ in range(rounds):
        s.sendall(b"p")
        if s.recv(1) != b"p":
            raise SystemExit("no echo")
    t3 = time.perf_counter()
    s.close()
    print("%.0f %.1f" % (mib / (t1 - t0), (t3 - t2) * 1e6 / rounds))

if sys.argv[1] == "serve":
    serve(sys.argv[2])
else:
    client(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
