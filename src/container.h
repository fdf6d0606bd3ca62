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
 *     of the process from /proc/PID/cgroup, searched for a container when
 *     the v2 path names none. They are per process, read once per process
 *     and again after its exec or when its v2 cgroup changes (cached in the
 *     process table, proctree.h).
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
};

/*
 * ctr_parse_path - the container and pod named by cgroup path @path (@len
 * bytes, need not be NUL-terminated). The deepest container component
 * wins (a container in a container). A bare 64-hex component counts only
 * under "docker" or a kubepods pod. Returns true when an id or a pod uid
 * was found; @ci is always filled.
 */
bool ctr_parse_path(const char *path, size_t len, struct ctr_info *ci);

/* the v1 hierarchies read from /proc/PID/cgroup, in search order */
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

/* the cgroup mounts of a mountinfo */
struct cg_mounts {
	char v2[CG_PATH_MAX];	/* mount point of cgroup2 (octal escapes decoded) */
	bool has_v2;
	bool has_v1;		/* some cgroup (v1) hierarchy is mounted */
};

/*
 * cg_mounts_parse - find the cgroup2 mount point and whether v1
 * hierarchies exist in /proc/self/mountinfo text of @len bytes.
 * Returns 0, or -ENOENT when there is no cgroup mount at all.
 */
int cg_mounts_parse(const char *buf, size_t len, struct cg_mounts *out);

/* ---- the cgroup_id cache ------------------------------------------------- */

/* one cgroup v2 id, shared (refcounted) by the cache and the process table */
struct cg_entry {
	uint64_t id;
	char *path;		/* v2 path relative to the mount ("/a/b"), or NULL: unknown */
	struct ctr_info ci;
	/* internal */
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
};

/*
 * cgcache_new - a cache of at most @max ids, resolving through the cgroup2
 * mount @v2mount (NULL: read /proc/self/mountinfo; none found: paths stay
 * unknown, container detection still works from v1 paths). NULL + errno.
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

/* cg_entry_put - drop a reference; NULL is a no-op */
void cg_entry_put(struct cg_entry *e);

void cgcache_get_stats(const struct cgcache *c, struct cgcache_stats *st);

/* cgcache_has_v1 - the host has cgroup v1 hierarchies (hybrid) */
bool cgcache_has_v1(const struct cgcache *c);

/* ---- per process (hybrid hosts) ------------------------------------------- */

/* the v1 view of one process: owned by its process table entry */
struct cg_v1 {
	char *path[CG_V1_N];	/* NULL: not listed or "/" */
	struct ctr_info ci;	/* the container found in those paths */
	bool found;
};

/*
 * cg_v1_read - the v1 paths of process @pid from /proc/PID/cgroup (all
 * NULL when none is below "/"), or NULL when the process is gone or out
 * of memory. Free with cg_v1_free.
 */
struct cg_v1 *cg_v1_read(uint32_t pid);

/* cg_v1_dup - a copy of @v (a forked child starts in its parent's cgroups), or NULL */
struct cg_v1 *cg_v1_dup(const struct cg_v1 *v);

/* cg_v1_free - NULL is a no-op */
void cg_v1_free(struct cg_v1 *v);

#endif
