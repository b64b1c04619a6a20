#include "core/services.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/conn_log.h"
#include "core/files.h"

/* The logs core and the analyzers' descriptors name. */
static size_t declared_logs(const struct analyzer *const *table)
{
	size_t n = 0;
	for (const char *const *l = core_logs; *l; l++)
		n++;
	for (size_t i = 0; table && i < CONFIG_MAX_ANALYZERS && table[i]; i++)
		for (const char *const *l = table[i]->logs; l && *l; l++)
			n++;
	return n;
}

bool services_init(struct services *sv, const struct config *cfg, const struct uid_gen *uids,
		   const struct analyzer *const *analyzers, const struct log_writer_ops *writer,
		   struct outdir *dir)
{
	memset(sv, 0, sizeof *sv);
	sv->cfg = cfg;
	sv->uids = *uids;
	sv->analyzers = analyzers;
	sv->writer = writer;
	sv->dir = dir;
	timers_init(&sv->timers, offsetof(struct conn, timers));
	timers_owner_offset(&sv->timers, TIMER_FILE, files_timer_list_offset());
	sv->max_logs = declared_logs(analyzers);
	sv->logs = calloc(sv->max_logs, sizeof *sv->logs);
	return sv->logs != NULL;
}

void services_free(struct services *sv)
{
	for (size_t i = 0; i < sv->n_logs; i++)
		log_stream_close(sv->logs[i].stream);
	free(sv->logs);
	sv->logs = NULL;
	sv->n_logs = 0;
	for (size_t i = 0; sv->analyzers && i < CONFIG_MAX_ANALYZERS && sv->analyzers[i]; i++)
		if (sv->run_state[i] && sv->analyzers[i]->run_free)
			sv->analyzers[i]->run_free(sv->run_state[i]);
	memset(sv->run_state, 0, sizeof sv->run_state);
	timers_free(&sv->timers);
}

/* ---- timers ---- */

void services_add_timer(struct services *sv, struct conn *c, enum timer_kind kind, double when,
			bool run_at_shutdown)
{
	if (!timers_add(&sv->timers, c, when, (uint8_t)kind, run_at_shutdown))
		services_fail(sv);
}

void services_cancel_tcp_timers(struct services *sv, struct conn *c)
{
	timers_cancel(&sv->timers, c, ~(UINT32_C(1) << TIMER_INACTIVITY));
}

void services_set_inactivity_timeout(struct services *sv, struct conn *c, double timeout)
{
	if (timeout == c->inactivity_timeout)
		return;
	timers_cancel(&sv->timers, c, UINT32_C(1) << TIMER_INACTIVITY);
	if (timeout > 0)
		services_add_timer(sv, c, TIMER_INACTIVITY, c->last_time + timeout, false);
	c->inactivity_timeout = timeout;
}

bool services_add_file_timer(void *ctx, struct sl_file *f, double when)
{
	struct services *sv = ctx;
	if (timers_add(&sv->timers, f, when, TIMER_FILE, true))
		return true;
	services_fail(sv);
	return false;
}

void services_cancel_file_timer(void *ctx, struct sl_file *f)
{
	struct services *sv = ctx;
	timers_cancel(&sv->timers, f, UINT32_C(1) << TIMER_FILE);
}

void services_connection_established(struct services *sv, struct conn *c)
{
	/* base/protocols/conn/inactivity.zeek: long-lived interactive ports. */
	if (!(sv->cfg->scripts & SCRIPT_CONN))
		return;
	uint16_t p = c->resp_p;
	if (p == 21 || p == 22 || p == 23 || p == 513)
		services_set_inactivity_timeout(sv, c, LONG_INACTIVITY_TIMEOUT);
}

/* ---- connections ---- */

void services_remove_conn(struct services *sv, struct conn *c)
{
	sv->remove_conn(sv->remove_ctx, c);
}

const char *services_conn_uid(struct services *sv, struct conn *c)
{
	if (!c->uid[0])
		uid_next_conn(&sv->uids, c->uid);
	return c->uid;
}

void services_new_uid(struct services *sv, char out[UID_TEXT_MAX])
{
	uid_next_conn(&sv->uids, out);
}

const struct analyzer_conn *services_analyzer_conn(struct services *sv, const struct conn *c)
{
	sv->conn_view.orig_h = c->orig_h;
	sv->conn_view.resp_h = c->resp_h;
	sv->conn_view.orig_p = c->orig_p;
	sv->conn_view.resp_p = c->resp_p;
	sv->conn_view.start_time = c->start_time;
	return &sv->conn_view;
}

bool services_addr_is_local(const struct services *sv, const struct sl_addr *a)
{
	return conn_addr_is_local(sv->conn_log, a);
}

/* likely_server_ports: what Zeek's loaded analyzers register. The tunnel
 * decapsulators (core's packet analysis) are always loaded; the loaded
 * analyzers add their ports, and the default mode the list cmd wires in
 * from the registry (struct config's default_server_ports). */
static const uint16_t lsp_udp_always[] = {2123, 2152, 3544, 4754, 4789, 5072, 6081};

static bool in_list(const uint16_t *v, size_t n, uint16_t p)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == p)
			return true;
	return false;
}

bool services_is_likely_server_port(const struct services *sv, uint8_t proto, uint16_t port)
{
	const struct config *cfg = sv->cfg;
	if (proto == 17 && in_list(lsp_udp_always, sizeof lsp_udp_always / 2, port))
		return true;
	for (size_t i = 0; i < cfg->n_extra_server_ports; i++)
		if (cfg->extra_server_ports[i] == ((uint32_t)proto << 16 | port))
			return true;
	if (proto != 6 && proto != 17)
		return false;
	bool udp = proto == 17;
	for (size_t i = 0; sv->analyzers && i < CONFIG_MAX_ANALYZERS && sv->analyzers[i]; i++) {
		const struct analyzer *a = sv->analyzers[i];
		if ((cfg->scripts & a->script) &&
		    in_list(udp ? a->udp_ports : a->tcp_ports, udp ? a->n_udp_ports : a->n_tcp_ports,
			    port))
			return true;
	}
	return in_list(cfg->default_server_ports[udp], cfg->n_default_server_ports[udp], port);
}

