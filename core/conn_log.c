#include "core/conn_log.h"
#include "core/decode.h"
#include "core/zset.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct log_field base_fields[] = {
	LOG_FIELDS_TS_UID_ID,
	{"proto", LOG_ENUM, LOG_SCALAR},
	{"service", LOG_STRING, LOG_SCALAR},
	{"duration", LOG_INTERVAL, LOG_SCALAR},
	{"orig_bytes", LOG_COUNT, LOG_SCALAR},
	{"resp_bytes", LOG_COUNT, LOG_SCALAR},
	{"conn_state", LOG_STRING, LOG_SCALAR},
	{"local_orig", LOG_BOOL, LOG_SCALAR},
	{"local_resp", LOG_BOOL, LOG_SCALAR},
	{"missed_bytes", LOG_COUNT, LOG_SCALAR},
	{"history", LOG_STRING, LOG_SCALAR},
	{"orig_pkts", LOG_COUNT, LOG_SCALAR},
	{"orig_ip_bytes", LOG_COUNT, LOG_SCALAR},
	{"resp_pkts", LOG_COUNT, LOG_SCALAR},
	{"resp_ip_bytes", LOG_COUNT, LOG_SCALAR},
	{"tunnel_parents", LOG_STRING, LOG_SET},
	{"ip_proto", LOG_COUNT, LOG_SCALAR},
};
#define N_BASE (sizeof base_fields / sizeof base_fields[0])

static const struct log_field community_field = {"community_id", LOG_STRING, LOG_SCALAR};
static const struct log_field mac_fields[] = {
	{"orig_l2_addr", LOG_STRING, LOG_SCALAR},
	{"resp_l2_addr", LOG_STRING, LOG_SCALAR},
};
static const struct log_field vlan_fields[] = {
	{"vlan", LOG_INT, LOG_SCALAR},
	{"inner_vlan", LOG_INT, LOG_SCALAR},
};

/* Zeek 6+ counts its private address space as local by default. */
static const char *const private_space[] = {
	"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
	"172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15",
	"198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/24", "239.0.0.0/8", "240.0.0.0/4",
	"255.255.255.255/32",
	"[2002::]/24", "[2002:a00::]/24", "[2002:6440::]/26", "[2002:7f00::]/24",
	"[2002:a9fe::]/32", "[2002:ac10::]/28", "[2002:c000::]/40", "[2002:c000:200::]/40",
	"[2002:c0a8::]/32", "[2002:c612::]/31", "[2002:c633:6400::]/40",
	"[2002:cb00:7100::]/40", "[2002:e000::]/40", "[2002:ef00::]/24", "[2002:f000::]/20",
	"[2002:ffff:ffff::]/48",
	"[::]/128", "[::1]/128", "[64:ff9b:1::]/48", "[100::]/64", "[2001::]/23",
	"[2001:2::]/48", "[2001:db8::]/32", "[fc00::]/7", "[fe80::]/10", "[fec0::]/10",
};

void conn_log_init(struct conn_log *cl, const struct config *cfg)
{
	size_t n = 0;
	memcpy(cl->fields, base_fields, sizeof base_fields);
	n = N_BASE;
	for (size_t i = 0; i < cfg->n_conn_extra; i++) {
		switch (cfg->conn_extra_order[i]) {
		case SCRIPT_COMMUNITY_ID:
			cl->fields[n++] = community_field;
			break;
		case SCRIPT_MAC_LOGGING:
			cl->fields[n++] = mac_fields[0];
			cl->fields[n++] = mac_fields[1];
			break;
		case SCRIPT_VLAN_LOGGING:
			cl->fields[n++] = vlan_fields[0];
			cl->fields[n++] = vlan_fields[1];
			break;
		default:
			break;
		}
	}
	cl->n_private = 0;
	for (size_t i = 0; cfg->private_is_local && i < sizeof private_space / sizeof private_space[0]; i++)
		if (sl_subnet_parse(private_space[i], &cl->private_space[cl->n_private]))
			cl->n_private++;
	cl->schema.path = "conn";
	cl->schema.fields = cl->fields;
	cl->schema.n_fields = n;
	cl->cfg = cfg;
}

