#!/bin/sh
# Regenerates the X.509 fixtures of tests/proto/test_x509.c. Keys are fresh
# on every run (so fingerprints change: each cert's SHA-256 is written next
# to it as NAME.sha256, which the test reads); serials, names and validity
# dates are fixed. Run from anywhere: sh testdata/certs/make.sh
#
#   root.der       self-signed RSA 2048 CA, CA:TRUE pathlen:1, UTCTime validity
#   inter.der      ECDSA P-384 intermediate, CA:TRUE pathlen:0, signed by root
#   leaf-rsa.der   RSA 1024 leaf, SAN DNS/IP(v4, v6)/email/URI, CA:FALSE,
#                  multi-valued RDN and characters RFC 2253 escapes
#   leaf-ec.der    ECDSA P-256 leaf, GeneralizedTime notAfter (2060), no SAN,
#                  no basicConstraints
#   expired.der    RSA 1024 leaf valid 2010-2011 only
#
# With the argument "tls" (sh testdata/certs/make.sh tls) it leaves the
# fixtures above alone and writes instead, into tls/, the certificates that
# testdata/record.sh serves over TLS. Their private keys are kept next to them
# (tls/NAME.key: test-only keys, published on purpose) and reused when present,
# so a rerun gives the same certificates (bar the random ECDSA signatures).
#   tls/root       self-signed RSA 2048 CA "Smtplog TLS Root"
#   tls/inter      ECDSA P-384 intermediate, signed by tls/root
#   tls/leaf-rsa   RSA 2048 server, SAN DNS:mail.example.org, smtp.example.org
#   tls/leaf-ec    ECDSA P-256 server, SAN DNS:ec.example.org
#   tls/client     RSA 2048 client (clientAuth), SAN email:alice@example.org
#   tls/rogue      self-signed RSA 2048 server nobody trusts (alert captures)
# each as NAME.pem, NAME.der, NAME.sha256 and NAME.key.
set -eu
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/ca.cnf" <<'CNF'
[ ca ]
default_ca = fixture
[ fixture ]
dir = WORK
database = $dir/index.txt
new_certs_dir = $dir
serial = $dir/serial
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
email_in_dn = yes
preserve = yes
[ anything ]
commonName = optional
countryName = optional
stateOrProvinceName = optional
localityName = optional
organizationName = optional
organizationalUnitName = optional
emailAddress = optional
[ root_ext ]
basicConstraints = critical, CA:TRUE, pathlen:1
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ inter_ext ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
[ leaf_rsa_ext ]
basicConstraints = CA:FALSE
subjectAltName = DNS:mail.example.org, DNS:*.example.org, IP:192.0.2.25, IP:2001:db8::25, email:postmaster@example.org, URI:https://example.org/x
[ leaf_ec_ext ]
keyUsage = digitalSignature
[ expired_ext ]
basicConstraints = CA:FALSE
subjectAltName = DNS:old.example.org
[ tls_root_ext ]
basicConstraints = critical, CA:TRUE, pathlen:1
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ tls_inter_ext ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ tls_leaf_rsa_ext ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:mail.example.org, DNS:smtp.example.org
authorityKeyIdentifier = keyid:always
[ tls_leaf_ec_ext ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:ec.example.org
authorityKeyIdentifier = keyid:always
[ tls_client_ext ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = email:alice@example.org
authorityKeyIdentifier = keyid:always
[ tls_rogue_ext ]
basicConstraints = CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = DNS:mail.example.org
CNF
sed -i "s|WORK|$work|" "$work/ca.cnf"
: >"$work/index.txt"

# sign NAME CAKEY CACERT EXT SERIAL START END [req options...]
sign() {
	name=$1 cakey=$2 cacert=$3 ext=$4 serial=$5 start=$6 end=$7
	shift 7
	echo "$serial" >"$work/serial"
	openssl req -new -key "$work/$name.key" -out "$work/$name.csr" "$@"
	if [ "$cacert" = self ]; then
		openssl ca -batch -notext -preserveDN -config "$work/ca.cnf" -selfsign -keyfile "$work/$cakey.key" \
			-extensions "$ext" -startdate "$start" -enddate "$end" \
			-in "$work/$name.csr" -out "$work/$name.pem" 2>/dev/null
	else
		openssl ca -batch -notext -preserveDN -config "$work/ca.cnf" -keyfile "$work/$cakey.key" \
			-cert "$cacert.pem" -extensions "$ext" -startdate "$start" -enddate "$end" \
			-in "$work/$name.csr" -out "$work/$name.pem" 2>/dev/null
	fi
	openssl x509 -in "$work/$name.pem" -outform DER -out "$name.der"
	cp "$work/$name.pem" "$name.pem"
	openssl dgst -sha256 -r "$name.der" | cut -c1-64 >"$name.sha256"
}

if [ "${1:-}" = tls ]; then
	mkdir -p tls
	cd tls
	# key NAME ALGORITHM OPTION: reuse tls/NAME.key, or make and keep one
	key() {
		[ -f "$1.key" ] || openssl genpkey -algorithm "$2" -pkeyopt "$3" -out "$1.key" 2>/dev/null
		cp "$1.key" "$work/$1.key"
	}
	key root RSA rsa_keygen_bits:2048
	key inter EC ec_paramgen_curve:P-384
	key leaf-rsa RSA rsa_keygen_bits:2048
	key leaf-ec EC ec_paramgen_curve:P-256
	key client RSA rsa_keygen_bits:2048
	key rogue RSA rsa_keygen_bits:2048
	sign root root self tls_root_ext 01 200101000000Z 491231235959Z \
		-subj "/C=US/O=Smtplog Test/CN=Smtplog TLS Root"
	sign inter root "$work/root" tls_inter_ext 2000 200601120000Z 450101000000Z \
		-subj "/C=US/O=Smtplog Test/OU=Intermediates/CN=Smtplog TLS ECC Intermediate"
	sign leaf-rsa inter "$work/inter" tls_leaf_rsa_ext 3001 250101000000Z 400101000000Z \
		-subj "/C=US/O=Smtplog Test/CN=mail.example.org"
	sign leaf-ec inter "$work/inter" tls_leaf_ec_ext 3002 250101000000Z 400101000000Z \
		-subj "/C=US/O=Smtplog Test/CN=ec.example.org"
	sign client inter "$work/inter" tls_client_ext 3003 250101000000Z 400101000000Z \
		-subj "/C=US/O=Smtplog Test/CN=Alice Client/emailAddress=alice@example.org"
	sign rogue rogue self tls_rogue_ext 66 250101000000Z 400101000000Z \
		-subj "/O=Rogue/CN=mail.example.org"
	ls -l ./*.pem
	exit 0
fi

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/root.key" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$work/inter.key"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$work/leaf-rsa.key" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/leaf-ec.key"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$work/expired.key" 2>/dev/null

sign root root self root_ext 01 200101000000Z 491231235959Z \
	-subj "/C=US/O=Smtplog Test/CN=Smtplog Test Root"
sign inter root "$work/root" inter_ext 1000 200601120000Z 400101000000Z \
	-subj "/C=US/O=Smtplog Test/OU=Intermediates/CN=Smtplog Test ECC Intermediate"
sign leaf-rsa inter "$work/inter" leaf_rsa_ext 00FACE0FF1CE 250301083000Z 270301083000Z \
	-multivalue-rdn -subj "/C=DE/L=$(printf 'K\303\266ln')/O=Foo, Inc.; \"Bar\"/OU=Mail+OU=Ops/CN=mail.example.org/emailAddress=postmaster@example.org" -utf8
sign leaf-ec inter "$work/inter" leaf_ec_ext 7F 250101000000Z 20600101000000Z \
	-subj "/CN=ec.example.org"
sign expired inter "$work/inter" expired_ext 2A 100101000000Z 110101000000Z \
	-subj "/CN=old.example.org/O=#hash=eq<lt>"
ls -l *.der
