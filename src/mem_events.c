// SPDX-License-Identifier: MIT
/*
 * mem_events.c - mem's events between the ring and the output. See
 * mem_events.h; the JSON fields are documented in docs/events.md.
 *
 * Every length the kernel wrote is checked against the record before a
 * string is used, as in events.c.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "fields.h"
#include "mem_events.h"
#include "output/field_json.h"


enum {
	NR_MMAP = 9, NR_MPROTECT = 10, NR_KILL = 62, NR_PTRACE = 101, NR_SETUID = 105,
	NR_SETGID = 106, NR_SETREUID = 113, NR_SETREGID = 114, NR_SETRESUID = 117,
	NR_SETRESGID = 119, NR_SETFSUID = 122, NR_SETFSGID = 123, NR_CAPSET = 126,
	NR_INIT_MODULE = 175, NR_DELETE_MODULE = 176, NR_TKILL = 200, NR_TGKILL = 234,
	NR_FINIT_MODULE = 313, NR_MEMFD_CREATE = 319, NR_PKEY_MPROTECT = 329,
};

static const struct {
	int nr;
	const char *name;
} syscalls[] = {
	{ NR_MMAP, "mmap" },		 { NR_MPROTECT, "mprotect" },
	{ NR_PKEY_MPROTECT, "pkey_mprotect" }, { NR_MEMFD_CREATE, "memfd_create" },
	{ NR_SETUID, "setuid" },	 { NR_SETGID, "setgid" },
	{ NR_SETREUID, "setreuid" },	 { NR_SETREGID, "setregid" },
	{ NR_SETRESUID, "setresuid" },	 { NR_SETRESGID, "setresgid" },
	{ NR_SETFSUID, "setfsuid" },	 { NR_SETFSGID, "setfsgid" },
	{ NR_CAPSET, "capset" },	 { NR_PTRACE, "ptrace" },
	{ NR_KILL, "kill" },		 { NR_TKILL, "tkill" },
	{ NR_TGKILL, "tgkill" },	 { NR_INIT_MODULE, "init_module" },
	{ NR_FINIT_MODULE, "finit_module" }, { NR_DELETE_MODULE, "delete_module" },
};

const char *mem_syscall_name(int nr)
{
	for (size_t i = 0; i < sizeof(syscalls) / sizeof(syscalls[0]); i++)
		if (syscalls[i].nr == nr)
			return syscalls[i].name;
	return NULL;
}

struct bitname {
	uint32_t bit;
	const char *name;
};

/* "A|B|0x40" of @v: named bits first, the rest as one hex number; "0" for none */
static void bits_str(uint32_t v, const struct bitname *names, size_t n, char *buf, size_t len)
{
	size_t o = 0;

	if (!len)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (!(v & names[i].bit))
			continue;
		o += snprintf(buf + o, o < len ? len - o : 0, "%s%s", o ? "|" : "", names[i].name);
		v &= ~names[i].bit;
	}
	if (v || !o)
		o += snprintf(buf + o, o < len ? len - o : 0, "%s%s0x%x", o ? "|" : "",
			      "", v);
	if (o >= len)
		buf[len - 1] = '\0';
	if (!strcmp(buf, "0x0"))
		snprintf(buf, len, "0");
}

void mem_prot_str(uint32_t prot, char *buf, size_t len)
{
	static const struct bitname names[] = {
		{ 0x1, "PROT_READ" }, { 0x2, "PROT_WRITE" }, { 0x4, "PROT_EXEC" },
		{ 0x8, "PROT_SEM" }, { 0x01000000, "PROT_GROWSDOWN" },
		{ 0x02000000, "PROT_GROWSUP" },
	};

	if (!prot) {
		snprintf(buf, len, "PROT_NONE");
		return;
	}
	bits_str(prot, names, sizeof(names) / sizeof(names[0]), buf, len);
}

