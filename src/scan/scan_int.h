/* SPDX-License-Identifier: MIT */
/*
 * scan_int - helpers shared by the scanner's parsers (not part of the scan.h
 * API): little-endian readers, a pickle opcode walker used to sniff pickles,
 * the lenient zip reader, the bounded JSON tokenizer, and the member
 * dispatcher that zip and tar walkers hand every member to.
 */
#ifndef LTRACK_SCAN_INT_H
#define LTRACK_SCAN_INT_H

#include "scan/json.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scan/scan.h"

/* inflated buffers: one member is read up to this (halved per nesting level) */
#define SCAN_INFLATE_CAP (16u << 20)
/* bytes of a member read to decide what it is */
#define SCAN_HEAD 4096

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* ends_with - @s (NUL-terminated) ends with @suf */
bool str_ends_with(const char *s, const char *suf);

/* mem_find - first @n-byte @needle in @hay[0..@len), or NULL */
const uint8_t *mem_find(const uint8_t *hay, size_t len, const char *needle, size_t n);

/* ---- Python literals (pylit.c): numpy's .npy header ------------------------ */

#define PYL_NODES_MAX 4096	/* values in one literal */
#define PYL_DEPTH_MAX 32	/* nesting */

enum pyl_type {
	PYL_NONE, PYL_TRUE, PYL_FALSE, PYL_NUM, PYL_STR, PYL_BYTES,
	PYL_TUPLE, PYL_LIST, PYL_DICT, PYL_SET,
};

/*
 * a value: containers list their elements from @first through @next (a
 * dict's keys and values alternate) and count them in @len; a string's
 * decoded bytes (UTF-8 for str) are pool[@off, @off + @len)
 */
struct pyl_node {
	uint8_t type;
	int32_t first, next;
	uint32_t off, len;
};

struct pyl_doc {
	struct pyl_node n[PYL_NODES_MAX];
	uint32_t nn;
	char *pool;
	size_t plen, pcap;
	int32_t root;		/* -1 until parsed */
	char err[64];		/* why not, and where */
	size_t err_off;
};

/* pyl_doc_new - a document for a literal of at most @n bytes; NULL when out of memory */
struct pyl_doc *pyl_doc_new(size_t n);
void pyl_doc_free(struct pyl_doc *d);

/*
 * pyl_parse - @s[0..@n) as ast.literal_eval would read it (a NUL ends it,
 * as numpy's padding may): comments, continuations, string prefixes,
 * escapes and implicit concatenation, numbers, signs, tuples, lists, sets,
 * dicts, True/False/None. 0, or -EINVAL with d->err and d->err_off.
 */
int pyl_parse(const uint8_t *s, size_t n, struct pyl_doc *d);

/* pyl_dict_get - the value of str key @key in dict @dict (the last one, as Python keeps), or -1 */
int32_t pyl_dict_get(const struct pyl_doc *d, int32_t dict, const char *key);

/* pyl_str_is - @v is the str @s */
bool pyl_str_is(const struct pyl_doc *d, int32_t v, const char *s);

/*
 * npy_header_objects - does the .npy image @buf[0..@len) (magic, version,
 * header) hold Python objects, i.e. would np.load unpickle its data?
 * 1 yes, 0 no, -1 when the header is not there whole or is not one numpy
 * reads (then *@why says why when not NULL).
 */
int npy_header_objects(const uint8_t *buf, size_t len, const char **why);

/* ---- pickle sniffing (sniff.c) --------------------------------------------- */

/*
 * pk_op_len - length of the pickle opcode (with its argument) at @p, @len
 * bytes available. 0 when the byte is no opcode or its argument is
 * malformed; SIZE_MAX when the argument runs past @len (truncated head).
 */
size_t pk_op_len(const uint8_t *p, size_t len);

/*
 * pk_looks_like - @p[0..@len) starts like a pickle: a PROTO 2..5 header, or
 * protocol 0/1 opcodes that walk cleanly to STOP or for several opcodes.
 * A text file is not a pickle.
 */
bool pk_looks_like(const uint8_t *p, size_t len);

/* pbuf_varint - a protobuf varint at *@off of @p[0..@len); false when malformed or truncated */
bool pbuf_varint(const uint8_t *p, size_t len, size_t *off, uint64_t *v);

/* ---- zip (zip.c) ----------------------------------------------------------- */

struct zip_entry {
	char name[SCAN_MEMBER_MAX];	/* NUL bytes replaced by '?', truncated */
	size_t name_len;		/* the full length of the stored name */
	uint16_t method;		/* 0 stored, 8 deflate, others unreadable */
	uint16_t flags;
	uint64_t csize, usize;		/* from the central directory (zip64 aware) */
	uint64_t offset;		/* local header offset */
	const uint8_t *data;		/* compressed bytes in the archive, NULL when unreachable */
	uint64_t avail;			/* bytes of data present: min(csize, rest of the file) */
};

/* called per entry; return 0 to go on, 1 to stop, -errno to fail */
typedef int (*zip_entry_fn)(void *arg, const struct zip_entry *e);

/*
 * zip_walk - every entry of the zip @buf: the central directory (zip64
 * too) when it is sound, else (or after the point where it breaks) the
 * local headers. At most @max entries. Returns the number of entries
 * delivered, or the callback's negative value; sets *@damaged when the
 * central directory was missing or broken and *@truncated at @max.
 */
