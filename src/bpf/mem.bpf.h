/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * mem.bpf.h - what the exec program (process.bpf.c) needs from mem: the
 * [security_monitor] group switches and the fileless / privilege-gain
 * verdict of an exec. The mem events themselves are in mem.bpf.c.
 *
 * Fileless: at sched_process_exec the image is bprm->file.
 *   - A memfd is a pseudo file (alloc_file_pseudo): its dentry is its own
 *     parent but not its superblock's root, and it is named "memfd:NAME".
 *     /proc shows "/memfd:NAME (deleted)"; we report "memfd:NAME", which
 *     cannot be mistaken for a path on disk.
 *   - A deleted file has an unhashed dentry (what d_path marks
 *     " (deleted)"); we report the path it had.
 * Privilege gain: by sched_process_exec the new creds are committed
 * (bprm->cred is NULL), but bprm->secureexec is still there: the kernel
 * sets it when the new euid/egid differ from the real ids or a non-root
 * task's permitted set grew. It is only a hint (a task whose euid already
 * differed from its uid gets it for any image), so a gain is reported only
 * with a cause found in the image: a setuid bit that set the euid, a setgid
 * bit that set the egid, or file capabilities (the permitted set of a
 * non-root euid holds more than the ambient set, which only file caps give).
 */
#ifndef LTRACK_MEM_BPF_H
#define LTRACK_MEM_BPF_H

#include "common.bpf.h"

/* mem_groups - the LT_MEMG_* groups of the active policy generation */
static __always_inline __u32 mem_groups(void)
{
	struct lt_policy *p = policy_get(gen_active());

	return p ? p->mem_groups : 0;
}

#define MEM_S_ISUID_ 04000
#define MEM_S_ISGID_ 02000
#define MEM_S_IXGRP_ 00010

/*
 * mem_exec_check - set the fileless and privilege-gain flags of exec event
 * @e (image of @bprm, task @t with its new creds). @n is the length of the
 * filename already at e->str[0]; for a memfd it is replaced by the memfd's
 * name. Returns the filename length to use.
 */
static __always_inline __u32 mem_exec_check(struct lt_exec_ev *e, struct linux_binprm *bprm,
					    struct task_struct *t, __u32 n)
{
	struct linux_binprm *b = bprm;
	struct file *f = KR(b, file);
	struct dentry *d = KR(f, f_path.dentry);
	struct inode *ino = KR(f, f_inode);
	struct cred *c = (struct cred *)KR(t, cred);
	__u32 groups = mem_groups();
	__u16 fl = 0;

	e->egid = KR(c, egid.val);
	e->mem_pad = 0;
	e->cap_effective = CRED_CAP(c, cap_effective);
	e->cap_permitted = CRED_CAP(c, cap_permitted);
	if (groups & LT_MEMG_FILELESS) {
		if (d == KR(d, d_parent) && d != KR(d, d_sb, s_root)) {
			char pfx[6] = {};
			long r;

			fl |= LT_XF_FILELESS;
			bpf_probe_read_kernel(pfx, sizeof(pfx), KR(d, d_name.name));
			if (pfx[0] == 'm' && pfx[1] == 'e' && pfx[2] == 'm' && pfx[3] == 'f' &&
			    pfx[4] == 'd' && pfx[5] == ':')
				fl |= LT_XF_MEMFD;
			r = bpf_probe_read_kernel_str(e->str, LT_NAME_MAX, KR(d, d_name.name));
			if (r > 0) {
				n = r;
				e->filename_flags = 0;
			}
		} else if (!KR(d, d_hash.pprev)) {
			fl |= LT_XF_FILELESS;
		}
	}
	if ((groups & LT_MEMG_CREDS) && BPF_CORE_READ_BITFIELD_PROBED(b, secureexec)) {
		__u32 mode = KR(ino, i_mode);
		__u32 uid = KR(c, uid.val), euid = KR(c, euid.val);
		__u32 gid = KR(c, gid.val), egid = KR(c, egid.val);

		if ((mode & MEM_S_ISUID_) && euid == KR(ino, i_uid.val) && euid != uid)
			fl |= LT_XF_SETUID;
		if ((mode & MEM_S_ISGID_) && (mode & MEM_S_IXGRP_) && egid == KR(ino, i_gid.val) &&
		    egid != gid)
			fl |= LT_XF_SETGID;
		if (euid != 0 && (CRED_CAP(c, cap_permitted) & ~CRED_CAP(c, cap_ambient)))
			fl |= LT_XF_FILECAPS;
		if (fl & (LT_XF_SETUID | LT_XF_SETGID | LT_XF_FILECAPS))
			fl |= LT_XF_PRIVGAIN;
	}
	e->eflags |= fl;
	return n;
}

#endif
