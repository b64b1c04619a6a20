/*
 * X.509 certificates (proto/x509.c): x509_parse() on the input as one
 * Certificate entry, then the x509.log line in TSV and JSON with every
 * optional column, as the TLS analyzer would write it. The same bytes go
 * through the other two entries that read certificate data: the DER Name
 * printer of certificate-request-info (x509_dn_text) and, for the first
 * 32 bytes, Zeek's validity-time parser (both ASN.1 time types).
 */
#include "output/json.h"
#include "output/tsv.h"
#include "proto/x509.h"

#include <openssl/asn1.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void render(const struct x509_info *c, const struct x509_log_opts *o, bool host, bool client)
{
	struct x509_log_row row;
	if (x509_log_row_fill(&row, o, 1700000000.5, c, host, client) != 0)
		return;
	const struct log_schema *schema = x509_log_schema(o);
	FUZZ_CHECK(row.n == schema->n_fields);
	struct log_format fmt;
	memset(&fmt, 0, sizeof fmt);
	fmt.max_field_container_elements = X509_MAX_FIELD_CONTAINER_ELEMENTS;
	fmt.max_total_container_elements = X509_MAX_TOTAL_CONTAINER_ELEMENTS;
	struct buf out;
	buf_init(&out, 1 << 24);
	tsv_writer_ops.record(&out, schema, row.v, &fmt, NULL);
	buf_reset(&out);
	json_writer_ops.record(&out, schema, row.v, &fmt, NULL);
	buf_free(&out);
	x509_log_row_free(&row);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exact-size copy: ASan then catches any read past the entry. */
	uint8_t *der = malloc(size ? size : 1);
	if (!der)
		abort();
	memcpy(der, data, size);
	struct x509_info c;
	if (x509_parse(der, size, &c) == X509_OK) {
		const struct x509_log_opts plain = {false, false}, all = {true, true};
		render(&c, &plain, true, false);
		render(&c, &all, false, true);
	}
	x509_info_free(&c); /* harmless after a failed parse, says x509.h */

	char dn[X509_DN_TEXT_MAX];
	size_t dn_n = x509_dn_text(der, size, dn);
	FUZZ_CHECK(dn_n < X509_DN_TEXT_MAX && strlen(dn) <= dn_n);

	const char *weird;
	size_t tn = size < 32 ? size : 32;
	x509_time_parse(V_ASN1_UTCTIME, der, tn, &weird);
	x509_time_parse(V_ASN1_GENERALIZEDTIME, der, tn, &weird);
	free(der);
	return 0;
}
