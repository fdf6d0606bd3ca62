// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * model.bpf.c - ML model files: model_load, content-sniffing candidates,
 * writes to loaded models, model_exfil and the bytes a holder reads.
 *
 * Everywhere on the host, not only under watches ([model_monitor]).
 *
 * What is a model: a regular file whose name's extension (after the last
 * dot of the dentry name, at most LT_MEXT_LEN - 1 bytes, compared lower-case)
 * is in lt_model_ext as LT_MEXT_MODEL (LT_MEXT_CONFIRM: only when user space
 * finds a model format in it, see below). One probe read of the name's last
 * 16 bytes and one hash lookup per open of a regular file. For processes
 * marked as ML loaders (lt_model_loader, decided at exec from the comm and
 * the image's basename against [model_monitor] loaders, inherited at fork)
 * a regular file of >= 8 bytes with another extension that is not
 * LT_MEXT_SKIP and not on a pseudo file system goes to user space as a
 * model_cand record: user space reads its first bytes and, when they show
 * a model format, makes the model_load itself (src/model/model.c).
 *
 * Per (process, file) once: lt_model_seen, an LRU keyed by (tgid, process
 * start time, dev, ino), so a reused pid never inherits an entry. Its value
 * accumulates what the process did later (mmap, bytes read); user space
 * reads it at the process's exit (model_access) and deletes it.
 *
 * Holders: lt_model_hold, tgid -> the last model the process loaded and
 * the byte threshold (exfil_fraction of its size). The read and send hooks
 * are attached only while some process holds a model (lt_model_hot); they
 * test the global lt_model_nholders first and then look up the tgid, so a
 * process that holds no model pays one load and one hash lookup per
 * read/write/send while they are.
 *
 * model_exfil:
 *   sendfile   from a model file (by name, or a loaded model's inode) to an
 *              INET socket: one event per (process, destination);
 *   splice     model file -> pipe taints the pipe (lt_model_pipes, LRU);
 *              tainted pipe -> INET socket is the event;
 *   send       a holder's bytes to one destination (sendto, sendmsg, write,
 *              writev on an INET socket) reaching the threshold: once.
 * lt_model_flows counts per (process, destination) and marks it reported.
 *
 * model_write: a loaded model's inode (lt_model_inodes) opened for
 * writing; user space decides (trainers) and hashes the result.
 */
#include "common.bpf.h"
#include "path.bpf.h"

#define M_S_IFMT 0170000
#define M_S_IFREG 0100000
#define M_S_IFIFO 0010000
#define M_FMODE_READ 0x1
#define M_FMODE_WRITE 0x2
#define M_MAP_ANONYMOUS 0x20
#define M_AF_INET 2
#define M_AF_INET6 10

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LT_GENS);
	__type(key, __u32);
	__type(value, struct lt_model_policy);
} lt_model_pol SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LT_GENS * LT_MODEL_EXT_GEN);
	__type(key, struct lt_model_ext_key);
	__type(value, __u32);
} lt_model_ext SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LT_GENS * LT_MODEL_PAT_MAX);
	__type(key, __u32);
	__type(value, struct lt_model_pat);
} lt_model_pats SEC(".maps") __weak;

/* loader processes: tgid -> start_ns */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} lt_model_loader SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct lt_model_key);
	__type(value, struct lt_model_seen);
} lt_model_seen SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct lt_model_hold);
} lt_model_hold SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct lt_model_ino);
	__type(value, __u64);
} lt_model_inodes SEC(".maps") __weak;

/*
 * files sniffed for any reader (lt_model_policy.sniff_min): (dev, ino) ->
 * the ctime they had then, with LT_SNIFFED_MODEL when user space found a
 * model (it sets the bit). A file is sent to user space once per content
 * change, whoever opens it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct lt_model_ino);
	__type(value, __u64);
} lt_model_sniffed SEC(".maps") __weak;

/* bytes a process sent to one destination */
struct lt_model_flow_key {
	__u64 start_ns;
	__u8 daddr[16];
	__u32 tgid;
	__u16 dport;
	__u16 family;
};

struct lt_model_flow {
	__u64 bytes;
	__u64 reported;		/* 64 bits: BPF atomics */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct lt_model_flow_key);
	__type(value, struct lt_model_flow);
} lt_model_flows SEC(".maps") __weak;

/* pipes a model file was spliced into: the pipe's inode address -> the model */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct lt_file_id);
} lt_model_pipes SEC(".maps") __weak;

