// SPDX-License-Identifier: MIT
/*
 * context.c - an event's process beyond the record: image, ancestry,
 * cgroups, container (see context.h).
 */
#include "context.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "container.h"
#include "events.h"
#include "hooks.h"
#include "proctree.h"

/*
 * A small cache of realpath() results by directory string. Events arrive
 * in bursts from the same directories, and realpath() costs a system call
 * per component. An entry lives CANON_TTL_NS of event time (the kernel's
 * timestamps, no clock read per path): a symlink swapped under a directory
 * within that time can be reported through its old target. The entry hit
 * last is tried first, by length and bytes, before any hashing.
 */
#define CANON_SLOTS 256
#define CANON_TTL_NS 1000000000ULL

struct canon_slot {
	uint64_t hash;
	uint64_t at_ns;
	size_t dlen;
	char *dir;
	char *real;
};

struct context {
	struct proctree *procs;		/* borrowed */
	const struct lt_config *cfg;	/* borrowed: ancestors */
	struct cgcache *cgc;
	/* context of an event whose process is unknown, held until the next fill */
	struct cg_entry *cg_hold;
	struct cg_v1 *v1_hold;
	struct canon_slot canon[CANON_SLOTS];
	struct canon_slot *canon_last;	/* the entry hit or filled last */
	/* the last process asked whether it shares our root, and the answer */
	uint32_t root_pid;
	uint64_t root_start, root_at;
	bool root_same;
	/* ltrack's own process key, from the snapshot */
	bool self_known;
	uint64_t self_start, self_parent_start;
};

struct context *context_new(struct proctree *procs, const struct lt_config *cfg, size_t cg_max)
{
	struct context *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->procs = procs;
	c->cfg = cfg;
	c->cgc = cgcache_new(cg_max, NULL);
	if (!c->cgc) {
		free(c);
		errno = ENOMEM;
		return NULL;
	}
	return c;
}

void context_free(struct context *c)
{
	if (!c)
		return;
	cg_entry_put(c->cg_hold);
	cg_v1_free(c->v1_hold);
	cgcache_free(c->cgc);
	for (size_t i = 0; i < CANON_SLOTS; i++) {
		free(c->canon[i].dir);
		free(c->canon[i].real);
	}
	free(c);
}

struct cgcache *context_cgcache(struct context *c)
{
	return c ? c->cgc : NULL;
}

static bool want_args(const struct context *c)
{
	return c->cfg->ancestors > 0;
}

const char *context_exe(struct context *c, const struct event *ev)
{
	struct proc *p = proctree_get(c->procs, ev->pid, ev->start_ns);
	char link[64], buf[PATH_MAX];
	ssize_t n;

	if (p && p->exe)
		return proctree_exe_at(p, ev->ts_boot_ns);
	/* a child that has not exec'd runs its parent's image */
	if (!p) {
		struct proc *pp = proctree_get(c->procs, ev->ppid, ev->parent_start_ns);

		if (pp && pp->exe) {
			const char *pargs = pp->args;	/* fork keeps argv too */
			size_t plen = pp->args_len;

			p = proctree_put(c->procs, ev->pid, ev->start_ns, ev->ppid,
					 ev->parent_start_ns, pp->exe);
			if (p && pargs && p != pp && want_args(c))
				proctree_set_args(c->procs, p, pargs, plen);
			if (p && p != pp && !p->v1)	/* a fallback if it is gone too */
				p->v1 = cg_v1_dup(pp->v1);
			return p ? p->exe : NULL;
		}
	}
	snprintf(link, sizeof(link), "/proc/%u/exe", ev->pid);
	n = readlink(link, buf, sizeof(buf) - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	p = proctree_put(c->procs, ev->pid, ev->start_ns, ev->ppid, ev->parent_start_ns, buf);
	return p ? p->exe : NULL;
}

const char *context_exe_of(void *c, const struct event *ev)
{
	return context_exe(c, ev);
}

/* ---- canonical paths ------------------------------------------------------- */

static const char *cached_realpath(struct context *c, const char *dir, size_t dlen, char *buf,
				   uint64_t now)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	struct canon_slot *s = c->canon_last;

	if (s && s->dir && s->dlen == dlen && now - s->at_ns < CANON_TTL_NS &&
	    !memcmp(s->dir, dir, dlen))
		return s->real;
	for (size_t i = 0; i < dlen; i++)
		h = (h ^ (unsigned char)dir[i]) * 0x100000001b3ULL;
	s = &c->canon[h % CANON_SLOTS];
	if (s->dir && s->hash == h && now - s->at_ns < CANON_TTL_NS && s->dlen == dlen &&
	    !memcmp(s->dir, dir, dlen)) {
		c->canon_last = s;
		return s->real;
	}
	if (!realpath(dir, buf))
		return NULL;
	free(s->dir);
	free(s->real);
	s->dir = strdup(dir);
	s->real = strdup(buf);
	if (!s->dir || !s->real) {
		free(s->dir);
		free(s->real);
		s->dir = s->real = NULL;
		return buf;
	}
	s->hash = h;
	s->dlen = dlen;
	s->at_ns = now;
	c->canon_last = s;
	return s->real;
}

