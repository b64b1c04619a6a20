/* Unit tests for output/tsv.c, output/json.c and output/limits.c: whole
 * lines built from schemas, checked byte for byte (zeek-core-spec §1-§3),
 * and every JSON line parsed back with jansson. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "output/json.h"
#include "output/limits.h"
#include "output/tsv.h"
#include "tests/check.h"

static const struct log_format fmt_epoch = {LOG_JSON_TS_EPOCH};

#define V_COUNT(x) {.present = true, .u.count = (x)}
#define V_PORT(x) {.present = true, .u.port = (x)}
#define V_BOOL(x) {.present = true, .u.b = (x)}
#define V_INT(x) {.present = true, .u.i = (x)}
#define V_DBL(x) {.present = true, .u.d = (x)}
#define V_STR(s) {.present = true, .u.str = {(s), sizeof(s) - 1}}
#define V_UNSET {.present = false}

static struct log_value v_addr(const char *text)
{
	struct log_value v = {.present = true};
	CHECK(sl_addr_parse(text, &v.u.addr));
	return v;
}

static struct log_value v_subnet(const char *text)
{
	struct log_value v = {.present = true};
	CHECK(sl_subnet_parse(text, &v.u.subnet));
	return v;
}

static struct log_value v_list(const struct log_value *items, size_t n)
{
	struct log_value v = {.present = true};
	v.u.list.items = items;
	v.u.list.n = n;
	return v;
}

/* Every JSON line must be one valid object that ends in a newline. */
static void check_json_valid(const struct buf *b)
{
	CHECK(b->len > 0 && b->data[b->len - 1] == '\n');
	json_error_t err;
	json_t *j = json_loadb((const char *)b->data, b->len - 1, 0, &err);
	if (!j)
		fprintf(stderr, "jansson: %s at %d\n", err.text, err.position);
	CHECK(j != NULL && json_is_object(j));
	json_decref(j);
}

static bool ends_with(const struct buf *b, const char *tail)
{
	size_t n = strlen(tail);
	bool ok = b->len >= n && memcmp(b->data + b->len - n, tail, n) == 0;
	if (!ok)
		fprintf(stderr, "line ends \"%.*s\", want \"%s\"\n",
			(int)(b->len < n ? b->len : n),
			(const char *)b->data + b->len - (b->len < n ? b->len : n), tail);
	return ok;
}

static void render(const struct log_writer_ops *ops,
		   const struct log_schema *schema,
		   const struct log_value *values,
		   const struct log_format *fmt, struct buf *b)
{
	buf_reset(b);
	ops->record(b, schema, values, fmt, NULL);
	CHECK(!buf_error(b));
	if (ops == &json_writer_ops)
		check_json_valid(b);
}

/* conn.log's default columns (§3.1) */
static const struct log_field conn_fields[] = {
	{"ts", LOG_TIME, LOG_SCALAR},
	{"uid", LOG_STRING, LOG_SCALAR},
	{"id.orig_h", LOG_ADDR, LOG_SCALAR},
	{"id.orig_p", LOG_PORT, LOG_SCALAR},
	{"id.resp_h", LOG_ADDR, LOG_SCALAR},
	{"id.resp_p", LOG_PORT, LOG_SCALAR},
	{"proto", LOG_ENUM, LOG_SCALAR},
	{"service", LOG_STRING, LOG_SCALAR},
	{"duration", LOG_INTERVAL, LOG_SCALAR},
	{"orig_bytes", LOG_COUNT, LOG_SCALAR},
	{"resp_bytes", LOG_COUNT, LOG_SCALAR},
	{"conn_state", LOG_STRING, LOG_SCALAR},
	{"local_orig", LOG_BOOL, LOG_SCALAR},
	{"local_resp", LOG_BOOL, LOG_SCALAR},
	{"missed_bytes", LOG_COUNT, LOG_SCALAR},
	{"history", LOG_STRING, LOG_SCALAR},
	{"orig_pkts", LOG_COUNT, LOG_SCALAR},
	{"orig_ip_bytes", LOG_COUNT, LOG_SCALAR},
	{"resp_pkts", LOG_COUNT, LOG_SCALAR},
	{"resp_ip_bytes", LOG_COUNT, LOG_SCALAR},
	{"tunnel_parents", LOG_STRING, LOG_SET},
	{"ip_proto", LOG_COUNT, LOG_SCALAR},
};
static const struct log_schema conn_schema = {
	.path = "conn", .fields = conn_fields, .n_fields = sizeof conn_fields / sizeof conn_fields[0]};

