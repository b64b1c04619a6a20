#define _DEFAULT_SOURCE /* libpcap's headers use the BSD u_int types */
#include "cmd/version.h"

#include <jansson.h>
#include <magic.h>
#include <openssl/crypto.h>
#include <pcap/pcap.h>
#include <zlib.h>

/* The Zeek release whose logs are the reference: the conformance corpus
 * was written by it (../shared/conformance/README.md). */
#define ZEEK_REFERENCE "Zeek 9 (logs checked against 9.1.0-dev, commit a13de64f)"

void version_print(FILE *out)
{
	int m = magic_version();
	fprintf(out, "smtplog %s, writing the logs of %s\n", SMTPLOG_VERSION, ZEEK_REFERENCE);
	/* The versions in use at run time, which may differ from the headers
	 * built against. */
	fprintf(out, "%s\n", pcap_lib_version());
	fprintf(out, "%s\n", OpenSSL_version(OPENSSL_VERSION));
	fprintf(out, "zlib %s\n", zlibVersion());
	fprintf(out, "jansson %s\n", jansson_version_str());
	fprintf(out, "libmagic %d.%02d\n", m / 100, m % 100);
}