void mem_mmap_flags_str(uint32_t flags, char *buf, size_t len)
{
	static const struct bitname names[] = {
		{ 0x01, "MAP_SHARED" },	{ 0x02, "MAP_PRIVATE" }, { 0x03, "MAP_SHARED_VALIDATE" },
		{ 0x10, "MAP_FIXED" },	{ 0x20, "MAP_ANONYMOUS" }, { 0x100, "MAP_GROWSDOWN" },
		{ 0x800, "MAP_DENYWRITE" }, { 0x1000, "MAP_EXECUTABLE" }, { 0x2000, "MAP_LOCKED" },
		{ 0x4000, "MAP_NORESERVE" }, { 0x8000, "MAP_POPULATE" }, { 0x10000, "MAP_NONBLOCK" },
		{ 0x20000, "MAP_STACK" }, { 0x40000, "MAP_HUGETLB" }, { 0x80000, "MAP_SYNC" },
		{ 0x100000, "MAP_FIXED_NOREPLACE" }, { 0x4000000, "MAP_UNINITIALIZED" },
	};
	uint32_t type = flags & 0x0f;
	size_t first = type == 0x03 ? 2 : type == 0x02 ? 1 : 0;
	char rest[192];

	/* the map type is a 4-bit field, not bits */
	bits_str(flags & ~0x0fu, names + 3, sizeof(names) / sizeof(names[0]) - 3, rest,
		 sizeof(rest));
	if (type == 0x01 || type == 0x02 || type == 0x03)
		snprintf(buf, len, "%s%s%s", names[first].name, strcmp(rest, "0") ? "|" : "",
			 strcmp(rest, "0") ? rest : "");
	else if (type)
		snprintf(buf, len, "0x%x%s%s", type, strcmp(rest, "0") ? "|" : "",
			 strcmp(rest, "0") ? rest : "");
	else
		snprintf(buf, len, "%s", rest);
}

void mem_mfd_flags_str(uint32_t flags, char *buf, size_t len)
{
	static const struct bitname names[] = {
		{ 0x1, "MFD_CLOEXEC" }, { 0x2, "MFD_ALLOW_SEALING" }, { 0x4, "MFD_HUGETLB" },
		{ 0x8, "MFD_NOEXEC_SEAL" }, { 0x10, "MFD_EXEC" },
	};

	bits_str(flags, names, sizeof(names) / sizeof(names[0]), buf, len);
}

const char *mem_ptrace_name(int64_t req)
{
	static const struct {
		int64_t req;
		const char *name;
	} names[] = {
		{ 0, "PTRACE_TRACEME" }, { 1, "PTRACE_PEEKTEXT" }, { 2, "PTRACE_PEEKDATA" },
		{ 3, "PTRACE_PEEKUSER" }, { 4, "PTRACE_POKETEXT" }, { 5, "PTRACE_POKEDATA" },
		{ 6, "PTRACE_POKEUSER" }, { 7, "PTRACE_CONT" }, { 8, "PTRACE_KILL" },
		{ 9, "PTRACE_SINGLESTEP" }, { 12, "PTRACE_GETREGS" }, { 13, "PTRACE_SETREGS" },
		{ 14, "PTRACE_GETFPREGS" }, { 15, "PTRACE_SETFPREGS" }, { 16, "PTRACE_ATTACH" },
		{ 17, "PTRACE_DETACH" }, { 18, "PTRACE_GETFPXREGS" }, { 19, "PTRACE_SETFPXREGS" },
		{ 24, "PTRACE_SYSCALL" }, { 0x4200, "PTRACE_SETOPTIONS" },
		{ 0x4201, "PTRACE_GETEVENTMSG" }, { 0x4202, "PTRACE_GETSIGINFO" },
		{ 0x4203, "PTRACE_SETSIGINFO" }, { 0x4204, "PTRACE_GETREGSET" },
		{ 0x4205, "PTRACE_SETREGSET" }, { 0x4206, "PTRACE_SEIZE" },
		{ 0x4207, "PTRACE_INTERRUPT" }, { 0x4208, "PTRACE_LISTEN" },
		{ 0x4212, "PTRACE_SET_SYSCALL_INFO" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].req == req)
			return names[i].name;
	return NULL;
}

