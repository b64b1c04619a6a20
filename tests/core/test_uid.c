/* Unit tests for core/uid.c: zeek-core-spec §4.1-4.7 and the §10 vectors. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/uid.h"
#include "tests/check.h"

/* The btest seed file (testing/btest/random.seed), as §10 lists it. */
static const char btest_seed[] =
	"2983378351\n1299727368\n0\n310447\n0\n1409073626\n3975311262\n"
	"34130240\n1450515018\n1466150520\n1342286698\n1193956778\n"
	"2188527278\n3361989254\n3912865238\n3596260151\n517973768\n"
	"1462428821\n0\n2278350848\n32767\n";

static const char *const btest_uids[] = {
	"CHhAvVGS1DHFjwGM9",  "ClEkJM2Vm5giqnMf4h", "C4J4Th3PJpwUYZZ6gc",
	"CtPZjS20MLrsMUOJi2", "CUM0KZ3MLUfNB0cl11", "CmES5u32sYpV7JYN",
	"CP5puj4I8PtEU4qzYg", "C37jN32gN3y3AZzyf6", "C3eiCBGOLw3VtHfOj",
	"CwjjYJ2WqgTbAqiHl6",
};

static const char *const btest_uids_17_20[] = {
	"C7fIlMZDuRiqjpYbb", "CykQaM33ztNt0csB9a", "CtxTCR2Yer0FR1tIBg",
	"CpmdRlaUoJLN3uIRa",
};

