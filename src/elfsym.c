// SPDX-License-Identifier: MIT
/*
 * elfsym.c - find a function's file offset in an ELF file. See elfsym.h.
 *
 * The file is untrusted (any process can map anything): every libelf call
 * is checked, and a symbol is only accepted when a PT_LOAD segment covers
 * its address within the segment's file bytes and the offset lies inside
 * the file.
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include "elfsym.h"

int elfsym_func_offset(int fd, const char *name, uint64_t *off)
{
	struct stat st;
	Elf *e;
	Elf_Scn *scn = NULL;
	GElf_Addr val = 0;
	size_t nph;
	int rc = -ENOENT;
	bool found = false;

	if (fstat(fd, &st) || elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e)
		return -EINVAL;
	if (elf_kind(e) != ELF_K_ELF) {
		rc = -EINVAL;
		goto out_end;
	}
	while (!found && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		size_t nsym;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		if (!d)
			continue;
		nsym = d->d_size / sh.sh_entsize;
		for (size_t i = 0; i < nsym; i++) {
			GElf_Sym sym;
			const char *s;

			if (!gelf_getsym(d, i, &sym))
				break;
			if (GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF ||
			    !sym.st_value)
				continue;
			s = elf_strptr(e, sh.sh_link, sym.st_name);
			if (s && !strcmp(s, name)) {
				val = sym.st_value;
				found = true;
				break;
			}
		}
	}
	if (!found)
		goto out_end;
	if (elf_getphdrnum(e, &nph)) {
		rc = -EINVAL;
		goto out_end;
	}
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (val >= ph.p_vaddr && val - ph.p_vaddr < ph.p_filesz) {
			uint64_t o = val - ph.p_vaddr + ph.p_offset;

			/* a lying header can point past the file (or wrap): no code there */
			if (o < ph.p_offset || o >= (uint64_t)st.st_size)
				break;
			*off = o;
			rc = 0;
			break;
		}
	}
out_end:
	elf_end(e);
	return rc;
}