static void test_conn(void)
{
	struct log_value v[22] = {
		V_DBL(1362692526.869344),
		V_STR("CHhAvVGS1DHFjwGM9"),
		v_addr("141.142.228.5"),
		V_PORT(59856),
		v_addr("192.150.187.43"),
		V_PORT(80),
		V_STR("tcp"),
		V_STR("http"),
		V_DBL(1362692527.080828 - 1362692526.869344),
		V_COUNT(136),
		V_COUNT(5007),
		V_STR("SF"),
		V_BOOL(false),
		V_BOOL(false),
		V_COUNT(0),
		V_STR("ShADadFf"),
		V_COUNT(7),
		V_COUNT(512),
		V_COUNT(7),
		V_COUNT(5379),
		V_UNSET,
		V_COUNT(6),
	};
	struct buf b;
	buf_init(&b, 1 << 20);

	/* §3.11, core.tcp.reassembly-known-ports (ts masked there) */
	render(&tsv_writer_ops, &conn_schema, v, &fmt_epoch, &b);
	CHECK_BYTES(b.data, b.len,
		    "1362692526.869344\tCHhAvVGS1DHFjwGM9\t141.142.228.5\t59856\t"
		    "192.150.187.43\t80\ttcp\thttp\t0.211484\t136\t5007\tSF\tF\tF"
		    "\t0\tShADadFf\t7\t512\t7\t5379\t-\t6\n");
	const char *masked = "XXXXXXXXXX.XXXXXX\tCHhAvVGS1DHFjwGM9\t141.142.228.5\t"
			     "59856\t192.150.187.43\t80\ttcp\thttp\t0.211484\t136\t"
			     "5007\tSF\tF\tF\t0\tShADadFf\t7\t512\t7\t5379\t-\t6\n";
	CHECK(b.len == strlen(masked) && b.data[10] == '.' &&
	      memcmp(b.data + 17, masked + 17, b.len - 17) == 0);

	render(&json_writer_ops, &conn_schema, v, &fmt_epoch, &b);
	CHECK_BYTES(b.data, b.len,
		    "{\"ts\":1362692526.869344,\"uid\":\"CHhAvVGS1DHFjwGM9\","
		    "\"id.orig_h\":\"141.142.228.5\",\"id.orig_p\":59856,"
		    "\"id.resp_h\":\"192.150.187.43\",\"id.resp_p\":80,"
		    "\"proto\":\"tcp\",\"service\":\"http\","
		    "\"duration\":0.21148395538330078,\"orig_bytes\":136,"
		    "\"resp_bytes\":5007,\"conn_state\":\"SF\","
		    "\"local_orig\":false,\"local_resp\":false,"
		    "\"missed_bytes\":0,\"history\":\"ShADadFf\",\"orig_pkts\":7,"
		    "\"orig_ip_bytes\":512,\"resp_pkts\":7,"
		    "\"resp_ip_bytes\":5379,\"ip_proto\":6}\n");

	/* The ftp.cwd-navigation line: long-lived, T/T, a gap. */
	struct log_value w[22];
	memcpy(w, v, sizeof w);
	w[2] = v_addr("10.3.22.91");
	w[3] = (struct log_value)V_PORT(58218);
	w[4] = v_addr("10.167.25.101");
	w[5] = (struct log_value)V_PORT(21);
	w[7] = (struct log_value)V_STR("ftp");
	w[8] = (struct log_value)V_DBL(600.931043);
	w[9] = (struct log_value)V_COUNT(41420);
	w[10] = (struct log_value)V_COUNT(159830);
	w[11] = (struct log_value)V_STR("S1");
	w[12] = (struct log_value)V_BOOL(true);
	w[13] = (struct log_value)V_BOOL(true);
	w[14] = (struct log_value)V_COUNT(233);
	w[15] = (struct log_value)V_STR("ShAdDaGg");
	w[16] = (struct log_value)V_COUNT(4139);
	w[17] = (struct log_value)V_COUNT(206914);
	w[18] = (struct log_value)V_COUNT(4178);
	w[19] = (struct log_value)V_COUNT(326799);
	render(&tsv_writer_ops, &conn_schema, w, &fmt_epoch, &b);
	CHECK(memcmp(b.data + 17,
		     "\tCHhAvVGS1DHFjwGM9\t10.3.22.91\t58218\t10.167.25.101\t21\t"
		     "tcp\tftp\t600.931043\t41420\t159830\tS1\tT\tT\t233\t"
		     "ShAdDaGg\t4139\t206914\t4178\t326799\t-\t6\n",
		     b.len - 17) == 0);

	/* Header and footer (§1.2) */
	buf_reset(&b);
	tsv_writer_ops.header(&b, &conn_schema, NULL, "2026-03-01-14-05-09");
	tsv_writer_ops.footer(&b, &conn_schema, NULL, "2026-03-01-14-05-10");
	CHECK_BYTES(b.data, b.len,
		    "#separator \\x09\n"
		    "#set_separator\t,\n"
		    "#empty_field\t(empty)\n"
		    "#unset_field\t-\n"
		    "#path\tconn\n"
		    "#open\t2026-03-01-14-05-09\n"
		    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p"
		    "\tproto\tservice\tduration\torig_bytes\tresp_bytes"
		    "\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory"
		    "\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes"
		    "\ttunnel_parents\tip_proto\n"
		    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring"
		    "\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring"
		    "\tcount\tcount\tcount\tcount\tset[string]\tcount\n"
		    "#close\t2026-03-01-14-05-10\n");
	buf_reset(&b);
	json_writer_ops.header(&b, &conn_schema, NULL, "2026-03-01-14-05-09");
	json_writer_ops.footer(&b, &conn_schema, NULL, "2026-03-01-14-05-10");
	CHECK(b.len == 0);

	/* ISO 8601 and millis time forms */
	const struct log_format iso = {.json_ts = LOG_JSON_TS_ISO8601};
	const struct log_format ms = {.json_ts = LOG_JSON_TS_MILLIS};
	render(&json_writer_ops, &conn_schema, v, &iso, &b);
	CHECK(memcmp(b.data, "{\"ts\":\"2013-03-07T21:42:06.869344Z\",\"uid\"", 41) == 0);
	render(&json_writer_ops, &conn_schema, v, &ms, &b);
	CHECK(memcmp(b.data, "{\"ts\":1362692526869,\"uid\"", 25) == 0);
	buf_free(&b);
}

