/* Shared by the decode modules only (decode.c, ipfrag.c, decode_l4.c). */
#ifndef SMTPLOG_CORE_DECODE_INT_H
#define SMTPLOG_CORE_DECODE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/decode.h"

/* One's-complement sum of n bytes added to `sum` (not folded). */
uint64_t cksum_add(uint64_t sum, const uint8_t *p, size_t n);
/* Folds to 16 bits; a correct checksum region folds to 0xffff. */
uint16_t cksum_fold(uint64_t sum);

/*
 * Parses an IP datagram at ip (cap bytes captured) into pkt's network
 * fields. `link_len` is the link header length (for Zeek's wire-length
 * check). Fragments go to the table; a completed datagram is parsed again
 * from the table's buffer.
 */
enum decode_result decode_ip(const struct decode_opts *opts, struct frag_table *frags,
			     struct packet *pkt, const uint8_t *ip, size_t cap,
			     size_t link_len, const char **weird);

/* Everything the fragment table needs to know about one fragment. */
struct frag_info {
	uint8_t version;
	const uint8_t *hdr;	/* unfragmentable part: IPv4 header, or IPv6 header + ext before the fragment header */
	size_t hdr_len;
	size_t next_hdr_at;	/* IPv6: offset in hdr of the next-header byte to patch */
	uint8_t next_proto;	/* IPv6: next header after the fragment header */
	uint32_t id;
	uint32_t offset;	/* bytes */
	bool more;
	const uint8_t *data;
	size_t len;
};

/*
 * Adds a fragment. Returns the reassembled datagram (valid until the next
 * call) with its length in *out_len, or NULL when incomplete or dropped
 * (*weird then may name why).
 */
const uint8_t *frag_add(struct frag_table *t, double now, const struct sl_addr *src,
			const struct sl_addr *dst, const struct frag_info *f, size_t *out_len,
			const char **weird);

#endif