/* the string of @slen bytes after a fixed part; NULL when absent; -EINVAL when malformed */
static int take(const void *rec, size_t len, size_t fixed, uint32_t slen, const char **out)
{
	const char *s = (const char *)rec + fixed;

	*out = NULL;
	if (!slen)
		return 0;
	if (len < fixed || slen > len - fixed || s[slen - 1] != '\0')
		return -EINVAL;
	*out = s;
	return 0;
}

void mem_decode_exec(const struct lt_exec_ev *e, struct event *ev)
{
	ev->mem.eflags = e->eflags;
	ev->mem.egid = e->egid;
	ev->mem.cap_effective = e->cap_effective;
	ev->mem.cap_permitted = e->cap_permitted;
}

int mem_decode(const void *rec, size_t len, struct event *ev)
{
	struct ev_mem *m = &ev->mem;

	switch (ev->type) {
	case LT_EV_MEM_EXEC: {
		const struct lt_mem_exec_ev *e = rec;

		if (len < sizeof(*e))
			return -EINVAL;
		m->addr = e->addr;
		m->len = e->len;
		m->vm_start = e->vm_start;
		m->vm_end = e->vm_end;
		m->prot = e->prot;
		m->flags = e->flags;
		m->fd = e->fd;
		m->reason = e->reason;
		m->pkey = e->pkey;
		m->str_flags = e->filename_flags;
		return take(rec, len, sizeof(*e), e->filename_len, &m->str);
	}
	case LT_EV_MEMFD_CREATE: {
		const struct lt_memfd_ev *e = rec;

		if (len < sizeof(*e))
			return -EINVAL;
		m->flags = e->flags;
		return take(rec, len, sizeof(*e), e->name_len, &m->str);
	}
	case LT_EV_CRED_CHANGE: {
		const struct lt_cred_ev *e = rec;

		if (len != sizeof(*e))
			return -EINVAL;
		m->old_c = e->old_c;
		m->new_c = e->new_c;
		memcpy(m->args, e->args, sizeof(m->args));
		return 0;
	}
	case LT_EV_PTRACE:
	case LT_EV_KILL: {
		const struct lt_target_ev *e = rec;

		if (len != sizeof(*e))
			return -EINVAL;
		m->request = e->request;
		m->p_addr = e->addr;
		m->p_data = e->data;
		m->pid_arg = e->pid_arg;
		m->tid_arg = e->tid_arg;
		m->target_tgid = e->target_tgid;
		m->target_tid = e->target_tid;
		memcpy(m->target_comm, e->target_comm, sizeof(e->target_comm));
		m->target_comm[16] = '\0';
		return 0;
	}
	case LT_EV_MODULE_LOAD:
	case LT_EV_MODULE_DELETE: {
		const struct lt_module_ev *e = rec;

		if (len < sizeof(*e))
			return -EINVAL;
		m->len = e->len;
		m->fd = e->fd;
		m->flags = e->flags;
		m->str_flags = e->str_flags;
		return take(rec, len, sizeof(*e), e->str_len, &m->str);
	}
	}
	return -EINVAL;
}

/* the creds one syscall is about: uid family, gid family or capabilities */
enum cred_family { CF_UID, CF_GID, CF_CAP };

static enum cred_family cred_family(int nr)
{
	switch (nr) {
	case NR_SETGID:
	case NR_SETREGID:
	case NR_SETRESGID:
	case NR_SETFSGID:
		return CF_GID;
	case NR_CAPSET:
		return CF_CAP;
	}
	return CF_UID;
}

static int cred_nargs(int nr)
{
	switch (nr) {
	case NR_SETREUID:
	case NR_SETREGID:
		return 2;
	case NR_SETRESUID:
	case NR_SETRESGID:
		return 3;
	case NR_CAPSET:
		return 0;
	}
	return 1;
}

static bool cred_changed(const struct event *ev)
{
	const struct lt_creds *o = &ev->mem.old_c, *n = &ev->mem.new_c;

	switch (cred_family(ev->syscall_nr)) {
	case CF_UID:
		return o->uid != n->uid || o->euid != n->euid || o->suid != n->suid ||
		       o->fsuid != n->fsuid;
	case CF_GID:
		return o->gid != n->gid || o->egid != n->egid || o->sgid != n->sgid ||
		       o->fsgid != n->fsgid;
	case CF_CAP:
		break;
	}
	return o->cap_effective != n->cap_effective || o->cap_permitted != n->cap_permitted ||
	       o->cap_inheritable != n->cap_inheritable;
}

