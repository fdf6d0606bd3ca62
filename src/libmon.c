// SPDX-License-Identifier: MIT
/*
 * libmon.c - trusted directories and dlopen uprobes. See libmon.h.
 *
 * State: a list of trusted directories (the configured ones and, unless
 * turned off, the defaults; each also in its realpath() form, so /lib on a
 * merged-/usr system covers /usr/lib), and a table of libc files seen,
 * each either attached (two links) or tried and refused (no dlopen symbol,
 * not an ELF file): a file is tried once. The table is bounded; when it is
 * full, new libcs are counted and logged once, not attached.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "concern.h"
#include "elfsym.h"
#include "hooks.h"
#include "libmon.h"
#include "safeopen.h"
#include "loader.h"
#include "log.h"

const char *const libmon_default_trusted[] = {
	"/lib", "/lib32", "/lib64", "/libx32",
	"/usr/lib", "/usr/lib32", "/usr/lib64", "/usr/libx32", "/usr/libexec",
	"/usr/local/lib", "/usr/local/lib64",
	NULL,
};

struct libc_file {
	uint64_t dev;		/* st_dev of the file as opened */
	uint64_t ino;
	uint32_t kdev;		/* dev in the kernel's encoding, to match lib_load */
	struct bpf_link *enter;	/* NULL when it could not be attached */
	struct bpf_link *exit;
};

struct libmon {
	struct loader *L;
	struct trusted_dir *trusted;	/* trailing slashes trimmed ("/" is length 1) */
	size_t ntrusted;
	bool dlopen_on;
	struct libc_file libc[LIBMON_MAX_LIBC];
	size_t nlibc;
	size_t nattached;
	bool full_logged;
	uint64_t self_mnt_ns;	/* our mount namespace's inode */
	uint64_t warned_off;	/* loader_warn_wanted(): lib.dlopen said off once */
};

struct trusted_dir {
	char *dir;
	size_t len;
};

/* the length of @dir without its trailing slashes ("/" stays 1) */
static size_t dir_len(const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return n;
}

/* path_under - libmon_path_under with both lengths known (@dlen from dir_len) */
static bool path_under(const char *dir, size_t dlen, const char *path, size_t plen)
{
	if (dlen == 1 && dir[0] == '/')
		return path[0] == '/';
	if (plen < dlen || memcmp(dir, path, dlen))
		return false;
	return path[dlen] == '\0' || path[dlen] == '/';
}

bool libmon_path_under(const char *dir, const char *path)
{
	return path_under(dir, dir_len(dir), path, strlen(path));
}

bool libmon_libc_name(const char *base)
{
	size_t n = strlen(base);

	if (!strcmp(base, "libc.so.6") || !strcmp(base, "libdl.so.2"))
		return true;
	/* glibc < 2.34 installs libc-2.31.so and libdl-2.31.so behind the sonames */
	if (n > 8 && (!strncmp(base, "libc-", 5) || !strncmp(base, "libdl-", 6)) &&
	    !strcmp(base + n - 3, ".so"))
		return true;
	return false;
}

struct libmon *libmon_new(struct loader *L)
{
	struct libmon *m = calloc(1, sizeof(*m));
	struct stat st;

	if (!m)
		return NULL;
	m->L = L;
	if (!stat("/proc/self/ns/mnt", &st))
		m->self_mnt_ns = st.st_ino;
	return m;
}

static void trusted_free(struct trusted_dir *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].dir);
	free(v);
}

/*
 * append @dir and its realpath(), each unless the list has it already (on a
 * merged-/usr system /lib and /usr/lib are one entry): every lib_load of an
 * untrusted file compares its path with each entry
 */
static int trusted_add(struct trusted_dir **v, size_t *n, const char *dir)
{
	char real[PATH_MAX];
	const char *forms[2] = { dir, realpath(dir, real) ? real : NULL };

	for (int i = 0; i < 2; i++) {
		struct trusted_dir *nv;
		size_t len, j;

		if (!forms[i])
			continue;
		len = dir_len(forms[i]);
		for (j = 0; j < *n; j++)
			if ((*v)[j].len == len && !memcmp((*v)[j].dir, forms[i], len))
				break;
		if (j < *n)
			continue;
		nv = realloc(*v, (*n + 1) * sizeof(**v));
		if (!nv)
			return -ENOMEM;
		*v = nv;
		(*v)[*n].dir = strndup(forms[i], len);
		if (!(*v)[*n].dir)
			return -ENOMEM;
		(*v)[*n].len = len;
		(*n)++;
	}
	return 0;
}