bool services_checksum_ignored(const struct services *sv, const struct sl_addr *src)
{
	for (size_t i = 0; i < sv->cfg->n_ignore_checksums_nets; i++)
		if (sl_subnet_contains(&sv->cfg->ignore_checksums_nets[i], src))
			return true;
	return false;
}

/* ---- weirds ---- */

/* Zeek's weird sampling (Weird::sampling_threshold 1000, sampling_rate
 * 1000): whether the count-th weird of one kind raises its event. */
#define WEIRD_SAMPLING_THRESHOLD 1000
#define WEIRD_SAMPLING_RATE 1000
#define WEIRD_SAMPLING_DURATION 600.0 /* Weird::sampling_duration, 10 min */

static bool weird_permitted(uint64_t count)
{
	return count <= WEIRD_SAMPLING_THRESHOLD ||
	       (count - WEIRD_SAMPLING_THRESHOLD) % WEIRD_SAMPLING_RATE == 0;
}

/* The net_weird/conn_weird handlers of find-checksum-offloading count the
 * bad-checksum weirds that get past Zeek's sampling: per connection for
 * TCP and UDP, per name over the whole run for IP (whose count starts
 * again once a sampling period of 10 minutes has passed). */
static void checksum_weird(struct services *sv, struct conn *c, int kind)
{
	struct services_weirds *w = &sv->weirds;
	w->bad_checksums[kind]++;
	if (kind == SERVICES_CKSUM_IP) {
		uint64_t n = ++w->ip_cksum_weirds;
		if (n == WEIRD_SAMPLING_THRESHOLD + 1) {
			w->ip_cksum_sampling_start = sv->network_time;
		} else if (n > WEIRD_SAMPLING_THRESHOLD + 1 &&
			   sv->network_time > w->ip_cksum_sampling_start + WEIRD_SAMPLING_DURATION) {
			w->ip_cksum_weirds = n = 1;
		}
		if (weird_permitted(n))
			w->cksum_events[kind]++;
		return;
	}
	/* A connection's weirds count per name; a connection has only one
	 * transport, so one counter serves both names. */
	bool permitted = true;
	if (c) {
		if (c->cksum_weirds < WEIRD_SAMPLING_THRESHOLD)
			c->cksum_weirds++;
		else
			c->cksum_weirds = (uint16_t)(WEIRD_SAMPLING_THRESHOLD +
						     (c->cksum_weirds - WEIRD_SAMPLING_THRESHOLD + 1) %
							 WEIRD_SAMPLING_RATE);
		permitted = c->cksum_weirds <= WEIRD_SAMPLING_THRESHOLD;
	}
	if (permitted)
		w->cksum_events[kind]++;
}

void services_weird(struct services *sv, struct conn *c, const char *name)
{
	sv->weirds.total++;
	if (name[0] == 'b' && strncmp(name, "bad_", 4) == 0) {
		if (!strcmp(name + 4, "IP_checksum"))
			checksum_weird(sv, c, SERVICES_CKSUM_IP);
		else if (!strcmp(name + 4, "TCP_checksum"))
			checksum_weird(sv, c, SERVICES_CKSUM_TCP);
		else if (!strcmp(name + 4, "UDP_checksum"))
			checksum_weird(sv, c, SERVICES_CKSUM_UDP);
	}
}

/* ---- logs and errors ---- */

struct log_stream *services_log_stream(struct services *sv, const struct log_schema *schema)
{
	for (size_t i = 0; i < sv->n_logs; i++)
		if (sv->logs[i].schema == schema)
			return sv->logs[i].stream;
	if (sv->n_logs == sv->max_logs)
		return NULL;
	struct log_stream *s = log_stream_new(schema, sv->writer, &sv->cfg->log_format, sv->dir);
	if (!s)
		return NULL;
	sv->logs[sv->n_logs].schema = schema;
	sv->logs[sv->n_logs++].stream = s;
	return s;
}

void services_log_failed(struct services *sv, int err, const char *log_name)
{
	if (!sv->err) {
		sv->err = err;
		sv->failed_log = log_name;
	}
}

void services_fail(struct services *sv)
{
	if (!sv->err)
		sv->err = -ENOMEM;
}

/* ---- file analysis ---- */

struct log_stream *services_files_log(struct services *sv)
{
	return sv->files ? services_log_stream(sv, files_schema(sv->files)) : NULL;
}

void services_files_result(struct services *sv, int rc)
{
	if (rc < 0)
		services_log_failed(sv, rc, "files.log");
}

/* ---- analyzers ---- */

const void *services_analyzer_options(const struct services *sv, const struct analyzer *a)
{
	for (size_t i = 0; sv->analyzers && i < CONFIG_MAX_ANALYZERS && sv->analyzers[i]; i++)
		if (sv->analyzers[i] == a)
			return sv->cfg->analyzer_options[i];
	return NULL;
}

void **services_run_state(struct services *sv, const struct analyzer *a)
{
	for (size_t i = 0; sv->analyzers && i < CONFIG_MAX_ANALYZERS && sv->analyzers[i]; i++)
		if (sv->analyzers[i] == a)
			return &sv->run_state[i];
	return NULL;	/* an analyzer past the table's cap */
}
