// SPDX-License-Identifier: MIT
/* tests of src/config.c: policy.toml validation, watch specs, config_finish */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

static const char seed_policy[] =
	"[file_monitor]\n"
	"enabled = true\n"
	"directories = [\"/path/to/monitor\"]\n"
	"[exec_monitor]\n"
	"enabled = true\n"
	"watch_commands = [\"bash\", \"python\", \"nginx\"]\n"
	"[network_monitor]\n"
	"enabled = true\n"
	"ports = [80, 443, 8080]\n"
	"protocols = [\"tcp\", \"udp\"]\n"
	"[log]\n"
	"level = \"info\"          # debug|info|warn|error\n"
	"format = \"json\"         # json|text\n"
	"output_path = \"/var/log/ltrack/app.log\"\n"
	"max_size = 100          # MB\n"
	"max_age = 7             # days\n"
	"max_backups = 5\n"
	"compress = true\n"
	"[http_server]\n"
	"enabled = false\n"
	"port = 8080\n"
	"host = \"127.0.0.1\"\n"
	"[storage]\n"
	"enabled = true\n"
	"type = \"stdout\"         # file|stdout|socket\n"
	"format = \"json\"         # json|text\n"
	"adapter = \"logstash\"    # logstash|elasticsearch|fluentd|graylog (optional)\n"
	"file_path = \"/var/log/ltrack/events.log\"\n"
	"max_size = 100\n"
	"max_age = 7\n"
	"max_backups = 5\n"
	"compress = true\n"
	"remote_addr = \"127.0.0.1\"\n"
	"remote_port = 5044\n"
	"[storage.extra_fields]  # free-form: any keys, any TOML values; added to every event\n"
	"env = \"prod\"\n";

/* load @text as "policy.toml"; the formatted error (or "") into @msg */
static int load(struct lt_config *c, const char *text, char *msg, size_t size)
{
	struct lt_config_err err;
	int ret;

	memset(&err, 0x55, sizeof(err));
	ret = config_load_buf(c, text, strlen(text), "policy.toml", &err);
	if (ret)
		config_format_err(&err, msg, size);
	else
		msg[0] = '\0';
	return ret;
}

