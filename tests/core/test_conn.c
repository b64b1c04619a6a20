/* core/conn.h: conn_state, history helpers, flips, endpoint sizes, the table. */
#include <stdlib.h>

#include "core/conn.h"
#include "core/conn_log.h"
#include "tests/check.h"

static struct conn cn;

static struct conn *tcp_conn(uint8_t os, uint8_t rs, const char *history)
{
	memset(&cn, 0, sizeof cn);
	cn.transport = CONN_TCP;
	cn.tcp[0].state = os;
	cn.tcp[1].state = rs;
	cn.history_len = (uint8_t)strlen(history);
	memcpy(cn.history, history, cn.history_len);
	return &cn;
}

static const char *state(uint8_t os, uint8_t rs, const char *history)
{
	return conn_state_text(tcp_conn(os, rs, history));
}

static void test_tcp_states(void)
{
	enum { I = TCP_INACTIVE, SS = TCP_SYN_SENT, SA = TCP_SYN_ACK_SENT, P = TCP_PARTIAL,
	       E = TCP_ESTABLISHED, C = TCP_CLOSED, R = TCP_RESET };
	/* 1. Responder RESET. */
	CHECK_STR(state(SS, R, "Sr"), "REJ");
	CHECK_STR(state(SA, R, "Hr"), "REJ");
	CHECK_STR(state(R, R, "SrR"), "REJ");		/* both sizes 0 */
	CHECK_STR(state(I, R, "r"), "RSTRH");
	CHECK_STR(state(P, R, "Dr"), "RSTRH");
	CHECK_STR(state(E, R, "ShADr"), "RSTR");
	CHECK_STR(state(C, R, "ShADFr"), "RSTR");
	/* Orig RESET with a non-zero size is not REJ. */
	struct conn *c = tcp_conn(R, R, "ShADRr");
	c->tcp[0].start_seq = 100;
	c->tcp[0].last_seq = 200;
	CHECK_STR(conn_state_text(c), "RSTR");
	c = tcp_conn(R, R, "ShADRr");
	c->tcp[1].start_seq = 100;
	c->tcp[1].ack_seq = 150;
	CHECK_STR(conn_state_text(c), "RSTR");
	/* 2. Originator RESET. */
	CHECK_STR(state(R, E, "ShADR"), "RSTO");
	CHECK_STR(state(R, C, "ShADfR"), "RSTO");
	CHECK_STR(state(R, SS, "SsR"), "RSTO");
	CHECK_STR(state(R, I, "SR"), "RSTOS0");
	CHECK_STR(state(R, P, "SR"), "RSTOS0");
	CHECK_STR(state(R, I, "R"), "OTH");
	CHECK_STR(state(R, I, "SaR"), "RSTOS0");	/* lower case allowed */
	CHECK_STR(state(R, I, "SaFR"), "OTH");		/* F is not */
	CHECK_STR(state(R, I, "^SR"), "RSTOS0");
	CHECK_STR(state(R, I, "^^SR"), "OTH");
	CHECK_STR(state(R, I, "SAR"), "OTH");
	CHECK_STR(state(R, I, "SHR"), "OTH");
	CHECK_STR(state(R, I, "SGR"), "OTH");
	CHECK_STR(state(R, I, "SIR"), "OTH");
	CHECK_STR(state(R, I, "SQR"), "OTH");
	CHECK_STR(state(R, I, "SdtcwgR"), "RSTOS0");
	CHECK_STR(state(R, I, "SRA"), "RSTOS0");	/* anything after the R */
	CHECK_STR(state(R, I, "S"), "OTH");		/* no R at all */
	CHECK_STR(state(R, I, "DSR"), "OTH");		/* must start with S */
	CHECK_STR(state(R, I, ""), "OTH");
	/* 3-8. */
	CHECK_STR(state(C, C, "ShADadFf"), "SF");
	CHECK_STR(state(C, C, "DdFf"), "SF");		/* midstream, closed cleanly */
	CHECK_STR(state(C, I, "SF"), "SH");
	CHECK_STR(state(C, P, "DdF"), "SH");
	CHECK_STR(state(C, E, "ShADF"), "S2");
	CHECK_STR(state(C, SS, "SsF"), "S2");
	CHECK_STR(state(I, C, "f"), "SHR");
	CHECK_STR(state(P, C, "Df"), "SHR");
	CHECK_STR(state(E, C, "ShADf"), "S3");
	CHECK_STR(state(SA, C, "Hf"), "S3");
	CHECK_STR(state(SS, I, "S"), "S0");
	CHECK_STR(state(E, E, "ShAD"), "S1");
	CHECK_STR(state(SA, I, "H"), "OTH");
	CHECK_STR(state(P, P, "Dd"), "OTH");
	CHECK_STR(state(SS, P, "Sd"), "OTH");
	CHECK_STR(state(SS, E, "Ss"), "OTH");
	CHECK_STR(state(I, I, ""), "OTH");
	CHECK_STR(state(E, P, "ShAd"), "OTH");
}

