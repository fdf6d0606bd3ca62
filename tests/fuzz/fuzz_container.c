// SPDX-License-Identifier: MIT
/*
 * fuzz_container - the context parsers on arbitrary input: cgroup paths
 * (ctr_parse_path, and ctr_pick over the paths of one /proc/PID/cgroup),
 * /proc/PID/cgroup text, mountinfo text, and the filter lists of
 * --pid/--uid/--events. Each must return cleanly, keep its output
 * NUL-terminated and within bounds, and agree with itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "container.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_info(const struct ctr_info *ci, size_t pathlen)
{
	size_t n = strlen(ci->id);

	/* a level is a path component: found exactly when there is one, within the path */
	if ((ci->id[0] || ci->pod_uid[0]) != (ci->level > 0) || ci->level > pathlen)
		abort();

	if (n != 0 && n != CTR_ID_LEN)
		abort();
	n = strlen(ci->pod_uid);
	if (n != 0 && n != CTR_UID_LEN)
		abort();
	if (strlen(ci->runtime) >= sizeof(ci->runtime))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cg_proc cp;
	static struct cg_mounts m;
	struct lt_config_err err;
	struct lt_config c;
	struct ctr_info ci, v1ci[CG_V1_N];
	const struct ctr_info *cand[CG_V1_N], *best;
	struct lt_range r;
	char why[128], *s;
	bool found;

	found = ctr_parse_path((const char *)data, size, &ci);
	check_info(&ci, size);
	if (found != (ci.id[0] || ci.pod_uid[0]))
		abort();

	cg_proc_parse((const char *)data, size, &cp);
	if (strlen(cp.v2) >= CG_PATH_MAX)
		abort();
	for (int k = 0; k < CG_V1_N; k++) {
		if (cp.has_v1[k] && cp.v1[k][0] != '/')
			abort();
		ctr_parse_path(cp.v1[k], strlen(cp.v1[k]), &v1ci[k]);
		check_info(&v1ci[k], strlen(cp.v1[k]));
		cand[k] = &v1ci[k];
	}
	/* the pick is one that names something, and none names something deeper */
	best = ctr_pick(cand, CG_V1_N);
	for (int k = 0; k < CG_V1_N; k++) {
		bool named = v1ci[k].id[0] || v1ci[k].pod_uid[0];

		if (named && (!best || v1ci[k].level > best->level))
			abort();
	}
	if (best && (best < v1ci || best >= v1ci + CG_V1_N || !best->level))
		abort();
	cg_mounts_parse((const char *)data, size, &m);
	if (strlen(m.v2) >= CG_PATH_MAX)
		abort();
	for (int k = 0; k < CG_V1_N; k++) {
		size_t ml = strnlen(m.v1[k], CG_PATH_MAX), rl = strnlen(m.v1_root[k], CG_PATH_MAX);

		if (ml >= CG_PATH_MAX || rl >= CG_PATH_MAX)
			abort();
		/* a hierarchy: a mount point and the (absolute) cgroup mounted there, or nothing */
		if (m.has_v1_ctl[k] ? !m.has_v1 || !ml || m.v1_root[k][0] != '/' : ml || rl)
			abort();
	}

	if (lt_range_parse((const char *)data, size, &r, why, sizeof(why)) == 0 && r.lo > r.hi)
		abort();

	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	config_init(&c);
	if (config_set_ranges(&c, size & 1, s, "--pid", &err) == 0) {
		if (c.npids > LT_RANGES_MAX || c.nuids > LT_RANGES_MAX)
			abort();
	} else if (!err.msg[0]) {
		abort();
	}
	if (config_set_events(&c, s, "--events", &err) && !err.msg[0])
		abort();
	config_release(&c);
	free(s);
	return 0;
}