/* Writes text to a fresh temporary file; the caller unlinks path. */
static int write_temp(const char *text, char path[64])
{
	const char *dir = getenv("TMPDIR");
	snprintf(path, 64, "%s/smtplog-seed-XXXXXX", dir ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	size_t len = strlen(text);
	ssize_t n = write(fd, text, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/* Loads seed text through a temporary file; returns init's result. */
static int init_from_text(struct uid_gen *g, const char *text, char *err,
			  size_t errlen)
{
	char path[64];
	if (write_temp(text, path) != 0) {
		CHECK(!"cannot write temporary seed file");
		return -1;
	}
	int rc = uid_gen_init_seed_file(g, path, err, errlen);
	unlink(path);
	return rc;
}

static void check_btest_sequence(struct uid_gen *g)
{
	char uid[UID_TEXT_MAX];
	for (size_t i = 0; i < 10; i++) {
		uid_next_conn(g, uid);
		CHECK_STR(uid, btest_uids[i]);
	}
	for (size_t i = 10; i < 16; i++)
		uid_next_conn(g, uid);
	for (size_t i = 0; i < 4; i++) {
		uid_next_conn(g, uid);
		CHECK_STR(uid, btest_uids_17_20[i]);
	}
}

static void test_seeded_uids(void)
{
	struct uid_gen g;
	char err[256] = "";
	CHECK(init_from_text(&g, btest_seed, err, sizeof err) == 0);
	CHECK(g.table_key.k0 == 0x00000000572ae495ULL);
	CHECK(g.table_key.k1 == 0x00007fff87cce000ULL);
	CHECK(uid_gen_table_key(&g) == &g.table_key);
	check_btest_sequence(&g);
}

/* The corpus copy, when this checkout sits beside ../shared. */
static void test_corpus_seed_file(void)
{
	const char *path = "/work/shared/conformance/random.seed";
	struct uid_gen g;
	char err[256] = "";
	if (access(path, R_OK) != 0)
		return;
	CHECK(uid_gen_init_seed_file(&g, path, err, sizeof err) == 0);
	check_btest_sequence(&g);
}

/* -D: all-zero seeds (values computed with the verified algorithm). */
static void test_zero_seeds(void)
{
	static const uint32_t zero[UID_SEED_WORDS];
	static const char *const want[] = {
		"CJKFoj4bpHEhTeaRoj", "CRdT6w4PA64qWKmBk3",
		"Cj5C653qaTXsxKtqD2"};
	struct uid_gen g;
	char uid[UID_TEXT_MAX];
	CHECK(uid_gen_init_seeds(&g, zero) == 0);
	for (size_t i = 0; i < 3; i++) {
		uid_next_conn(&g, uid);
		CHECK_STR(uid, want[i]);
	}
}

/* fscanf("%u") accepts any white space, signs and trailing text. */
static void test_seed_file_lenient_syntax(void)
{
	struct uid_gen g;
	char err[256] = "", uid[UID_TEXT_MAX];
	const char *text =
		"  +2983378351 1299727368 0 310447\t0 1409073626 3975311262\r\n"
		"34130240 1450515018 1466150520 1342286698 1193956778 "
		"2188527278 3361989254\v3912865238 3596260151 517973768\f"
		"1462428821 0 2278350848 32767junk after the last value";
	CHECK(init_from_text(&g, text, err, sizeof err) == 0);
	uid_next_conn(&g, uid);
	CHECK_STR(uid, btest_uids[0]);

	/* Out-of-range values wrap as glibc's scanf stores them. */
	const char *wrap = "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 "
			   "-1 4294967296 99999999999999999999999 -0 5";
	CHECK(init_from_text(&g, wrap, err, sizeof err) == 0);
	CHECK(g.table_key.k0 == 0x00000000ffffffffULL);
	CHECK(g.table_key.k1 == 0x00000000ffffffffULL);
}

static void test_seed_file_rejects(void)
{
	struct uid_gen g;
	char err[256];
	char path[64];
	static const char *const bad[] = {
		"",
		"1 2 3",
		"0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19",
		"0 1 2 3 4 x 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20",
		"0 1 2 3 4 5abc 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20",
		"0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 -",
		"0x10 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		int rc = init_from_text(&g, bad[i], err, sizeof err);
		if (rc >= 0)
			fprintf(stderr, "accepted: \"%s\"\n", bad[i]);
		CHECK(rc < 0);
		CHECK(strstr(err, "could not load seeds from file") != NULL);
	}
	CHECK(init_from_text(&g, "1 2 3", err, sizeof err) < 0);
	CHECK(strstr(err, "ends after 3 of the 21 numbers") != NULL);
	CHECK(init_from_text(&g, bad[3], err, sizeof err) < 0);
	CHECK(strstr(err, "value 6 of 21 is not") != NULL);

	if (write_temp("", path) == 0) {
		unlink(path);
		err[0] = '\0';
		CHECK(uid_gen_init_seed_file(&g, path, err, sizeof err) < 0);
		CHECK(strstr(err, "could not open seed file") != NULL);
	}
}

/*
 * google/highwayhash's published HighwayHash-64 results for the key
 * 00 01 .. 1f over the message 00 01 .. (i-1). They exercise the packet and
 * remainder paths that the 128-bit fuid vectors share.
 */
static const uint64_t hh64_vectors[65] = {
	0x907a56de22c26e53ULL, 0x7eab43aac7cddd78ULL, 0xb8d0569ab0b53d62ULL,
	0x5c6befab8a463d80ULL, 0xf205a46893007edaULL, 0x2b8a1668e4a94541ULL,
	0xbd4ccc325befca6fULL, 0x4d02ae1738f59482ULL, 0xe1205108e55f3171ULL,
	0x32d2644ec77a1584ULL, 0xf6e10acdb103a90bULL, 0xc3bbf4615b415c15ULL,
	0x243cc2040063fa9cULL, 0xa89a58ce65e641ffULL, 0x24b031a348455a23ULL,
	0x40793f86a449f33bULL, 0xcfab3489f97eb832ULL, 0x19fe67d2c8c5c0e2ULL,
	0x04dd90a69c565cc2ULL, 0x75d9518e2371c504ULL, 0x38ad9b1141d3dd16ULL,
	0x0264432ccd8a70e0ULL, 0xa9db5a6288683390ULL, 0xd7b05492003f028cULL,
	0x205f615aea59e51eULL, 0xeee0c89621052884ULL, 0x1bfc1a93a7284f4fULL,
	0x512175b5b70da91dULL, 0xf71f8976a0a2c639ULL, 0xae093fef1f84e3e7ULL,
	0x22ca92b01161860fULL, 0x9fc7007ccf035a68ULL, 0xa0c964d9ecd580fcULL,
	0x2c90f73ca03181fcULL, 0x185cf84e5691eb9eULL, 0x4fc1f5ef2752aa9bULL,
	0xf5b7391a5e0a33ebULL, 0xb9b84b83b4e96c9cULL, 0x5e42fe712a5cd9b4ULL,
	0xa150f2f90c3f97dcULL, 0x7fa522d75e2d637dULL, 0x181ad0cc0dffd32bULL,
	0x3889ed981e854028ULL, 0xfb4297e8c586ee2dULL, 0x6d064a45bb28059cULL,
	0x90563609b3ec860cULL, 0x7aa4fce94097c666ULL, 0x1326bac06b911e08ULL,
	0xb926168d2b154f34ULL, 0x9919848945b1948dULL, 0xa2a98fc534825ebeULL,
	0xe9809095213ef0b6ULL, 0x582e5483707bc0e9ULL, 0x086e9414a88a6af5ULL,
	0xee86b98d20f6743dULL, 0xf89b7ff609b1c0a7ULL, 0x4c7d9cc19e22c3e8ULL,
	0x9a97005024562a6fULL, 0x5dd41cf423e6ebefULL, 0xdf13609c0468e227ULL,
	0x6e0da4f64188155aULL, 0xb755ba4b50d7d4a1ULL, 0x887a3484647479bdULL,
	0xab8eebe9bf2139a0ULL, 0x75542c5d4cd2a6ffULL,
};

static void test_highwayhash_vectors(void)
{
	const struct highwayhash_key key = {{
		0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL,
		0x1716151413121110ULL, 0x1f1e1d1c1b1a1918ULL}};
	uint8_t msg[64];
	for (size_t i = 0; i < sizeof msg; i++)
		msg[i] = (uint8_t)i;
	for (size_t n = 0; n <= sizeof msg; n++) {
		uint64_t got = highwayhash64(&key, msg, n);
		if (got != hh64_vectors[n])
			fprintf(stderr, "highwayhash64 length %zu\n", n);
		CHECK(got == hh64_vectors[n]);
	}
}

static void check_fuid(const struct uid_gen *g, const char *handle,
		       const char *want)
{
	char fuid[UID_TEXT_MAX];
	uid_file_id(g, handle, strlen(handle), fuid);
	CHECK_STR(fuid, want);
}

/* §4.7 and §10: the same handle gives the same fuid in every mode. */
static void test_file_ids(void)
{
	static const char *const vec[][2] = {
		{"Analyzer::ANALYZER_SMTP1254722767.52904613",
		 "FmFp351N5nhsMmAfQg"},
		{"Analyzer::ANALYZER_SMTP1254722767.52904614",
		 "Fqrb1K5DWEfgy4WU2"},
		{"Analyzer::ANALYZER_SMTP1254722767.52904615",
		 "FEFYSd1s8Onn9LynKj"},
		{"Analyzer::ANALYZER_SSL1394747126.848519F192.168.4.149:60623 "
		 "> 74.125.239.129:4430",
		 "FgN3AE3of2TRIqaeQe"},
		{"Analyzer::ANALYZER_SSL1394747126.848519F192.168.4.149:60623 "
		 "> 74.125.239.129:4431",
		 "Fv2Agc4z5boBOacQi6"},
		{"Analyzer::ANALYZER_SSL1394747126.848519F192.168.4.149:60623 "
		 "> 74.125.239.129:4432",
		 "Ftmyeg2qgI2V38Dt3g"},
		{"Analyzer::ANALYZER_SSL1394747129.499503F192.168.4.149:60624 "
		 "> 74.125.239.129:4430",
		 "FUFNf84cduA0IJCp07"},
		{"Analyzer::ANALYZER_SSL1394747129.499503F192.168.4.149:60624 "
		 "> 74.125.239.129:4431",
		 "F1H4bd2OKGbLPEdHm4"},
		{"Analyzer::ANALYZER_SSL1394747129.499503F192.168.4.149:60624 "
		 "> 74.125.239.129:4432",
		 "Fgsbci2jxFXYMOHOhi"},
	};
	struct uid_gen seeded, zero, random;
	static const uint32_t zero_words[UID_SEED_WORDS];
	char err[256];
	CHECK(init_from_text(&seeded, btest_seed, err, sizeof err) == 0);
	CHECK(uid_gen_init_seeds(&zero, zero_words) == 0);
	CHECK(uid_gen_init_random(&random) == 0);
	/* SHA-256("Please change this value.") as four LE words (§4.6). */
	CHECK(seeded.fuid_key.k[0] == 0xce599c824a262fc4ULL);
	CHECK(seeded.fuid_key.k[3] == 0x20b49d1c21269960ULL);
	for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
		check_fuid(&seeded, vec[i][0], vec[i][1]);
		check_fuid(&zero, vec[i][0], vec[i][1]);
		check_fuid(&random, vec[i][0], vec[i][1]);
	}

	/* A different salt gives different IDs; the default restores them. */
	char fuid[UID_TEXT_MAX];
	CHECK(uid_gen_set_digest_salt(&seeded, "x", 1) == 0);
	uid_file_id(&seeded, vec[0][0], strlen(vec[0][0]), fuid);
	CHECK(strcmp(fuid, vec[0][1]) != 0);
	CHECK(uid_gen_set_digest_salt(&seeded, UID_DEFAULT_DIGEST_SALT,
				      strlen(UID_DEFAULT_DIGEST_SALT)) == 0);
	check_fuid(&seeded, vec[0][0], vec[0][1]);
}

static int is_base62(const char *s)
{
	for (; *s; s++)
		if (!strchr("0123456789abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
			    *s))
			return 0;
	return 1;
}

static void test_random_mode(void)
{
	struct uid_gen a, b;
	char ua[UID_TEXT_MAX], ub[UID_TEXT_MAX];
	CHECK(uid_gen_init_random(&a) == 0);
	CHECK(uid_gen_init_random(&b) == 0);
	CHECK(uid_gen_table_key(&a) == NULL);
	CHECK(a.instance != 0);
	uid_next_conn(&a, ua);
	uid_next_conn(&b, ub);
	CHECK(ua[0] == 'C' && is_base62(ua + 1));
	CHECK(strlen(ua) >= 3 && strlen(ua) <= 18);
	CHECK(strcmp(ua, ub) != 0);
}

static void test_format(void)
{
	char out[UID_TEXT_MAX];
	uid_format('C', 0, 0, out);
	CHECK_STR(out, "C00");
	/* Least significant digit first: 62 is "01", not "10". */
	uid_format('F', 62, 61, out);
	CHECK_STR(out, "F01Z");
	uid_format('C', UINT32_MAX, UINT64_MAX, out);
	CHECK(strlen(out) == 1 + 6 + 11);
	/* §4.2's worked example. */
	uid_format('C', 0x32a69871u, 8212758540548283482ULL, out);
	CHECK_STR(out, "CHhAvVGS1DHFjwGM9");
}

int main(void)
{
	test_format();
	test_seeded_uids();
	test_corpus_seed_file();
	test_zero_seeds();
	test_seed_file_lenient_syntax();
	test_seed_file_rejects();
	test_highwayhash_vectors();
	test_file_ids();
	test_random_mode();
	return check_summary();
}
