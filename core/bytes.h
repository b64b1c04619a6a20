/* A borrowed view of bytes: the currency passed between layers. Never owns. */
#ifndef SMTPLOG_CORE_BYTES_H
#define SMTPLOG_CORE_BYTES_H

#include <stddef.h>
#include <stdint.h>

struct bytes {
	const uint8_t *p;
	size_t n;
};

#endif