/* does @ev's process share our root? (asked once a second per process) */
static bool same_root(struct context *c, const struct event *ev, uint64_t now)
{
	char link[64], root[16];
	ssize_t n;

	if (ev->pid != c->root_pid || ev->start_ns != c->root_start ||
	    now - c->root_at > CANON_TTL_NS) {
		snprintf(link, sizeof(link), "/proc/%u/root", ev->pid);
		n = readlink(link, root, sizeof(root) - 1);
		c->root_same = n <= 0 || (root[n] = '\0', !strcmp(root, "/"));
		c->root_pid = ev->pid;
		c->root_start = ev->start_ns;
		c->root_at = now;
	}
	return c->root_same;
}

static void canonicalise_one(struct context *c, const struct event *ev, const char *path,
			     uint16_t flags, char *out, size_t outlen)
{
	char dir[PATH_MAX], real[PATH_MAX];
	const char *slash, *canon;
	size_t dlen, clen, slen;
	uint64_t now;

	out[0] = '\0';
	if (!path || !(flags & LT_PF_INEXACT) || (flags & LT_PF_TRUNC))
		return;
	now = ev->ts_boot_ns;	/* the cache's age in event time: no clock read per path */
	if (!same_root(c, ev, now))
		return;
	slash = strrchr(path, '/');
	if (!slash || slash == path)
		return;
	dlen = slash - path;
	if (dlen >= sizeof(dir))
		return;
	memcpy(dir, path, dlen);
	dir[dlen] = '\0';
	canon = cached_realpath(c, dir, dlen, real, now);
	if (!canon)
		return;
	/* the directory's real path (nothing for "/"), then "/name" */
	clen = strcmp(canon, "/") ? strlen(canon) : 0;
	slen = strlen(slash);
	if (clen + slen >= outlen)
		return;
	memcpy(out, canon, clen);
	memcpy(out + clen, slash, slen + 1);
}

void context_canonicalise(struct context *c, struct event *ev)
{
	canonicalise_one(c, ev, ev->filename, ev->filename_flags, ev->canon, sizeof(ev->canon));
	if (ev->type == LT_EV_RENAME || ev->type == LT_EV_LINK)
		canonicalise_one(c, ev, ev->path2, ev->path2_flags, ev->canon2, sizeof(ev->canon2));
}

/* ---- the process table: snapshot, exec, fork --------------------------------- */

/* the argv of a running process from /proc (startup snapshot) */
static void snap_args(struct context *c, const struct event *ev)
{
	struct proc *p = proctree_get(c->procs, ev->pid, ev->start_ns);
	char path[64], buf[PROC_ARGS_MAX];
	ssize_t n = 0;
	int fd;

	if (!p || p->args || !want_args(c))
		return;
	snprintf(path, sizeof(path), "/proc/%u/cmdline", ev->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n > 0)
		proctree_set_args(c->procs, p, buf, (size_t)n);
}

