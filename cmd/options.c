#include "cmd/options.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "cmd/version.h"
#include "core/bytes.h"
#include "core/files.h"
#include "core/magic.h"
#include "core/optval.h"
#include "core/tunnel.h"
#include "output/extract.h"
#include "proto/registry.h"

static const char usage_text[] =
	"usage: smtplog [OPTIONS] -r FILE [-r FILE ...] [SCRIPT ...] [NAME=VALUE ...]\n"
	"       smtplog diff [OPTIONS] A B  compare two log folders (see man page)\n"
	"\n"
	"Reads packet captures and writes the logs Zeek 9 would write for them.\n"
	"\n"
	"Zeek-compatible options:\n"
	"  -r, --read FILE|DIR      capture to read (pcap, pcapng, .gz, '-' = stdin), or\n"
	"                           every capture in a folder (sorted by name); repeat\n"
	"                           to merge several captures by timestamp\n"
	"  -f, --filter EXPR        BPF filter (libpcap syntax)\n"
	"  -C, --no-checksums       ignore bad IP/TCP/UDP/ICMP checksums\n"
	"  -b, --bare               bare mode: only what the SCRIPT arguments load\n"
	"  -G, --load-seeds FILE    Zeek seed file: deterministic UIDs, file IDs and\n"
	"                           set order (ZEEK_SEED_FILE does the same)\n"
	"  SCRIPT                   a supported Zeek script (see --help-scripts)\n"
	"  NAME=VALUE, NAME+=VALUE  a supported Zeek option (see --help-options)\n"
	"\n"
	"smtplog's own options:\n"
	"  -o, --output DIR         folder for the logs (created if missing; default .)\n"
	"      --json               write Zeek's JSON logs (LogAscii::use_json=T)\n"
	"      --json-timestamps epoch|iso8601|millis\n"
	"                           time format in JSON (LogAscii::json_timestamps)\n"
	"      --local-nets CIDR[,CIDR...]\n"
	"                           add to Site::local_nets\n"
	"      --no-private-local   do not count private address space as local\n"
	"                           (Site::private_address_space_is_local=F)\n"
	"      --mime-engine zeek|libmagic\n"
	"                           files.log mime_type from Zeek's own rules (default,\n"
	"                           Zeek-identical) or from libmagic (richer, not Zeek's)\n"
	"      --force              overwrite logs (and extracted files) already in\n"
	"                           the output folder\n"
	"      --recursive          -r DIR reads its subfolders too\n"
	"  -x, --extract [MIME,...] write files to DIR/extract_files/: all of them, or\n"
	"                           those of the listed detected MIME types ('none':\n"
	"                           no type detected; 'image/*': all images);\n"
	"                           files.log gains extracted, extracted_cutoff,\n"
	"                           extracted_size\n"
	"      --extract-limit BYTES\n"
	"                           cut each extracted file at BYTES (0 = no limit;\n"
	"                           default 104857600, FileExtract::default_limit)\n"
	"      --extract-naming zeek|source\n"
	"                           file names: zeek (extract-TS-SOURCE-FUID, the\n"
	"                           default) or source (SOURCE-FUID.EXT)\n"
	"      --progress auto|always|never\n"
	"                           progress line on stderr (auto: only on a terminal)\n"
	"  -q, --quiet              only errors on stderr (no warnings, no summary)\n"
	"      --stats FILE         the end-of-run summary as one JSON object\n"
	"      --help-scripts       list the supported SCRIPT names\n"
	"      --help-options       list the supported NAME=VALUE options\n"
	"  -h, --help               this help\n"
	"  -V, --version            version\n"
	"\n"
	"Exit status: 0 success, 1 usage, 2 an input could not be read (logs of what\n"
	"was read are still written), 3 output could not be written, 128+N stopped\n"
	"by signal N (130 SIGINT, 143 SIGTERM, 129 SIGHUP; the logs are complete up\n"
	"to where reading stopped).\n";

/* Every script smtplog accepts, core's then each analyzer's in registry
 * order; NULL past the last. */
static const struct analyzer_script *script_at(size_t i)
{
	for (const struct analyzer_script *c = core_scripts; c->name; c++)
		if (i-- == 0)
			return c;
	for (size_t k = 0; proto_analyzers[k]; k++)
		for (const struct analyzer_script *a = proto_analyzers[k]->scripts; a && a->name; a++)
			if (i-- == 0)
				return a;
	return NULL;
}

static size_t n_scripts(void)
{
	size_t n = 0;
	while (script_at(n))
		n++;
	return n;
}

/* Zeek's default mode: every script of base/init-default that smtplog has. */
static unsigned default_mode_bits(void)
{
	unsigned bits = 0;
	const struct analyzer_script *sc;
	for (size_t i = 0; (sc = script_at(i)); i++)
		if (sc->default_mode)
			bits |= sc->bits;
	return bits;
}

