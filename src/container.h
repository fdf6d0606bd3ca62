/* SPDX-License-Identifier: MIT */
/*
 * container - which cgroup, container and pod an event's process lives in.
 *
 * Every kernel event carries the cgroup v2 id of its task (lt_hdr.cgroup_id,
 * the cgroup directory's inode). User space turns it into:
 *   - cgroup: the v2 path, through a bounded cache cgroup_id -> entry.
 *     A miss is resolved without /proc, so it works for processes that are
 *     gone: the id is a kernfs file handle (FILEID_KERNFS, 8 bytes = the
 *     id), opened with open_by_handle_at() on the cgroup2 mount and read
 *     back with readlink(/proc/self/fd/N). One syscall pair per new cgroup,
 *     no directory walk (a walk costs O(cgroups) and races with rmdir).
 *   - container_id / container_runtime / pod_uid: parsed from the path by
 *     the naming conventions of docker (docker-ID.scope, /docker/ID),
 *     containerd (cri-containerd-ID.scope), CRI-O (crio-ID.scope), podman
 *     (libpod-ID.scope, libpod-ID) and kubelet (kubepods-...-podUID.slice
 *     with '_' for '-', and cgroupfs /kubepods/QOS/podUID/ID).
 *   - on hybrid hosts (cgroup v1 hierarchies beside the v2 mount, where v2
 *     paths are often "/"), the v1 cpu, memory, pids and name=systemd paths
 *     of the process, searched for a container too. The kernel records
 *     their ids at each exec and in the startup snapshot
 *     (lt_exec_ev.cg_v1), resolved like v2 ids through the v1 mounts, so a
 *     process that is gone by the time the exec is handled keeps them.
 *     /proc/PID/cgroup is the fallback: for a process seen without its
 *     exec, one whose v2 cgroup changed, or an id whose cgroup was removed
 *     already. They are per process (cached in the process table,
 *     proctree.h).
 *   - who named it: a runtime's name proves nothing when a user could
 *     have made the directory (systemd delegates user@UID.service to the
 *     user; a container may own its subtree). The directory holding the
 *     component that named the container (or pod) must be root's and
 *     writable by no group or other; otherwise the id is reported with
 *     container_delegated (security review, finding 11).
 *   - which container: the one found deepest in its path, whichever of the
 *     v2 and v1 paths names it (ctr_pick): a container inside another
 *     container (a CI job's podman in a docker sandbox) is the inner one,
 *     and a path naming no container never hides one another path names.
 *
 * The parsers (ctr_parse_path, cg_proc_parse, cg_mounts_parse) are pure
 * and bounded: they are unit-tested and fuzzed.
 */
#ifndef LTRACK_CONTAINER_H
#define LTRACK_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CTR_ID_LEN 64		/* hex digits of a container id */
#define CTR_UID_LEN 36		/* a pod uid: 8-4-4-4-12 */
#define CG_PATH_MAX 1024	/* longer cgroup paths are not kept */

/* what a cgroup path says about its container (empty strings: nothing) */
struct ctr_info {
	char id[CTR_ID_LEN + 1];
	char runtime[16];	/* "docker", "containerd", "cri-o", "podman" or "" */
	char pod_uid[CTR_UID_LEN + 1];
	unsigned int level;	/* the path component (1 = first) that named the id, else the pod */
	bool delegated;		/* the naming cgroup's parent is not root's alone (see ctr_check_owner) */
};

/*
 * ctr_parse_path - the container and pod named by cgroup path @path (@len
 * bytes, need not be NUL-terminated). The deepest container component
 * wins (a container in a container). A bare 64-hex component counts only
 * under "docker" or a kubepods pod. Returns true when an id or a pod uid
 * was found; @ci is always filled.
 */
bool ctr_parse_path(const char *path, size_t len, struct ctr_info *ci);

/*
 * ctr_pick - of @n candidates (each the ctr_info of one of a process's
 * cgroup paths, NULL: none), the one whose container was found deepest
 * (largest level); on a tie the first. NULL when none names a container
 * or a pod. Order the candidates v2 first, then enum cg_v1_ctl.
 */
const struct ctr_info *ctr_pick(const struct ctr_info *const *cand, int n);

/* the v1 hierarchies ltrack reports, in lt_exec_ev.cg_v1's order (ctr_pick's tie order) */
enum cg_v1_ctl { CG_V1_CPU = 0, CG_V1_MEMORY, CG_V1_PIDS, CG_V1_SYSTEMD, CG_V1_N };

/* cg_v1_name - the JSON key of a v1 hierarchy: "cpu", "memory", "pids", "systemd" */
const char *cg_v1_name(enum cg_v1_ctl c);

/* the paths of one /proc/PID/cgroup ("" = not listed) */
struct cg_proc {
	char v2[CG_PATH_MAX];
	char v1[CG_V1_N][CG_PATH_MAX];
	bool has_v2;
	bool has_v1[CG_V1_N];
};

/*
 * cg_proc_parse - parse /proc/PID/cgroup text ("ID:CONTROLLERS:PATH" lines)
 * of @len bytes into @out. Malformed lines and paths longer than
 * CG_PATH_MAX - 1 are skipped. Returns the number of lines used.
 */