int zip_walk(const uint8_t *buf, size_t len, uint32_t max, zip_entry_fn fn, void *arg,
	     bool *damaged, bool *truncated);

/* zip_has_cd - an end record at the end of @buf points at a central directory */
bool zip_has_cd(const uint8_t *buf, size_t len);

/*
 * zip_read - the content of @e: a pointer into the archive (stored) or a
 * malloc'd inflated copy (*@owned set; free it) of at most @cap bytes.
 * *@cut is set when the content was longer than @cap or the data ended
 * early. -ENOTSUP for methods other than stored/deflate, -EIO for a
 * corrupt stream (what inflated before the error is returned), -ENOMEM.
 * c->inflated counts inflated bytes; -E2BIG once the budget is spent.
 */
int zip_read(struct scan_ctx *c, const struct zip_entry *e, size_t cap, const uint8_t **out,
	     size_t *outlen, bool *owned, bool *cut);

/*
 * inflate_mem - inflate @inlen bytes at @in (@wbits as for inflateInit2:
 * -15 raw deflate, 47 zlib or gzip) into a malloc'd *@out of at most @cap
 * bytes (@hint, the expected size, sizes the first buffer). Same returns
 * and budget as zip_read; *@out is NULL only when nothing inflated.
 */
int inflate_mem(struct scan_ctx *c, const uint8_t *in, uint64_t inlen, int wbits, uint64_t hint,
		size_t cap, uint8_t **out, size_t *outlen, bool *cut);

/* zip_scan - scan every member of the zip @buf with scan_member (any zip-based format) */
int zip_scan(struct scan_ctx *c, enum model_format f, const uint8_t *buf, size_t len);

/* inflate_budget - total inflated bytes one scan may produce */
uint64_t inflate_budget(const struct scan_ctx *c);

/* inflate_cap - the largest buffer one member may inflate to at this depth */
size_t inflate_cap(const struct scan_ctx *c);

/* ---- bzip2, xz, lzma (decomp.c) --------------------------------------------- */

enum scan_codec {
	CODEC_NONE,
	CODEC_BZIP2,
	CODEC_XZ,
	CODEC_LZMA,	/* the legacy .lzma (LZMA_Alone) format */
};

/* decomp_codec_of - the compressor whose stream starts @p, by its header; CODEC_NONE */
enum scan_codec decomp_codec_of(const uint8_t *p, size_t len);

/* decomp_codec_name - "bzip2", "xz", "lzma" */
const char *decomp_codec_name(enum scan_codec k);

/*
 * decomp_mem - decompress @inlen bytes at @in with codec @k into a malloc'd
 * *@out of at most @cap bytes, with inflate_mem's budget and returns; also
 * -EIO for a corrupt or cut stream, -EFBIG for an xz/lzma stream that needs
 * more memory than a scan allows. *@out is NULL only when nothing came out.
 */
int decomp_mem(struct scan_ctx *c, enum scan_codec k, const uint8_t *in, size_t inlen, size_t cap,
	       uint8_t **out, size_t *outlen, bool *cut);

/*
 * decomp_head_is_pickle - 1 when @p is a bzip2, xz or lzma stream whose
 * first bytes decompress to a pickle (a compressed joblib or pickle file,
 * whatever its name); 0 when it is not such a stream or holds something
 * else; decomp_mem's -errno when its start does not decompress. The
 * scanner's only: the agent's own sniffing never decompresses these.
 */
int decomp_head_is_pickle(struct scan_ctx *c, const uint8_t *p, size_t len);

/* ---- members (torch.c) ----------------------------------------------------- */

/*
 * scan_member - scan one member of a container (zip, tar) whose content is
 * @buf: pickles by content whatever the name, .npy, nested containers (up
 * to max_depth), TorchScript code, Keras config. @tensor marks a raw
 * storage record (data/N of a torch zip): only a pickle or zip found by
 * sniffing its first bytes is scanned.
 */
int scan_member(struct scan_ctx *c, enum model_format outer, const char *name, const uint8_t *buf,
		size_t len, bool tensor);

/* scan_numpy - an .npy image: header checks, object arrays' pickles */
int scan_numpy(struct scan_ctx *c, const uint8_t *buf, size_t len);

/* scan_torchscript_code - flag Python constructs in a TorchScript code/ member */
void scan_torchscript_code(struct scan_ctx *c, const uint8_t *buf, size_t len);

/* tar_scan - walk a ustar archive, scanning members (pytorch-tar or plain tar) */
int tar_scan(struct scan_ctx *c, enum model_format f, const uint8_t *buf, size_t len);

/* scan_torch_family - pickles, legacy/tar torch, joblib, numpy and every zip-based format */
int scan_torch_family(struct scan_ctx *c, enum model_format f, const uint8_t *buf, size_t len);

/* tar_is_torch - the tar's first members include sys_info/pickle/storages/tensors */
bool tar_is_torch(const uint8_t *buf, size_t len);

/* ---- keras (formats.c) ----------------------------------------------------- */

/* keras_config_scan - walk a Keras config JSON for Lambda, foreign modules, ... */
int keras_config_scan(struct scan_ctx *c, const uint8_t *json, size_t len, uint64_t base);

/* ---- JSON (json.c): scan/json.h ------------------------------------------ */

#endif
