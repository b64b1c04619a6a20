/*
 * A stand-in "SSL" analyzer for STARTTLS tests: it confirms at once and
 * records what the hand-over gives it in ssl_seen ("o:...|r:...|").
 * Included by one test file; everything is static.
 */
#ifndef SMTPLOG_TESTS_PROTO_FAKE_SSL_H
#define SMTPLOG_TESTS_PROTO_FAKE_SSL_H

#include <stdio.h>
#include <string.h>

#include "core/analyzer.h"
#include "core/config.h"
#include "proto/scripts.h"

static char ssl_seen[1024];

static void *ssl_create(struct analyzer_ctx *ctx)
{
	analyzer_confirm(ctx);
	return ctx;
}

static void ssl_deliver(void *state, bool is_orig, const uint8_t *data, size_t len)
{
	(void)state;
	size_t n = strlen(ssl_seen);
	snprintf(ssl_seen + n, sizeof ssl_seen - n, "%c:%.*s|", is_orig ? 'o' : 'r', (int)len,
		 (const char *)data);
}

static void ssl_destroy(void *state)
{
	(void)state;
}

static const struct analyzer fake_ssl = {
    .name = "SSL",
    .script = SCRIPT_SSL,
    .create = ssl_create,
    .deliver = ssl_deliver,
    .destroy = ssl_destroy,
};

/* Field 7 of the first conn.log line: service. */
static const char *service(const struct run *r)
{
	static char out[64];
	const char *p = r->n_lines ? r->lines[0] : NULL;
	for (int f = 0; f < 7 && p; f++)
		p = strchr(p, '\t') ? strchr(p, '\t') + 1 : NULL;
	snprintf(out, sizeof out, "%.*s", p ? (int)strcspn(p, "\t") : 0, p ? p : "");
	return out;
}

#endif
