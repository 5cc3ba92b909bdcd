# needs: netns
# The raw DNS interface (res_query and friends) where the domain rules
# judge names: the supervisor asks the query itself, with its own resolver
# state, judges every address of the answer, pins the answer's addresses,
# and hands the answer out; nothing is sent from the watched process. Run
# against a name server of the test's own on 127.0.0.1:53 (tests/run makes
# the network namespace and a mount namespace whose /etc/resolv.conf names
# 127.0.0.1) and a second one on another port, the server a program would
# rather talk to, which counts what it gets.
D=$(cd "$(dirname "$0")" && pwd)
HARNESS=$D/../../scripts/harness.py
. "$D/lib.sh"
. "$D/approvals.inc"
set +f

ADDR_OK=93.184.215.14
ADDR_2=93.184.215.15
R="$PROBES/dnsraw"

# the name server: every query logged as "NAME TYPE" (and "secret" when
# the packet carries the probe's smuggled record)
cat > "$T/ns.py" <<'PYEOF'
import socket, struct, sys
from nameserver import A, AAAA, MX, TXT, a, hold_tcp, name_bytes, rr, serve
log, ready, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
ONE, TWO = "93.184.215.14", "93.184.215.15"
zone = {
    "good.test": {A: [ONE], TXT: "hello"},
    "www.good.test": {A: [ONE]},
    "evil.test": {A: [ONE]},
    "two.test": {A: [ONE, TWO]},        # the first answer, then the next
    "three.test": {A: [ONE, TWO]},
    "flip.test": {A: [ONE, "127.0.0.1"]},
    "mx.test": {A: [ONE], MX: "mail.mx.test"},
    "nxtxt.test": {A: [ONE], TXT: None},
    "ask.example": {A: [ONE], TXT: "approved"},
    "no.example": {A: [ONE], TXT: "refused"},
    "93.184.215.14": {A: [TWO]},         # a name that is an address
    "chaos.test": {A: [ONE], TXT: "x"},  # TXT with a class-CH A beside it
    "big.test": {A: [ONE]},              # 40 A records
    "bigpriv.test": {A: [ONE]},          # 39 public, then 10.9.9.9
    "tc.test": {A: [ONE], TXT: "cut"},   # TXT: TC, and TCP never answers
    "tc2.test": {A: [ONE], TXT: "cut"},
    "silent.test": {A: [ONE], TXT: "never"},  # TXT: no answer at all
}
if port == 53:
    hold_tcp(53)
asked = {}
def answer(name, qtype, raw):
    with open(log, "a") as f:
        f.write("%s %d%s\n" % (name, qtype, " secret" if b"exfil-secret" in raw else ""))
    z = zone.get(name)
    if z is None:
        return 3, [], []
    if qtype == A and name in ("big.test", "bigpriv.test"):
        an = [rr(A, bytes([93, 184, 216, i])) for i in range(1, 40)]
        return 0, an + [a("10.9.9.9" if name == "bigpriv.test" else "93.184.216.40")], []
    if qtype == A and A in z:
        n = asked.get(name, 0)
        asked[name] = n + 1
        return 0, [a(z[A][min(n, len(z[A]) - 1)])], []
    if qtype == TXT and name == "silent.test":
        return None
    if qtype == TXT and TXT in z:
        if z[TXT] is None:
            return 3, [], []
        t = z[TXT].encode()
        ar = [rr(A, socket.inet_aton("127.0.0.1"), klass=3)] if name == "chaos.test" else []
        return 0, [rr(TXT, bytes([len(t)]) + t)], ar, 0x0200 if name.startswith("tc") else 0
    if qtype == MX and MX in z:
        target = name_bytes(z[MX])
        return 0, [rr(MX, struct.pack(">H", 10) + target)], \
            [rr(A, socket.inet_aton("10.1.2.3"), owner=target)]
    return 0, [], []
