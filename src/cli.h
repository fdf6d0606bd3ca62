/* SPDX-License-Identifier: MIT */
/*
 * cli - the command line. Flags keep the seeds' interfaces: ltrack's
 * --config, SysTracer's --watch "<events>=<path>", and ours. See docs/cli.md.
 */
#ifndef LTRACK_CLI_H
#define LTRACK_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct cli {
	const char *config;	/* --config FILE (default "policy.toml") */
	bool config_given;
	const char **watches;	/* --watch SPEC, repeatable */
	size_t nwatches;
	const char *output;	/* --output FILE: events to a file */
	int format;		/* --format: enum lt_format, or -1 */
	bool failed;		/* --failed */
	bool strict;		/* --strict: a concern the kernel refuses is fatal */
	bool check;		/* --check: validate and exit */
	bool version;
	bool help;
	bool policy_reference;	/* --policy-reference: print docs/policy.md's text */
	bool event_reference;	/* --event-reference: docs/events.md's table of types */
	long stats_interval;	/* --stats-interval SECONDS, or -1 */
	/* ctx: eTracee's filters (checked by config_set_*) and ancestry */
	const char *pids;	/* --pid 100-200,300, or NULL */
	const char *uids;	/* --uid 1000-2000, or NULL */
	const char *events;	/* --events exec,open,connect, or NULL */
	long ancestors;		/* --ancestors N (0..LT_ANCESTORS_MAX), or -1 */
	/* net: SysTracer's --connect, --listen, --all as LT_NE() event groups */
	unsigned int net;
};

/*
 * cli_parse - parse argv into @c. Returns 0, or -EINVAL with a message in
 * @err (the caller prints usage and exits 2).
 */
int cli_parse(struct cli *c, int argc, char **argv, char *err, size_t errlen);

/* cli_release - free what cli_parse allocated */
void cli_release(struct cli *c);

/* cli_usage - the --help text */
const char *cli_usage(void);

#endif
