#!/bin/sh
# explain-net.sh: `agentwrap --explain connect|resolve|bind|unix`: network
# off / on / proxied, the domain rules of the seed, local and private
# destinations, IP literal forms, --resolve (never real DNS here) and Unix
# sockets.
. "$(dirname "$0")/lib.sh"

PUB=93.184.216.34	# a public address

# --- network off (the default): ask; never and on-failure: deny
decide 2 "^ask: connecting to $PUB needs approval: network access is off \\(sandbox_workspace_write\\.network_access = false, default\\)\$" \
    --explain connect "$PUB:443"
decide 2 "^ask: resolving example\\.com needs approval: network access is off" \
    --explain resolve example.com
decide 2 "^ask: binding 127\\.0\\.0\\.1 needs approval: network access is off" \
    --explain bind 127.0.0.1:8080
decide 1 "^deny: connecting to $PUB needs approval: network access is off .*never" \
    -a never --explain connect "$PUB:443"
decide 1 "^deny: .*on-failure" -a on-failure --explain connect "$PUB:443"
# the proxy feature alone does not turn the network on
decide 2 "network access is off" -c features.network_proxy=true \
    -c 'features.network_proxy.domains={"*"="allow"}' \
    --explain connect "$PUB:443"
# read-only keeps it off whatever the setting
decide 2 "^ask: connecting to $PUB needs approval: sandbox_mode = read-only keeps the network off" \
    -s read-only -n --explain connect "$PUB:443"

# --- network on without the proxy: unrestricted
decide 0 "^allow: network access is on \\(--network\\) and features\\.network_proxy is off" \
    -n --explain connect "$PUB:443"
decide 0 "network access is on \\(-c sandbox_workspace_write\\.network_access\\)" \
    -c sandbox_workspace_write.network_access=true --explain connect 10.0.0.1:22
decide 0 "^allow: " -n --explain bind 127.0.0.1:8080
decide 0 "^allow: " -n --explain connect '[::1]:80'
# danger-full-access: allowed
decide 0 "^allow: sandbox_mode = danger-full-access \\(--sandbox\\) allows the network" \
    -s danger-full-access --explain connect 10.0.0.1:22

# --- network on with the proxy: the domain rules
P1=-n P2=-c
P3='features.network_proxy={ enabled = true, domains = { "api.openai.com" = "allow", "*.example.com" = "allow", "**.apex.org" = "allow", "bad.example.com" = "deny", "127.0.0.1" = "allow", "localhost" = "allow", "fd00::5" = "allow" } }'
# --resolve answers for names (no real DNS); no spaces inside, so $RS splits
RS="--resolve api.openai.com=$PUB --resolve a.example.com=$PUB
    --resolve b.a.example.com=$PUB --resolve bad.example.com=$PUB
    --resolve example.com=$PUB --resolve apex.org=$PUB
    --resolve x.apex.org=$PUB --resolve other.org=$PUB
    --resolve nx.example.com= --resolve priv.example.com=10.0.0.1
    --resolve mixed.example.com=$PUB,192.168.1.1
    --resolve v6.example.com=2606:2800:220:1:248:1893:25c8:1946
    --resolve ula.example.com=fd00::1 --resolve localhost=127.0.0.1"

# exact host; case-insensitive; one trailing dot ignored
decide 0 "^allow: api\\.openai\\.com is allowed: features\\.network_proxy\\.domains\\[\"api\\.openai\\.com\"\\] = \"allow\" \\(-c features\\.network_proxy\\.domains\\)\$" \
    $P1 $P2 "$P3" $RS --explain connect api.openai.com:443
decide 0 "^allow: api\\.openai\\.com is allowed" $P1 $P2 "$P3" $RS \
    --explain connect API.OpenAI.COM.:443
decide 0 "^allow: api\\.openai\\.com is allowed" $P1 $P2 "$P3" $RS \
    --explain resolve api.openai.com
# *.x: subdomains only, at any depth
decide 0 "\\[\"\\*\\.example\\.com\"\\] = \"allow\"" $P1 $P2 "$P3" $RS \
    --explain connect a.example.com:443
decide 0 "\\[\"\\*\\.example\\.com\"\\] = \"allow\"" $P1 $P2 "$P3" $RS \
    --explain connect b.a.example.com
