/* SPDX-License-Identifier: MIT */
/*
 * safeopen - open for reading, as root, a file whose name a user may have
 * planted (a model's path, an exec image's path, /proc/PID/fd/N of a
 * process that may have swapped the descriptor): never open a device, a
 * FIFO or a socket for reading, and never follow a planted final symlink.
 *
 * The name is first opened with O_PATH, which runs no driver's open and
 * blocks on no FIFO; fstat must say "regular file"; only then is that very
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

#endif
