#include "cmd/run.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/heap.h"
#include "core/capture.h"
#include "core/engine.h"
#include "core/files.h"
#include "core/outdir.h"
#include "core/uid.h"
#include "output/extract.h"
#include "output/json.h"
#include "proto/registry.h"
#include "output/tsv.h"

/* Every log this run could write, for the --force check. */
static size_t planned_logs(const struct options *o, const char **names, size_t max)
{
	size_t n = 0;
	if ((o->cfg.scripts & SCRIPT_CONN) && n < max)
		names[n++] = "conn.log";
	if ((o->cfg.scripts & SCRIPT_SMTP) && n < max)
		names[n++] = "smtp.log";
	if ((o->cfg.scripts & (SCRIPT_SMTP | SCRIPT_SSL)) && n < max)
		names[n++] = "files.log";
	if ((o->cfg.scripts & SCRIPT_SSL) && n < max)
		names[n++] = "ssl.log";
	if ((o->cfg.scripts & SCRIPT_SSL) && n < max)
		names[n++] = "x509.log";
	if ((o->cfg.scripts & SCRIPT_KNOWN_CERTS) && n < max)
		names[n++] = "known_certs.log";
	return n;
}

static void report_capture_error(const struct capture_error *err)
{
	fprintf(stderr, "smtplog: %s", err->path);
	if (err->packet)
		fprintf(stderr, ": packet %llu", (unsigned long long)err->packet);
	if (err->offset >= 0)
		fprintf(stderr, " (byte offset %lld)", (long long)err->offset);
	fprintf(stderr, ": %s\n", err->reason);
}

struct progress {
	bool on;
	time_t started, last;
};

static void progress_tick(struct progress *p, const struct capture *cap, bool final)
{
	if (!p->on)
		return;
	time_t now = time(NULL);
	if (!final && now == p->last)
		return;
	p->last = now;
	uint64_t done = 0, total = 0;
	capture_progress(cap, &done, &total);
	double secs = difftime(now, p->started);
	double rate = secs > 0 ? (double)done / secs / 1e6 : 0;
	if (total > 0) {
		double eta = rate > 0 ? ((double)(total - done) / 1e6) / rate : 0;
		fprintf(stderr, "\rsmtplog: %.1f/%.1f MB  %.1f MB/s  ETA %.0fs   ", done / 1e6,
			total / 1e6, rate, eta);
	} else {
		fprintf(stderr, "\rsmtplog: %.1f MB  %.1f MB/s   ", done / 1e6, rate);
	}
	if (final)
		fputc('\n', stderr);
}

enum run_status run(const struct options *o)
{
	/* Inputs first: a missing capture leaves no empty output folder. */
	struct capture_error cerr;
	memset(&cerr, 0, sizeof cerr);
	struct capture *cap = capture_open(o->inputs, o->n_inputs, o->filter, &cerr);
	if (!cap) {
		report_capture_error(&cerr);
		return cerr.bad_filter ? RUN_USAGE : RUN_INPUT;
	}

	struct uid_gen uids;
	char why[256] = "";
	int urc = o->seed_file ? uid_gen_init_seed_file(&uids, o->seed_file, why, sizeof why)
			      : uid_gen_init_random(&uids);
	if (urc < 0) {
		if (o->seed_file)
			fprintf(stderr, "smtplog: %s: %s\n", o->seed_file, why);
		else
			fprintf(stderr, "smtplog: no random source: %s\n", strerror(-urc));
		capture_close(cap);
		return o->seed_file ? RUN_USAGE : RUN_OUTPUT;
	}
	struct outdir *dir = outdir_open(o->output_dir, o->force);
	if (!dir) {
		fprintf(stderr, "smtplog: %s: %s\n", o->output_dir, strerror(errno));
		capture_close(cap);
		return RUN_OUTPUT;
	}
	if (!o->force) {
		const char *names[8];
		size_t n = planned_logs(o, names, 8);
		for (size_t i = 0; i < n; i++) {
			/* LogAscii::gzip_level makes them NAME.log.gz */
			char path[LOG_FILE_NAME_MAX], fname[LOG_FILE_NAME_MAX];
			snprintf(path, sizeof path, "%.*s", (int)(strlen(names[i]) - 4), names[i]);
			log_file_name(path, &o->cfg.log_format, fname);
			if (outdir_exists(dir, fname)) {
				fprintf(stderr, "smtplog: %s/%s: already exists (use --force to "
						"overwrite)\n", o->output_dir, fname);
				outdir_close(dir);
				capture_close(cap);
				return RUN_OUTPUT;
			}
		}
	}

	/* The engine borrows cfg; the extraction sink is wired into it. */
	struct config cfg = o->cfg;
	struct extract_sink *sink = NULL;
	if (cfg.extract.on) {
		sink = extract_sink_new(o->output_dir, cfg.extract.naming, o->force);
		if (!sink) {
			fprintf(stderr, "smtplog: %s: %s\n", o->output_dir, strerror(errno));
			capture_close(cap);
			outdir_close(dir);
			return RUN_OUTPUT;
		}
		extract_sink_set_dir(sink, cfg.extract.dir);
		cfg.extract.sink = &extract_sink_ops;
		cfg.extract.sink_ctx = sink;
	}
	const struct log_writer_ops *writer = cfg.json ? &json_writer_ops : &tsv_writer_ops;
	struct engine *eng = engine_new(&cfg, &uids, proto_analyzers, writer, dir);
	if (!eng) {
		fprintf(stderr, "smtplog: out of memory\n");
		extract_sink_free(sink);
		capture_close(cap);
		outdir_close(dir);
		return RUN_OUTPUT;
	}

	struct progress prog = {
		.on = !o->quiet && (o->progress == PROGRESS_ALWAYS ||
				    (o->progress == PROGRESS_AUTO && isatty(STDERR_FILENO))),
		.started = time(NULL),
	};
	enum run_status status = RUN_OK;
	int werr = 0;
	for (;;) {
		struct capture_packet pkt;
		int rc = capture_next(cap, &pkt, &cerr);
		if (rc == 0)
			break;
		if (rc < 0) {
			report_capture_error(&cerr);
			status = RUN_INPUT;
			continue;
		}
		werr = engine_packet(eng, &pkt);
		if (werr < 0)
			break;
		if ((engine_stats(eng)->packets & 0xfff) == 0)
			heap_advise_growth();
		if ((engine_stats(eng)->packets & 0xffff) == 0)
			progress_tick(&prog, cap, false);
	}
	if (werr == 0)
		werr = engine_finish(eng);
	progress_tick(&prog, cap, true);

	struct engine_close_report rep;
	int cerr_rc = engine_close_logs(eng, &rep);
	const char *failed = rep.failed ? rep.failed : "logs";
	if (werr < 0) {
		/* The run stops at the first write error, so every log written
		 * so far lacks what came after it. */
		fprintf(stderr, "smtplog: %s/%s: %s; the run stopped there", o->output_dir, failed,
			strerror(-werr));
		if (rep.written[0])
			fprintf(stderr, " and these logs are incomplete: %s", rep.written);
		fprintf(stderr, "\n");
		status = RUN_OUTPUT;
	} else if (cerr_rc < 0) {
		/* The whole input was read; only the logs whose last bytes
		 * could not be written are cut short. */
		fprintf(stderr, "smtplog: %s/%s: %s; incomplete: %s\n", o->output_dir, failed,
			strerror(-cerr_rc), rep.unfinished[0] ? rep.unfinished : failed);
		status = RUN_OUTPUT;
	}
	engine_free(eng);
	extract_sink_free(sink);
	capture_close(cap);
	outdir_close(dir);
	return status;
}