decide 2 "^ask: reaching example\\.com needs approval: no rule in features\\.network_proxy\\.domains allows it\$" \
    $P1 $P2 "$P3" $RS --explain connect example.com:443
# **.x: apex and subdomains
decide 0 "\\[\"\\*\\*\\.apex\\.org\"\\] = \"allow\"" $P1 $P2 "$P3" $RS \
    --explain connect apex.org
decide 0 "\\[\"\\*\\*\\.apex\\.org\"\\] = \"allow\"" $P1 $P2 "$P3" $RS \
    --explain connect x.apex.org
# deny wins over a matching allow
decide 1 "^deny: bad\\.example\\.com is denied: features\\.network_proxy\\.domains\\[\"bad\\.example\\.com\"\\] = \"deny\"" \
    $P1 $P2 "$P3" $RS --explain connect bad.example.com:443
decide 1 "^deny: bad\\.example\\.com is denied" $P1 $P2 "$P3" $RS \
    --explain resolve BAD.example.com.
# not allowed: ask, or deny under never
decide 2 "^ask: reaching other\\.org needs approval" $P1 $P2 "$P3" $RS \
    --explain connect other.org
decide 1 "^deny: reaching other\\.org needs approval.*never" $P1 $P2 "$P3" \
    $RS -a never --explain connect other.org
# a name that does not resolve (--resolve HOST=) is denied
decide 1 "^deny: nx\\.example\\.com does not resolve" $P1 $P2 "$P3" $RS \
    --explain connect nx.example.com:443
decide 1 "^deny: nx\\.example\\.com does not resolve" $P1 $P2 "$P3" $RS \
    --explain resolve nx.example.com
# one that resolves to any non-public address is denied
decide 1 "^deny: priv\\.example\\.com resolves to 10\\.0\\.0\\.1, a private address" \
    $P1 $P2 "$P3" $RS --explain connect priv.example.com
decide 1 "^deny: mixed\\.example\\.com resolves to 192\\.168\\.1\\.1" \
    $P1 $P2 "$P3" $RS --explain connect mixed.example.com
decide 1 "^deny: ula\\.example\\.com resolves to fd00::1" $P1 $P2 "$P3" $RS \
    --explain connect ula.example.com
decide 0 "^allow: v6\\.example\\.com is allowed" $P1 $P2 "$P3" $RS \
    --explain connect v6.example.com
# the later --resolve for a name wins
decide 1 "^deny: a\\.example\\.com does not resolve" $P1 $P2 "$P3" $RS \
    --resolve a.example.com= --explain connect a.example.com
decide 0 "^allow: a\\.example\\.com is allowed" $P1 $P2 "$P3" \
    --resolve a.example.com= --resolve a.example.com=$PUB \
    --explain connect a.example.com

# local and private IP literals: denied unless an exact rule names them
decide 0 "^allow: 127\\.0\\.0\\.1 is a local address named by an exact allow rule: features\\.network_proxy\\.domains\\[\"127\\.0\\.0\\.1\"\\]" \
    $P1 $P2 "$P3" --explain connect 127.0.0.1:8080
for ip in 2130706433 0x7f.1 127.1 0177.0.0.1 '[::ffff:127.0.0.1]:80'; do
	decide 0 "^allow: .* is a local address named by an exact allow rule" \
	    $P1 $P2 "$P3" --explain connect "$ip"
done
decide 0 "named by an exact allow rule: .*\\[\"fd00::5\"\\]" $P1 $P2 "$P3" \
    --explain connect '[fd00::5]:80'
for ip in 10.1.2.3 192.168.0.1 172.16.0.1 169.254.1.1 100.64.0.1 \
    198.18.0.1 224.0.0.1 0.0.0.0 240.0.0.1 '[fe80::1]:80' '[fd00::6]:80' \
    '[::ffff:10.0.0.1]:80' 012.0.0.1 0xa000001; do
	decide 1 "^deny: .* allow_local_binding = false" $P1 $P2 "$P3" \
	    --explain connect "$ip"
done
# a wildcard never counts as an exception
decide 1 "^deny: " -n -c features.network_proxy.enabled=true \
    -c 'features.network_proxy.domains={"*"="allow"}' \
    --explain connect 10.1.2.3
decide 1 "^deny: " -n -c features.network_proxy.enabled=true \
    -c 'features.network_proxy.domains={"*"="allow"}' \
    --explain connect 127.0.0.1
