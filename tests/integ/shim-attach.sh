# The attach socket is hostile input to the supervisor: garbage, a wrong
# size, a wrong token, descriptors sent along and a flood of connections
# that never speak are refused or dropped, and a process of the tree still
# attaches afterwards. The command itself plays the attacker: it reads the
# variables the shim took out of its environ from /proc/self/environ.
. "$(dirname "$0")/lib.sh"

cat > attack.py <<'PEOF'
import os, socket, struct, subprocess, sys, time
env = dict(e.split("=", 1) for e in
           open("/proc/self/environ", "rb").read().decode().split("\0") if "=" in e)
name = "\0" + env["AGENTWRAP_SOCK"]
MAGIC, VERSION = 0x74617761, 2

def ask(payload, fds=None):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(name)
    if fds:
        s.sendmsg([payload], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                               struct.pack("i" * len(fds), *fds))])
    else:
        s.send(payload)
    msg, anc, flags, _ = s.recvmsg(64, socket.CMSG_SPACE(16))
    s.close()
    status = struct.unpack("IIiI", msg)[2] if len(msg) == 16 else None
    return status, len(anc)

results = []
results.append(ask(b"garbage"))                                  # size
results.append(ask(struct.pack("IIII", 1, VERSION, 1, 0) + bytes(16)))  # magic
results.append(ask(struct.pack("IIII", MAGIC, VERSION, 1, 0) + bytes(16)))  # token
results.append(ask(struct.pack("IIII", MAGIC, VERSION, 1, 0) + bytes(16),
                   fds=[0, 1]))                                  # fds along
print("refusals", results)
bad = [r for r in results if r[0] in (None, 0) or r[1] != 0]
# a flood of connections that never speak
idle = []
for i in range(300):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(name)
    idle.append(s)
# without the holder, a new process must come through the socket
h = subprocess.run(["pgrep", "-P", str(os.getppid()), "-x", "agentwrap-hold"],
                   capture_output=True, text=True).stdout.split()
for p in h:
    os.kill(int(p), 9)
time.sleep(0.2)
r = subprocess.run(["/bin/sh", "-c", 'echo x > "$0"', sys.argv[1]])
print("child", r.returncode, "holders killed", len(h))
sys.exit(1 if bad or r.returncode != 0 or not h else 0)
PEOF
status 0 "forged attach requests and a flood" aw -q -a never \
    -c features.network_proxy.dangerously_allow_all_unix_sockets=true -- \
    $PY attack.py "$WS/after-flood"
check "the forged requests were refused" grep -q "^refusals \[(71, 0), (71, 0), (1, 0), (1, 0)\]" "$T/last.out"
check "after all that, a new process attached and wrote" [ -e "$WS/after-flood" ]
finish