/* @text must be rejected with exactly @expected ("file:line:col: message") */
static void expect_error(const char *text, const char *expected)
{
	struct lt_config c;
	char msg[1024];

	config_init(&c);
	assert_int_equal(load(&c, text, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, expected);
	config_release(&c);
}

/* @text must load; the caller inspects and releases @c */
static void expect_ok(struct lt_config *c, const char *text)
{
	char msg[1024];
	int ret;

	config_init(c);
	ret = load(c, text, msg, sizeof(msg));
	if (ret)
		fail_msg("unexpected error %d: %s", ret, msg);
}

/* ---- defaults and the seed policy ---------------------------------------- */

static void test_init_sets_documented_defaults(void **state)
{
	struct lt_config c;

	(void)state;
	config_init(&c);
	assert_null(c.path);
	assert_false(c.have_policy);
	assert_true(c.file_enabled);
	assert_int_equal(c.ndirectories, 0);
	assert_null(c.directories);
	assert_true(c.exec_enabled);
	assert_int_equal(c.ncommands, 0);
	assert_false(c.net_present);
	assert_false(c.net_enabled);
	assert_int_equal(c.nports, 0);
	assert_int_equal(c.nprotocols, 0);
	assert_int_equal(c.log_level, LT_LOG_INFO);
	assert_int_equal(c.log_format, LT_FMT_TEXT);
	assert_null(c.log_output_path);
	assert_int_equal(c.log_rotate.max_size_mb, 100);
	assert_int_equal(c.log_rotate.max_age_days, 7);
	assert_int_equal(c.log_rotate.max_backups, 5);
	assert_false(c.log_rotate.compress);
	assert_true(c.storage_enabled);
	assert_int_equal(c.storage_type, LT_STORE_STDOUT);
	assert_int_equal(c.storage_format, LT_FMT_JSON);
	assert_null(c.storage_adapter);
	assert_null(c.storage_file_path);
	assert_int_equal(c.storage_rotate.max_size_mb, 100);
	assert_int_equal(c.storage_rotate.max_age_days, 7);
	assert_int_equal(c.storage_rotate.max_backups, 5);
	assert_false(c.storage_rotate.compress);
	assert_null(c.storage_remote_addr);
	assert_int_equal(c.storage_remote_port, 0);
	assert_int_equal(c.nextra_fields, 0);
	assert_false(c.http_present);
	assert_false(c.http_enabled);
	assert_string_equal(c.http_host, "127.0.0.1");
	assert_int_equal(c.http_port, 8080);
	assert_int_equal(c.nwatches, 0);
	assert_false(c.failed);
	assert_int_equal(c.stats_interval_s, 60);
	config_release(&c);
}

static void test_seed_policy_loads_with_exact_values(void **state)
{
	struct lt_config c;

	(void)state;
	expect_ok(&c, seed_policy);
	assert_string_equal(c.path, "policy.toml");
	assert_true(c.have_policy);
	assert_true(c.file_enabled);
	assert_int_equal(c.ndirectories, 1);
	assert_string_equal(c.directories[0], "/path/to/monitor");
	assert_int_equal(c.directory_pos[0].line, 3);
	assert_int_equal(c.directory_pos[0].col, 16);
	assert_true(c.exec_enabled);
	assert_int_equal(c.ncommands, 3);
	assert_string_equal(c.commands[0], "bash");
	assert_string_equal(c.commands[1], "python");
	assert_string_equal(c.commands[2], "nginx");
	assert_true(c.net_present);
	assert_true(c.net_enabled);
	assert_int_equal(c.nports, 3);
	assert_int_equal(c.ports[0], 80);
	assert_int_equal(c.ports[1], 443);
	assert_int_equal(c.ports[2], 8080);
	assert_int_equal(c.nprotocols, 2);
	assert_string_equal(c.protocols[0], "tcp");
	assert_string_equal(c.protocols[1], "udp");
	assert_int_equal(c.log_level, LT_LOG_INFO);
	assert_int_equal(c.log_format, LT_FMT_JSON);
	assert_string_equal(c.log_output_path, "/var/log/ltrack/app.log");
	assert_int_equal(c.log_rotate.max_size_mb, 100);
	assert_int_equal(c.log_rotate.max_age_days, 7);
	assert_int_equal(c.log_rotate.max_backups, 5);
	assert_true(c.log_rotate.compress);
	assert_true(c.http_present);
	assert_false(c.http_enabled);
	assert_int_equal(c.http_port, 8080);
	assert_string_equal(c.http_host, "127.0.0.1");
	assert_true(c.storage_enabled);
	assert_int_equal(c.storage_type, LT_STORE_STDOUT);
	assert_int_equal(c.storage_format, LT_FMT_JSON);
	assert_string_equal(c.storage_adapter, "logstash");
	assert_string_equal(c.storage_file_path, "/var/log/ltrack/events.log");
	assert_int_equal(c.storage_rotate.max_size_mb, 100);
	assert_int_equal(c.storage_rotate.max_age_days, 7);
	assert_int_equal(c.storage_rotate.max_backups, 5);
	assert_true(c.storage_rotate.compress);
	assert_string_equal(c.storage_remote_addr, "127.0.0.1");
	assert_int_equal(c.storage_remote_port, 5044);
	assert_int_equal(c.nextra_fields, 1);
	assert_string_equal(c.extra_fields[0].key, "env");
	assert_string_equal(c.extra_fields[0].json, "\"prod\"");
	assert_int_equal(c.stats_interval_s, 60);
	assert_false(c.failed);
	assert_int_equal(c.nwatches, 0);	/* directories become watches in config_finish */
	config_release(&c);
}

static void test_empty_policy_keeps_defaults(void **state)
{
	struct lt_config c;

	(void)state;
	expect_ok(&c, "# nothing\n");
	assert_true(c.have_policy);
	assert_true(c.file_enabled);
	assert_int_equal(c.log_format, LT_FMT_TEXT);
	assert_string_equal(c.http_host, "127.0.0.1");
	assert_false(c.net_present);
	assert_false(c.http_present);
	config_release(&c);
}

static void test_agent_section_sets_stats_interval_and_failed(void **state)
{
	struct lt_config c;

	(void)state;
	expect_ok(&c, "[agent]\nstats_interval = 0\nfailed = true\n");
	assert_int_equal(c.stats_interval_s, 0);
	assert_true(c.failed);
	config_release(&c);
	expect_ok(&c, "[agent]\nstats_interval = 86400\n");
	assert_int_equal(c.stats_interval_s, 86400);
	assert_false(c.failed);
	assert_false(c.strict);	/* a refused concern is turned off, not fatal */
	config_release(&c);
	expect_ok(&c, "[agent]\nstrict = true\n");
	assert_true(c.strict);
	config_release(&c);
	expect_error("[agent]\nstats_interval = 86401\n",
		     "policy.toml:2:18: [agent] stats_interval: 86401 is out of range 0..86400");
	expect_error("[agent]\nstats_interval = -1\n",
		     "policy.toml:2:18: [agent] stats_interval: -1 is out of range 0..86400");
}

static void test_every_enum_value_maps_to_its_constant(void **state)
{
	static const char *const levels[] = { "debug", "info", "warn", "error" };
	static const char *const types[] = { "stdout", "file", "socket" };
	struct lt_config c;
	char text[256];

	(void)state;
	for (int i = 0; i < 4; i++) {
		snprintf(text, sizeof(text), "[log]\nlevel = \"%s\"\nformat = \"text\"\n",
			 levels[i]);
		expect_ok(&c, text);
		assert_int_equal(c.log_level, i);
		assert_int_equal(c.log_format, LT_FMT_TEXT);
		config_release(&c);
	}
	for (int i = 0; i < 3; i++) {
		snprintf(text, sizeof(text), "[storage]\ntype = \"%s\"\nformat = \"text\"\n"
			 "file_path = \"/tmp/x\"\nremote_addr = \"h\"\nremote_port = 1\n",
			 types[i]);
		expect_ok(&c, text);
		assert_int_equal(c.storage_type, i);
		assert_int_equal(c.storage_format, LT_FMT_TEXT);
		config_release(&c);
	}
}

static void test_empty_optional_strings_mean_unset(void **state)
{
	struct lt_config c;

	(void)state;
	expect_ok(&c, "[log]\noutput_path = \"\"\n[storage]\nadapter = \"\"\nfile_path = \"\"\n");
	assert_null(c.log_output_path);
	assert_null(c.storage_adapter);
	assert_null(c.storage_file_path);
	config_release(&c);
	expect_error("[http_server]\nhost = \"\"\n",
		     "policy.toml:2:8: [http_server] host: an empty string is not allowed");
}

static void test_sections_written_set_present_flags(void **state)
{
	struct lt_config c;

	(void)state;
	expect_ok(&c, "[network_monitor]\n");
	assert_true(c.net_present);
	assert_false(c.net_enabled);
	assert_false(c.http_present);
	config_release(&c);
	expect_ok(&c, "[http_server]\nenabled = true\nport = 9090\nhost = \"::1\"\n");
	assert_true(c.http_present);
	assert_true(c.http_enabled);
	assert_int_equal(c.http_port, 9090);
	assert_string_equal(c.http_host, "::1");
	assert_false(c.net_present);
	config_release(&c);
}

static void test_dotted_keys_and_inline_tables_are_the_same_policy(void **state)
{
	struct lt_config c;

	(void)state;
	expect_ok(&c, "log.level = \"debug\"\nstorage = { format = \"text\", "
		      "extra_fields = { a = 1 } }\n");
	assert_int_equal(c.log_level, LT_LOG_DEBUG);
	assert_int_equal(c.storage_format, LT_FMT_TEXT);
	assert_int_equal(c.nextra_fields, 1);
	assert_string_equal(c.extra_fields[0].json, "1");
	config_release(&c);
}

/* ---- unknown names -------------------------------------------------------- */

static void test_unknown_key_suggests_near_name(void **state)
{
	(void)state;
	expect_error("[file_monitor]\nenabled = true\ndirectory = [\"/x\"]\n",
		     "policy.toml:3:1: unknown key 'directory' in [file_monitor]; "
		     "did you mean 'directories'?");
	expect_error("[exec_monitor]\nwatch_comands = []\n",
		     "policy.toml:2:1: unknown key 'watch_comands' in [exec_monitor]; "
		     "did you mean 'watch_commands'?");
	expect_error("[log]\n  lvel = \"info\"\n",
		     "policy.toml:2:3: unknown key 'lvel' in [log]; did you mean 'level'?");
	/* transposition counts as one edit */
	expect_error("[log]\nlevle = \"info\"\n",
		     "policy.toml:2:1: unknown key 'levle' in [log]; did you mean 'level'?");
}

static void test_unknown_key_matches_case_insensitively(void **state)
{
	(void)state;
	expect_error("[storage]\nREMOTE_ADDR = \"x\"\n",
		     "policy.toml:2:1: unknown key 'REMOTE_ADDR' in [storage]; "
		     "did you mean 'remote_addr'?");
}

static void test_unknown_key_far_from_all_names_has_no_suggestion(void **state)
{
	(void)state;
	expect_error("[log]\nbanana = 1\n", "policy.toml:2:1: unknown key 'banana' in [log]");
}

static void test_key_of_another_section_says_where_it_belongs(void **state)
{
	(void)state;
	expect_error("[log]\nwatch_commands = []\n",
		     "policy.toml:2:1: unknown key 'watch_commands' in [log]; "
		     "it belongs in [exec_monitor]");
}

static void test_unknown_section_suggests_near_name(void **state)
{
	(void)state;
	expect_error("[file_monitr]\nenabled = true\n",
		     "policy.toml:1:2: unknown section [file_monitr]; "
		     "did you mean [file_monitor]?");
	expect_error("\n[Log]\n",
		     "policy.toml:2:2: unknown section [Log]; did you mean [log]?");
	expect_error("[rules]\n", "policy.toml:1:2: unknown section [rules]");
}

static void test_unknown_subtable_is_an_unknown_key(void **state)
{
	(void)state;
	expect_error("[log.rotate]\nx = 1\n", "policy.toml:1:6: unknown key 'rotate' in [log]");
}

static void test_top_level_key_is_rejected(void **state)
{
	(void)state;
	expect_error("enabled = true\n",
		     "policy.toml:1:1: key 'enabled' is outside any section; "
		     "it belongs in [file_monitor]");
	expect_error("verbose = true\n",
		     "policy.toml:1:1: unknown key 'verbose' outside any section");
}

static void test_section_that_is_not_a_table_is_rejected(void **state)
{
	(void)state;
	expect_error("log = 3\n", "policy.toml:1:7: log must be a table ([log]), not integer");
	expect_error("[[log]]\nlevel = \"info\"\n",
		     "policy.toml:1:1: log must be a table ([log]), not array");
}

static void test_unknown_names_with_control_characters_are_shown_escaped(void **state)
{
	(void)state;
	expect_error("[log]\n\"a\\u001bb\" = 1\n",
		     "policy.toml:2:1: unknown key 'a\\x1bb' in [log]");
}

/* ---- types ----------------------------------------------------------------- */

static void test_wrong_type_reports_value_position(void **state)
{
	(void)state;
	expect_error("[exec_monitor]\nenabled = true\n\n\nwatch_commands = 5\n",
		     "policy.toml:5:18: [exec_monitor] watch_commands must be an array of strings, "
		     "not integer");
	expect_error("[file_monitor]\nenabled = \"yes\"\n",
		     "policy.toml:2:11: [file_monitor] enabled must be a boolean, not string");
	expect_error("[log]\nmax_size = 1.5\n",
		     "policy.toml:2:12: [log] max_size must be an integer, not float");
	expect_error("[log]\nlevel = 1\n",
		     "policy.toml:2:9: [log] level must be a string, not integer");
	expect_error("[network_monitor]\nports = 80\n",
		     "policy.toml:2:9: [network_monitor] ports must be an array of integers, "
		     "not integer");
	expect_error("[storage]\nextra_fields = 1\n",
		     "policy.toml:2:16: [storage] extra_fields must be a table, not integer");
	expect_error("[http_server]\nhost = 1979-05-27\n",
		     "policy.toml:2:8: [http_server] host must be a string, not datetime");
}

static void test_wrong_element_type_reports_element_position(void **state)
{
	(void)state;
	expect_error("[exec_monitor]\nwatch_commands = [\"bash\", 3]\n",
		     "policy.toml:2:27: [exec_monitor] watch_commands[1] must be a string, "
		     "not integer");
	expect_error("[network_monitor]\nports = [80,\n  \"443\"]\n",
		     "policy.toml:3:3: [network_monitor] ports[1] must be an integer, not string");
}

static void test_string_with_nul_byte_is_rejected(void **state)
{
	(void)state;
	expect_error("[log]\noutput_path = \"/a\\u0000b\"\n",
		     "policy.toml:2:15: [log] output_path: a string with a NUL byte "
		     "is not allowed");
	expect_error("[exec_monitor]\nwatch_commands = [\"a\\u0000\"]\n",
		     "policy.toml:2:19: [exec_monitor] watch_commands: a string with a NUL byte "
		     "is not allowed");
}

/* ---- ranges and enums ------------------------------------------------------- */

static void test_out_of_range_integers_are_rejected(void **state)
{
	(void)state;
	expect_error("[network_monitor]\nports = [80, 70000]\n",
		     "policy.toml:2:14: [network_monitor] ports: 70000 is out of range 1..65535");
	expect_error("[network_monitor]\nports = [0]\n",
		     "policy.toml:2:10: [network_monitor] ports: 0 is out of range 1..65535");
	expect_error("[http_server]\nport = 65536\n",
		     "policy.toml:2:8: [http_server] port: 65536 is out of range 1..65535");
	expect_error("[storage]\nremote_port = 0\n",
		     "policy.toml:2:15: [storage] remote_port: 0 is out of range 1..65535");
	expect_error("[log]\nmax_backups = -5\n",
		     "policy.toml:2:15: [log] max_backups: -5 is out of range 0..10000");
	expect_error("[storage]\nmax_size = 9223372036854775807\n",
		     "policy.toml:2:12: [storage] max_size: 9223372036854775807 is out of range "
		     "0..1048576");
}

static void test_duplicate_port_is_rejected_at_second(void **state)
{
	(void)state;
	expect_error("[network_monitor]\nports = [80, 443, 80]\n",
		     "policy.toml:2:19: [network_monitor] ports: 80 is listed twice");
}

static void test_bad_enum_lists_expected_values(void **state)
{
	(void)state;
	expect_error("[log]\nlevel = \"loud\"\n",
		     "policy.toml:2:9: [log] level: unknown level 'loud' "
		     "(expected debug, info, warn or error)");
	expect_error("[log]\nformat = \"xml\"\n",
		     "policy.toml:2:10: [log] format: unknown format 'xml' "
		     "(expected json or text)");
	expect_error("[storage]\ntype = \"kafka\"\n",
		     "policy.toml:2:8: [storage] type: unknown type 'kafka' "
		     "(expected stdout, file or socket)");
	expect_error("[storage]\nadapter = \"splunk\"\n",
		     "policy.toml:2:11: [storage] adapter: unknown adapter 'splunk' "
		     "(expected logstash, elasticsearch, fluentd or graylog)");
	/* names are case-sensitive, as in the seed */
	expect_error("[log]\nlevel = \"INFO\"\n",
		     "policy.toml:2:9: [log] level: unknown level 'INFO' "
		     "(expected debug, info, warn or error)");
}

static void test_every_adapter_is_accepted(void **state)
{
	static const char *const names[] = { "logstash", "elasticsearch", "fluentd", "graylog" };
	struct lt_config c;
	char text[128];

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		snprintf(text, sizeof(text), "[storage]\nadapter = \"%s\"\n", names[i]);
		expect_ok(&c, text);
		assert_string_equal(c.storage_adapter, names[i]);
		config_release(&c);
	}
}