/* holders in lt_model_hold (kernel and user space keep it exact) */
volatile __s64 lt_model_nholders __weak = 0;
/* live entries of lt_model_loader (approximate when the LRU evicts: a gate only) */
volatile __s64 lt_model_nloaders __weak = 0;
/* set once a model inode is known: write-opens look up lt_model_inodes only then */
volatile __u32 lt_model_any_inode __weak = 0;
/*
 * set by user space while the read and send hooks (lt_model_read ..
 * lt_model_writev) are attached: it attaches them when lt_model_nholders
 * becomes positive and detaches them a while after it is back to 0, so
 * that read(2) and write(2) cost nothing while no model is held (each
 * enabled syscall tracepoint costs its syscall ~200 ns even when its
 * program returns at once). A hold that begins while it is 0 is marked
 * LT_MSF_COLD: its first reads and sends were not counted.
 */
volatile __u32 lt_model_hot __weak = 0;

static __always_inline struct lt_model_policy *model_pol(__u32 gen)
{
	return bpf_map_lookup_elem(&lt_model_pol, &gen);
}

/*
 * model_ext_key - the lt_model_ext key of dentry @d's extension: read
 * backwards from the end of the name (most extensions are a few bytes, so
 * the scan stops early), lower-case, reversed, packed into two words with
 * constant indexes only (no variable stack offset for the verifier).
 * Returns the extension's length, 0 when there is none (no dot in the last
 * 12 bytes, a leading dot, or an empty extension).
 */
static __always_inline __u32 model_ext_key(struct dentry *d, struct lt_model_ext_key *key,
					   __u8 *last)
{
	struct qstr q = KR(d, d_name);
	__u32 len = q.len;
	const unsigned char *name = q.name;
	unsigned char tail[16];
	__u64 lo = 0, hi = 0;
	__u32 n, cnt = 0;
	bool dot = false;

	if (len < 2)
		return 0;
	n = len > 16 ? 16 : len;
	if (bpf_probe_read_kernel(tail, sizeof(tail), name + (len - n)))
		return 0;
#pragma unroll
	for (int i = 15; i >= 0; i--) {
		unsigned char c = tail[i];

		if (i >= n)
			continue;
		if (c == '.') {
			/* a leading dot (".pt" alone) starts a hidden name, not an extension */
			dot = i > 0 || len > 16;
			break;
		}
		if (cnt >= LT_MEXT_LEN - 1)
			return 0;
		if (c >= 'A' && c <= 'Z')
			c |= 0x20;
		if (cnt < 8)
			lo |= (__u64)c << (8 * cnt);
		else
			hi |= (__u64)c << (8 * (cnt - 8));
		cnt++;
	}
	if (!dot || !cnt)
		return 0;
	__builtin_memcpy(key->ext, &lo, 8);
	__builtin_memcpy(key->ext + 8, &hi, 4);
	*last = (__u8)lo;
	return cnt;
}

/*
 * model_ext_kind - LT_MEXT_* of dentry @d's name in generation @gen, 0
 * when its extension is not listed (or it has none). With @quick_only,
 * extensions that fail the policy's quick test are 0 without a lookup
 * (they can only be LT_MEXT_SKIP).
 */
static __always_inline __u32 model_ext_kind(struct dentry *d, __u32 gen,
					    const struct lt_model_policy *mp, bool quick_only)
{
	struct lt_model_ext_key key = { .gen = gen };
	__u8 last = 0;
	__u32 n = model_ext_key(d, &key, &last), *v, idx;

	idx = n - 1;
	if (!n || idx >= LT_MEXT_LEN - 1)
		return 0;
	if (quick_only && !(mp->quick[idx][(last >> 6) & 3] & (1ull << (last & 63))))
		return 0;
	v = bpf_map_lookup_elem(&lt_model_ext, &key);
	return v ? *v : 0;
}

/* is the current process an ML loader ([model_monitor] loaders)? */
static __always_inline bool model_is_loader(__u32 tgid, __u64 start)
{
	__u64 *s = bpf_map_lookup_elem(&lt_model_loader, &tgid);

	return s && *s == start;
}

/* pseudo file systems whose files are never models */
static __always_inline bool model_pseudo_fs(struct inode *ino)
{
	unsigned long m = KR(ino, i_sb, s_magic);

	return m == 0x9fa0 /* proc */ || m == 0x62656572 /* sysfs */ ||
	       m == 0x27e0eb /* cgroup */ || m == 0x63677270 /* cgroup2 */ ||
	       m == 0x64626720 /* debugfs */ || m == 0x74726163 /* tracefs */ ||
	       m == 0x73636673 /* securityfs */ || m == 0xcafe4a11 /* bpf */ ||
	       m == 0x1cd1 /* devpts */;
}

/*
 * model_send_rec - build a model record of @type about file @f (may be
 * NULL: then @fid gives the identity and no path is sent) in the per-CPU
 * buffer and copy it to ring_crit (@crit, with a wakeup) or ring_bulk.
 * @dst (may be NULL) is the exfil part.
 */
