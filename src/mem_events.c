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

#include "mem_events.h"

#define KV_STR(b, k, v) (JSON_KEY(b, k), json_cstr(b, v))
#define KV_INT(b, k, v) (JSON_KEY(b, k), json_int(b, v))
#define KV_UINT(b, k, v) (JSON_KEY(b, k), json_uint(b, v))
#define KV_BOOL(b, k, v) (JSON_KEY(b, k), json_bool(b, v))
#define KV_PLAIN(b, k, v) (JSON_KEY(b, k), json_str_plain(b, v, strlen(v)))

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

static void kv_hex64(struct jbuf *b, const char *key, uint64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "0x%016llx", (unsigned long long)v);
	json_key(b, key);
	json_str_plain(b, s, strlen(s));
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

static void json_ids(struct jbuf *b, const char *pfx, const struct lt_creds *c,
		     enum cred_family f)
{
	char k[32];

	if (f == CF_CAP) {
		snprintf(k, sizeof(k), "%scap_effective", pfx);
		kv_hex64(b, k, c->cap_effective);
		snprintf(k, sizeof(k), "%scap_permitted", pfx);
		kv_hex64(b, k, c->cap_permitted);
		snprintf(k, sizeof(k), "%scap_inheritable", pfx);
		kv_hex64(b, k, c->cap_inheritable);
		return;
	}
	{
		static const char *const un[] = { "uid", "euid", "suid", "fsuid" };
		static const char *const gn[] = { "gid", "egid", "sgid", "fsgid" };
		uint32_t v[4];

		if (f == CF_UID) {
			v[0] = c->uid, v[1] = c->euid, v[2] = c->suid, v[3] = c->fsuid;
		} else {
			v[0] = c->gid, v[1] = c->egid, v[2] = c->sgid, v[3] = c->fsgid;
		}
		for (int i = 0; i < 4; i++) {
			snprintf(k, sizeof(k), "%s%s", pfx, f == CF_UID ? un[i] : gn[i]);
			json_kv_uint(b, k, v[i]);
		}
	}
}

static void json_syscall(struct jbuf *b, const struct event *ev)
{
	const char *sc = mem_syscall_name(ev->syscall_nr);

	if (sc)
		KV_STR(b, "syscall", sc);
}

static void json_signal(struct jbuf *b, int sig)
{
	const char *abbr = sig > 0 && sig < 65 ? sigabbrev_np(sig) : NULL;
	char name[32];

	KV_INT(b, "signal", sig);
	if (abbr) {
		snprintf(name, sizeof(name), "SIG%s", abbr);
		KV_STR(b, "signal_name", name);
	} else if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
		snprintf(name, sizeof(name), "SIGRTMIN+%d", sig - SIGRTMIN);
		KV_STR(b, "signal_name", name);
	}
}

