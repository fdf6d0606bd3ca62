// SPDX-License-Identifier: MIT
/*
 * model_events.c - the model records as events: decoding, JSON and text
 * (model_load, model_modified, model_exfil, model_access and the scan
 * verdict). Pure functions, apart from the kernel and the agent, so the
 * fuzzers and the encoders link them alone. See model.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hex.h"
#include "output/jsonw.h"
#include "model/model.h"
#include "net.h"
#include "scan/report.h"
#include "scan/scan.h"

bool model_is_event(uint32_t type)
{
	return type == LT_EV_MODEL_LOAD || type == LT_EV_MODEL_MODIFIED ||
	       type == LT_EV_MODEL_EXFIL || type == LT_EV_MODEL_ACCESS;
}



/* 64 lower-case hex digits into 32 bytes; -EINVAL otherwise */

int model_decode(const void *rec, size_t len, struct event *ev)
{
	const struct lt_model_ev *e = rec;
	const char *str = (const char *)rec + sizeof(*e);
	size_t avail;

	if (len < sizeof(*e))
		return -EINVAL;
	avail = len - sizeof(*e);
	if (e->path_len > avail || (e->path_len && str[e->path_len - 1] != '\0'))
		return -EINVAL;
	if (e->path_len)
		ev->filename = str;
	ev->filename_flags = e->path_flags;
	ev->fid.ino = e->fid.ino;
	ev->fid.size = e->fid.size;
	ev->fid.mtime_ns = e->fid.mtime_ns;
	ev->fid.ctime_ns = e->fid.ctime_ns;
	ev->fid.dev = e->fid.dev;
	ev->has_fid = e->fid.ino != 0 && e->fid.ctime_ns != 0;
	ev->ino = e->fid.ino;
	ev->dev = e->fid.dev;
	ev->model.access = e->access;
	ev->model.mflags = e->mflags;
	ev->model.method = e->method;
	ev->model.dport = e->dport;
	ev->model.family = e->family;
	ev->model.protocol = e->protocol;
	ev->model.fd = e->fd;
	ev->model.open_flags = e->open_flags;
	ev->model.bytes = e->bytes;
	memcpy(ev->model.daddr, e->daddr, 16);
	ev->model.old_sha256[0] = '\0';
	if (e->mflags & LT_MF_OLD_HASH)
		hex_encode(e->old_sha256, sizeof(e->old_sha256), ev->model.old_sha256);
	ev->model.format = NULL;
	return 0;
}

const char *model_access_str(uint32_t access, char *buf, size_t len)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{ LT_MA_OPEN, "open" }, { LT_MA_MMAP, "mmap" }, { LT_MA_READ, "read" },
		{ LT_MA_CONTENT, "content" },
	};
	size_t o = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int w;

		if (!(access & names[i].bit))
			continue;
		w = snprintf(buf + o, len - o, "%s%s", o ? "," : "", names[i].name);
		if (w < 0 || (size_t)w >= len - o)
			break;
		o += (size_t)w;
	}
	return buf;
}

const char *model_method_name(uint32_t method)
{
	switch (method) {
	case LT_MX_SENDFILE:
		return "sendfile";
	case LT_MX_SPLICE:
		return "splice";
	case LT_MX_SEND:
		return "send";
	}
	return NULL;
}

static void kv_kdev(struct jbuf *b, const char *key, uint32_t kdev)
{
	char s[32];

	snprintf(s, sizeof(s), "%u:%u", kdev_major(kdev), kdev_minor(kdev));
	json_kv_str(b, key, s);
}

static void json_access(struct jbuf *b, uint32_t access)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = { { LT_MA_OPEN, "open" }, { LT_MA_MMAP, "mmap" }, { LT_MA_READ, "read" } };

	json_key(b, "access");
	json_arr_begin(b);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (access & names[i].bit)
			json_cstr(b, names[i].name);
	json_arr_end(b);
}

void model_scan_json(struct jbuf *b, const struct event *ev)
{
	const struct ev_model *m = &ev->model;

	if (m->scan_state == EV_SCAN_NONE)
		return;
	json_key(b, "scan");
	json_obj_begin(b);
	if (m->scan_state == EV_SCAN_DONE && m->scan)
		scan_report_json_members(b, m->scan);
	else
		json_kv_str(b, "verdict", "pending");
	json_obj_end(b);
}

