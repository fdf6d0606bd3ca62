// SPDX-License-Identifier: MIT
/* lib-loader.c - the loader program of tests/e2e/t_lib.py (built by make as
 * build/tests/lt-loader) */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ops: nop (prints 0: main runs, so ld.so has mapped libc), dl:FLAGS:NAME (dlopen; prints 1/0), mmapx:PATH (mmap r-x; prints addr size),
   mprot:PATH (mmap r--, then mprotect r-x; prints addr size) */
int main(int argc, char **argv)
{
	char c;

	if (read(0, &c, 1) != 1)
		return 3;
	for (int i = 1; i < argc; i++) {
		char *op = argv[i], *end;

		if (!strcmp(op, "nop")) {
			printf("0\n");
		} else if (!strncmp(op, "dl:", 3)) {
			int fl = (int)strtol(op + 3, &end, 0);
			void *h = dlopen(end + 1, fl);

			printf("%d\n", h != NULL);
		} else {
			int x = !strncmp(op, "mmapx:", 6);
			const char *path = strchr(op, ':') + 1;
			int fd = open(path, O_RDONLY);
			struct stat st;
			void *p;

			if (fd < 0 || fstat(fd, &st))
				return 4;
			p = mmap(NULL, st.st_size, x ? PROT_READ | PROT_EXEC : PROT_READ, MAP_PRIVATE,
				 fd, 0);
			if (p == MAP_FAILED)
				return 5;
			if (!x && mprotect(p, st.st_size, PROT_READ | PROT_EXEC))
				return 6;
			close(fd);
			printf("%lu %lu\n", (unsigned long)p, (unsigned long)st.st_size);
		}
		fflush(stdout);
	}
	if (read(0, &c, 1) < 0)
		return 7;
	return 0;
}
