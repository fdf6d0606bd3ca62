/* SPDX-License-Identifier: MIT */
/*
 * gpu - gpu_access events in user space: decoding the kernel's lt_gpu_ev,
 * the [model_monitor] gpu_allow allow-list, and the JSON fields and text
 * line. The kernel side (src/bpf/gpu.bpf.h) recognises GPU device nodes by
 * path and reports the first open of each device by each process image;
 * the allow-list is applied here because it matches image paths, which
 * the kernel side does not hold as strings. docs/events.md ("gpu_access")
 * documents the fields.
 */
#ifndef LTRACK_GPU_H
#define LTRACK_GPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event;
struct jbuf;
struct ev_field_list;

/*
 * gpu_decode - ring record @rec (@len bytes, type LT_EV_GPU_ACCESS) into
 * @ev: filename (the node's path), ino, dev, rdev, open_flags, gpu_kind.
 * Returns 0, or -EINVAL when the record is shorter than struct lt_gpu_ev,
 * its path overruns the record or lacks its NUL, or the kind is unknown.
 */
int gpu_decode(const void *rec, size_t len, struct event *ev);

/* gpu_kind_name - "nvidia", "dri", "kfd" for LT_GPU_*; NULL for another value */
const char *gpu_kind_name(uint32_t kind);

/*
 * gpu_allowed - is the process whose image is @exe (absolute path, or NULL
 * when unknown) in allow-list @allow[0..@n)? An entry with a '/' is an
 * absolute path, matched against the whole of @exe; any other entry is a
 * name, matched against @exe's basename the way watch_commands matches:
 * an entry with glob characters (* ? [...]) is an fnmatch pattern over the
 * whole name, a plain one matches the name exactly or followed by a
 * version suffix (a digit, then only digits and dots: "python" allows
 * python3.11). An unknown image is never allowed. The comm is not used: a
 * process sets its own.
 */
bool gpu_allowed(char *const *allow, size_t n, const char *exe);

struct hooks;
struct lt_config;

/* what the allow-list hook needs: the policy's list and the opener's image */
struct gpu_gate {
	const struct lt_config *cfg;	/* gpu_allow (the agent's, replaced in place on reload) */
	/* the image of @ev's process, or NULL (context_exe) */
	const char *(*exe)(void *ctx, const struct event *ev);
	void *ctx;
};

/*
 * gpu_subscribe - the allow-list (hooks.h): a gpu_access of an allowed
 * image is not printed. @g must outlive the hooks. 0 or -errno.
 */
int gpu_subscribe(struct gpu_gate *g, struct hooks *h);

/* gpu_fields - the fields of a gpu_access event (after the common ones; src/fields.h) */
extern const struct ev_field_list gpu_fields;

/* gpu_text - the text between "gpu_access(" and ")": path, device, flags, kind */
void gpu_text(struct jbuf *b, const struct event *ev);

#endif
