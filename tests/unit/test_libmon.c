// SPDX-License-Identifier: MIT
/*
 * test_libmon.c - the pure parts of library monitoring: trusted-directory
 * matching and libc names (src/libmon.c), ELF symbol offsets
 * (src/elfsym.c), the decoding and encoding of lib_load and dlopen records
 * (src/events.c, src/output/format.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "elfsym.h"
#include "events.h"
#include "output/jsonw.h"
#include "config.h"
#include "libmon.h"
#include "output/format.h"

static void path_under_whole_components(void **state)
{
	(void)state;
	assert_true(libmon_path_under("/usr/lib", "/usr/lib/x86_64-linux-gnu/libc.so.6"));
	assert_true(libmon_path_under("/usr/lib/", "/usr/lib/libz.so"));
	assert_true(libmon_path_under("/usr/lib", "/usr/lib"));
	assert_false(libmon_path_under("/usr/lib", "/usr/lib64/libz.so"));
	assert_false(libmon_path_under("/usr/lib", "/usr/li"));
	assert_false(libmon_path_under("/usr/lib", "/tmp/usr/lib/x.so"));
	assert_true(libmon_path_under("/", "/tmp/x.so"));
	assert_false(libmon_path_under("/opt/a", "/opt/ab/x.so"));
}

/* the configured list, as libmon_apply keeps it (lengths trimmed, duplicates once) */
static void trusted_list_whole_components(void **state)
{
	char *dirs[] = { "/opt/vendor/lib//", "/opt/vendor/lib", "/srv/x" };
	struct lt_config c = { .trusted_dirs = dirs, .ntrusted_dirs = 3 };
	struct libmon *m = libmon_new(NULL);

	(void)state;
	assert_non_null(m);
	assert_int_equal(libmon_apply(m, &c), 0);
	assert_true(libmon_trusted(m, "/opt/vendor/lib/libz.so"));
	assert_true(libmon_trusted(m, "/opt/vendor/lib"));
	assert_true(libmon_trusted(m, "/srv/x/a/b.so"));
	assert_false(libmon_trusted(m, "/opt/vendor/libz.so"));
	assert_false(libmon_trusted(m, "/opt/vendor/li"));
	assert_false(libmon_trusted(m, "/srv/xy.so"));
	assert_false(libmon_trusted(m, "/usr/lib/libc.so.6"));	/* defaults off */
	assert_false(libmon_trusted(m, ""));
	c.lib_default_trusted = true;
	assert_int_equal(libmon_apply(m, &c), 0);
	assert_true(libmon_trusted(m, "/usr/lib/x86_64-linux-gnu/libc.so.6"));
	assert_true(libmon_trusted(m, "/lib/x86_64-linux-gnu/libc.so.6"));
	assert_false(libmon_trusted(m, "/usr/lib64x/a.so"));
	assert_false(libmon_trusted(m, "/tmp/lib/a.so"));
	dirs[2] = "/";
	assert_int_equal(libmon_apply(m, &c), 0);
	assert_true(libmon_trusted(m, "/tmp/lib/a.so"));
	libmon_free(m);
}

static void libc_names(void **state)
{
	(void)state;
	assert_true(libmon_libc_name("libc.so.6"));
	assert_true(libmon_libc_name("libc-2.31.so"));
	assert_true(libmon_libc_name("libdl.so.2"));
	assert_true(libmon_libc_name("libdl-2.28.so"));
	assert_false(libmon_libc_name("libcrypt.so.1"));
	assert_false(libmon_libc_name("libc.so"));
	assert_false(libmon_libc_name("libc-.so"));
	assert_false(libmon_libc_name("libcap.so.2"));
	assert_false(libmon_libc_name(""));
}

static void defaults_are_absolute(void **state)
{
	(void)state;
	for (size_t i = 0; libmon_default_trusted[i]; i++)
		assert_int_equal(libmon_default_trusted[i][0], '/');
}

/* the running libc: its dlopen offset must hold the same bytes as dlopen in memory */
static void elfsym_finds_dlopen_in_libc(void **state)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[4096], path[4096] = "";
	uint64_t off = 0;
	int fd;

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, '/');

		if (p && strstr(p, "/libc.so.6")) {
			p[strcspn(p, "\n")] = '\0';
			snprintf(path, sizeof(path), "%s", p);
			break;
		}
	}
	fclose(f);
	if (!path[0])
		skip();
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(elfsym_func_offset(fd, "dlopen", &off), 0);
	assert_true(off > 0);
	assert_int_equal(elfsym_func_offset(fd, "ltrack_no_such_function", &off), -ENOENT);
	close(fd);
}

