/* SPDX-License-Identifier: MIT */
/*
 * fields - the field registry: every field an event can carry, once, with
 * its name, type, the event types it appears on, a getter from the decoded
 * event and its documentation line.
 *
 * The JSON encoder (src/output/format.c) writes an event's fields by
 * walking the rows: the common ones, the type's own list (struct
 * ev_type_info.fields), then the tail. docs/events.md's field tables are
 * printed from the same rows (`ltrack --event-reference`, make docs). A
 * getter reads the decoded event and encodes nothing, so a consumer that
 * tests one field (a rule testing `comm` or `filename`) pays for that field
 * only.
 *
 * Rows that share a name on different types (`filename` of exec and of a
 * file event) are one field for consumers: ev_field_find() picks the row of
 * the event's type.
 */
#ifndef LTRACK_FIELDS_H
#define LTRACK_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct event;
struct jbuf;

enum fld_type {
	FT_STR,		/* text */
	FT_PATH,	/* an absolute path (text) */
	FT_INT,		/* signed integer */
	FT_UINT,	/* unsigned integer */
	FT_BOOL,
	FT_IP,		/* an address, as text */
	FT_LIST,	/* a list of strings: NUL-separated at s, len bytes */
	FT_OBJECT,	/* a structured value: written by the row's own writer */
};

/* a field's value, as a getter gives it */
struct fld_val {
	union {
		const char *s;	/* FT_STR, FT_PATH, FT_IP, FT_LIST; NULL: null */
		int64_t i;	/* FT_INT */
		uint64_t u;	/* FT_UINT */
		bool b;		/* FT_BOOL */
	};
	size_t len;		/* FT_LIST: bytes at s; a string: its length, or 0 (then strlen) */
	bool plain;		/* a string that needs no JSON escaping (made by the getter) */
	char buf[256];		/* the getter's scratch for a formatted value */
};

#define FLD_NULL (1u << 0)	/* may be null (a string with s == NULL) */
#define FLD_AGENT (1u << 1)	/* set by the output stage, not the event: no getter */
#define FLD_SUB (1u << 2)	/* "obj.member": inside an object row's JSON, for consumers */
/*
 * of the process and its context only (ppid .. pod_uid of the head, one run
 * of rows): the JSON encoder encodes the run once per process and copies it
 * while none of its inputs changed (src/output/format.c)
 */
#define FLD_PROC (1u << 3)
/*
 * of the event's type only (event_type, event_name: one run of rows): the
 * JSON encoder encodes the run once per type and copies it
 */
#define FLD_TYPE (1u << 4)

/* the docs table a row of the head or the tail is listed in (field_reference) */
enum fld_group {
	FG_OWN,		/* a type's list: its list's doc_group */
	FG_COMMON,	/* "common" */
	FG_CTX,		/* "context" */
	FG_HASH,	/* "hash" */
	FG_FILE,	/* "file" (the tail's watch) */
};

/*
 * struct ev_field - one row. @on lists the types the row is for (0
 * terminated); empty: every type whose list holds the row. A getter returns
 * 0 with the value, or -ENOENT when the event does not carry the field.
 * @write, when set, writes the member (key and value) itself: objects, and
 * the few fields whose JSON is not one value.
 */
struct ev_field {
	const char *name;
	const char *key;	/* "\"name\":", for the JSON writer */
	uint8_t key_len;
	uint8_t type;		/* enum fld_type */
	uint8_t flags;		/* FLD_* */
	uint8_t group;		/* enum fld_group */
	uint8_t on[9];
	int (*get)(const struct event *ev, struct fld_val *v);
	void (*write)(struct jbuf *b, const struct event *ev);
	const char *doc;	/* docs/events.md's "meaning" (Markdown) */
};

/*
 * a row: FIELD_ROW("pid", FT_UINT, 0, FG_COMMON, get_pid, NULL, "doc"[, types...]);
 * the types it is on, if any, last
 */
#define FIELD_ROW(nm, ty, fl, grp, get_, write_, doc_, ...)                                   \
	{ .name = nm, .key = "\"" nm "\":", .key_len = sizeof("\"" nm "\":") - 1, .type = ty,   \
	  .flags = fl, .group = grp, .on = { __VA_ARGS__ }, .get = get_, .write = write_, .doc = doc_ }

struct fmt_ctx;

/*
 * a type's own fields (struct ev_type_info.fields), or the head or tail;
 * made with FIELD_LIST (src/output/field_json.h), which gives it its JSON
 * encoder
 */