# "localhost" names the loopback addresses
decide 0 "^allow: localhost is allowed" $P1 $P2 "$P3" $RS \
    --explain connect localhost:8080
# allow_local_binding = true opens local addresses (a name still needs
# the allowlist)
decide 0 "^allow: 10\\.1\\.2\\.3 is private; allow_local_binding = true \\(-c features\\.network_proxy\\.allow_local_binding\\)" \
    $P1 $P2 "$P3" -c features.network_proxy.allow_local_binding=true \
    --explain connect 10.1.2.3
decide 2 "^ask: reaching intra\\.corp needs approval" \
    $P1 $P2 "$P3" -c features.network_proxy.allow_local_binding=true \
    --resolve intra.corp=10.1.2.9 --explain connect intra.corp
# a name no rule allows is resolved first: a private answer is denied,
# never asked
decide 1 "^deny: intra\\.corp resolves to 10\\.1\\.2\\.9" \
    $P1 $P2 "$P3" --resolve intra.corp=10.1.2.9 --explain connect intra.corp
decide 0 "^allow: " $P1 $P2 "$P3" $RS \
    -c features.network_proxy.allow_local_binding=true \
    --explain connect priv.example.com
# a global "*" allows public hosts, not what a deny names
decide 0 "^allow: other\\.org is allowed: features\\.network_proxy\\.domains\\[\"\\*\"\\]" \
    $P1 $P2 "$P3" $RS -c 'features.network_proxy.domains={"*"="allow"}' \
    --explain connect other.org
decide 1 "^deny: bad\\.example\\.com is denied" $P1 $P2 "$P3" $RS \
    -c 'features.network_proxy.domains={"*"="allow"}' \
    --explain connect bad.example.com
decide 0 "^allow: " $P1 $P2 "$P3" \
    -c 'features.network_proxy.domains={"*"="allow"}' \
    --explain connect "$PUB"
# the shorthand from the seed
decide 0 "^allow: api\\.openai\\.com is allowed" -n \
    -c features.network_proxy=true \
    -c 'features.network_proxy.domains={ "api.openai.com" = "allow", "example.com" = "deny" }' \
    --resolve api.openai.com=$PUB --explain connect api.openai.com:443
decide 1 "^deny: example\\.com is denied" -n \
    -c features.network_proxy=true \
    -c 'features.network_proxy.domains={ "api.openai.com" = "allow", "example.com" = "deny" }' \
    --resolve example.com=$PUB --explain connect example.com:443

# bind with the proxy on: local binding is off
decide 1 "^deny: binding 127\\.0\\.0\\.1 is blocked: allow_local_binding = false" \
    $P1 $P2 "$P3" --explain bind 127.0.0.1:8080

# --- Unix sockets
U='features.network_proxy.unix_sockets={ "/run/ok.sock" = "allow", "@abs" = "allow" }'
decide 0 "^allow: the Unix socket /run/ok\\.sock is allowed by unix_sockets\\[\"/run/ok\\.sock\"\\]" \
    -c "$U" --explain unix /run/ok.sock
decide 0 "^allow: the Unix socket /run/ok\\.sock is allowed" -c "$U" \
    --explain unix /run/../run/./ok.sock
decide 0 "^allow: the Unix socket @abs is allowed" -c "$U" --explain unix @abs
decide 2 "^ask: connecting to the Unix socket @other needs approval: it is not in features\\.network_proxy\\.unix_sockets" \
    -c "$U" --explain unix @other
decide 2 "^ask: connecting to the Unix socket /run/other\\.sock needs approval" \
    -c "$U" --explain unix /run/other.sock
decide 2 "^ask: connecting to the Unix socket /run/ok\\.sock needs approval" \
    --explain unix /run/ok.sock
decide 1 "^deny: connecting to the Unix socket /run/other\\.sock needs approval.*never" \
    -c "$U" -a never --explain unix /run/other.sock
decide 0 "^allow: dangerously_allow_all_unix_sockets = true \\(-c features\\.network_proxy\\.dangerously_allow_all_unix_sockets\\)" \
    -c features.network_proxy.dangerously_allow_all_unix_sockets=true \
    --explain unix /run/other.sock
decide 0 "^allow: sandbox_mode = danger-full-access allows every Unix socket" \
    -s danger-full-access --explain unix /run/other.sock

finish