const char *model_scan_verdict(const struct event *ev)
{
	const struct ev_model *m = &ev->model;

	if (m->scan_state == EV_SCAN_NONE)
		return NULL;
	if (m->scan_state == EV_SCAN_DONE && m->scan)
		return scan_verdict_name(m->scan->verdict);
	return "pending";
}

void model_json(struct jbuf *b, const struct event *ev)
{
	const struct ev_model *m = &ev->model;

	json_kv_str(b, "filename", ev->canon[0] ? ev->canon : ev->filename);
	if (ev->filename_flags & LT_PF_TRUNC)
		json_kv_bool(b, "path_truncated", true);
	kv_kdev(b, "dev", ev->fid.dev);
	json_kv_uint(b, "inode", ev->fid.ino);
	json_kv_uint(b, "size", ev->fid.size);
	json_kv_uint(b, "mtime", ev->fid.mtime_ns);
	json_kv_uint(b, "ctime", ev->fid.ctime_ns);
	switch (ev->type) {
	case LT_EV_MODEL_LOAD:
		json_kv_str(b, "format", m->format ? m->format : "unknown");
		json_access(b, m->access);
		json_kv_str(b, "found_by", m->access & LT_MA_CONTENT ? "content" : "name");
		json_kv_int(b, "fd", m->fd);
		if (m->access & LT_MA_OPEN)
			json_kv_uint(b, "flags", m->open_flags);
		model_scan_json(b, ev);
		break;
	case LT_EV_MODEL_ACCESS:
		json_access(b, m->access);
		json_kv_str(b, "found_by", m->access & LT_MA_CONTENT ? "content" : "name");
		json_kv_uint(b, "read_bytes", m->bytes);
		json_kv_bool(b, "mapped", m->access & LT_MA_MMAP);
		break;
	case LT_EV_MODEL_MODIFIED:
		json_kv_str(b, "old_sha256", m->old_sha256[0] ? m->old_sha256 : NULL);
		json_kv_bool(b, "writer", m->mflags & LT_MF_WRITER);
		break;
	case LT_EV_MODEL_EXFIL: {
		char a[64];

		json_kv_str(b, "method", model_method_name(m->method));
		json_kv_int(b, "fd", m->fd);
		if (net_format_addr(m->family, m->daddr, a, sizeof(a)) >= 0)
			json_kv_str(b, "remote_addr", a);
		json_kv_uint(b, "remote_port", m->dport);
		json_kv_str(b, "protocol", m->protocol == 6 ? "tcp" : m->protocol == 17 ? "udp" :
					   "unknown");
		json_kv_uint(b, "bytes", m->bytes);
		break;
	}
	}
}

void model_text(struct jbuf *b, const struct event *ev)
{
	const struct ev_model *m = &ev->model;
	const char *fn = ev->canon[0] ? ev->canon : ev->filename;
	char acc[64];

	text_quote(b, fn ? fn : "", fn ? strlen(fn) : 0);
	switch (ev->type) {
	case LT_EV_MODEL_LOAD:
		jbuf_printf(b, ", format=%s, access=%s", m->format ? m->format : "unknown",
			    model_access_str(m->access, acc, sizeof(acc)));
		if (model_scan_verdict(ev))
			jbuf_printf(b, ", scan=%s", model_scan_verdict(ev));
		break;
	case LT_EV_MODEL_ACCESS:
		jbuf_printf(b, ", access=%s, read_bytes=%llu",
			    model_access_str(m->access, acc, sizeof(acc)),
			    (unsigned long long)m->bytes);
		break;
	case LT_EV_MODEL_MODIFIED:
		jbuf_printf(b, ", old_sha256=%s", m->old_sha256[0] ? m->old_sha256 : "unknown");
		break;
	case LT_EV_MODEL_EXFIL: {
		char ep[NET_ENDPOINT_MAX];

		if (net_format_endpoint(m->family, m->daddr, m->dport, ep, sizeof(ep)) < 0)
			ep[0] = '\0';
		jbuf_printf(b, ", method=%s, to=%s, bytes=%llu",
			    model_method_name(m->method) ? model_method_name(m->method) : "?", ep,
			    (unsigned long long)m->bytes);
		break;
	}
	}
}

/* ---- pure helpers --------------------------------------------------------------- */