static void test_udp_and_other_states(void)
{
	memset(&cn, 0, sizeof cn);
	cn.transport = CONN_UDP;
	int64_t v[4][2] = {{0, 0}, {5, -1}, {-1, 3}, {-1, -1}};
	const char *want[4] = {"SF", "S0", "SHR", "OTH"};
	for (int i = 0; i < 4; i++) {
		cn.orig_len = v[i][0];
		cn.resp_len = v[i][1];
		CHECK_STR(conn_state_text(&cn), want[i]);
	}
	cn.transport = CONN_ICMP;
	cn.orig_len = cn.resp_len = 10;
	CHECK_STR(conn_state_text(&cn), "OTH");
	cn.transport = CONN_UNKNOWN;
	CHECK_STR(conn_state_text(&cn), "OTH");
}

static void test_history(void)
{
	memset(&cn, 0, sizeof cn);
	struct scaled_count sc = {0, 0};
	size_t at[5] = {0};
	int k = 0;
	for (uint32_t i = 1; i <= 10000; i++) {
		uint8_t before = cn.history_len;
		conn_scaled_history(&cn, 'T', &sc);
		if (cn.history_len != before && k < 5)
			at[k++] = i;
	}
	CHECK(k == 5);
	CHECK(at[0] == 1 && at[1] == 10 && at[2] == 100 && at[3] == 1000 && at[4] == 10000);
	CHECK_BYTES(cn.history, cn.history_len, "TTTTT");
	/* Overflow: a threshold that cannot be multiplied resets the count. */
	struct scaled_count big = {999999999u, 1000000000u};
	uint8_t before = cn.history_len;
	conn_scaled_history(&cn, 't', &big);
	CHECK(cn.history_len == before + 1);
	CHECK(big.count == 0 && big.threshold == 1000000000u);
	conn_scaled_history(&cn, 't', &big);
	CHECK(cn.history_len == before + 1);

	memset(&cn, 0, sizeof cn);
	CHECK(!conn_check_history(&cn, 0x1, 'D'));
	CHECK(conn_check_history(&cn, 0x1, 'D'));
	CHECK(!conn_check_history(&cn, 0x2, 'd'));
	CHECK(conn_check_history(&cn, 0x2, 'd'));
	CHECK(!conn_check_history(&cn, 0x1 << 16, 'A'));
	CHECK(conn_check_history(&cn, 0x1, 'x'));
	CHECK_BYTES(cn.history, cn.history_len, "DdA");
	/* The history is cut, never overflowed. */
	for (int i = 0; i < 200; i++)
		conn_add_history(&cn, '^');
	CHECK(cn.history_len == CONN_HISTORY_MAX - 1);
}