static void test_protocols_are_only_tcp_and_udp(void **state)
{
	(void)state;
	expect_error("[network_monitor]\nprotocols = [\"tcp\", \"icmp\"]\n",
		     "policy.toml:2:21: [network_monitor] protocols: unknown protocol 'icmp' "
		     "(expected tcp, udp or unix)");	/* net: unix */
	expect_error("[network_monitor]\nprotocols = [\"udp\", \"udp\"]\n",
		     "policy.toml:2:21: [network_monitor] protocols: 'udp' is listed twice");
}

/* ---- directories and commands ---------------------------------------------- */

static void test_directories_must_be_absolute_and_non_empty(void **state)
{
	(void)state;
	expect_error("[file_monitor]\ndirectories = [\"/ok\", \"models\"]\n",
		     "policy.toml:2:23: [file_monitor] directories: 'models' is not an "
		     "absolute path");
	expect_error("[file_monitor]\ndirectories = [\"\"]\n",
		     "policy.toml:2:16: [file_monitor] directories: an empty string "
		     "is not allowed");
	expect_error("[file_monitor]\ndirectories = [\"/a\", \"/a\"]\n",
		     "policy.toml:2:22: [file_monitor] directories: '/a' is listed twice");
}

static void test_watch_commands_limits(void **state)
{
	char long_name[LT_CMD_LEN + 1], text[8192];
	struct lt_config c;
	size_t o;

	(void)state;
	expect_error("[exec_monitor]\nwatch_commands = [\"/usr/bin/bash\"]\n",
		     "policy.toml:2:19: [exec_monitor] watch_commands: '/usr/bin/bash' contains "
		     "'/' (a command name is matched, not a path)");
	expect_error("[exec_monitor]\nwatch_commands = [\"\"]\n",
		     "policy.toml:2:19: [exec_monitor] watch_commands: an empty string is not "
		     "allowed");

	/* 63 bytes fit, 64 do not */
	memset(long_name, 'a', LT_CMD_LEN - 1);
	long_name[LT_CMD_LEN - 1] = '\0';
	snprintf(text, sizeof(text), "[exec_monitor]\nwatch_commands = [\"%s\"]\n", long_name);
	expect_ok(&c, text);
	assert_int_equal(strlen(c.commands[0]), LT_CMD_LEN - 1);
	config_release(&c);
	memset(long_name, 'a', LT_CMD_LEN);
	long_name[LT_CMD_LEN] = '\0';
	snprintf(text, sizeof(text), "[exec_monitor]\nwatch_commands = [\"%s\"]\n", long_name);
	expect_error(text, "policy.toml:2:19: [exec_monitor] watch_commands: "
			   "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' "
			   "is longer than 63 bytes");

	/* 64 entries fit, the 65th is reported where it is written */
	o = (size_t)snprintf(text, sizeof(text), "[exec_monitor]\nwatch_commands = [\n");
	for (int i = 0; i < LT_CMD_MAX; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "\"c%d\",\n", i);
	snprintf(text + o, sizeof(text) - o, "]\n");
	expect_ok(&c, text);
	assert_int_equal(c.ncommands, LT_CMD_MAX);
	assert_string_equal(c.commands[LT_CMD_MAX - 1], "c63");
	config_release(&c);
	snprintf(text + o, sizeof(text) - o, "\"c64\"]\n");
	expect_error(text, "policy.toml:67:1: [exec_monitor] watch_commands: more than 64 entries");
}