/* The ascii-json baseline's record, all types (§2.2) */
static const struct log_field all_fields[] = {
	{"b", LOG_BOOL, LOG_SCALAR},
	{"i", LOG_INT, LOG_SCALAR},
	{"e", LOG_ENUM, LOG_SCALAR},
	{"c", LOG_COUNT, LOG_SCALAR},
	{"p", LOG_PORT, LOG_SCALAR},
	{"sn", LOG_SUBNET, LOG_SCALAR},
	{"a", LOG_ADDR, LOG_SCALAR},
	{"d", LOG_DOUBLE, LOG_SCALAR},
	{"t", LOG_TIME, LOG_SCALAR},
	{"iv", LOG_INTERVAL, LOG_SCALAR},
	{"s", LOG_STRING, LOG_SCALAR},
	{"sc", LOG_COUNT, LOG_SET},
	{"ss", LOG_STRING, LOG_SET},
	{"se", LOG_STRING, LOG_SET},
	{"vc", LOG_COUNT, LOG_VECTOR},
	{"ve", LOG_STRING, LOG_VECTOR},
	{"vn", LOG_COUNT, LOG_VECTOR},
	{"sn6", LOG_SUBNET, LOG_SCALAR},
	{"a6", LOG_ADDR, LOG_SCALAR},
	{"opt", LOG_STRING, LOG_SCALAR},
	{"va", LOG_ADDR, LOG_VECTOR},
};
static const struct log_schema all_schema = {
	.path = "ssh", .fields = all_fields, .n_fields = sizeof all_fields / sizeof all_fields[0]};

