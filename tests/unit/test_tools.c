/*
 * test_tools.c — the command-line tools' helpers: the JSON writer and the
 * argument parsers of tools/common.c.
 *
 * Description: JSON output nests, separates and escapes correctly (quotes,
 * backslashes, control characters, valid UTF-8 kept, invalid UTF-8 replaced
 * by U+FFFD); sizes take K/M/G/T/P/E (and KiB...) and reject junk and
 * overflow; integers respect their bound; UUIDs round-trip and malformed ones
 * are refused; human-readable sizes pick the right unit.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../tools/common.h"
#include "../../tools/json.h"

/* Run fn on a JSON writer over memory; return what it wrote (free it). */
static char *json_capture(void (*fn)(struct json *j))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	assert_non_null(f);
	json_init(&j, f);
	fn(&j);
	assert_int_equal(json_finish(&j), 0);
	fclose(f);
	return buf;
}

static void doc_nested(struct json *j)
{
	json_begin_object(j);
	json_kv_uint(j, "n", 18446744073709551615ull);
	json_kv_int(j, "neg", -5);
	json_kv_bool(j, "t", true);
	json_kv_null(j, "z");
	json_key(j, "a");
	json_begin_array(j);
	json_uint(j, 1);
	json_begin_object(j);
	json_end_object(j);
	json_begin_array(j);
	json_end_array(j);
	json_str(j, NULL);
	json_end_array(j);
	json_end_object(j);
}

static void test_json_nesting(void **state)
{
	char *s = json_capture(doc_nested);

	(void)state;
	assert_string_equal(s,
		"{\n"
		"  \"n\": 18446744073709551615,\n"
		"  \"neg\": -5,\n"
		"  \"t\": true,\n"
		"  \"z\": null,\n"
		"  \"a\": [\n"
		"    1,\n"
		"    {},\n"
		"    [],\n"
		"    null\n"
		"  ]\n"
		"}\n");
	free(s);
}