static void test_empty_arrays_are_allowed(void **state)
{
	struct lt_config c;

	(void)state;
	expect_ok(&c, "[exec_monitor]\nwatch_commands = []\n[file_monitor]\ndirectories = []\n"
		      "[network_monitor]\nports = []\n");
	assert_int_equal(c.ncommands, 0);
	assert_null(c.commands);
	assert_int_equal(c.ndirectories, 0);
	assert_int_equal(c.nports, 0);
	config_release(&c);
}

/* ---- [storage] between keys --------------------------------------------------- */

static void test_storage_type_needs_its_destination(void **state)
{
	struct lt_config c;

	(void)state;
	expect_error("[storage]\ntype = \"file\"\n",
		     "policy.toml:2:8: [storage] type \"file\" needs file_path");
	expect_error("[storage]\ntype = \"file\"\nfile_path = \"\"\n",
		     "policy.toml:2:8: [storage] type \"file\" needs file_path");
	expect_error("[storage]\ntype = \"socket\"\n",
		     "policy.toml:2:8: [storage] type \"socket\" needs remote_addr "
		     "and remote_port");
	expect_error("[storage]\ntype = \"socket\"\nremote_addr = \"10.0.0.1\"\n",
		     "policy.toml:2:8: [storage] type \"socket\" needs remote_port");
	expect_error("[storage]\nremote_port = 5044\ntype = \"socket\"\n",
		     "policy.toml:3:8: [storage] type \"socket\" needs remote_addr");

	expect_ok(&c, "[storage]\ntype = \"file\"\nfile_path = \"/var/log/ev.log\"\n");
	assert_int_equal(c.storage_type, LT_STORE_FILE);
	assert_string_equal(c.storage_file_path, "/var/log/ev.log");
	config_release(&c);
	expect_ok(&c, "[storage]\ntype = \"socket\"\nremote_addr = \"10.0.0.1\"\n"
		      "remote_port = 5044\n");
	assert_int_equal(c.storage_type, LT_STORE_SOCKET);
	assert_string_equal(c.storage_remote_addr, "10.0.0.1");
	assert_int_equal(c.storage_remote_port, 5044);
	config_release(&c);
}

/* ---- [storage.extra_fields] ------------------------------------------------- */

static const char *extra_json(const struct lt_config *c, const char *key)
{
	for (size_t i = 0; i < c->nextra_fields; i++)
		if (!strcmp(c->extra_fields[i].key, key))
			return c->extra_fields[i].json;
	fail_msg("no extra field %s", key);
	return NULL;
}

static void test_extra_fields_are_encoded_as_json(void **state)
{
	struct lt_config c;

	(void)state;
	expect_ok(&c,
		  "[storage.extra_fields]\n"
		  "s = \"a\\\"b\\\\c\\n\\t\\u0001\\u007f\u00e9\"\n"
		  "lit = 'C:\\dir'\n"
		  "i = -42\n"
		  "big = 9223372036854775807\n"
		  "f = 1.5\n"
		  "whole = 3.0\n"
		  "tiny = 1e-300\n"
		  "third = 0.1\n"
		  "neg0 = -0.0\n"
		  "yes = true\n"
		  "no = false\n"
		  "when = 1979-05-27T07:32:00Z\n"
		  "day = 1979-05-27\n"
		  "arr = [1, \"two\", [3.5], {x = false}]\n"
		  "empty = []\n"
		  "obj = { a = 1, \"b c\" = \"d\", nested = { deep = [] } }\n"
		  "[storage.extra_fields.sub]\n"
		  "k = \"v\"\n");
	assert_int_equal(c.nextra_fields, 17);
	assert_string_equal(c.extra_fields[0].key, "s");
	/* as every event string: control characters escaped, DEL (valid JSON) kept */
	assert_string_equal(extra_json(&c, "s"), "\"a\\\"b\\\\c\\n\\t\\u0001\x7f\u00e9\"");
	assert_string_equal(extra_json(&c, "lit"), "\"C:\\\\dir\"");
	assert_string_equal(extra_json(&c, "i"), "-42");
	assert_string_equal(extra_json(&c, "big"), "9223372036854775807");
	assert_string_equal(extra_json(&c, "f"), "1.5");
	assert_string_equal(extra_json(&c, "whole"), "3.0");
	assert_string_equal(extra_json(&c, "tiny"), "1e-300");
	assert_string_equal(extra_json(&c, "third"), "0.1");
	assert_string_equal(extra_json(&c, "neg0"), "-0.0");
	assert_string_equal(extra_json(&c, "yes"), "true");
	assert_string_equal(extra_json(&c, "no"), "false");
	assert_string_equal(extra_json(&c, "when"), "\"1979-05-27T07:32:00Z\"");
	assert_string_equal(extra_json(&c, "day"), "\"1979-05-27\"");
	assert_string_equal(extra_json(&c, "arr"), "[1,\"two\",[3.5],{\"x\":false}]");
	assert_string_equal(extra_json(&c, "empty"), "[]");
	assert_string_equal(extra_json(&c, "obj"),
			    "{\"a\":1,\"b c\":\"d\",\"nested\":{\"deep\":[]}}");
	assert_string_equal(extra_json(&c, "sub"), "{\"k\":\"v\"}");
	config_release(&c);
}

