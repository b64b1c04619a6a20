/*
 * Address extraction for smtp.log (spec §2.8-2.10): the regular
 * expressions of Zeek's base/utils/email.zeek and addrs.zeek as
 * hand-written scanners (ip_addr_regex: two DFAs that tools/gen_ip_dfa.py
 * makes from it) with Zeek's find_all / split_string_all semantics
 * (left to right; at each position the longest match starting there;
 * scanning resumes right after a match), all in time linear in the text.
 * Nothing allocates: matches are views into the input, transformed values
 * go to a caller buffer.
 *
 * mailfrom (request MAIL, argument starts FROM:):
 *	uint8_t tmp[arg.n]-sized buffer (any buffer of >= arg.n bytes);
 *	struct bytes v;
 *	if (smtp_addr_mailfrom(arg, buf, cap, &v)) rec.mailfrom = v;
 *
 * rcptto (request RCPT, argument starts TO:) — three sets, see §2.8:
 *	struct smtp_addr_scan sc;
 *	struct bytes m;
 *	if (!smtp_addr_scan_email(&sc, arg)) weird(SMTP_ADDR_WEIRD_FIND_ALL);
 *	while (smtp_addr_next(&sc, &m)) set_add(A, m);           // string order
 *	for m in A: n = smtp_addr_clean(m, buf); set_add(B, buf, n);
 *	for b in B: n = smtp_addr_strip_orcpt(b, buf); set_add(rcptto, buf, n);
 *
 * To / Cc header values:
 *	smtp_addr_scan_mime(&sc, value);  // same weird if false
 *	while (smtp_addr_next(&sc, &m)) set_add(A, m);
 *	for m in A: set_add(B, smtp_addr_trim(m));
 *	for b in B: set_add(rec.to, b);   // with the 1000 limit
 *
 * X-Originating-IP: smtp_addr_x_originating_ip(value, &addr).
 * Received (path):  smtp_addr_received_ip(value, &addr), then append
 *                   unless it equals the path's last element.
 */
#ifndef SMTPLOG_PROTO_SMTP_ADDR_H
#define SMTPLOG_PROTO_SMTP_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "core/value.h"

/* max_find_all_string_length: find_all()/find_all_ordered() return
 * nothing for longer strings and raise this weird (addl names the script
 * location and sizes, "…: length N exceeded 10000(from constant
 * max_find_all_string_length"). */
#define SMTP_ADDR_FIND_ALL_MAX 10000
#define SMTP_ADDR_WEIRD_FIND_ALL "max_find_all_string_length_exceeded"

/* Limits applied by the caller to the record's sets / path. */
#define SMTP_ADDR_MAX_RCPTTO 1000 /* SMTP::max_rcptto_addresses */
#define SMTP_ADDR_MAX_TO 1000     /* SMTP::max_to_addresses */
#define SMTP_ADDR_MAX_CC 1000     /* SMTP::max_cc_addresses */
#define SMTP_ADDR_MAX_PATH 1000   /* SMTP::max_path_length */
/* The most any of the four may be set to (NAME=VALUE): half the
 * insertions a set remembers (SMTP_SET_HISTORY_MAX), so duplicates still
 * fit, and memory stays this many addresses per message. */
#define SMTP_ADDR_OPTION_MAX 100000

enum smtp_addr_pattern {
	SMTP_ADDR_EMAIL, /* email.zeek's address pattern P */
	SMTP_ADDR_MIME,  /* ("[^"]*")?[^,]+@[^,]+ */
};

/* A find_all() in progress; borrows the string. */
struct smtp_addr_scan {
	const uint8_t *s;
	size_t n, pos;
	enum smtp_addr_pattern pat;
	/* MIME pattern: cached comma-run facts (see smtp_addr.c). */
	size_t run_from[2], run_end[2], run_at[2];
	bool run_ok[2];
};

/* Both return false (and the scan yields nothing) when the string is
 * longer than SMTP_ADDR_FIND_ALL_MAX. */
bool smtp_addr_scan_email(struct smtp_addr_scan *sc, struct bytes s);
bool smtp_addr_scan_mime(struct smtp_addr_scan *sc, struct bytes s);
/* Next match in string order (duplicates included). */
bool smtp_addr_next(struct smtp_addr_scan *sc, struct bytes *match);

/* gsub(x, /[<>,:;[:blank:]]/, ""): out needs x.n bytes; returns length. */
size_t smtp_addr_clean(struct bytes x, uint8_t *out);
/* gsub(x, /ORCPT=rfc822;?/, ""): out needs x.n bytes (may equal x.p). */
size_t smtp_addr_strip_orcpt(struct bytes x, uint8_t *out);
/* strip(): leading and trailing isspace() removed; a view. */
struct bytes smtp_addr_trim(struct bytes x);

/* extract_first_email_addr(): false when there is no address (or the
 * argument is too long, see above; *too_long says which, may be NULL). */
bool smtp_addr_mailfrom(struct bytes arg, uint8_t *out, size_t cap,
			struct bytes *value, bool *too_long);

/* Length of the longest match of addrs.zeek's ip_addr_regex at s[0..n),
 * 0 if none. */
size_t smtp_addr_ip_match(const uint8_t *s, size_t n);
/* is_valid_ip() plus `as addr` (IPv4 with leading zeros allowed). */
bool smtp_addr_parse_ip(struct bytes text, struct sl_addr *out);

/* split_string_all(v, ip_addr_regex)'s separators (the matches), in
 * order, as offsets into v; borrows v. */
#define SMTP_ADDR_IP_CHUNK 1024
struct smtp_addr_ip_split {
	const uint8_t *s;
	size_t n, pos;
	size_t from, to; /* where matches start in [from, to): */
	uint64_t starts[SMTP_ADDR_IP_CHUNK / 64];
};
void smtp_addr_ip_split_begin(struct smtp_addr_ip_split *sp, struct bytes v);
bool smtp_addr_ip_split_next(struct smtp_addr_ip_split *sp, size_t *start, size_t *len);

/* extract_ip_addresses(v)[0]: the first valid IP anywhere in v. */
bool smtp_addr_x_originating_ip(struct bytes value, struct sl_addr *out);
/* find_address_in_smtp_header(v): the wrapped valid IPs of v
 * (extract_ip_addresses(v, T)); the second if there are several, else the
 * first; false if none. */
bool smtp_addr_received_ip(struct bytes value, struct sl_addr *out);

#endif
