// SPDX-License-Identifier: MIT
/*
 * test_gpu.c - gpu_access in user space: the gpu_allow matcher (names
 * against the image's basename with version suffixes and globs, absolute
 * paths, unknown images never allowed), record decoding and its refusals,
 * and the JSON and text encodings of a successful and a failed open.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "events.h"
#include "gpu.h"
#include "output/format.h"

static bool allowed(const char *entry, const char *exe)
{
	char *list[1] = { (char *)entry };

	return gpu_allowed(list, 1, exe);
}

static void allow_names(void **state)
{
	(void)state;
	assert_true(allowed("python", "/usr/bin/python"));
	assert_true(allowed("python", "/usr/bin/python3.11"));
	assert_true(allowed("python3", "/usr/local/bin/python3"));
	assert_false(allowed("python", "/usr/bin/pythonista"));
	assert_false(allowed("python", "/usr/bin/python3-config"));
	assert_false(allowed("python3.11", "/usr/bin/python3"));
	/* a name is the basename, never a directory on the way */
	assert_false(allowed("bin", "/usr/bin/xmrig"));
	assert_false(allowed("xmri", "/usr/bin/xmrig"));
	/* globs over the whole basename */
	assert_true(allowed("tritonserver*", "/opt/tritonserver-24"));
	assert_true(allowed("[tp]orch", "/x/torch"));
	assert_false(allowed("py*", "/usr/bin/xmrig"));
}

static void allow_paths(void **state)
{
	char *list[3] = { "/nowhere", "/opt/conda/bin/*", "/usr/bin/nvidia-smi" };

	(void)state;
	assert_true(allowed("/usr/bin/nvidia-smi", "/usr/bin/nvidia-smi"));
	assert_false(allowed("/usr/bin/nvidia-smi", "/tmp/usr/bin/nvidia-smi"));
	assert_false(allowed("/usr/bin/nvidia", "/usr/bin/nvidia-smi"));
	/* '*' stays inside one directory */
	assert_true(allowed("/opt/conda/bin/*", "/opt/conda/bin/python3.12"));
	assert_false(allowed("/opt/conda/bin/*", "/opt/conda/bin/sub/xmrig"));
	assert_true(gpu_allowed(list, 3, "/opt/conda/bin/python"));
	assert_true(gpu_allowed(list, 3, "/usr/bin/nvidia-smi"));
	assert_false(gpu_allowed(list, 3, "/usr/bin/xmrig"));
	/* nothing is allowed without an image, nor by an empty list */
	assert_false(gpu_allowed(list, 3, NULL));
	assert_false(allowed("python", "python"));
	assert_false(gpu_allowed(NULL, 0, "/usr/bin/python"));
}

#define GPU_PATH "/dev/nvidia-uvm"

struct gpu_rec {
	struct lt_gpu_ev e;
	char path[sizeof(GPU_PATH)];
};

static void rec_init(struct gpu_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->e.hdr.type = LT_EV_GPU_ACCESS;
	r->e.hdr.size = sizeof(*r);
	r->e.hdr.tgid = 4242;
	r->e.hdr.syscall_nr = 257;
	r->e.hdr.ret = 5;
	memcpy(r->e.hdr.comm, "xmrig", 6);
	r->e.ino = 124;
	r->e.dev = 6;			/* 0:6, devtmpfs */
	r->e.rdev = 508u << 20 | 1;	/* 508:1 */
	r->e.open_flags = O_RDWR | O_CLOEXEC;
	r->e.kind = LT_GPU_NVIDIA;
	r->e.path_len = sizeof(GPU_PATH);
	memcpy(r->path, GPU_PATH, sizeof(GPU_PATH));
}

