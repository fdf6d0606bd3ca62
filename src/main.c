// SPDX-License-Identifier: MIT
/*
 * main.c - ltrack: the command line, the policy, and one event loop.
 *
 * Pipeline (see docs/architecture.md):
 *   rings -> decode (events.c, the type registry) -> hooks (hooks.h: the
 *   modules that keep state) -> context (context.c: exe, ancestry, cgroups,
 *   paths) -> enrich (enrich.c: digests, verdicts) -> format -> sink
 * main.c parses the command line and wires the stages; the event loop
 * (loop.c) runs them: a signalfd (SIGINT, SIGTERM, SIGHUP), the rings (read
 * on every turn, at most LOOP_POLL_MS apart; a ring wakes the loop only when
 * a quarter full), the hashing workers, the control socket, the mount
 * table, and the periodic work (stats, the inventory, caches).
 */
#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/sysmacros.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "version.h"	/* LTRACK_REV, made by the Makefile */
#include "cli.h"
#include "config.h"
#include "container.h"
#include "context.h"
#include "enrich.h"
#include "evade.h"	/* evade */
#include "fanexec.h"	/* hash: exec descriptors from fanotify */
#include "events.h"
#include "fields.h"
#include "output/jsonw.h"
#include "libmon.h"	/* lib */
#include "loader.h"
#include "loop.h"
#include "log.h"
#include "output/format.h"
#include "output/rotate.h"
#include "output/sink.h"
#include "proctree.h"
#include "scan/cmd.h"	/* model: ltrack scan */
#include "net.h"	/* net */
#include "gpu.h"	/* gpu */
#include "hooks.h"
#include "model/model.h"	/* model */
#include "model/control.h"	/* inventory */
#include "model/saver.h"	/* inventory */
#include "model/inventory.h"
#include "kfeat.h"
#include "model/models_cmd.h"
#include "verify_cmd.h"
#include "model/modelscan.h"	/* model: scan verdicts */
#include "hash.h"
#include "scan/sandbox.h"

#define LT_BUSY_RECORDS 1024	/* a consume that found this many: drain again at once */
#define LT_PROC_MAX 65536
#define LT_PROC_GRACE_NS (10ULL * 1000000000ULL)
#define LT_CG_MAX 4096		/* ctx: cgroup_id cache entries */

struct agent {
	struct cli cli;
	struct lt_config cfg;
	struct loader *L;
	struct ring_buffer *rb;
	/*
	 * the critical ring alone: drained before a bulk record newer than its
	 * last drain, so a process's exec is always seen before its later events
	 */
	struct ring_buffer *rb_crit;
	uint64_t crit_drained_ns;	/* CLOCK_BOOTTIME of the last such drain */
	bool in_crit;
	struct proctree *procs;
	struct enrich *enrich;		/* hash: held events, digests (src/enrich.h) */
	struct fanexec *fanexec;	/* hash: exec descriptors from fanotify, or NULL */
	char userns[64];		/* hash: ltrack's user namespace, "" unknown (proc_runs) */
	struct sink *sink;
	enum lt_format fmt;
	struct jbuf out;	/* the records of this turn not yet given to the sink */
	size_t out_nrec;
	struct fmt_ctx fctx;
	char hostname[256];
	char boot_id[64];
	int64_t boot_to_epoch_ns;	/* CLOCK_REALTIME - CLOCK_BOOTTIME */
	uint64_t seq;
	uint64_t events;
	uint64_t decode_errors;
	uint64_t last_drops_total;
	uint64_t last_fan_lost;		/* hash: fanotify's lost descriptors at the last stats */
	bool stop;			/* the output went away: stop like on SIGTERM */
	struct libmon *libmon;		/* lib: trusted dirs, dlopen uprobes */
	struct event ev;		/* decoded in place; large, so not on the stack */
	struct context *ctx;		/* ctx: exe, ancestry, cgroups, canonical paths */
	struct hooks hooks;		/* what modules do with each event type (hooks.h) */
	struct gpu_gate gpu_gate;	/* the allow-list hook's view of policy and context */
	struct evade *evade;		/* evade: io_uring_ops summaries */
	struct event *evade_ev;		/* evade: a summary is decoded here (ev may be in use) */
	struct model *model;		/* model: sniffing, model_modified, model_access */
	struct inventory *inv;		/* inventory: models seen (src/model/inventory.h) */
	struct control *ctl;		/* inventory: ltrack models' channel */
	struct scanner *scanner;	/* model: sandboxed scan workers */
	unsigned scan_workers;		/* model: how many (stats) */
	struct modelscan *mscan;	/* model: verdicts of model_load */
	bool inv_nosave;		/* inventory: its file was not understood and could not be set aside */
	uint64_t inv_backoff_ms, inv_retry_ms, inv_save_errors;	/* inventory: failed saves */
	struct saver *saver;		/* inventory: writes the file off the loop */
	struct jbuf inv_doc;		/* inventory: the serialized table, handed to saver */
	int exit_status;		/* of a failed run: 1, or 2 when nothing could load */
	struct loop *loop;		/* src/loop.h */
	int sfd;			/* signalfd: SIGINT, SIGTERM, SIGHUP */
	bool hash_woke;			/* hash: the workers' eventfd fired this turn */
	uint64_t next_stats;		/* when the periodic stats event is due (ms), 0 unset */
};

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* boot -> epoch offset, taken between two boot readings so the error is bounded */
static void clock_refresh(struct agent *a)
{
	uint64_t b1 = clock_ns(CLOCK_BOOTTIME);
	uint64_t r = clock_ns(CLOCK_REALTIME);
	uint64_t b2 = clock_ns(CLOCK_BOOTTIME);

	a->boot_to_epoch_ns = (int64_t)(r - (b1 + (b2 - b1) / 2));
}