serve(port, ready, answer)
PYEOF

# a peer on ADDR_2 that logs each connection
cat > "$T/peer.py" <<'PYEOF'
import os, socket, sys
addr, log, portfile = sys.argv[1:4]
s = socket.socket()
s.bind((addr, 0))
s.listen(8)
open(portfile + ".tmp", "w").write(str(s.getsockname()[1]))
os.rename(portfile + ".tmp", portfile)
while True:
    c, _ = s.accept()
    open(log, "a").write("accepted\n")
    c.close()
PYEOF

needs_netns "$ADDR_OK" "grep -qx 'nameserver 127.0.0.1' /etc/resolv.conf"
PYTHONPATH="$D" $PY "$T/ns.py" "$T/ns.log" "$T/ns.ready" 53 & p1=$!
PYTHONPATH="$D" $PY "$T/ns.py" "$T/other.log" "$T/other.port" 0 & p2=$!
$PY "$T/peer.py" "$ADDR_2" "$T/peer.log" "$T/peer.port" & p3=$!
trap 'kill $p1 $p2 $p3 2>/dev/null; rm -rf "$T"' EXIT
wait_files 200 "$T/ns.ready" "$T/other.port" "$T/peer.port" ||
    echo "the test's servers did not start"
OTHER=$(cat "$T/other.port")
P=$(cat "$T/peer.port")
asked() { grep -c "^$1 " "$T/ns.log" 2>/dev/null; }

# the fixture, unwrapped: the name server answers, the other one too, and
# the resolver-environment trick works on glibc as it is
check "fixture: unwrapped, res_query of good.test answers" \
    [ "$("$R" query good.test A)" = "query answered len=43 id=none rcode=0 an=1 a=$ADDR_OK txt=-" ]
check "fixture: the other name server answers res_nquery pointed at it" \
    sh -c "'$R' nquery good.test A $OTHER | grep -q '^nquery answered '"
check "fixture: it logged the query" [ "$(grep -c '^good.test 1' "$T/other.log")" = 1 ]
LOCALDOMAIN=evil2.test RES_OPTIONS=ndots:5 "$R" search good.test A >/dev/null
check "fixture: unwrapped, LOCALDOMAIN and ndots send good.test.evil2.test" \
    [ "$(asked good.test.evil2.test)" -ge 1 ]
LOCALDOMAIN=evil2.test RES_OPTIONS=ndots:5 "$R" gaia www.good.test wait >/dev/null
check "fixture: unwrapped, getaddrinfo_a too" \
    [ "$(asked www.good.test.evil2.test)" -ge 1 ]
: > "$T/ns.log"
: > "$T/other.log"

RULE='features.network_proxy.domains={ "**.test" = "allow", "evil.test" = "deny" }'
run() { aw -a never -n -c features.network_proxy=true -c "$RULE" "$@"; }

status 0 "res_query of an allowed name" run -- "$R" query good.test A
check "answered with the name server's answer" \
    grep -qx "query answered len=43 id=none rcode=0 an=1 a=$ADDR_OK txt=-" "$T/last.out"
check "the supervisor asked for the A record" [ "$(grep -c '^good.test 1$' "$T/ns.log")" -ge 2 ]
status 0 "res_query of a TXT record" run -- "$R" query good.test TXT
check "the TXT data comes through" grep -q " an=1 a=- txt=hello$" "$T/last.out"
check "the TXT query reached the name server" grep -q '^good.test 16$' "$T/ns.log"
status 0 "res_query of a missing AAAA" run -- "$R" query good.test AAAA
check "no data: -1, NO_DATA" grep -qx "query -1 h_errno=4" "$T/last.out"
status 0 "res_query of a TXT record that does not exist" run -- "$R" query nxtxt.test TXT
check "NXDOMAIN: -1, HOST_NOT_FOUND" grep -qx "query -1 h_errno=1" "$T/last.out"
status 0 "res_querydomain" run -- "$R" querydomain www/good.test A
check "res_querydomain asks for NAME.DOMAIN" grep -q "^querydomain answered .* a=$ADDR_OK " "$T/last.out"

