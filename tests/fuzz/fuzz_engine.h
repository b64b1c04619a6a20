/*
 * What the fuzz targets that run the whole engine share: one scratch output
 * folder per process (logs are really written, so the writers and log
 * streams are fuzzed too), a configuration picked by one input byte, and an
 * extraction sink that checks the sink contract instead of writing files.
 * Every function is static: each target is one translation unit.
 */
#ifndef SMTPLOG_TESTS_FUZZ_ENGINE_H
#define SMTPLOG_TESTS_FUZZ_ENGINE_H

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/engine.h"
#include "core/files.h"
#include "core/outdir.h"
#include "core/uid.h"
#include "output/json.h"
#include "output/tsv.h"
#include "proto/registry.h"
#include "proto/tls.h"
#include "proto/tls_options.h"
#include "proto/x509.h"
#include "proto/x509_dedup.h"
#include "proto/scripts.h"
#include "tests/fuzz/fuzz_check.h"

/* The two config bytes (first in stream and packet inputs, last in a
 * capture): each bit loads a script or sets an option, as on the command
 * line. 0 is the default mode with -C. */
enum {
	FUZZ_CFG_CHECKSUMS = 1u << 0, /* verify checksums (fuzzed data mostly fails them) */
	FUZZ_CFG_JSON = 1u << 1,
	FUZZ_CFG_BARE = 1u << 2,
	FUZZ_CFG_HASH_ALL = 1u << 3,
	FUZZ_CFG_COMMUNITY_ID = 1u << 4,
	FUZZ_CFG_MAC = 1u << 5,
	FUZZ_CFG_VLAN = 1u << 6,
	FUZZ_CFG_EXTRACT = 1u << 7,
	FUZZ_CFG_CERTS_BASE64 = 1u << 8,
	FUZZ_CFG_HOSTCERTS_ONLY = 1u << 9,
	FUZZ_CFG_CERT_REQUEST_INFO = 1u << 10,
	FUZZ_CFG_SUBJECT_ISSUER = 1u << 11, /* server's and client's */
	FUZZ_CFG_KEEP_SSL = 1u << 12,       /* SSL::disable_analyzer_after_detection=F */
	FUZZ_CFG_X509_FILES = 1u << 13,     /* X509::log_x509_in_files_log=T */
	FUZZ_CFG_RELOG = 1u << 14,          /* X509::relog_known_certificates_after=0 */
	FUZZ_CFG_SMALL_LIMITS = 1u << 15,   /* tiny Log::default_max_* (cut values) */
};

/* Process-wide because libFuzzer calls the target many times per process:
 * making a folder and keying SipHash for each input would dominate. */
static char fuzz_dir[PATH_MAX];
static struct outdir *fuzz_out;
static struct uid_gen fuzz_uids;

/* Calls fn on every file of the scratch folder. */
static void fuzz_dir_each(void (*fn)(const char *path, const char *name))
{
	DIR *d = opendir(fuzz_dir);
	if (!d)
		return;
	struct dirent *de;
	char path[PATH_MAX + 256];
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", fuzz_dir, de->d_name);
		fn(path, de->d_name);
	}
	closedir(d);
}

static void fuzz_unlink(const char *path, const char *name)
{
	(void)name;
	unlink(path);
}

/* Removes the scratch folder at exit (a crash leaves it, in TMPDIR). */
static void fuzz_dir_remove(void)
{
	fuzz_dir_each(fuzz_unlink);
	outdir_close(fuzz_out);
	rmdir(fuzz_dir);
}

/*
 * What every log written must be, whatever the input: TSV with a #fields
 * header, as many tab-separated columns on every line, no raw control byte
 * and a #close footer; JSON with one object per line that jansson parses.
 * This is the writers' escaping and limits seen end to end.
 */
