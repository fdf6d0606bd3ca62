/* SPDX-License-Identifier: MIT */
/*
 * verify_cmd - `ltrack verify`: load each BPF program on its own, as the
 * agent would (src/loader.h, loader_verify), and print what the kernel's
 * verifier paid for it against a budget. See docs/cli.md and
 * docs/kernels.md ("Verifier budget").
 */
#ifndef LTRACK_VERIFY_CMD_H
#define LTRACK_VERIFY_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "loader.h"

#define VERIFY_BUDGET_DEFAULT 200000	/* a 5x margin under the verifier's 1M limit */

/*
 * verify_main - run `ltrack verify` with @argv[0] == "verify". Returns the
 * exit status: 0 every program present is within the budget, 1 one is
 * over it or refused (or the object cannot load at all), 2 bad usage.
 */
int verify_main(int argc, char **argv);

/*
 * verify_report - sort @rows by processed instructions, most first (the
 * absent programs last, by name), and print them to @out: a table, or one
 * JSON object when @json. @kernel is the release shown. Returns the exit
 * status of verify_main for these rows (0 or 1).
 */
int verify_report(struct loader_verify *rows, size_t n, unsigned long budget, bool json,
		  const char *kernel, FILE *out);

#endif
