/*
 * End to end through core/engine.h: hand-built Ethernet/IPv4 packets in,
 * conn.log (TSV, in a temporary folder) out.
 */
#include "tests/core/engine_harness.h"

static void test_handshake_data_fin(void)
{
	struct run r;
	run_start(&r, false);
	tcp(&r, 100.0, 1, 40000, 2, 25, 100, 0, SYN, "");
	tcp(&r, 100.1, 2, 25, 1, 40000, 500, 101, SYN | ACK, "");
	tcp(&r, 100.2, 1, 40000, 2, 25, 101, 501, ACK, "");
	tcp(&r, 100.3, 1, 40000, 2, 25, 101, 501, PSH | ACK, "hello");
	tcp(&r, 100.35, 2, 25, 1, 40000, 501, 106, ACK, "");
	tcp(&r, 100.4, 2, 25, 1, 40000, 501, 106, PSH | ACK, "hi\r\n");
	tcp(&r, 100.5, 1, 40000, 2, 25, 106, 505, ACK, "");
	tcp(&r, 100.6, 1, 40000, 2, 25, 106, 505, FIN | ACK, "");
	tcp(&r, 100.7, 2, 25, 1, 40000, 505, 107, FIN | ACK, "");
	tcp(&r, 100.8, 1, 40000, 2, 25, 107, 506, ACK, "");
	run_end(&r);
	CHECK(r.n_lines == 1);
	/* The duration ends at the second FIN (core spec 3.2). */
	CHECK_STR(cols(&r, 0), "10.0.0.1 40000 10.0.0.2 25 tcp 0.700000 5 4 SF 0 ShADadFf 6 245 4 164");
	CHECK(strncmp(r.lines[0], "100.000000\tC", 12) == 0);
}

/* Time going backwards inside a capture: the packet is still processed
 * and counted; nothing is dropped or reordered. */
static void test_time_backwards(void)
{
	struct run r;
	run_start(&r, false);
	tcp(&r, 100.0, 1, 40000, 2, 25, 100, 0, SYN, "");
	tcp(&r, 100.1, 2, 25, 1, 40000, 500, 101, SYN | ACK, "");
	tcp(&r, 100.2, 1, 40000, 2, 25, 101, 501, ACK, "");
	tcp(&r, 99.5, 1, 40000, 2, 25, 101, 501, PSH | ACK, "hello");
	tcp(&r, 100.4, 2, 25, 1, 40000, 501, 106, PSH | ACK, "hi\r\n");
	tcp(&r, 100.6, 1, 40000, 2, 25, 106, 505, FIN | ACK, "");
	tcp(&r, 100.7, 2, 25, 1, 40000, 505, 107, FIN | ACK, "");
	run_end(&r);
	CHECK(r.n_lines == 1);
	/* Duration from the first to the last packet in capture order. */
	CHECK_STR(cols(&r, 0), "10.0.0.1 40000 10.0.0.2 25 tcp 0.700000 5 4 SF 0 ShADdFf 4 165 3 124");
}

static void test_rej_and_s0(void)
{
	struct run r;
	run_start(&r, false);
	tcp(&r, 10.0, 1, 40001, 2, 8081, 100, 0, SYN, "");
	tcp(&r, 10.25, 2, 8081, 1, 40001, 0, 101, RST | ACK, "");
	tcp(&r, 11.0, 1, 40002, 2, 8082, 700, 0, SYN, "");	/* never answered */
	run_end(&r);
	CHECK(r.n_lines == 2);
	/* At the end, the attempt timer (do_expire) runs first and logs the
	 * S0; the REJ waits for its close timer, so comes in the key flush. */
	CHECK_STR(cols(&r, 0), "10.0.0.1 40002 10.0.0.2 8082 tcp - - - S0 0 S 1 40 0 0");
	CHECK_STR(cols(&r, 1), "10.0.0.1 40001 10.0.0.2 8081 tcp 0.250000 0 0 REJ 0 Sr 1 40 1 40");
}

