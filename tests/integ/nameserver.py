# tests/integ/nameserver.py: the loop of a name server for the tests that
# run one of their own (dns-rebind.sh, dns-raw.sh): a UDP socket on
# 127.0.0.1:PORT, each query read (id, name, type, the question's bytes),
# handed to ANSWER, and the reply it makes sent back. Test code only: it
# trusts what it reads no further than the tests need.
import socket
import struct
import threading

A, MX, TXT, AAAA = 1, 15, 16, 28


def name_bytes(name):
    return b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"


def rr(rtype, rdata, owner=b"\xc0\x0c", klass=1):
    """A record of KLASS (IN), TTL 0, owned by OWNER (the question's name)."""
    return owner + struct.pack(">HHIH", rtype, klass, 0, len(rdata)) + rdata


def a(addr):
    return rr(A, socket.inet_aton(addr))


def hold_tcp(port):
    """A TCP name server on 127.0.0.1:PORT that takes every connection
    and never answers (what a resolver falls back to after TC)."""
    t = socket.socket()
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind(("127.0.0.1", port))
    t.listen(16)
    held = []
    def loop():
        while True:
            held.append(t.accept()[0])
    threading.Thread(target=loop, daemon=True).start()


def serve(port, ready, answer):
    """ANSWER(name, qtype, raw) returns (rcode, answers, additional) and
    optionally header flags to add (0x0200: TC), or None: no answer."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    with open(ready, "w") as f:
        f.write(str(s.getsockname()[1]))
    while True:
        q, peer = s.recvfrom(4096)
        if len(q) < 12:
            continue
        qid = struct.unpack(">H", q[:2])[0]
        i, labels = 12, []
        while i < len(q) and q[i] != 0:
            labels.append(q[i + 1:i + 1 + q[i]].decode(errors="replace"))
            i += 1 + q[i]
        if i + 5 > len(q):
            continue
        qtype = struct.unpack(">H", q[i + 1:i + 3])[0]
        got = answer(".".join(labels).lower(), qtype, q)
        if got is None:
            continue  # no answer at all
        rcode, an, ar = got[:3]
        extra = got[3] if len(got) > 3 else 0
        s.sendto(struct.pack(">HHHHHH", qid, 0x8180 | extra | rcode, 1,
                             len(an), 0, len(ar)) + q[12:i + 5] +
                 b"".join(an + ar), peer)