static void fuzz_log_check(const char *path, const char *name)
{
	size_t n = strlen(name);
	if (n < 4 || strcmp(name + n - 4, ".log") != 0)
		return;
	FILE *f = fopen(path, "rb");
	FUZZ_CHECK(f != NULL);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long fields = -1;
	bool tsv = false, closed = false, first = true;
	while ((len = getline(&line, &cap, f)) > 0) {
		FUZZ_CHECK(line[len - 1] == '\n');
		line[--len] = '\0';
		if (first)
			tsv = strncmp(line, "#separator", 10) == 0;
		first = false;
		if (!tsv) {
			json_error_t err;
			json_t *j = json_loadb(line, (size_t)len, 0, &err);
			if (!j)
				fprintf(stderr, "fuzz: %s: not JSON (%s): %.200s\n", name, err.text,
					line);
			FUZZ_CHECK(j && json_is_object(j));
			json_decref(j);
			continue;
		}
		long tabs = 0;
		for (ssize_t i = 0; i < len; i++) {
			FUZZ_CHECK((unsigned char)line[i] >= 0x20 || line[i] == '\t');
			tabs += line[i] == '\t';
		}
		if (strncmp(line, "#fields\t", 8) == 0)
			fields = tabs - 1; /* "#fields" is not a column */
		else if (strncmp(line, "#close\t", 7) == 0)
			closed = true;
		else if (line[0] != '#') {
			if (fields != tabs)
				fprintf(stderr, "fuzz: %s: %ld columns, not %ld: %.200s\n", name,
					tabs + 1, fields + 1, line);
			FUZZ_CHECK(fields == tabs);
		}
	}
	FUZZ_CHECK(!tsv || closed);
	free(line);
	fclose(f);
}

