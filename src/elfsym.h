/* SPDX-License-Identifier: MIT */
/*
 * elfsym - the file offset of a function in an ELF shared object, for
 * attaching uprobes by offset (libbpf 1.1 refuses a name that several
 * symbol versions share, such as glibc's dlopen).
 */
#ifndef LTRACK_ELFSYM_H
#define LTRACK_ELFSYM_H

#include <stdint.h>

/*
 * elfsym_func_offset - the file offset of the defined function @name in the
 * dynamic symbol table (.dynsym) of the ELF file open at @fd: its st_value
 * mapped through the PT_LOAD program header that covers it. The first
 * defined STT_FUNC of that name wins (versions of one function share an
 * address). Returns 0, -ENOENT (no such function, or no segment covers
 * it inside the file), or -EINVAL (not an ELF file libelf can read).
 */
int elfsym_func_offset(int fd, const char *name, uint64_t *off);

#endif