bool conn_addr_is_local(const struct conn_log *cl, const struct sl_addr *a)
{
	const struct config *cfg = cl->cfg;
	for (size_t i = 0; i < cfg->n_local_nets; i++)
		if (sl_subnet_contains(&cfg->local_nets[i], a))
			return true;
	for (size_t i = 0; i < cl->n_private; i++)
		if (sl_subnet_contains(&cl->private_space[i], a))
			return true;
	return false;
}

static int port_key(uint16_t p)
{
	/* Zeek compares ports as stored in network order on a
	 * little-endian host, i.e. byte-swapped. */
	return (int)(uint16_t)((p >> 8) | (p << 8));
}

void conn_community_id(const struct conn *c, char *out, size_t cap)
{
	const struct sl_addr *sa = &c->orig_h, *da = &c->resp_h;
	uint16_t sp = c->orig_p, dp = c->resp_p;
	int cmp = sl_addr_cmp(sa, da);
	bool keep = cmp < 0 || (cmp == 0 && port_key(sp) < port_key(dp));
	/* Zeek's bif knows ICMP only as a transport: the address family
	 * picks the protocol hashed and the counterpart table (ICMPv4 over
	 * IPv6 hashes as ICMPv6). */
	uint8_t proto = c->ip_proto;
	if (c->transport == CONN_ICMP) {
		proto = sl_addr_is_v4(&c->orig_h) ? 1 : 58;
		bool one_way;
		(void)icmp_counterpart(proto, (uint8_t)sp, 0, &one_way);
		if (one_way)
			keep = true;
	}
	if (!keep) {
		const struct sl_addr *t = sa;
		sa = da;
		da = t;
		uint16_t tp = sp;
		sp = dp;
		dp = tp;
	}
	uint8_t buf[2 + 16 + 16 + 2 + 4];
	size_t n = 0;
	buf[n++] = 0;
	buf[n++] = 0;
	size_t alen = sl_addr_is_v4(sa) ? 4 : 16, off = 16 - alen;
	memcpy(buf + n, sa->b + off, alen);
	n += alen;
	memcpy(buf + n, da->b + off, alen);
	n += alen;
	buf[n++] = proto;
	buf[n++] = 0;
	if (c->transport != CONN_UNKNOWN) {
		buf[n++] = (uint8_t)(sp >> 8);
		buf[n++] = (uint8_t)sp;
		buf[n++] = (uint8_t)(dp >> 8);
		buf[n++] = (uint8_t)dp;
	}
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	EVP_Digest(buf, n, digest, &dlen, EVP_sha1(), NULL);
	unsigned char b64[64];
	EVP_EncodeBlock(b64, digest, (int)dlen);
	snprintf(out, cap, "1:%s", (const char *)b64);
}

static const char *proto_name(const struct conn *c)
{
	switch (c->transport) {
	case CONN_TCP:
		return "tcp";
	case CONN_UDP:
		return "udp";
	case CONN_ICMP:
		return "icmp";
	default:
		return "unknown_transport";
	}
}

static struct log_value str_value(const char *s)
{
	struct log_value v = {.present = true};
	v.u.str.p = s;
	v.u.str.n = strlen(s);
	return v;
}

static struct log_value count_value(uint64_t n)
{
	struct log_value v = {.present = true};
	v.u.count = n;
	return v;
}

