#include "cmd/summary.h"

#include <errno.h>
#include <string.h>

static uint64_t bad_checksums(const struct engine_stats *e)
{
	uint64_t n = 0;
	for (int k = 0; k < ENGINE_CKSUM_KINDS; k++)
		n += e->bad_checksums[k];
	return n;
}

static double mb_per_s(const struct run_summary *s)
{
	return s->elapsed > 0 ? (double)s->bytes / 1e6 / s->elapsed : 0;
}

void summary_print(FILE *out, const struct run_summary *s)
{
	const struct engine_stats *e = s->engine;
	fprintf(out, "smtplog: read %zu capture%s, %.1f MB in %.2f s (%.1f MB/s): %llu packets",
		s->inputs, s->inputs == 1 ? "" : "s", (double)s->bytes / 1e6, s->elapsed,
		mb_per_s(s), (unsigned long long)s->records);
	fprintf(out, ", %llu filtered out, %llu not decoded, %llu not IP, %llu with bad checksums\n",
		(unsigned long long)(s->records - s->packets), (unsigned long long)e->not_decoded,
		(unsigned long long)e->not_ip, (unsigned long long)bad_checksums(e));
	if (s->inputs_damaged || s->inputs_unreadable || s->inputs_skipped)
		fprintf(out, "smtplog: inputs: %zu damaged, %zu unreadable, %zu skipped (not "
			     "captures)\n",
			s->inputs_damaged, s->inputs_unreadable, s->inputs_skipped);
	fprintf(out, "smtplog: %llu connection%s", (unsigned long long)e->connections,
		e->connections == 1 ? "" : "s");
	const struct engine_close_report *r = s->logs;
	for (size_t i = 0; r && i < r->n_logs; i++)
		fprintf(out, "%s%s %llu", i ? ", " : "; logs: ", r->logs[i].name,
			(unsigned long long)r->logs[i].records);
	if (r && r->n_logs == 0)
		fprintf(out, "; no logs");
	if (r && r->extracted_files)
		fprintf(out, "; extracted %llu file%s, %.1f MB", (unsigned long long)r->extracted_files,
			r->extracted_files == 1 ? "" : "s", (double)r->extracted_bytes / 1e6);
	fputc('\n', out);
}

/* Log names are smtplog's own (letters, digits, '_' and '.'); a signal's
 * name too: nothing in the object needs escaping. */
int summary_write_json(const char *path, const struct run_summary *s)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -errno;
	const struct engine_stats *e = s->engine;
	fprintf(f, "{\"exit_status\":%d,\"stopped_by\":", s->exit_status);
	if (s->stopped_by)
		fprintf(f, "\"%s\"", s->stopped_by);
	else
		fputs("null", f);
	fprintf(f,
		",\"elapsed_s\":%.3f,\"mb_per_s\":%.1f,\"inputs\":%zu,\"inputs_damaged\":%zu,"
		"\"inputs_unreadable\":%zu,\"inputs_skipped\":%zu,\"bytes\":%llu,"
		"\"packets_read\":%llu,\"packets_filtered\":%llu,\"packets_not_decoded\":%llu,"
		"\"packets_not_ip\":%llu,\"bad_checksums\":{\"ip\":%llu,\"tcp\":%llu,\"udp\":%llu},"
		"\"connections\":%llu,\"weirds\":%llu,\"logs\":{",
		s->elapsed, mb_per_s(s), s->inputs, s->inputs_damaged, s->inputs_unreadable,
		s->inputs_skipped, (unsigned long long)s->bytes, (unsigned long long)s->records,
		(unsigned long long)(s->records - s->packets), (unsigned long long)e->not_decoded,
		(unsigned long long)e->not_ip,
		(unsigned long long)e->bad_checksums[ENGINE_CKSUM_IP],
		(unsigned long long)e->bad_checksums[ENGINE_CKSUM_TCP],
		(unsigned long long)e->bad_checksums[ENGINE_CKSUM_UDP],
		(unsigned long long)e->connections, (unsigned long long)e->weirds);
	const struct engine_close_report *r = s->logs;
	for (size_t i = 0; r && i < r->n_logs; i++)
		fprintf(f, "%s\"%s\":%llu", i ? "," : "", r->logs[i].name,
			(unsigned long long)r->logs[i].records);
	fprintf(f, "},\"extracted_files\":%llu,\"extracted_bytes\":%llu}\n",
		(unsigned long long)(r ? r->extracted_files : 0),
		(unsigned long long)(r ? r->extracted_bytes : 0));
	int rc = ferror(f) ? -EIO : 0;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	return rc;
}
