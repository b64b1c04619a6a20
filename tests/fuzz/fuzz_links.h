/* The link types the packet target picks from by one input byte (modulo):
 * every one core/decode.c knows, and raw IP under its several numbers.
 * Shared with seedgen.c, which writes the byte for a capture's link type. */
#ifndef SMTPLOG_TESTS_FUZZ_LINKS_H
#define SMTPLOG_TESTS_FUZZ_LINKS_H

static const int fuzz_links[] = {
    1 /* DLT_EN10MB */,
    0 /* DLT_NULL */,
    9 /* DLT_PPP */,
    50 /* DLT_PPP_SERIAL */,
    10 /* DLT_FDDI */,
    105 /* DLT_IEEE802_11 */,
    127 /* DLT_IEEE802_11_RADIO */,
    113 /* DLT_LINUX_SLL */,
    276 /* DLT_LINUX_SLL2 */,
    239 /* DLT_NFLOG */,
    12 /* DLT_RAW */,
    14 /* DLT_RAW on OpenBSD */,
    101 /* LINKTYPE_RAW */,
    228 /* DLT_IPV4 */,
    229 /* DLT_IPV6 */,
    108 /* DLT_LOOP */,
};
#define FUZZ_N_LINKS (sizeof fuzz_links / sizeof fuzz_links[0])

#endif