static void fuzz_engine_once(void)
{
	if (fuzz_out)
		return;
	const char *tmp = getenv("TMPDIR");
	snprintf(fuzz_dir, sizeof fuzz_dir, "%s/smtplog-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	const uint32_t zero[UID_SEED_WORDS] = {0};
	if (!mkdtemp(fuzz_dir) || uid_gen_init_seeds(&fuzz_uids, zero) != 0 ||
	    !(fuzz_out = outdir_open(fuzz_dir, true))) {
		perror("fuzz: scratch folder");
		abort();
	}
	atexit(fuzz_dir_remove);
}

/* Extraction without files: every handle is a heap counter, so a handle
 * the files framework never closes shows up as a leak, and a write after
 * close as a use after free. */
struct fuzz_sink_file {
	uint64_t bytes;
};

static void *fuzz_sink_open(void *ctx, const struct file_sink_file *file, char *name, int *err)
{
	(void)ctx;
	snprintf(name, FILES_EXTRACT_NAME_MAX, "fuzz-%s", file->fuid);
	struct fuzz_sink_file *h = calloc(1, sizeof *h);
	if (!h)
		*err = -ENOMEM;
	return h;
}

static int fuzz_sink_write(void *ctx, void *h, const uint8_t *p, size_t n)
{
	(void)ctx;
	fuzz_touch(p, n);
	((struct fuzz_sink_file *)h)->bytes += n;
	return 0;
}

static int fuzz_sink_skip(void *ctx, void *h, uint64_t n)
{
	(void)ctx;
	((struct fuzz_sink_file *)h)->bytes += n;
	return 0;
}

static int fuzz_sink_close(void *ctx, void *h)
{
	(void)ctx;
	free(h);
	return 0;
}

static const struct file_sink_ops fuzz_sink_ops = {
    fuzz_sink_open,
    fuzz_sink_write,
    fuzz_sink_skip,
    fuzz_sink_close,
};

/* The default mode (SMTP, SSL, conn.log) plus what the config bits add,
 * as cmd/options.c would set it for the matching command line. */
static void fuzz_config(struct config *cfg, unsigned bits)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->ignore_checksums = !(bits & FUZZ_CFG_CHECKSUMS);
	cfg->json = bits & FUZZ_CFG_JSON;
	cfg->bare = bits & FUZZ_CFG_BARE;
	if (!cfg->bare) { /* as cmd/options.c wires the default mode */
		cfg->default_server_ports[0] = proto_default_tcp_ports;
		cfg->n_default_server_ports[0] = proto_n_default_tcp_ports;
		cfg->default_server_ports[1] = proto_default_udp_ports;
		cfg->n_default_server_ports[1] = proto_n_default_udp_ports;
	}
	cfg->private_is_local = true;
	cfg->deterministic = true;
	cfg->scripts = SCRIPT_CONN | SCRIPT_SMTP | SCRIPT_SSL | SCRIPT_IMAP | SCRIPT_XMPP | SCRIPT_POP3 |
		       SCRIPT_FILES_HASH |
		       SCRIPT_TUNNELS;
	if (bits & FUZZ_CFG_HASH_ALL)
		cfg->scripts |= SCRIPT_HASH_ALL_FILES;
	static const struct {
		unsigned bit, script;
	} scripts[] = {
	    {FUZZ_CFG_CERTS_BASE64, SCRIPT_CERTS_BASE64},
	    {FUZZ_CFG_HOSTCERTS_ONLY, SCRIPT_HOSTCERTS_ONLY},
	    {FUZZ_CFG_CERT_REQUEST_INFO, SCRIPT_CERT_REQUEST_INFO},
	};
	for (size_t i = 0; i < sizeof scripts / sizeof scripts[0]; i++)
		if (bits & scripts[i].bit)
			cfg->scripts |= scripts[i].script;
	/* The SSL analyzer's options block, where the registry has it. */
	static struct tls_options tls;
	tls_options_init(&tls);
	tls.server_subject_issuer = tls.client_subject_issuer = bits & FUZZ_CFG_SUBJECT_ISSUER;
	tls.keep_after_detection = bits & FUZZ_CFG_KEEP_SSL;
	tls.relog_after = (bits & FUZZ_CFG_RELOG) ? 0 : X509_RELOG_AFTER;
	tls.x509_in_files_log = bits & FUZZ_CFG_X509_FILES;
	for (size_t k = 0; k < CONFIG_MAX_ANALYZERS && proto_analyzers[k]; k++)
		if (proto_analyzers[k] == &tls_analyzer)
			cfg->analyzer_options[k] = &tls;
	if (bits & FUZZ_CFG_SMALL_LIMITS) {
		cfg->log_format.max_field_string_bytes = 8;
		cfg->log_format.max_total_string_bytes = 40;
		cfg->log_format.max_field_container_elements = 2;
		cfg->log_format.max_total_container_elements = 3;
	}
	/* Policy scripts that add conn.log columns, in load order. */
	static const struct {
		unsigned bit, script;
	} extra[] = {
	    {FUZZ_CFG_COMMUNITY_ID, SCRIPT_COMMUNITY_ID},
	    {FUZZ_CFG_MAC, SCRIPT_MAC_LOGGING},
	    {FUZZ_CFG_VLAN, SCRIPT_VLAN_LOGGING},
	};
	for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
		if (bits & extra[i].bit) {
			cfg->scripts |= extra[i].script;
			cfg->conn_extra_order[cfg->n_conn_extra++] = extra[i].script;
		}
	cfg->extract.limit = FILES_EXTRACT_DEFAULT_LIMIT;
	if (bits & FUZZ_CFG_EXTRACT) {
		cfg->scripts |= SCRIPT_FILES_EXTRACT | SCRIPT_EXTRACT_ALL_FILES;
		cfg->extract.on = true;
		cfg->extract.sink = &fuzz_sink_ops;
		/* A small limit so that cut-off files happen too. */
		cfg->extract.limit = 4096;
	}
}

/* An engine on the scratch folder, emptied first; cfg must outlive it. */
static struct engine *fuzz_engine_new(const struct config *cfg,
				      const struct analyzer *const *analyzers)
{
	fuzz_engine_once();
	fuzz_dir_each(fuzz_unlink);
	struct engine *e = engine_new(cfg, &fuzz_uids, analyzers,
				      cfg->json ? &json_writer_ops : &tsv_writer_ops, fuzz_out);
	if (!e) {
		fprintf(stderr, "fuzz: engine_new failed\n");
		abort();
	}
	return e;
}

/* End of input as cmd/run.c ends a run: flush, close, free. */
static void fuzz_engine_end(struct engine *e)
{
	struct engine_close_report rep;
	engine_finish(e);
	engine_close_logs(e, &rep);
	engine_free(e);
	fuzz_dir_each(fuzz_log_check);
}

#endif