static void test_all_types(void)
{
	static const struct log_value sc[] = {V_COUNT(4), V_COUNT(2), V_COUNT(3), V_COUNT(1)};
	static const struct log_value ss[] = {V_STR("CC"), V_STR("BB"), V_STR("AA")};
	static const struct log_value vc[] = {V_COUNT(10), V_COUNT(20), V_COUNT(30)};
	static const struct log_value vn[] = {V_COUNT(0), V_UNSET, V_COUNT(2)};
	struct log_value va[2];
	va[0] = v_addr("1.2.3.4");
	va[1] = v_addr("2001:db8::1");
	struct log_value v[] = {
		V_BOOL(true), V_INT(-42), V_STR("SSH::LOG"), V_COUNT(21),
		V_PORT(123), v_subnet("10.0.0.0/24"), v_addr("1.2.3.4"),
		V_DBL(3.14), V_DBL(1254722767.529046), V_DBL(100.0),
		V_STR("hurz"), v_list(sc, 4), v_list(ss, 3), v_list(NULL, 0),
		v_list(vc, 3), v_list(NULL, 0), v_list(vn, 3),
		v_subnet("2001:db8::/32"), v_addr("::2"), V_UNSET, v_list(va, 2),
	};
	CHECK(v[5].u.subnet.prefix == 120);
	struct buf b;
	buf_init(&b, 1 << 20);
	render(&tsv_writer_ops, &all_schema, v, &fmt_epoch, &b);
	CHECK_BYTES(b.data, b.len,
		    "T\t-42\tSSH::LOG\t21\t123\t10.0.0.0/24\t1.2.3.4\t3.14\t"
		    "1254722767.529046\t100.000000\thurz\t4,2,3,1\tCC,BB,AA\t"
		    "(empty)\t10,20,30\t(empty)\t0,-,2\t2001:db8::/32\t::2\t-\t"
		    "1.2.3.4,2001:db8::1\n");
	render(&json_writer_ops, &all_schema, v, &fmt_epoch, &b);
	CHECK_BYTES(b.data, b.len,
		    "{\"b\":true,\"i\":-42,\"e\":\"SSH::LOG\",\"c\":21,\"p\":123,"
		    "\"sn\":\"10.0.0.0/24\",\"a\":\"1.2.3.4\",\"d\":3.14,"
		    "\"t\":1254722767.529046,\"iv\":100.0,\"s\":\"hurz\","
		    "\"sc\":[4,2,3,1],\"ss\":[\"CC\",\"BB\",\"AA\"],\"se\":[],"
		    "\"vc\":[10,20,30],\"ve\":[],\"vn\":[0,null,2],"
		    "\"sn6\":\"2001:db8::/32\",\"a6\":\"::2\","
		    "\"va\":[\"1.2.3.4\",\"2001:db8::1\"]}\n");

	/* NaN and infinities: "nan"/"inf" in TSV, null in JSON */
	v[7] = (struct log_value)V_DBL(NAN);
	v[8] = (struct log_value)V_DBL(INFINITY);
	v[9] = (struct log_value)V_DBL(-INFINITY);
	render(&json_writer_ops, &all_schema, v, &fmt_epoch, &b);
	CHECK(strstr((const char *)b.data, "\"d\":null,\"t\":null,\"iv\":null,") != NULL);
	render(&tsv_writer_ops, &all_schema, v, &fmt_epoch, &b);
	CHECK(memcmp(b.data, "T\t-42\tSSH::LOG\t21\t123\t10.0.0.0/24\t1.2.3.4\tnan\tinf\t-inf\t", 49) == 0);

	/* All unset: TSV dashes, JSON an empty object */
	struct log_value none[sizeof v / sizeof v[0]];
	memset(none, 0, sizeof none);
	render(&tsv_writer_ops, &all_schema, none, &fmt_epoch, &b);
	CHECK_BYTES(b.data, b.len, "-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\n");
	render(&json_writer_ops, &all_schema, none, &fmt_epoch, &b);
	CHECK_BYTES(b.data, b.len, "{}\n");
	buf_free(&b);
}