struct ev_field_list {
	const struct ev_field *rows;
	size_t n;
	const char *doc_group;	/* docs/events.md's generated table ("file", "exec", ...) */
	/* the JSON members of the rows on @ev's type, in order (src/output/format.c calls it) */
	void (*json)(struct jbuf *b, const struct event *ev, const struct fmt_ctx *c);
};

/*
 * FLD_GETTER - define getter @fn: the value's @member (u, i, s, b) is
 * @expr, present when @cond holds (expressions of `ev`)
 */
#define FLD_GETTER(fn, member, expr, cond)                                \
	static int fn(const struct event *ev, struct fld_val *v)          \
	{                                                                 \
		v->member = (expr);                                       \
		return (cond) ? 0 : -ENOENT;                              \
	}

/* the rows before and after a type's own: common and context, then the tail */
extern const struct ev_field_list ev_fields_head;
extern const struct ev_field_list ev_fields_tail;

/* the lists of the families src/events.c decodes (src/fields.c) */
extern const struct ev_field_list ev_fields_exec, ev_fields_fork, ev_fields_exit;
extern const struct ev_field_list ev_fields_file, ev_fields_lib, ev_fields_hash_update;
extern const struct ev_field_list ev_fields_scan_update;

/* ev_field_on - true when row @f is for events of @type */
static inline bool ev_field_on(const struct ev_field *f, uint32_t type)
{
	if (!f->on[0])
		return true;
	for (size_t i = 0; i < sizeof(f->on) && f->on[i]; i++)
		if (f->on[i] == type)
			return true;
	return false;
}

/*
 * ev_field_find - the row of the field @name on events of @type (the head,
 * the type's list, the tail), or NULL when such events have no such field
 */
const struct ev_field *ev_field_find(uint32_t type, const char *name);

/*
 * ev_field_get - the value of row @f on @ev: 0, -ENOENT when @ev does not
 * carry it, -EINVAL for a row without a getter (FLD_AGENT, objects)
 */
int ev_field_get(const struct ev_field *f, const struct event *ev, struct fld_val *v);

/*
 * Helpers for getters; each returns 0. fld_set_kdev: "major:minor" of a
 * kernel dev_t; fld_set_hex64: "0x" and 16 hex digits; fld_set_text: the
 * value is the text the getter wrote into v->buf (no escaping needed).
 */
int fld_set_kdev(struct fld_val *v, uint32_t kdev);
int fld_set_hex64(struct fld_val *v, uint64_t x);
int fld_set_text(struct fld_val *v);

/* fld_set_bits - the names of the bits of @bits in table @t (@n rows), as an FT_LIST */
struct fld_bitname {
	uint64_t bit;
	const char *name;
};
int fld_set_bits(struct fld_val *v, uint64_t bits, const struct fld_bitname *t, size_t n);

/*
 * Getters shared by the families whose event names a file user space may
 * canonicalise (file, lib_load, model, evade): its path (the canonical form
 * when made), whether that path is exact, and path_truncated (present when
 * it is only a suffix).
 */
int ev_get_path(const struct event *ev, struct fld_val *v);
/* the file events' open flags (number, and names: "O_RDONLY|O_CLOEXEC"), device and inode
 * of the object (absent when no inode was resolved): shared with gpu_access */
int ev_get_open_flags(const struct event *ev, struct fld_val *v);
int ev_get_open_flags_str(const struct event *ev, struct fld_val *v);
int ev_get_file_dev(const struct event *ev, struct fld_val *v);
int ev_get_file_inode(const struct event *ev, struct fld_val *v);
int ev_get_path_exact(const struct event *ev, struct fld_val *v);
int ev_get_path_truncated(const struct event *ev, struct fld_val *v);

/* fld_type_name - "string", "path", "int", "uint", "bool", "ip", "list", "object" */
const char *fld_type_name(unsigned t);

/*
 * field_reference - the Markdown table of field group @group into @f: the
 * head's and tail's groups ("common", "context", "hash"), a list's
 * doc_group ("file", "net", ...), or an event name (the rows of its list
 * that are on it: "mem_exec"). Returns 0, or -ENOENT for an unknown group.
 */
int field_reference(FILE *f, const char *group);

/*
 * events_doc_fill - copy docs/events.md from @in to @out with every
 * generated block refreshed: the lines between "<!-- generated: types -->"
 * or "<!-- generated: fields GROUP -->" and "<!-- end generated -->" are
 * replaced by the table of event types or field_reference(GROUP).
 * `ltrack --event-reference < docs/events.md`, make docs and check-docs.
 * Returns 0, or -EINVAL (with @err) for a marker it cannot fill.
 */
int events_doc_fill(FILE *in, FILE *out, char *err, size_t errlen);

#endif