static void test_flip(void)
{
	memset(&cn, 0, sizeof cn);
	cn.transport = CONN_TCP;
	cn.orig_h.b[15] = 1;
	cn.resp_h.b[15] = 2;
	cn.orig_p = 1234;
	cn.resp_p = 25;
	memset(cn.orig_l2, 0xaa, 6);
	memset(cn.resp_l2, 0xbb, 6);
	cn.orig_pkts = 3;
	cn.resp_pkts = 7;
	cn.orig_ip_bytes = 300;
	cn.resp_ip_bytes = 700;
	cn.orig_len = -1;
	cn.resp_len = 44;
	cn.udp_chk[0].count = 1;
	cn.udp_chk[1].count = 2;
	cn.tcp[0].state = TCP_INACTIVE;
	cn.tcp[1].state = TCP_SYN_ACK_SENT;
	cn.tcp[1].start_seq = 555;
	cn.first_packet_seen = 2;
	cn.tcp_partial = true;
	cn.history_len = 1;
	cn.history[0] = 'H';
	conn_flip_roles(&cn);
	CHECK(cn.orig_h.b[15] == 2 && cn.resp_h.b[15] == 1);
	CHECK(cn.orig_p == 25 && cn.resp_p == 1234);
	CHECK(cn.orig_l2[0] == 0xbb && cn.resp_l2[5] == 0xaa);
	CHECK(cn.orig_pkts == 7 && cn.resp_pkts == 3);
	CHECK(cn.orig_ip_bytes == 700 && cn.resp_ip_bytes == 300);
	CHECK(cn.orig_len == 44 && cn.resp_len == -1);
	CHECK(cn.udp_chk[0].count == 2 && cn.udp_chk[1].count == 1);
	CHECK(cn.tcp[0].state == TCP_SYN_ACK_SENT && cn.tcp[0].start_seq == 555);
	CHECK(cn.tcp[1].state == TCP_INACTIVE);
	CHECK(cn.first_packet_seen == 1);
	CHECK(!cn.tcp_partial);
	CHECK_BYTES(cn.history, cn.history_len, "H^");
	conn_flip_roles(&cn);
	CHECK(cn.orig_p == 1234 && cn.orig_pkts == 3 && cn.first_packet_seen == 2);
	CHECK_BYTES(cn.history, cn.history_len, "H^^");
	/* UDP: no TCP endpoint swap. */
	memset(&cn, 0, sizeof cn);
	cn.transport = CONN_UDP;
	cn.tcp[0].state = 1;
	cn.first_packet_seen = 1;
	conn_flip_roles(&cn);
	CHECK(cn.tcp[0].state == 1 && cn.first_packet_seen == 1);
	CHECK_BYTES(cn.history, cn.history_len, "^");
}