static void doc_strings(struct json *j)
{
	json_begin_array(j);
	json_str(j, "q\"b\\s/");
	json_str(j, "\n\t\r\b\f\x01\x1f\x7f");
	json_str(j, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");   /* é € 😀 */
	json_str(j, "bad\xff\xc3(\xed\xa0\x80\xc0\xaf!");          /* invalid UTF-8 */
	json_str(j, "trunc\xe2\x82");
	json_end_array(j);
}

static void test_json_escaping(void **state)
{
	char *s = json_capture(doc_strings);

	(void)state;
	assert_string_equal(s,
		"[\n"
		"  \"q\\\"b\\\\s/\",\n"
		"  \"\\n\\t\\r\\b\\f\\u0001\\u001f\\u007f\",\n"
		"  \"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\",\n"
		"  \"bad\\ufffd\\ufffd(\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd!\",\n"
		"  \"trunc\\ufffd\\ufffd\"\n"
		"]\n");
	free(s);
}

static void doc_numtext(struct json *j)
{
	json_begin_object(j);
	json_key(j, "a");
	json_num_text(j, "42");
	json_key(j, "b");
	json_num_text(j, "0x1f");
	json_key(j, "c");
	json_num_text(j, "007");
	json_key(j, "d");
	json_num_text(j, "0");
	json_end_object(j);
}

static void test_json_num_text(void **state)
{
	char *s = json_capture(doc_numtext);

	(void)state;
	assert_string_equal(s, "{\n  \"a\": 42,\n  \"b\": \"0x1f\",\n  \"c\": \"007\",\n"
			       "  \"d\": 0\n}\n");
	free(s);
}

static void test_parse_size(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(tool_parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(tool_parse_size("64K", &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(tool_parse_size("64k", &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(tool_parse_size("256KiB", &v), 0);
	assert_int_equal(v, 256 << 10);
	assert_int_equal(tool_parse_size("1M", &v), 0);
	assert_int_equal(v, 1 << 20);
	assert_int_equal(tool_parse_size("3G", &v), 0);
	assert_int_equal(v, 3ull << 30);
	assert_int_equal(tool_parse_size("2T", &v), 0);
	assert_int_equal(v, 2ull << 40);
	assert_int_equal(tool_parse_size("15E", &v), 0);
	assert_int_equal(v, 15ull << 60);
	assert_int_equal(tool_parse_size("16E", &v), -ERANGE);
	assert_int_equal(tool_parse_size("99999999999999999999", &v), -ERANGE);
	assert_int_equal(tool_parse_size("", &v), -EINVAL);
	assert_int_equal(tool_parse_size("-1", &v), -EINVAL);
	assert_int_equal(tool_parse_size(" 1", &v), -EINVAL);
	assert_int_equal(tool_parse_size("1X", &v), -EINVAL);
	assert_int_equal(tool_parse_size("1KB", &v), -EINVAL);
	assert_int_equal(tool_parse_size("1Ki", &v), -EINVAL);
	assert_int_equal(tool_parse_size("1K ", &v), -EINVAL);
	assert_int_equal(tool_parse_size("K", &v), -EINVAL);
}

static void test_parse_uint(void **state)
{
	unsigned v;

	(void)state;
	assert_int_equal(tool_parse_uint("0", 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(tool_parse_uint("10", 10, &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(tool_parse_uint("11", 10, &v), -ERANGE);
	assert_int_equal(tool_parse_uint("99999999999999999999", 10, &v), -ERANGE);
	assert_int_equal(tool_parse_uint("-1", 10, &v), -EINVAL);
	assert_int_equal(tool_parse_uint("+1", 10, &v), -EINVAL);
	assert_int_equal(tool_parse_uint("1a", 10, &v), -EINVAL);
	assert_int_equal(tool_parse_uint("", 10, &v), -EINVAL);
}

static void test_uuid(void **state)
{
	static const uint8_t want[16] = { 0x0b, 0x5e, 0x7a, 0x4e, 0x6f, 0x1d, 0x4c, 0x43,
					  0x9a, 0x0e, 0x3c, 0x2f, 0x1d, 0x9b, 0x8a, 0x77 };
	uint8_t u[16];
	char s[37];

	(void)state;
	assert_int_equal(tool_parse_uuid("0b5e7a4e-6f1d-4c43-9a0e-3c2f1d9b8a77", u), 0);
	assert_memory_equal(u, want, 16);
	tool_format_uuid(u, s);
	assert_string_equal(s, "0b5e7a4e-6f1d-4c43-9a0e-3c2f1d9b8a77");
	assert_int_equal(tool_parse_uuid("0B5E7A4E-6F1D-4C43-9A0E-3C2F1D9B8A77", u), 0);
	assert_memory_equal(u, want, 16);
	assert_false(tool_uuid_is_nil(u));
	assert_int_equal(tool_parse_uuid("00000000-0000-0000-0000-000000000000", u), 0);
	assert_true(tool_uuid_is_nil(u));
	assert_int_equal(tool_parse_uuid("0b5e7a4e-6f1d-4c43-9a0e-3c2f1d9b8a7", u), -EINVAL);
	assert_int_equal(tool_parse_uuid("0b5e7a4e-6f1d-4c43-9a0e-3c2f1d9b8a777", u), -EINVAL);
	assert_int_equal(tool_parse_uuid("0b5e7a4e6f1d-4c43-9a0e-3c2f1d9b8a77x", u), -EINVAL);
	assert_int_equal(tool_parse_uuid("0b5e7a4e-6f1d-4c43-9a0e-3c2f1d9b8a7g", u), -EINVAL);
	assert_int_equal(tool_parse_uuid("0b5e7a4e 6f1d-4c43-9a0e-3c2f1d9b8a77", u), -EINVAL);
	assert_int_equal(tool_parse_uuid("", u), -EINVAL);
}

static void test_human_size(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(tool_human_size(0, b, sizeof(b)), "0 B");
	assert_string_equal(tool_human_size(1023, b, sizeof(b)), "1023 B");
	assert_string_equal(tool_human_size(1024, b, sizeof(b)), "1 KiB");
	assert_string_equal(tool_human_size(262144, b, sizeof(b)), "256 KiB");
	assert_string_equal(tool_human_size(1536, b, sizeof(b)), "1.50 KiB");
	assert_string_equal(tool_human_size(402653184, b, sizeof(b)), "384 MiB");
	assert_string_equal(tool_human_size(243007488, b, sizeof(b)), "231.75 MiB");
	assert_string_equal(tool_human_size(3ull << 40, b, sizeof(b)), "3 TiB");
	assert_string_equal(tool_human_size(UINT64_MAX, b, sizeof(b)), "16.00 EiB");
}

static void test_search_env(void **state)
{
	struct tool_search s = { 0 };

	(void)state;
	assert_int_equal(tool_search_add(&s, "/first"), 0);
	setenv(TOOL_SEARCH_ENV, "/a::/b/c:", 1);
	assert_int_equal(tool_search_add_env(&s), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.dirs[0], "/first");
	assert_string_equal(s.dirs[1], "/a");
	assert_string_equal(s.dirs[2], "/b/c");
	tool_search_free(&s);
	assert_int_equal(s.n, 0);
	unsetenv(TOOL_SEARCH_ENV);
	assert_int_equal(tool_search_add_env(&s), 0);
	assert_int_equal(s.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_nesting),
		cmocka_unit_test(test_json_escaping),
		cmocka_unit_test(test_json_num_text),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_parse_uint),
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_human_size),
		cmocka_unit_test(test_search_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
