/* SPDX-License-Identifier: MIT */
/*
 * safeopen - open for reading, as root, a file whose name a user may have
 * planted (a model's path, an exec image's path, /proc/PID/fd/N of a
 * process that may have swapped the descriptor): never open a device, a
 * FIFO or a socket for reading, and never follow a planted final symlink.
 *
 * The name is first opened with O_PATH, which runs no driver's open and
 * blocks on no FIFO; statx (from the kernel's cached attributes, so a FUSE
 * daemon is not asked) must say "regular file"; only then is that very
 * inode opened for reading, through /proc/self/fd of the O_PATH
 * descriptor, so no second lookup of the name can be raced. (Security
 * review, finding 5.)
 */
#ifndef LTRACK_SAFEOPEN_H
#define LTRACK_SAFEOPEN_H

#include <stdbool.h>
#include <sys/stat.h>

/*
 * safe_open_ro - the regular file at @path opened O_RDONLY (with O_NOCTTY,
 * O_NONBLOCK, O_CLOEXEC; O_NOATIME when @noatime and permitted). @follow:
 * follow a final symlink (only for the kernel's magic links in /proc:
 * PID/fd/N, PID/exe, PID/map_files/...); otherwise a final symlink is
 * refused. Fills @st (may be NULL). Returns the descriptor, or -errno:
 * -EINVAL when the object is not a regular file (nothing was opened for
 * reading), -ELOOP for a final symlink without @follow.
 */
int safe_open_ro(const char *path, bool follow, bool noatime, struct stat *st);

/* the identity a caller expects: st_dev (user-space numbering) and inode */
struct safe_id {
	dev_t dev;
	ino_t ino;
};

/*
 * safe_open_ro_id - safe_open_ro, and when @want is not NULL the object
 * must be that file: checked on the O_PATH descriptor with what the kernel
 * holds (statx AT_STATX_DONT_SYNC: no request to the file system), before
 * anything is opened for reading. Another file there (a descriptor number
 * the process reused, perhaps for a file on FUSE whose daemon would answer
 * the open) is -ESTALE, and was never opened or stat-ed through its file
 * system.
 */
int safe_open_ro_id(const char *path, bool follow, bool noatime, const struct safe_id *want,
		    struct stat *st);

#endif