static void test_synack_first_flip(void)
{
	struct run r;
	run_start(&r, false);
	/* Neither port is a likely server port: no flip at creation. */
	tcp(&r, 20.0, 2, 5555, 1, 40003, 500, 101, SYN | ACK, "");
	tcp(&r, 20.1, 1, 40003, 2, 5555, 101, 501, ACK, "");
	tcp(&r, 20.2, 1, 40003, 2, 5555, 101, 501, PSH | ACK, "abc");
	run_end(&r);
	CHECK(r.n_lines == 1);
	/* Delayed flip (core spec 3.4 case 2): history replaced by ^h, then A.
	 * Orig PARTIAL, resp SYN_ACK_SENT: OTH. */
	CHECK_STR(cols(&r, 0), "10.0.0.1 40003 10.0.0.2 5555 tcp 0.200000 3 0 OTH 0 ^hAD 2 83 1 40");
}

static void test_bad_checksum_only(void)
{
	struct run r;
	run_start(&r, false);
	/* seq 0 matches the never-set start_seq (0), so the retry is not a
	 * reuse: one connection, one scaled C. */
	send_ip(&r, 30.0, 1, 40004, 2, 8083, 6, 0, 0, SYN, "", true);
	send_ip(&r, 30.5, 1, 40004, 2, 8083, 6, 0, 0, SYN, "", true);
	run_end(&r);
	CHECK(r.n_lines == 1);
	CHECK_STR(cols(&r, 0), "10.0.0.1 40004 10.0.0.2 8083 tcp - - - OTH 0 C 0 0 0 0");

	/* Any other seq differs from start_seq 0: Zeek's IsReuse
	 * (TCPSessionAdapter.cc) removes the first connection, two lines. */
	run_start(&r, false);
	send_ip(&r, 30.0, 1, 40004, 2, 8083, 6, 100, 0, SYN, "", true);
	send_ip(&r, 30.5, 1, 40004, 2, 8083, 6, 100, 0, SYN, "", true);
	run_end(&r);
	CHECK(r.n_lines == 2);
	CHECK_STR(cols(&r, 1), "10.0.0.1 40004 10.0.0.2 8083 tcp - - - OTH 0 C 0 0 0 0");
	CHECK(strncmp(r.lines[1], "30.500000\t", 10) == 0);
}

static void test_udp(void)
{
	struct run r;
	run_start(&r, false);
	udp(&r, 40.0, 1, 50000, 2, 9999, "ping");
	udp(&r, 40.5, 2, 9999, 1, 50000, "pong!");
	run_end(&r);
	CHECK(r.n_lines == 1);
	CHECK_STR(cols(&r, 0), "10.0.0.1 50000 10.0.0.2 9999 udp 0.500000 4 5 SF 0 Dd 1 32 1 33");

	/* From a likely server port: flipped at creation. Default mode: 53. */
	run_start(&r, false);
	udp(&r, 41.0, 2, 53, 1, 50001, "answer");
	udp(&r, 42.0, 2, 4789, 1, 50002, "vxlan");
	run_end(&r);
	CHECK(r.n_lines == 2);
	CHECK_STR(cols(&r, 0), "10.0.0.1 50001 10.0.0.2 53 udp - - - SHR 0 ^d 0 0 1 34");
	CHECK_STR(cols(&r, 1), "10.0.0.1 50002 10.0.0.2 4789 udp - - - SHR 0 ^d 0 0 1 33");

	/* Bare mode: 53/udp is not a server port, the tunnel ports still are. */
	run_start(&r, true);
	udp(&r, 41.0, 2, 53, 1, 50001, "answer");
	udp(&r, 42.0, 2, 4789, 1, 50002, "vxlan");
	run_end(&r);
	CHECK(r.n_lines == 2);
	CHECK_STR(cols(&r, 0), "10.0.0.2 53 10.0.0.1 50001 udp - - - S0 0 D 1 34 0 0");
	CHECK_STR(cols(&r, 1), "10.0.0.1 50002 10.0.0.2 4789 udp - - - SHR 0 ^d 0 0 1 33");
}

static void test_icmp_echo(void)
{
	struct run r;
	run_start(&r, false);
	send_ip(&r, 50.0, 1, 8, 2, 0, 1, 0, 0, 0, "abcd", false);
	send_ip(&r, 50.01, 2, 0, 1, 0, 1, 0, 0, 0, "abcd", false);
	run_end(&r);
	CHECK(r.n_lines == 1);
	CHECK_STR(cols(&r, 0), "10.0.0.1 8 10.0.0.2 0 icmp 0.010000 4 4 OTH 0 - 1 32 1 32");
}

