/* SPDX-License-Identifier: MIT */
/*
 * loader - the BPF side as user space sees it: open, load and attach the
 * skeleton, fill the policy maps, read the drop counters, take the startup
 * snapshot.
 *
 * Policy swaps are atomic: loader_apply() fills the inactive generation of
 * every policy map, attaches any program the new policy needs, flips
 * lt_active_gen with one store, and only then removes the old generation
 * and detaches programs no longer needed. A policy that fails to apply
 * leaves the running one untouched.
 */
#ifndef LTRACK_LOADER_H
#define LTRACK_LOADER_H

#include <stddef.h>
#include <sys/types.h>
#include <stdint.h>

#include <ltrack/event.h>

#include "config.h"
#include "verifier_log.h"

struct loader;
struct ring_buffer;

/* called for each ring record; return 0 to go on */
typedef int (*loader_record_fn)(void *ctx, void *data, size_t size);

struct kfeat;

struct loader_opts {
	/* the scan zygote (0: none): like the agent itself, it and its children are never reported */
	pid_t helper_tgid;
	bool strict;		/* --strict: a concern the kernel refuses is fatal */
	/* what the kernel offers (src/kfeat.h); loader_open and loader_verify probe it */
	const struct kfeat *kf;
};

/*
 * loader_open - mount tracefs if needed, open and load the BPF programs.
 * When the kernel refuses a program, its whole concern is turned off (a
 * warning with the program, the errno and the verifier's last lines) and
 * the rest is loaded again (src/concern.h). LTRACK_FAULT_CONCERN=NAME (a
 * test aid) makes one program of concern NAME invalid first. Returns NULL
 * with errno set and a message in @err when nothing useful can run: the
 * object itself fails, the essential process concern is refused, any
 * concern is refused under @o->strict, or LTRACK_FAULT_CONCERN names no
 * concern. The caller exits 2 then.
 */
struct loader *loader_open(const struct loader_opts *o, char *err, size_t errlen);

/* loader_concerns - the state of every concern (LT_NCONCERNS entries, src/concern.h) */
struct concern_state;
const struct concern_state *loader_concerns(struct loader *L);

/*
 * loader_warn_wanted - the policy asks for what concern @c reports: when
 * @c is off in @cs, say so in the log once (*@said holds a bit per concern
 * said already): a warning, or an info line when @c is absent here
 */
void loader_warn_wanted(const struct concern_state *cs, int c, uint64_t *said);

/*
 * loader_prog_concern - the concern (enum lt_concern) of the BPF program
 * called @name, or -ENOENT when no program table lists it
 */
int loader_prog_concern(const char *name);

/*
 * loader_prepare - set up the freshly opened skeleton @sk exactly as the
 * agent loads it; the agent and `ltrack verify` share it. It sets the
 * rodata (our tgid, @o->helper_tgid, feature knobs; each concern's
 * variant in @cs), turns off the load of the programs whose hook this
 * kernel lacks (a concern whose hooks are all missing is off: absent),
 * and of every program of a concern off in @cs, and applies
 * LTRACK_FAULT_CONCERN. Returns 0, or -errno with @err (a program in no
 * table, a bad LTRACK_FAULT_CONCERN).
 */
struct ltrack_bpf;
int loader_prepare(struct ltrack_bpf *sk, const struct loader_opts *o,
		   struct concern_state *cs, char *err, size_t errlen);

/* one program as `ltrack verify` loaded it (src/verify_cmd.c) */
enum { LOADER_V_OK, LOADER_V_REFUSED, LOADER_V_ABSENT };

struct loader_verify {
	char program[64];
	int concern;			/* enum lt_concern */
	int status;			/* LOADER_V_* */
	int err;			/* refused: the errno */
	struct vlog_stats st;		/* the verifier's statistics (loaded or refused) */
	char reason[96];		/* refused: as in the stats event; absent: the missing hook */
	char tail[1024];		/* refused: the verifier's last lines (or libbpf's word) */
};

typedef void (*loader_verify_fn)(void *ctx, const struct loader_verify *v);