static void test_endpoint_size(void)
{
	struct tcp_endpoint e, p;
	memset(&e, 0, sizeof e);
	memset(&p, 0, sizeof p);
	p.state = TCP_ESTABLISHED;
	e.state = TCP_ESTABLISHED;
	/* SYN only. */
	e.start_seq = 1000;
	e.last_seq = 1001;
	CHECK(tcp_endpoint_size(&e, &p) == 0);
	/* SYN + 100 bytes, acked. */
	e.last_seq = 1101;
	e.ack_seq = 1101;
	CHECK(tcp_endpoint_size(&e, &p) == 100);
	/* Acked past what was seen: acknowledged bytes count. */
	e.ack_seq = 1201;
	CHECK(tcp_endpoint_size(&e, &p) == 200);
	/* FIN. */
	e.ack_seq = 1101;
	e.last_seq = 1102;
	e.fin_cnt = 1;
	CHECK(tcp_endpoint_size(&e, &p) == 100);
	/* FIN and nothing else after the SYN: 1 - 1 = 0, no second subtraction. */
	e.last_seq = 1001;
	e.ack_seq = 0;
	CHECK(tcp_endpoint_size(&e, &p) == 0);
	/* Nothing at all. */
	memset(&e, 0, sizeof e);
	CHECK(tcp_endpoint_size(&e, &p) == 0);
	/* Midstream: start is "ISN - 1", here -1 for a first seq of 0. */
	e.start_seq = -1;
	e.last_seq = 100;
	CHECK(tcp_endpoint_size(&e, &p) == 100);
	/* 32-bit wraps, in last and in ack. */
	memset(&e, 0, sizeof e);
	e.start_seq = 0xffffff00;
	e.last_seq = 0x100;
	e.seq_wraps = 1;
	CHECK(tcp_endpoint_size(&e, &p) == 0x1ff);
	e.ack_seq = 0x200;
	e.ack_wraps = 1;
	CHECK(tcp_endpoint_size(&e, &p) == 0x2ff);
	e.ack_wraps = 0;	/* an ack from before the wrap does not count */
	CHECK(tcp_endpoint_size(&e, &p) == 0x1ff);
	e.start_seq = 0;
	e.last_seq = 5;
	e.seq_wraps = 2;
	CHECK(tcp_endpoint_size(&e, &p) == (2ull << 32) + 4);

	/* SYN_SENT -> RESET, peer INACTIVE, data acked: 0. */
	memset(&e, 0, sizeof e);
	memset(&p, 0, sizeof p);
	e.prev_state = TCP_SYN_SENT;
	e.state = TCP_RESET;
	e.start_seq = 1000;
	e.last_seq = 1051;
	e.ack_seq = 1051;
	CHECK(tcp_endpoint_size(&e, &p) == 0);
	/* ... but not when no data was acked (ack = start or start + 1). */
	e.ack_seq = 1001;
	CHECK(tcp_endpoint_size(&e, &p) == 50);
	e.ack_seq = 1000;
	CHECK(tcp_endpoint_size(&e, &p) == 50);
	/* ... nor when the peer is not INACTIVE. */
	e.ack_seq = 1051;
	p.state = TCP_PARTIAL;
	CHECK(tcp_endpoint_size(&e, &p) == 50);
	/* ... nor from another previous state. */
	p.state = TCP_INACTIVE;
	e.prev_state = TCP_ESTABLISHED;
	CHECK(tcp_endpoint_size(&e, &p) == 50);
}

static struct conn_key key_of(uint32_t i)
{
	struct conn_key k;
	memset(&k, 0, sizeof k);
	k.b[10] = k.b[11] = 0xff;
	k.b[12] = 10;
	k.b[13] = (uint8_t)(i >> 16);
	k.b[14] = (uint8_t)(i >> 8);
	k.b[15] = (uint8_t)i;
	k.b[31] = 1;
	k.b[32] = (uint8_t)(i * 7);
	k.b[36] = 6;
	return k;
}

static int cmp_keys(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct conn_key));
}