static const struct {
	const char *name;
	const char *help;
} zeek_options[] = {
	{"LogAscii::use_json", "T or F: JSON logs instead of TSV"},
	{"LogAscii::json_timestamps", "JSON::TS_EPOCH, JSON::TS_ISO8601 or JSON::TS_MILLIS"},
	{"Site::local_nets", "set of subnets counted as local, e.g. {10.0.0.0/8,192.168.0.0/16}"},
	{"Site::private_address_space_is_local", "T or F: private space counts as local"},
	{"ignore_checksums_nets", "set of subnets whose packets' checksums are not checked"},
	{"Log::default_max_field_string_bytes", "bytes kept of one string value (4096; 0 = no limit)"},
	{"Log::default_max_total_string_bytes", "string bytes kept per log line (256000; 0 = no limit)"},
	{"Log::default_max_field_container_elements", "elements kept of one set or vector (100; 0 = no limit)"},
	{"Log::default_max_total_container_elements", "set/vector elements kept per log line (500; 0 = no limit)"},
	{"likely_server_ports", "set of ports such as {25/tcp,53/udp} that decide who is the server (+= adds)"},
	{"FileExtract::default_limit", "count: cut extracted files at this many bytes (0 = no limit)"},
	{"LogAscii::include_meta", "T or F: the #-lines of TSV logs (T; JSON has none)"},
	{"LogAscii::separator", "string: between TSV fields (\\t), written as in a Zeek string"},
	{"LogAscii::set_separator", "string: between set/vector elements (,)"},
	{"LogAscii::empty_field", "string: an empty string, set or vector ((empty))"},
	{"LogAscii::unset_field", "string: an unset field (-)"},
	{"LogAscii::gzip_level", "0-9: gzip the logs at this level (0: off), TSV and JSON"},
	{"LogAscii::gzip_file_extension", "string: what gzipped logs end in after .log (gz)"},
	{"Log::default_logdir",
	 "folder for the logs, relative to the current one (as -o; not with -o)"},
	{"FileExtract::prefix",
	 "folder name inside the output folder for -x (extract_files); no '/', '..'"},
	{"ignore_checksums", "T: as -C (F changes nothing: -C still wins, as in Zeek)"},
	{"Tunnel::max_depth", "count 0-8: encapsulation levels decapsulated (4)"},
	{"Tunnel::delay_teredo_confirmation", "T or F: Teredo confirms only once both sides sent it (T)"},
	{"Tunnel::delay_gtp_confirmation", "T or F: GTPv1 confirms only once both sides sent it (F)"},
	{"Tunnel::validate_vxlan_checksums", "T or F: check a UDP checksum VXLAN sends (T)"},
	{"Tunnel::ip_tunnel_timeout", "interval: an idle IP tunnel's UID is forgotten after it (24hrs)"},
	{"Tunnel::expiration_interval", "interval: tunnel.log's EXPIRE after a tunnel is idle this long (1hr)"},
	{"Tunnel::max_changes_per_connection",
	 "count 0-255: tunnel changes a connection may make, then X and a weird (5; 0 = no limit)"},
};

#define N_ZEEK_OPTIONS (sizeof zeek_options / sizeof zeek_options[0])

/* Name, then help, the help column after the longest name. */
static void print_table(const char *const *names, const char *const *helps, size_t n)
{
	int w = 0;
	for (size_t i = 0; i < n; i++)
		if ((int)strlen(names[i]) > w)
			w = (int)strlen(names[i]);
	for (size_t i = 0; i < n; i++)
		printf("%-*s  %s\n", w, names[i], helps[i]);
}

static void print_scripts(void)
{
	size_t n = n_scripts();
	const char **names = malloc((n ? n : 1) * sizeof *names);
	const char **helps = malloc((n ? n : 1) * sizeof *helps);
	if (names && helps) {
		for (size_t i = 0; i < n; i++) {
			names[i] = script_at(i)->name;
			helps[i] = script_at(i)->help;
		}
		print_table(names, helps, n);
	}
	free(names);
	free(helps);
}

/* Every NAME=VALUE option: core's, then each analyzer's; the i-th, or
 * NULL past the last. */
static const char *zeek_option_at(size_t i, const char **help)
{
	if (i < N_ZEEK_OPTIONS) {
		*help = zeek_options[i].help;
		return zeek_options[i].name;
	}
	i -= N_ZEEK_OPTIONS;
	for (size_t k = 0; proto_analyzers[k]; k++)
		for (const struct analyzer_option *op = proto_analyzers[k]->options; op && op->name;
		     op++)
			if (i-- == 0) {
				*help = op->help;
				return op->name;
			}
	return NULL;
}

static void print_zeek_options(void)
{
	size_t n = 0;
	const char *help;
	while (zeek_option_at(n, &help))
		n++;
	const char **names = malloc(n * sizeof *names), **helps = malloc(n * sizeof *helps);
	if (names && helps) {
		for (size_t i = 0; i < n; i++)
			names[i] = zeek_option_at(i, &helps[i]);
		print_table(names, helps, n);
	}
	free(names);
	free(helps);
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "smtplog: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'smtplog --help'.\n");
	return 1;
}

/* Zeek resolves a script name against base/'s parent and policy/. */
static const struct analyzer_script *find_script(const char *arg)
{
	char name[256];
	size_t n = strlen(arg);
	if (n >= sizeof name)
		return NULL;
	memcpy(name, arg, n + 1);
	if (n > 5 && strcmp(name + n - 5, ".zeek") == 0)
		name[n - 5] = '\0';
	const struct analyzer_script *sc;
	for (size_t i = 0; (sc = script_at(i)); i++) {
		const char *s = sc->name;
		if (strcmp(s, name) == 0)
			return sc;
		if (strncmp(s, "policy/", 7) == 0 && strcmp(s + 7, name) == 0)
			return sc;
	}
	return NULL;
}

static void load_script(struct options *o, const struct analyzer_script *s)
{
	/* Policy scripts that add conn.log columns, in load order. */
	unsigned extra = s->bits & (SCRIPT_COMMUNITY_ID | SCRIPT_MAC_LOGGING | SCRIPT_VLAN_LOGGING);
	if (extra && !(o->cfg.scripts & extra) && o->cfg.n_conn_extra < 4)
		o->cfg.conn_extra_order[o->cfg.n_conn_extra++] = extra;
	o->cfg.scripts |= s->bits;
}

