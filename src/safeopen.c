// SPDX-License-Identifier: MIT
/* safeopen - open a user-named file for reading without its side effects (safeopen.h) */
#include "safeopen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/sysmacros.h>
#include <unistd.h>

int safe_open_ro(const char *path, bool follow, bool noatime, struct stat *st)
{
	return safe_open_ro_id(path, follow, noatime, NULL, st);
}

int safe_open_ro_id(const char *path, bool follow, bool noatime, const struct safe_id *want,
		    struct stat *st)
{
	const int rd = O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC;
	struct statx sx;
	struct stat fs;
	char self[64];
	int pfd, fd = -1, ret;

	pfd = open(path, O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
	if (pfd < 0)
		return -errno;
	/*
	 * what the kernel already knows, without asking the file system: a
	 * FUSE daemon (any user's) answers a fresh getattr, and could stall it
	 */
	if (statx(pfd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_TYPE | STATX_INO, &sx)) {
		ret = -errno;
		goto out;
	}
	if (S_ISLNK(sx.stx_mode)) {	/* O_PATH | O_NOFOLLOW gives the link itself */
		ret = -ELOOP;
		goto out;
	}
	if (!S_ISREG(sx.stx_mode)) {
		ret = -EINVAL;
		goto out;
	}
	/* not the file expected (a descriptor number reused): never opened */
	if (want && (sx.stx_ino != want->ino ||
		     makedev(sx.stx_dev_major, sx.stx_dev_minor) != want->dev)) {
		ret = -ESTALE;
		goto out;
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", pfd);
	if (noatime)
		fd = open(self, rd | O_NOATIME);
	if (fd < 0)
		fd = open(self, rd);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	/* the same inode (it cannot be otherwise; checked, not assumed) */
	if (fstat(fd, &fs) || fs.st_dev != makedev(sx.stx_dev_major, sx.stx_dev_minor) ||
	    fs.st_ino != sx.stx_ino) {
		close(fd);
		ret = -ESTALE;
		goto out;
	}
	if (st)
		*st = fs;
	ret = fd;
out:
	close(pfd);
	return ret;
}