struct model_dest {
	__u8 daddr[16];
	__u64 bytes;
	__u16 dport, family, protocol, method;
};

static __always_inline void model_send_rec(bool crit, __u32 type, struct file *f,
					   const struct lt_file_id *fid, __u16 access, long fd,
					   __u32 oflags, int nr, long ret,
					   const struct model_dest *dst)
{
	struct lt_scratch *s = scratch_get();
	struct lt_model_ev *e = evbuf_get();
	struct lt_loc l;
	__u16 pf = 0;
	__u32 n = 0;
	int pos;

	if (!s || !e)
		return;
	hdr_fill(&e->hdr, type, bpf_get_current_task_btf());
	e->hdr.syscall_nr = nr;
	e->hdr.ret = ret;
	e->hdr.flags = LT_HF_REPORT;
	if (f) {
		file_id(&e->fid, KR(f, f_inode));
		if (KR(f, f_inode, i_sb, s_magic) == 0x65735546)	/* FUSE_SUPER_MAGIC */
			access |= LT_MA_FUSE;
	} else {
		e->fid = *fid;
	}
	__builtin_memset(e->daddr, 0, sizeof(e->daddr) + sizeof(e->old_sha256));
	e->bytes = 0;
	e->dport = e->family = e->protocol = e->method = 0;
	if (dst) {
		__builtin_memcpy(e->daddr, dst->daddr, 16);
		e->bytes = dst->bytes;
		e->dport = dst->dport;
		e->family = dst->family;
		e->protocol = dst->protocol;
		e->method = dst->method;
	}
	e->access = access;
	e->mflags = 0;
	e->fd = fd;
	e->open_flags = oflags;
	if (f) {
		loc_of_file(&l, f);
		pos = loc_build(s, &l, &pf);
		n = str_put_path(e->str, 0, s, pos);
	}
	e->path_len = n;
	e->path_flags = pf;
	n = (sizeof(*e) + n) & (LT_EVBUF - 1);
	e->hdr.size = n;
	if (crit ? bpf_ringbuf_output(&ring_crit, e, n, 0) :
		   bpf_ringbuf_output(&ring_bulk, e, n, BPF_RB_NO_WAKEUP))
		drop_count(LT_DROP_MODEL);
}

/*
 * model_hold - the current process holds model @fid: remember it for the
 * read and send hooks, and its inode for sendfile, splice and writes.
 */
static __always_inline void model_hold(__u32 tgid, __u64 start, const struct lt_file_id *fid,
				       const struct lt_model_policy *mp)
{
	struct lt_model_ino ik = { .ino = fid->ino, .dev = fid->dev };
	struct lt_model_hold h = { .start_ns = start, .fid = *fid };
	__u64 size = fid->size;

	h.threshold = size / 1000 * mp->exfil_permille + size % 1000 * mp->exfil_permille / 1000;
	if (!h.threshold)
		h.threshold = 1;
	if (bpf_map_update_elem(&lt_model_hold, &tgid, &h, BPF_NOEXIST) == 0)
		__sync_fetch_and_add(&lt_model_nholders, 1);
	else if (bpf_map_update_elem(&lt_model_hold, &tgid, &h, BPF_EXIST))
		drop_count(LT_DROP_MODEL);	/* the holder table is full */
	bpf_map_update_elem(&lt_model_inodes, &ik, &size, BPF_ANY);
	lt_model_any_inode = 1;
}

/*
 * model_touch - the current process used model-named file @f (@access):
 * the first use per (process, file) is a model_load, later ones are
 * added to its lt_model_seen entry.
 */
static __always_inline void model_touch(struct file *f, __u16 access, long fd, __u32 oflags,
					int nr, long ret, __u32 gen, const struct lt_model_policy *mp)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct inode *ino = KR(f, f_inode);
	struct lt_model_seen sv = { .kind = LT_MS_MODEL, .access = access,
				    .flags = lt_model_hot ? 0 : LT_MSF_COLD };
	struct lt_model_key key = {};
	struct lt_model_seen *seen;
	struct lt_policy *pol;
	struct lt_file_id fid;

	key.tgid = bpf_get_current_pid_tgid() >> 32;
	key.start_ns = task_start_ns(t);
	key.ino = KR(ino, i_ino);
	key.dev = KR(ino, i_sb, s_dev);
	seen = bpf_map_lookup_elem(&lt_model_seen, &key);
	if (seen) {
		if (seen->kind == LT_MS_MODEL && !(seen->access & access))
			__sync_fetch_and_or(&seen->access, (__u64)access);
		return;
	}
	pol = policy_get(gen);
	if (!pol || !ev_gate(pol, LT_EV_MODEL_LOAD))
		return;
	if (bpf_map_update_elem(&lt_model_seen, &key, &sv, BPF_NOEXIST))
		return;		/* another thread was first */
	file_id(&fid, ino);
	model_hold(key.tgid, key.start_ns, &fid, mp);
	/* writers at the load (security review 1): their later writes change the loaded bytes */
	if (BPF_CORE_READ(ino, i_writecount.counter) > 0)
		access |= LT_MA_WRITERS;
	model_send_rec(true, LT_EV_MODEL_LOAD, f, NULL, access, fd, oflags, nr, ret, NULL);
}

