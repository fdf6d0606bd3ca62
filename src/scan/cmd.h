/* SPDX-License-Identifier: MIT */
/*
 * cmd - `ltrack scan [--format text|json] PATH...`: scan files and
 * directories (recursively, symlinks inside directories are not followed)
 * and print one report per file. See docs/scanner.md.
 */
#ifndef LTRACK_SCAN_CMD_H
#define LTRACK_SCAN_CMD_H

#include <stdio.h>

/*
 * scan_cmd_main - the subcommand; @argv[0] is "scan". Reports go to @out,
 * diagnostics to @err. Returns the exit status: 0 every file clean, 1
 * something suspicious or dangerous found, 2 an error (bad usage, an
 * unreadable file, an "error" verdict); 2 wins over 1.
 */
int scan_cmd_main(int argc, char **argv, FILE *out, FILE *err);

#endif
