// SPDX-License-Identifier: MIT
/*
 * gpu.c - gpu_access decoding, allow-list and encoders. See gpu.h.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "events.h"
#include "fields.h"
#include "gpu.h"
#include "hooks.h"
#include "output/jsonw.h"
#include "output/format.h"
#include "output/field_json.h"

int gpu_decode(const void *rec, size_t len, struct event *ev)
{
	const struct lt_gpu_ev *e = rec;
	const char *str = (const char *)rec + sizeof(*e);

	if (len < sizeof(*e) || !gpu_kind_name(e->kind))
		return -EINVAL;
	if (!e->path_len || e->path_len > len - sizeof(*e) || str[e->path_len - 1] != '\0' ||
	    strlen(str) != (size_t)e->path_len - 1)
		return -EINVAL;
	ev->filename = str;
	ev->filename_flags = e->path_flags;
	ev->ino = e->ino;
	ev->dev = e->dev;
	ev->rdev = e->rdev;
	ev->open_flags = e->open_flags;
	ev->gpu_kind = e->kind;
	return 0;
}

const char *gpu_kind_name(uint32_t kind)
{
	switch (kind) {
	case LT_GPU_NVIDIA:
		return "nvidia";
	case LT_GPU_DRI:
		return "dri";
	case LT_GPU_KFD:
		return "kfd";
	}
	return NULL;
}

/* plain @pat is @name, or @name is @pat + a version suffix ("3", "3.11") */
static bool plain_match(const char *pat, const char *name)
{
	size_t n = strlen(pat);

	if (strncmp(pat, name, n))
		return false;
	if (!name[n])
		return true;
	if (name[n] < '0' || name[n] > '9')
		return false;
	for (const char *p = name + n; *p; p++)
		if ((*p < '0' || *p > '9') && *p != '.')
			return false;
	return true;
}

bool gpu_allowed(char *const *allow, size_t n, const char *exe)
{
	const char *base;

	if (!exe || exe[0] != '/')
		return false;
	base = strrchr(exe, '/') + 1;
	for (size_t i = 0; i < n; i++) {
		const char *a = allow[i];

		if (strchr(a, '/')) {
			if (fnmatch(a, exe, FNM_PATHNAME) == 0)
				return true;
		} else if (strpbrk(a, "*?[")) {
			if (fnmatch(a, base, 0) == 0)
				return true;
		} else if (plain_match(a, base)) {
			return true;
		}
	}
	return false;
}

static int get_filename(const struct event *ev, struct fld_val *v)
{
	v->s = ev->filename;
	return 0;
}

static int get_kind(const struct event *ev, struct fld_val *v)
{
	v->s = gpu_kind_name(ev->gpu_kind);
	v->plain = true;
	return 0;
}

/* the rest is absent from a failed open: nothing was resolved */
static int get_device(const struct event *ev, struct fld_val *v)
{
	return ev->ino ? fld_set_kdev(v, ev->rdev) : -ENOENT;
}

static int get_major(const struct event *ev, struct fld_val *v)
{
	v->u = kdev_major(ev->rdev);
	return ev->ino ? 0 : -ENOENT;
}

static int get_minor(const struct event *ev, struct fld_val *v)
{
	v->u = kdev_minor(ev->rdev);
	return ev->ino ? 0 : -ENOENT;
}

static const struct ev_field gpu_rows[] = {
	FIELD_ROW("filename", FT_PATH, 0, FG_OWN, get_filename, NULL,
		  "the node's absolute path; for a failed open, the path as passed"),
	FIELD_ROW("flags", FT_UINT, 0, FG_OWN, ev_get_open_flags, NULL, "the open flags as passed"),
	FIELD_ROW("flags_str", FT_STR, 0, FG_OWN, ev_get_open_flags_str, NULL,
		  "the same, by name (`O_RDWR|O_CLOEXEC`)"),
	FIELD_ROW("gpu_kind", FT_STR, 0, FG_OWN, get_kind, NULL,
		  "`nvidia` (`/dev/nvidia*`), `dri` (`/dev/dri/*`), `kfd` (`/dev/kfd`)"),
	FIELD_ROW("device", FT_STR, 0, FG_OWN, get_device, NULL, "the device opened, `major:minor`"),
	FIELD_ROW("major", FT_UINT, 0, FG_OWN, get_major, NULL, "its major number"),
	FIELD_ROW("minor", FT_UINT, 0, FG_OWN, get_minor, NULL, "its minor number"),
	FIELD_ROW("dev", FT_STR, 0, FG_OWN, ev_get_file_dev, NULL,
		  "the node itself: its filesystem (`major:minor`)"),
	FIELD_ROW("inode", FT_UINT, 0, FG_OWN, ev_get_file_inode, NULL, "and its inode"),
};
FIELD_LIST(gpu_fields, gpu_rows, "gpu");

void gpu_text(struct jbuf *b, const struct event *ev)
{
	char fl[256], d[32];

	format_open_flags(ev->open_flags, fl, sizeof(fl));
	text_quote(b, ev->filename, strlen(ev->filename));
	if (ev->ino)
	{
		format_kdev(ev->rdev, d, sizeof(d));
		jbuf_printf(b, ", \"%s\"", d);
	}
	jbuf_printf(b, ", %s, %s", fl, gpu_kind_name(ev->gpu_kind));
}

static void hook_gpu_access(void *state, struct event *ev)
{
	struct gpu_gate *g = state;

	if (gpu_allowed(g->cfg->gpu_allow, g->cfg->ngpu_allow, g->exe(g->ctx, ev)))
		ev->hflags &= ~LT_HF_REPORT;
}

int gpu_subscribe(struct gpu_gate *g, struct hooks *h)
{
	return hooks_add(h, HOOK_DECODED, LT_EV_GPU_ACCESS, hook_gpu_access, g);
}
