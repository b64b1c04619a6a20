#!/bin/sh
# loghash.sh DIR: fingerprints of the logs smtplog wrote into DIR, to show
# that log bytes stay the same across optimisation work (make bench runs it
# with BENCH_HASHES=1). Runs to compare must use -G SEEDFILE, so that UIDs,
# file IDs and set order are the same every time.
#
# Prints one tab-separated line per log, sorted by name:
#   NAME  LINES  SHA256
# SHA256 is over the log without its #open and #close lines (the only ones
# that change from run to run); LINES counts its data lines (not "#...").
# When DIR/extract_files exists, one more line:
#   extract_files/  FILES  SHA256
# with SHA256 over the sorted sha256sum lines of every extracted file: what
#   cd DIR/extract_files && sha256sum * | LC_ALL=C sort | sha256sum
# prints, without the argument list limit (-x writes ~100k files).
set -eu

die() {
	echo "loghash: $*" >&2
	exit 1
}

[ $# -eq 1 ] || die "usage: loghash.sh DIR"
dir=$1
[ -d "$dir" ] || die "$dir is not a folder"

# sha_of: the SHA-256 of stdin, without sha256sum's trailing " -".
sha_of() {
	sha256sum | cut -d' ' -f1
}

found=0
for log in "$dir"/*.log; do
	[ -f "$log" ] || continue
	found=1
	# grep -c prints 0 but fails when no line is a data line.
	lines=$(grep -vc '^#' "$log" || true)
	sha=$(grep -v -e '^#open' -e '^#close' "$log" | sha_of)
	printf '%s\t%s\t%s\n' "${log##*/}" "$lines" "$sha"
done
[ "$found" = 1 ] || die "no *.log in $dir"

if [ -d "$dir/extract_files" ]; then
	files=$(find "$dir/extract_files" -type f | wc -l | tr -d ' ')
	# find names the files ./NAME; sha256sum * would print NAME.
	sha=$(cd "$dir/extract_files" && find . -type f -exec sha256sum {} + |
		sed 's|  \./|  |' | LC_ALL=C sort | sha_of)
	printf '%s\t%s\t%s\n' "extract_files/" "$files" "$sha"
fi
