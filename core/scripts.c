/* The Zeek scripts of core's own logs and frameworks (conn.log, file
 * analysis); the protocols' are in their analyzers' descriptors. */
#include "core/analyzer.h"
#include "core/config.h"

const struct analyzer_script core_scripts[] = {
	{"base/protocols/conn", SCRIPT_CONN, "conn.log", true, NULL},
	{"policy/frameworks/files/hash-all-files", SCRIPT_HASH_ALL_FILES | SCRIPT_FILES_HASH,
	 "files.log gains md5, sha1, sha256 for every file", false, NULL},
	{"base/files/hash", SCRIPT_FILES_HASH,
	 "files.log gains the md5, sha1, sha256 columns (filled for files something hashes)", false, NULL},
	{"base/files/extract", SCRIPT_FILES_EXTRACT,
	 "files.log gains extracted, extracted_cutoff, extracted_size", false, NULL},
	{"policy/frameworks/files/extract-all-files", SCRIPT_FILES_EXTRACT | SCRIPT_EXTRACT_ALL_FILES,
	 "extract every file into DIR/extract_files/ (as -x)", false, NULL},
	{"policy/protocols/conn/community-id-logging", SCRIPT_CONN | SCRIPT_COMMUNITY_ID,
	 "conn.log gains community_id", false, NULL},
	{"policy/protocols/conn/mac-logging", SCRIPT_CONN | SCRIPT_MAC_LOGGING,
	 "conn.log gains orig_l2_addr, resp_l2_addr", false, NULL},
	{"policy/protocols/conn/vlan-logging", SCRIPT_CONN | SCRIPT_VLAN_LOGGING,
	 "conn.log gains vlan, inner_vlan", false, NULL},
	/* Decapsulation is Zeek's packet analysis, always on; the framework
	 * adds tunnel.log. */
	{"base/frameworks/tunnels", SCRIPT_TUNNELS, "tunnel.log (decapsulation itself is always on)",
	 true, NULL},
	/* Its DPD signature file is empty in Zeek 9: AYIYA and Teredo are
	 * found by the packet analysis' protocol detection. */
	{"base/protocols/tunnels", 0, "tunnel DPD signatures (none in Zeek 9; changes nothing)", true,
	 NULL},
	/* weird.log, and notice.log for the weirds whose action is a notice:
	 * neither changes conn.log or the other logs smtplog writes (Zeek's
	 * default mode loads it, and its other logs there are the same). */
	{"base/frameworks/notice/weird", 0,
	 "weird.log: not written by smtplog (weirds are counted in the summary)", true, "weird.log"},
	{NULL, 0, NULL, false, NULL},
};

const char *const core_logs[] = {"conn.log", "files.log", "tunnel.log", NULL};