/*
 * v1_refresh - re-read @p's v1 paths from /proc (hybrid hosts), after its
 * v2 cgroup changed (it may have moved in v1 too) or for a process seen
 * without its exec. A process already gone keeps what was known before:
 * from its exec, the snapshot, or an earlier event.
 */
static void v1_refresh(struct context *c, struct proc *p)
{
	struct cg_v1 *nv;

	if (!cgcache_has_v1(c->cgc))
		return;
	nv = cg_v1_read(c->cgc, p->tgid);
	p->v1_valid = true;
	if (!nv)
		return;
	cg_v1_free(p->v1);
	p->v1 = nv;
}

/*
 * v1_from_kernel - @p's v1 paths from the cgroup ids its exec (or the
 * snapshot) @ev recorded in the kernel (hybrid hosts): exact even when the
 * process is gone by now. /proc/PID/cgroup fills in only when a cgroup is
 * gone already and the process still lives.
 */
static void v1_from_kernel(struct context *c, struct proc *p, const struct event *ev)
{
	struct cg_v1 *nv;
	bool complete;

	if (!cgcache_has_v1(c->cgc))
		return;
	nv = cg_v1_from_ids(c->cgc, ev->cg_v1_ids, &complete);
	if (nv && !complete) {
		struct cg_v1 *pv = cg_v1_read(c->cgc, p->tgid);

		if (pv) {
			cg_v1_free(nv);
			nv = pv;
		}
	}
	p->v1_valid = true;
	if (!nv)
		return;
	cg_v1_free(p->v1);
	p->v1 = nv;
}

void context_on_snapshot(struct context *c, const struct event *ev)
{
	struct proc *p;

	if (ev->pid == (uint32_t)getpid()) {
		c->self_known = true;
		c->self_start = ev->start_ns;
		c->self_parent_start = ev->parent_start_ns;
	}

	proctree_put(c->procs, ev->pid, ev->start_ns, ev->ppid, ev->parent_start_ns, ev->filename);
	snap_args(c, ev);
	p = proctree_get(c->procs, ev->pid, ev->start_ns);
	if (p)
		v1_from_kernel(c, p, ev);
}

void context_on_exec(struct context *c, const struct event *ev)
{
	struct proc *p = proctree_exec(c->procs, ev->pid, ev->start_ns, ev->ppid,
				       ev->parent_start_ns, ev->filename, ev->ts_boot_ns);

	if (!p)
		return;
	if (ev->args && want_args(c))	/* argv for ancestry */
		proctree_set_args(c->procs, p, ev->args, ev->args_len);
	v1_from_kernel(c, p, ev);	/* the v1 cgroups the kernel saw at the exec */
}

void context_on_fork(struct context *c, const struct event *ev)
{
	const char *pexe = context_exe(c, ev);
	struct proc *pp = proctree_get(c->procs, ev->pid, ev->start_ns);
	struct proc *ch = proctree_put(c->procs, ev->child_pid, ev->child_start_ns, ev->pid,
				       ev->start_ns, pexe);

	if (!ch || !pp || pp == ch)
		return;
	if (pp->args && !ch->args && want_args(c))
		proctree_set_args(c->procs, ch, pp->args, pp->args_len);
	if (!ch->v1)
		ch->v1 = cg_v1_dup(pp->v1);
}

bool context_self(const struct context *c, uint64_t *start_ns, uint64_t *parent_start_ns)
{
	*start_ns = c->self_start;
	*parent_start_ns = c->self_parent_start;
	return c->self_known;
}

static void hook_snapshot(void *c, struct event *ev)
{
	context_on_snapshot(c, ev);
}

static void hook_exec(void *c, struct event *ev)
{
	context_on_exec(c, ev);
}

static void hook_fork(void *c, struct event *ev)
{
	context_on_fork(c, ev);
}

/* the exit: after the event went out (its own context still needed the entry) */
static void hook_exit(void *state, struct event *ev)
{
	struct context *c = state;

	proctree_exit(c->procs, ev->pid, ev->start_ns, ev->ts_boot_ns);
}

