/* SPDX-License-Identifier: MIT */
/* models_cmd - `ltrack models`: list the model inventory (docs/models.md) */
#ifndef LTRACK_MODELS_CMD_H
#define LTRACK_MODELS_CMD_H

/*
 * models_main - run `ltrack models` with @argv[0] == "models". Returns the
 * exit status: 0 listed, 1 failure (refused, unreadable), 2 bad usage.
 */
int models_main(int argc, char **argv);

#endif