static void test_extra_field_with_nul_byte_is_escaped(void **state)
{
	struct lt_config c;

	(void)state;
	expect_ok(&c, "[storage.extra_fields]\nz = \"a\\u0000b\"\n");
	assert_string_equal(c.extra_fields[0].json, "\"a\\u0000b\"");
	config_release(&c);
}

static void test_extra_field_inf_and_nan_are_rejected(void **state)
{
	(void)state;
	expect_error("[storage.extra_fields]\nratio = inf\n",
		     "policy.toml:2:9: [storage.extra_fields] ratio: inf cannot be "
		     "written as JSON");
	expect_error("[storage.extra_fields]\nratio = -inf\n",
		     "policy.toml:2:9: [storage.extra_fields] ratio: inf cannot be "
		     "written as JSON");
	expect_error("[storage.extra_fields]\nv = [1.0, nan]\n",
		     "policy.toml:2:11: [storage.extra_fields] v: nan cannot be written as JSON");
}

static void test_extra_field_cannot_shadow_event_fields(void **state)
{
	static const char *const reserved[] = {
		"schema", "hostname", "boot_id", "timestamp", "time_str", "seq", "pid", "tid",
		"ppid", "uid", "gid", "euid", "loginuid", "comm", "exe", "exec_id",
		"parent_exec_id", "event_type", "event_name", "syscall_nr", "ret_code",
		"filename", "new_filename", "target", "requested", "argv", "argv_truncated",
		"cwd", "interpreter", "mode", "file_type", "flags", "flags_str", "device", "dev",
		"inode", "new_uid", "new_gid", "path_exact", "path_truncated", "watch",
		"child_pid", "child_exec_id", "exit_code", "signal", "signal_name",
		"core_dumped", "drops", "stats",
	};
	char text[128], expected[256];

	(void)state;
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		snprintf(text, sizeof(text), "[storage.extra_fields]\nenv = 1\n%s = 1\n",
			 reserved[i]);
		snprintf(expected, sizeof(expected), "policy.toml:3:1: [storage.extra_fields] '%s' "
			 "is an ltrack event field and cannot be set", reserved[i]);
		expect_error(text, expected);
	}
	expect_error("[storage.extra_fields]\n\"\" = 1\n",
		     "policy.toml:2:1: [storage.extra_fields] a field needs a name");
}

/* ---- syntax errors and files -------------------------------------------------- */

static void test_toml_syntax_error_keeps_its_position(void **state)
{
	struct lt_config_err err;
	struct lt_config c;
	const char *text = "[log]\nlevel = \n";

	(void)state;
	config_init(&c);
	assert_int_equal(config_load_buf(&c, text, strlen(text), "p.toml", &err), -EINVAL);
	assert_string_equal(err.file, "p.toml");
	assert_int_equal(err.line, 2);
	assert_true(err.col > 0);
	assert_true(strlen(err.msg) > 0);
	config_release(&c);
}

static void test_load_file_reads_and_names_the_file(void **state)
{
	char dir[] = "/tmp/ltrack-cfg-XXXXXX", path[PATH_MAX], msg[1024];
	struct lt_config_err err;
	struct lt_config c;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/policy.toml", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[log]\nlevel = \"warn\"\n[file_monitor]\ndirectories = [\"/\"]\nenable = 1\n", f);
	fclose(f);

	config_init(&c);
	assert_int_equal(config_load_file(&c, path, &err), -EINVAL);
	config_format_err(&err, msg, sizeof(msg));
	assert_true(strstr(msg, ":5:1: unknown key 'enable' in [file_monitor]; "
			       "did you mean 'enabled'?") != NULL);
	assert_memory_equal(msg, path, strlen(path));
	config_release(&c);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[log]\nlevel = \"warn\"\n", f);
	fclose(f);
	config_init(&c);
	assert_int_equal(config_load_file(&c, path, &err), 0);
	assert_string_equal(c.path, path);
	assert_true(c.have_policy);
	assert_int_equal(c.log_level, LT_LOG_WARN);
	config_release(&c);

	unlink(path);
	rmdir(dir);
}

static void test_unreadable_file_reports_errno(void **state)
{
	struct lt_config_err err;
	struct lt_config c;
	char msg[1024];

	(void)state;
	config_init(&c);
	assert_int_equal(config_load_file(&c, "/nonexistent/policy.toml", &err), -ENOENT);
	config_format_err(&err, msg, sizeof(msg));
	assert_string_equal(msg,
			    "/nonexistent/policy.toml: cannot read: No such file or directory");
	assert_false(c.have_policy);
	assert_int_equal(config_load_file(&c, "/", &err), -EISDIR);
	config_format_err(&err, msg, sizeof(msg));
	assert_string_equal(msg, "/: cannot read: Is a directory");
	config_release(&c);
}

/*
 * Review finding 14 as it was run: a FIFO as the policy (--check, or a
 * SIGHUP after the path was swapped) blocked until killed. Refused at
 * once now, without opening anything for reading; so are a device and a
 * policy every user may write.
 */
static void test_fifo_device_and_world_writable_policies_refused(void **state)
{
	struct lt_config_err err;
	struct lt_config c;
	char dir[] = "/tmp/ltrack-cfg-XXXXXX", path[96], msg[1024];
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	config_init(&c);
	snprintf(path, sizeof(path), "%s/fifo.toml", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(config_load_file(&c, path, &err), -EINVAL);	/* no writer: would block */
	config_format_err(&err, msg, sizeof(msg));
	assert_non_null(strstr(msg, "fifo.toml: not a regular file"));
	unlink(path);
	assert_int_equal(config_load_file(&c, "/dev/null", &err), -EINVAL);
	snprintf(path, sizeof(path), "%s/open.toml", dir);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "[agent]\n", 8), 8);
	assert_int_equal(fchmod(fd, 0666), 0);
	close(fd);
	assert_int_equal(config_load_file(&c, path, &err), -EPERM);
	config_format_err(&err, msg, sizeof(msg));
	assert_non_null(strstr(msg, "open.toml: writable by every user (mode 0666)"));
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(config_load_file(&c, path, &err), 0);
	unlink(path);
	rmdir(dir);
	config_release(&c);
}

