/*
 * lib/xmlrpc.c: answers recorded from supervisord 4.2 (tests/data/supervisor),
 * the calls the Supervisor probe sends, and hostile or broken XML, which
 * must be refused with a reason and never crash or expand anything.
 */
#include <string.h>

#include "testutil.h"
#include "xmlrpc.h"

static struct xmlrpc_response parse_ok(const char *text)
{
	struct xmlrpc_response r;
	char why[256] = "";

	cr_assert_eq(xmlrpc_parse(text, strlen(text), &r, why, sizeof(why)), 0, "refused: %s", why);
	return r;
}

/* Parse text, which must be refused with a reason holding words. */
static void refused(const char *text, const char *words)
{
	struct xmlrpc_response r;
	char why[256] = "";

	cr_assert_eq(xmlrpc_parse(text, strlen(text), &r, why, sizeof(why)), -1, "took: %s", text);
	cr_assert(strstr(why, words) != NULL, "'%s' does not say '%s'", why, words);
	cr_assert_null(r.value);
}

Test(xmlrpc, get_state)
{
	struct xmlrpc_response r = parse_ok(test_data("supervisor/getState.xml"));
	long long code;

	cr_assert_not(r.fault);
	cr_assert_eq(r.value->type, XMLRPC_STRUCT);
	cr_assert_eq(xmlrpc_member_int(r.value, "statecode", &code), 0);
	cr_assert_eq(code, 1);
	cr_assert_str_eq(xmlrpc_member_str(r.value, "statename"), "RUNNING");
	cr_assert_null(xmlrpc_member(r.value, "nosuch"));
	xmlrpc_response_free(&r);
}

Test(xmlrpc, all_process_info)
{
	struct xmlrpc_response r = parse_ok(test_data("supervisor/getAllProcessInfo.xml"));
	const struct xmlrpc_value *v = r.value;
	long long state, start, now;

	cr_assert_eq(v->type, XMLRPC_ARRAY);
	cr_assert_eq(v->n, 8);
	cr_assert_str_eq(xmlrpc_member_str(v->items[0], "name"), "celery-worker_00");
	cr_assert_str_eq(xmlrpc_member_str(v->items[0], "group"), "celery-worker");
	cr_assert_eq(xmlrpc_member_int(v->items[0], "state", &state), 0);
	cr_assert_eq(state, 20);
	cr_assert_eq(xmlrpc_member_int(v->items[0], "start", &start), 0);
	cr_assert_eq(xmlrpc_member_int(v->items[0], "now", &now), 0);
	cr_assert_gt(start, 1700000000);
	cr_assert_geq(now, start);
	cr_assert_str_eq(xmlrpc_member_str(v->items[1], "statename"), "STOPPED");
	cr_assert_str_eq(xmlrpc_member_str(v->items[4], "name"), "dies");
	cr_assert_str_eq(xmlrpc_member_str(v->items[4], "spawnerr"),
			 "Exited too quickly (process log may have details)");
	xmlrpc_response_free(&r);
}

Test(xmlrpc, log_tail_is_unescaped)
{
	struct xmlrpc_response r = parse_ok(test_data("supervisor/readProcessStderrLog.xml"));

	cr_assert_eq(r.value->type, XMLRPC_STRING);
	cr_assert(strstr(r.value->s, "line two: something <bad> & \"quoted\"\n") != NULL);
	cr_assert_eq(r.value->len, strlen(r.value->s));
	xmlrpc_response_free(&r);
}

Test(xmlrpc, fault)
{
	struct xmlrpc_response r = parse_ok(test_data("supervisor/fault-bad-name.xml"));

	cr_assert(r.fault);
	cr_assert_eq(r.fault_code, 10);
	cr_assert_str_eq(r.fault_string, "BAD_NAME: nosuch");
	cr_assert_null(r.value);
	xmlrpc_response_free(&r);
}

Test(xmlrpc, every_type)
{
	struct xmlrpc_response r =
	    parse_ok("<?xml version=\"1.0\"?><methodResponse><params><param><value><array><data>"
		     "<value><i4> -7 </i4></value><value><boolean>1</boolean></value>"
		     "<value><double>2.5</double></value><value>bare</value><value></value>"
		     "<value><base64>aGVs\nbG8=</base64></value><value><nil/></value>"
		     "<value><dateTime.iso8601>20261207T21:54:00</dateTime.iso8601></value>"
		     "<value><i8>9000000000</i8></value>"
		     "<value><struct></struct></value><value><array><data/></array></value>"
		     "</data></array></value></param></params></methodResponse>");
	struct xmlrpc_value **it = r.value->items;

	cr_assert_eq(r.value->n, 11);
	cr_assert_eq(it[0]->type, XMLRPC_INT);
	cr_assert_eq(it[0]->i, -7);
	cr_assert_eq(it[1]->type, XMLRPC_BOOL);
	cr_assert_eq(it[1]->i, 1);
	cr_assert_eq(it[2]->d, 2.5);
	cr_assert_str_eq(it[3]->s, "bare");
	cr_assert_eq(it[4]->type, XMLRPC_STRING);
	cr_assert_str_eq(it[4]->s, "");
	cr_assert_eq(it[5]->type, XMLRPC_BASE64);
	cr_assert_eq(it[5]->len, 5);
	cr_assert_str_eq(it[5]->s, "hello");
	cr_assert_eq(it[6]->type, XMLRPC_NIL);
	cr_assert_str_eq(it[7]->s, "20261207T21:54:00");
	cr_assert_eq(it[8]->i, 9000000000LL);
	cr_assert_eq(it[9]->type, XMLRPC_STRUCT);
	cr_assert_eq(it[9]->n, 0);
	cr_assert_eq(it[10]->type, XMLRPC_ARRAY);
	xmlrpc_response_free(&r);
}