# a denied name: nothing is asked
status 0 "res_query of a denied name" run -- "$R" query evil.test A
check "denied: -1, NO_RECOVERY" grep -qx "query -1 h_errno=3" "$T/last.out"
check "the denied name never reached the name server" [ "$(asked evil.test)" = 0 ]
check "the denial is reported" grep -q "^agentwrap: denied resolve evil.test " "$T/last.err"

# every address of the answer is judged: a name that resolves public for
# getaddrinfo but loopback for the raw query (it rebinds), and a public
# name whose MX answer carries a private address
status 0 "res_query of a name that rebinds" run -- "$R" query flip.test A
check "rebinding: -1, NO_RECOVERY" grep -qx "query -1 h_errno=3" "$T/last.out"
check "the raw query did go to the name server" [ "$(asked flip.test)" -ge 2 ]
check "the refusal names the loopback answer" grep -q "flip.test resolves to 127.0.0.1, a loopback address" "$T/last.err"
status 0 "res_query of an MX with a private address beside it" run -- "$R" query mx.test MX
check "the MX answer is refused" grep -qx "query -1 h_errno=3" "$T/last.out"
check "the refusal names the private address" grep -q "10.1.2.3" "$T/last.err"

# the raw answer's addresses are pinned: two.test is 93.184.215.14 for
# the supervisor's first lookup, .15 for the raw query; a connect to .15
# is allowed because the raw answer handed it out
status 0 "res_query, then a connect to its answer" \
    run -- env CONNECT_PORT="$P" "$R" query two.test A
check "the raw answer is the second address" grep -q "^query answered .* a=$ADDR_2 " "$T/last.out"
check "the connect to it is allowed" grep -qx "connect ok" "$T/last.out"
check "the peer got the connection" [ "$(grep -c accepted "$T/peer.log" 2>/dev/null)" = 1 ]

# the caller's resolver state plays no part: its own server list, a query
# with a record smuggled in, LOCALDOMAIN and RES_OPTIONS
: > "$T/ns.log"
for call in nquery nsearch send nsend; do
	status 0 "res_$call pointed at another name server" \
	    run -- "$R" $call good.test A "$OTHER"
	check "res_$call is answered" grep -q "^$call answered .* a=$ADDR_OK " "$T/last.out"
	case $call in
	*send) check "res_$call: the answer has the query's ID" \
	    grep -q "^$call answered .* id=same " "$T/last.out" ;;
	esac
done
check "the other name server got nothing" [ ! -s "$T/other.log" ]
check "the smuggled record went nowhere" sh -c "! grep -q secret '$T/ns.log' '$T/other.log'"
: > "$T/ns.log"
status 0 "res_search with LOCALDOMAIN and ndots" \
    run -- env LOCALDOMAIN=evil2.test RES_OPTIONS=ndots:5 "$R" search good.test A
check "res_search is answered" grep -q "^search answered .* a=$ADDR_OK " "$T/last.out"
check "good.test.evil2.test was never asked" [ "$(asked good.test.evil2.test)" = 0 ]

# --resolve answers the raw query too, without the name server
status 0 "res_query of a name given with --resolve" \
    run --resolve "mapped.test=$ADDR_2" -- "$R" query mapped.test A
check "the answer is the --resolve address" grep -q "^query answered .* an=1 a=$ADDR_2 " "$T/last.out"
check "the name server was not asked" [ "$(asked mapped.test)" = 0 ]

# getaddrinfo_a is answered by the supervisor too: nothing is looked up
# in the process (three.test answers 93.184.215.14 to the first query
# only, and the program's search domain is never tried)
status 0 "getaddrinfo_a with LOCALDOMAIN and ndots" \
    run -- env LOCALDOMAIN=evil2.test RES_OPTIONS=ndots:5 "$R" gaia three.test wait
