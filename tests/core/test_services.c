/* Unit tests for core/services.c: what TCP and the analyzers share
 * below the engine. */
#include "core/services.h"

#include <stdlib.h>
#include <string.h>

#include "tests/check.h"

static const uint16_t fake_ports[] = {2525};
static const char *const fake_logs[] = {"fake.log", NULL};
static int run_frees;

static void fake_run_free(void *state)
{
	run_frees++;
	free(state);
}

static const struct analyzer fake = {
    .name = "FAKE",
    .script = 1u << 30,
    .logs = fake_logs,
    .tcp_ports = fake_ports,
    .n_tcp_ports = 1,
    .run_free = fake_run_free,
};
static const struct analyzer *const table[] = {&fake, NULL};

static struct conn *removed;
static void note_removal(void *ctx, struct conn *c)
{
	(void)ctx;
	removed = c;
}

static void start(struct services *sv, struct config *cfg, struct uid_gen *uids)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->scripts = SCRIPT_CONN | fake.script;
	static const uint32_t seeds[UID_SEED_WORDS] = {1, 2, 3};
	CHECK(uid_gen_init_seeds(uids, seeds) == 0);
	CHECK(services_init(sv, cfg, uids, table, NULL, NULL));
	sv->remove_conn = note_removal;
}

static void test_timers_and_connections(void)
{
	struct services sv;
	struct config cfg;
	struct uid_gen uids;
	start(&sv, &cfg, &uids);
	struct conn *c = calloc(1, sizeof *c);
	c->last_time = 100.0;
	c->resp_p = 22;
	services_set_inactivity_timeout(&sv, c, UDP_INACTIVITY_TIMEOUT);
	CHECK(c->inactivity_timeout == UDP_INACTIVITY_TIMEOUT);
	CHECK(timers_count(&sv.timers) == 1);
	/* SSH's port gets inactivity.zeek's hour, replacing the timer. */
	services_connection_established(&sv, c);
	CHECK(c->inactivity_timeout == LONG_INACTIVITY_TIMEOUT);
	CHECK(timers_count(&sv.timers) == 1);
	services_add_timer(&sv, c, TIMER_TCP_EXPIRE, 105.0, false);
	services_add_timer(&sv, c, TIMER_TCP_ATTEMPT, 105.0, true);
	CHECK(timers_count(&sv.timers) == 3);
	services_cancel_tcp_timers(&sv, c);
	CHECK(timers_count(&sv.timers) == 1);
	struct timer_fired t;
	CHECK(timers_pop_any(&sv.timers, &t) && t.kind == TIMER_INACTIVITY &&
	      t.when == 100.0 + LONG_INACTIVITY_TIMEOUT);
	/* Without the conn scripts no port is long-lived. */
	cfg.scripts = fake.script;
	c->resp_p = 23;
	services_set_inactivity_timeout(&sv, c, 0);
	services_connection_established(&sv, c);
	CHECK(c->inactivity_timeout == 0);
	/* The UID is drawn once; removal goes to the engine's callback. */
	const char *uid = services_conn_uid(&sv, c);
	CHECK(uid[0] == 'C' && services_conn_uid(&sv, c) == uid);
	char other[UID_TEXT_MAX];
	services_new_uid(&sv, other);
	CHECK(strcmp(other, uid) != 0);
	services_remove_conn(&sv, c);
	CHECK(removed == c);
	services_free(&sv);
	free(c);
}

static void test_ports_and_checksum_nets(void)
{
	struct services sv;
	struct config cfg;
	struct uid_gen uids;
	start(&sv, &cfg, &uids);
	CHECK(services_is_likely_server_port(&sv, 6, 2525));
	CHECK(!services_is_likely_server_port(&sv, 17, 2525));
	CHECK(services_is_likely_server_port(&sv, 17, 4789)); /* VXLAN, always */
	CHECK(!services_is_likely_server_port(&sv, 6, 4789));
	cfg.scripts = SCRIPT_CONN; /* the analyzer's script not loaded */
	CHECK(!services_is_likely_server_port(&sv, 6, 2525));
	struct sl_addr a = {0};
	CHECK(!services_checksum_ignored(&sv, &a));
	services_free(&sv);
}

static void test_weird_sampling(void)
{
	struct services sv;
	struct config cfg;
	struct uid_gen uids;
	start(&sv, &cfg, &uids);
	struct conn c = {0};
	for (int i = 0; i < 3000; i++)
		services_weird(&sv, &c, "bad_TCP_checksum");
	services_weird(&sv, NULL, "truncated_header");
	CHECK(sv.weirds.total == 3001);
	CHECK(sv.weirds.bad_checksums[SERVICES_CKSUM_TCP] == 3000);
	/* The first 1000 of a connection, then one in each 1000 after. */
	CHECK(sv.weirds.cksum_events[SERVICES_CKSUM_TCP] == 1002);
	for (int i = 0; i < 1500; i++)
		services_weird(&sv, NULL, "bad_IP_checksum");
	CHECK(sv.weirds.cksum_events[SERVICES_CKSUM_IP] == 1000);
	services_free(&sv);
}

static const struct log_field one_field[] = {{"ts", LOG_TIME, LOG_SCALAR}};
static const struct log_schema schema_a = {.path = "a", .fields = one_field, .n_fields = 1};

static void test_logs_errors_run_state(void)
{
	struct services sv;
	struct config cfg;
	struct uid_gen uids;
	start(&sv, &cfg, &uids);
	/* Room for what core and the descriptors declare. */
	size_t core_n = 0;
	for (const char *const *l = core_logs; *l; l++)
		core_n++;
	CHECK(sv.max_logs == core_n + 1);
	sv.n_logs = sv.max_logs; /* full: no new stream */
	CHECK(services_log_stream(&sv, &schema_a) == NULL);
	sv.n_logs = 0;
	CHECK(services_files_log(&sv) == NULL); /* no file analysis */
	services_log_failed(&sv, -5, "a.log");
	services_fail(&sv);
	services_files_result(&sv, -7);
	CHECK(sv.err == -5 && !strcmp(sv.failed_log, "a.log"));
	CHECK(services_analyzer_options(&sv, &fake) == NULL);
	void **slot = services_run_state(&sv, &fake);
	CHECK(slot && *slot == NULL);
	*slot = malloc(16);
	static const struct analyzer unknown = {.name = "NONE"};
	CHECK(services_run_state(&sv, &unknown) == NULL);
	run_frees = 0;
	services_free(&sv);
	CHECK(run_frees == 1);
}

int main(void)
{
	test_timers_and_connections();
	test_ports_and_checksum_nets();
	test_weird_sampling();
	test_logs_errors_run_state();
	return check_summary();
}
