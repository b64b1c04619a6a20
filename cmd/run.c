#include "cmd/run.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/heap.h"
#include "cmd/inputs.h"
#include "cmd/signals.h"
#include "cmd/summary.h"
#include "core/capture.h"
#include "core/engine.h"
#include "core/files.h"
#include "core/outdir.h"
#include "core/uid.h"
#include "output/extract.h"
#include "output/json.h"
#include "output/tsv.h"
#include "proto/registry.h"

/* Every log smtplog can write (core's and those the analyzers' descriptors
 * name): an earlier run's are never mixed with this one's (refused
 * without --force, replaced with it). Each plain, gzipped, and as this run
 * names it (LogAscii::gzip_file_extension). */
#define OWNED_LOGS_MAX 64

struct owned_names {
	char names[OWNED_LOGS_MAX * 3][LOG_FILE_NAME_MAX];
	const char *list[OWNED_LOGS_MAX * 3];
};

static size_t add_owned(struct owned_names *n, size_t k, const char *log,
			const struct options *o)
{
	size_t len = strlen(log);
	char base[LOG_FILE_NAME_MAX - 16]; /* room for ".log" and an extension */
	if (k + 3 > OWNED_LOGS_MAX * 3 || len < 4 || len - 4 >= sizeof base)
		return k;
	snprintf(base, sizeof base, "%.*s", (int)(len - 4), log); /* without ".log" */
	snprintf(n->names[k++], LOG_FILE_NAME_MAX, "%s.log", base);
	snprintf(n->names[k++], LOG_FILE_NAME_MAX, "%s.log.gz", base);
	log_file_name(base, &o->cfg.log_format, n->names[k]);
	if (strcmp(n->names[k], n->names[k - 1]) && strcmp(n->names[k], n->names[k - 2]))
		k++;
	return k;
}

static struct outdir_owned owned_files(const struct options *o, struct owned_names *n)
{
	size_t k = 0;
	for (const char *const *l = core_logs; *l; l++)
		k = add_owned(n, k, *l, o);
	for (size_t i = 0; proto_analyzers[i]; i++)
		for (const char *const *l = proto_analyzers[i]->logs; l && *l; l++)
			k = add_owned(n, k, *l, o);
	for (size_t i = 0; i < k; i++)
		n->list[i] = n->names[i];
	return (struct outdir_owned){
		n->list, k, o->cfg.extract.dir[0] ? o->cfg.extract.dir : FILES_EXTRACT_DIR,
		extract_name_is_ours,
	};
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

/* Inputs that did not open: an error when named, a note when a folder
 * held them and they are not captures (a README beside the pcaps). */
struct open_report {
	const struct input_list *inputs;
	bool quiet;
	size_t unreadable, skipped;
};

static void on_bad_input(void *ctx, const struct capture_error *err)
{
	struct open_report *r = ctx;
	bool in_folder = err->input < r->inputs->n && r->inputs->from_dir[err->input];
	if (in_folder && err->not_capture) {
		r->skipped++;
		if (!r->quiet)
			fprintf(stderr, "smtplog: warning: %s: %s; skipped\n", err->path, err->reason);
		return;
	}
	r->unreadable++;
	report_capture_error(err);
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

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* base/misc/find-checksum-offloading's warning, in Zeek's words. */
static void warn_checksums(unsigned layers)
{
	static const char *const names[ENGINE_CKSUM_KINDS] = {"IP", "TCP", "UDP"};
	char which[32] = "";
	for (int k = 0; k < ENGINE_CKSUM_KINDS; k++)
		if (layers & (1u << k)) {
			size_t n = strlen(which);
			snprintf(which + n, sizeof which - n, "%s%s", n ? " and " : "", names[k]);
		}
	fprintf(stderr,
		"smtplog: warning: Your trace file likely has invalid %s checksums, most likely "
		"from NIC checksum offloading.  By default, packets with invalid checksums are "
		"discarded by Zeek unless using the -C command-line option or toggling the "
		"'ignore_checksums' variable.  Alternatively, disable checksum offloading by the "
		"network adapter to ensure Zeek analyzes the actual checksums that are "
		"transmitted.\n",
		which);
}

/* A run that found little says why, whatever it was. */
static void warn_little(const struct options *o, const struct run_summary *s)
{
	const struct engine_stats *e = s->engine;
	if (s->records > 0 && s->packets == 0 && o->filter)
		fprintf(stderr, "smtplog: warning: the filter '%s' matched none of the %llu "
				"packets\n",
			o->filter, (unsigned long long)s->records);
	else if (s->records == 0 && s->inputs > 0)
		fprintf(stderr, "smtplog: warning: the capture%s held no packets\n",
			s->inputs == 1 ? "" : "s");
	else if (s->packets > 0 && e->connections == 0)
		fprintf(stderr, "smtplog: warning: no connection in %llu packet%s (%llu not "
				"decoded, %llu not IP): no logs to write\n",
			(unsigned long long)s->packets, s->packets == 1 ? "" : "s",
			(unsigned long long)e->not_decoded, (unsigned long long)e->not_ip);
	if (e->checksum_warning && !o->cfg.ignore_checksums)
		warn_checksums(e->checksum_warning);
	if (e->filtered_trace_warning)
		fprintf(stderr, "smtplog: warning: The analyzed trace file was determined to contain "
				"only TCP control packets, which may indicate it's been pre-filtered.  "
				"By default, Zeek reports the missing segments for this type of trace, "
				"but the 'detect_filtered_trace' option may be toggled if that's not "
				"desired.\n");
}

/* The stop's place, for the message after a signal. */
static void report_stop(const char *sig, const struct capture *cap, bool any,
			const struct capture_packet *last)
{
	fprintf(stderr, "smtplog: stopped by %s", sig);
	if (any) {
		fprintf(stderr, " after %s, packet %llu", capture_input_path(cap, last->input),
			(unsigned long long)last->number);
		int64_t off = capture_input_offset(cap, last->input);
		if (off >= 0)
			fprintf(stderr, " (byte offset %lld)", (long long)off);
	} else {
		fprintf(stderr, " before the first packet");
	}
	fprintf(stderr, "; the logs are complete up to there\n");
}

/* The message a second signal prints: prepared now, since a signal handler
 * can only write it. */
static char abort_message[1024];

enum run_status run(const struct options *o)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);