static void test_file_over_16_mib_is_rejected(void **state)
{
	char dir[] = "/tmp/ltrack-cfg-XXXXXX", path[PATH_MAX], msg[1024];
	struct lt_config_err err;
	struct lt_config c;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/big.toml", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (16 << 20) + 1), 0);
	close(fd);
	config_init(&c);
	assert_int_equal(config_load_file(&c, path, &err), -EFBIG);
	config_format_err(&err, msg, sizeof(msg));
	assert_true(strstr(msg, "/big.toml: larger than 16 MiB") != NULL);
	config_release(&c);
	unlink(path);
	rmdir(dir);
}

static void test_format_err_variants(void **state)
{
	struct lt_config_err err = { .file = "f.toml", .line = 3, .col = 7, .msg = "bad" };
	char buf[64];

	(void)state;
	config_format_err(&err, buf, sizeof(buf));
	assert_string_equal(buf, "f.toml:3:7: bad");
	err.line = 0;
	config_format_err(&err, buf, sizeof(buf));
	assert_string_equal(buf, "f.toml: bad");
	err.file[0] = '\0';
	config_format_err(&err, buf, sizeof(buf));
	assert_string_equal(buf, "bad");
	config_format_err(&err, buf, 3);
	assert_string_equal(buf, "ba");
}

static void test_loading_again_replaces_values_without_leaks(void **state)
{
	struct lt_config c;
	char msg[256];

	(void)state;
	expect_ok(&c, seed_policy);
	assert_int_equal(load(&c, "[exec_monitor]\nwatch_commands = [\"sh\"]\n"
			      "[http_server]\nhost = \"0.0.0.0\"\n[storage.extra_fields]\nz = 1\n",
			      msg, sizeof(msg)), 0);
	assert_int_equal(c.ncommands, 1);
	assert_string_equal(c.commands[0], "sh");
	assert_string_equal(c.http_host, "0.0.0.0");
	assert_int_equal(c.nextra_fields, 1);
	assert_string_equal(c.extra_fields[0].key, "z");
	assert_int_equal(c.nports, 3);	/* not written again: kept */
	config_release(&c);
}

static void test_null_err_is_accepted(void **state)
{
	struct lt_config c;

	(void)state;
	config_init(&c);
	assert_int_equal(config_load_buf(&c, "x = 1", 5, "p", NULL), -EINVAL);
	assert_int_equal(config_add_watch_spec(&c, "nope", NULL, NULL), -EINVAL);
	config_release(&c);
}

/* ---- watch specs ----------------------------------------------------------------- */

static void expect_spec_error(const char *spec, const char *expected)
{
	struct lt_config_err err;
	struct lt_config c;
	char msg[1024];

	config_init(&c);
	assert_int_equal(config_add_watch_spec(&c, spec, "--watch", &err), -EINVAL);
	config_format_err(&err, msg, sizeof(msg));
	assert_string_equal(msg, expected);
	assert_int_equal(c.nwatches, 0);
	config_release(&c);
}

static void test_watch_spec_parses_events_and_path(void **state)
{
	struct lt_config_err err;
	struct lt_config c;

	(void)state;
	config_init(&c);
	assert_int_equal(config_add_watch_spec(&c, "create,mkdir=/usr/lib", "--watch", &err), 0);
	assert_int_equal(config_add_watch_spec(&c, "all=rel/dir", "--watch", &err), 0);
	assert_int_equal(config_add_watch_spec(&c, "all,open=/a=b", NULL, &err), 0);
	assert_int_equal(config_add_watch_spec(&c, "open,modify,delete,rmdir,rename,attrib,"
					       "symlink,link,mknod=/x", "-w", &err), 0);
	assert_int_equal(c.nwatches, 4);
	assert_string_equal(c.watches[0].path, "/usr/lib");
	assert_int_equal(c.watches[0].mask, LT_W_CREATE | LT_W_MKDIR);
	assert_string_equal(c.watches[0].origin, "--watch");
	assert_string_equal(c.watches[1].path, "rel/dir");
	assert_int_equal(c.watches[1].mask, LT_W_ALL);
	assert_false(c.watches[1].mask & LT_W_OPEN);
	assert_string_equal(c.watches[2].path, "/a=b");
	assert_int_equal(c.watches[2].mask, LT_W_ALL | LT_W_OPEN);
	assert_string_equal(c.watches[2].origin, "--watch");
	assert_int_equal(c.watches[3].mask, (LT_W_ALL | LT_W_OPEN) & ~(LT_W_CREATE | LT_W_MKDIR));
	assert_string_equal(c.watches[3].origin, "-w");
	config_release(&c);
}

static void test_watch_spec_errors(void **state)
{
	(void)state;
	expect_spec_error("crate=/x", "--watch 'crate=/x': unknown event 'crate'; "
				      "did you mean 'create'?");
	expect_spec_error("create,mkdri=/x", "--watch 'create,mkdri=/x': unknown event 'mkdri'; "
					     "did you mean 'mkdir'?");
	expect_spec_error("al=/x", "--watch 'al=/x': unknown event 'al'; did you mean 'all'?");
	expect_spec_error("write=/x", "--watch 'write=/x': unknown event 'write' (expected all, "
				      "create, mkdir, mknod, delete, rmdir, rename, attrib, "
				      "symlink, link, modify or open)");
	expect_spec_error("/etc", "--watch '/etc': expected EVENTS=PATH, e.g. create,delete=/etc");
	expect_spec_error("=/etc", "--watch '=/etc': no events before '='");
	expect_spec_error("create=", "--watch 'create=': empty path");
	expect_spec_error("create,,delete=/x", "--watch 'create,,delete=/x': empty event name");
	expect_spec_error("create,=/x", "--watch 'create,=/x': empty event name");
	expect_spec_error("Create=/x", "--watch 'Create=/x': unknown event 'Create'; "
				       "did you mean 'create'?");
}

static void test_watch_mask_names(void **state)
{
	char buf[128];

	(void)state;
	assert_string_equal(lt_watch_mask_name(0, buf, sizeof(buf)), "none");
	assert_string_equal(lt_watch_mask_name(LT_W_CREATE | LT_W_DELETE, buf, sizeof(buf)),
			    "create,delete");
	assert_string_equal(lt_watch_mask_name(LT_W_ALL, buf, sizeof(buf)), "all");
	assert_string_equal(lt_watch_mask_name(LT_W_ALL | LT_W_OPEN, buf, sizeof(buf)),
			    "all,open");
	assert_string_equal(lt_watch_mask_name(LT_W_OPEN, buf, sizeof(buf)), "open");
	assert_string_equal(lt_watch_mask_name(LT_W_CREATE | LT_W_DELETE, buf, 8), "create,");
}

/* ---- config_finish ----------------------------------------------------------------- */

struct tree {
	char root[64];
	char a[96];
	char b[96];
	char file[96];
};

static void tree_make(struct tree *t)
{
	FILE *f;

	snprintf(t->root, sizeof(t->root), "/tmp/ltrack-cfg-XXXXXX");
	assert_non_null(mkdtemp(t->root));
	snprintf(t->a, sizeof(t->a), "%s/a", t->root);
	snprintf(t->b, sizeof(t->b), "%s/b", t->root);
	snprintf(t->file, sizeof(t->file), "%s/f", t->root);
	assert_int_equal(mkdir(t->a, 0700), 0);
	assert_int_equal(mkdir(t->b, 0700), 0);
	f = fopen(t->file, "w");
	assert_non_null(f);
	fclose(f);
}