int context_subscribe(struct context *c, struct hooks *h)
{
	static const struct hook_sub subs[] = {
		{ HOOK_DECODED, LT_EV_PROC_SNAP, hook_snapshot },
		{ HOOK_DECODED, LT_EV_EXEC, hook_exec },
		{ HOOK_DECODED, LT_EV_FORK, hook_fork },
		{ HOOK_DONE, LT_EV_EXIT, hook_exit },
	};

	return hooks_add_list(h, subs, sizeof(subs) / sizeof(subs[0]), c);
}

/* ---- what goes out with the event ------------------------------------------ */

/*
 * fill_cgroups - cgroup path, v1 paths, container and pod of @ev. Cached per
 * process (refreshed when the event's cgroup_id differs from the cached
 * one, and at exec) and per cgroup_id (cgcache).
 */
static void fill_cgroups(struct context *c, struct event *ev)
{
	struct proc *p = proctree_get(c->procs, ev->pid, ev->start_ns);
	const struct ctr_info *ci, *cand[2];
	struct cg_entry *e;
	struct cg_v1 *v1;

	cg_entry_put(c->cg_hold);
	cg_v1_free(c->v1_hold);
	c->cg_hold = NULL;
	c->v1_hold = NULL;
	if (!ev->has_ctx)
		return;
	if (p && p->cg && p->cg_id == ev->cgroup_id) {
		e = p->cg;
	} else {
		e = cgcache_ref(c->cgc, ev->cgroup_id);
		if (!e)
			return;
		if (p) {
			bool moved = p->cg_id && p->cg_id != ev->cgroup_id;

			cg_entry_put(p->cg);
			p->cg = e;
			p->cg_id = ev->cgroup_id;
			if (moved)
				p->v1_valid = false;
		} else {
			c->cg_hold = e;
			c->v1_hold = cgcache_has_v1(c->cgc) ? cg_v1_read(c->cgc, ev->pid) : NULL;
		}
	}
	if (p && !p->v1_valid)
		v1_refresh(c, p);
	v1 = p ? p->v1 : c->v1_hold;
	ev->cgroup = e->path;
	if (v1)
		for (int k = 0; k < CG_V1_N && k < 4; k++)
			ev->cgroup_v1[k] = v1->path[k];
	/* the container named deepest, in the v2 path or a v1 one (container.h) */
	cand[0] = &e->ci;
	cand[1] = v1 && v1->found ? &v1->ci : NULL;
	ci = ctr_pick(cand, 2);
	if (ci) {
		ev->container_id = ci->id[0] ? ci->id : NULL;
		ev->container_runtime = ci->runtime[0] ? ci->runtime : NULL;
		ev->pod_uid = ci->pod_uid[0] ? ci->pod_uid : NULL;
	}
	ev->container_delegated = ci && ci->delegated;
}

/* fill_ancestors - up to [exec_monitor] ancestors levels, parent first */
static void fill_ancestors(struct context *c, struct event *ev)
{
	uint32_t pid = ev->ppid, n = c->cfg->ancestors > 0 ? (uint32_t)c->cfg->ancestors : 0;
	uint64_t start = ev->parent_start_ns;

	if (!ev->has_ctx || !n)
		return;
	if (n > EV_ANCESTORS_MAX)
		n = EV_ANCESTORS_MAX;
	for (uint32_t i = 0; i < n && pid; i++) {
		struct proc *p = proctree_get(c->procs, pid, start);
		struct ev_ancestor *an = &ev->ancestors[i];

		an->pid = pid;
		an->start_ns = start;
		ev->nancestors = i + 1;
		if (!p)
			break;	/* unknown: its pid and key only */
		an->exe = proctree_exe_at(p, ev->ts_boot_ns);
		an->args = proctree_args_at(p, ev->ts_boot_ns, &an->args_len);
		pid = p->ppid;
		start = p->parent_start_ns;
	}
}

void context_fill(struct context *c, struct event *ev)
{
	fill_cgroups(c, ev);
	fill_ancestors(c, ev);
}