static void test_table_collisions(void)
{
	struct conn_table *t = conn_table_new();
	CHECK(t != NULL);
	/* 1200 keys on 6 home slots, two at the end of the table so that
	 * probe sequences wrap around. */
	enum { N = 1200 };
	static const uint64_t homes[6] = {4094, 4095, 0, 1, 100, 101};
	static struct conn *cs[N];
	static uint64_t hs[N];
	for (uint32_t i = 0; i < N; i++) {
		struct conn_key k = key_of(i);
		hs[i] = homes[i % 6] | (uint64_t)i << 32;
		cs[i] = conn_table_insert(t, &k, hs[i]);
		if (!cs[i])
			break;
		cs[i]->orig_p = (uint16_t)i;
	}
	CHECK(conn_table_count(t) == N);
	bool all = true;
	for (uint32_t i = 0; i < N; i++) {
		struct conn_key k = key_of(i);
		all = all && conn_table_find(t, &k, hs[i]) == cs[i];
	}
	CHECK(all);
	/* Same key, other hash: not found (the hash is part of identity). */
	struct conn_key k0 = key_of(0);
	CHECK(conn_table_find(t, &k0, 4094 | (uint64_t)1 << 40) == NULL);
	struct conn_key absent = key_of(N + 5);
	CHECK(conn_table_find(t, &absent, hs[5]) == NULL);

	/* Unlink every third, in a scattered order: the rest stay findable. */
	bool gone = true, kept = true;
	for (uint32_t j = 0; j < N; j++) {
		uint32_t i = (j * 7) % N;
		if (i % 3 != 0)
			continue;
		conn_table_unlink(t, cs[i]);
		gone = gone && !cs[i]->in_table;
		conn_table_release(t, cs[i]);
	}
	for (uint32_t i = 0; i < N; i++) {
		struct conn_key k = key_of(i);
		struct conn *f = conn_table_find(t, &k, hs[i]);
		if (i % 3 == 0)
			gone = gone && f == NULL;
		else
			kept = kept && f == cs[i] && f->orig_p == i;
	}
	CHECK(gone);
	CHECK(kept);
	CHECK(conn_table_count(t) == N - N / 3);
	/* A second unlink is harmless. */
	conn_table_unlink(t, cs[1]);
	conn_table_unlink(t, cs[1]);
	CHECK(conn_table_count(t) == N - N / 3 - 1);
	CHECK(conn_table_find(t, &(struct conn_key){0}, 0) == NULL);
	conn_table_release(t, cs[1]);

	/* Reinsert: memory is reused, fields are zeroed. */
	cs[1]->orig_p = 77;
	struct conn_key k3 = key_of(3);
	struct conn *r = conn_table_insert(t, &k3, hs[3]);
	CHECK(r == cs[1]);
	CHECK(r != NULL && r->orig_p == 0 && r->in_table && r->timers == NULL);
	CHECK(conn_table_find(t, &k3, hs[3]) == r);

	/* Sorted = memcmp order of keys. */
	size_t n = 0;
	struct conn **v = conn_table_sorted(t, &n);
	CHECK(v != NULL && n == conn_table_count(t));
	bool order = true;
	for (size_t i = 1; v && i < n; i++)
		order = order && memcmp(v[i - 1]->key.b, v[i]->key.b, sizeof v[i]->key.b) < 0;
	CHECK(order);
	free(v);
	conn_table_free(t);
}

/* A probe from a missed lookup places the connection where the lookup
 * stopped; a probe made stale by an unlink or a growth still lands right. */
static void test_table_probes(void)
{
	struct conn_table *t = conn_table_new();
	enum { N = 5000 };
	static struct conn_key keys[N];
	static struct conn *cs[N];
	bool ok = true;
	for (uint32_t i = 0; i < N; i++) {
		keys[i] = key_of(i);
		uint64_t h = conn_key_hash(&keys[i]);
		struct conn_probe p;
		ok = ok && conn_table_lookup(t, &keys[i], h, &p) == NULL;
		/* Every third insertion follows an unlink: stale probe. */
		if (i % 3 == 2) {
			conn_table_unlink(t, cs[i - 1]);
			conn_table_release(t, cs[i - 1]);
			cs[i - 1] = NULL;
		}
		cs[i] = conn_table_insert_probed(t, &p);
		ok = ok && cs[i] != NULL && conn_table_find(t, &keys[i], h) == cs[i];
	}
	CHECK(ok);
	size_t live = 0;
	for (uint32_t i = 0; i < N; i++) {
		struct conn *c = conn_table_find(t, &keys[i], conn_key_hash(&keys[i]));
		ok = ok && c == cs[i];
		live += c != NULL;
	}
	CHECK(ok);
	CHECK(live == conn_table_count(t));
	conn_table_free(t);
}