check "getaddrinfo_a: the supervisor's address" \
    grep -qx "gaia answered gai_error=0 a=$ADDR_OK" "$T/last.out"
check "getaddrinfo_a: three.test asked once" [ "$(grep -c '^three.test 1$' "$T/ns.log")" = 1 ]
check "getaddrinfo_a: three.test.evil2.test never asked" [ "$(asked three.test.evil2.test)" = 0 ]
status 0 "getaddrinfo_a, GAI_NOWAIT" run -- "$R" gaia good.test nowait
check "GAI_NOWAIT: the notification thread ran" grep -qx "gaia notified" "$T/last.out"
check "GAI_NOWAIT: answered" grep -qx "gaia answered gai_error=0 a=$ADDR_OK" "$T/last.out"
status 0 "getaddrinfo_a of a denied name" run -- "$R" gaia evil.test nowait
check "getaddrinfo_a of a denied name fails with EAI_FAIL" \
    grep -qx "gaia -1 rc=$((-4))" "$T/last.out"

# what an escape hunt tried: an address as a query's name (its rule would
# pin what the name server says it is), another class, an address of
# another class beside the answer, a name with its final dot, an answer of
# 40 addresses (every one judged, the last private), a truncated answer
# whose TCP server never answers (the workers must not hang), an UPDATE
: > "$T/ns.log"
status 0 "res_query of an IP literal allowed by an exact rule" \
    aw -a never -n -c features.network_proxy=true \
    -c 'features.network_proxy.domains={ "93.184.215.14" = "allow" }' -- \
    env CONNECT_PORT="$P" "$R" query 93.184.215.14 A
check "an address is not queried as a name" grep -qx "query -1 h_errno=3" "$T/last.out"
check "nothing was connected" sh -c "! grep -q '^connect' '$T/last.out'"
check "the name server was not asked for it" [ "$(asked 93.184.215.14)" = 0 ]
check "the peer got nothing" [ "$(grep -c accepted "$T/peer.log" 2>/dev/null)" = 1 ]
status 0 "res_query of class CH" run -- env DNSCLASS=3 "$R" query good.test A
check "another class: refused" grep -qx "query -1 h_errno=3" "$T/last.out"
status 0 "an A record of another class beside a TXT answer" run -- "$R" query chaos.test TXT
check "the answer with a loopback address of class CH is refused" \
    grep -qx "query -1 h_errno=3" "$T/last.out"
status 0 "a name with its final dot" run -- "$R" query good.test. A
check "the final dot: answered" grep -q "^query answered .* a=$ADDR_OK " "$T/last.out"
status 0 "an answer of 40 addresses" run -- "$R" query big.test A
check "40 public addresses: answered" grep -q "^query answered .* an=40 " "$T/last.out"
status 0 "an answer of 40 addresses, the last private" run -- "$R" query bigpriv.test A
check "the 40th, private, refuses it" grep -qx "query -1 h_errno=3" "$T/last.out"
check "the refusal names it" grep -q "10.9.9.9" "$T/last.err"
status 0 "truncated answers whose TCP server hangs, then other names" \
    run -- sh -c "'$R' query tc.test TXT; '$R' query tc2.test TXT; \
    '$R' query good.test TXT; '$R' gaia www.good.test wait"
check "the truncated answer comes as it is" grep -q "^query answered .* txt=cut$" "$T/last.out"
check "the names after it still resolve" grep -q "^query answered .* txt=hello$" "$T/last.out"
check "getaddrinfo_a after it too" grep -qx "gaia answered gai_error=0 a=$ADDR_OK" "$T/last.out"
status 0 "a raw query no name server answers" run -- "$R" query silent.test TXT
check "no answer: -1, TRY_AGAIN" grep -qx "query -1 h_errno=2" "$T/last.out"
check "not reported as a refusal" sh -c "! grep -q '^agentwrap: denied' '$T/last.err'"
status 0 "res_send of an UPDATE" run -- env OPCODE=5 "$R" send good.test A
check "an UPDATE is not sent as a query" grep -qx "send -1 h_errno=3" "$T/last.out"

