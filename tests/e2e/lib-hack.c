// SPDX-License-Identifier: MIT
/* lib-hack.c - the untrusted library of tests/e2e/t_lib.py (build/tests/libhack.so) */
int ltrack_hack(void);

int ltrack_hack(void)
{
	return 42;
}
