/* SPDX-License-Identifier: MIT */
/*
 * mem_events - decoding and encoding of mem's events (memory made
 * executable, memfd_create, cred_change, ptrace, kill, module_load,
 * module_delete) and of mem's part of the exec event (fileless,
 * privilege_gain). The fields are documented in docs/events.md.
 */
#ifndef LTRACK_MEM_EVENTS_H
#define LTRACK_MEM_EVENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "events.h"
#include "output/jsonw.h"

/*
 * mem_decode - decode ring record @rec (@len bytes, header already checked
 * and decoded into @ev) of one of mem's types. Returns 0 or -EINVAL.
 */
int mem_decode(const void *rec, size_t len, struct event *ev);

/* mem_decode_exec - mem's fields of an exec record */
void mem_decode_exec(const struct lt_exec_ev *e, struct event *ev);

/* mem_fields - the fields of mem's events after the common ones (src/fields.h) */
struct ev_field_list;
extern const struct ev_field_list mem_fields;


/* mem_text - the arguments of a mem event's text line, inside "name(...)" */
void mem_text(struct jbuf *b, const struct event *ev);

/* mem_text_exec - ", fileless=memfd" and the like for an exec's text line */
void mem_text_exec(struct jbuf *b, const struct event *ev);

/* mem_text_shows_ret - a successful call whose text line shows " = ret" (fds, addresses) */
bool mem_text_shows_ret(const struct event *ev);

/* mem_text_ret - " = fd" of memfd_create, " = 0xADDR" of an mmap (text format's result) */
void mem_text_ret(struct jbuf *b, const struct event *ev);

/* mem_syscall_name - the name of syscall @nr among those mem reports, or NULL */
const char *mem_syscall_name(int nr);

/* mem_prot_str, mem_mmap_flags_str, mem_mfd_flags_str - "A|B|C" of a bit set ("0" when none) */
void mem_prot_str(uint32_t prot, char *buf, size_t len);
void mem_mmap_flags_str(uint32_t flags, char *buf, size_t len);
void mem_mfd_flags_str(uint32_t flags, char *buf, size_t len);

/* mem_ptrace_name - "PTRACE_ATTACH"... or NULL for a request without a name here */
const char *mem_ptrace_name(int64_t req);

#endif