static const struct log_field str_fields[] = {
	{"s", LOG_STRING, LOG_SCALAR},
	{"ss", LOG_STRING, LOG_SET},
	{"e", LOG_ENUM, LOG_SCALAR},
};
static const struct log_schema str_schema = {.path = "test", .fields = str_fields, .n_fields = 3};

static void test_strings(void)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	/* ascii-escape-set-separator: this order is Zeek's hash order. */
	static const struct log_value set[] = {V_STR(","), V_STR("CC"), V_STR(",,"), V_STR("AA")};
	struct log_value v[3] = {V_STR("#Kaputt"), v_list(set, 4), V_STR("a,b")};
	render(&tsv_writer_ops, &str_schema, v, &fmt_epoch, &b);
	CHECK_BYTES(b.data, b.len, "\\x23Kaputt\t\\x2c,CC,\\x2c\\x2c,AA\ta,b\n");
	render(&json_writer_ops, &str_schema, v, &fmt_epoch, &b);
	CHECK_BYTES(b.data, b.len,
		    "{\"s\":\"#Kaputt\",\"ss\":[\",\",\"CC\",\",,\",\"AA\"],\"e\":\"a,b\"}\n");

	/* A set element that starts the line with '#' also gets \x23. */
	static const struct log_value hs[] = {V_STR("#x"), V_STR("-"), V_STR("")};
	struct log_value h[3] = {V_UNSET, v_list(hs, 3), V_STR("-")};
	struct log_schema first_set = {.path = "test", .fields = str_fields + 1, .n_fields = 2};
	render(&tsv_writer_ops, &first_set, h + 1, &fmt_epoch, &b);
	CHECK_BYTES(b.data, b.len, "\\x23x,\\x2d,(empty)\t\\x2d\n");
	render(&tsv_writer_ops, &str_schema, h, &fmt_epoch, &b);
	CHECK_BYTES(b.data, b.len, "-\t#x,\\x2d,(empty)\t\\x2d\n");

	/* §1.8 and §2.5 examples inside whole records */
	struct log_value u[3] = {V_STR("foo \n\t\0 bar"), v_list(NULL, 0),
				 V_STR("\b\f\n\r\t\x00\x15")};
	render(&tsv_writer_ops, &str_schema, u, &fmt_epoch, &b);
	CHECK_BYTES(b.data, b.len,
		    "foo \\x0a\\x09\\x00 bar\t(empty)\t\\x08\\x0c\\x0a\\x0d\\x09\\x00\\x15\n");
	render(&json_writer_ops, &str_schema, u, &fmt_epoch, &b);
	CHECK_BYTES(b.data, b.len,
		    "{\"s\":\"foo \\n\\t\\\\x00 bar\",\"ss\":[],"
		    "\"e\":\"\\b\\f\\n\\r\\t\\\\x00\\\\x15\"}\n");
	buf_free(&b);
}