static void tree_remove(struct tree *t)
{
	char link[PATH_MAX];

	snprintf(link, sizeof(link), "%s/l", t->root);
	unlink(link);
	unlink(t->file);
	rmdir(t->a);
	rmdir(t->b);
	rmdir(t->root);
}

static void test_finish_turns_directories_into_all_watches_first(void **state)
{
	struct lt_config_err err;
	struct lt_config c;
	struct tree t;
	char text[1024], spec[PATH_MAX + 16], real_a[PATH_MAX], real_b[PATH_MAX];

	(void)state;
	tree_make(&t);
	assert_non_null(realpath(t.a, real_a));
	assert_non_null(realpath(t.b, real_b));
	snprintf(text, sizeof(text), "[file_monitor]\ndirectories = [\"%s\"]\n", t.a);
	expect_ok(&c, text);
	snprintf(spec, sizeof(spec), "create=%s", t.b);
	assert_int_equal(config_add_watch_spec(&c, spec, "--watch", &err), 0);
	assert_int_equal(config_finish(&c, &err), 0);
	assert_int_equal(c.nwatches, 2);
	assert_string_equal(c.watches[0].path, real_a);
	assert_int_equal(c.watches[0].mask, LT_W_ALL);
	assert_string_equal(c.watches[0].origin, "policy.toml:2:16");
	assert_string_equal(c.watches[1].path, real_b);
	assert_int_equal(c.watches[1].mask, LT_W_CREATE);
	assert_string_equal(c.watches[1].origin, "--watch");

	/* a second call gives the same list */
	assert_int_equal(config_finish(&c, &err), 0);
	assert_int_equal(c.nwatches, 2);
	assert_string_equal(c.watches[0].path, real_a);
	assert_int_equal(c.watches[0].mask, LT_W_ALL);
	assert_string_equal(c.watches[1].path, real_b);
	assert_int_equal(c.watches[1].mask, LT_W_CREATE);
	config_release(&c);
	tree_remove(&t);
}

static void test_finish_skips_directories_when_file_monitor_disabled(void **state)
{
	struct lt_config_err err;
	struct lt_config c;
	char text[256];

	(void)state;
	snprintf(text, sizeof(text), "[file_monitor]\nenabled = false\n"
		 "directories = [\"/nonexistent/dir\"]\n");
	expect_ok(&c, text);
	assert_int_equal(config_finish(&c, &err), 0);
	assert_int_equal(c.nwatches, 0);
	config_release(&c);
}

static void test_finish_merges_one_directory_by_union(void **state)
{
	char spec[PATH_MAX + 32], link[PATH_MAX], real_a[PATH_MAX], text[1024];
	struct lt_config_err err;
	struct lt_config c;
	struct tree t;

	(void)state;
	tree_make(&t);
	assert_non_null(realpath(t.a, real_a));
	snprintf(link, sizeof(link), "%s/l", t.root);
	assert_int_equal(symlink(t.a, link), 0);
	snprintf(text, sizeof(text), "[file_monitor]\ndirectories = [\"%s\"]\n", t.a);
	expect_ok(&c, text);
	snprintf(spec, sizeof(spec), "open=%s/", t.a);		/* trailing slash */
	assert_int_equal(config_add_watch_spec(&c, spec, "--watch", &err), 0);
	snprintf(spec, sizeof(spec), "delete=%s", link);	/* through a symlink */
	assert_int_equal(config_add_watch_spec(&c, spec, "--watch", &err), 0);
	assert_int_equal(config_finish(&c, &err), 0);
	assert_int_equal(c.nwatches, 1);
	assert_string_equal(c.watches[0].path, real_a);
	assert_int_equal(c.watches[0].mask, LT_W_ALL | LT_W_OPEN);
	assert_string_equal(c.watches[0].origin, "policy.toml:2:16");
	config_release(&c);

	/* two CLI specs of one directory: union too */
	config_init(&c);
	snprintf(spec, sizeof(spec), "create=%s", t.a);
	assert_int_equal(config_add_watch_spec(&c, spec, "--watch", &err), 0);
	snprintf(spec, sizeof(spec), "rmdir=%s/../a", t.a);
	assert_int_equal(config_add_watch_spec(&c, spec, "--watch", &err), 0);
	assert_int_equal(config_finish(&c, &err), 0);
	assert_int_equal(c.nwatches, 1);
	assert_int_equal(c.watches[0].mask, LT_W_CREATE | LT_W_RMDIR);
	config_release(&c);
	tree_remove(&t);
}

static void test_finish_makes_relative_paths_absolute(void **state)
{
	char cwd[PATH_MAX], real_b[PATH_MAX];
	struct lt_config_err err;
	struct lt_config c;
	struct tree t;

	(void)state;
	tree_make(&t);
	assert_non_null(realpath(t.b, real_b));
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(t.root), 0);
	config_init(&c);
	assert_int_equal(config_add_watch_spec(&c, "mkdir=b", "--watch", &err), 0);
	assert_int_equal(config_add_watch_spec(&c, "attrib=./b/", "--watch", &err), 0);
	assert_int_equal(config_finish(&c, &err), 0);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(c.nwatches, 1);
	assert_string_equal(c.watches[0].path, real_b);
	assert_int_equal(c.watches[0].mask, LT_W_MKDIR | LT_W_ATTRIB);
	config_release(&c);
	tree_remove(&t);
}

static void test_finish_reports_missing_policy_directory_at_its_position(void **state)
{
	struct lt_config_err err;
	struct lt_config c;
	char msg[1024];

	(void)state;
	expect_ok(&c, "[file_monitor]\ndirectories = [\"/\",\n  \"/nonexistent/ltrack-dir\"]\n");
	assert_int_equal(config_add_watch_spec(&c, "all=/", "--watch", &err), 0);
	assert_int_equal(config_finish(&c, &err), -ENOENT);
	config_format_err(&err, msg, sizeof(msg));
	assert_string_equal(msg, "policy.toml:3:3: watched directory '/nonexistent/ltrack-dir': "
				 "No such file or directory");
	/* the list is unchanged on failure */
	assert_int_equal(c.nwatches, 1);
	assert_string_equal(c.watches[0].path, "/");
	config_release(&c);
}

static void test_finish_reports_cli_watch_errors_by_origin(void **state)
{
	struct lt_config_err err;
	struct lt_config c;
	struct tree t;
	char msg[1024], spec[PATH_MAX + 16], expected[PATH_MAX + 64];

	(void)state;
	tree_make(&t);
	config_init(&c);
	assert_int_equal(config_add_watch_spec(&c, "all=/nonexistent/x", "--watch", &err), 0);
	assert_int_equal(config_finish(&c, &err), -ENOENT);
	config_format_err(&err, msg, sizeof(msg));
	assert_string_equal(msg, "--watch '/nonexistent/x': No such file or directory");
	config_release(&c);

	config_init(&c);
	snprintf(spec, sizeof(spec), "all=%s", t.file);
	assert_int_equal(config_add_watch_spec(&c, spec, "--watch", &err), 0);
	assert_int_equal(config_finish(&c, &err), -ENOTDIR);
	config_format_err(&err, msg, sizeof(msg));
	snprintf(expected, sizeof(expected), "--watch '%s': Not a directory", t.file);
	assert_string_equal(msg, expected);
	config_release(&c);
	tree_remove(&t);
}