static void format_mac(const uint8_t m[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static bool mac_is_set(const uint8_t m[6])
{
	static const uint8_t zero[6];
	return memcmp(m, zero, 6) != 0;
}

int conn_log_write(const struct conn_log *cl, struct log_stream *s, const struct conn *c)
{
	struct log_value v[CONN_LOG_MAX_FIELDS];
	memset(v, 0, sizeof v);
	const struct config *cfg = cl->cfg;
	size_t i = 0;

	i += log_put_ts_uid_id(v, c->start_time, c->uid, &c->orig_h, c->orig_p, &c->resp_h,
			       c->resp_p);
	v[i++] = str_value(proto_name(c));
	char service[64];
	if (conn_service_text(c, service, sizeof service) > 0)
		v[i] = str_value(service);
	i++;

	double duration = c->last_time - c->start_time;
	if (duration > 0) {
		uint64_t ob, rb;
		if (c->transport == CONN_TCP) {
			ob = tcp_endpoint_size(&c->tcp[0], &c->tcp[1]);
			rb = tcp_endpoint_size(&c->tcp[1], &c->tcp[0]);
		} else {
			ob = c->orig_len > 0 ? (uint64_t)c->orig_len : 0;
			rb = c->resp_len > 0 ? (uint64_t)c->resp_len : 0;
		}
		v[i].present = true;
		v[i++].u.d = duration;
		v[i++] = count_value(ob);
		v[i++] = count_value(rb);
	} else {
		i += 3;
	}
	v[i++] = str_value(conn_state_text(c));
	if (cfg->private_is_local || cfg->n_local_nets > 0) {
		v[i].present = true;
		v[i++].u.b = conn_addr_is_local(cl, &c->orig_h);
		v[i].present = true;
		v[i++].u.b = conn_addr_is_local(cl, &c->resp_h);
	} else {
		i += 2;
	}
	v[i++] = count_value(c->missed_bytes);
	if (c->history_len > 0) {
		v[i].present = true;
		v[i].u.str.p = c->history;
		v[i++].u.str.n = c->history_len;
	} else {
		i++;
	}
	v[i++] = count_value(c->orig_pkts);
	v[i++] = count_value(c->orig_ip_bytes);
	v[i++] = count_value(c->resp_pkts);
	v[i++] = count_value(c->resp_ip_bytes);
	/* A set of strings, in Zeek's print order; scratch on the stack
	 * unless a connection changed tunnels more than a few times. */
	struct log_value parents_inline[CONN_TUNNEL_PARENTS_INLINE], *parents = parents_inline;
	struct zset_elem el_inline[CONN_TUNNEL_PARENTS_INLINE], *el = el_inline;
	size_t order_inline[CONN_TUNNEL_PARENTS_INLINE], *order = order_inline;
	const struct conn_tunnel *t = c->tun;
	size_t np = t ? t->n_parents : 0;
	if (np > CONN_TUNNEL_PARENTS_INLINE) {
		parents = malloc(np * sizeof *parents);
		el = malloc(np * sizeof *el);
		order = malloc(np * sizeof *order);
		if (!parents || !el || !order) {
			free(parents);
			free(el);
			free(order);
			return -ENOMEM;
		}
	}
	if (np) {
		size_t n = 0;
		for (size_t k = 0; k < np; k++) {
			el[k].str = conn_tunnel_parent(t, k);
			el[k].len = strlen(el[k].str);
			el[k].num = 0;
		}
		if (zset_order(cl->set_key, ZSET_STRING, el, np, order, &n) < 0) {
			for (n = 0; n < np; n++)
				order[n] = n;
		}
		for (size_t k = 0; k < n; k++)
			parents[k] = str_value(conn_tunnel_parent(t, order[k]));
		v[i].present = true;
		v[i].u.list.items = parents;
		v[i].u.list.n = n;
	}
	i++;
	v[i++] = count_value(c->ip_proto);

	char community[64], omac[18], rmac[18];
	for (size_t k = 0; k < cfg->n_conn_extra; k++) {
		switch (cfg->conn_extra_order[k]) {
		case SCRIPT_COMMUNITY_ID:
			conn_community_id(c, community, sizeof community);
			v[i++] = str_value(community);
			break;
		case SCRIPT_MAC_LOGGING:
			if (c->has_l2 && mac_is_set(c->orig_l2)) {
				format_mac(c->orig_l2, omac);
				v[i] = str_value(omac);
			}
			i++;
			if (c->has_l2 && mac_is_set(c->resp_l2)) {
				format_mac(c->resp_l2, rmac);
				v[i] = str_value(rmac);
			}
			i++;
			break;
		case SCRIPT_VLAN_LOGGING:
			if (c->vlan >= 0) {
				v[i].present = true;
				v[i].u.i = c->vlan;
			}
			i++;
			if (c->inner_vlan >= 0) {
				v[i].present = true;
				v[i].u.i = c->inner_vlan;
			}
			i++;
			break;
		default:
			break;
		}
	}
	int rc = log_stream_write(s, v);
	if (parents != parents_inline) {
		free(parents);
		free(el);
		free(order);
	}
	return rc;
}
