#!/bin/sh
# Installs the Debian packages smtplog needs to build and test, when run as
# root on a Debian-like system and something is missing. Otherwise it only
# says what is missing.
set -u
PKGS="build-essential pkg-config libpcap-dev libssl-dev zlib1g-dev libjansson-dev libmagic-dev clang libclang-rt-dev valgrind"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $missing >/dev/null || {
		echo "deps: apt-get failed for:$missing" >&2; exit 1; }
else
	echo "deps: missing packages:$missing (run as root to install them)" >&2
fi
exit 0