static void read_first_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (!f)
		return;
	if (fgets(buf, len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* ---- policy ------------------------------------------------------------------- */

/*
 * build_config - the policy file (if any) plus the command line. With
 * --watch or a network flag (--connect, --listen, --all) and no --config,
 * only the flags count (SysTracer). Returns 0 or -errno with @err.
 */
static int build_config(const struct cli *cl, struct lt_config *c, struct lt_config_err *err)
{
	int rc;

	config_init(c);
	if (cl->config_given || (cl->nwatches == 0 && !cl->net)) {	/* net: || !cl->net */
		rc = config_load_file(c, cl->config, err);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < cl->nwatches; i++) {
		rc = config_add_watch_spec(c, cl->watches[i], "--watch", err);
		if (rc)
			return rc;
	}
	/* ctx: command-line filters replace the policy's */
	if (cl->pids && (rc = config_set_ranges(c, false, cl->pids, "--pid", err)))
		return rc;
	if (cl->uids && (rc = config_set_ranges(c, true, cl->uids, "--uid", err)))
		return rc;
	if (cl->events && (rc = config_set_events(c, cl->events, "--events", err)))
		return rc;
	if (cl->ancestors >= 0)
		c->ancestors = cl->ancestors;
	if (cl->failed)
		c->failed = true;
	c->net_cli = cl->net;	/* net */
	if (cl->stats_interval >= 0)
		c->stats_interval_s = cl->stats_interval;
	if (!c->have_policy) {
		/* SysTracer mode: no process events, no stats in the stream unless asked */
		c->exec_enabled = false;
		if (cl->stats_interval < 0)
			c->stats_interval_s = 0;
	}
	/* lib: library loads are reported only under a policy file */
	if (!c->have_policy)
		c->lib_enabled = false;
	/* model: model events too */
	if (!c->have_policy)
		c->model_enabled = false;
	return config_finish(c, err);
}

static void report_config_err(const struct lt_config_err *err)
{
	char msg[1024];

	config_format_err(err, msg, sizeof(msg));
	fprintf(stderr, "ltrack: %s\n", msg);
}

static void log_unimplemented(const struct lt_config *c)
{
	/* net */
	if (c->net_present && !c->net_enabled && !c->net_cli && (c->nports || c->nprotocols))
		log_warn("[network_monitor] enabled = false: its ports and protocols are not used");
	if (c->http_present)
		log_warn("[http_server] is validated but not implemented yet: no HTTP listener is "
			 "started");
	if (c->storage_adapter)
		log_warn("[storage] adapter '%s' is validated but not implemented yet: events are "
			 "written as plain %s lines", c->storage_adapter,
			 c->storage_format == LT_FMT_JSON ? "JSON" : "text");
	if (!c->storage_enabled)
		log_warn("[storage] enabled = false: events are not written anywhere");
}

/* net: one info line saying what the network monitor reports */
static void net_log_policy(const struct lt_config *c)
{
	struct lt_net_policy np;
	char ports[96] = "any port";
	size_t o = 0;

	net_policy_build(c, &np);
	if (!np.events)
		return;
	if (c->nports) {
		for (size_t i = 0; i < c->nports && o < sizeof(ports); i++) {
			int w = snprintf(ports + o, sizeof(ports) - o, "%s%lld", i ? "," : "ports ",
					 (long long)c->ports[i]);

			if (w < 0)
				break;
			o += (size_t)w;
		}
		if (o >= sizeof(ports))
			memcpy(ports + sizeof(ports) - 4, "...", 4);
	}
	log_info("network_monitor: %s%s%s; %s%s%s; %s",
		 np.events & LT_NE(LT_EV_CONNECT) ? "connect " : "",
		 np.events & LT_NE(LT_EV_UDP_SEND) ? "udp_send " : "",
		 np.events & LT_NE(LT_EV_LISTEN) ? "bind listen accept" : "",
		 np.protos & LT_NP_TCP ? "tcp " : "", np.protos & LT_NP_UDP ? "udp " : "",
		 np.protos & LT_NP_UNIX ? "unix" : "", ports);
}

static void log_policy(struct agent *a)
{
	char m[256];

	for (size_t i = 0; i < a->cfg.nwatches; i++)
		log_info("watch %s: %s", a->cfg.watches[i].path,
			 lt_watch_mask_name(a->cfg.watches[i].mask, m, sizeof(m)));
	if (a->cfg.have_policy && a->cfg.exec_enabled)
		log_info("exec_monitor: %s", a->cfg.ncommands ? "selected commands" : "all commands");
	net_log_policy(&a->cfg);	/* net */
}

/*
 * open_err - the reason an output or log file was not opened: what the
 * rotating writer refused it for (a symlink, a foreign owner, ...), else
 * strerror(-@err); copied into @buf
 */
static const char *open_err(int err, char *buf, size_t n)
{
	const char *why = rotfile_last_error();

	snprintf(buf, n, "%s", why[0] ? why : strerror(-err));
	if (why[0] && n > strlen(buf) + 12)
		snprintf(buf + strlen(buf), n - strlen(buf), " (refused)");
	return buf;
}

static void reload(struct agent *a)
{
	struct lt_config nc;
	struct lt_config_err err = {};
	char msg[1024];
	int rc;

	/*
	 * logrotate's postrotate sends SIGHUP: the output and log files are
	 * reopened first, whatever becomes of the policy
	 */
	rc = a->sink ? sink_reopen(a->sink) : 0;
	if (rc)
		log_error("SIGHUP: cannot reopen the output: %s", open_err(rc, msg, sizeof(msg)));
	rc = log_reopen();
	if (rc)
		log_error("SIGHUP: cannot reopen the log file: %s", open_err(rc, msg, sizeof(msg)));
	log_info("SIGHUP: reloading the policy");
	rc = build_config(&a->cli, &nc, &err);
	if (rc) {
		config_format_err(&err, msg, sizeof(msg));
		log_error("reload rejected, the running policy stays: %s", msg);
		config_release(&nc);
		return;
	}
	rc = loader_apply(a->L, &nc, msg, sizeof(msg));
	if (rc) {
		log_error("reload rejected, the running policy stays: %s", msg);
		config_release(&nc);
		return;
	}
	/* lib */
	if (libmon_apply(a->libmon, &nc))
		log_warn("reload: library monitor settings not applied: out of memory");
	if (model_apply(a->model, &nc))	/* model */
		log_warn("reload: model monitor settings not applied: out of memory");
	/* outputs keep their settings until restart (their files were reopened above) */
	nc.extra_fields = a->cfg.extra_fields;
	nc.nextra_fields = a->cfg.nextra_fields;
	a->cfg.extra_fields = NULL;
	a->cfg.nextra_fields = 0;
	config_release(&a->cfg);
	a->cfg = nc;
	a->fctx.extra = a->cfg.extra_fields;
	a->fctx.nextra = a->cfg.nextra_fields;
	log_info("policy reloaded: %zu watches", a->cfg.nwatches);
	log_policy(a);
}

/* ---- enrichment and output ---------------------------------------------------- */

/* the records formatted so far go to the sink, as one run */
static void out_flush(struct agent *a)
{
	if (a->out_nrec && a->sink &&
	    sink_write_n(a->sink, a->out.buf, a->out.len, a->out_nrec) == -EPIPE && !a->stop) {
		log_warn("the reader of the event output went away; stopping");
		a->stop = true;
	}
	jbuf_reset(&a->out);
	a->out_nrec = 0;
}

/* a run of records this large goes to the sink at once, without a copy */
#define OUT_BATCH (48 * 1024)

/*
 * emit - format @ev after the records of this turn; they reach the sink
 * together (out_flush: at OUT_BATCH bytes and at the end of every turn)
 */
static void emit(struct agent *a, struct event *ev, const char *watch)
{
	size_t start = a->out.len;
	int rc;

	a->fctx.seq = ++a->seq;
	a->fctx.watch = watch;
	if (a->fmt == LT_FMT_TEXT)
		rc = format_text(&a->out, ev, &a->fctx);
	else
		rc = format_json(&a->out, ev, &a->fctx);
	if (rc) {
		jbuf_rewind(&a->out, start);
		a->decode_errors++;
		return;
	}
	a->events++;
	a->out_nrec++;
	if (a->out.len >= OUT_BATCH)
		out_flush(a);
}

/* model: scan verdicts - the file of each model_load goes to the scanner */
static void scan_load_hook(void *ctx, struct event *ev, int fd)
{
	struct agent *a = ctx;

	modelscan_on_load(a->mscan, ev, fd);
}

/* model: the inventory records each model_load as it goes out, and verdicts that come later */
static void inventory_on_emit(struct agent *a, const struct event *ev)
{
	const struct scan_report *r = ev->model.scan_state == EV_SCAN_DONE ? ev->model.scan : NULL;
	const char *sha = ev->hash_state == HASH_OK ? ev->sha256 : NULL;

	if (!a->inv)
		return;
	if (ev->type == LT_EV_MODEL_LOAD && ev->filename) {
		struct model_seen m = {
			.path = ev->canon[0] ? ev->canon : ev->filename,
			.sha256 = sha,
			.format = model_format_by_name(ev->model.format),
			.size = ev->fid.size,
			.dev = makedev(kdev_major(ev->fid.dev), kdev_minor(ev->fid.dev)),	/* as stat(2) */
			.ino = ev->fid.ino,
			.pid = ev->pid,
			.uid = ev->uid,
			.comm = ev->comm,
			.exe = ev->exe,
			.ts_ns = ev->ts_ns,
		};

		inventory_record_load(a->inv, &m);
	}
	if ((ev->type == LT_EV_MODEL_LOAD || ev->type == LT_EV_SCAN_UPDATE) && r && sha)
		inventory_set_verdict(a->inv, sha, r->verdict, r->format);
}

/* model: the sandboxed scanner, before any thread starts (a policy file, scan on) */
static void setup_scanner(struct agent *a)
{
	struct scanner_opts o = {
		.timeout_ms = (unsigned)a->cfg.model_scan_timeout_ms,
	};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	sigset_t all, old;

	if (!a->cfg.have_policy || !a->cfg.model_enabled || !a->cfg.model_scan)
		return;
	/*
	 * one worker per CPU, two at least (one user may hold all but one of
	 * them: another user's load always finds one), eight at most
	 */
	o.workers = ncpu < 2 ? 2 : ncpu > 8 ? 8 : (unsigned)ncpu;
	a->scan_workers = o.workers;
	/* its dispatch threads must never take the signals the event loop reads */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	a->scanner = scanner_new(&o);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (a->scanner)
		a->mscan = modelscan_new(a->scanner);
	if (!a->scanner || !a->mscan)
		log_warn("model scanner disabled: %s; model_load events carry no verdict",
			 strerror(errno));
}

/* hash: the enrichment stage writes through this (it needs the seq) */
static uint64_t emit_enriched(void *ctx, struct event *ev, const char *watch)
{
	struct agent *a = ctx;

	/*
	 * ctx: container context and ancestry are added as the event goes out
	 * (now, or when a held event is released), so a held copy never keeps
	 * pointers into the caches
	 */
	context_fill(a->ctx, ev);
	emit(a, ev, watch);
	model_on_emit(a->model, ev);	/* model: digests per path (model_modified) */
	inventory_on_emit(a, ev);	/* model: the inventory learns of loads and verdicts */
	return a->seq;
}

/* ---- hash: exec images through fanotify's descriptors ------------------------ */

static void drain_crit(struct agent *a);

/* field @n (1-based, as proc(5) numbers them) of /proc/PID/stat, or -1 */
static long long proc_stat_field(uint32_t pid, int n)
{
	char path[64], buf[1024], *p;
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -1;
	buf[len] = '\0';
	p = strrchr(buf, ')');	/* the comm (field 2) may hold anything but ends at the last ')' */
	for (int f = 2; p && f < n; f++)
		p = strchr(p + 1, ' ');
	return p ? strtoll(p + 1, NULL, 10) : -1;
}

/*
 * The witness of an exec (enrich_hooks.look and .confirm): the process of
 * the exec still ran its image at a moment after the file last had the
 * identity it has once read. Then no write can have reached the file
 * between the exec and the end of the read (a writer gets ETXTBSY while an
 * exec'd image is in use), and the bytes read are the bytes executed
 * (hash_fd_rule, HASH_FD_WITNESS). Each step is needed:
 *   1. /proc/PID/exe is the image (device and inode): the process's address
 *      space runs it at this moment, so writers are refused now
 *      (AT_STATX_DONT_SYNC: a FUSE or NFS image never makes us wait);
 *   2. then its start time (/proc/PID/stat, in clock ticks) is the exec's
 *      process's, so step 1 saw that process and not a reused PID;
 *   3. its user namespace is ltrack's: swapping /proc/self/exe without an
 *      exec (PR_SET_MM_MAP) needs CAP_CHECKPOINT_RESTORE in one's own user
 *      namespace, which any user has in a new one;
 *   4. (confirm) it made no exec between that exec and the look: the
 *      critical ring is read past all the kernel had reserved at the look,
 *      and the process table still has that exec as the process's last (an
 *      exec of another file and back would have let a writer in between).
 *      A lost exec record (drops.exec) voids it.
 * Its residual limit (a CLONE_VM sibling in a user namespace of its own
 * may swap /proc/PID/exe) is in docs/events.md, Hashes.
 */

/*
 * proc_runs - steps 1 and 3 at this moment, and the start time for step 2:
 * 1 with *@ticks (the start time of the process with PID @pid now, read
 * after step 1) and *@mark (the critical ring's writer position), else 0
 */
static int proc_runs(struct agent *a, uint32_t pid, const struct ev_file_id *id,
		     long long *ticks, uint64_t *mark)
{
	char path[64], ns[64];
	struct statx sx;
	uint64_t cons;
	ssize_t n;

	if (!a->L)	/* not loaded yet: no ring to tell the moment by */
		return 0;
	snprintf(path, sizeof(path), "/proc/%u/exe", pid);
	if (statx(AT_FDCWD, path, AT_STATX_DONT_SYNC, STATX_INO, &sx) ||
	    (sx.stx_dev_major << 20 | (sx.stx_dev_minor & 0xfffff)) != id->dev ||
	    sx.stx_ino != id->ino)
		return 0;
	*ticks = proc_stat_field(pid, 22);
	snprintf(path, sizeof(path), "/proc/%u/ns/user", pid);
	n = readlink(path, ns, sizeof(ns) - 1);
	if (*ticks < 0 || n <= 0 || !a->userns[0] || (size_t)n != strlen(a->userns) ||
	    memcmp(ns, a->userns, (size_t)n))
		return 0;
	return !loader_crit_pos(a->L, &cons, mark);
}

/* the start time @start_ns (boot ns) in clock ticks, as /proc/PID/stat shows it; -2 unknown */
static long long start_ticks(uint64_t start_ns)
{
	long tck = sysconf(_SC_CLK_TCK);

	return tck > 0 ? (long long)(start_ns / (1000000000ULL / (uint64_t)tck)) : -2;
}

/* enrich_hooks.look: steps 1 to 3 for the exec of @w */
static int exec_look(void *ctx, struct enrich_witness *w)
{
	long long ticks;

	return proc_runs(ctx, w->pid, &w->id, &ticks, &w->mark) &&
	       ticks == start_ticks(w->start_ns);
}

/* fanexec_opts.look: the earliest look, as fanotify's event is read (the exec is not known yet) */
static void fan_look(void *ctx, uint32_t pid, struct fanexec_look *l)
{
	l->pid = pid;
	l->ok = proc_runs(ctx, pid, &l->id, &l->start_ticks, &l->mark);
}

/* fanexec_opts.wanted: a descriptor of a file whose digest is known is not kept */
static bool fan_wanted(void *ctx, const struct ev_file_id *seen)
{
	struct agent *a = ctx;

	return !enrich_has_digest(a->enrich, seen);
}

/* enrich_hooks.take_fd: a held descriptor of the exec's very file, with its early look */
static int take_exec_fd(void *ctx, struct enrich_witness *w, int *fd, struct ev_file_id *seen,
			struct ev_file_id *look_id)
{
	struct agent *a = ctx;
	struct fanexec_look l;

	if (!a->fanexec)
		return -ENOENT;
	if (fanexec_take(a->fanexec, &w->id, fd, seen, &l)) {
		/* its event was queued at the exec's open, before the exec record: read what waits */
		fanexec_read(a->fanexec, clock_ns(CLOCK_MONOTONIC) / 1000000ULL);
		if (fanexec_take(a->fanexec, &w->id, fd, seen, &l))
			return -ENOENT;
	}
	if (!l.ok || l.pid != w->pid || l.start_ticks != start_ticks(w->start_ns))
		return 0;
	w->mark = l.mark;
	*look_id = l.id;
	return 1;
}

/* enrich_hooks.confirm: step 4 (may read the critical ring) */
static int exec_confirm(void *ctx, const struct enrich_witness *w)
{
	struct agent *a = ctx;
	uint64_t drops[LT_DROP_NCAT], cons, prod;
	struct proc *p;

	if (loader_crit_pos(a->L, &cons, &prod))
		return 0;
	if ((int64_t)(cons - w->mark) < 0) {
		drain_crit(a);
		if (loader_crit_pos(a->L, &cons, &prod))
			return 0;
		if ((int64_t)(cons - w->mark) < 0)
			return -EAGAIN;	/* a record still being written holds the ring back */
	}
	if (loader_drops(a->L, drops) || drops[LT_DROP_EXEC])
		return 0;
	p = proctree_get(a->procs, w->pid, w->start_ns);
	return p && p->exec_ns == w->exec_ns;
}

/* hash: fanotify's exec descriptors, when hashing is on and the kernel lets us */
static void setup_fanexec(struct agent *a)
{
	struct fanexec_opts o = {
		.ignore = { getpid(), a->scanner ? scanner_zygote_pid(a->scanner) : 0 },
		.ctx = a,
		.wanted = fan_wanted,
		.look = fan_look,
	};
	struct ev_fanotify_stats st;
	char err[256];
	ssize_t n;

	n = readlink("/proc/self/ns/user", a->userns, sizeof(a->userns) - 1);
	a->userns[n > 0 ? n : 0] = '\0';
	a->fanexec = fanexec_new(&o, err, sizeof(err));
	if (!a->fanexec) {
		log_warn("fanotify unavailable (%s): exec images are hashed through /proc/PID/exe "
			 "or their name, and one replaced or deleted at once is not hashed", err);
		return;
	}
	if (fanexec_subscribe(a->fanexec, &a->hooks))
		log_warn("fanotify: exec descriptors are kept until they age out");
	fanexec_get_stats(a->fanexec, &st);
	log_info("hashing: exec images through fanotify (%llu filesystems marked, %llu failed)",
		 (unsigned long long)st.filesystems, (unsigned long long)st.mark_failed);
}

static int setup_enrich(struct agent *a)
{
	struct enrich_opts o = {
		/* hashing matters only where exec (and lib_load) events are reported */
		.hashing = a->cfg.have_policy && a->cfg.hash_enabled,
		.wait_ms = (uint64_t)a->cfg.hash_wait_ms,
		.cache_entries = (size_t)a->cfg.hash_cache_entries,
		.workers = (unsigned)a->cfg.hash_workers,
		.max_file_bytes = (uint64_t)a->cfg.hash_max_file_mb << 20,
		.nice = (int)a->cfg.hash_nice,
		.model_max_file_bytes = (uint64_t)a->cfg.model_max_mb << 20,	/* model */
		.scan_wait_ms = a->mscan ? (uint64_t)a->cfg.model_scan_wait_ms : 0,
		.hooks = { .ctx = a, .take_fd = take_exec_fd, .look = exec_look, .confirm = exec_confirm },
	};

	a->enrich = enrich_new(&o, emit_enriched, a);
	if (!a->enrich) {
		log_error("hashing workers: %s", strerror(errno));
		return -errno;
	}
	if (o.hashing)
		log_info("hashing: %u workers (nice %d, SCHED_BATCH), wait %llu ms, cache %zu, "
			 "max %lld MiB", o.workers, o.nice, (unsigned long long)o.wait_ms,
			 o.cache_entries, (long long)a->cfg.hash_max_file_mb);
	if (o.hashing && a->cfg.exec_enabled && a->cfg.hash_fanotify)
		setup_fanexec(a);
	return 0;
}

/* evade: an io_uring_ops summary record made by evade.c */
static void evade_emit(void *ctx, const void *rec, size_t len, bool final)
{
	struct agent *a = ctx;
	struct event *ev = a->evade_ev;

	if (!ev || event_decode(rec, len, ev)) {
		a->decode_errors++;
		return;
	}
	ev->ts_ns = clock_ns(CLOCK_REALTIME);	/* the summary's own time */
	ev->iou_final = final;
	ev->exe = context_exe(a->ctx, ev);
	emit(a, ev, NULL);
}

/* a type written to ring_crit: draining it from one of them would deliver it twice */
static bool crit_type(uint32_t type)
{
	const struct ev_type_info *t = ev_type_info(type);

	return t && (t->flags & EVT_CRIT);
}

static int on_record(void *ctx, void *data, size_t size);

/*
 * crit_pending - the critical ring holds something (two loads from its
 * mapped positions): a bulk record needs the drain only then. When the
 * positions cannot be read, it says yes.
 */
static bool crit_pending(struct agent *a)
{
	uint64_t cons, prod;

	return loader_crit_pos(a->L, &cons, &prod) || prod != cons;
}

/* drain_crit - read the critical ring (exec, fork, exit) up to now */
static void drain_crit(struct agent *a)
{
	a->crit_drained_ns = clock_ns(CLOCK_BOOTTIME);
	a->in_crit = true;
	ring_buffer__consume(a->rb_crit);
	a->in_crit = false;
}

/* model: a record made by src/model/model.c goes the way of a ring record */
static void model_out(void *ctx, const void *rec, size_t len)
{
	on_record(ctx, (void *)rec, len);
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct agent *a = ctx;
	struct event *ev = &a->ev;
	const char *watch = NULL;
	const struct ev_type_info *t;
	const struct lt_hdr *h = data;

	/*
	 * The rings are read one after the other: a bulk record written after
	 * the critical ring was last drained may follow an exec (or fork) still
	 * waiting there. Drain it first, so the process table (exe, ancestry)
	 * is right for this record. Before decoding: the drain reuses a->ev.
	 */
	if (a->rb_crit && !a->in_crit && size >= sizeof(*h) && !crit_type(h->type) &&
	    h->ts_boot_ns > a->crit_drained_ns && crit_pending(a))
		drain_crit(a);
	/* model: candidates and writes are handled there; a splice's exfil gets its path */
	if (a->model && model_on_record(a->model, data, size))
		return 0;
	if (event_decode(data, size, ev)) {
		a->decode_errors++;
		log_debug("malformed record: type %u, %zu bytes", size >= sizeof(*h) ? h->type : 0,
			  size);
		return 0;
	}
	ev->ts_ns = ev->ts_boot_ns + a->boot_to_epoch_ns;
	/* what the modules keep or add (src/hooks.h): the process table, models, ... */
	hooks_run(&a->hooks, HOOK_DECODED, ev);
	t = ev_type_info(ev->type);
	if (t->flags & EVT_PATHS)
		context_canonicalise(a->ctx, ev);
	if (t->flags & EVT_WATCH)	/* the output's "watch": only types a watch selects */
		watch = loader_watch_path(a->L, ev->watch_id);
	if (ev->hflags & LT_HF_REPORT) {
		ev->exe = context_exe(a->ctx, ev);
		/* hash: out now, or held for its digest (src/enrich.h) */
		enrich_event(a->enrich, ev, watch, data, size);
	}
	hooks_run(&a->hooks, HOOK_DONE, ev);
	return 0;
}

static int on_snapshot(void *ctx, void *data, size_t size)
{
	return on_record(ctx, data, size);
}

/* the agent's memory: measured (rss, heap), and its larger parts */
static void memory_stats(struct agent *a, struct ev_memory_stats *m, const struct proctree_stats *ps)
{
	struct mallinfo2 mi = mallinfo2();
	unsigned long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "re");

	if (f) {
		if (fscanf(f, "%lu %lu", &size, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	m->rss_bytes = (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
	m->heap_bytes = mi.uordblks + mi.hblkhd;
	m->rings_bytes = loader_ring_bytes(a->L);
	m->proc_table_bytes = ps->bytes;
	if (context_cgcache(a->ctx)) {
		struct cgcache_stats cs;

		cgcache_get_stats(context_cgcache(a->ctx), &cs);
		m->cgroup_cache_bytes = cs.bytes;
	}
	m->output_cache_bytes = format_ctx_bytes(&a->fctx);
}

static void emit_stats(struct agent *a, bool final)
{
	struct ev_stats st = {};
	struct proctree_stats ps;
	struct sink_stats ss = {};
	struct event *ev = &a->ev;

	if (loader_drops(a->L, st.drops) == 0)
		for (int i = 0; i < LT_DROP_NCAT; i++)
			st.drops_total += st.drops[i];
	proctree_get_stats(a->procs, &ps);
	if (a->sink)
		sink_get_stats(a->sink, &ss);
	st.events = a->events;
	st.decode_errors = a->decode_errors;
	st.sink_dropped = ss.dropped;
	st.proc_entries = ps.entries;
	st.proc_max = ps.max;
	st.proc_evicted = ps.evicted;
	st.proc_expired = ps.expired;	/* ctx */
	st.proc_args_cut = ps.args_cut;
	if (context_cgcache(a->ctx)) {
		struct cgcache_stats cs;

		cgcache_get_stats(context_cgcache(a->ctx), &cs);
		st.cg_entries = cs.entries;
		st.cg_max = cs.max;
		st.cg_evicted = cs.evicted;
	}
	st.concerns = loader_concerns(a->L);	/* which concerns loaded, and why not */
	malloc_trim(0);	/* what a burst of events left free goes back, each interval */
	memory_stats(a, &st.memory, &ps);
	st.interval_s = a->cfg.stats_interval_s;
	st.final = final;
	if (a->enrich)	/* hash */
		enrich_get_stats(a->enrich, &st.hash);
	if (a->fanexec)
		fanexec_get_stats(a->fanexec, &st.fanotify);
	if (a->model)	/* model: the monitor's counters */
		model_get_stats(a->model, &st.model);
	if (a->mscan) {	/* model: scan verdicts */
		struct modelscan_stats ms;
		struct scanner_stats sst;

		modelscan_get_stats(a->mscan, &ms);
		scanner_get_stats(a->scanner, &sst);
		st.scan.enabled = true;
		st.scan.submitted = ms.submitted;
		st.scan.cache_hits = ms.cache_hits;
		st.scan.verdicts = ms.results;
		st.scan.refused = ms.refused;
		st.scan.cache_entries = ms.cache_entries;
		st.scan.emitted_pending = st.hash.scan_pending;
		st.scan.updates = st.hash.scan_updates;
		st.scan.workers_crashed = sst.crashes;
		st.scan.timeouts = sst.timeouts;
		st.scan.joined = ms.joined;
		st.scan.user_full = sst.user_full;
		st.scan.workers = a->scan_workers;
		st.scan.changed = sst.changed;
	}

	if (st.drops_total != a->last_drops_total || st.fanotify.lost != a->last_fan_lost || final)
		log_at_(st.drops_total || st.fanotify.lost ? LT_LOG_WARN : LT_LOG_INFO,
			"%s: %llu events written, %llu lost in the kernel (exec %llu, fork %llu, "
			"exit %llu, file %llu, modify_tracking %llu), %llu malformed, %llu lost in "
			"the sink, %llu exec descriptors lost by fanotify",
			final ? "at exit" : "stats", (unsigned long long)st.events,
			(unsigned long long)st.drops_total,
			(unsigned long long)st.drops[LT_DROP_EXEC],
			(unsigned long long)st.drops[LT_DROP_FORK],
			(unsigned long long)st.drops[LT_DROP_EXIT],
			(unsigned long long)st.drops[LT_DROP_FILE],
			(unsigned long long)st.drops[LT_DROP_MODIFY_TRACK],
			(unsigned long long)st.decode_errors, (unsigned long long)st.sink_dropped,
			(unsigned long long)st.fanotify.lost);
	a->last_drops_total = st.drops_total;
	a->last_fan_lost = st.fanotify.lost;

	memset(ev, 0, offsetof(struct event, canon));
	ev->canon[0] = ev->canon2[0] = '\0';
	ev->type = LT_EV_STATS;
	ev->name = event_name(LT_EV_STATS);
	ev->ts_ns = clock_ns(CLOCK_REALTIME);
	ev->pid = ev->tid = getpid();
	ev->ppid = getppid();
	ev->uid = getuid();
	ev->gid = getgid();
	ev->euid = geteuid();
	ev->loginuid = (uint32_t)-1;
	ev->syscall_nr = -1;
	context_self(a->ctx, &ev->start_ns, &ev->parent_start_ns);
	{
		struct proc *self = proctree_get(a->procs, ev->pid, ev->start_ns);

		ev->exe = self ? self->exe : NULL;
	}
	{
		char comm[17] = "ltrack";

		read_first_line("/proc/self/comm", comm, sizeof(comm));
		memcpy(ev->comm, comm, sizeof(ev->comm));
		ev->comm[16] = '\0';
	}
	ev->stats = &st;
	emit(a, ev, NULL);
}

/* ---- setup -------------------------------------------------------------------- */

static int setup_output(struct agent *a)
{
	struct sink_opts so = {};

	a->fmt = a->cli.format >= 0 ? (enum lt_format)a->cli.format : a->cfg.storage_format;
	if (!a->cli.output && !a->cfg.storage_enabled)
		return 0;
	if (a->cli.output) {
		static const struct lt_rotate never = { 0 };

		so.type = LT_STORE_FILE;
		so.file_path = a->cli.output;
		/* the policy's rotation applies to --output; without a policy, none */
		so.rot = a->cfg.have_policy ? &a->cfg.storage_rotate : &never;
	} else {
		so.type = a->cfg.storage_type;
		so.file_path = a->cfg.storage_file_path;
		so.rot = &a->cfg.storage_rotate;
		so.remote_addr = a->cfg.storage_remote_addr;
		so.remote_port = a->cfg.storage_remote_port;
	}
	a->sink = sink_open(&so);
	if (!a->sink) {
		int rc = -errno;
		char why[256];

		if (so.file_path)
			log_error("cannot open the event output %s: %s", so.file_path,
				  open_err(rc, why, sizeof(why)));
		else
			log_error("cannot open the event output: %s", strerror(-rc));
		return rc;
	}
	return 0;
}

static int setup_log(struct agent *a)
{
	enum lt_log_level lvl = a->cfg.log_level;
	enum lt_format fmt = a->cfg.log_format;
	char err[256];

	if (log_env_override(&lvl, &fmt, err, sizeof(err))) {
		fprintf(stderr, "ltrack: %s\n", err);
		return -EINVAL;
	}
	if (log_setup(lvl, fmt, a->cfg.log_output_path, &a->cfg.log_rotate)) {
		int rc = -errno;

		fprintf(stderr, "ltrack: cannot open the log %s: %s\n", a->cfg.log_output_path,
			open_err(rc, err, sizeof(err)));
		return rc;
	}
	return 0;
}

/* inventory: the table, its file and the control channel (a policy file is in use, the model monitor on) */
#define LT_INV_SAVE_MS 10000
#define LT_INV_RETRY_MAX_MS 300000

static void setup_inventory(struct agent *a)
{
	const char *file = a->cfg.inventory_file, *sock = a->cfg.control_socket;
	char err[512];

	if (!a->cfg.have_policy || !a->cfg.model_enabled)
		return;
	a->inv = inventory_new((size_t)a->cfg.inventory_max_entries,
			       (unsigned)a->cfg.inventory_loaders);
	if (!a->inv) {
		log_warn("model inventory disabled: %s", strerror(errno));
		return;
	}
	if (file && file[0]) {
		int rc = inventory_load(a->inv, file, err, sizeof(err));

		if (!rc) {
			log_info("model inventory: %s", file);
		} else {
			char aside[PATH_MAX];

			/*
			 * never overwrite what was not understood (a damaged file, a
			 * newer version): it is kept beside, or nothing is saved
			 */
			if (!inventory_set_aside(file, aside, sizeof(aside))) {
				log_warn("model inventory: %s; kept as %s, starting with what could "
					 "be read", err, aside);
				inventory_mark_dirty(a->inv);
			} else {
				a->inv_nosave = true;
				log_error("model inventory: %s; it could not be renamed aside (%s): "
					  "the inventory will not be saved in this run", err,
					  strerror(errno));
			}
		}
	}
	if (sock && sock[0]) {
		a->ctl = control_open(sock);
		if (!a->ctl)
			log_warn("control socket %s: %s; ltrack models will read the inventory "
				 "file", sock,
				 control_last_error()[0] ? control_last_error() : strerror(errno));
	}
}

/* a write's outcome: a failed one (ENOSPC) keeps the table dirty, tried again after a backoff */
static void saved(struct agent *a, int rc, bool at_exit)
{
	const char *file = a->cfg.inventory_file;
	uint64_t now = clock_ns(CLOCK_MONOTONIC) / 1000000ULL;

	if (!rc) {
		if (a->inv_backoff_ms)
			log_info("model inventory: %s written again", file);
		a->inv_backoff_ms = 0;
		a->inv_retry_ms = 0;
		return;
	}
	inventory_mark_dirty(a->inv);
	a->inv_save_errors++;
	a->inv_backoff_ms = a->inv_backoff_ms ? a->inv_backoff_ms * 2 : LT_INV_SAVE_MS;
	if (a->inv_backoff_ms > LT_INV_RETRY_MAX_MS)
		a->inv_backoff_ms = LT_INV_RETRY_MAX_MS;
	a->inv_retry_ms = now + a->inv_backoff_ms;
	if (at_exit)
		log_error("model inventory: cannot write %s at exit: %s; the changes since its "
			  "last save are lost", file, strerror(-rc));
	else
		log_warn("model inventory: cannot write %s: %s; kept in memory, tried again in "
			 "%llu s", file, strerror(-rc), (unsigned long long)(a->inv_backoff_ms / 1000));
}

/* the saver's last write, when it has finished (every 100 ms) */
static void collect_save(struct agent *a)
{
	int rc;

	if (a->saver && saver_result(a->saver, &rc))
		saved(a, rc, false);
}

/*
 * save_inventory - write the table when it changed: serialized here (the
 * bounds keep it small), written by the saver's thread. @force (at exit):
 * the write in flight is waited for, then the table written here, whatever
 * the backoff says.
 */
static void save_inventory(struct agent *a, bool force)
{
	const char *file = a->cfg.inventory_file;
	uint64_t now = clock_ns(CLOCK_MONOTONIC) / 1000000ULL;
	int rc;

	if (!a->inv || !file || !file[0] || a->inv_nosave)
		return;
	if (force) {
		if (a->saver && saver_wait(a->saver, &rc))
			saved(a, rc, false);
		if (inventory_dirty(a->inv))
			saved(a, inventory_save(a->inv, file), true);
		return;
	}
	collect_save(a);
	if (!inventory_dirty(a->inv) || now < a->inv_retry_ms || (a->saver && saver_busy(a->saver)))
		return;
	if (!a->saver) {	/* made at the first save: an agent that sees no model has none */
		a->saver = saver_new(file);
		if (!a->saver) {
			saved(a, -errno, false);
			return;
		}
	}
	jbuf_reset(&a->inv_doc);
	rc = inventory_serialize(a->inv, &a->inv_doc);
	if (rc) {
		saved(a, rc, false);
		return;
	}
	inventory_mark_clean(a->inv);	/* a change from now on is the next save's */
	saver_submit(a->saver, &a->inv_doc);	/* not busy: checked above */
}
/* end inventory */

/* model: at shutdown, scans in flight get ENRICH_FLUSH_MS to deliver their verdicts */
static void flush_scans(struct agent *a)
{
	uint64_t end = clock_ns(CLOCK_MONOTONIC) + ENRICH_FLUSH_MS * 1000000ULL;

	while (a->mscan && modelscan_inflight(a->mscan) && clock_ns(CLOCK_MONOTONIC) < end) {
		struct pollfd pfd = { .fd = modelscan_fd(a->mscan), .events = POLLIN };

		if (poll(&pfd, 1, 20) < 0 && errno != EINTR)
			break;
		modelscan_poll(a->mscan, a->enrich);
	}
}

/* ---- the loop's work (src/loop.h) ---------------------------------------------- */

static void on_signal(void *ctx, uint32_t events)
{
	struct agent *a = ctx;
	struct signalfd_siginfo si;

	(void)events;
	while (read(a->sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			reload(a);
		else
			loop_stop(a->loop);
	}
}

/* loop_fd - @fd into the loop (@what names it in the warning a failure logs) */
static void loop_fd(struct agent *a, int fd, uint32_t events, loop_fd_fn fn, const char *what)
{
	int rc = loop_add_fd(a->loop, fd, events, fn, a);

	if (rc)
		log_warn("event loop: cannot wait on %s (%s)",
			 what, strerror(-rc));
}

/* a ring asked for the reader: the turn reads it (turn_read) */
static void on_ring(void *ctx, uint32_t events)
{
	(void)ctx;
	(void)events;
}

static void on_hash_results(void *ctx, uint32_t events)	/* hash */
{
	struct agent *a = ctx;

	(void)events;
	a->hash_woke = true;
}

static void on_mounts(void *ctx, uint32_t events)	/* hash */
{
	struct agent *a = ctx;

	(void)events;
	fanexec_mounts_changed(a->fanexec);
}

static void on_control(void *ctx, uint32_t events)	/* inventory */
{
	struct agent *a = ctx;

	(void)events;
	control_handle(a->ctl, a->inv);
}

static void on_scan_verdicts(void *ctx, uint32_t events)	/* model */
{
	struct agent *a = ctx;

	(void)events;
	modelscan_poll(a->mscan, a->enrich);
}

/* every turn: the records, then what they feed; busy when the bulk ring was */
static bool turn_read(void *ctx, uint64_t now)
{
	struct agent *a = ctx;
	bool busy;

	if (a->fanexec)	/* hash: an exec's descriptor is queued before its record */
		fanexec_read(a->fanexec, now);
	drain_crit(a);	/* lifecycle first: the process table */
	busy = ring_buffer__consume(a->rb) >= LT_BUSY_RECORDS;
	enrich_poll(a->enrich, a->hash_woke);	/* hash: results, held events that are due */
	a->hash_woke = false;
	model_tick(a->model, now);	/* model */
	evade_iou_reap(a->evade, evade_emit, a);	/* evade */
	return busy;
}

/* the last call of every turn: what the turn emitted goes out */
static bool turn_flush(void *ctx, uint64_t now)
{
	struct agent *a = ctx;

	(void)now;
	out_flush(a);
	if (a->sink)
		sink_flush(a->sink);
	return false;
}

static bool every_100ms(void *ctx, uint64_t now)
{
	struct agent *a = ctx;

	if (a->sink)
		sink_tick(a->sink, now);
	loader_refresh(a->L);
	if (a->fanexec)	/* hash */
		fanexec_expire(a->fanexec, now);
	if (a->ctl)	/* inventory: clients past their deadline */
		control_handle(a->ctl, a->inv);
	collect_save(a);	/* inventory */
	return false;
}

static bool every_save(void *ctx, uint64_t now)	/* inventory */
{
	(void)now;
	save_inventory(ctx, false);
	return false;
}

static bool every_second(void *ctx, uint64_t now)
{
	struct agent *a = ctx;

	(void)now;
	clock_refresh(a);
	proctree_expire(a->procs, clock_ns(CLOCK_BOOTTIME), LT_PROC_GRACE_NS);
	return false;
}

/* the periodic stats event: its interval may change on a reload */
static bool turn_stats(void *ctx, uint64_t now)
{
	struct agent *a = ctx;

	if (a->cfg.stats_interval_s <= 0)
		return false;
	if (!a->next_stats) {
		a->next_stats = now + a->cfg.stats_interval_s * 1000;
	} else if (now >= a->next_stats) {
		a->next_stats = now + a->cfg.stats_interval_s * 1000;
		evade_iou_flush(a->evade, false, evade_emit, a);	/* evade */
		emit_stats(a, false);
	}
	return false;
}

static int run(struct agent *a)
{
	sigset_t mask;
	int rc = 0;
	char err[1024];
	struct loader_opts lo = {};

	/*
	 * A fixed mmap threshold: large blocks (the kernel's BTF, 5 MiB, parsed
	 * while loading and freed) are mapped and unmapped, instead of raising
	 * glibc's dynamic threshold and staying in the heap for the agent's life
	 */
	mallopt(M_MMAP_THRESHOLD, 128 << 10);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	a->sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	a->loop = loop_new();
	if (a->sfd < 0 || !a->loop || loop_add_fd(a->loop, a->sfd, EPOLLIN, on_signal, a)) {
		rc = -errno;
		log_error("event loop setup: %s", strerror(errno));
		goto out;
	}

	/* hash: before the snapshot and the rings, which feed it */
	rc = setup_enrich(a);
	if (rc)
		goto out;
	lo.helper_tgid = a->scanner ? scanner_zygote_pid(a->scanner) : 0;
	lo.strict = a->cli.strict || a->cfg.strict;
	a->L = loader_open(&lo, err, sizeof(err));
	if (!a->L) {
		rc = -errno;
		a->exit_status = 2;	/* nothing useful could load (docs/cli.md) */
		log_error("%s", err);
		goto out;
	}
	/* model: before the snapshot, which marks the ML loaders already running */
	a->model = model_new(a->L, model_out, a);
	if (!a->model || model_apply(a->model, &a->cfg) || model_subscribe(a->model, &a->hooks)) {
		rc = -ENOMEM;
		log_error("model monitor: out of memory");
		goto out;
	}
	if (a->mscan) {	/* model: the verdict of each model_load */
		model_set_load_hook(a->model, scan_load_hook, a);
		loop_fd(a, modelscan_fd(a->mscan), EPOLLIN, on_scan_verdicts, "scan verdicts");
	}
	clock_refresh(a);
	rc = loader_snapshot(a->L, on_snapshot, a);
	if (rc == -EOPNOTSUPP)
		log_warn("no startup snapshot (concern snapshot is off): processes already "
			 "running get their context from /proc");
	else if (rc < 0)
		log_warn("startup snapshot failed: %s; processes already running get their "
			 "context from /proc", strerror(-rc));
	else
		log_info("startup snapshot: %d running processes", rc);
	rc = loader_apply(a->L, &a->cfg, err, sizeof(err));
	if (rc) {
		log_error("%s", err);
		goto out;
	}
	/* evade */
	a->evade = evade_new(a->L);
	a->evade_ev = malloc(sizeof(*a->evade_ev));
	if (!a->evade || !a->evade_ev)
		log_warn("io_uring_ops summaries disabled: out of memory");
	rc = evade_subscribe(a->evade, &a->hooks);
	if (rc)
		goto out;
	/* end evade */
	/* lib: trusted directories, dlopen uprobes on the libcs mapped now */
	a->libmon = libmon_new(a->L);
	if (!a->libmon || libmon_apply(a->libmon, &a->cfg) || libmon_subscribe(a->libmon, &a->hooks)) {
		rc = -ENOMEM;
		log_error("library monitor: out of memory");
		goto out;
	}
	a->rb = loader_ring(a->L, on_record, a);
	a->rb_crit = loader_ring_crit(a->L, on_record, a);
	if (!a->rb || !a->rb_crit) {
		rc = -errno;
		log_error("ring buffers: %s", strerror(errno));
		goto out;
	}
	/*
	 * a ring wakes the loop only when its writer asks (a quarter full, see
	 * common.bpf.h): the turn reads it then, as on every turn
	 */
	if (loop_add_fd(a->loop, ring_buffer__epoll_fd(a->rb), EPOLLIN, on_ring, a) ||
	    loop_add_fd(a->loop, ring_buffer__epoll_fd(a->rb_crit), EPOLLIN, on_ring, a)) {
		rc = -errno;
		log_error("event loop: the rings: %s", strerror(errno));
		goto out;
	}
	if (enrich_fd(a->enrich) >= 0)	/* hash: workers' results wake the loop */
		loop_fd(a, enrich_fd(a->enrich), EPOLLIN, on_hash_results, "digests");
	setup_inventory(a);	/* inventory */
	if (a->ctl)
		loop_fd(a, control_fd(a->ctl), EPOLLIN, on_control, "the control socket");
	/*
	 * The rings and fanotify's queue are read on every turn of the loop
	 * (every LOOP_POLL_MS at most), not waited on: a reader waiting on them
	 * is woken by every record (every exec), and on a paravirtualised guest
	 * each wakeup costs the writer tens of microseconds. The mount table is
	 * waited on.
	 */
	if (a->fanexec)	/* hash */
		loop_fd(a, fanexec_mounts_fd(a->fanexec), EPOLLPRI, on_mounts, "the mount table");
	/* each turn, in this order; then what is due */
	loop_each_turn(a->loop, turn_read, a);
	loop_every(a->loop, 100, every_100ms, a);
	loop_every(a->loop, LT_INV_SAVE_MS, every_save, a);	/* inventory */
	loop_every(a->loop, 1000, every_second, a);
	loop_each_turn(a->loop, turn_stats, a);
	loop_each_turn(a->loop, turn_flush, a);
	log_unimplemented(&a->cfg);
	log_policy(a);
	log_info("ready: %d programs attached, pid %d", loader_attached(a->L), getpid());
	malloc_trim(0);	/* what loading and the snapshot freed goes back to the kernel */
	loader_drop_image();	/* and the BPF object the binary carries */

	rc = loop_run(a->loop, &a->stop);
	if (rc)
		log_error("event loop: %s", strerror(-rc));
	log_info("stopping");
	drain_crit(a);
	ring_buffer__consume(a->rb);
	model_tick(a->model, clock_ns(CLOCK_MONOTONIC) / 1000000ULL);	/* model */
	flush_scans(a);
	enrich_flush(a->enrich);	/* hash: held events go out before the final stats */
	evade_iou_reap(a->evade, evade_emit, a);	/* evade */
	evade_iou_flush(a->evade, true, evade_emit, a);
	/*
	 * inventory: saved and its socket released before the final stats, so
	 * that whoever saw that event (a restart, `ltrack models`) finds the
	 * file complete and the socket's path free, while the BPF links are
	 * still being torn down
	 */
	save_inventory(a, true);
	control_free(a->ctl);
	a->ctl = NULL;
	emit_stats(a, true);
	out_flush(a);
	if (a->sink)
		sink_flush(a->sink);
out:
	loop_free(a->loop);
	a->loop = NULL;
	if (a->sfd >= 0)
		close(a->sfd);
	a->sfd = -1;
	return rc;
}

int main(int argc, char **argv)
{
	static struct agent agent;
	struct agent *a = &agent;
	struct lt_config_err cerr = {};
	char err[512];
	int rc;

	/* model: a subcommand, before the agent's options are parsed */
	if (argc >= 2 && !strcmp(argv[1], "scan"))
		return scan_cmd_main(argc - 1, argv + 1, stdout, stderr);
	if (argc >= 2 && !strcmp(argv[1], "models"))	/* inventory: a subcommand */
		return models_main(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "verify"))	/* the verifier's cost per program */
		return verify_main(argc - 1, argv + 1);
	if (cli_parse(&a->cli, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "ltrack: %s\n%s", err, cli_usage());
		return 2;
	}
	if (a->cli.help) {
		fputs(cli_usage(), stdout);
		return 0;
	}
	if (a->cli.policy_reference)
		return config_write_reference(stdout) ? 1 : 0;
	if (a->cli.event_reference) {	/* docs/events.md on stdin, refreshed on stdout */
		if (events_doc_fill(stdin, stdout, err, sizeof(err))) {
			fprintf(stderr, "ltrack: --event-reference: stdin: %s\n", err);
			return 2;
		}
		return fflush(stdout) ? 1 : 0;
	}
	if (a->cli.version) {
		printf("ltrack %s (%s)\n", LTRACK_VERSION, LTRACK_REV);
		return 0;
	}
	if (build_config(&a->cli, &a->cfg, &cerr)) {
		report_config_err(&cerr);
		config_release(&a->cfg);
		return 2;
	}
	if (a->cli.check) {
		/* what the agent would refuse at start, though the policy itself is fine */
		if (a->cfg.have_policy && a->cfg.model_enabled && a->cfg.control_socket &&
		    a->cfg.control_socket[0] && control_dir_check(a->cfg.control_socket))
			fprintf(stderr, "%s: warning: [model_monitor] control_socket %s: %s; the agent "
				"will run without it\n", a->cfg.path, a->cfg.control_socket,
				control_last_error()[0] ? control_last_error() : strerror(errno));
		printf("%s: ok\n", a->cfg.have_policy ? a->cfg.path : "command line");
		config_release(&a->cfg);
		return 0;
	}
	if (setup_log(a))
		return 2;
	setup_scanner(a);	/* model: forks its workers, so before any thread */
	if (geteuid() != 0)
		log_warn("not running as root: loading BPF programs will likely fail");
	gethostname(a->hostname, sizeof(a->hostname) - 1);
	read_first_line("/proc/sys/kernel/random/boot_id", a->boot_id, sizeof(a->boot_id));
	a->fctx.hostname = a->hostname;
	a->fctx.boot_id = a->boot_id;
	a->fctx.extra = a->cfg.extra_fields;
	a->fctx.nextra = a->cfg.nextra_fields;
	format_ctx_prepare(&a->fctx);	/* on failure, fields are encoded per record */
	jbuf_init(&a->out);
	a->procs = proctree_new(LT_PROC_MAX);
	a->ctx = a->procs ? context_new(a->procs, &a->cfg, LT_CG_MAX) : NULL;
	a->gpu_gate = (struct gpu_gate){ .cfg = &a->cfg, .exe = context_exe_of, .ctx = a->ctx };
	if (!a->procs || !a->ctx || context_subscribe(a->ctx, &a->hooks) ||
	    gpu_subscribe(&a->gpu_gate, &a->hooks) || setup_output(a)) {
		rc = 1;
		goto out;
	}
	rc = run(a) ? (a->exit_status ? a->exit_status : 1) : 0;
out:
	ring_buffer__free(a->rb);
	ring_buffer__free(a->rb_crit);
	evade_free(a->evade);	/* evade */
	free(a->evade_ev);
	libmon_free(a->libmon);	/* lib: before the loader, which owns the programs */
	model_free(a->model);	/* model */
	loader_free(a->L);
	enrich_free(a->enrich);	/* hash */
	fanexec_free(a->fanexec);
	modelscan_free(a->mscan);	/* model */
	scanner_free(a->scanner);
	control_free(a->ctl);	/* inventory */
	saver_free(a->saver);
	jbuf_release(&a->inv_doc);
	inventory_free(a->inv);
	sink_free(a->sink);
	proctree_free(a->procs);	/* its entries hold cgroup references: before the cache */
	context_free(a->ctx);
	jbuf_release(&a->out);
	format_ctx_release(&a->fctx);
	config_release(&a->cfg);
	cli_release(&a->cli);
	log_close();
	return rc;
}