/* "{a,b}" or "set(a,b)" or a bare "a,b": a set of subnets. */
static int parse_subnets(const char *v, struct sl_subnet *out, size_t *n, size_t max)
{
	char buf[4096];
	size_t len = strlen(v);
	if (len >= sizeof buf)
		return -1;
	memcpy(buf, v, len + 1);
	char *p = buf;
	if (*p == '{' && len >= 2 && buf[len - 1] == '}') {
		p++;
		buf[len - 1] = '\0';
	} else if (strncmp(p, "set(", 4) == 0 && len >= 5 && buf[len - 1] == ')') {
		p += 4;
		buf[len - 1] = '\0';
	}
	for (char *tok = strtok(p, ","); tok; tok = strtok(NULL, ",")) {
		while (*tok == ' ')
			tok++;
		char *end = tok + strlen(tok);
		while (end > tok && end[-1] == ' ')
			*--end = '\0';
		if (*tok == '\0')
			continue;
		if (*n >= max || !sl_subnet_parse(tok, &out[*n]))
			return -1;
		(*n)++;
	}
	return 0;
}

/* "{25/tcp,53/udp}": ports with their transport, as Zeek writes them. */
static int parse_ports(const char *v, struct config *c)
{
	char buf[4096];
	size_t len = strlen(v);
	if (len >= sizeof buf || len < 2 || v[0] != '{' || v[len - 1] != '}')
		return -1;
	memcpy(buf, v + 1, len - 2);
	buf[len - 2] = '\0';
	for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
		while (*tok == ' ')
			tok++;
		char *end;
		unsigned long port = strtoul(tok, &end, 10);
		unsigned proto;
		if (end == tok || port > 65535)
			return -1;
		while (*end == ' ')
			end++;
		if (!strncmp(end, "/tcp", 4))
			proto = 6;
		else if (!strncmp(end, "/udp", 4))
			proto = 17;
		else if (!strncmp(end, "/icmp", 5))
			proto = 1;
		else
			return -1;
		if (c->n_extra_server_ports >= CONFIG_MAX_NETS)
			return -1;
		c->extra_server_ports[c->n_extra_server_ports++] = proto << 16 | (uint32_t)port;
	}
	return 0;
}

/* A byte count with an optional k, M or G (powers of 1024). */
static int parse_size(const char *v, uint64_t *out)
{
	char digits[32];
	size_t n = strlen(v);
	uint64_t unit = 1;
	if (n > 0 && strchr("kKmMgG", v[n - 1])) {
		char u = v[n - 1];
		unit = (u == 'k' || u == 'K') ? 1024 : (u == 'm' || u == 'M') ? 1024 * 1024
										: 1024 * 1024 * 1024;
		n--;
	}
	if (n == 0 || n >= sizeof digits)
		return -1;
	memcpy(digits, v, n);
	digits[n] = '\0';
	uint64_t count;
	if (optval_count(digits, &count) != 0 || count > UINT64_MAX / unit)
		return -1;
	*out = count * unit;
	return 0;
}

/* The bytes -x accepts in a type's two names. */
static bool is_mime_name_char(char c)
{
	return ascii_is_alnum((uint8_t)c) || c == '.' || c == '+' || c == '-' || c == '_';
}

/* One MIME type token, "type/subtype" (or "none"). */
static bool is_mime_token(const char *p, size_t n)
{
	if (n == 4 && strncmp(p, "none", 4) == 0)
		return true;
	size_t slash = 0, slashes = 0;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c == '/') {
			slashes++;
			slash = i;
		} else if (!is_mime_name_char(c)) {
			return false;
		}
	}
	return slashes == 1 && slash > 0 && slash + 1 < n;
}

/* "major/ *" (no space): every type under major. */
static bool is_mime_glob(const char *p, size_t n)
{
	if (n < 3 || p[n - 1] != '*' || p[n - 2] != '/')
		return false;
	for (size_t i = 0; i + 2 < n; i++) {
		char c = p[i];
		if (!is_mime_name_char(c))
			return false;
	}
	return true;
}

static const struct analyzer_script *find_script(const char *arg);

/* Whether the word after a bare -x is its MIME list (not a script, an
 * assignment or an option). */
static bool looks_like_mime_list(const char *v)
{
	if (!v || v[0] == '-' || strchr(v, '=') || find_script(v))
		return false;
	for (const char *p = v;;) {
		size_t n = strcspn(p, ",");
		if (!is_mime_token(p, n) && !is_mime_glob(p, n))
			return false;
		if (!p[n])
			return true;
		p += n + 1;
	}
}

