// SPDX-License-Identifier: MIT
/*
 * models_cmd - `ltrack models`: the running agent's model inventory, asked
 * through the control socket; when no agent answers there, the inventory
 * file it keeps (said so on stderr). See docs/models.md.
 */
#include "model/models_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "model/control.h"
#include "model/inventory.h"

#define MODELS_MAX_ENTRIES (1u << 20)	/* what a client holds: above any policy's bound */
#define MODELS_TIMEOUT_MS 10000

static const char usage[] =
	"usage: ltrack models [--format text|json] [--config FILE] [--socket PATH]\n"
	"                     [--inventory FILE]\n"
	"\n"
	"List every model file the running agent has seen (path, sha256, format,\n"
	"verdict, loading processes, first and last seen). Asks the agent through its\n"
	"control socket (root only); when no agent runs, reads its inventory file.\n"
	"\n"
	"  -f, --format FMT   text (default) or json (one array)\n"
	"  -c, --config FILE  take [model_monitor] control_socket and inventory_file\n"
	"                     from this policy (default: the built-in defaults)\n"
	"      --socket PATH  the control socket (overrides the policy)\n"
	"      --inventory FILE  the inventory file (overrides the policy)\n"
	"  -h, --help         this help\n"
	"Exit status: 0 ok, 1 failure (refused, unreadable), 2 bad usage.\n";

enum { OPT_SOCKET = 256, OPT_INVENTORY };

static const struct option opts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "config", required_argument, NULL, 'c' },
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{ "inventory", required_argument, NULL, OPT_INVENTORY },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void print(const struct inventory *inv, bool json)
{
	if (json) {
		struct jbuf b;

		jbuf_init(&b);
		inventory_write_list(inv, &b);
		jbuf_putc(&b, '\n');
		fwrite(b.buf, 1, b.len, stdout);
		jbuf_release(&b);
	} else {
		inventory_print_text(inv, stdout);
	}
}

int models_main(int argc, char **argv)
{
	const char *config = NULL, *sock = NULL, *file = NULL;
	struct lt_config cfg;
	struct inventory *inv = NULL;
	struct jbuf ans;
	char err[512];
	bool json = false, have_cfg = false;
	int opt, rc, ret = 1;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":f:c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
				fprintf(stderr, "ltrack models: --format: '%s' is not text or json\n%s",
					optarg, usage);
				return 2;
			}
			json = !strcmp(optarg, "json");
			break;
		case 'c':
			config = optarg;
			break;
		case OPT_SOCKET:
			sock = optarg;
			break;
		case OPT_INVENTORY:
			file = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fprintf(stderr, "ltrack models: bad option '%s'\n%s", argv[optind - 1], usage);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ltrack models: unexpected argument '%s'\n%s", argv[optind], usage);
		return 2;
	}
	config_init(&cfg);
	have_cfg = true;
	if (config) {
		struct lt_config_err cerr = {};

		if (config_load_file(&cfg, config, &cerr)) {
			config_format_err(&cerr, err, sizeof(err));
			fprintf(stderr, "ltrack models: %s\n", err);
			ret = 2;
			goto out;
		}
	}
	if (!sock)
		sock = cfg.control_socket && cfg.control_socket[0] ? cfg.control_socket : NULL;
	if (!file)
		file = cfg.inventory_file && cfg.inventory_file[0] ? cfg.inventory_file : NULL;
	inv = inventory_new(MODELS_MAX_ENTRIES, INV_LOADERS_MAX);
	if (!inv) {
		fprintf(stderr, "ltrack models: out of memory\n");
		goto out;
	}
	jbuf_init(&ans);
	rc = sock ? control_request(sock, "models\n", &ans, MODELS_TIMEOUT_MS) : -ENOENT;
	if (rc == 0) {
		if (ans.len >= 6 && !memcmp(ans.buf, "error:", 6)) {
			fprintf(stderr, "ltrack models: the agent says: %.*s", (int)ans.len, ans.buf);
		} else if (inventory_parse(inv, ans.buf ? ans.buf : "", ans.len, err, sizeof(err))) {
			fprintf(stderr, "ltrack models: a malformed answer from the agent: %s\n", err);
		} else {
			print(inv, json);
			ret = 0;
		}
	} else if (rc == -EACCES || rc == -EPERM) {
		fprintf(stderr, "ltrack models: %s: permission denied (root only)\n", sock);
	} else if (rc == -ENOENT || rc == -ECONNREFUSED) {
		if (!file) {
			fprintf(stderr, "ltrack models: the agent is not running and no inventory file "
					"is set\n");
		} else {
			fprintf(stderr, "ltrack models: the agent is not running (no answer on %s): "
					"reading %s\n", sock ? sock : "no socket", file);
			rc = inventory_load(inv, file, err, sizeof(err));
			if (rc)
				fprintf(stderr, "ltrack models: %s\n", err);
			else {
				print(inv, json);
				ret = 0;
			}
		}
	} else {
		fprintf(stderr, "ltrack models: %s: %s\n", sock, strerror(-rc));
	}
	jbuf_release(&ans);
out:
	inventory_free(inv);
	if (have_cfg)
		config_release(&cfg);
	return ret;
}
