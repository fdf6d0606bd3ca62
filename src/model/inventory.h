/* SPDX-License-Identifier: MIT */
/*
 * inventory - every model file the agent has seen: path, sha256, format,
 * verdict, size, device and inode, the processes that loaded it (the most
 * recent few), first and last seen, load count. See docs/models.md.
 *
 * The table (inventory.c) is bounded in entries and in the bytes its JSON
 * takes (each string counted as escaped, so no name can inflate the file
 * beyond the bound): past either bound the model seen least recently is
 * evicted (counted). Each uid other than root owns the entries it created
 * and may hold at most 1/INV_USER_SHARE of each bound: past that, its own
 * oldest entry goes, never another user's (security review, finding 7). It knows nothing of files: persistence is
 * a separate layer (inventory_json.c) that reads and writes the whole table
 * through inventory_foreach / inventory_restore, so another store (SQLite)
 * can replace it without touching the table or its callers.
 *
 * An entry is keyed by (path, sha256): the same path with new content is a
 * new entry (the old one stays, for the record), and the same content at
 * two paths is two entries. sha256 may be "" while a digest is pending; the
 * first record with a digest for that path fills it in. Not thread-safe:
 * the agent's event loop owns it.
 */
#ifndef LTRACK_INVENTORY_H
#define LTRACK_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "output/jsonw.h"
#include "scan/scan.h"

#define INV_LOADERS_MAX 16		/* loaders kept per model, at most */
#define INV_PATH_MAX 4096
#define INV_EXE_MAX 1024		/* a loader's exe kept (NUL included); longer: null */
#define INV_UID_UNKNOWN UINT32_MAX	/* an entry from a file written before uids were kept */
#define INV_BYTES_MAX (32u << 20)	/* default bound of the serialized table */
#define INV_USER_SHARE 4		/* a uid other than root holds at most 1/4 of each bound */
#define INV_COMM_MAX 16			/* with its NUL, like the kernel's */
#define INV_VERDICT_NONE (-1)		/* not scanned (yet) */

/* one model_load, as the model-events code reports it */
struct model_seen {
	const char *path;		/* absolute path (required) */
	const char *sha256;		/* 64 hex digits, or NULL/"" when pending */
	enum model_format format;
	uint64_t size;
	uint64_t dev;
	uint64_t ino;
	uint32_t pid;			/* the loading process */
	uint32_t uid;			/* its uid: the new entry's owner, charged for it */
	const char *comm;		/* may be NULL */
	const char *exe;		/* may be NULL */
	uint64_t ts_ns;			/* CLOCK_REALTIME ns of the load */
};

/* a process that loaded a model */
struct inv_loader {
	uint32_t pid;
	char comm[INV_COMM_MAX];
	char *exe;			/* NULL when unknown */
	uint64_t ts_ns;			/* its latest load of this model */
};

struct inv_entry {
	char *path;
	char sha256[65];		/* "" while pending */
	enum model_format format;
	int verdict;			/* enum scan_verdict, or INV_VERDICT_NONE */
	uint64_t size, dev, ino;
	uint64_t first_seen_ns, last_seen_ns;
	uint64_t load_count;
	uint32_t uid;			/* who first loaded it (INV_UID_UNKNOWN: not recorded) */
	unsigned nloaders;		/* loaders[0] is the most recent */
	struct inv_loader loaders[INV_LOADERS_MAX];
	/* private: the table's links and the entry's serialized size, at most */
	size_t cost;
	struct inv_entry *hnext, *prev, *next;
};

struct inventory_stats {
	uint64_t entries, max_entries;
	uint64_t bytes, max_bytes;	/* the serialized table's size, at most (escapes counted) */
	uint64_t evicted;		/* models pushed out by the bound (persisted) */
	uint64_t user_evicted;		/* of those, by a uid's own share (its oldest went) */
	uint64_t records;		/* inventory_record_load calls accepted */
	uint64_t rejected;		/* records refused (no path, bad digest) */
};

struct inventory;

/*
 * inventory_new - an empty table of at most @max_entries models keeping
 * @max_loaders (1..INV_LOADERS_MAX) loaders each. NULL with errno set.
 */
struct inventory *inventory_new(size_t max_entries, unsigned max_loaders);

/*
 * inventory_set_max_bytes - bound the serialized table to @bytes (default
 * INV_BYTES_MAX; at least 1 MiB), evicting now if needed
 */
void inventory_set_max_bytes(struct inventory *inv, size_t bytes);

/* inventory_free - free it all; NULL is a no-op */
void inventory_free(struct inventory *inv);