/*
 * model_cand - @f may be a model by its content (a loader opened it:
 * @access has LT_MA_CONTENT; or its extension is LT_MEXT_CONFIRM): ask
 * user space, once per (process, file)
 */
static __always_inline void model_cand(struct file *f, __u16 access, long fd, __u32 oflags,
				       int nr, long ret, __u32 gen, bool per_process)
{
	struct inode *ino = KR(f, f_inode);
	struct lt_model_seen sv = { .kind = LT_MS_CAND, .access = access };
	struct lt_model_key key = {};
	struct lt_policy *pol;

	if (KR(ino, i_size) < 8 || model_pseudo_fs(ino))
		return;
	/* once per (process, file); a file sniffed for any reader is deduplicated by content */
	if (per_process) {
		key.tgid = bpf_get_current_pid_tgid() >> 32;
		key.start_ns = task_start_ns(bpf_get_current_task_btf());
		key.ino = KR(ino, i_ino);
		key.dev = KR(ino, i_sb, s_dev);
		if (bpf_map_lookup_elem(&lt_model_seen, &key))
			return;
	}
	pol = policy_get(gen);
	if (!pol || !ev_gate(pol, LT_EV_MODEL_LOAD))
		return;
	if (per_process && bpf_map_update_elem(&lt_model_seen, &key, &sv, BPF_NOEXIST))
		return;
	model_send_rec(false, LT_EV_MODEL_CAND, f, NULL, access, fd, oflags, nr, ret, NULL);
}

/* model_write_check - a loaded model's inode opened for writing */
static __always_inline void model_write_check(struct file *f, long fd, __u32 oflags, int nr,
					      long ret, __u32 gen)
{
	struct inode *ino = KR(f, f_inode);
	struct lt_model_ino ik = {};
	struct lt_policy *pol;

	ik.ino = KR(ino, i_ino);
	ik.dev = KR(ino, i_sb, s_dev);
	if (!bpf_map_lookup_elem(&lt_model_inodes, &ik))
		return;
	pol = policy_get(gen);
	if (!pol || !ev_gate(pol, LT_EV_MODEL_MODIFIED))
		return;
	model_send_rec(true, LT_EV_MODEL_WRITE, f, NULL, 0, fd, oflags, nr, ret, NULL);
}

/*
 * model_sniff_any - @f (at least sniff_min bytes, read by a process that is
 * no loader by its name, under a name that is no model's) may be a model
 * read by a renamed interpreter (security review, finding 12): a model
 * known by its content is one for this process too; any other file is
 * sent for sniffing once per (dev, ino, ctime), whoever reads it.
 */
/* what model_sniff_any decided */
enum { MSA_NONE, MSA_CAND, MSA_NEW };

static __always_inline int model_sniff_any(struct file *f, __u32 gen,
					   struct lt_model_policy *mp)
{
	struct inode *ino = KR(f, f_inode);
	struct lt_model_ino ik = {};
	struct lt_policy *pol;
	__u64 ctime, *seen;

	ik.ino = KR(ino, i_ino);
	ik.dev = KR(ino, i_sb, s_dev);
	ctime = inode_ctime_ns(ino);
	/* the common case: seen with this content, one lookup */
	seen = bpf_map_lookup_elem(&lt_model_sniffed, &ik);
	if (seen && (*seen & ~LT_SNIFFED_MODEL) == ctime)
		return *seen & LT_SNIFFED_MODEL ? MSA_CAND : MSA_NONE;
	if (model_pseudo_fs(ino))
		return MSA_NONE;
	/* a model found by a loader's open */
	if (lt_model_any_inode && bpf_map_lookup_elem(&lt_model_inodes, &ik))
		return MSA_CAND;
	if (model_ext_kind(KR(f, f_path.dentry), gen, mp, false) == LT_MEXT_SKIP)
		return MSA_NONE;
	pol = policy_get(gen);	/* a process the policy filters out marks nothing */
	if (!pol || !ev_gate(pol, LT_EV_MODEL_LOAD))
		return MSA_NONE;
	bpf_map_update_elem(&lt_model_sniffed, &ik, &ctime, BPF_ANY);
	return MSA_NEW;
}