/*
 * loader_verify - load every program of the object on its own: for each,
 * a fresh skeleton prepared by loader_prepare() with every other program
 * off, BPF_LOG_STATS and its own log buffer; call @fn with the result.
 * Returns the number of programs, or -errno with @err when the object
 * itself cannot be opened, prepared or loaded.
 */
int loader_verify(const struct loader_opts *o, loader_verify_fn fn, void *ctx, char *err,
		  size_t errlen);

/*
 * loader_apply - make @c the active policy (watches, commands, knobs).
 * Returns 0, or -errno with a message in @err; the old policy stays.
 */
int loader_apply(struct loader *L, const struct lt_config *c, char *err, size_t errlen);

/*
 * loader_ring - a ring_buffer manager over the bulk ring, or NULL with
 * errno. Each ring has one manager, so each is mapped once (a ring's pages
 * count in the agent's RSS).
 */
struct ring_buffer *loader_ring(struct loader *L, loader_record_fn fn, void *ctx);

/*
 * loader_ring_crit - the manager of the critical ring (process lifecycle),
 * which a consumer drains first, and again before a bulk record that may
 * depend on it (an exec before its process's next events), or NULL.
 */
struct ring_buffer *loader_ring_crit(struct loader *L, loader_record_fn fn, void *ctx);

/*
 * loader_drop_image - once loading is over: the pages of the BPF object
 * embedded in the binary (~2 MiB, read by libbpf only while opening) leave
 * the agent's resident set. Read-only file pages: should anything read them
 * again, they come back from the file.
 */
void loader_drop_image(void);

/*
 * loader_crit_pos - the critical ring's consumer and producer positions
 * (bytes, ever growing). Every record the kernel had reserved when
 * *@prod was read has been handed to the consumer once the consumer's
 * position reaches it: a record still being written stops the consumer.
 * Returns 0 or -errno.
 */
int loader_crit_pos(struct loader *L, uint64_t *cons, uint64_t *prod);

/*
 * loader_snapshot - run the task iterator and call @fn for each
 * LT_EV_PROC_SNAP record. Returns the number of records or -errno
 * (-EOPNOTSUPP: concern snapshot is off).
 */
int loader_snapshot(struct loader *L, loader_record_fn fn, void *ctx);

/* loader_ring_bytes - the capacity of the rings (critical and bulk) mapped in user space */
size_t loader_ring_bytes(struct loader *L);

/* loader_drops - the kernel's drop counters, summed over CPUs */
int loader_drops(struct loader *L, uint64_t out[LT_DROP_NCAT]);

/*
 * loader_refresh - called periodically: re-read the path of every watched
 * directory from its held descriptor, and when one moved, rebuild the name
 * graph (lt_edges). Returns 1 if something changed.
 */
int loader_refresh(struct loader *L);

/* loader_watch_path - current path of watch @id of the active policy, or NULL */
const char *loader_watch_path(struct loader *L, uint32_t id);

/*
 * model: loader_model_hot - attach (@on) or detach the model monitor's hot
 * programs, the read and send hooks that run on every read(2)/write(2) of
 * the host: the model module wants them only while some process holds a
 * model. Sets the kernel's lt_model_hot once all are attached (holds that
 * begin while it is 0 are marked cold: their first reads were not
 * counted). All or none: 0, or -errno with none attached. A no-op while
 * the model monitor is off (they attach with it if still wanted).
 */
int loader_model_hot(struct loader *L, bool on);

/* loader_attached - number of attached programs */
int loader_attached(struct loader *L);

/* evade: loader_skel - the loaded skeleton (for modules that read their own maps) */
struct ltrack_bpf *loader_skel(struct loader *L);
/*
 * loader_prog - the loaded BPF program @name, for programs attached by
 * their own module (lib: the dlopen uprobes), or NULL when it is not
 * loaded (its concern is off, its hook absent) or does not exist
 */
struct bpf_program;
struct bpf_program *loader_prog(struct loader *L, const char *name);

/* loader_free - detach and free; NULL is a no-op */
void loader_free(struct loader *L);

/* fnv1a64 - the component hash shared with the kernel's lt_edges */
uint64_t fnv1a64(const char *s, size_t n);

#endif
