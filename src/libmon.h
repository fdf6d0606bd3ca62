/* SPDX-License-Identifier: MIT */
/*
 * libmon - the user-space half of library monitoring (lib): the trusted
 * directory verdict of lib_load events, and the dlopen uprobes.
 *
 * The dlopen uprobes are attached per libc file, identified by (dev,
 * inode) of the file as opened: at start to every libc mapped by a running
 * process (/proc/PID/maps), then to each new libc a lib_load reports
 * (containers bring their own). Files are opened through
 * /proc/PID/map_files or /proc/PID/root, so a container's libc is reached
 * as the container sees it. The symbol is resolved from the ELF dynamic
 * symbol table (libbpf 1.1 refuses glibc's dlopen by name: two versions
 * share its address). At most LIBMON_MAX_LIBC files are attached.
 */
#ifndef LTRACK_LIBMON_H
#define LTRACK_LIBMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "events.h"

#define LIBMON_MAX_LIBC 64

struct libmon;
struct loader;

/* libmon_new - an empty monitor over loader @L; NULL with errno on failure */
struct libmon *libmon_new(struct loader *L);

/*
 * libmon_apply - take @c's [library_monitor] settings: the trusted
 * directories (canonicalised) and, when dlopen is on, the uprobes on the
 * libcs running processes map; detaches them all when it is off.
 * Returns 0 or -ENOMEM (the old settings stay).
 */
int libmon_apply(struct libmon *m, const struct lt_config *c);

/* libmon_trusted - @path lies under a trusted directory (whole components) */
bool libmon_trusted(const struct libmon *m, const char *path);

/*
 * libmon_on_lib_load - a decoded lib_load: set ev->untrusted and, when the
 * file looks like a libc not attached yet, attach the dlopen uprobes to it
 */
void libmon_on_lib_load(struct libmon *m, struct event *ev);

struct hooks;

/* libmon_subscribe - libmon_on_lib_load for every lib_load (hooks.h); 0 or -errno */
int libmon_subscribe(struct libmon *m, struct hooks *h);

/* libmon_free - detach everything and free; NULL is a no-op */
void libmon_free(struct libmon *m);

/* ---- pure helpers (unit tests, fuzzing) ---- */

/*
 * libmon_path_under - @path equals @dir or lies below it, comparing whole
 * components ("/usr/lib" covers "/usr/lib/x.so", not "/usr/lib64/x.so");
 * a trailing '/' of @dir is ignored
 */
bool libmon_path_under(const char *dir, const char *path);

/*
 * libmon_libc_name - basename @base names a file that may hold dlopen:
 * libc.so.6, libc-2.31.so, libdl.so.2, libdl-2.31.so
 */
bool libmon_libc_name(const char *base);

/* libmon_default_trusted - the built-in trusted directories, NULL-terminated */
extern const char *const libmon_default_trusted[];

#endif