static void elfsym_rejects_non_elf(void **state)
{
	int fd = memfd_create("notelf", MFD_CLOEXEC);
	uint64_t off;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "#!/bin/sh\nexit 0\n", 17), 17);
	assert_int_equal(elfsym_func_offset(fd, "dlopen", &off), -EINVAL);
	close(fd);
}

static void decode_and_format_lib_load(void **state)
{
	static const char path[] = "/tmp/libhack.so";
	union {
		struct lt_lib_ev e;
		char b[sizeof(struct lt_lib_ev) + sizeof(path)];
	} r;
	static struct event ev;
	struct jbuf b = JBUF_INIT;
	struct fmt_ctx c = { .hostname = "h", .boot_id = "b" };

	(void)state;
	memset(&r, 0, sizeof(r));
	r.e.hdr.type = LT_EV_LIB_LOAD;
	r.e.hdr.size = sizeof(r);
	r.e.hdr.syscall_nr = 9;
	r.e.hdr.ret = 0x7f0000001000;
	r.e.fid.ino = 77;
	r.e.fid.dev = 254u << 20 | 1;
	r.e.fid.size = 15000;
	r.e.vm_start = 0x7f0000001000;
	r.e.vm_end = 0x7f0000003000;
	r.e.prot = 5;
	r.e.path_len = sizeof(path);
	memcpy(r.e.str, path, sizeof(path));
	assert_int_equal(event_decode(&r, sizeof(r), &ev), 0);
	assert_string_equal(ev.filename, path);
	assert_true(ev.has_fid);
	assert_int_equal(ev.fid.ino, 77);
	ev.untrusted = true;
	assert_int_equal(format_json(&b, &ev, &c), 0);
	jbuf_putc(&b, '\0');
	assert_non_null(strstr(b.buf, "\"filename\":\"/tmp/libhack.so\",\"path_exact\":true,"
				      "\"dev\":\"254:1\",\"inode\":77,\"size\":15000,"
				      "\"vm_start\":139637976731648,\"vm_end\":139637976739840,"
				      "\"prot\":5,\"source\":\"mmap\",\"untrusted\":true}"));
	jbuf_reset(&b);
	assert_int_equal(format_text(&b, &ev, &c), 0);
	jbuf_putc(&b, '\0');
	assert_non_null(strstr(b.buf, "lib_load(\"/tmp/libhack.so\", 0x7f0000001000-0x7f0000003000, "
				      "untrusted)\n"));
	/* a path length past the record is refused */
	r.e.path_len = sizeof(path) + 1;
	assert_int_equal(event_decode(&r, sizeof(r), &ev), -EINVAL);
	jbuf_release(&b);
}

static void decode_and_format_dlopen(void **state)
{
	static const char name[] = "libnothere.so";
	union {
		struct lt_dlopen_ev e;
		char b[sizeof(struct lt_dlopen_ev) + sizeof(name)];
	} r;
	static struct event ev;
	struct jbuf b = JBUF_INIT;
	struct fmt_ctx c = { .hostname = "h", .boot_id = "b" };

	(void)state;
	memset(&r, 0, sizeof(r));
	r.e.hdr.type = LT_EV_DLOPEN;
	r.e.hdr.size = sizeof(r);
	r.e.hdr.syscall_nr = -1;
	r.e.handle = 0;
	r.e.dl_flags = 0x102;
	r.e.name_len = sizeof(name);
	memcpy(r.e.str, name, sizeof(name));
	assert_int_equal(event_decode(&r, sizeof(r), &ev), 0);
	assert_int_equal(format_json(&b, &ev, &c), 0);
	jbuf_putc(&b, '\0');
	assert_non_null(strstr(b.buf, "\"filename\":\"libnothere.so\",\"flags\":258,"
				      "\"flags_str\":\"RTLD_NOW|RTLD_GLOBAL\",\"failed\":true}"));
	assert_null(strstr(b.buf, "ret_code"));
	jbuf_reset(&b);
	assert_int_equal(format_text(&b, &ev, &c), 0);
	jbuf_putc(&b, '\0');
	assert_non_null(strstr(b.buf, "dlopen(\"libnothere.so\", RTLD_NOW|RTLD_GLOBAL) = NULL "
				      "(failed)\n"));
	/* a name without its NUL is refused */
	r.b[sizeof(struct lt_dlopen_ev) + sizeof(name) - 1] = 'x';
	assert_int_equal(event_decode(&r, sizeof(r), &ev), -EINVAL);
	jbuf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(path_under_whole_components),
		cmocka_unit_test(trusted_list_whole_components),
		cmocka_unit_test(libc_names),
		cmocka_unit_test(defaults_are_absolute),
		cmocka_unit_test(elfsym_finds_dlopen_in_libc),
		cmocka_unit_test(elfsym_rejects_non_elf),
		cmocka_unit_test(decode_and_format_lib_load),
		cmocka_unit_test(decode_and_format_dlopen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