static void test_limits(void)
{
	struct buf b;
	buf_init(&b, 1 << 24);
	char *big = malloc(300000);
	memset(big, 'a', 300000);
	/* A UTF-8 character cut by the 4096-byte limit turns unclean. */
	memcpy(big + 4095, "\xc3\xa9", 2);

	/* One string: cut at 4096 bytes. */
	struct log_value v[3] = {{.present = true, .u.str = {big, 5000}},
				 v_list(NULL, 0), V_STR("ok")};
	render(&tsv_writer_ops, &str_schema, v, &fmt_epoch, &b);
	CHECK(b.len == 4095 + 4 + 12);
	CHECK(ends_with(&b, "aa\\xc3\t(empty)\tok\n"));
	/* The unclean cut makes the whole segment escaped. */
	render(&json_writer_ops, &str_schema, v, &fmt_epoch, &b);
	CHECK(strstr((const char *)b.data, "aa\\\\xc3\",\"ss\":[]") != NULL);

	/* Containers: 100 per field, 500 per record. */
	static struct log_value items[150];
	for (size_t i = 0; i < 150; i++)
		items[i] = (struct log_value)V_STR("x");
	static const struct log_field many_fields[] = {
		{"v1", LOG_STRING, LOG_VECTOR}, {"v2", LOG_STRING, LOG_VECTOR},
		{"v3", LOG_STRING, LOG_VECTOR}, {"v4", LOG_STRING, LOG_VECTOR},
		{"v5", LOG_STRING, LOG_VECTOR}, {"v6", LOG_STRING, LOG_VECTOR},
		{"e", LOG_ENUM, LOG_SCALAR},
	};
	const struct log_schema many = {.path = "test", .fields = many_fields, .n_fields = 7};
	struct log_value m[7];
	for (int i = 0; i < 6; i++)
		m[i] = v_list(items, 150);
	m[6] = (struct log_value)V_STR("tcp");
	render(&tsv_writer_ops, &many, m, &fmt_epoch, &b);
	size_t commas = 0, tabs = 0;
	for (size_t i = 0; i < b.len; i++) {
		commas += b.data[i] == ',';
		tabs += b.data[i] == '\t';
	}
	CHECK(tabs == 6);
	CHECK(commas == 5 * 99);	/* five fields of 100, then none */
	CHECK(memcmp(b.data + b.len - 13, "\t(empty)\ttcp\n", 13) == 0);
	render(&json_writer_ops, &many, m, &fmt_epoch, &b);
	CHECK(ends_with(&b, "\"x\"],\"v6\":[],\"e\":\"tcp\"}\n"));

	/* 256000 string bytes per record: later strings are (empty). */
	static struct log_value chunks[70];
	for (size_t i = 0; i < 70; i++)
		chunks[i] = (struct log_value){.present = true, .u.str = {big, 4096}};
	struct log_value r[3] = {v_list(chunks, 70), v_list(chunks, 70), V_STR("late")};
	const struct log_schema two = {.path = "test", .fields = many_fields, .n_fields = 2};
	struct log_value r2[2] = {r[0], r[1]};
	render(&tsv_writer_ops, &two, r2, &fmt_epoch, &b);
	/* 62 strings of 4096 = 253952, the 63rd gets 2048, the rest none. */
	size_t empties = 0;
	for (size_t i = 0; i + 7 <= b.len; i++)
		empties += memcmp(b.data + i, "(empty)", 7) == 0;
	CHECK(empties == 140 - 63);
	struct limits_budget lb;
	limits_begin(&lb, NULL);
	CHECK(limits_take_string(&lb, 5000) == 4096);
	CHECK(lb.truncations == 1);
	for (int i = 0; i < 61; i++)
		CHECK(limits_take_string(&lb, 4096) == 4096);
	CHECK(limits_take_string(&lb, 4096) == 256000 - 62 * 4096);
	CHECK(limits_take_string(&lb, 1) == 0);
	CHECK(limits_take_container(&lb, 0) == 0);
	CHECK(limits_take_container(&lb, 101) == 100);
	for (int i = 0; i < 4; i++)
		CHECK(limits_take_container(&lb, 100) == 100);
	CHECK(limits_take_container(&lb, 1) == 0);
	/* Enums are not strings to the limit: a later enum survives. */
	struct log_value s3[3] = {{.present = true, .u.str = {big, 4096}}, v_list(NULL, 0), V_STR("tcp")};
	render(&json_writer_ops, &str_schema, s3, &fmt_epoch, &b);
	CHECK(ends_with(&b, ",\"e\":\"tcp\"}\n"));
	free(big);
	buf_free(&b);
}

/* ---- LogAscii's separators and markers (the writer's general path) ---- */

static const struct log_field opt_fields[] = {
	{"t", LOG_TIME, LOG_SCALAR},	  {"id.orig_h", LOG_ADDR, LOG_SCALAR},
	{"id.orig_p", LOG_PORT, LOG_SCALAR}, {"status", LOG_STRING, LOG_SCALAR},
	{"country", LOG_STRING, LOG_SCALAR}, {"b", LOG_BOOL, LOG_SCALAR},
	{"ss", LOG_STRING, LOG_SET},
};
static const struct log_schema opt_schema = {
	.path = "ssh", .fields = opt_fields, .n_fields = sizeof opt_fields / sizeof opt_fields[0]};

