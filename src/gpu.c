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
#include "gpu.h"
#include "hooks.h"
#include "output/jsonw.h"
#include "output/format.h"

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

/* "major:minor" of kernel-encoded @kdev into @buf */
static const char *dev_str(uint32_t kdev, char *buf, size_t len)
{
	snprintf(buf, len, "%u:%u", kdev_major(kdev), kdev_minor(kdev));
	return buf;
}

void gpu_json(struct jbuf *b, const struct event *ev)
{
	char fl[256], d[32];

	json_key(b, "filename");
	json_cstr(b, ev->filename);
	format_open_flags(ev->open_flags, fl, sizeof(fl));
	json_kv_uint(b, "flags", ev->open_flags);
	json_key(b, "flags_str");
	json_cstr(b, fl);
	json_key(b, "gpu_kind");
	json_cstr(b, gpu_kind_name(ev->gpu_kind));
	if (!ev->ino)	/* a failed open: nothing was resolved */
		return;
	json_key(b, "device");
	json_cstr(b, dev_str(ev->rdev, d, sizeof(d)));
	json_kv_uint(b, "major", kdev_major(ev->rdev));
	json_kv_uint(b, "minor", kdev_minor(ev->rdev));
	json_key(b, "dev");
	json_cstr(b, dev_str(ev->dev, d, sizeof(d)));
	json_kv_uint(b, "inode", ev->ino);
}

void gpu_text(struct jbuf *b, const struct event *ev)
{
	char fl[256], d[32];

	format_open_flags(ev->open_flags, fl, sizeof(fl));
	text_quote(b, ev->filename, strlen(ev->filename));
	if (ev->ino)
		jbuf_printf(b, ", \"%s\"", dev_str(ev->rdev, d, sizeof(d)));
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
