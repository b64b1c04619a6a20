#!/bin/sh
# Mail inside an overlay: testdata's SMTP captures re-sent through VXLAN
# and Geneve by tools/gen_encap must give the same smtp.log, files.log,
# ssl.log, x509.log and extracted files as the bare capture (UIDs and file
# IDs renamed by order of appearance, since the tunnels draw UIDs first),
# the same conn.log lines for the inner connections apart from what the
# tunnels add (tunnel_parents, and the X of Zeek's
# tunnel_max_changes_per_connection_exceeded: each direction is its own
# outer flow, so the encapsulation changes at every turn), one line per
# outer flow with the tunnel's service, and tunnel.log's DISCOVER and CLOSE
# of each. Each check is one line; the last is "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
S=${SMTPLOG:-./smtplog}
GEN=build/tools/gen_encap
T=testdata
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. tests/checks.sh
run() { # OUT CAPTURE ARGS...
	run_out=$1 run_cap=$2; shift 2
	$S -q -C -G $T/golden.seed -r "$run_cap" -o "$run_out" -x "$@" 2>"$tmp/err"
}
logs_same() { # smtplog diff's arguments: no difference
	$S diff -q "$@" >/dev/null
}
# sums DIR: the extracted files' contents, as sorted checksums
sums() {
	(cd "$1/extract_files" 2>/dev/null && sha256sum -- * | cut -d' ' -f1 | sort)
}
# col LOG NAME: the values of column NAME of a TSV log, one per line
col() {
	awk -F'\t' -v name="$2" '
		/^#fields\t/ { for (i = 2; i <= NF; i++) if ($i == name) c = i - 1; next }
		/^#/ { next }
		{ print $c }' "$1"
}

for cap in smtp-features smtp-starttls; do
	run "$tmp/$cap" $T/$cap.pcap || bad "$cap: bare run"
	for kind in vxlan geneve; do
		case $kind in vxlan) port=4789 type=VXLAN ;; geneve) port=6081 type=GENEVE ;; esac
		w="$cap in $kind"
		out=$tmp/$cap-$kind
		$GEN $kind $T/$cap.pcap "$tmp/$cap-$kind.pcap" 2>/dev/null || bad "$w: gen_encap"
		run "$out" "$tmp/$cap-$kind.pcap" || bad "$w: run ($(head -1 "$tmp/err"))"
		for l in smtp files ssl x509; do
			[ -e "$tmp/$cap/$l.log" ] || continue
			check "$w: $l.log as bare" -- logs_same --rename-ids "$tmp/$cap/$l.log" "$out/$l.log"
		done
		sums "$tmp/$cap" >"$tmp/a"
		sums "$out" >"$tmp/b"
		check "$w: the same extracted files" -- cmp -s "$tmp/a" "$tmp/b"
		[ -s "$tmp/a" ] && ok || bad "$cap: precondition: files are extracted"
		# conn.log: the outer flows' lines apart, the rest as bare.
		grep -v "	$port	udp	" "$out/conn.log" >"$tmp/inner.log"
		check "$w: inner conn.log lines as bare (uid, history, tunnel_parents aside)" -- \
			logs_same --rename-ids --skip history,tunnel_parents "$tmp/$cap/conn.log" "$tmp/inner.log"
		col "$tmp/inner.log" history | grep -qv X && bad "$w: every inner history has Zeek's X" || ok
		grep "	$port	udp	" "$out/conn.log" >"$tmp/outer"
		check "$w: two outer flows" -- test "$(wc -l <"$tmp/outer")" = 2
		check "$w: outer service $kind" -- test "$(cut -f8 "$tmp/outer" | sort -u)" = "$kind"
		outer_uids=$(cut -f2 "$tmp/outer" | sort | tr '\n' ,)
		col "$tmp/inner.log" tunnel_parents | tr , '\n' | sort -u | tr '\n' , >"$tmp/p"
		check "$w: tunnel_parents are the outer UIDs" -- test "$(cat "$tmp/p")" = "$outer_uids"
		# tunnel.log: DISCOVER then CLOSE of each outer flow, its id as in conn.log.
		tl=$out/tunnel.log
		check "$w: tunnel.log has 4 lines" -- test "$(grep -vc '^#' "$tl")" = 4
		check "$w: tunnel.log types" -- test "$(col "$tl" tunnel_type | sort -u)" = "Tunnel::$type"
		check "$w: tunnel.log actions" -- \
			test "$(col "$tl" action | tr '\n' ' ')" = "Tunnel::DISCOVER Tunnel::DISCOVER Tunnel::CLOSE Tunnel::CLOSE "
		paste "$tmp/outer" /dev/null | cut -f2-6 | sort >"$tmp/ids"
		grep -v '^#' "$tl" | grep DISCOVER | cut -f2-6 | sort >"$tmp/tids"
		check "$w: tunnel.log ids and UIDs are the outer flows'" -- cmp -s "$tmp/ids" "$tmp/tids"
	done
done

# JSON: the same tunnel.log, field by field.
run "$tmp/vj" "$tmp/smtp-features-vxlan.pcap" --json || bad "JSON run"
check "tunnel.log in JSON equals TSV" -- logs_same "$tmp/smtp-features-vxlan/tunnel.log" "$tmp/vj/tunnel.log"
grep -q '"tunnel_type":"Tunnel::VXLAN","action":"Tunnel::DISCOVER"' "$tmp/vj/tunnel.log" && ok ||
	bad "JSON tunnel.log names its enums"
# bare mode without the tunnel framework: decapsulation, no tunnel.log.
run "$tmp/vb" "$tmp/smtp-features-vxlan.pcap" -b base/protocols/conn base/protocols/smtp ||
	bad "bare run"
check "-b without base/frameworks/tunnels: no tunnel.log" -- test ! -e "$tmp/vb/tunnel.log"
check "-b: smtp.log still as bare" -- logs_same --rename-ids "$tmp/smtp-features/smtp.log" "$tmp/vb/smtp.log"
# Tunnel::max_depth=0 acts as 1 in Zeek: one level is still decapsulated;
# a VXLAN level inside Geneve is one too many for it.
run "$tmp/d0" "$tmp/smtp-features-vxlan.pcap" Tunnel::max_depth=0 || bad "max_depth=0 run"
check "Tunnel::max_depth=0: one level is decapsulated" -- \
	logs_same --rename-ids "$tmp/smtp-features/smtp.log" "$tmp/d0/smtp.log"
$GEN geneve "$tmp/smtp-features-vxlan.pcap" "$tmp/twice.pcap" 2>/dev/null || bad "gen_encap twice"
run "$tmp/t2" "$tmp/twice.pcap" || bad "two levels run"
check "VXLAN in Geneve: smtp.log as bare" -- logs_same --rename-ids "$tmp/smtp-features/smtp.log" "$tmp/t2/smtp.log"
run "$tmp/t1" "$tmp/twice.pcap" Tunnel::max_depth=1 || bad "two levels, max_depth=1 run"
check "VXLAN in Geneve with Tunnel::max_depth=1: no smtp.log" -- test ! -e "$tmp/t1/smtp.log"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
