#include "cmd/diff.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/logdiff.h"

#define DEFAULT_MAX_DIFFS 10

static const char diff_usage[] =
    "usage: smtplog diff [OPTIONS] A B\n"
    "\n"
    "Compares the Zeek logs (*.log, *.log.gz; each TSV or JSON) of folders A and B\n"
    "(or two log files) record by record, field by field, by field name. #open and\n"
    "#close are never compared.\n"
    "\n"
    "  --mask-ts            ignore the ts field (Zeek's canonifier masks it)\n"
    "  --rename-ids         rename connection UIDs (C...) and file IDs (F...) by order\n"
    "                       of first appearance, per log and side, so random IDs match\n"
    "  --unordered          compare the lines of a log as a multiset\n"
    "  --skip FIELD[,FIELD...]\n"
    "                       ignore these fields; LOG:FIELD for one log only\n"
    "                       (e.g. conn:duration); repeatable\n"
    "  --sort FIELD[,FIELD...]\n"
    "                       compare these set or vector fields with their elements\n"
    "                       sorted (a test script that reorders a set); LOG:FIELD\n"
    "                       as for --skip; repeatable\n"
    "  --max-diffs N        differences printed per log (default 10)\n"
    "  -q, --quiet          print only the counts\n"
    "  -h, --help           this help\n"
    "\n"
    "Line numbers count the data lines of A (\"B line N\": of B). Exit status:\n"
    "0 no difference, 1 differences, 2 an error.\n";

static int errorf(const char *path, const char *reason)
{
	fprintf(stderr, "smtplog: %s: %s\n", path, reason);
	return 2;
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "smtplog: diff: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'smtplog diff --help'.\n");
	return 2;
}

/* ------------------------------------------------------------------ */
/* Options                                                             */

static void opts_free(struct logdiff_opts *o)
{
	for (size_t i = 0; i < o->nskips; i++) {
		free(o->skips[i].log);
		free(o->skips[i].field);
	}
	o->nskips = 0;
	for (size_t i = 0; i < o->nsorts; i++) {
		free(o->sorts[i].log);
		free(o->sorts[i].field);
	}
	o->nsorts = 0;
}


/* A --skip or --sort list into list[*n]. */
static int add_fields(struct logdiff_field *list, size_t *count, const char *opt, const char *arg)
{
	const char *p = arg;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		const char *colon = memchr(p, ':', n);
		if (n == 0 || (colon && (colon == p || colon == p + n - 1))) {
			fprintf(stderr, "smtplog: diff: bad %s list '%s'\n", opt, arg);
			return 2;
		}
		if (*count >= LOGDIFF_MAX_FIELDS) {
			fprintf(stderr, "smtplog: diff: too many %s fields (at most 256)\n", opt);
			return 2;
		}
		struct logdiff_field *s = &list[*count];
		if (colon) {
			size_t ln = (size_t)(colon - p);
			/* "conn.log:uid" and "conn:uid" both mean conn.log. */
			if (ln > 4 && memcmp(colon - 4, ".log", 4) == 0)
				ln -= 4;
			s->log = strndup(p, ln);
			s->field = strndup(colon + 1, n - (size_t)(colon + 1 - p));
		} else {
			s->log = NULL;
			s->field = strndup(p, n);
		}
		if (!s->field || (colon && !s->log)) {
			free(s->log);
			free(s->field);
			return errorf("diff", "out of memory");
		}
		(*count)++;
		if (!end)
			return 0;
		p = end + 1;
	}
}

static int parse_count(const char *v, unsigned long *out)
{
	char *end;
	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	unsigned long n = strtoul(v, &end, 10);
	if (*end || errno)
		return -1;
	*out = n;
	return 0;
}

/* 0 to go on, 1 after --help, 2 on bad usage. */
static int parse_args(int argc, char **argv, struct logdiff_opts *o, const char **a, const char **b)
{
	const char *pos[2];
	int npos = 0;
	bool dashdash = false;
	o->max_diffs = DEFAULT_MAX_DIFFS;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (dashdash || arg[0] != '-' || arg[1] == '\0') {
			if (npos == 2)
				return usage_error("too many arguments ('%s'); give two folders",
						   arg);
			pos[npos++] = arg;
			continue;
		}
		const char *val = NULL;
		const char *eq = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
		size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
		bool takes = (nlen == 6 && !strncmp(arg, "--skip", 6)) ||
			     (nlen == 6 && !strncmp(arg, "--sort", 6)) ||
			     (nlen == 11 && !strncmp(arg, "--max-diffs", 11));
		if (takes) {
			if (eq)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else
				return usage_error("%s needs a value", arg);
		} else if (eq) {
			return usage_error("option '%s' takes no value", arg);
		}
		if (!strcmp(arg, "--")) {
			dashdash = true;
		} else if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			fputs(diff_usage, stdout);
			return 1;
		} else if (!strcmp(arg, "-q") || !strcmp(arg, "--quiet")) {
			o->quiet = true;
		} else if (!strcmp(arg, "--mask-ts")) {
			o->mask_ts = true;
		} else if (!strcmp(arg, "--rename-ids")) {
			o->rename_ids = true;
		} else if (!strcmp(arg, "--unordered")) {
			o->unordered = true;
		} else if (takes && !strncmp(arg, "--skip", 6)) {
			int rc = add_fields(o->skips, &o->nskips, "--skip", val);
			if (rc)
				return rc;
		} else if (takes && !strncmp(arg, "--sort", 6)) {
			int rc = add_fields(o->sorts, &o->nsorts, "--sort", val);
			if (rc)
				return rc;
		} else if (takes) {
			if (parse_count(val, &o->max_diffs) < 0)
				return usage_error("bad --max-diffs value '%s'", val);
		} else {
			return usage_error("unknown option '%s'", arg);
		}
	}
	if (npos != 2)
		return usage_error("give two folders (or two log files)%s", "");
	*a = pos[0];
	*b = pos[1];
	return 0;
}

int diff_main(int argc, char **argv)
{
	static struct logdiff_opts o;
	const char *a = NULL, *b = NULL;
	int rc = parse_args(argc, argv, &o, &a, &b);
	if (rc == 0) {
		rc = logdiff_paths(a, b, &o);
	} else if (rc == 1) {
		rc = 0;
	}
	fflush(stdout);
	if (ferror(stdout) && rc != 2)
		rc = errorf("standard output", "write error");
	opts_free(&o);
	return rc;
}