static void decode_checks(void **state)
{
	static struct event ev;
	struct gpu_rec r;

	(void)state;
	rec_init(&r);
	assert_int_equal(event_decode(&r, sizeof(r), &ev), 0);
	assert_string_equal(ev.name, "gpu_access");
	assert_string_equal(ev.filename, GPU_PATH);
	assert_int_equal(ev.rdev, 508u << 20 | 1);
	assert_int_equal(ev.gpu_kind, LT_GPU_NVIDIA);
	assert_int_equal(ev.open_flags, O_RDWR | O_CLOEXEC);
	assert_int_equal(ev.ino, 124);

	r.e.path_len = sizeof(GPU_PATH) + 1;	/* past the record */
	assert_int_equal(event_decode(&r, sizeof(r), &ev), -EINVAL);
	r.e.path_len = 0;			/* no path */
	assert_int_equal(event_decode(&r, sizeof(r), &ev), -EINVAL);
	rec_init(&r);
	r.path[sizeof(GPU_PATH) - 1] = 'x';	/* no NUL */
	assert_int_equal(event_decode(&r, sizeof(r), &ev), -EINVAL);
	rec_init(&r);
	r.path[4] = '\0';			/* a NUL inside */
	assert_int_equal(event_decode(&r, sizeof(r), &ev), -EINVAL);
	rec_init(&r);
	r.e.kind = 4;
	assert_int_equal(event_decode(&r, sizeof(r), &ev), -EINVAL);
	rec_init(&r);
	r.e.hdr.size = sizeof(r.e) - 1;
	assert_int_equal(event_decode(&r, sizeof(r.e) - 1, &ev), -EINVAL);

	assert_string_equal(gpu_kind_name(LT_GPU_DRI), "dri");
	assert_string_equal(gpu_kind_name(LT_GPU_KFD), "kfd");
	assert_null(gpu_kind_name(0));
}

static void format_success_and_failure(void **state)
{
	static struct event ev;
	struct jbuf b = JBUF_INIT;
	struct fmt_ctx c = { .hostname = "h", .boot_id = "b" };
	struct gpu_rec r;

	(void)state;
	rec_init(&r);
	assert_int_equal(event_decode(&r, sizeof(r), &ev), 0);
	assert_int_equal(format_json(&b, &ev, &c), 0);
	jbuf_putc(&b, '\0');
	assert_non_null(strstr(b.buf, "\"event_type\":67,\"event_name\":\"gpu_access\""));
	assert_non_null(strstr(b.buf, "\"syscall_nr\":257,\"ret_code\":5,"
				      "\"filename\":\"/dev/nvidia-uvm\",\"flags\":524290,"
				      "\"flags_str\":\"O_RDWR|O_CLOEXEC\",\"gpu_kind\":\"nvidia\","
				      "\"device\":\"508:1\",\"major\":508,\"minor\":1,"
				      "\"dev\":\"0:6\",\"inode\":124}"));
	jbuf_reset(&b);
	assert_int_equal(format_text(&b, &ev, &c), 0);
	jbuf_putc(&b, '\0');
	assert_non_null(strstr(b.buf, " \"xmrig\"[4242] gpu_access(\"/dev/nvidia-uvm\", \"508:1\", "
				      "O_RDWR|O_CLOEXEC, nvidia) = 5\n"));

	/* a failed open (--failed): no inode, no device numbers */
	r.e.hdr.ret = -6;
	r.e.ino = 0;
	r.e.dev = 0;
	r.e.rdev = 0;
	assert_int_equal(event_decode(&r, sizeof(r), &ev), 0);
	jbuf_reset(&b);
	assert_int_equal(format_json(&b, &ev, &c), 0);
	jbuf_putc(&b, '\0');
	assert_non_null(strstr(b.buf, "\"ret_code\":-6,\"filename\":\"/dev/nvidia-uvm\","
				      "\"flags\":524290,\"flags_str\":\"O_RDWR|O_CLOEXEC\","
				      "\"gpu_kind\":\"nvidia\"}"));
	jbuf_reset(&b);
	assert_int_equal(format_text(&b, &ev, &c), 0);
	jbuf_putc(&b, '\0');
	assert_non_null(strstr(b.buf, " gpu_access(\"/dev/nvidia-uvm\", O_RDWR|O_CLOEXEC, nvidia) = "
				      "-6 (No such device or address)\n"));
	jbuf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(allow_names),
		cmocka_unit_test(allow_paths),
		cmocka_unit_test(decode_checks),
		cmocka_unit_test(format_success_and_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