static void test_reuse_after_close(void)
{
	struct run r;
	run_start(&r, false);
	tcp(&r, 60.0, 1, 40005, 2, 25, 100, 0, SYN, "");
	tcp(&r, 60.1, 2, 25, 1, 40005, 500, 101, SYN | ACK, "");
	tcp(&r, 60.2, 1, 40005, 2, 25, 101, 501, ACK, "");
	tcp(&r, 60.3, 1, 40005, 2, 25, 101, 501, FIN | ACK, "");
	tcp(&r, 60.4, 2, 25, 1, 40005, 501, 102, FIN | ACK, "");
	tcp(&r, 60.5, 1, 40005, 2, 25, 102, 502, ACK, "");
	/* Within the 5 s close delay: a new SYN on the same ports. */
	tcp(&r, 61.0, 1, 40005, 2, 25, 9000, 0, SYN, "");
	run_end(&r);
	CHECK(r.n_lines == 2);
	CHECK_STR(cols(&r, 0), "10.0.0.1 40005 10.0.0.2 25 tcp 0.400000 0 0 SF 0 ShAFf 4 160 2 80");
	CHECK_STR(cols(&r, 1), "10.0.0.1 40005 10.0.0.2 25 tcp - - - S0 0 S 1 40 0 0");
	CHECK(strncmp(r.lines[1], "61.000000\t", 10) == 0);
}

static void test_timeout_and_flush_order(void)
{
	struct run r;
	run_start(&r, false);
	udp(&r, 0.0, 1, 3333, 2, 9999, "a");	/* idle from 0: expires at 60 */
	udp(&r, 30.0, 1, 1111, 2, 9999, "b");	/* expires at 90 */
	udp(&r, 50.0, 1, 5000, 2, 9999, "c");	/* alive at the end */
	udp(&r, 95.0, 1, 4000, 2, 9999, "d");	/* alive at the end */
	run_end(&r);
	CHECK(r.n_lines == 4);
	/* Timers in expiry order, then the rest in key order (ports BE). */
	CHECK(strstr(cols(&r, 0), "10.0.0.1 3333 ") == cols(&r, 0));
	CHECK(strstr(cols(&r, 1), "10.0.0.1 1111 ") == cols(&r, 1));
	CHECK(strstr(cols(&r, 2), "10.0.0.1 4000 ") == cols(&r, 2));
	CHECK(strstr(cols(&r, 3), "10.0.0.1 5000 ") == cols(&r, 3));
	CHECK_STR(cols(&r, 0), "10.0.0.1 3333 10.0.0.2 9999 udp - - - S0 0 D 1 29 0 0");

	/* Activity postpones the timeout: last packet at 50 -> expires at 110. */
	run_start(&r, false);
	udp(&r, 0.0, 1, 7000, 2, 9999, "x");
	udp(&r, 50.0, 2, 9999, 1, 7000, "y");
	udp(&r, 100.0, 1, 100, 2, 9999, "z");
	udp(&r, 111.0, 1, 200, 2, 9999, "w");
	run_end(&r);
	CHECK(r.n_lines == 3);
	CHECK(strstr(cols(&r, 0), "10.0.0.1 7000 ") == cols(&r, 0));
	CHECK_STR(cols(&r, 0), "10.0.0.1 7000 10.0.0.2 9999 udp 50.000000 1 1 SF 0 Dd 1 29 1 29");
	CHECK(strstr(cols(&r, 1), "10.0.0.1 100 ") == cols(&r, 1));
	CHECK(strstr(cols(&r, 2), "10.0.0.1 200 ") == cols(&r, 2));
}

int main(void)
{
	test_handshake_data_fin();
	test_time_backwards();
	test_rej_and_s0();
	test_synack_first_flip();
	test_bad_checksum_only();
	test_udp();
	test_icmp_echo();
	test_reuse_after_close();
	test_timeout_and_flush_order();
	return check_summary();
}