/* ---- fields (src/fields.h) --------------------------------------------------- */

static int get_syscall(const struct event *ev, struct fld_val *v)
{
	v->s = mem_syscall_name(ev->syscall_nr);
	v->plain = true;
	return v->s ? 0 : -ENOENT;
}


/* mem_exec */
FLD_GETTER(get_addr, u, ev->mem.addr, 1)
FLD_GETTER(get_len, u, ev->mem.len, 1)
FLD_GETTER(get_prot, u, ev->mem.prot, 1)
FLD_GETTER(get_mmap_flags, u, ev->mem.flags, ev->syscall_nr == NR_MMAP)
FLD_GETTER(get_mmap_fd, i, ev->mem.fd, ev->syscall_nr == NR_MMAP && !(ev->mem.flags & 0x20))
FLD_GETTER(get_pkey, i, ev->mem.pkey, ev->syscall_nr == NR_PKEY_MPROTECT)
FLD_GETTER(get_mem_filename, s, ev->mem.str, ev->mem.str)
FLD_GETTER(get_mem_path_truncated, b, true, ev->mem.str && (ev->mem.str_flags & LT_PF_TRUNC))

static int get_prot_str(const struct event *ev, struct fld_val *v)
{
	mem_prot_str(ev->mem.prot, v->buf, sizeof(v->buf));
	return fld_set_text(v);
}

static int get_mmap_flags_str(const struct event *ev, struct fld_val *v)
{
	if (ev->syscall_nr != NR_MMAP)
		return -ENOENT;
	mem_mmap_flags_str(ev->mem.flags, v->buf, sizeof(v->buf));
	return fld_set_text(v);
}

static int get_reason(const struct event *ev, struct fld_val *v)
{
	v->s = ev->mem.reason == LT_MEMX_WX ? "wx" : "anon_exec";
	v->plain = true;
	return 0;
}

/* memfd_create, module_delete */
FLD_GETTER(get_name, s, ev->mem.str ? ev->mem.str : "", 1)
FLD_GETTER(get_flags, u, ev->mem.flags, 1)
FLD_GETTER(get_memfd_fd, i, ev->ret, ev->ret >= 0)

static int get_mfd_flags_str(const struct event *ev, struct fld_val *v)
{
	mem_mfd_flags_str(ev->mem.flags, v->buf, sizeof(v->buf));
	return fld_set_text(v);
}

/* cred_change: the ids of the syscall's family, before and after */
static int get_syscall_args(const struct event *ev, struct fld_val *v)
{
	int na = cred_nargs(ev->syscall_nr);
	size_t n = 0;

	if (!na)
		return -ENOENT;
	for (int i = 0; i < na; i++) {
		int l = snprintf(v->buf + n, sizeof(v->buf) - n, "%d", (int32_t)ev->mem.args[i]);

		n += (size_t)l + 1;	/* the NUL snprintf wrote separates them */
	}
	v->s = v->buf;
	v->len = n;
	return 0;
}

static void write_syscall_args(struct jbuf *b, const struct event *ev)
{
	int na = cred_nargs(ev->syscall_nr);

	if (!na)
		return;
	JSON_KEY(b, "syscall_args");
	json_arr_begin(b);
	for (int i = 0; i < na; i++)
		json_int(b, (int32_t)ev->mem.args[i]);
	json_arr_end(b);
}

static int get_changed(const struct event *ev, struct fld_val *v)
{
	v->b = cred_changed(ev);
	return 0;
}

#define CRED_ID(fn, side, fam, member)                                    \
	static int fn(const struct event *ev, struct fld_val *v)          \
	{                                                                 \
		v->u = ev->mem.side.member;                               \
		return cred_family(ev->syscall_nr) == fam ? 0 : -ENOENT;  \
	}
