// SPDX-License-Identifier: MIT
/*
 * hashbench - time ltrack's file digest (hash_fd_sha256, src/hash.c) on one
 * file, the way a hashing worker runs it: one open, one digest, in this
 * process. Prints the digest and "bytes seconds" on one line so hash.sh can
 * compare it with `openssl dgst -sha256` on the same file.
 *
 *   hashbench FILE [REPEAT]      (REPEAT digests, the fastest is printed)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hash.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char hex[HASH_HEX_LEN + 1];
	double best = 0;
	int64_t n = 0;
	long repeat = argc > 2 ? strtol(argv[2], NULL, 10) : 1;

	if (argc < 2 || repeat < 1) {
		fprintf(stderr, "usage: hashbench FILE [REPEAT]\n");
		return 2;
	}
	for (long i = 0; i < repeat; i++) {
		int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
		double t0, dt;

		if (fd < 0) {
			fprintf(stderr, "hashbench: %s: %s\n", argv[1], strerror(errno));
			return 1;
		}
		t0 = now_s();
		n = hash_fd_sha256(fd, hex, NULL);
		dt = now_s() - t0;
		close(fd);
		if (n < 0) {
			fprintf(stderr, "hashbench: %s: %s\n", argv[1], strerror((int)-n));
			return 1;
		}
		if (!i || dt < best)
			best = dt;
	}
	printf("%s %lld %.6f\n", hex, (long long)n, best);
	return 0;
}
