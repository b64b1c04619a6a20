/* Shared by the decode modules only (decode.c, decode_ip.c, ipfrag.c, decode_l4.c). */
#ifndef SMTPLOG_CORE_DECODE_INT_H
#define SMTPLOG_CORE_DECODE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/decode.h"

/* One's-complement sum of n bytes added to `sum` (not folded). */
uint64_t cksum_add(uint64_t sum, const uint8_t *p, size_t n);
/* Folds to 16 bits; a correct checksum region folds to 0xffff. */
uint16_t cksum_fold(uint64_t sum);

/*
 * Zeek's IP analyzer: parses the datagram at ip (cap bytes left after the
 * link layer) into pkt's network fields. `link_len` is the link header
 * length (Zeek's wire-length check and the -C length fix-up use it).
 * Fragments go to the table; a completed datagram is parsed again from the
 * table's buffer.
 */
enum decode_result decode_ip(const struct decode_opts *opts, struct frag_table *frags,
			     struct packet *pkt, const uint8_t *ip, size_t cap,
			     size_t link_len, const char **weird);

/* Everything the fragment table needs to know about one fragment. */
struct frag_info {
	uint8_t version;
	/* Unfragmentable part: the IPv4 header, or the IPv6 header and the
	 * extension headers before the fragment header. */
	const uint8_t *hdr;
	size_t hdr_len;
	size_t next_hdr_at;	/* IPv6: offset in hdr of the byte naming the fragment header */
	uint8_t proto;		/* IPv4 protocol, or the fragment header's next header */
	uint32_t id;
	uint32_t offset;	/* bytes */
	bool more;
	bool dont_fragment;
	const uint8_t *data;	/* the fragment's payload, fully captured */
	size_t len;
};

/*
 * Adds a fragment seen at time `now`, keyed like Zeek by (src, dst, id).
 * Returns the reassembled datagram (owned by the table, valid until the
 * next call) with its length in *out_len, or NULL when it is not complete.
 * *weird, if not NULL, may name something odd about the fragment either way.
 */
const uint8_t *frag_add(struct frag_table *t, double now, const struct sl_addr *src,
			const struct sl_addr *dst, const struct frag_info *f, size_t *out_len,
			const char **weird);

#endif
