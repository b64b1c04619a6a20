/* Connection UIDs in Zeek's format: "C" + base62(32 bits) + base62(64 bits). */
#ifndef SMTPLOG_CORE_UID_H
#define SMTPLOG_CORE_UID_H

#include <stddef.h>
#include <stdint.h>

#define UID_TEXT_MAX 24

struct uid_gen {
	uint64_t s[4];		/* xoshiro256** state, seeded from the OS */
};

/* Seeds from getrandom(); returns 0 or -errno. */
int uid_gen_init_random(struct uid_gen *g);
/* Writes prefix + base62(hi32) + base62(lo64), NUL-terminated. */
void uid_format(char prefix, uint32_t a, uint64_t b, char out[UID_TEXT_MAX]);
void uid_next_conn(struct uid_gen *g, char out[UID_TEXT_MAX]);

#endif
