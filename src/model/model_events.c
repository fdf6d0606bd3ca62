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

#include "fields.h"
#include "hex.h"
#include "output/jsonw.h"
#include "model/model.h"
#include "output/field_json.h"
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

/* ---- fields (src/fields.h) --------------------------------------------------- */

static int get_dev(const struct event *ev, struct fld_val *v)
{
	return fld_set_kdev(v, ev->fid.dev);
}

FLD_GETTER(get_inode, u, ev->fid.ino, 1)
FLD_GETTER(get_size, u, ev->fid.size, 1)
FLD_GETTER(get_mtime, u, ev->fid.mtime_ns, 1)
FLD_GETTER(get_ctime, u, ev->fid.ctime_ns, 1)
FLD_GETTER(get_found_by, s, ev->model.access & LT_MA_CONTENT ? "content" : "name", 1)
FLD_GETTER(get_fd, i, ev->model.fd, 1)
FLD_GETTER(get_open_flags, u, ev->model.open_flags, ev->model.access & LT_MA_OPEN)
FLD_GETTER(get_read_bytes, u, ev->model.bytes, 1)
FLD_GETTER(get_read_partial, b, true, ev->model.mflags & LT_MF_PARTIAL)
FLD_GETTER(get_mapped, b, ev->model.access & LT_MA_MMAP, 1)
FLD_GETTER(get_writers_at_load, b, true, ev->model.access & LT_MA_WRITERS)
FLD_GETTER(get_old_sha256, s, ev->model.old_sha256[0] ? ev->model.old_sha256 : NULL, 1)
FLD_GETTER(get_writer, b, ev->model.mflags & LT_MF_WRITER, 1)
FLD_GETTER(get_method, s, model_method_name(ev->model.method), 1)
FLD_GETTER(get_dport, u, ev->model.dport, 1)
FLD_GETTER(get_protocol, s, ev->model.protocol == 6 ? "tcp" : ev->model.protocol == 17 ? "udp" : "unknown", 1)
FLD_GETTER(get_bytes, u, ev->model.bytes, 1)

static int get_format(const struct event *ev, struct fld_val *v)
{
	v->s = ev->model.format ? ev->model.format : "unknown";
	return 0;
}

static int get_access(const struct event *ev, struct fld_val *v)
{
	static const struct fld_bitname names[] = {
		{ LT_MA_OPEN, "open" }, { LT_MA_MMAP, "mmap" }, { LT_MA_READ, "read" }
	};

	return fld_set_bits(v, ev->model.access, names, sizeof(names) / sizeof(names[0]));
}

static int get_remote_addr(const struct event *ev, struct fld_val *v)
{
	if (net_format_addr(ev->model.family, ev->model.daddr, v->buf, sizeof(v->buf)) < 0)
		return -ENOENT;
	v->s = v->buf;
	return 0;
}

int model_get_verdict(const struct event *ev, struct fld_val *v)
{
	v->s = model_scan_verdict(ev);
	v->plain = true;
	return v->s ? 0 : -ENOENT;
}