static void test_table_growth_and_sort(void)
{
	struct conn_table *t = conn_table_new();
	enum { N = 20000 };
	static struct conn_key keys[N];
	srand(7);
	for (int i = 0; i < N; i++) {
		for (int b = 0; b < 37; b++)
			keys[i].b[b] = (uint8_t)rand();
		keys[i].b[0] = (uint8_t)(i >> 8);	/* keep keys distinct */
		keys[i].b[1] = (uint8_t)i;
		memset(keys[i].b + 37, 0, 3);
		if (!conn_table_insert(t, &keys[i], conn_key_hash(&keys[i])))
			break;
	}
	CHECK(conn_table_count(t) == N);
	bool found = true;
	for (int i = 0; i < N; i++)
		found = found && conn_table_find(t, &keys[i], conn_key_hash(&keys[i])) != NULL;
	CHECK(found);
	/* Remove half, check the others. */
	for (int i = 0; i < N; i += 2) {
		struct conn *c = conn_table_find(t, &keys[i], conn_key_hash(&keys[i]));
		conn_table_unlink(t, c);
		conn_table_release(t, c);
	}
	found = true;
	for (int i = 0; i < N; i++) {
		struct conn *c = conn_table_find(t, &keys[i], conn_key_hash(&keys[i]));
		found = found && ((i % 2) ? c != NULL : c == NULL);
	}
	CHECK(found);
	size_t n = 0;
	struct conn **v = conn_table_sorted(t, &n);
	CHECK(n == N / 2);
	qsort(keys, N, sizeof keys[0], cmp_keys);
	/* The odd-indexed keys, sorted, must equal the sorted output. */
	size_t k = 0;
	bool same = true;
	for (int i = 0; i < N && k < n; i++)
		if (memcmp(keys[i].b, v[k]->key.b, 40) == 0)
			k++;
	same = k == n;
	CHECK(same);
	for (size_t i = 1; i < n; i++)
		if (memcmp(v[i - 1]->key.b, v[i]->key.b, 40) >= 0)
			same = false;
	CHECK(same);
	free(v);
	/* An empty table sorts to nothing. */
	struct conn_table *e = conn_table_new();
	v = conn_table_sorted(e, &n);
	CHECK(v != NULL && n == 0);
	free(v);
	conn_table_free(e);
	conn_table_free(t);
	/* The hash spreads keys that differ in one byte. */
	struct conn_key a = {{0}}, b = {{0}};
	b.b[39] = 1;
	CHECK(conn_key_hash(&a) != conn_key_hash(&b));
}

/* Community ID of ICMP: Zeek's bif knows only the transport, so the
 * address family picks the protocol hashed and the counterpart table
 * (values from a model of communityid.bif over these connections). */
static void test_community_id_icmp_family(void)
{
	static const uint8_t a6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	static const uint8_t b6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
	static const uint8_t a4[4] = {10, 0, 0, 1}, b4[4] = {10, 0, 0, 2};
	char id[64];
	/* ICMPv4 echo over IPv6: hashed as ICMPv6, type 8 one-way there. */
	memset(&cn, 0, sizeof cn);
	cn.transport = CONN_ICMP;
	cn.ip_proto = 1;
	cn.orig_h = sl_addr_from_v6(a6);
	cn.resp_h = sl_addr_from_v6(b6);
	cn.orig_p = 8;
	cn.resp_p = 0;
	conn_community_id(&cn, id, sizeof id);
	CHECK_STR(id, "1:X/B5Gjx0rPSeSdkYb7zdm8/HJsc=");
	/* ICMPv6 echo over IPv4: hashed as ICMPv4, type 128 one-way there. */
	cn.ip_proto = 58;
	cn.orig_h = sl_addr_from_v4(a4);
	cn.resp_h = sl_addr_from_v4(b4);
	cn.orig_p = 128;
	cn.resp_p = 129;
	conn_community_id(&cn, id, sizeof id);
	CHECK_STR(id, "1:Z+HCP+BaE9R43iVofUCS+JJ5aHU=");
	/* Two-way in its own family: the reply side hashes like the request. */
	char req[64], rep[64];
	cn.ip_proto = 1;
	cn.orig_p = 8;
	cn.resp_p = 0;
	conn_community_id(&cn, req, sizeof req);
	cn.orig_h = sl_addr_from_v4(b4);
	cn.resp_h = sl_addr_from_v4(a4);
	cn.orig_p = 0;
	cn.resp_p = 8;
	conn_community_id(&cn, rep, sizeof rep);
	CHECK_STR(req, rep);
}

int main(void)
{
	test_community_id_icmp_family();
	test_tcp_states();
	test_udp_and_other_states();
	test_history();
	test_flip();
	test_endpoint_size();
	test_table_collisions();
	test_table_probes();
	test_table_growth_and_sort();
	return check_summary();
}