static void text_set(struct log_text *t, const char *p, size_t n)
{
	memcpy(t->p, p, n);
	t->n = n;
}

static struct log_format ascii_fmt(const char *sep, const char *set_sep, const char *empty,
				   const char *unset)
{
	struct log_format f;
	memset(&f, 0, sizeof f);
	f.ascii.custom = true;
	text_set(&f.ascii.separator, sep, strlen(sep));
	text_set(&f.ascii.set_separator, set_sep, strlen(set_sep));
	text_set(&f.ascii.empty_field, empty, strlen(empty));
	text_set(&f.ascii.unset_field, unset, strlen(unset));
	return f;
}

/* One ssh line: status, country (NULL: unset), b unset, ss = {elem} or
 * unset (NULL) or empty (""... as n = 0 when elem_n is 0). */
static void opt_line(struct buf *b, const struct log_format *f, struct log_writer_state *st,
		     const char *status, size_t status_n, const char *country,
		     const struct log_value *ss, size_t n_ss, bool ss_present)
{
	struct log_value v[7] = {V_DBL(1.5), v_addr("1.2.3.4"), V_PORT(1234), V_UNSET,
				 V_UNSET,     V_UNSET,		 V_UNSET};
	if (status) {
		v[3].present = true;
		v[3].u.str.p = status;
		v[3].u.str.n = status_n;
	}
	if (country) {
		v[4].present = true;
		v[4].u.str.p = country;
		v[4].u.str.n = strlen(country);
	}
	if (ss_present)
		v[6] = v_list(ss, n_ss);
	buf_reset(b);
	tsv_writer_ops.record(b, &opt_schema, v, f, st);
	CHECK(!buf_error(b));
}

