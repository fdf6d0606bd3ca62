// SPDX-License-Identifier: MIT
/*
 * fuzz_elfsym.c - ELF files as any process might map them, broken in every
 * way: elfsym_func_offset() must return an offset inside the file or an
 * error, never read out of bounds (libelf is driven through a memfd, the
 * way ltrack reads a libc through /proc).
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "elfsym.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t off = 0;
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size &&
	    elfsym_func_offset(fd, "dlopen", &off) == 0 && off >= size)
		abort();	/* an offset past the file cannot hold the function */
	close(fd);
	return 0;
}