# AGENTWRAP_DNS_TTL=0: every lookup asks again, and each is still answered
# (the supervisor once waited for ever for an answer that was never fresh)
status 0 "AGENTWRAP_DNS_TTL=0" env AGENTWRAP_DNS_TTL=0 timeout -k 5 30 \
    "$AGENTWRAP" -C "$WS" -a never -n -c features.network_proxy=true \
    -c "$RULE" -- sh -c "'$R' query good.test A; '$R' gaia good.test wait"
check "TTL 0: res_query answered" grep -q "^query answered .* a=$ADDR_OK " "$T/last.out"
check "TTL 0: getaddrinfo_a answered" grep -qx "gaia answered gai_error=0 a=$ADDR_OK" "$T/last.out"

# the BSD r-commands connect inside libc: refused where names are judged;
# libresolv's old res_gethostbyname is the supervisor's gethostbyname
: > "$T/ns.log"
status 0 "rexec_af to an allowed name's peer" run -- "$R" rexec two.test "$P"
check "rexec is refused (EPERM)" grep -qx "rexec -1 1" "$T/last.out"
check "the peer got nothing from it" [ "$(grep -c accepted "$T/peer.log" 2>/dev/null)" = 1 ]
check "the refusal is reported" grep -q "^agentwrap: denied connect two.test (dnsraw\[[0-9]*\]): the call looks the host up and connects inside libc" "$T/last.err"
status 0 "ruserok of a denied name" run -- "$R" ruserok evil.test
check "ruserok: evil.test never asked" [ "$(asked evil.test)" = 0 ]
# iruserok (and ruserok) read /etc/hosts.equiv and the local user's
# ~/.rhosts inside libc: judged as reads, whatever the network
me=$(id -un)
mehome=$(getent passwd "$me" | cut -d: -f6)
"$R" iruserok "$me" 0 >"$T/iru.out"
check "unwrapped, iruserok reads and finds nothing ($(cat "$T/iru.out"))" grep -qx "iruserok -1 2" "$T/iru.out"
status 0 "iruserok, /etc/hosts.equiv guarded" aw -a never \
    -c 'agentwrap.filesystem.paths={"/etc/hosts.equiv"="deny"}' -- "$R" iruserok "$me" 0
check "iruserok: hosts.equiv refused (EACCES)" grep -qx "iruserok -1 13" "$T/last.out"
check "and reported as a read" grep -q "^agentwrap: denied read /etc/hosts.equiv (dnsraw\[" "$T/last.err"
status 0 "iruserok as the superuser skips hosts.equiv" aw -a never \
    -c 'agentwrap.filesystem.paths={"/etc/hosts.equiv"="deny"}' -- "$R" iruserok "$me" 1
check "iruserok as the superuser: not refused" grep -qx "iruserok -1 2" "$T/last.out"
status 0 "iruserok, the user's .rhosts guarded" aw -a never \
    -c "agentwrap.filesystem.paths={\"$mehome/.rhosts\"=\"deny\"}" -- "$R" iruserok "$me" 1
check "iruserok: ~/.rhosts refused (EACCES)" grep -qx "iruserok -1 13" "$T/last.out"
check "and reported as a read of it" grep -q "^agentwrap: denied read $mehome/.rhosts (dnsraw\[" "$T/last.err"
status 0 "res_gethostbyname (libresolv's compat name)" run -- "$R" resgh two.test
check "res_gethostbyname: the supervisor's answer" grep -qx "resgh answered $ADDR_2" "$T/last.out"
status 0 "res_gethostbyname of a denied name" run -- "$R" resgh evil.test
check "res_gethostbyname: denied, never asked" sh -c "grep -qx 'resgh -1 h_errno=3' '$T/last.out' && [ \"\$(grep -c '^evil.test ' '$T/ns.log')\" = 0 ]"

