// SPDX-License-Identifier: MIT
/* safeopen - open a user-named file for reading without its side effects (safeopen.h) */
#include "safeopen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int safe_open_ro(const char *path, bool follow, bool noatime, struct stat *st)
{
	const int rd = O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC;
	struct stat ps, fs;
	char self[64];
	int pfd, fd = -1, ret;

	pfd = open(path, O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
	if (pfd < 0)
		return -errno;
	if (fstat(pfd, &ps)) {
		ret = -errno;
		goto out;
	}
	if (S_ISLNK(ps.st_mode)) {	/* O_PATH | O_NOFOLLOW gives the link itself */
		ret = -ELOOP;
		goto out;
	}
	if (!S_ISREG(ps.st_mode)) {
		ret = -EINVAL;
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
	if (fstat(fd, &fs) || fs.st_dev != ps.st_dev || fs.st_ino != ps.st_ino) {
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