static void libc_detach_all(struct libmon *m)
{
	if (m->nattached)
		log_info("dlopen: uprobes detached (%zu libc files)", m->nattached);
	for (size_t i = 0; i < m->nlibc; i++) {
		bpf_link__destroy(m->libc[i].enter);
		bpf_link__destroy(m->libc[i].exit);
	}
	m->nlibc = 0;
	m->nattached = 0;
	m->full_logged = false;
}

/*
 * libc_try - attach the dlopen uprobes to the file at @path (a /proc path
 * that reaches it as its process sees it), once per file
 */
static void libc_try(struct libmon *m, const char *path, const char *shown, const char *alt)
{
	struct bpf_program *pe = loader_prog(m->L, "lt_dlopen_enter");
	struct bpf_program *px = loader_prog(m->L, "lt_dlopen_exit");
	struct libc_file *lf;
	char fdpath[64];
	struct stat st;
	uint64_t off;
	int fd, rc;

	/* a regular file only: a name in a user's directory may have become a device */
	fd = safe_open_ro(path, true, false, NULL);
	if (fd < 0 && alt)
		fd = safe_open_ro(alt, false, false, NULL);
	if (fd < 0)
		return;	/* the process is gone: the next load of this libc will do */
	if (fstat(fd, &st))
		goto out_close;
	for (size_t i = 0; i < m->nlibc; i++)
		if (m->libc[i].dev == st.st_dev && m->libc[i].ino == st.st_ino)
			goto out_close;
	if (m->nlibc == LIBMON_MAX_LIBC) {
		if (!m->full_logged)
			log_warn("dlopen: %d libc files attached already; %s and later ones are "
				 "not watched", LIBMON_MAX_LIBC, shown);
		m->full_logged = true;
		goto out_close;
	}
	lf = &m->libc[m->nlibc++];
	memset(lf, 0, sizeof(*lf));
	lf->dev = st.st_dev;
	lf->ino = st.st_ino;
	lf->kdev = kdev_from_user(st.st_dev);
	rc = elfsym_func_offset(fd, "dlopen", &off);
	if (rc) {
		log_info("dlopen: %s %s; not attached", shown,
			 rc == -ENOENT ? "has no dlopen function" : "is not a readable ELF file");
		goto out_close;
	}
	if (!pe || !px) {
		log_warn("dlopen: the uprobe programs are missing");
		goto out_close;
	}
	/*
	 * Attach through our own descriptor: the process behind @path may exit
	 * (and its /proc/PID/root go) between the two attachments.
	 */
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	lf->enter = bpf_program__attach_uprobe(pe, false, -1, fdpath, off);
	lf->exit = lf->enter ? bpf_program__attach_uprobe(px, true, -1, fdpath, off) : NULL;
	if (!lf->enter || !lf->exit) {
		log_warn("dlopen: cannot attach to %s at 0x%llx: %s", shown,
			 (unsigned long long)off, strerror(errno));
		bpf_link__destroy(lf->enter);
		m->nlibc--;	/* a later load of it tries again */
		goto out_close;
	}
	m->nattached++;
	log_info("dlopen: watching %s (dev %u:%u inode %llu, offset 0x%llx); %zu libc files "
		 "attached, at most %d", shown, major(st.st_dev), minor(st.st_dev),
		 (unsigned long long)st.st_ino, (unsigned long long)off, m->nattached,
		 LIBMON_MAX_LIBC);
out_close:
	close(fd);
}

static const char *basename_of(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* the executable libc mappings of every running process */
static void libc_scan_proc(struct libmon *m)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	char path[64], line[PATH_MAX + 128], mf[128];

	if (!d)
		return;
	while ((de = readdir(d))) {
		FILE *f;
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/maps", pid);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			unsigned long long lo, hi;
			char perms[8];
			int pos = 0;
			const char *file;

			if (sscanf(line, "%llx-%llx %7s %*s %*s %*s %n", &lo, &hi, perms, &pos) < 3 ||
			    !pos || perms[2] != 'x')
				continue;
			file = line + pos;
			line[strcspn(line, "\n")] = '\0';
			if (file[0] != '/' || !libmon_libc_name(basename_of(file)))
				continue;
			snprintf(mf, sizeof(mf), "/proc/%ld/map_files/%llx-%llx", pid, lo, hi);
			libc_try(m, mf, file, NULL);
		}
		fclose(f);
	}
	closedir(d);
}

