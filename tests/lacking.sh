#!/bin/sh
# The conformance cases smtplog refuses only because they load the script
# of an analyzer it lacks yet (HTTP, DNS, ...): run without those scripts
# (their ports added to likely_server_ports, as loading them would; the
# HTTP one loads base/frameworks/tunnels, which stays), each
# must differ from Zeek's conn.log, TSV and JSON, in nothing but `service`,
# and there only by the lacking analyzers' names. A case that starts to
# need more, or one whose service differs otherwise, fails here.
#   tests/lacking.sh [CORPUS]   (default ../shared/conformance)
# Each check is one line; the last is "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
S=${SMTPLOG:-./smtplog}
C=${1:-${SMTPLOG_CONFORMANCE:-$(dirname "$(pwd)")/shared/conformance}}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. tests/checks.sh
if [ ! -d "$C/cases" ]; then
	echo "lacking: no conformance corpus at $C (skipped)"
	echo "0 passed, 0 failed"
	exit 0
fi
HTTP=80/tcp,81/tcp,631/tcp,1080/tcp,3128/tcp,8000/tcp,8080/tcp,8888/tcp
DNS=53/udp,53/tcp,137/udp,5353/udp,5355/udp

# only_service_differs DIFF-OUTPUT NAMES: every difference is a service
# that, with NAMES (comma-separated) taken out, is ours.
only_service_differs() {
	awk -v names="$2" '
		BEGIN { n = split(names, lack, ","); bad = 0 }
		/^conn\.log: / || /^[0-9]+ logs?:/ || /^$/ { next }
		{
			if (!match($0, /^conn\.log line [0-9]+: service "[^"]*" vs "[^"]*"$/)) { bad = 1; print; next }
			split($0, q, "\"")
			m = split(q[2], zs, ","); out = ""
			for (i = 1; i <= m; i++) {
				keep = 1
				for (j = 1; j <= n; j++) if (zs[i] == lack[j]) keep = 0
				if (keep) out = out (out == "" ? "" : ",") zs[i]
			}
			if (out == "") out = "-"
			if (out != q[4] || out == q[2]) { bad = 1; print }
		}
		END { exit bad }' "$1"
}

# CASE | flags and scripts (the case's, less the lacking ones) | lacking services
while IFS='|' read -r name loads lack; do
	case $name in '' | '#'*) continue ;; esac
	name=$(echo $name) lack=$(echo $lack)
	d=$C/cases/$name
	trace=$(sed -n 's/.*"trace": *"\([^"]*\)".*/\1/p' "$d/case.json")
	ports=
	case ,$lack, in *,http,*) ports=$ports,$HTTP ;; esac
	case ,$lack, in *,dns,*) ports=$ports,$DNS ;; esac
	extra=
	[ -n "$ports" ] && extra="likely_server_ports+={${ports#,}}"
	out=$tmp/$name
	if ! $S -q -G "$C/random.seed" -r "$C/traces/$trace" -o "$out" $loads $extra 2>"$tmp/err"; then
		bad "$name: run ($(head -1 "$tmp/err"))"
		continue
	fi
	for base in "$d/conn.log" "$C/json/cases/$name/conn.log"; do
		[ -e "$base" ] || continue
		kind=TSV
		head -c1 "$base" | grep -q '{' && kind=JSON
		$S diff --mask-ts --max-diffs 1000 "$base" "$out/conn.log" >"$tmp/diff" 2>&1
		if [ -z "$lack" ]; then
			grep -q '^conn.log: .* 0 differing, 0 missing from B, 0 extra in B' "$tmp/diff" && ok ||
				bad "$name ($kind): conn.log differs: $(sed -n 1p "$tmp/diff")"
		elif only_service_differs "$tmp/diff" "$lack" >"$tmp/why"; then
			grep -q ' service ' "$tmp/diff" && ok || bad "$name ($kind): no service difference left (move it to the expect lists)"
		else
			bad "$name ($kind): more than $lack's service: $(head -1 "$tmp/why")"
		fi
	done
done <<'EOF'
# Needs base/protocols/http, .../dns (conn.log service only):
core.tunnels.analyzer-confirmation | -b base/frameworks/tunnels base/protocols/conn | http
core.tunnels.ayiya                 | -b base/protocols/tunnels base/protocols/conn base/frameworks/tunnels | http
core.tunnels.gtp.different_dl_and_ul | -b -C base/frameworks/tunnels base/protocols/conn | http
core.tunnels.geneve-vxlan-truncated | -b base/frameworks/tunnels base/protocols/conn | dns
core.tunnels.gre-pptp              | -b base/frameworks/tunnels base/protocols/conn | dns
core.tunnels.gre-over-udp          | -b base/frameworks/tunnels base/protocols/conn | dns,http
EOF

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