/*
 * model_on_open - called by file.bpf.c's open_exit for every successful
 * open (the open programs are attached while the model monitor is on).
 * Cheap for the common case: a mode test, one name read, one hash lookup.
 */
__noinline int model_on_open(__u64 fptr, long nr, long fd, __u32 oflags)
{
	struct file *f = KPTR(file, fptr);
	__u32 gen = gen_active(), kind;
	struct lt_model_policy *mp = model_pol(gen);
	__u16 acc = LT_MA_OPEN | LT_MA_CONTENT;
	int how = MSA_NONE;
	__u32 fmode;

	if (!f || !mp || !mp->enabled)
		return 0;
	if ((KR(f, f_inode, i_mode) & M_S_IFMT) != M_S_IFREG)
		return 0;
	fmode = KR(f, f_mode);
	if ((fmode & M_FMODE_WRITE) && lt_model_any_inode)
		model_write_check(f, fd, oflags, nr, fd, gen);
	if (!(fmode & M_FMODE_READ))
		return 0;
	kind = model_ext_kind(KR(f, f_path.dentry), gen, mp, true);
	if (kind == LT_MEXT_MODEL) {
		model_touch(f, LT_MA_OPEN, fd, oflags, nr, fd, gen, mp);
		return 0;
	}
	/* one call site of model_cand below: its copies would not fit 6.1's stack */
	if (kind == LT_MEXT_CONFIRM) {
		how = MSA_CAND;
		acc = LT_MA_OPEN;
	} else if (mp->sniff && lt_model_nloaders > 0 &&
		   model_is_loader(bpf_get_current_pid_tgid() >> 32,
				   task_start_ns(bpf_get_current_task_btf()))) {
		/* not a model by its name: a loader's files are sniffed (none alive: one load) */
		if (model_ext_kind(KR(f, f_path.dentry), gen, mp, false) != LT_MEXT_SKIP)
			how = MSA_CAND;
	} else if (mp->sniff_min && KR(f, f_inode, i_size) >= mp->sniff_min) {
		/* and anyone's large enough files, once per content */
		how = model_sniff_any(f, gen, mp);
	}
	if (how != MSA_NONE)
		model_cand(f, acc, fd, oflags, nr, fd, gen, how == MSA_CAND);
	return 0;
}

/* ---- loaders: decided at exec, inherited at fork ------------------------------ */

/* @name (16 bytes, NUL-padded) against pattern @p */
static __always_inline bool model_pat_match(const struct lt_model_pat *p, const char *name)
{
	__u32 len = p->len;

	if (!len || len >= LT_MODEL_PAT_LEN)
		return false;
	for (int i = 0; i < LT_MODEL_PAT_LEN; i++) {
		if (i >= len)
			break;
		if (name[i] != p->pat[i])
			return false;
	}
	return p->prefix || name[len & (LT_MODEL_PAT_LEN - 1)] == '\0';
}

struct model_names {
	char comm[LT_MODEL_PAT_LEN];
	char exe[LT_MODEL_PAT_LEN];
};

