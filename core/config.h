/*
 * The run's configuration: what cmd/ parsed from the command line. Built
 * once, then passed down as a const pointer; nothing below cmd/ changes it.
 */
#ifndef SMTPLOG_CORE_CONFIG_H
#define SMTPLOG_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/log.h"
#include "core/value.h"

/* Zeek scripts of core's own logs and frameworks that change what
 * smtplog does (a bit each). The bits from CONFIG_SCRIPT_PROTO_FIRST up
 * are the analyzers' (proto/scripts.h); core never names them. */
enum config_script {
	SCRIPT_CONN = 1u << 0,		/* base/protocols/conn: conn.log */
	SCRIPT_COMMUNITY_ID = 1u << 1,	/* policy/protocols/conn/community-id-logging */
	SCRIPT_MAC_LOGGING = 1u << 2,	/* policy/protocols/conn/mac-logging */
	SCRIPT_VLAN_LOGGING = 1u << 3,	/* policy/protocols/conn/vlan-logging */
	SCRIPT_HASH_ALL_FILES = 1u << 5,	/* policy/frameworks/files/hash-all-files */
	SCRIPT_FILES_EXTRACT = 1u << 6,	/* base/files/extract: extracted* columns */
	SCRIPT_EXTRACT_ALL_FILES = 1u << 7,	/* policy/frameworks/files/extract-all-files */
	SCRIPT_FILES_HASH = 1u << 8,	/* base/files/hash: md5 sha1 sha256 columns */
	SCRIPT_TUNNELS = 1u << 9,	/* base/frameworks/tunnels: tunnel.log */
};
#define CONFIG_SCRIPT_PROTO_FIRST 16

/* Analyzers a registry may hold (the config keeps each one's options). */
#define CONFIG_MAX_ANALYZERS 16

#define CONFIG_MAX_EXTRACT_TYPES 32
#define CONFIG_EXTRACT_TYPE_MAX 128
#define CONFIG_EXTRACT_DIR_MAX 128 /* = FILES_EXTRACT_DIR_MAX */

enum config_extract_naming {
	EXTRACT_NAMING_ZEEK,	/* extract-<last_active>-<SOURCE>-<fuid> */
	EXTRACT_NAMING_SOURCE,	/* <SOURCE>-<fuid>.<ext> */
};

struct file_sink_ops;

/* -x / --extract and friends (zeek-core-spec §6). */
struct config_extract {
	bool on;
	/* MIME types (lower case; "none": no type detected) chosen at
	 * file_sniff; n_types 0 means every file, from file_new. */
	char types[CONFIG_MAX_EXTRACT_TYPES][CONFIG_EXTRACT_TYPE_MAX];
	size_t n_types;
	uint64_t limit;			/* FileExtract::default_limit, 0 = none */
	enum config_extract_naming naming;
	/* FileExtract::prefix as one folder name inside the output folder;
	 * "" is FILES_EXTRACT_DIR. */
	char dir[CONFIG_EXTRACT_DIR_MAX];
	/* The sink cmd/ wires in (output/extract.c); borrowed. */
	const struct file_sink_ops *sink;
	void *sink_ctx;
};

#define CONFIG_MAX_NETS 256

/* The Tunnel:: options (init-bare.zeek, the tunnel framework). All-zero
 * is Zeek's default. */
struct config_tunnel {
	unsigned max_depth;		/* Tunnel::max_depth (0: 4) */
	bool teredo_confirm_at_once;	/* Tunnel::delay_teredo_confirmation = F */
	bool delay_gtp_confirmation;	/* Tunnel::delay_gtp_confirmation = T */
	bool vxlan_checksum_optional;	/* Tunnel::validate_vxlan_checksums = F */
	double ip_tunnel_timeout;	/* Tunnel::ip_tunnel_timeout (0: 24 hrs) */
	double expiration_interval;	/* Tunnel::expiration_interval (0: 1 hr) */
	/* Tunnel::max_changes_per_connection when given (0: no limit). */
	bool max_changes_given;
	unsigned max_changes;
};

struct config {
	bool ignore_checksums;		/* -C */
	bool bare;			/* -b */
	unsigned scripts;		/* enum config_script bits in effect */
	/* Order in which optional conn.log columns were loaded. */
	unsigned conn_extra_order[4];
	size_t n_conn_extra;

	/* Site::local_nets as the user gave it; the private space is added
	 * separately when private_is_local. */
	struct sl_subnet local_nets[CONFIG_MAX_NETS];
	size_t n_local_nets;
	bool private_is_local;		/* Site::private_address_space_is_local */
	struct sl_subnet ignore_checksums_nets[CONFIG_MAX_NETS];
	size_t n_ignore_checksums_nets;

	/* likely_server_ports added by the user: port | proto << 16. */
	uint32_t extra_server_ports[CONFIG_MAX_NETS];
	size_t n_extra_server_ports;
	/* Those of Zeek's default mode, [0] TCP, [1] UDP (NULL in bare mode);
	 * borrowed from the registry. */
	const uint16_t *default_server_ports[2];
	size_t n_default_server_ports[2];

	bool mime_libmagic;		/* --mime-engine libmagic */
	bool json;			/* LogAscii::use_json */
	struct log_format log_format;
	bool deterministic;		/* a seed file was given */
	struct config_extract extract;
	struct config_tunnel tunnel;
	/* Each analyzer's options block (struct analyzer_option), by its
	 * index in the registry; NULL: Zeek's defaults. Owned by cmd/. */
	const void *analyzer_options[CONFIG_MAX_ANALYZERS];
};

#endif
