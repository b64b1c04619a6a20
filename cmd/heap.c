#define _DEFAULT_SOURCE /* sbrk, madvise, MADV_HUGEPAGE */

#include "cmd/heap.h"

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* The heap's start and how far it has been advised. cmd/ may keep
 * process-wide state (STYLE.md): this is the process's own heap. */
static uintptr_t heap_start, advised_to;

void heap_use_huge_pages(void)
{
	mallopt(M_TOP_PAD, 64 << 20);
	/* Giving memory back and taking it again would fault it in again. */
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	long page = sysconf(_SC_PAGESIZE);
	void *probe = malloc(64);
	if (!probe || page <= 0)
		return;
	heap_start = (uintptr_t)probe & ~((uintptr_t)page - 1);
	free(probe);
	heap_advise_growth();
}

void heap_advise_growth(void)
{
	void *top = sbrk(0);
	if (!heap_start || top == (void *)-1 || (uintptr_t)top <= advised_to)
		return;
	uintptr_t from = advised_to > heap_start ? advised_to : heap_start;
	if ((uintptr_t)top > from)
		(void)madvise((void *)from, (uintptr_t)top - from, MADV_HUGEPAGE);
	advised_to = (uintptr_t)top;
}