void mem_json(struct jbuf *b, const struct event *ev)
{
	const struct ev_mem *m = &ev->mem;
	char s[256];

	switch (ev->type) {
	case LT_EV_MEM_EXEC:
		json_syscall(b, ev);
		KV_UINT(b, "addr", m->addr);
		KV_UINT(b, "len", m->len);
		KV_UINT(b, "prot", m->prot);
		mem_prot_str(m->prot, s, sizeof(s));
		KV_PLAIN(b, "prot_str", s);
		if (ev->syscall_nr == NR_MMAP) {
			KV_UINT(b, "flags", m->flags);
			mem_mmap_flags_str(m->flags, s, sizeof(s));
			KV_PLAIN(b, "flags_str", s);
			if (!(m->flags & 0x20))
				KV_INT(b, "fd", m->fd);
		}
		if (ev->syscall_nr == NR_PKEY_MPROTECT)
			KV_INT(b, "pkey", m->pkey);
		KV_STR(b, "reason", m->reason == LT_MEMX_WX ? "wx" : "anon_exec");
		if (m->str) {
			KV_STR(b, "filename", m->str);
			if (m->str_flags & LT_PF_TRUNC)
				KV_BOOL(b, "path_truncated", true);
		}
		break;
	case LT_EV_MEMFD_CREATE:
		KV_STR(b, "name", m->str ? m->str : "");
		KV_UINT(b, "flags", m->flags);
		mem_mfd_flags_str(m->flags, s, sizeof(s));
		KV_PLAIN(b, "flags_str", s);
		if (ev->ret >= 0)
			KV_INT(b, "fd", ev->ret);
		break;
	case LT_EV_CRED_CHANGE: {
		enum cred_family f = cred_family(ev->syscall_nr);
		int na = cred_nargs(ev->syscall_nr);

		json_syscall(b, ev);
		if (na) {
			json_key(b, "syscall_args");
			json_arr_begin(b);
			for (int i = 0; i < na; i++)
				json_int(b, (int32_t)m->args[i]);
			json_arr_end(b);
		}
		KV_BOOL(b, "changed", cred_changed(ev));
		json_ids(b, "old_", &m->old_c, f);
		json_ids(b, "new_", &m->new_c, f);
		break;
	}
	case LT_EV_PTRACE: {
		const char *rn = mem_ptrace_name(m->request);

		KV_INT(b, "request", m->request);
		if (rn)
			KV_STR(b, "request_name", rn);
		KV_INT(b, "target_pid", m->target_tgid ? (int64_t)m->target_tgid : m->pid_arg);
		if (m->target_tgid) {
			KV_UINT(b, "target_tid", m->target_tid);
			KV_STR(b, "target_comm", m->target_comm);
		}
		KV_UINT(b, "addr", m->p_addr);
		KV_UINT(b, "data", m->p_data);
		break;
	}
	case LT_EV_KILL:
		json_syscall(b, ev);
		json_signal(b, (int)m->request);
		KV_INT(b, "target_pid", m->target_tgid ? (int64_t)m->target_tgid : m->pid_arg);
		if (ev->syscall_nr != NR_KILL)
			KV_INT(b, "target_tid", m->target_tgid ? (int64_t)m->target_tid : m->tid_arg);
		if (m->target_tgid)
			KV_STR(b, "target_comm", m->target_comm);
		break;
	case LT_EV_MODULE_LOAD:
		json_syscall(b, ev);
		if (ev->syscall_nr == NR_FINIT_MODULE) {
			KV_INT(b, "fd", m->fd);
			if (m->str)
				KV_STR(b, "filename", m->str);
			KV_UINT(b, "flags", m->flags);
		} else {
			KV_UINT(b, "len", m->len);
		}
		break;
	case LT_EV_MODULE_DELETE:
		KV_STR(b, "name", m->str ? m->str : "");
		KV_UINT(b, "flags", m->flags);
		break;
	}
}

void mem_json_exec(struct jbuf *b, const struct event *ev)
{
	const struct ev_mem *m = &ev->mem;

	if (m->eflags & LT_XF_FILELESS) {
		KV_BOOL(b, "fileless", true);
		KV_STR(b, "fileless_reason", m->eflags & LT_XF_MEMFD ? "memfd" : "deleted");
	}
	if (m->eflags & LT_XF_PRIVGAIN) {
		KV_BOOL(b, "privilege_gain", true);
		json_key(b, "privilege_reasons");
		json_arr_begin(b);
		if (m->eflags & LT_XF_SETUID)
			json_cstr(b, "setuid_bit");
		if (m->eflags & LT_XF_SETGID)
			json_cstr(b, "setgid_bit");
		if (m->eflags & LT_XF_FILECAPS)
			json_cstr(b, "file_caps");
		json_arr_end(b);
		KV_UINT(b, "egid", m->egid);
		kv_hex64(b, "cap_effective", m->cap_effective);
		kv_hex64(b, "cap_permitted", m->cap_permitted);
	}
}

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