static __always_inline bool model_loader_match(__u32 gen, __u32 npats, const struct model_names *nm)
{
	for (__u32 i = 0; i < LT_MODEL_PAT_MAX; i++) {
		__u32 idx = gen * LT_MODEL_PAT_MAX + i;
		struct lt_model_pat *p;

		if (i >= npats)
			break;
		p = bpf_map_lookup_elem(&lt_model_pats, &idx);
		if (!p)
			break;
		if (model_pat_match(p, nm->comm) || model_pat_match(p, nm->exe))
			return true;
	}
	return false;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(lt_model_exec, struct task_struct *t, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 gen = gen_active();
	struct lt_model_policy *mp = model_pol(gen);
	struct model_names nm = {};
	__u32 tgid = KR(t, tgid);
	__u64 start;

	if (!mp || !mp->enabled || !mp->sniff)
		return 0;
	start = task_start_ns(t);
	bpf_probe_read_kernel_str(nm.comm, sizeof(nm.comm), KADDR(t, comm));
	bpf_probe_read_kernel_str(nm.exe, sizeof(nm.exe),
				  KR(bprm, file, f_path.dentry, d_name.name));
	if (model_loader_match(gen, mp->nloaders, &nm)) {
		if (bpf_map_update_elem(&lt_model_loader, &tgid, &start, BPF_NOEXIST) == 0)
			__sync_fetch_and_add(&lt_model_nloaders, 1);
		else
			bpf_map_update_elem(&lt_model_loader, &tgid, &start, BPF_ANY);
	} else if (bpf_map_lookup_elem(&lt_model_loader, &tgid) &&
		   bpf_map_delete_elem(&lt_model_loader, &tgid) == 0) {
		__sync_fetch_and_add(&lt_model_nloaders, -1);
	}
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(lt_model_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = KR(parent, tgid), ctgid = KR(child, tgid);
	__u64 start;

	if (ptgid == ctgid || !model_is_loader(ptgid, task_start_ns(parent)))
		return 0;
	start = KR(child, start_boottime);	/* the child leads its group */
	if (bpf_map_update_elem(&lt_model_loader, &ctgid, &start, BPF_NOEXIST) == 0)
		__sync_fetch_and_add(&lt_model_nloaders, 1);
	else
		bpf_map_update_elem(&lt_model_loader, &ctgid, &start, BPF_ANY);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int lt_model_exit(__u64 *ctx)
{
	struct task_struct *t = (struct task_struct *)ctx[0];
	__u32 tgid = KR(t, tgid);
	struct lt_model_hold *h;

	if (lt_model_nloaders <= 0 && lt_model_nholders <= 0)
		return 0;
	if (!exit_group_dead(ctx, t, LT_EXIT_MODEL))
		return 0;
	if (lt_model_nloaders > 0 && bpf_map_lookup_elem(&lt_model_loader, &tgid) &&
	    bpf_map_delete_elem(&lt_model_loader, &tgid) == 0)
		__sync_fetch_and_add(&lt_model_nloaders, -1);
	if (lt_model_nholders <= 0)
		return 0;
	h = bpf_map_lookup_elem(&lt_model_hold, &tgid);
	if (h && bpf_map_delete_elem(&lt_model_hold, &tgid) == 0)
		__sync_fetch_and_add(&lt_model_nholders, -1);
	return 0;
}

/* ---- mmap and reads ------------------------------------------------------------- */

struct sys_exit_ctx_model {
	__u64 common;
	int id;
	int pad;
	long ret;
};

/* the holder entry of the current process, or NULL (also for a reused pid) */
static __always_inline struct lt_model_hold *model_holder(__u32 tgid, __u64 *start)
{
	struct lt_model_hold *h;

	if (lt_model_nholders <= 0)
		return NULL;
	h = bpf_map_lookup_elem(&lt_model_hold, &tgid);
	if (!h)
		return NULL;
	*start = task_start_ns(bpf_get_current_task_btf());
	return h->start_ns == *start ? h : NULL;
}

/* the lt_model_seen entry of (current process, @f) when it is a model */
static __always_inline struct lt_model_seen *model_seen_of(struct file *f, __u32 tgid, __u64 start)
{
	struct inode *ino = KR(f, f_inode);
	struct lt_model_key key = {};
	struct lt_model_seen *sv;

	if ((KR(ino, i_mode) & M_S_IFMT) != M_S_IFREG)
		return NULL;
	key.tgid = tgid;
	key.start_ns = start;
	key.ino = KR(ino, i_ino);
	key.dev = KR(ino, i_sb, s_dev);
	sv = bpf_map_lookup_elem(&lt_model_seen, &key);
	return sv && sv->kind == LT_MS_MODEL ? sv : NULL;
}

SEC("tracepoint/syscalls/sys_exit_mmap")
int lt_model_mmap(struct sys_exit_ctx_model *ctx)
{
	struct lt_model_policy *mp;
	struct lt_model_seen *sv;
	struct pt_regs *regs;
	struct file *f;
	__u32 gen, tgid;
	__u64 start;
	long ret = ctx->ret;
	int fd;

	if (ret < 0 && ret >= -4095)
		return 0;
	regs = cur_regs();
	fd = (int)sys_arg(regs, 4);
	if (fd < 0 || (sys_arg(regs, 3) & M_MAP_ANONYMOUS))
		return 0;
	gen = gen_active();
	mp = model_pol(gen);
	if (!mp || !mp->enabled || is_self())
		return 0;
	f = fd_file(fd);
	if (!f || (KR(f, f_inode, i_mode) & M_S_IFMT) != M_S_IFREG)
		return 0;
	if (model_ext_kind(KR(f, f_path.dentry), gen, mp, true) == LT_MEXT_MODEL) {
		model_touch(f, LT_MA_MMAP, fd, 0, ctx->id, ret, gen, mp);
		return 0;
	}
	/* a model found by its content */
	tgid = bpf_get_current_pid_tgid() >> 32;
	if (!model_holder(tgid, &start))
		return 0;
	sv = model_seen_of(f, tgid, start);
	if (sv && !(sv->access & LT_MA_MMAP))
		__sync_fetch_and_or(&sv->access, LT_MA_MMAP);
	return 0;
}

static __always_inline int model_read(long ret)
{
	struct lt_model_seen *sv;
	struct file *f;
	__u32 tgid;
	__u64 start;

	if (ret <= 0 || lt_model_nholders <= 0)
		return 0;
	tgid = bpf_get_current_pid_tgid() >> 32;
	if (!model_holder(tgid, &start))
		return 0;
	f = fd_file((int)sys_arg(cur_regs(), 0));
	if (!f)
		return 0;
	sv = model_seen_of(f, tgid, start);
	if (!sv)
		return 0;
	__sync_fetch_and_add(&sv->read_bytes, ret);
	if (!(sv->access & LT_MA_READ))
		__sync_fetch_and_or(&sv->access, LT_MA_READ);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_read")
int lt_model_read(struct sys_exit_ctx_model *ctx)
{
	return model_read(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_pread64")
int lt_model_pread(struct sys_exit_ctx_model *ctx)
{
	return model_read(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_readv")
int lt_model_readv(struct sys_exit_ctx_model *ctx)
{
	return model_read(ctx->ret);
}

/* ---- exfiltration ------------------------------------------------------------ */

/*
 * model_dest_of - the INET destination of socket @fd (its peer; for an
 * unconnected socket the address given at @ua, @alen). false when @fd is
 * not an AF_INET/AF_INET6 socket or there is no destination.
 */
static __always_inline bool model_dest_of(long fd, const void *ua, long alen,
					  struct model_dest *d)
{
	struct net_info n = {};
	struct net_sock ns = {};

	if (!net_sock_of_fd(fd, &ns))
		return false;
	if (ns.family != M_AF_INET && ns.family != M_AF_INET6)
		return false;
	net_init(&n, &ns, fd);
	net_remote(&n, ns.sk);
	if (!n.rport && ua)
		net_remote_user(&n, ua, alen);
	if (!n.rport)
		return false;
	__builtin_memcpy(d->daddr, n.raddr, 16);
	d->dport = n.rport;
	d->family = n.rfamily ? n.rfamily : n.family;
	d->protocol = n.proto;
	return true;
}

/* the flow of (current process, @d), created when missing */
static __always_inline struct lt_model_flow *model_flow(__u32 tgid, __u64 start,
							const struct model_dest *d)
{
	struct lt_model_flow_key k = {};
	struct lt_model_flow zero = {};
	struct lt_model_flow *fl;

	k.start_ns = start;
	__builtin_memcpy(k.daddr, d->daddr, 16);
	k.tgid = tgid;
	k.dport = d->dport;
	k.family = d->family;
	fl = bpf_map_lookup_elem(&lt_model_flows, &k);
	if (fl)
		return fl;
	bpf_map_update_elem(&lt_model_flows, &k, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&lt_model_flows, &k);
}

static __always_inline struct lt_model_policy *model_exfil_gate(void)
{
	__u32 gen = gen_active();
	struct lt_model_policy *mp = model_pol(gen);
	struct lt_policy *pol = policy_get(gen);

	if (mp && mp->enabled && pol && ev_gate(pol, LT_EV_MODEL_EXFIL) && !is_self())
		return mp;
	return NULL;
}

/* a model known by its inode, or by its name */
static __always_inline bool model_file(struct file *f, const struct lt_model_policy *mp)
{
	struct inode *ino = KR(f, f_inode);
	struct lt_model_ino ik = {};

	if ((KR(ino, i_mode) & M_S_IFMT) != M_S_IFREG)
		return false;
	ik.ino = KR(ino, i_ino);
	ik.dev = KR(ino, i_sb, s_dev);
	if (bpf_map_lookup_elem(&lt_model_inodes, &ik))
		return true;
	return model_ext_kind(KR(f, f_path.dentry), gen_active(), mp, true) ==
	       LT_MEXT_MODEL;
}

/* report (once per process and destination) model @f / @fid sent to @d */
static __always_inline void model_exfil(struct model_dest *d, struct file *f,
					const struct lt_file_id *fid, long sock_fd, int nr,
					long ret)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u64 start = task_start_ns(bpf_get_current_task_btf());
	struct lt_model_flow *fl = model_flow(tgid, start, d);

	if (!fl)
		return;
	__sync_fetch_and_add(&fl->bytes, d->bytes);
	if (__sync_val_compare_and_swap(&fl->reported, 0, 1) != 0)
		return;
	model_send_rec(true, LT_EV_MODEL_EXFIL, f, fid, 0, sock_fd, 0, nr, ret, d);
}

SEC("tracepoint/syscalls/sys_exit_sendfile64")
int lt_model_sendfile(struct sys_exit_ctx_model *ctx)
{
	struct lt_model_policy *mp;
	struct model_dest d = {};
	struct pt_regs *regs;
	struct file *in;
	long out_fd;

	if (ctx->ret <= 0 || !(mp = model_exfil_gate()))
		return 0;
	regs = cur_regs();
	out_fd = (int)sys_arg(regs, 0);
	in = fd_file((int)sys_arg(regs, 1));
	if (!in || !model_file(in, mp) || !model_dest_of(out_fd, NULL, 0, &d))
		return 0;
	d.bytes = ctx->ret;
	d.method = LT_MX_SENDFILE;
	model_exfil(&d, in, NULL, out_fd, ctx->id, ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_splice")
int lt_model_splice(struct sys_exit_ctx_model *ctx)
{
	struct model_dest d = {};
	struct pt_regs *regs;
	struct file *in, *out;
	struct lt_file_id *taint;
	struct lt_model_policy *mp;
	__u64 pipe;
	long out_fd;

	if (ctx->ret <= 0 || !(mp = model_exfil_gate()))
		return 0;
	regs = cur_regs();
	in = fd_file((int)sys_arg(regs, 0));
	out_fd = (int)sys_arg(regs, 2);
	out = fd_file(out_fd);
	if (!in || !out)
		return 0;
	if ((KR(out, f_inode, i_mode) & M_S_IFMT) == M_S_IFIFO) {
		struct lt_file_id fid;

		if (!model_file(in, mp))
			return 0;
		file_id(&fid, KR(in, f_inode));
		pipe = (__u64)KR(out, f_inode);
		bpf_map_update_elem(&lt_model_pipes, &pipe, &fid, BPF_ANY);
		return 0;
	}
	if ((KR(in, f_inode, i_mode) & M_S_IFMT) != M_S_IFIFO)
		return 0;
	pipe = (__u64)KR(in, f_inode);
	taint = bpf_map_lookup_elem(&lt_model_pipes, &pipe);
	if (!taint || !model_dest_of(out_fd, NULL, 0, &d))
		return 0;
	d.bytes = ctx->ret;
	d.method = LT_MX_SPLICE;
	model_exfil(&d, NULL, taint, out_fd, ctx->id, ctx->ret);
	return 0;
}

/*
 * model_sent - a holder sent @ret bytes on @fd (to @ua when given): count
 * them per destination; the first time a destination's total reaches the
 * threshold is a model_exfil (method send).
 */
static __always_inline int model_sent(long ret, int nr, const void *ua, long alen)
{
	struct lt_model_hold *h;
	struct lt_model_flow *fl;
	struct model_dest d = {};
	struct lt_file_id fid;
	__u32 tgid;
	__u64 start, total;
	long fd;

	if (ret <= 0 || lt_model_nholders <= 0)
		return 0;
	tgid = bpf_get_current_pid_tgid() >> 32;
	h = model_holder(tgid, &start);
	if (!h)
		return 0;
	fd = (int)sys_arg(cur_regs(), 0);
	if (!model_dest_of(fd, ua, alen, &d))
		return 0;
	fl = model_flow(tgid, start, &d);
	if (!fl)
		return 0;
	total = __sync_fetch_and_add(&fl->bytes, ret) + ret;
	if (fl->reported || total < h->threshold || !model_exfil_gate())
		return 0;
	if (__sync_val_compare_and_swap(&fl->reported, 0, 1) != 0)
		return 0;
	fid = h->fid;
	d.bytes = total;
	d.method = LT_MX_SEND;
	model_send_rec(true, LT_EV_MODEL_EXFIL, NULL, &fid, 0, fd, 0, nr, ret, &d);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_sendto")
int lt_model_sendto(struct sys_exit_ctx_model *ctx)
{
	struct pt_regs *regs;

	if (ctx->ret <= 0 || lt_model_nholders <= 0)
		return 0;
	regs = cur_regs();
	return model_sent(ctx->ret, ctx->id, (const void *)sys_arg(regs, 4), sys_arg(regs, 5));
}

SEC("tracepoint/syscalls/sys_exit_sendmsg")
int lt_model_sendmsg(struct sys_exit_ctx_model *ctx)
{
	return model_sent(ctx->ret, ctx->id, NULL, 0);
}

SEC("tracepoint/syscalls/sys_exit_write")
int lt_model_write(struct sys_exit_ctx_model *ctx)
{
	return model_sent(ctx->ret, ctx->id, NULL, 0);
}

SEC("tracepoint/syscalls/sys_exit_writev")
int lt_model_writev(struct sys_exit_ctx_model *ctx)
{
	return model_sent(ctx->ret, ctx->id, NULL, 0);
}
