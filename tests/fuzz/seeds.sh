#!/bin/sh
# Builds the fuzz targets' seed corpora, build/fuzz/corpus/NAME/, afresh from
# testdata/ (run by "make fuzz-build"; what fuzzing finds is kept apart, in
# build/fuzz/work/NAME/, see fuzz.sh):
#   capture, pcap_reader  the captures themselves (cut to 64 KiB)
#   x509     testdata/certs/*.der
#   others   cut out of the captures by build/fuzz/seedgen (see seedgen.c),
#            plus a few hand-written inputs below for what the captures lack
# SMTPLOG_FUZZ_EXTRA: more captures to take seeds from, e.g. the Zeek traces
# of the conformance corpus (not needed; more variety when present).
set -u
cd "$(dirname "$0")/../.." || exit 2
out=build/fuzz/corpus
rm -rf "$out"
mkdir -p "$out" || exit 2

captures=$(ls testdata/*.pcap testdata/*.pcapng testdata/*.gz 2>/dev/null)
if [ -n "${SMTPLOG_FUZZ_EXTRA:-}" ] && [ -d "$SMTPLOG_FUZZ_EXTRA" ]; then
	captures="$captures $(find "$SMTPLOG_FUZZ_EXTRA" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.gz' \) | sort)"
fi

# Whole captures; a cut one is a fine seed for a reader of damaged files.
mkdir -p "$out/capture" "$out/pcap_reader"
for f in $captures; do
	head -c 65536 "$f" >"$out/capture/seed-$(basename "$f")"
	cp "$out/capture/seed-$(basename "$f")" "$out/pcap_reader/"
done

mkdir -p "$out/x509"
for f in testdata/certs/*.der testdata/certs/*/*.der; do
	[ -f "$f" ] && cp "$f" "$out/x509/seed-$(basename "$f")"
done

# shellcheck disable=SC2086
build/fuzz/seedgen "$out" $captures || exit 1

# hand NAME BYTES: one hand-written seed (printf escapes).
hand() {
	mkdir -p "$out/$1"
	printf "$2" >"$out/$1/hand-$(printf '%s' "$2" | cksum | cut -d' ' -f1)"
}
# b64: piece and room bytes, then text.
hand b64 '\004\003Zm9vYmFy'
hand b64 '\001\003Zm9v\r\nYg==\r\nZm9v'
hand b64 '\377\377Zm 9v-Y*mE=\200'
hand b64 '\010\004QUJD\nREVG\nR0g'
# qp: room byte, then lines.
hand qp '\003caf=C3=A9 =\nsoft=20break\t \n=ZZ bad =4'
hand qp '\001\001ctl\001\177\377=\n=0d=0A'
# mime: mode byte (BDAT), then a small multipart message.
hand mime '\001Content-Type: multipart/mixed; boundary="b"\nSubject: x\n\n--b\nContent-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\nh=C3=A9llo\n--b\nContent-Type: application/octet-stream; name="a.bin"\nContent-Disposition: attachment; filename*=a.bin\nContent-Transfer-Encoding: base64\n\nAAECAwQ=\n--b--\n'
hand mime '\000Content-Type: message/rfc822\n\nContent-Type: multipart/alternative; boundary=q\n\n--q\n\n--q--\n'
# escape: mode byte (bit 0: container), then a value.
# Tunnels (raw IP): GRE around IPv4/UDP, and VXLAN around Ethernet/IPv4/UDP.
hand packet '\000\000\012\001\000\070\105\000\000\070\000\000\000\000\100\057\000\000\012\000\000\144\012\000\000\310\000\000\010\000\105\000\000\040\000\000\000\000\100\021\000\000\012\000\000\001\012\000\000\002\003\350\000\065\000\014\000\000\160\151\156\147'
hand packet '\000\000\012\001\000\122\105\000\000\122\000\000\000\000\100\021\000\000\012\000\000\144\012\000\000\310\060\071\022\265\000\076\000\000\010\000\000\000\000\000\001\000\000\001\002\003\004\005\006\007\010\011\012\013\010\000\105\000\000\040\000\000\000\000\100\021\000\000\012\000\000\001\012\000\000\002\003\350\000\065\000\014\000\000\160\151\156\147'
# AYIYA on 5072 around IPv6/UDP; Teredo found by detection on 32900 (an
# origin indication and a bubble), then on 3544 around IPv6/UDP.
hand packet '\000\000\012\001\000\174\105\000\000\174\000\000\000\000\100\021\000\000\012\000\000\144\012\000\000\310\234\100\023\320\000\150\000\000\101\122\021\051\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\140\000\000\000\000\014\021\100\040\001\000\000\000\000\000\000\000\000\000\000\000\000\000\001\040\001\000\000\000\000\000\000\000\000\000\000\000\000\000\002\003\350\000\065\000\014\000\000\160\151\156\147'
hand packet '\000\000\012\001\000\114\105\000\000\114\000\000\000\000\100\021\000\000\012\000\000\144\012\000\000\310\234\101\200\204\000\070\000\000\000\000\022\064\001\002\003\004\140\000\000\000\000\000\073\100\040\001\000\000\000\000\000\000\000\000\000\000\000\000\000\001\040\001\000\000\000\000\000\000\000\000\000\000\000\000\000\002\001\000\120\105\000\000\120\000\000\000\000\100\021\000\000\012\000\000\310\012\000\000\144\234\101\015\330\000\074\000\000\140\000\000\000\000\014\021\100\040\001\000\000\000\000\000\000\000\000\000\000\000\000\000\001\040\001\000\000\000\000\000\000\000\000\000\000\000\000\000\002\003\350\000\065\000\014\000\000\160\151\156\147'

hand escape '\000-'
hand escape '\000(empty)'
hand escape '\001a,b\\c\td'
hand escape '\000caf\303\251 \342\202\254 \360\237\230\200 \355\240\200 \300\257 \302\200 \357\277\277'
hand escape '\000\001\b\f\n\r\t"\\\177\200'
echo "seeds: $(find "$out" -type f | wc -l | tr -d ' ') files in $out"