# what the r-commands use inside libc: ruserpass reads ~/.netrc (a
# credential store, asked by default), rresvport binds a reserved port
printf 'machine good.test login alice password s3cret\n' >"$HOME/.netrc"
chmod 600 "$HOME/.netrc"
check "fixture: unwrapped, ruserpass reads ~/.netrc" \
    [ "$("$R" ruserpass good.test)" = "ruserpass 0 name=alice pass=s3cret" ]
status 0 "ruserpass under agentwrap" aw -a never -- "$R" ruserpass good.test
check "ruserpass: the read of ~/.netrc is refused" grep -qx "ruserpass -1 13" "$T/last.out"
check "ruserpass: reported as a denied read" grep -q "^agentwrap: denied read $HOME/.netrc " "$T/last.err"
check "fixture: unwrapped, rresvport binds port 600" [ "$("$R" rresvport 600)" = "rresvport ok" ]
status 0 "rresvport with the network off" aw -a never -- "$R" rresvport 600
check "rresvport: refused" grep -qx "rresvport -1 1" "$T/last.out"
check "rresvport: reported as a denied bind" grep -q "^agentwrap: denied bind " "$T/last.err"

# --suggest on a networked run: recorded with the network on and no
# domain rule (every name asked about, nothing enforced), the policy it
# drafts names what was contacted, and the same command then runs under
# -a never with nothing denied
cat >"$T/netjob.py" <<PYEOF
import socket
socket.create_connection(("two.test", $P), timeout=5).close()
print("connected")
PYEOF
status 0 "a networked run recorded, nothing enforced" \
    aw -a never -n -c features.network_proxy=true --audit-only \
    --audit "$T/net.jsonl" -- $PY "$T/netjob.py"
check "the recorded run connected" grep -qx connected "$T/last.out"
"$AGENTWRAP" --suggest "$T/net.jsonl" >"$T/net.toml"
check "--suggest: a domain rule for the name" grep -qx '"two.test" = "allow"' "$T/net.toml"
check "--suggest: the proxy on" grep -qx "enabled = true" "$T/net.toml"
n0=$(grep -c accepted "$T/peer.log")
status 0 "the same command under the suggested policy, -a never" \
    aw -a never -n --config-file "$T/net.toml" -- $PY "$T/netjob.py"
check "under it: connected" grep -qx connected "$T/last.out"
check "under it: the peer got the connection" [ "$(grep -c accepted "$T/peer.log")" -gt "$n0" ]
check "under it: nothing denied" sh -c "! grep -q '^agentwrap: denied' '$T/last.err'"

# a name no rule names is asked about once (the lookup of the name), and
# the raw query follows an approval, not a refusal
H="--rule resolve:ask.example=allow"
status 0 "res_query of a name that is asked about, approved" hrun -a on-request \
    -n -c features.network_proxy=true -c "$RULE" -- "$R" query ask.example TXT
check "one question, about ask.example" hlog_ok 'len(reqs) == 1 and
    reqs[0]["host"] == "ask.example"'
check "approved: answered" grep -q " an=1 a=- txt=approved$" "$T/last.out"
status 0 "res_query of a name that is asked about, refused" hrun -a on-request \
    -n -c features.network_proxy=true -c "$RULE" -- "$R" query no.example TXT
check "one question, about no.example" hlog_ok 'len(reqs) == 1 and
    reqs[0]["host"] == "no.example"'
check "refused: -1, NO_RECOVERY" grep -qx "query -1 h_errno=3" "$T/last.out"
check "the refused name's TXT record was never asked for" \
    sh -c "! grep -q '^no.example 16' '$T/ns.log'"
finish