int libmon_apply(struct libmon *m, const struct lt_config *c)
{
	struct trusted_dir *v = NULL;
	size_t n = 0;
	bool on = c->have_policy && c->lib_enabled && c->lib_dlopen;

	/* the uprobe programs are not loaded: concern lib.dlopen is off */
	if (on && m->L && (!loader_prog(m->L, "lt_dlopen_enter") ||
			   !loader_prog(m->L, "lt_dlopen_exit"))) {
		loader_warn_wanted(loader_concerns(m->L), LT_C_LIB_DLOPEN, &m->warned_off);
		on = false;
	}

	for (size_t i = 0; i < c->ntrusted_dirs; i++)
		if (trusted_add(&v, &n, c->trusted_dirs[i]))
			goto out_nomem;
	for (size_t i = 0; c->lib_default_trusted && libmon_default_trusted[i]; i++)
		if (trusted_add(&v, &n, libmon_default_trusted[i]))
			goto out_nomem;
	trusted_free(m->trusted, m->ntrusted);
	m->trusted = v;
	m->ntrusted = n;
	if (!on && m->dlopen_on)
		libc_detach_all(m);
	if (on && !m->dlopen_on)
		libc_scan_proc(m);
	m->dlopen_on = on;
	return 0;

out_nomem:
	trusted_free(v, n);
	return -ENOMEM;
}

bool libmon_trusted(const struct libmon *m, const char *path)
{
	size_t plen = strlen(path);

	for (size_t i = 0; i < m->ntrusted; i++)
		if (path_under(m->trusted[i].dir, m->trusted[i].len, path, plen))
			return true;
	return false;
}

/*
 * host_names_it - does @path, resolved in the agent's own mount namespace
 * (the host's), name the file of identity @id? A path shown by a mount
 * namespace a user arranged (bind mounts over /usr/local/lib) names
 * something else there, or nothing. A final symlink is not followed.
 */
static bool host_names_it(const char *path, const struct ev_file_id *id)
{
	struct stat st;

	if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW))
		return false;
	return S_ISREG(st.st_mode) && st.st_ino == id->ino &&
	       st.st_dev == makedev(kdev_major(id->dev), kdev_minor(id->dev));
}

void libmon_on_lib_load(struct libmon *m, struct event *ev)
{
	const char *path = ev->canon[0] ? ev->canon : ev->filename;
	char p[PATH_MAX + 64];

	ev->untrusted = !path || !libmon_trusted(m, path);
	/*
	 * trust follows the object, not the string (security review, finding
	 * 8): a path from a mount namespace an unprivileged user namespace
	 * owns is trusted only when the host's view of it names the same file
	 */
	if (!ev->untrusted && (ev->lib_flags & LT_LF_USERNS) && !host_names_it(path, &ev->fid))
		ev->untrusted = true;
	if (!m->dlopen_on || !path || path[0] != '/' || !libmon_libc_name(basename_of(path)))
		return;
	if (ev->lib_flags & LT_LF_FUSE)	/* its daemon could hold the loop: never opened here */
		return;
	/* known already: no need to open it again (every exec maps libc) */
	for (size_t i = 0; i < m->nlibc; i++)
		if (m->libc[i].kdev == ev->fid.dev && m->libc[i].ino == ev->fid.ino)
			return;
	if ((size_t)snprintf(p, sizeof(p), "/proc/%u/root%s", ev->pid, path) >= sizeof(p))
		return;
	/* a short-lived process may be gone: in our mount namespace the path is ours too */
	libc_try(m, p, path, ev->mnt_ns == m->self_mnt_ns ? path : NULL);
}

void libmon_free(struct libmon *m)
{
	if (!m)
		return;
	libc_detach_all(m);
	trusted_free(m->trusted, m->ntrusted);
	free(m);
}

static void hook_lib_load(void *m, struct event *ev)
{
	libmon_on_lib_load(m, ev);
}

int libmon_subscribe(struct libmon *m, struct hooks *h)
{
	return hooks_add(h, HOOK_DECODED, LT_EV_LIB_LOAD, hook_lib_load, m);
}