/*
 * inventory_record_load - one load of a model: creates the entry or updates
 * it (last seen, load count, size/dev/ino/format, loader list: a pid already
 * listed moves to the front; an exe of INV_EXE_MAX bytes or more is kept as
 * unknown). Evicts as the bounds say (see above). 0, -EINVAL (no absolute
 * path, malformed sha256) or -ENOMEM.
 */
int inventory_record_load(struct inventory *inv, const struct model_seen *m);

/*
 * inventory_set_verdict - the scanner's verdict for every entry with this
 * content (@format too, unless MF_UNKNOWN). 0, or -ENOENT when none has it.
 */
int inventory_set_verdict(struct inventory *inv, const char *sha256, enum scan_verdict v,
			  enum model_format format);

/* inventory_find - the entry for (@path, @sha256 or ""), or NULL */
const struct inv_entry *inventory_find(const struct inventory *inv, const char *path,
				       const char *sha256);

/*
 * inventory_foreach - call @fn for each entry, most recently seen first,
 * until it returns non-zero (that value is returned); 0 when all were seen.
 */
int inventory_foreach(const struct inventory *inv,
		      int (*fn)(const struct inv_entry *e, void *ctx), void *ctx);

/*
 * inventory_restore - put back an entry read from a store (a copy is made;
 * @e's links are ignored). Entries must come most recent first or in any
 * order: the table keeps them ordered by last_seen_ns. Over the bound, the
 * least recently seen goes (counted). 0 or -EINVAL/-ENOMEM.
 */
int inventory_restore(struct inventory *inv, const struct inv_entry *e);

/* inventory_get_stats / inventory_set_evicted (the persisted counter) */
void inventory_get_stats(const struct inventory *inv, struct inventory_stats *st);
void inventory_set_evicted(struct inventory *inv, uint64_t evicted);

/* inventory_dirty - changed since the last inventory_mark_clean */
bool inventory_dirty(const struct inventory *inv);
void inventory_mark_clean(struct inventory *inv);
/* inventory_mark_dirty - to be saved (what was read from a file set aside) */
void inventory_mark_dirty(struct inventory *inv);

/*
 * inventory_set_aside - rename the inventory file @path that could not be
 * read whole (damaged, a newer version) to "@path.corrupt-YYYYMMDDTHHMMSSZ"
 * (never over an existing file), so that no save overwrites it. Fills
 * @aside with the new name. 0, or -1 with errno.
 */
int inventory_set_aside(const char *path, char *aside, size_t n);

/* inventory_verdict_name - "clean" ... "error", or "unscanned" */
const char *inventory_verdict_name(int verdict);

/* ---- JSON (inventory_json.c): the file store and the list ltrack models shows */

/*
 * inventory_write_list - the models as one JSON array, most recent first:
 * [{"path":..,"sha256":..,"format":..,"verdict":..,"size":..,"dev":..,
 *   "inode":..,"first_seen_ns":..,"last_seen_ns":..,"load_count":..,
 *   "loaders":[{"pid":..,"comm":..,"exe":..,"ts_ns":..}]}]
 */
void inventory_write_list(const struct inventory *inv, struct jbuf *b);

/*
 * inventory_parse - read a document (the file: {"version":1,"evicted":N,
 * "models":[...]}, or a bare list as inventory_write_list makes it) into
 * @inv. Bounded: strings, nesting and counts are limited; an unknown key is
 * skipped. On error, entries read before it are kept and @err says where.
 * 0 or -EINVAL.
 */
int inventory_parse(struct inventory *inv, const char *buf, size_t len, char *err,
		    size_t errlen);

/*
 * inventory_load - inventory_parse of the file at @path. 0 (also when it
 * does not exist: a first start), or -errno with @err (the caller warns and
 * goes on with what was read).
 */
int inventory_load(struct inventory *inv, const char *path, char *err, size_t errlen);

/*
 * inventory_save - write the whole table to @path atomically
 * (inventory_serialize, then inventory_write_file). Marks the table clean.
 * 0 or -errno.
 */
int inventory_save(struct inventory *inv, const char *path);

/* inventory_serialize - the file's document (what inventory_load reads); 0 or -ENOMEM */
int inventory_serialize(const struct inventory *inv, struct jbuf *b);

/*
 * inventory_write_file - write @len bytes to @path atomically: a temporary
 * file in the same directory (mode 0600), fsync, rename, fsync of the
 * directory, which is created (mode 0700) when missing; its parent must
 * exist. Touches no table: a thread may run it. 0 or -errno.
 */
int inventory_write_file(const char *path, const char *buf, size_t len);

/* inventory_print_text - the table ltrack models prints (one line per model + loaders) */
void inventory_print_text(const struct inventory *inv, FILE *out);

#endif