/* -x [LIST]: on, and the types chosen at file_sniff (NULL: all). */
static int set_extract(struct options *o, const char *list)
{
	struct config_extract *x = &o->cfg.extract;
	x->on = true;
	if (!list)
		return 0;
	for (const char *p = list;;) {
		size_t n = strcspn(p, ",");
		if ((!is_mime_token(p, n) && !is_mime_glob(p, n)) || n >= CONFIG_EXTRACT_TYPE_MAX ||
		    x->n_types >= CONFIG_MAX_EXTRACT_TYPES)
			return -1;
		char *t = x->types[x->n_types++];
		for (size_t i = 0; i < n; i++)
			t[i] = (char)ascii_lower((uint8_t)p[i]);
		t[n] = '\0';
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

static int set_json_ts(struct options *o, const char *v)
{
	if (!strcmp(v, "epoch") || !strcmp(v, "JSON::TS_EPOCH"))
		o->cfg.log_format.json_ts = LOG_JSON_TS_EPOCH;
	else if (!strcmp(v, "iso8601") || !strcmp(v, "JSON::TS_ISO8601"))
		o->cfg.log_format.json_ts = LOG_JSON_TS_ISO8601;
	else if (!strcmp(v, "millis") || !strcmp(v, "JSON::TS_MILLIS"))
		o->cfg.log_format.json_ts = LOG_JSON_TS_MILLIS;
	else
		return -1;
	return 0;
}

/*
 * The value of a Zeek string option. Zeek puts it between quotes and
 * scans it as a string literal (scan.l: "redef NAME = \"VALUE\";"), so
 * it is a literal's body: \t \n \r \b \f \a \v, \x with one or two hex
 * digits, \ with one to three octal digits, \ before anything else is
 * that character. An unescaped '"', a line break, a lone final '\' or a
 * \x without a digit are errors in Zeek and refused here.
 */
static int parse_zeek_string(const char *v, char *out, size_t cap, size_t *n)
{
	size_t k = 0;
	for (const char *p = v; *p;) {
		unsigned c = (unsigned char)*p++;
		if (c == '"' || c == '\r' || c == '\n')
			return -1;
		if (c == '\\') {
			char e = *p++;
			switch (e) {
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'a': c = '\a'; break;
			case 'v': c = '\v'; break;
			case 'x': {
				int d = ascii_hexval((uint8_t)*p);
				if (d < 0)
					return -1;
				c = (unsigned)d;
				p++;
				d = ascii_hexval((uint8_t)*p);
				if (d >= 0) {
					c = c << 4 | (unsigned)d;
					p++;
				}
				break;
			}
			case '\0': case '\r': case '\n':
				return -1;
			default:
				if (e >= '0' && e <= '7') {
					c = (unsigned)(e - '0');
					for (int i = 0; i < 2 && *p >= '0' && *p <= '7'; i++)
						c = c << 3 | (unsigned)(*p++ - '0');
					c &= 0xff;	/* stored in a char */
				} else {
					c = (unsigned char)e;
				}
			}
		}
		if (k >= cap)
			return -1;
		out[k++] = (char)c;
	}
	*n = k;
	return 0;
}

static void set_text(struct log_text *t, const char *p, size_t n)
{
	memcpy(t->p, p, n);
	t->n = n;
}

/* One of LogAscii's four strings; the others keep Zeek's defaults. */
static int set_ascii_text(struct log_ascii *a, const char *which, const char *v)
{
	char text[LOG_TEXT_MAX];
	size_t n;
	if (parse_zeek_string(v, text, sizeof text, &n) != 0)
		return -1;
	if (!a->custom) {
		a->custom = true;
		set_text(&a->separator, "\t", 1);
		set_text(&a->set_separator, ",", 1);
		set_text(&a->empty_field, "(empty)", 7);
		set_text(&a->unset_field, "-", 1);
	}
	struct log_text *t = !strcmp(which, "separator")       ? &a->separator
			     : !strcmp(which, "set_separator") ? &a->set_separator
			     : !strcmp(which, "empty_field")   ? &a->empty_field
							       : &a->unset_field;
	set_text(t, text, n);
	return 0;
}

/* A string option that names a file or folder: no NUL byte inside. */
static int parse_zeek_path(const char *v, char *out, size_t cap)
{
	size_t n;
	if (parse_zeek_string(v, out, cap - 1, &n) != 0 || memchr(out, '\0', n))
		return -1;
	out[n] = '\0';
	return 0;
}

/*
 * FileExtract::prefix ("./extract_files/" in Zeek, relative to Zeek's
 * working folder). smtplog extracts inside the output folder only, so
 * the prefix must come down to one folder name there: "./" and trailing
 * slashes are dropped; anything with '/', "..", or nothing left is
 * refused.
 */
static int set_extract_prefix(struct config_extract *x, const char *v)
{
	char p[CONFIG_EXTRACT_DIR_MAX];
	if (parse_zeek_path(v, p, sizeof p) != 0)
		return -1;
	char *s = p;
	while (s[0] == '.' && s[1] == '/')
		s += 2;
	size_t n = strlen(s);
	while (n > 0 && s[n - 1] == '/')
		s[--n] = '\0';
	if (n == 0 || strchr(s, '/') || !strcmp(s, ".") || !strcmp(s, ".."))
		return usage_error("FileExtract::prefix '%s': must be one folder name inside the "
				   "output folder (no '/', '..' or absolute path)", v);
	memmove(x->dir, s, n + 1);
	return 0;
}

/* A count within [lo, hi], or a usage error naming the range and why. */
static int parse_count_in(const char *arg, const char *v, uint64_t lo, uint64_t hi,
			  const char *why, uint64_t *out)
{
	if (optval_count(v, out) != 0)
		return usage_error("bad value in '%s'", arg);
	if (*out < lo || *out > hi) {
		fprintf(stderr, "smtplog: bad value in '%s': %llu to %llu (%s)\nTry 'smtplog --help'.\n",
			arg, (unsigned long long)lo, (unsigned long long)hi, why);
		return 1;
	}
	return 0;
}

/* After the command line: Log::default_logdir stands for -o (both at
 * once would leave it unclear which folder is meant). */
static int zeek_options_finish(struct options *o, bool output_given)
{
	if (!o->logdir_set)
		return 0;
	if (output_given)
		return usage_error("give either -o or Log::default_logdir, not both%s", "");
	/* Zeek's "" is the current folder. */
	o->output_dir = o->logdir[0] ? o->logdir : ".";
	return 0;
}

/* An option of an analyzer's scripts: 0, 1 (usage error printed), or -2
 * when no analyzer has it. */
static int apply_analyzer_option(struct options *o, const char *name, const char *v, bool add,
				 const char *arg)
{
	for (size_t k = 0; k < CONFIG_MAX_ANALYZERS && proto_analyzers[k]; k++) {
		for (const struct analyzer_option *op = proto_analyzers[k]->options; op && op->name;
		     op++) {
			if (strcmp(op->name, name) != 0)
				continue;
			char why[160] = "";
			if (!o->analyzer_opts[k])
				return usage_error("out of memory%s", "");
			if (op->set(o->analyzer_opts[k], v, add, why, sizeof why) == 0)
				return 0;
			if (why[0]) {
				fprintf(stderr, "smtplog: bad value in '%s': %s\nTry 'smtplog --help'.\n", arg,
					why);
				return 1;
			}
			return usage_error("bad value in '%s'", arg);
		}
	}
	return -2;
}

/* NAME=VALUE or NAME+=VALUE. Returns 0, or 1 after printing why not. */
static bool is_tunnel_option(const char *n)
{
	return !strcmp(n, "max_depth") || !strcmp(n, "delay_teredo_confirmation") ||
	       !strcmp(n, "delay_gtp_confirmation") || !strcmp(n, "validate_vxlan_checksums") ||
	       !strcmp(n, "ip_tunnel_timeout") || !strcmp(n, "expiration_interval") ||
	       !strcmp(n, "max_changes_per_connection");
}

/* The Tunnel:: options. *rc: the value's reading (0 or -1); returns 1
 * when a message was already given. */
static int set_tunnel_option(struct config_tunnel *t, const char *n, const char *arg,
			     const char *v, int *rc)
{
	bool b = false;
	if (!strcmp(n, "max_depth")) {
		uint64_t depth;
		if (parse_count_in(arg, v, 0, TUNNEL_DEPTH_LIMIT, "smtplog's encapsulation stack",
				   &depth) != 0)
			return 1;
		t->max_depth = depth == 0 ? 1 : (unsigned)depth;	/* 0 acts as 1 in Zeek */
		*rc = 0;
	} else if (!strcmp(n, "max_changes_per_connection")) {
		uint64_t changes;
		/* Zeek counts them in a uint8_t and reports more as an error. */
		if (parse_count_in(arg, v, 0, 255, "Zeek's per-connection counter", &changes) != 0)
			return 1;
		t->max_changes = (unsigned)changes;
		t->max_changes_given = true;
		*rc = 0;
	} else if (!strcmp(n, "delay_teredo_confirmation")) {
		*rc = optval_bool(v, &b);
		t->teredo_confirm_at_once = !b;
	} else if (!strcmp(n, "delay_gtp_confirmation")) {
		*rc = optval_bool(v, &t->delay_gtp_confirmation);
	} else if (!strcmp(n, "validate_vxlan_checksums")) {
		*rc = optval_bool(v, &b);
		t->vxlan_checksum_optional = !b;
	} else {
		double d = 0;
		*rc = optval_interval(v, &d);
		if (*rc == 0 && !(d > 0))
			return usage_error("bad value in '%s': the interval must be more than 0secs", arg);
		if (!strcmp(n, "ip_tunnel_timeout"))
			t->ip_tunnel_timeout = d;
		else
			t->expiration_interval = d;
	}
	return 0;
}

static int apply_assignment(struct options *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	bool add = eq > arg && eq[-1] == '+';
	size_t nlen = (size_t)(eq - arg) - (add ? 1 : 0);
	char name[128];
	if (nlen == 0 || nlen >= sizeof name)
		return usage_error("bad option assignment '%s'", arg);
	memcpy(name, arg, nlen);
	name[nlen] = '\0';
	const char *v = eq + 1;
	struct config *c = &o->cfg;
	int rc = 0;
	if (!strcmp(name, "LogAscii::use_json") && !add) {
		rc = optval_bool(v, &c->json);
	} else if (!strcmp(name, "LogAscii::json_timestamps") && !add) {
		rc = set_json_ts(o, v);
	} else if (!strcmp(name, "Site::private_address_space_is_local") && !add) {
		rc = optval_bool(v, &c->private_is_local);
	} else if (!strcmp(name, "Site::local_nets")) {
		if (!add)
			c->n_local_nets = 0;
		rc = parse_subnets(v, c->local_nets, &c->n_local_nets, CONFIG_MAX_NETS);
	} else if (!strcmp(name, "ignore_checksums_nets")) {
		if (!add)
			c->n_ignore_checksums_nets = 0;
		rc = parse_subnets(v, c->ignore_checksums_nets, &c->n_ignore_checksums_nets,
				   CONFIG_MAX_NETS);
	} else if (!strncmp(name, "Log::default_max_", 17) && !add) {
		size_t *slot = NULL;
		struct log_format *lf = &c->log_format;
		if (!strcmp(name + 17, "field_string_bytes"))
			slot = &lf->max_field_string_bytes;
		else if (!strcmp(name + 17, "total_string_bytes"))
			slot = &lf->max_total_string_bytes;
		else if (!strcmp(name + 17, "field_container_elements"))
			slot = &lf->max_field_container_elements;
		else if (!strcmp(name + 17, "total_container_elements"))
			slot = &lf->max_total_container_elements;
		else
			return usage_error("unsupported option '%s' (see --help-options)", name);
		char *end;
		unsigned long long n = strtoull(v, &end, 10);
		if (*v < '0' || *v > '9' || *end)
			rc = -1;
		else
			*slot = n == 0 ? LOG_LIMIT_NONE : (size_t)n;
	} else if (!strcmp(name, "likely_server_ports") && add) {
		rc = parse_ports(v, c);
	} else if (!strcmp(name, "FileExtract::default_limit") && !add) {
		rc = optval_count(v, &c->extract.limit);
	} else if (!strcmp(name, "LogAscii::include_meta") && !add) {
		bool meta = true;
		rc = optval_bool(v, &meta);
		c->log_format.ascii.no_meta = !meta;
	} else if (!strncmp(name, "LogAscii::", 10) && !add &&
		   (!strcmp(name + 10, "separator") || !strcmp(name + 10, "set_separator") ||
		    !strcmp(name + 10, "empty_field") || !strcmp(name + 10, "unset_field"))) {
		rc = set_ascii_text(&c->log_format.ascii, name + 10, v);
	} else if (!strcmp(name, "LogAscii::gzip_level") && !add) {
		uint64_t level;
		if (parse_count_in(arg, v, 0, 9, "zlib's levels", &level) != 0)
			return 1;
		c->log_format.gzip_level = (int)level;
	} else if (!strcmp(name, "LogAscii::gzip_file_extension") && !add) {
		rc = parse_zeek_path(v, c->log_format.gzip_ext, sizeof c->log_format.gzip_ext);
		if (rc == 0 && strchr(c->log_format.gzip_ext, '/'))
			rc = -1;
	} else if (!strcmp(name, "Log::default_logdir") && !add) {
		rc = parse_zeek_path(v, o->logdir, sizeof o->logdir);
		o->logdir_set = rc == 0;
	} else if (!strcmp(name, "FileExtract::prefix") && !add) {
		if (set_extract_prefix(&c->extract, v) != 0)
			return 1;
	} else if (!strcmp(name, "ignore_checksums") && !add) {
		/* Zeek's -C sets the constant after the scripts, so F never
		 * undoes -C; without -C it is already F. */
		bool on = false;
		rc = optval_bool(v, &on);
		if (on)
			c->ignore_checksums = true;
	} else if (!strncmp(name, "Tunnel::", 8) && !add && is_tunnel_option(name + 8)) {
		if (set_tunnel_option(&c->tunnel, name + 8, arg, v, &rc) != 0)
			return 1;
	} else if ((rc = apply_analyzer_option(o, name, v, add, arg)) != -2) {
		return rc;
	} else {
		return usage_error("unsupported option '%s' (see --help-options)", name);
	}
	if (rc != 0)
		return usage_error("bad value in '%s'", arg);
	return 0;
}

static bool is_assignment(const char *arg)
{
	const char *eq = strchr(arg, '=');
	return eq && eq != arg && arg[0] != '-';
}

/* Long options with their short letter (0 = none) and whether they take
 * an argument: 0 no, 1 yes, OPT_MAYBE optional (attached, or the next
 * word when it fits). */
#define OPT_MAYBE 2
static const struct {
	const char *name;
	char letter;
	int has_arg;
} long_opts[] = {
	{"read", 'r', true},		{"filter", 'f', true},
	{"no-checksums", 'C', false},	{"bare", 'b', false},
	{"load-seeds", 'G', true},	{"output", 'o', true},
	{"json", 0, false},		{"json-timestamps", 0, true},
	{"local-nets", 0, true},	{"no-private-local", 0, false},
	{"force", 0, false},		{"mime-engine", 0, true},		{"progress", 0, true},
	{"quiet", 'q', false},		{"help-scripts", 0, false},
	{"help-options", 0, false},	{"help", 'h', false},
	{"version", 'V', false},	{"extract", 'x', OPT_MAYBE},
	{"extract-limit", 0, true},	{"extract-naming", 0, true},
	{"recursive", 0, false},	{"stats", 0, true},
	{"completion", 0, true},
};
#define N_LONG (sizeof long_opts / sizeof long_opts[0])

/* Options whose value is a file or folder, for the shells' completion. */
static bool takes_path(const char *name)
{
	return !strcmp(name, "read") || !strcmp(name, "output") || !strcmp(name, "load-seeds") ||
	       !strcmp(name, "stats");
}

/* A completion script for bash or zsh, from the tables above (make install
 * writes both). */
static int print_completion(const char *shell)
{
	bool bash = !strcmp(shell, "bash");
	if (!bash && strcmp(shell, "zsh") != 0)
		return -1;
	if (!bash)
		printf("#compdef smtplog\nautoload -U +X bashcompinit && bashcompinit\n");
	printf("# smtplog %s: generated by 'smtplog --completion %s'\n", SMTPLOG_VERSION, shell);
	printf("_smtplog() {\n\tlocal cur prev\n\tcur=${COMP_WORDS[COMP_CWORD]}\n"
	       "\tprev=${COMP_WORDS[COMP_CWORD-1]}\n\tcase $prev in\n\t");
	bool first = true;
	for (size_t k = 0; k < N_LONG; k++) {
		if (!takes_path(long_opts[k].name))
			continue;
		printf("%s--%s", first ? "" : "|", long_opts[k].name);
		if (long_opts[k].letter)
			printf("|-%c", long_opts[k].letter);
		first = false;
	}
	printf(")\n\t\tCOMPREPLY=($(compgen -f -- \"$cur\")); return;;\n\tesac\n");
	printf("\tlocal words=\"");
	for (size_t k = 0; k < N_LONG; k++) {
		if (!strcmp(long_opts[k].name, "completion"))
			continue;
		printf("--%s ", long_opts[k].name);
		if (long_opts[k].letter)
			printf("-%c ", long_opts[k].letter);
	}
	for (size_t i = 0; script_at(i); i++)
		printf("%s ", script_at(i)->name);
	const char *name, *help;
	for (size_t i = 0; (name = zeek_option_at(i, &help)); i++)
		printf("%s= ", name);
	printf("\"\n\tCOMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n}\n");
	printf("complete -o default -F _smtplog smtplog\n");
	return 0;
}

static int apply_option(struct options *o, size_t which, const char *val)
{
	const char *name = long_opts[which].name;
	if (!strcmp(name, "read")) {
		if (o->n_inputs >= OPTIONS_MAX_INPUTS)
			return usage_error("too many inputs (at most 64 -r)%s", "");
		o->inputs[o->n_inputs++] = val;
	} else if (!strcmp(name, "filter")) {
		o->filter = val;
	} else if (!strcmp(name, "no-checksums")) {
		o->cfg.ignore_checksums = true;
	} else if (!strcmp(name, "bare")) {
		o->cfg.bare = true;
	} else if (!strcmp(name, "load-seeds")) {
		o->seed_file = val;
	} else if (!strcmp(name, "output")) {
		o->output_dir = val;
	} else if (!strcmp(name, "json")) {
		o->cfg.json = true;
	} else if (!strcmp(name, "json-timestamps")) {
		o->set_json_ts = true;
		if (set_json_ts(o, val) != 0)
			return usage_error("--json-timestamps: '%s' is not epoch, iso8601 or millis", val);
	} else if (!strcmp(name, "local-nets")) {
		if (parse_subnets(val, o->cfg.local_nets, &o->cfg.n_local_nets, CONFIG_MAX_NETS) != 0)
			return usage_error("--local-nets: bad subnet list '%s'", val);
	} else if (!strcmp(name, "no-private-local")) {
		o->cfg.private_is_local = false;
	} else if (!strcmp(name, "mime-engine")) {
		if (!strcmp(val, "zeek"))
			o->cfg.mime_libmagic = false;
		else if (!strcmp(val, "libmagic"))
			o->cfg.mime_libmagic = true;
		else
			return usage_error("--mime-engine: '%s' is not zeek or libmagic", val);
	} else if (!strcmp(name, "force")) {
		o->force = true;
	} else if (!strcmp(name, "progress")) {
		if (!strcmp(val, "auto"))
			o->progress = PROGRESS_AUTO;
		else if (!strcmp(val, "always"))
			o->progress = PROGRESS_ALWAYS;
		else if (!strcmp(val, "never"))
			o->progress = PROGRESS_NEVER;
		else
			return usage_error("--progress: '%s' is not auto, always or never", val);
	} else if (!strcmp(name, "extract")) {
		if (set_extract(o, val) != 0)
			return usage_error("--extract: bad MIME type list '%s'", val);
	} else if (!strcmp(name, "extract-limit")) {
		o->set_extract_limit = true;
		if (parse_size(val, &o->cfg.extract.limit) != 0)
			return usage_error("--extract-limit: '%s' is not a byte count (such as 1000000, "
					   "64k, 10M or 1G)", val);
	} else if (!strcmp(name, "extract-naming")) {
		o->set_extract_naming = true;
		if (!strcmp(val, "zeek"))
			o->cfg.extract.naming = EXTRACT_NAMING_ZEEK;
		else if (!strcmp(val, "source"))
			o->cfg.extract.naming = EXTRACT_NAMING_SOURCE;
		else
			return usage_error("--extract-naming: '%s' is not zeek or source", val);
	} else if (!strcmp(name, "quiet")) {
		o->quiet = true;
	} else if (!strcmp(name, "recursive")) {
		o->recursive = true;
	} else if (!strcmp(name, "stats")) {
		o->stats_file = val;
	} else if (!strcmp(name, "help-scripts")) {
		print_scripts();
		o->exit_now = true;
	} else if (!strcmp(name, "help-options")) {
		print_zeek_options();
		o->exit_now = true;
	} else if (!strcmp(name, "help")) {
		fputs(usage_text, stdout);
		o->exit_now = true;
	} else if (!strcmp(name, "version")) {
		version_print(stdout);
		o->exit_now = true;
	} else if (!strcmp(name, "completion")) {
		if (print_completion(val) != 0)
			return usage_error("--completion: '%s' is not bash or zsh", val);
		o->exit_now = true;
	}
	return 0;
}

static int parse_long(struct options *o, int argc, char **argv, int *i)
{
	const char *arg = argv[*i] + 2;
	const char *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	for (size_t k = 0; k < N_LONG; k++) {
		if (strlen(long_opts[k].name) != len || strncmp(long_opts[k].name, arg, len) != 0)
			continue;
		const char *val = NULL;
		if (long_opts[k].has_arg == OPT_MAYBE) {
			if (eq)
				val = eq + 1;
			else if (*i + 1 < argc && looks_like_mime_list(argv[*i + 1]))
				val = argv[++*i];
		} else if (long_opts[k].has_arg) {
			if (eq)
				val = eq + 1;
			else if (*i + 1 < argc)
				val = argv[++*i];
			else
				return usage_error("--%s needs a value", long_opts[k].name);
		} else if (eq) {
			return usage_error("--%s takes no value", long_opts[k].name);
		}
		return apply_option(o, k, val);
	}
	return usage_error("unknown option '%s'", argv[*i]);
}

static int parse_short(struct options *o, int argc, char **argv, int *i)
{
	const char *arg = argv[*i] + 1;
	for (size_t j = 0; arg[j]; j++) {
		size_t k;
		for (k = 0; k < N_LONG; k++)
			if (long_opts[k].letter == arg[j])
				break;
		if (k == N_LONG) {
			char opt[3] = {'-', arg[j], '\0'};
			return usage_error("unknown option '%s'", opt);
		}
		if (!long_opts[k].has_arg) {
			int rc = apply_option(o, k, NULL);
			if (rc)
				return rc;
			continue;
		}
		const char *val;
		if (long_opts[k].has_arg == OPT_MAYBE) {
			val = arg[j + 1] ? arg + j + 1
			      : (*i + 1 < argc && looks_like_mime_list(argv[*i + 1])) ? argv[++*i]
										: NULL;
			return apply_option(o, k, val);
		}
		if (arg[j + 1])
			val = arg + j + 1;
		else if (*i + 1 < argc)
			val = argv[++*i];
		else
			return usage_error("-%s needs a value", (char[]){arg[j], '\0'});
		return apply_option(o, k, val);
	}
	return 0;
}

/* A word that is neither a script nor an assignment: what it likely was. */
static int unknown_word(const char *arg)
{
	struct stat st;
	if (stat(arg, &st) == 0 && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) {
		fprintf(stderr, "smtplog: '%s' is not a script but a %s: use -r for each capture "
				"(-r a.pcap -r b.pcap), or -r DIR for a folder\n",
			arg, S_ISDIR(st.st_mode) ? "folder" : "file");
		return 1;
	}
	const char *mime = extract_ext_mime(arg);
	if (mime) {
		fprintf(stderr, "smtplog: unsupported script '%s'; to extract files by type, give "
				"their MIME type: -x %s\n",
			arg, mime);
		return 1;
	}
	return usage_error("unsupported script '%s' (see --help-scripts)", arg);
}

/* Edit distance, for "did you mean": short strings only. */
static size_t distance(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	if (na > 80 || nb > 80)
		return (size_t)-1;
	size_t row[81];
	for (size_t j = 0; j <= nb; j++)
		row[j] = j;
	for (size_t i = 1; i <= na; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= nb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[nb];
}

/* The i-th type a file can get: Zeek's signatures', then those analyzers
 * give files themselves; NULL past the last. */
static const char *file_type_at(size_t i)
{
	const char *t;
	for (size_t r = 0; (t = magic_rule_type(r)); r++)
		if (i-- == 0)
			return t;
	for (size_t k = 0; proto_analyzers[k]; k++)
		for (const char *const *f = proto_analyzers[k]->file_types; f && *f; f++)
			if (i-- == 0)
				return *f;
	return NULL;
}

/* Whether some file can get a type the pattern accepts, and if not the
 * closest type there is. */
static bool type_possible(const char *pattern, const char **closest)
{
	size_t best = (size_t)-1;
	*closest = NULL;
	const char *t;
	for (size_t i = 0; (t = file_type_at(i)); i++) {
		if (files_type_matches(pattern, t))
			return true;
		size_t d = distance(pattern, t);
		if (d < best) {
			best = d;
			*closest = t;
		}
	}
	if (best > 3)
		*closest = NULL;
	return false;
}

/* Warnings about options that will not do what they were given for. */
static void warn_ineffective(const struct options *o)
{
	const struct config_extract *x = &o->cfg.extract;
	if (!x->on && o->set_extract_limit)
		fprintf(stderr, "smtplog: warning: --extract-limit has no effect without -x\n");
	if (!x->on && o->set_extract_naming)
		fprintf(stderr, "smtplog: warning: --extract-naming has no effect without -x\n");
	if (!o->cfg.json && o->set_json_ts)
		fprintf(stderr, "smtplog: warning: --json-timestamps has no effect without --json\n");
	if (o->unwritten)
		fprintf(stderr, "smtplog: warning: %s: smtplog does not write %s\n", o->unwritten->name,
			o->unwritten->unwritten_log);
	/* Files come from the analyzers that hand data to file analysis. */
	bool files = false;
	for (size_t k = 0; proto_analyzers[k]; k++)
		files |= proto_analyzers[k]->uses_files && (o->cfg.scripts & proto_analyzers[k]->script);
	if (x->on && !files)
		fprintf(stderr, "smtplog: warning: -x has no effect: no loaded script analyses "
				"files\n");
	/* With libmagic any type can come up; Zeek's signatures know theirs. */
	for (size_t i = 0; x->on && !o->cfg.mime_libmagic && i < x->n_types; i++) {
		const char *closest;
		if (!strcmp(x->types[i], "none") || type_possible(x->types[i], &closest))
			continue;
		fprintf(stderr, "smtplog: warning: -x %s: no file gets this type from Zeek's "
				"signatures, so none will be extracted for it",
			x->types[i]);
		if (closest)
			fprintf(stderr, " (did you mean %s?)", closest);
		fprintf(stderr, "\n");
	}
}

/* -o's default; a -o "." points elsewhere, into argv. */
static const char default_output_dir[] = ".";

int options_parse(int argc, char **argv, struct options *o)
{
	memset(o, 0, sizeof *o);
	o->output_dir = default_output_dir;
	o->cfg.private_is_local = true;
	o->progress = PROGRESS_AUTO;
	o->cfg.extract.limit = FILES_EXTRACT_DEFAULT_LIMIT;
	/* Each analyzer's options block, with Zeek's defaults, before any
	 * NAME=VALUE. */
	for (size_t k = 0; k < CONFIG_MAX_ANALYZERS && proto_analyzers[k]; k++) {
		const struct analyzer *a = proto_analyzers[k];
		if (!a->options_size)
			continue;
		o->analyzer_opts[k] = calloc(1, a->options_size);
		if (!o->analyzer_opts[k]) {
			fprintf(stderr, "smtplog: out of memory\n");
			return 1;
		}
		if (a->options_init)
			a->options_init(o->analyzer_opts[k]);
		o->cfg.analyzer_options[k] = o->analyzer_opts[k];
	}
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		int rc = 0;
		if (strcmp(arg, "-") == 0 || arg[0] != '-') {
			if (is_assignment(arg)) {
				rc = apply_assignment(o, arg);
			} else {
				const struct analyzer_script *s = find_script(arg);
				if (!s)
					return unknown_word(arg);
				load_script(o, s);
				if (s->unwritten_log && !o->unwritten)
					o->unwritten = s;
			}
		} else if (arg[1] == '-') {
			rc = parse_long(o, argc, argv, &i);
		} else {
			rc = parse_short(o, argc, argv, &i);
		}
		if (rc)
			return rc;
		if (o->exit_now)
			return 0;
	}
	if (!o->cfg.bare) {
		o->cfg.scripts |= default_mode_bits();
		o->cfg.default_server_ports[0] = proto_default_tcp_ports;
		o->cfg.n_default_server_ports[0] = proto_n_default_tcp_ports;
		o->cfg.default_server_ports[1] = proto_default_udp_ports;
		o->cfg.n_default_server_ports[1] = proto_n_default_udp_ports;
	}
	/* extract-all-files is -x without a list. */
	if (o->cfg.scripts & SCRIPT_EXTRACT_ALL_FILES) {
		o->cfg.extract.on = true;
		o->cfg.extract.n_types = 0;
	}
	if (zeek_options_finish(o, o->output_dir != default_output_dir) != 0)
		return 1;
	if (o->n_inputs == 0)
		return usage_error("no input: give a capture with -r FILE%s", "");
	const char *seed = getenv("ZEEK_SEED_FILE");
	if (!o->seed_file && seed && *seed)
		o->seed_file = seed;
	o->cfg.deterministic = o->seed_file != NULL;
	if (!o->quiet)
		warn_ineffective(o);
	return 0;
}

void options_free(struct options *o)
{
	for (size_t k = 0; k < CONFIG_MAX_ANALYZERS; k++) {
		free(o->analyzer_opts[k]);
		o->analyzer_opts[k] = NULL;
		o->cfg.analyzer_options[k] = NULL;
	}
}