	/* Inputs first: a missing capture leaves no empty output folder. */
	struct input_list inputs;
	if (inputs_expand(o->inputs, o->n_inputs, o->recursive, o->quiet, &inputs) != 0)
		return RUN_USAGE;
	struct open_report opened = {&inputs, o->quiet, 0, 0};
	struct capture_error cerr;
	memset(&cerr, 0, sizeof cerr);
	struct capture *cap = capture_open_each((const char *const *)inputs.paths, inputs.n,
						o->filter, on_bad_input, &opened, &cerr);
	if (!cap) {
		report_capture_error(&cerr);
		inputs_free(&inputs);
		return cerr.bad_filter ? RUN_USAGE : RUN_INPUT;
	}
	if (capture_usable(cap) == 0) {
		if (!opened.unreadable)
			fprintf(stderr, "smtplog: no capture to read\n");
		capture_close(cap);
		inputs_free(&inputs);
		return RUN_INPUT;
	}
	enum run_status status = opened.unreadable ? RUN_INPUT : RUN_OK;

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
		inputs_free(&inputs);
		return o->seed_file ? RUN_USAGE : RUN_OUTPUT;
	}
	struct outdir *dir = outdir_open_staged(o->output_dir, o->force);
	if (!dir) {
		fprintf(stderr, "smtplog: %s: %s\n", o->output_dir, strerror(errno));
		capture_close(cap);
		inputs_free(&inputs);
		return RUN_OUTPUT;
	}
	struct owned_names names;
	struct outdir_owned owned = owned_files(o, &names);
	char found[512];
	if (!o->force && outdir_find_owned(dir, &owned, found, sizeof found)) {
		fprintf(stderr, "smtplog: %s/%s: already exists (use --force to replace the "
				"earlier run's logs and extracted files)\n",
			o->output_dir, found);
		outdir_discard(dir);
		outdir_close(dir);
		capture_close(cap);
		inputs_free(&inputs);
		return RUN_OUTPUT;
	}

	int xrc = o->cfg.extract.on ? outdir_check_folder(dir, owned.extract_dir) : 0;
	if (xrc < 0) {
		fprintf(stderr, "smtplog: %s/%s: %s\n", o->output_dir, owned.extract_dir,
			strerror(-xrc));
		outdir_discard(dir);
		outdir_close(dir);
		capture_close(cap);
		inputs_free(&inputs);
		return RUN_OUTPUT;
	}

	/* The engine borrows cfg; the extraction sink is wired into it. */
	struct config cfg = o->cfg;
	struct extract_sink *sink = NULL;
	if (cfg.extract.on) {
		sink = extract_sink_new(outdir_work_path(dir), cfg.extract.naming, false);
		if (!sink) {
			fprintf(stderr, "smtplog: %s: %s\n", o->output_dir, strerror(errno));
			outdir_discard(dir);
			outdir_close(dir);
			capture_close(cap);
			inputs_free(&inputs);
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
		outdir_discard(dir);
		outdir_close(dir);
		capture_close(cap);
		inputs_free(&inputs);
		return RUN_OUTPUT;
	}

	snprintf(abort_message, sizeof abort_message,
		 "\nsmtplog: second signal: stopped at once; no log of this run was put in "
		 "place (its partial output is in %s)\n",
		 outdir_work_path(dir));
	signals_install(abort_message);

	struct progress prog = {
		.on = !o->quiet && (o->progress == PROGRESS_ALWAYS ||
				    (o->progress == PROGRESS_AUTO && isatty(STDERR_FILENO))),
		.started = time(NULL),
	};
	size_t damaged = 0;
	int werr = 0;
	struct capture_packet last = {0};
	bool any = false;
	while (!signals_pending()) {
		struct capture_packet pkt;
		int rc = capture_next(cap, &pkt, &cerr);
		if (rc == 0)
			break;
		if (rc < 0) {
			report_capture_error(&cerr);
			damaged++;
			if (status == RUN_OK)
				status = RUN_INPUT;
			continue;
		}
		last = pkt;
		any = true;
		werr = engine_packet(eng, &pkt);
		if (werr < 0)
			break;
		if ((engine_stats(eng)->packets & 0xfff) == 0)
			heap_advise_growth();
		if ((engine_stats(eng)->packets & 0xffff) == 0)
			progress_tick(&prog, cap, false);
	}
	int sig = signals_pending();
	if (werr == 0)
		werr = engine_finish(eng);
	progress_tick(&prog, cap, true);

	struct engine_close_report rep;
	int cerr_rc = engine_close_logs(eng, &rep);
	const char *failed = rep.failed ? rep.failed : "logs";
	bool output_ok = werr == 0 && cerr_rc == 0;
	if (werr < 0) {
		/* The run stops at the first write error, so every log written
		 * so far lacks what came after it. */
		fprintf(stderr, "smtplog: %s/%s: %s; the run stopped there", o->output_dir, failed,
			strerror(-werr));
		if (rep.written[0])
			fprintf(stderr, " and these logs are incomplete: %s", rep.written);
		fprintf(stderr, "\n");
	} else if (cerr_rc < 0) {
		/* The whole input was read; only the logs whose last bytes
		 * could not be written are cut short. */
		fprintf(stderr, "smtplog: %s/%s: %s; incomplete: %s\n", o->output_dir, failed,
			strerror(-cerr_rc), rep.unfinished[0] ? rep.unfinished : failed);
	}
	struct engine_stats stats = *engine_stats(eng);
	/* Extracted files are closed with the engine, before they move. */
	engine_free(eng);
	extract_sink_free(sink);
	eng = NULL;

	if (output_ok) {
		/* Not cut in two by a second signal: the move is all or nothing
		 * as far as signals go. */
		sigset_t block, old;
		sigemptyset(&block);
		sigaddset(&block, SIGINT);
		sigaddset(&block, SIGTERM);
		sigaddset(&block, SIGHUP);
		sigprocmask(SIG_BLOCK, &block, &old);
		char name[512];
		int mrc = outdir_commit(dir, &owned, name, sizeof name);
		signals_set_abort_message(NULL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (mrc < 0) {
			fprintf(stderr, "smtplog: %s/%s: %s; the logs of this run stay in %s\n",
				o->output_dir, name, strerror(-mrc), outdir_work_path(dir));
			output_ok = false;
		}
	} else {
		/* Incomplete logs never take the final names. */
		fprintf(stderr, "smtplog: no log of this run was put in place in %s\n",
			o->output_dir);
		outdir_discard(dir);
	}

	if (!output_ok)
		status = RUN_OUTPUT;
	else if (sig)
		status = (enum run_status)(128 + sig);

	uint64_t records = 0, packets = 0, done = 0, total = 0;
	capture_counts(cap, &records, &packets);
	capture_progress(cap, &done, &total);
	struct run_summary sum = {
		.inputs = capture_usable(cap),
		.inputs_damaged = damaged,
		.inputs_unreadable = opened.unreadable,
		.inputs_skipped = opened.skipped,
		.records = records,
		.packets = packets,
		.bytes = done,
		.engine = &stats,
		.logs = &rep,
		.elapsed = seconds_since(&t0),
		.stopped_by = sig ? signals_name(sig) : NULL,
		.exit_status = (int)status,
	};
	if (sig)
		report_stop(signals_name(sig), cap, any, &last);
	if (!o->quiet) {
		warn_little(o, &sum);
		summary_print(stderr, &sum);
	}
	if (o->stats_file) {
		int src = summary_write_json(o->stats_file, &sum);
		if (src < 0) {
			fprintf(stderr, "smtplog: %s: %s\n", o->stats_file, strerror(-src));
			if (status == RUN_OK)
				status = RUN_OUTPUT;
		}
	}
	capture_close(cap);
	inputs_free(&inputs);
	outdir_close(dir);
	return status;
}