static void test_ascii_options(void)
{
	struct buf b;
	buf_init(&b, 1 << 20);

	/* A two-byte separator inside a value (as Zeek's ascii-escape). */
	struct log_format f = ascii_fmt("||", ",", "(empty)", "-");
	opt_line(&b, &f, NULL, "fa||ure", 7, "UK", NULL, 0, false);
	CHECK_BYTES(b.data, b.len, "1.500000||1.2.3.4||1234||fa\\x7c\\x7cure||UK||-||-\n");

	/* Header: line 1 with a space, the rest joined by the separator. */
	buf_reset(&b);
	tsv_writer_ops.header(&b, &opt_schema, &f, "2026-03-01-14-05-09");
	tsv_writer_ops.footer(&b, &opt_schema, &f, "2026-03-01-14-05-10");
	CHECK_BYTES(b.data, b.len,
		    "#separator ||\n#set_separator||,\n#empty_field||(empty)\n#unset_field||-\n"
		    "#path||ssh\n#open||2026-03-01-14-05-09\n"
		    "#fields||t||id.orig_h||id.orig_p||status||country||b||ss\n"
		    "#types||time||addr||port||string||string||bool||set[string]\n"
		    "#close||2026-03-01-14-05-10\n");

	/* Markers of one's own (ascii-empty): unset and empty strings. */
	f = ascii_fmt("|", ",", "EMPTY", "NOT-SET");
	opt_line(&b, &f, NULL, "", 0, NULL, NULL, 0, true);
	CHECK_BYTES(b.data, b.len, "1.500000|1.2.3.4|1234|EMPTY|NOT-SET|NOT-SET|EMPTY\n");
	/* A value equal to a marker gets its first byte escaped. */
	opt_line(&b, &f, NULL, "EMPTY", 5, "NOT-SET", NULL, 0, false);
	CHECK_BYTES(b.data, b.len, "1.500000|1.2.3.4|1234|\\x45MPTY|\\x4eOT-SET|NOT-SET|NOT-SET\n");

	/* Binary next to the separator (ascii-binary). */
	opt_line(&b, &f, NULL, "abc|\xff" "def", 8, "abc\xff|def", NULL, 0, false);
	CHECK_BYTES(b.data, b.len,
		    "1.500000|1.2.3.4|1234|abc\\x7c\\xffdef|abc\\xff\\x7cdef|NOT-SET|NOT-SET\n");

	/* A separator that occurs in numbers and addresses is escaped there
	 * too: ODesc::Add escapes whatever it is given. */
	f = ascii_fmt(".", ",", "(empty)", "-");
	opt_line(&b, &f, NULL, "a.b", 3, "x", NULL, 0, false);
	CHECK_BYTES(b.data, b.len,
		    "1\\x2e500000.1\\x2e2\\x2e3\\x2e4.1234.a\\x2eb.x.-.-\n");

	/* A multibyte set separator that is valid UTF-8, as an element. */
	f = ascii_fmt("\t", "\xc2\xae", "(empty)", "-");
	struct log_value el[2] = {V_STR("\xc2\xae"), V_STR("a")};
	opt_line(&b, &f, NULL, "s", 1, "c", el, 2, true);
	CHECK_BYTES(b.data, b.len, "1.500000\t1.2.3.4\t1234\ts\tc\t-\t\\xc2\\xae\xc2\xae" "a\n");
	buf_reset(&b);
	tsv_writer_ops.header(&b, &opt_schema, &f, "T");
	CHECK(memcmp(b.data, "#separator \\x09\n#set_separator\t\\xc2\\xae\n", 39) == 0);

	/* Equal separators: Zeek's escape set loses the separator with the
	 * first non-empty set, for the rest of the file. */
	f = ascii_fmt(",", ",", "(empty)", "-");
	struct log_writer_state st = {false};
	struct log_value xy[1] = {V_STR("x,y")};
	opt_line(&b, &f, &st, "a,b", 3, "c,d", xy, 1, true);
	CHECK_BYTES(b.data, b.len, "1.500000,1.2.3.4,1234,a\\x2cb,c\\x2cd,-,x\\x2cy\n");
	opt_line(&b, &f, &st, "a,b", 3, "c,d", xy, 1, true);
	CHECK_BYTES(b.data, b.len, "1.500000,1.2.3.4,1234,a,b,c,d,-,x\\x2cy\n");

	/* An empty separator hides every sequence escape (it sorts first and
	 * matches with length 0); backslashes are still doubled. */
	f = ascii_fmt("", ",", "(empty)", "-");
	struct log_value ab[1] = {V_STR("a,\\b")};
	opt_line(&b, &f, NULL, "q,\\", 3, NULL, ab, 1, true);
	CHECK_BYTES(b.data, b.len, "1.5000001.2.3.41234q,\\\\--a,\\\\b\n");

	/* include_meta = F: no header, no footer; the line-start rule stays. */
	f = ascii_fmt("|", ",", "(empty)", "-");
	f.ascii.no_meta = true;
	buf_reset(&b);
	tsv_writer_ops.header(&b, &opt_schema, &f, "T");
	tsv_writer_ops.footer(&b, &opt_schema, &f, "T");
	CHECK(b.len == 0);
	struct log_format plain;
	memset(&plain, 0, sizeof plain);
	plain.ascii.no_meta = true;
	buf_reset(&b);
	tsv_writer_ops.header(&b, &opt_schema, &plain, "T");
	CHECK(b.len == 0);

	/* The general path with the default strings equals the fast path. */
	static const char *const vals[] = {"-", "(empty)", "", "a\tb", "a\\b", "x,y", "#x",
					   "\xc3\xa9\n", "\xc3\xa9\t\xff", "ok", "-x"};
	struct log_format dflt = ascii_fmt("\t", ",", "(empty)", "-");
	struct buf fast;
	buf_init(&fast, 1 << 20);
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		struct log_value e[2] = {{.present = true, .u.str = {vals[i], strlen(vals[i])}},
					 V_STR("k")};
		opt_line(&b, &dflt, NULL, vals[i], strlen(vals[i]), vals[i], e, 2, true);
		opt_line(&fast, &fmt_epoch, NULL, vals[i], strlen(vals[i]), vals[i], e, 2, true);
		CHECK(b.len == fast.len && memcmp(b.data, fast.data, b.len) == 0);
	}
	buf_free(&fast);
	buf_free(&b);
}

int main(void)
{
	test_conn();
	test_all_types();
	test_strings();
	test_limits();
	test_ascii_options();
	return check_summary();
}
