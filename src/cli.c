// SPDX-License-Identifier: MIT
/* cli.c - getopt_long over the flags in cli.h. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_FAILED = 256, OPT_CHECK, OPT_STATS, OPT_POLREF, OPT_EVREF, OPT_STRICT,
       OPT_PID, OPT_UID, OPT_EVENTS, OPT_ANCESTORS, /* ctx */
	OPT_CONNECT, OPT_LISTEN, OPT_ALL,	/* net */
};

static const struct option opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "watch", required_argument, NULL, 'w' },
	{ "output", required_argument, NULL, 'o' },
	{ "format", required_argument, NULL, 'f' },
	{ "failed", no_argument, NULL, OPT_FAILED },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "stats-interval", required_argument, NULL, OPT_STATS },
	{ "policy-reference", no_argument, NULL, OPT_POLREF },
	{ "event-reference", no_argument, NULL, OPT_EVREF },
	{ "strict", no_argument, NULL, OPT_STRICT },
	/* net */
	{ "connect", no_argument, NULL, OPT_CONNECT },
	{ "listen", no_argument, NULL, OPT_LISTEN },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	/* ctx */
	{ "pid", required_argument, NULL, OPT_PID },
	{ "uid", required_argument, NULL, OPT_UID },
	{ "events", required_argument, NULL, OPT_EVENTS },
	{ "ancestors", required_argument, NULL, OPT_ANCESTORS },
	{ NULL, 0, NULL, 0 },
};

const char *cli_usage(void)
{
	return "usage: ltrack [--config FILE] [--watch EVENTS=DIR]... [options]\n"
	       "       ltrack scan [--format text|json] PATH...   (scan model files; see --help there)\n"
	       "       ltrack models [--format text|json]   the model inventory (--help)\n"
	       "       ltrack verify [--budget N] [--format text|json]   the verifier's cost of\n"
	       "                         each BPF program on this kernel (--help)\n"
	       "\n"
	       "  -c, --config FILE      policy file (default: policy.toml); with --config,\n"
	       "                         --watch adds to the policy\n"
	       "  -w, --watch EVENTS=DIR watch DIR recursively for EVENTS, a comma list of\n"
	       "                         all create mkdir mknod delete rmdir rename attrib\n"
	       "                         symlink link modify open (repeatable); without\n"
	       "                         --config only what the flags ask for is reported\n"
	       "  -o, --output FILE      write events to FILE (overrides [storage])\n"
	       "  -f, --format FMT       json or text (overrides [storage] format)\n"
	       "      --failed           also report failed attempts, with ret_code = -errno\n"
	       "      --connect          report outgoing network activity: connect (and the\n"
	       "                         TCP handshake's outcome), first UDP datagram per\n"
	       "                         destination\n"
	       "      --listen           report serving network activity: bind, listen, accept\n"
	       "      --all              --connect and --listen; without --config, the\n"
	       "                         network flags and --watch alone decide what is reported\n"
	       "      --stats-interval S emit a stats event every S seconds (0: at exit only)\n"
	       "      --pid LIST         only events of these process ids: N or LO-HI,\n"
	       "                         comma-separated, e.g. 100-200,300 (in the kernel)\n"
	       "      --uid LIST         only events of these real user ids, as --pid\n"
	       "      --events LIST      only these event types, e.g. exec,open,connect\n"
	       "      --ancestors N      add N levels of ancestors to every event (0..16)\n"
	       "      --strict           exit 2 when the kernel refuses any BPF program, instead\n"
	       "                         of running without that program's concern\n"
	       "      --check            validate the policy and exit (0 ok, 2 error)\n"
	       "      --policy-reference print every policy key as Markdown and exit\n"
	       "      --event-reference  read docs/events.md on stdin, write it with its generated\n"
	       "                         tables (event types, fields) refreshed, and exit\n"
	       "  -V, --version          print the version and exit\n"
	       "  -h, --help             print this help and exit\n"
	       "\n"
	       "Environment: LTRACK_LOG_LEVEL (debug|info|warn|error), LTRACK_LOG_FORMAT (json|text)\n"
	       "override [log]. SIGHUP reloads the policy; SIGINT/SIGTERM stop.\n"
	       "Exit status: 0 ok, 1 runtime failure, 2 bad usage or policy, or nothing useful\n"
	       "could load (the process programs refused; any program under --strict).\n";
}

int cli_parse(struct cli *c, int argc, char **argv, char *err, size_t errlen)
{
	int opt;

	memset(c, 0, sizeof(*c));
	c->config = "policy.toml";
	c->format = -1;
	c->stats_interval = -1;
	c->ancestors = -1;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":c:w:o:f:Vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			c->config = optarg;
			c->config_given = true;
			break;
		case 'w': {
			const char **n = realloc(c->watches, (c->nwatches + 1) * sizeof(*n));

			if (!n) {
				snprintf(err, errlen, "out of memory");
				return -ENOMEM;
			}
			c->watches = n;
			c->watches[c->nwatches++] = optarg;
			break;
		}
		case 'o':
			c->output = optarg;
			break;
		case 'f':
			if (!strcmp(optarg, "json")) {
				c->format = LT_FMT_JSON;
			} else if (!strcmp(optarg, "text")) {
				c->format = LT_FMT_TEXT;
			} else {
				snprintf(err, errlen, "--format: unknown format '%s' (expected json or text)",
					 optarg);
				return -EINVAL;
			}
			break;
		case OPT_FAILED:
			c->failed = true;
			break;
		case OPT_CHECK:
			c->check = true;
			break;
		case OPT_STATS: {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*optarg == '\0' || *end || v < 0 || v > 86400) {
				snprintf(err, errlen, "--stats-interval: '%s' is not 0..86400 seconds",
					 optarg);
				return -EINVAL;
			}
			c->stats_interval = v;
			break;
		}
		case OPT_POLREF:
			c->policy_reference = true;
			break;
		case OPT_EVREF:
			c->event_reference = true;
			break;
		case OPT_STRICT:
			c->strict = true;
			break;
		/* ctx: the lists are checked by config_set_ranges/config_set_events */
		case OPT_PID:
			c->pids = optarg;
			break;
		case OPT_UID:
			c->uids = optarg;
			break;
		case OPT_EVENTS:
			c->events = optarg;
			break;
		case OPT_ANCESTORS: {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*optarg == '\0' || *end || v < 0 || v > LT_ANCESTORS_MAX) {
				snprintf(err, errlen, "--ancestors: '%s' is not 0..%d", optarg,
					 LT_ANCESTORS_MAX);
				return -EINVAL;
			}
			c->ancestors = v;
			break;
		}
		/* net */
		case OPT_CONNECT:
			c->net |= LT_NE_CONNECT_GROUP;
			break;
		case OPT_LISTEN:
			c->net |= LT_NE_LISTEN_GROUP;
			break;
		case OPT_ALL:
			c->net |= LT_NE_CONNECT_GROUP | LT_NE_LISTEN_GROUP;
			break;
		case 'V':
			c->version = true;
			break;
		case 'h':
			c->help = true;
			break;
		case ':':
			snprintf(err, errlen, "option '%s' needs a value", argv[optind - 1]);
			return -EINVAL;
		default:
			snprintf(err, errlen, "unknown option '%s'", argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

void cli_release(struct cli *c)
{
	free(c->watches);
	c->watches = NULL;
	c->nwatches = 0;
}