Test(xmlrpc, call)
{
	struct buf b;
	const struct xmlrpc_param p[] = {{.s = "a<b>&c\x01"}, {.i = -2048}, {.i = 0}};

	buf_init(&b, 4096);
	xmlrpc_call(&b, "supervisor.readProcessStderrLog", p, 3);
	cr_assert_str_eq(
	    buf_str(&b),
	    "<?xml version=\"1.0\"?>\n<methodCall><methodName>supervisor."
	    "readProcessStderrLog</methodName><params><param><value><string>a&lt;b&gt;"
	    "&amp;c?</string></value></param><param><value><int>-2048</int></value>"
	    "</param><param><value><int>0</int></value></param></params></methodCall>\n");
	buf_free(&b);
}

Test(xmlrpc, hostile_and_broken)
{
	struct buf deep;

	/* Entities: the billion laughs, and an external one. */
	refused("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\">"
		"<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
		"<methodResponse><params><param><value>&b;</value></param></params>"
		"</methodResponse>",
		"document type");
	refused("<!DOCTYPE r SYSTEM \"file:///etc/passwd\"><methodResponse/>", "document type");
	refused("<html><body>502 Bad Gateway</body></html>", "<html> where <methodResponse>");
	refused("", "not XML");
	refused("<methodResponse><params><param><value><int>1</int>", "not XML");
	refused("<methodResponse><params><param><value><int>x</int></value></param></params>"
		"</methodResponse>",
		"<int> that is not one");
	refused("<methodResponse><params><param><value><int>99999999999999999999</int></value>"
		"</param></params></methodResponse>",
		"<int> that is not one");
	refused("<methodResponse><params><param><value><boolean>2</boolean></value></param>"
		"</params></methodResponse>",
		"<boolean> that is not one");
	refused("<methodResponse><params><param><value><base64>a*b</base64></value></param>"
		"</params></methodResponse>",
		"<base64> that is not one");
	refused("<methodResponse><params></params></methodResponse>", "without a value");
	refused("<methodResponse><params><param><value><struct><member><value>1</value></member>"
		"</struct></value></param></params></methodResponse>",
		"without its name");
	refused("<methodResponse><params><param><value><struct><member><name>a</name>"
		"<value>1</value><value>2</value></member></struct></value></param></params>"
		"</methodResponse>",
		"two values");
	refused("<methodResponse><params><param><value><int>1</int><string>x</string></value>"
		"</param></params></methodResponse>",
		"does not belong");
	refused("<methodResponse><fault><value><struct></struct></value></fault></methodResponse>",
		"without its faultCode");
	refused("<methodResponse><params><param><value>1</value></param><param><value>2</value>"
		"</param></params></methodResponse>",
		"more than one value");
	/* Nesting past the cap. */
	buf_init(&deep, 4096);
	buf_puts(&deep, "<methodResponse><params><param><value>");
	for (int i = 0; i < 33; i++)
		buf_puts(&deep, "<array><data><value>");
	refused(buf_str(&deep), "more than 32 nested");
	buf_free(&deep);
}

Test(xmlrpc, too_big)
{
	struct xmlrpc_response r;
	char why[256];

	cr_assert_eq(xmlrpc_parse("x", XMLRPC_MAX_ANSWER + 1, &r, why, sizeof(why)), -1);
	cr_assert(strstr(why, "more than") != NULL);
}

Test(xmlrpc, multicall)
{
	const struct xmlrpc_param p[] = {{.s = "a&b"}, {.i = 7}};
	const struct xmlrpc_call calls[] = {{"supervisor.getState", NULL, 0},
					    {"supervisor.readProcessStderrLog", p, 2}};
	struct xmlrpc_response r;
	const char *fault;
	struct buf b;

	buf_init(&b, 4096);
	xmlrpc_multicall(&b, calls, 2);
	cr_assert_str_eq(
	    buf_str(&b),
	    "<?xml version=\"1.0\"?>\n<methodCall><methodName>system.multicall</methodName>"
	    "<params><param><value><array><data><value><struct><member><name>methodName</name>"
	    "<value><string>supervisor.getState</string></value></member><member><name>params"
	    "</name><value><array><data></data></array></value></member></struct></value><value>"
	    "<struct><member><name>methodName</name><value><string>supervisor."
	    "readProcessStderrLog</string></value></member><member><name>params</name><value>"
	    "<array><data><value><string>a&amp;b</string></value><value><int>7</int></value>"
	    "</data></array></value></member></struct></value></data></array></value></param>"
	    "</params></methodCall>\n");
	buf_free(&b);
	/* supervisord's answer: results unwrapped, a fault as a struct. */
	r = parse_ok(test_data("supervisor/multicall.xml"));
	cr_assert_str_eq(
	    xmlrpc_member_str(xmlrpc_multicall_result(r.value, 0, &fault), "statename"), "RUNNING");
	cr_assert_null(fault);
	cr_assert_null(xmlrpc_multicall_result(r.value, 1, &fault));
	cr_assert_str_eq(fault, "UNKNOWN_METHOD");
	cr_assert_null(xmlrpc_multicall_result(r.value, 2, &fault));
	cr_assert_not_null(fault);
	xmlrpc_response_free(&r);
}
