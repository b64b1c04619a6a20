/*
 * Decodes every packet of the conformance traces (../shared/conformance/
 * traces, or $SMTPLOG_CONFORMANCE/traces) and counts the results: the
 * point is that nothing crashes (run it under the sanitizers) and that
 * every drop names its weird. Skips cleanly when the corpus is absent;
 * .gz traces are skipped (libpcap cannot read them).
 */
#define _DEFAULT_SOURCE	/* libpcap's headers use u_int */
#include <dirent.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/decode.h"
#include "tests/check.h"

static unsigned long counts[4];
static unsigned long drops_without_weird;

static void one_trace(const char *path, struct frag_table *frags, const struct decode_opts *o)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(path, err);
	if (!pc) {
		printf("skip %s: %s\n", path, err);
		return;
	}
	int dlt = pcap_datalink(pc);
	struct pcap_pkthdr *h;
	const u_char *data;
	while (pcap_next_ex(pc, &h, &data) == 1) {
		/* A heap copy of exactly caplen bytes, so ASan sees overreads. */
		uint8_t *copy = malloc(h->caplen ? h->caplen : 1);
		if (!copy)
			break;
		memcpy(copy, data, h->caplen);
		struct packet p;
		memset(&p, 0, sizeof p);
		p.ts = (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e6;
		p.caplen = h->caplen;
		p.wirelen = h->len;
		p.linktype = dlt;
		p.data = copy;
		p.vlan = p.inner_vlan = -1;
		const char *weird = NULL;
		enum decode_result r = decode_packet(o, frags, &p, &weird);
		counts[r]++;
		if (r == DECODE_DROP && !weird)
			drops_without_weird++;
		if (r == DECODE_OK) {
			struct tcp_header th;
			struct udp_header uh;
			struct icmp_header ih;
			if (p.proto == 6)
				(void)tcp_parse(&p, &th);
			else if (p.proto == 17)
				(void)udp_parse(&p, &uh);
			else if (p.proto == 1 || p.proto == 58)
				(void)icmp_parse(&p, &ih);
			if (p.l4.n == p.l4_len)
				(void)l4_checksum_ok(&p);
		}
		free(copy);
	}
	pcap_close(pc);
}

/* Every capture under dir, subfolders included; returns how many. */
static unsigned walk(const char *dir, struct frag_table *frags, int depth)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	static const struct decode_opts with_c = {.ignore_checksums = true}, without_c;
	unsigned files = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (e->d_name[0] == '.' || (n > 3 && !strcmp(e->d_name + n - 3, ".gz")))
			continue;
		char path[8192];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		DIR *sub = opendir(path);
		if (sub) {
			closedir(sub);
			if (depth < 4)
				files += walk(path, frags, depth + 1);
			continue;
		}
		one_trace(path, frags, &without_c);
		one_trace(path, frags, &with_c);
		files++;
	}
	closedir(d);
	return files;
}

int main(void)
{
	const char *env = getenv("SMTPLOG_CONFORMANCE");
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/traces", env ? env : "/work/shared/conformance");
	DIR *d = opendir(dir);
	if (!d) {
		printf("SKIP: no conformance traces in %s\n", dir);
		return check_summary();
	}
	closedir(d);
	struct frag_table *frags = frag_table_new();
	unsigned files = walk(dir, frags, 0);
	frag_table_free(frags);
	printf("%u traces: %lu ok, %lu not IP, %lu pending fragments, %lu dropped\n", files,
	       counts[DECODE_OK], counts[DECODE_NOT_IP], counts[DECODE_PENDING],
	       counts[DECODE_DROP]);
	CHECK(drops_without_weird == 0);
	CHECK(files == 0 || counts[DECODE_OK] > 0);
	return check_summary();
}