int cg_proc_parse(const char *buf, size_t len, struct cg_proc *out);

/* the cgroup mounts of a mountinfo (paths with octal escapes decoded) */
struct cg_mounts {
	char v2[CG_PATH_MAX];	/* mount point of cgroup2 */
	bool has_v2;
	bool has_v1;		/* some cgroup (v1) hierarchy is mounted */
	/*
	 * the v1 hierarchy of each enum cg_v1_ctl: its (first) mount point and
	 * the cgroup mounted there ("/" unless a subtree is, e.g. in a
	 * container without a cgroup namespace)
	 */
	bool has_v1_ctl[CG_V1_N];
	char v1[CG_V1_N][CG_PATH_MAX];
	char v1_root[CG_V1_N][CG_PATH_MAX];
};

/*
 * cg_mounts_parse - find the cgroup2 mount point and the v1 hierarchies
 * in /proc/self/mountinfo text of @len bytes. Returns 0, or -ENOENT when
 * there is no cgroup mount at all.
 */
int cg_mounts_parse(const char *buf, size_t len, struct cg_mounts *out);

/* ---- the cgroup_id cache ------------------------------------------------- */

/* one cgroup id, shared (refcounted) by the cache and the process table */
struct cg_entry {
	uint64_t id;
	char *path;		/* v2: relative to the mount ("/a/b"); v1: as /proc/PID/cgroup
				 * shows it; NULL: unknown */
	struct ctr_info ci;
	/* internal */
	int hier;		/* 0: v2, 1 + enum cg_v1_ctl: that v1 one (each numbers its own) */
	unsigned int refs;
	uint64_t used;		/* cache clock at the last lookup */
	struct cg_entry *hnext;
};

struct cgcache;

struct cgcache_stats {
	size_t entries, max;
	uint64_t evicted;	/* entries dropped to stay within max */
	uint64_t resolved;	/* misses resolved through a file handle */
	uint64_t unresolved;	/* ids no cgroup directory has (any more) */
	size_t bytes;		/* the cache and its entries (not their paths) */
};

/*
 * cgcache_new - a cache of at most @max ids, resolving v2 ids through the
 * cgroup2 mount @v2mount (NULL: read /proc/self/mountinfo; none found: v2
 * paths stay unknown) and v1 ids through the v1 mounts of
 * /proc/self/mountinfo. NULL + errno.
 */
struct cgcache *cgcache_new(size_t max, const char *v2mount);

/* cgcache_free - drop the cache's references; NULL is a no-op */
void cgcache_free(struct cgcache *c);

/*
 * cgcache_ref - the entry of @id, resolved on a miss, with a reference the
 * caller owns (cg_entry_put). NULL only when out of memory. When the cache
 * is full the least recently used entry leaves it (holders keep theirs).
 */
struct cg_entry *cgcache_ref(struct cgcache *c, uint64_t id);

/*
 * cgcache_ref_v1 - the same for id @id of v1 hierarchy @ctl (lt_exec_ev.cg_v1):
 * the path is made absolute in the hierarchy, as /proc/PID/cgroup shows it.
 * NULL when @id is 0, the hierarchy has no v1 mount here, or out of memory.
 */
struct cg_entry *cgcache_ref_v1(struct cgcache *c, enum cg_v1_ctl ctl, uint64_t id);

/* cg_entry_put - drop a reference; NULL is a no-op */
void cg_entry_put(struct cg_entry *e);

void cgcache_get_stats(const struct cgcache *c, struct cgcache_stats *st);

/* cgcache_has_v1 - the host has cgroup v1 hierarchies (hybrid) */
bool cgcache_has_v1(const struct cgcache *c);

/* ---- per process (hybrid hosts) ------------------------------------------- */

/* the v1 view of one process: owned by its process table entry */
struct cg_v1 {
	char *path[CG_V1_N];	/* NULL: not listed or "/" */
	struct ctr_info ci;	/* the container found deepest in those paths (ctr_pick) */
	bool found;
};

/*
 * cg_v1_read - the v1 paths of process @pid from /proc/PID/cgroup (all
 * NULL when none is below "/"), or NULL when the process is gone or out
 * of memory; the container's cgroup checked through @c's v1 mounts (may be
 * NULL: not checked). Free with cg_v1_free.
 */
struct cg_v1 *cg_v1_read(const struct cgcache *c, uint32_t pid);

/*
 * cg_v1_from_ids - the v1 paths of the kernel's ids @ids (lt_exec_ev.cg_v1,
 * index enum cg_v1_ctl) resolved through @c. *@complete is false when an
 * id of a hierarchy mounted here did not resolve (its cgroup is gone):
 * that path is missing, /proc/PID/cgroup may still know it. NULL when
 * out of memory. Free with cg_v1_free.
 */
struct cg_v1 *cg_v1_from_ids(struct cgcache *c, const uint64_t ids[CG_V1_N], bool *complete);

/* cg_v1_dup - a copy of @v (a forked child starts in its parent's cgroups), or NULL */
struct cg_v1 *cg_v1_dup(const struct cg_v1 *v);

/* cg_v1_free - NULL is a no-op */
void cg_v1_free(struct cg_v1 *v);

#endif
