/*
 * The heap in transparent huge pages. A run touches a few hundred
 * megabytes of fresh heap; with 4 KiB pages, page faults and TLB misses
 * took a fifth of the default mode's time (mail-256m: 29,700 faults,
 * 2,200 with huge pages). The kernel gives huge pages only to mappings
 * advised for them, and glibc's heap grows by new mappings, so the run
 * advises each growth before most of it is touched. Advice only: where
 * the kernel says no, nothing changes. (GLIBC_TUNABLES=glibc.malloc.hugetlb=1
 * does the same, but only when set before the program starts.)
 */
#ifndef SMTPLOG_CMD_HEAP_H
#define SMTPLOG_CMD_HEAP_H

/* Before the first allocation of note: the heap grows 64 MiB at a time
 * and is not trimmed below 256 MiB, and its start is advised. Large blocks
 * keep their own mappings (glibc's default): freed, they go back at once. */
void heap_use_huge_pages(void);
/* Advises what the heap grew by since the last call; cheap enough to call
 * every few thousand packets. */
void heap_advise_growth(void);

#endif