#define LD LT_EV_MODEL_LOAD
#define AC LT_EV_MODEL_ACCESS
#define MO LT_EV_MODEL_MODIFIED
#define EX LT_EV_MODEL_EXFIL
#define R(nm, ty, get, doc, ...) FIELD_ROW(nm, ty, 0, FG_OWN, get, NULL, doc, __VA_ARGS__)
static const struct ev_field model_rows[] = {
	R("filename", FT_PATH, ev_get_path,
	  "absolute path from the kernel's `struct file` (model_load); the model, as in its "
	  "model_load (model_access, model_exfil); the file now (model_modified)"),
	R("path_truncated", FT_BOOL, ev_get_path_truncated,
	  "present (true) when the path exceeded 4096 bytes or 64 components"),
	R("dev", FT_STR, get_dev, "device of the file (`major:minor`)"),
	R("inode", FT_UINT, get_inode, "its inode"),
	R("size", FT_UINT, get_size, "the file's size when it was opened"),
	R("mtime", FT_UINT, get_mtime, "its modification time then (ns since the epoch)"),
	R("ctime", FT_UINT, get_ctime, "its change time then (ns since the epoch)"),
	R("format", FT_STR, get_format,
	  "from the first bytes: `pytorch-zip`, `pytorch-legacy`, `pytorch-tar`, `torchscript`, "
	  "`pickle`, `dill`, `numpy`, `joblib`, `safetensors`, `gguf`, `onnx`, `keras`, `hdf5`, "
	  "`tf-savedmodel`, `tflite`, `torchserve-mar`, `7z`, `tar`, `zip` or `unknown` (the sniffer "
	  "of `src/scan/`)", LD),
	R("access", FT_LIST, get_access,
	  "model_load: how the load began: `[\"open\"]` or `[\"mmap\"]` (a mapping of a file whose "
	  "open was not seen); model_access: everything the process did: `open`, `mmap`, `read`",
	  LD, AC),
	R("found_by", FT_STR, get_found_by, "`name` or `content`", LD, AC),
	R("fd", FT_INT, get_fd, "the descriptor opened (or mapped)", LD),
	R("writers_at_load", FT_BOOL, get_writers_at_load,
	  "present (true) when the file was open for writing (or mapped shared and writable) by "
	  "some process when it was loaded: a write that lands later changes the bytes that were "
	  "loaded, and is reported as a `model_modified` (with `writer: false`: who writes is not "
	  "known) once the file's identity changes", LD),
	R("flags", FT_UINT, get_open_flags, "the open flags as passed (when the load began with an open)",
	  LD),
	FIELD_ROW("scan", FT_OBJECT, 0, FG_OWN, NULL, model_scan_json,
		  "the scanner's verdict on the file (`[model_monitor] scan`, on by default): the members "
		  "of `ltrack scan --format json` ([scanner.md](scanner.md)): `verdict` (`clean`, "
		  "`suspicious`, `dangerous`, `error`), `format`, `incomplete`, `size`, `opcodes`, "
		  "`pickles`, `findings_dropped`, `error`, `findings` (`severity`, `offset`, `member`, "
		  "`global`, `why`); or `{\"verdict\": \"pending\"}` when the verdict took longer than "
		  "`[model_monitor] scan_wait_ms` (default 2000): a `scan_update` follows", LD),
	R("read_bytes", FT_UINT, get_read_bytes,
	  "bytes returned by read, pread64 and readv on the file while the process held it (a "
	  "re-read counts again: `torch.load` reads parts of a zip more than once). A model found by "
	  "content is counted only from the moment user space confirmed it", AC),
	R("read_bytes_partial", FT_BOOL, get_read_partial,
	  "present (true) when `read_bytes` (and the bytes sent, for a `model_exfil` by `send`) "
	  "may miss what the process did just after the load: the read and send hooks are attached "
	  "only while some process holds a model, so a load while none was held is counted from "
	  "their attach, about a millisecond later; or the model was found by its content "
	  "(`stats.model_monitor.cold_holds` counts them)", AC),
	R("mapped", FT_BOOL, get_mapped, "the process mapped it (mmap of the file)", AC),
	FIELD_ROW("old_sha256", FT_STR, FLD_NULL, FG_OWN, get_old_sha256, NULL,
		  "the digest before; null when it was still unknown", MO),
	R("writer", FT_BOOL, get_writer, "the process fields are the writer's", MO),
	FIELD_ROW("method", FT_STR, FLD_NULL, FG_OWN, get_method, NULL, "`sendfile`, `splice`, `send`", EX),
	R("fd", FT_INT, get_fd, "the socket", EX),
	R("remote_addr", FT_IP, get_remote_addr, "the destination", EX),
	R("remote_port", FT_UINT, get_dport, "its port", EX),
	R("protocol", FT_STR, get_protocol, "`tcp`, `udp`", EX),
	R("bytes", FT_UINT, get_bytes, "see above", EX),
	FIELD_ROW("scan.verdict", FT_STR, FLD_SUB, FG_OWN, model_get_verdict, NULL,
		  "the verdict inside `scan`, for a consumer of the registry (a rule): `clean`, "
		  "`suspicious`, `dangerous`, `error` or `pending`; absent without a scan", LD),
};
#undef R
#undef LD
#undef AC
#undef MO
#undef EX
FIELD_LIST(model_fields, model_rows, "model");


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