#define CRED_CAP(fn, side, member)                                        \
	static int fn(const struct event *ev, struct fld_val *v)          \
	{                                                                 \
		if (cred_family(ev->syscall_nr) != CF_CAP)                \
			return -ENOENT;                                   \
		return fld_set_hex64(v, ev->mem.side.member);             \
	}
#define CRED_SIDE(side)                                                   \
	CRED_ID(get_##side##_uid, side##_c, CF_UID, uid)                  \
	CRED_ID(get_##side##_euid, side##_c, CF_UID, euid)                \
	CRED_ID(get_##side##_suid, side##_c, CF_UID, suid)                \
	CRED_ID(get_##side##_fsuid, side##_c, CF_UID, fsuid)              \
	CRED_ID(get_##side##_gid, side##_c, CF_GID, gid)                  \
	CRED_ID(get_##side##_egid, side##_c, CF_GID, egid)                \
	CRED_ID(get_##side##_sgid, side##_c, CF_GID, sgid)                \
	CRED_ID(get_##side##_fsgid, side##_c, CF_GID, fsgid)              \
	CRED_CAP(get_##side##_cap_effective, side##_c, cap_effective)     \
	CRED_CAP(get_##side##_cap_permitted, side##_c, cap_permitted)     \
	CRED_CAP(get_##side##_cap_inheritable, side##_c, cap_inheritable)
CRED_SIDE(old)
CRED_SIDE(new)

/* ptrace and kill: the target */
FLD_GETTER(get_request, i, ev->mem.request, 1)
FLD_GETTER(get_request_name, s, mem_ptrace_name(ev->mem.request), v->s)
FLD_GETTER(get_target_pid, i, ev->mem.target_tgid ? (int64_t)ev->mem.target_tgid : ev->mem.pid_arg, 1)
FLD_GETTER(get_ptrace_target_tid, u, ev->mem.target_tid, ev->mem.target_tgid)
FLD_GETTER(get_target_comm, s, ev->mem.target_comm, ev->mem.target_tgid)
FLD_GETTER(get_p_addr, u, ev->mem.p_addr, 1)
FLD_GETTER(get_p_data, u, ev->mem.p_data, 1)
FLD_GETTER(get_kill_target_tid, i, ev->mem.target_tgid ? (int64_t)ev->mem.target_tid : ev->mem.tid_arg,
     ev->syscall_nr != NR_KILL)
FLD_GETTER(get_signal, i, (int)ev->mem.request, 1)

static int get_signal_name(const struct event *ev, struct fld_val *v)
{
	int sig = (int)ev->mem.request;
	const char *abbr = sig > 0 && sig < 65 ? sigabbrev_np(sig) : NULL;

	if (abbr)
		snprintf(v->buf, sizeof(v->buf), "SIG%s", abbr);
	else if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		snprintf(v->buf, sizeof(v->buf), "SIGRTMIN+%d", sig - SIGRTMIN);
	else
		return -ENOENT;
	return fld_set_text(v);
}

/* module_load */
FLD_GETTER(get_module_fd, i, ev->mem.fd, ev->syscall_nr == NR_FINIT_MODULE)
FLD_GETTER(get_module_filename, s, ev->mem.str, ev->syscall_nr == NR_FINIT_MODULE && ev->mem.str)
FLD_GETTER(get_module_flags, u, ev->mem.flags, ev->syscall_nr == NR_FINIT_MODULE)
FLD_GETTER(get_module_len, u, ev->mem.len, ev->syscall_nr != NR_FINIT_MODULE)

#define ME LT_EV_MEM_EXEC
#define MF LT_EV_MEMFD_CREATE
#define CC LT_EV_CRED_CHANGE
#define PT LT_EV_PTRACE
#define KI LT_EV_KILL
#define ML LT_EV_MODULE_LOAD
#define MD LT_EV_MODULE_DELETE
#define R(nm, ty, get, doc, ...) FIELD_ROW(nm, ty, 0, FG_OWN, get, NULL, doc, __VA_ARGS__)
#define CRED_ROWS(side, when)                                                                     \
	R(#side "_uid", FT_UINT, get_##side##_uid,                                                \
	  "setuid, setreuid, setresuid, setfsuid: the real user id " when, CC),                   \
	R(#side "_euid", FT_UINT, get_##side##_euid, "the effective user id " when, CC),          \
	R(#side "_suid", FT_UINT, get_##side##_suid, "the saved user id " when, CC),              \
	R(#side "_fsuid", FT_UINT, get_##side##_fsuid, "the filesystem user id " when, CC),       \
	R(#side "_gid", FT_UINT, get_##side##_gid,                                                \
	  "setgid, setregid, setresgid, setfsgid: the real group id " when, CC),                  \
	R(#side "_egid", FT_UINT, get_##side##_egid, "the effective group id " when, CC),         \
	R(#side "_sgid", FT_UINT, get_##side##_sgid, "the saved group id " when, CC),             \
	R(#side "_fsgid", FT_UINT, get_##side##_fsgid, "the filesystem group id " when, CC),      \
	R(#side "_cap_effective", FT_STR, get_##side##_cap_effective,                             \
	  "capset: the effective set " when ", a hex string", CC),                                \
	R(#side "_cap_permitted", FT_STR, get_##side##_cap_permitted,                             \
	  "capset: the permitted set " when, CC),                                                 \
	R(#side "_cap_inheritable", FT_STR, get_##side##_cap_inheritable,                         \
	  "capset: the inheritable set " when, CC)
static const struct ev_field mem_rows[] = {
	/* mem_exec */
	R("syscall", FT_STR, get_syscall, "`\"mmap\"`, `\"mprotect\"` or `\"pkey_mprotect\"`", ME),
	R("addr", FT_UINT, get_addr,
	  "mmap: the address mapped (= `ret_code`; the hint when it failed); mprotect: as given", ME),
	R("len", FT_UINT, get_len, "as given", ME),
	R("prot", FT_UINT, get_prot, "the protection as given: `7`", ME),
	R("prot_str", FT_STR, get_prot_str, "the same by name: `\"PROT_READ|PROT_WRITE|PROT_EXEC\"`", ME),
	R("flags", FT_UINT, get_mmap_flags, "mmap only: `34`", ME),
	R("flags_str", FT_STR, get_mmap_flags_str, "mmap only: `\"MAP_PRIVATE|MAP_ANONYMOUS\"`", ME),
	R("fd", FT_INT, get_mmap_fd, "mmap of a file only (not `MAP_ANONYMOUS`): the descriptor", ME),
	R("pkey", FT_INT, get_pkey, "pkey_mprotect only: the protection key", ME),
	R("reason", FT_STR, get_reason, "`\"wx\"` or `\"anon_exec\"`", ME),
	R("filename", FT_PATH, get_mem_filename,
	  "the file behind the mapping at `addr` after the call (file-backed W+X), absolute; absent "
	  "for anonymous memory", ME),
	R("path_truncated", FT_BOOL, get_mem_path_truncated,
	  "present (true) when `filename` is only a suffix", ME),
	/* memfd_create */
	R("name", FT_STR, get_name,
	  "the name given, as the kernel stored it (without the `memfd:` prefix); for a failed call, "
	  "read from the caller's memory", MF),
	R("flags", FT_UINT, get_flags, "as given: `3`", MF),
	R("flags_str", FT_STR, get_mfd_flags_str,
	  "the same by name: `\"MFD_CLOEXEC|MFD_ALLOW_SEALING\"`", MF),
	R("fd", FT_INT, get_memfd_fd, "the new descriptor (= `ret_code`), on success", MF),
	/* cred_change */
	R("syscall", FT_STR, get_syscall, "the syscall's name", CC),
	FIELD_ROW("syscall_args", FT_LIST, 0, FG_OWN, get_syscall_args, write_syscall_args,
		  "the id arguments as given (-1 = unchanged): `[1234]`, `[-1, 0, -1]`; absent for capset "
		  "(numbers in JSON; their decimal text for a consumer of the registry)", CC),
	R("changed", FT_BOOL, get_changed, "whether any value of the family below differs", CC),
	CRED_ROWS(old, "before the call"),
	CRED_ROWS(new, "after the call"),
	/* ptrace */
	R("request", FT_INT, get_request, "the request: `16`", PT),
	R("request_name", FT_STR, get_request_name, "its name: `\"PTRACE_ATTACH\"`", PT),
	R("target_pid", FT_INT, get_target_pid,
	  "the tracee's pid (in the initial pid namespace, like `pid`); for `PTRACE_TRACEME`, the "
	  "caller; the argument as given when no task had that pid", PT),
	R("target_tid", FT_UINT, get_ptrace_target_tid, "the tracee thread's id, when found", PT),
	R("target_comm", FT_STR, get_target_comm, "the tracee's comm, when found", PT),
	R("addr", FT_UINT, get_p_addr, "as given (the address of a `POKE*`)", PT),
	R("data", FT_UINT, get_p_data, "as given (the word of a `POKE*`)", PT),
	/* kill */
	R("syscall", FT_STR, get_syscall, "`\"kill\"`, `\"tkill\"` or `\"tgkill\"`", KI),
	R("signal", FT_INT, get_signal, "the signal: `9`", KI),
	R("signal_name", FT_STR, get_signal_name,
	  "its name: `\"SIGKILL\"` (`\"SIGRTMIN+N\"` for real-time signals)", KI),
	R("target_pid", FT_INT, get_target_pid,
	  "the target process (initial namespace) when one task was found; else the argument as given "
	  "(`0`: the caller's process group, `-N`: group N, `-1`: every process)", KI),
	R("target_tid", FT_INT, get_kill_target_tid, "tkill, tgkill: the target thread", KI),
	R("target_comm", FT_STR, get_target_comm, "the target's comm, when one task was found", KI),
	/* module_load */
	R("syscall", FT_STR, get_syscall, "`\"init_module\"` or `\"finit_module\"`", ML),
	R("fd", FT_INT, get_module_fd, "finit_module: the descriptor", ML),
	R("filename", FT_PATH, get_module_filename, "finit_module: the absolute path of its file", ML),
	R("flags", FT_UINT, get_module_flags, "finit_module: the flags", ML),
	R("len", FT_UINT, get_module_len,
	  "init_module: the image length (the module's name is inside the image and is not parsed)", ML),
	/* module_delete */
	R("name", FT_STR, get_name, "the name as given", MD),
	R("flags", FT_UINT, get_flags, "the flags as given", MD),
};
#undef R
#undef CRED_ROWS
#undef ME
#undef MF
#undef CC
#undef PT
#undef KI
#undef ML
#undef MD
FIELD_LIST(mem_fields, mem_rows, "mem");

static void text_str(struct jbuf *b, const char *s)
{
	if (!s) {
		jbuf_puts(b, "NULL");
		return;
	}
	text_quote(b, s, strlen(s));
}

void mem_text(struct jbuf *b, const struct event *ev)
{
	const struct ev_mem *m = &ev->mem;
	const char *sc = mem_syscall_name(ev->syscall_nr);
	char s[256];

	switch (ev->type) {
	case LT_EV_MEM_EXEC:
		mem_prot_str(m->prot, s, sizeof(s));
		jbuf_printf(b, "%s, 0x%llx, %llu, %s", sc ? sc : "?", (unsigned long long)m->addr,
			    (unsigned long long)m->len, s);
		if (ev->syscall_nr == NR_MMAP) {
			mem_mmap_flags_str(m->flags, s, sizeof(s));
			jbuf_printf(b, ", %s, %d", s, m->fd);
		}
		jbuf_printf(b, ", %s", m->reason == LT_MEMX_WX ? "wx" : "anon_exec");
		if (m->str) {
			jbuf_puts(b, ", ");
			text_str(b, m->str);
		}
		break;
	case LT_EV_MEMFD_CREATE:
		mem_mfd_flags_str(m->flags, s, sizeof(s));
		text_str(b, m->str);
		jbuf_printf(b, ", %s", s);
		break;
	case LT_EV_CRED_CHANGE: {
		const struct lt_creds *o = &m->old_c, *n = &m->new_c;

		jbuf_puts(b, sc ? sc : "?");
		for (int i = 0; i < cred_nargs(ev->syscall_nr); i++)
			jbuf_printf(b, ", %d", (int32_t)m->args[i]);
		switch (cred_family(ev->syscall_nr)) {
		case CF_UID:
			jbuf_printf(b, ", uids %u/%u/%u/%u -> %u/%u/%u/%u", o->uid, o->euid, o->suid,
				    o->fsuid, n->uid, n->euid, n->suid, n->fsuid);
			break;
		case CF_GID:
			jbuf_printf(b, ", gids %u/%u/%u/%u -> %u/%u/%u/%u", o->gid, o->egid, o->sgid,
				    o->fsgid, n->gid, n->egid, n->sgid, n->fsgid);
			break;
		case CF_CAP:
			jbuf_printf(b, ", eff 0x%llx -> 0x%llx",
				    (unsigned long long)o->cap_effective,
				    (unsigned long long)n->cap_effective);
			break;
		}
		break;
	}
	case LT_EV_PTRACE: {
		const char *rn = mem_ptrace_name(m->request);

		if (rn)
			jbuf_puts(b, rn);
		else
			jbuf_printf(b, "%lld", (long long)m->request);
		jbuf_printf(b, ", %d", m->target_tgid ? (int)m->target_tgid : m->pid_arg);
		if (m->target_tgid) {
			jbuf_puts(b, ", ");
			text_str(b, m->target_comm);
		}
		break;
	}
	case LT_EV_KILL: {
		const char *abbr = m->request > 0 && m->request < 65 ?
			sigabbrev_np((int)m->request) : NULL;

		jbuf_printf(b, "%s, %d", sc ? sc : "?",
			    m->target_tgid ? (int)m->target_tgid : m->pid_arg);
		if (ev->syscall_nr != NR_KILL)
			jbuf_printf(b, ", %d", m->target_tgid ? (int)m->target_tid : m->tid_arg);
		if (abbr)
			jbuf_printf(b, ", SIG%s", abbr);
		else
			jbuf_printf(b, ", %lld", (long long)m->request);
		if (m->target_tgid) {
			jbuf_puts(b, ", ");
			text_str(b, m->target_comm);
		}
		break;
	}
	case LT_EV_MODULE_LOAD:
		jbuf_puts(b, sc ? sc : "?");
		if (ev->syscall_nr == NR_FINIT_MODULE) {
			jbuf_printf(b, ", %d, ", m->fd);
			text_str(b, m->str);
			jbuf_printf(b, ", 0x%x", m->flags);
		} else {
			jbuf_printf(b, ", len=%llu", (unsigned long long)m->len);
		}
		break;
	case LT_EV_MODULE_DELETE:
		text_str(b, m->str);
		jbuf_printf(b, ", 0x%x", m->flags);
		break;
	}
}

void mem_text_exec(struct jbuf *b, const struct event *ev)
{
	const struct ev_mem *m = &ev->mem;

	if (m->eflags & LT_XF_FILELESS)
		jbuf_printf(b, ", fileless=%s", m->eflags & LT_XF_MEMFD ? "memfd" : "deleted");
	if (m->eflags & LT_XF_PRIVGAIN) {
		const char *sep = "";

		jbuf_puts(b, ", privilege_gain=");
		if (m->eflags & LT_XF_SETUID) {
			jbuf_puts(b, "setuid_bit");
			sep = "+";
		}
		if (m->eflags & LT_XF_SETGID) {
			jbuf_printf(b, "%ssetgid_bit", sep);
			sep = "+";
		}
		if (m->eflags & LT_XF_FILECAPS)
			jbuf_printf(b, "%sfile_caps", sep);
	}
}

bool mem_text_shows_ret(const struct event *ev)
{
	return ev->ret >= 0 && (ev->type == LT_EV_MEMFD_CREATE ||
				(ev->type == LT_EV_MEM_EXEC && ev->syscall_nr == NR_MMAP));
}

void mem_text_ret(struct jbuf *b, const struct event *ev)
{
	if (mem_text_shows_ret(ev))
		jbuf_printf(b, ev->type == LT_EV_MEM_EXEC ? " = 0x%llx" : " = %lld",
			    (long long)ev->ret);
}