static void test_finish_rejects_policy_file_as_directory(void **state)
{
	struct lt_config_err err;
	struct lt_config c;
	struct tree t;
	char text[1024], msg[1024], expected[PATH_MAX + 128];

	(void)state;
	tree_make(&t);
	snprintf(text, sizeof(text), "[file_monitor]\ndirectories = [\"%s\"]\n", t.file);
	expect_ok(&c, text);
	assert_int_equal(config_finish(&c, &err), -ENOTDIR);
	config_format_err(&err, msg, sizeof(msg));
	snprintf(expected, sizeof(expected),
		 "policy.toml:2:16: watched directory '%s': Not a directory", t.file);
	assert_string_equal(msg, expected);
	config_release(&c);
	tree_remove(&t);
}

/* ---- lifetime ------------------------------------------------------------------- */

static void test_release_twice_is_safe_and_reinits(void **state)
{
	struct lt_config_err err;
	struct lt_config c;

	(void)state;
	expect_ok(&c, seed_policy);
	assert_int_equal(config_add_watch_spec(&c, "all=/", "--watch", &err), 0);
	config_release(&c);
	assert_null(c.path);
	assert_null(c.watches);
	assert_int_equal(c.nwatches, 0);
	assert_null(c.directories);
	assert_null(c.directory_pos);
	assert_int_equal(c.log_format, LT_FMT_TEXT);
	assert_string_equal(c.http_host, "127.0.0.1");
	config_release(&c);
	assert_string_equal(c.http_host, "127.0.0.1");
	assert_int_equal(c.stats_interval_s, 60);
}

static void test_failed_load_can_be_released(void **state)
{
	struct lt_config c;
	char msg[256];

	(void)state;
	config_init(&c);
	assert_int_equal(load(&c, "[exec_monitor]\nwatch_commands = [\"a\"]\n"
			      "[storage.extra_fields]\na = 1\nb = nan\n", msg, sizeof(msg)),
			 -EINVAL);
	config_release(&c);
	config_release(&c);
}

static void test_reference_lists_every_section_and_key(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(config_write_reference(f), 0);
	fclose(f);
	assert_non_null(strstr(text, "## [file_monitor]"));
	assert_non_null(strstr(text, "## [agent]"));
	assert_non_null(strstr(text, "| `stats_interval` | integer 0..86400 | `60` |"));
	assert_non_null(strstr(text, "| `level` | debug, info, warn or error | `\"info\"` |"));
	assert_non_null(strstr(text, "| `host` | string | `\"127.0.0.1\"` |"));
	assert_non_null(strstr(text, "| `remote_port` | integer 1..65535 | unset |"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_sets_documented_defaults),
		cmocka_unit_test(test_seed_policy_loads_with_exact_values),
		cmocka_unit_test(test_empty_policy_keeps_defaults),
		cmocka_unit_test(test_agent_section_sets_stats_interval_and_failed),
		cmocka_unit_test(test_every_enum_value_maps_to_its_constant),
		cmocka_unit_test(test_empty_optional_strings_mean_unset),
		cmocka_unit_test(test_sections_written_set_present_flags),
		cmocka_unit_test(test_dotted_keys_and_inline_tables_are_the_same_policy),
		cmocka_unit_test(test_unknown_key_suggests_near_name),
		cmocka_unit_test(test_unknown_key_matches_case_insensitively),
		cmocka_unit_test(test_unknown_key_far_from_all_names_has_no_suggestion),
		cmocka_unit_test(test_key_of_another_section_says_where_it_belongs),
		cmocka_unit_test(test_unknown_section_suggests_near_name),
		cmocka_unit_test(test_unknown_subtable_is_an_unknown_key),
		cmocka_unit_test(test_top_level_key_is_rejected),
		cmocka_unit_test(test_section_that_is_not_a_table_is_rejected),
		cmocka_unit_test(test_unknown_names_with_control_characters_are_shown_escaped),
		cmocka_unit_test(test_wrong_type_reports_value_position),
		cmocka_unit_test(test_wrong_element_type_reports_element_position),
		cmocka_unit_test(test_string_with_nul_byte_is_rejected),
		cmocka_unit_test(test_out_of_range_integers_are_rejected),
		cmocka_unit_test(test_duplicate_port_is_rejected_at_second),
		cmocka_unit_test(test_bad_enum_lists_expected_values),
		cmocka_unit_test(test_every_adapter_is_accepted),
		cmocka_unit_test(test_protocols_are_only_tcp_and_udp),
		cmocka_unit_test(test_directories_must_be_absolute_and_non_empty),
		cmocka_unit_test(test_watch_commands_limits),
		cmocka_unit_test(test_empty_arrays_are_allowed),
		cmocka_unit_test(test_storage_type_needs_its_destination),
		cmocka_unit_test(test_extra_fields_are_encoded_as_json),
		cmocka_unit_test(test_extra_field_with_nul_byte_is_escaped),
		cmocka_unit_test(test_extra_field_inf_and_nan_are_rejected),
		cmocka_unit_test(test_extra_field_cannot_shadow_event_fields),
		cmocka_unit_test(test_toml_syntax_error_keeps_its_position),
		cmocka_unit_test(test_load_file_reads_and_names_the_file),
		cmocka_unit_test(test_unreadable_file_reports_errno),
		cmocka_unit_test(test_fifo_device_and_world_writable_policies_refused),
		cmocka_unit_test(test_file_over_16_mib_is_rejected),
		cmocka_unit_test(test_format_err_variants),
		cmocka_unit_test(test_loading_again_replaces_values_without_leaks),
		cmocka_unit_test(test_null_err_is_accepted),
		cmocka_unit_test(test_watch_spec_parses_events_and_path),
		cmocka_unit_test(test_watch_spec_errors),
		cmocka_unit_test(test_watch_mask_names),
		cmocka_unit_test(test_finish_turns_directories_into_all_watches_first),
		cmocka_unit_test(test_finish_skips_directories_when_file_monitor_disabled),
		cmocka_unit_test(test_finish_merges_one_directory_by_union),
		cmocka_unit_test(test_finish_makes_relative_paths_absolute),
		cmocka_unit_test(test_finish_reports_missing_policy_directory_at_its_position),
		cmocka_unit_test(test_finish_reports_cli_watch_errors_by_origin),
		cmocka_unit_test(test_finish_rejects_policy_file_as_directory),
		cmocka_unit_test(test_release_twice_is_safe_and_reinits),
		cmocka_unit_test(test_failed_load_can_be_released),
		cmocka_unit_test(test_reference_lists_every_section_and_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
