/*
 * check_execpolicy.c: unit tests for policy/execpolicy.c: valid .rules files
 * and the rules they give (pattern, decision, justification, where), every
 * error with its line:col and wording, match/not_match examples checked with
 * the policy's matcher, and input that ends anywhere.
 *
 * Test code: runs in the build, trusts its inputs. Every document is handed
 * over in a buffer of exactly its size, so ASan sees any read past the end.
 */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "execpolicy.h"
#include "policy.h"

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

#define NAME "t.rules"

static struct config cfg;
static char err[CFG_ERR + 256];

static void
setup(void)
{
	ck_assert_int_eq(config_init(&cfg, "/home/tester", "/tmp", NULL), 0);
	err[0] = '\0';
}

static void
teardown(void)
{
	config_free(&cfg);
}

/* Parse LEN bytes of DOC (strlen when LEN is 0) from an exact-size copy. */
static int
parse_n(const char *doc, size_t len)
{
	char *buf;
	int r;

	if (len == 0)
		len = strlen(doc);
	buf = malloc(len ? len : 1);
	ck_assert_ptr_nonnull(buf);
	memcpy(buf, doc, len);
	r = execpolicy_parse(&cfg, NAME, buf, len, err, sizeof(err));
	free(buf);
	return r;
}

static int
parse(const char *doc)
{
	return parse_n(doc, 0);
}

/* Rule R as text: `["git", ["push", "fetch"]] prompt "why"` */
static void
rule_text(const struct cfg_exec_rule *r, char *buf, size_t len)
{
	size_t i, j;
	FILE *f = fmemopen(buf, len, "w");

	ck_assert_ptr_nonnull(f);
	fputc('[', f);
	for (i = 0; i < r->nword; i++) {
		fprintf(f, "%s", i ? ", " : "");
		if (r->word[i].nalt > 1)
			fputc('[', f);
		for (j = 0; j < r->word[i].nalt; j++)
			fprintf(
			    f, "%s\"%s\"", j ? ", " : "", r->word[i].alt[j]);
		if (r->word[i].nalt > 1)
			fputc(']', f);
	}
	fprintf(f, "] %s", config_exec_decision_name(r->decision));
	if (r->justification != NULL)
		fprintf(f, " \"%s\"", r->justification);
	fclose(f);
}

/* ---------------------------------------------------------------------
 * Valid files
 */

struct want_rule {
	const char *text; /* rule_text() */
	int line, col; /* where */
};

struct good_case {
	const char *doc;
	size_t n;
	struct want_rule r[3];
};

static const struct good_case good_cases[] = {
	{ "", 0, { { 0 } } },
	{ "\n\n", 0, { { 0 } } },
	{ "# only a comment\n\n   \n\t# another, indented", 0, { { 0 } } },
	{ "# comment\n"
	  "prefix_rule(\n"
	  "    pattern = [\"git\", [\"push\", \"fetch\"]],\n"
	  "    decision = \"prompt\",            # allow | prompt | forbidden\n"
	  "    justification = \"talks to the network\",\n"
	  "    match = [[\"git\", \"push\", \"origin\"], \"git fetch\"],\n"
	  "    not_match = [\"git status\"],\n"
	  ")\n",
	    1,
	    { { "[\"git\", [\"push\", \"fetch\"]] prompt \"talks to the "
		"network\"",
		2, 1 } } },
	{ "prefix_rule(pattern=[\"ls\"])", 1, { { "[\"ls\"] allow", 1, 1 } } },
	{ "prefix_rule(pattern = ['rm', '-rf'], decision = 'forbidden',)\n", 1,
	    { { "[\"rm\", \"-rf\"] forbidden", 1, 1 } } },
	{ "prefix_rule(pattern=[\"a\"])\nprefix_rule(pattern=[\"b\"],"
	  " decision=\"prompt\")\n\n# gap\nprefix_rule(pattern=[\"c\"])\n",
	    3,
	    { { "[\"a\"] allow", 1, 1 }, { "[\"b\"] prompt", 2, 1 },
		{ "[\"c\"] allow", 5, 1 } } },
	/* escapes: \\ \" \' \n \t */
	{ "prefix_rule(pattern=[[\"a\\\\b\", 'it\\'s', \"q\\\"\", 'n\\nt\\t',"
	  " \"'\", '\"']])",
	    1,
	    { { "[[\"a\\b\", \"it's\", \"q\"\", \"n\nt\t\", \"'\", \"\"\"]] "
		"allow",
		1, 1 } } },
	/* CRLF, tabs, comments everywhere inside the call */
	{ "prefix_rule(\r\n\tpattern\t=\t[\"x\"],\t# c\r\n  # c\r\n)\r\n", 1,
	    { { "[\"x\"] allow", 1, 1 } } },
	{ "prefix_rule(pattern=[\"x\"])  # trailing comment\n", 1,
	    { { "[\"x\"] allow", 1, 1 } } },
	{ "prefix_rule(pattern=[\"x\"], justification=\"\")", 1,
	    { { "[\"x\"] allow \"\"", 1, 1 } } },
	/* keywords in any order; trailing commas in lists */
	{ "prefix_rule(decision=\"forbidden\", justification=\"no\",\n"
	  "    pattern=[[\"git\", \"hg\",], \"push\",],)\n",
	    1, { { "[[\"git\", \"hg\"], \"push\"] forbidden \"no\"", 1, 1 } } },
	{ "prefix_rule(pattern=[[\"only\"]])", 1,
	    { { "[\"only\"] allow", 1, 1 } } },
	/* examples: extra blanks, a path for a bare name, shorter commands */
	{ "prefix_rule(pattern=[\"git\", \"push\"],\n"
	  "    match=[\"  git   push  \", \"/usr/bin/git push -f\","
	  " [\"git\", \"push\"]],\n"
	  "    not_match=[\"git\", \"git pull\", [\"push\", \"git\"],"
	  " \"gitx push\"],\n)",
	    1, { { "[\"git\", \"push\"] allow", 1, 1 } } },
	{ "prefix_rule(pattern=[\"/usr/bin/git\"], match=[\"/usr/bin/git x\"],"
	  " not_match=[\"git x\", \"/bin/git\"])",
	    1, { { "[\"/usr/bin/git\"] allow", 1, 1 } } },
	{ "prefix_rule(pattern=[\"x\"], match=[], not_match=[])", 1,
	    { { "[\"x\"] allow", 1, 1 } } },
	{ "prefix_rule(pattern=[\"a b\"], match=[[\"a b\"]], not_match=[\"a "
	  "b\"])",
	    1, { { "[\"a b\"] allow", 1, 1 } } },
	/* UTF-8 in strings and comments */
	{ "# héllo\nprefix_rule(pattern=[\"é\"])", 1,
	    { { "[\"é\"] allow", 2, 1 } } },
};

START_TEST(test_good)
{
	const struct good_case *c = &good_cases[_i];
	char text[512], where[CFG_WHERE];
	size_t i;

	ck_assert_msg(parse(c->doc) == 0, "refused: %s\n%s", c->doc, err);
	ck_assert_uint_eq(cfg.nrules, c->n);
	for (i = 0; i < c->n; i++) {
		rule_text(&cfg.rules[i], text, sizeof(text));
		ck_assert_str_eq(text, c->r[i].text);
		snprintf(where, sizeof(where), NAME ":%d:%d", c->r[i].line,
		    c->r[i].col);
		ck_assert_str_eq(cfg.rules[i].where, where);
	}
}
END_TEST

/* Rules are appended: after the TOML ones, file after file. */
START_TEST(test_append)
{
	const char *toml = "[[agentwrap.exec.rules]]\npattern = [\"make\"]\n";
	const char *two = "\nprefix_rule(pattern=[\"b\"], decision=\"prompt\")";
	char text[256];

	ck_assert_int_eq(config_apply_toml(&cfg, "c.toml", toml, strlen(toml),
			     err, sizeof(err)),
	    0);
	ck_assert_int_eq(parse("prefix_rule(pattern=[\"a\"])"), 0);
	ck_assert_int_eq(execpolicy_parse(&cfg, "two.rules", two, strlen(two),
			     err, sizeof(err)),
	    0);
	ck_assert_uint_eq(cfg.nrules, 3);
	ck_assert_str_eq(cfg.rules[0].where, "c.toml:1:1");
	ck_assert_str_eq(cfg.rules[1].where, NAME ":1:1");
	ck_assert_str_eq(cfg.rules[2].where, "two.rules:2:1");
	rule_text(&cfg.rules[2], text, sizeof(text));
	ck_assert_str_eq(text, "[\"b\"] prompt");
	/* an error adds nothing, and leaves the rules there as they were */
	ck_assert_int_eq(parse("prefix_rule(pattern=[\"c\"])\nbad()"), -1);
	ck_assert_uint_eq(cfg.nrules, 3);
	rule_text(&cfg.rules[0], text, sizeof(text));
	ck_assert_str_eq(text, "[\"make\"] allow");
}
END_TEST

/* Many rules: the arrays grow. */
START_TEST(test_many)
{
	char *doc, *p;
	size_t i, n = 2000;

	doc = malloc(n * 40 + 1);
	ck_assert_ptr_nonnull(doc);
	for (p = doc, i = 0; i < n; i++)
		p += sprintf(p, "prefix_rule(pattern=[\"cmd%zu\"])\n", i);
	ck_assert_int_eq(parse(doc), 0);
	ck_assert_uint_eq(cfg.nrules, n);
	ck_assert_str_eq(cfg.rules[n - 1].word[0].alt[0], "cmd1999");
	ck_assert_str_eq(cfg.rules[n - 1].where, NAME ":2000:1");
	free(doc);
}
END_TEST

/* ---------------------------------------------------------------------
 * Errors: NAME:LINE:COL and what was wrong
 */

struct bad_case {
	const char *doc;
	size_t len; /* 0: strlen */
	int line, col;
	const char *msg; /* a substring of the message */
};

static const struct bad_case bad_cases[] = {
	/* statements */
	{ "foo(pattern=[\"a\"])", 0, 1, 1,
	    "unknown function 'foo': only prefix_rule(...) is supported" },
	{ "load(\"x.star\", \"y\")", 0, 1, 1, "unknown function 'load'" },
	{ "x = 1", 0, 1, 1,
	    "assignment to 'x': a rules file holds "
	    "prefix_rule(...) calls only" },
	{ "prefix_rule(pattern=[\"a\"])\nrules = []\n", 0, 2, 1,
	    "assignment to 'rules'" },
	{ "def f():\n  pass\n", 0, 1, 5, "expected '(' after 'def', got 'f'" },
	{ "prefix_rule", 0, 1, 12,
	    "expected '(' after 'prefix_rule', got the end of the file" },
	{ "prefix_rule.x(pattern=[\"a\"])", 0, 1, 12,
	    "expected '(' after 'prefix_rule', got '.'" },
	{ "\"a docstring\"\n", 0, 1, 1,
	    "expected a prefix_rule(...) call, got a string" },
	{ "42", 0, 1, 1, "expected a prefix_rule(...) call, got a number" },
	{ "\n\n  prefix_rule(pattern=[\"a\"])", 0, 3, 3,
	    "unexpected indentation: a statement starts in column 1" },
	{ "prefix_rule(pattern=[\"a\"]) prefix_rule(pattern=[\"b\"])", 0, 1, 28,
	    "expected a line break after prefix_rule(...), got 'prefix_rule'" },
	{ "prefix_rule(pattern=[\"a\"]);", 0, 1, 27,
	    "expected a line break after prefix_rule(...), got ';'" },
	{ "é", 0, 1, 1, "expected a prefix_rule(...) call, got byte 0xc3" },
	/* arguments */
	{ "prefix_rule([\"a\"])", 0, 1, 13,
	    "positional argument: prefix_rule() "
	    "takes keyword arguments only" },
	{ "prefix_rule(\"a\")", 0, 1, 13, "positional argument" },
	{ "prefix_rule(pattern)", 0, 1, 13, "positional argument 'pattern'" },
	{ "prefix_rule(\n    pattern = [\"a\"],\n    decison = \"allow\",\n)",
	    0, 3, 5,
	    "unknown keyword argument 'decison' to prefix_rule(); did you "
	    "mean 'decision'?" },
	{ "prefix_rule(pattern=[\"a\"], host=\"x\")", 0, 1, 28,
	    "unknown keyword argument 'host' to prefix_rule() (pattern, "
	    "decision, "
	    "justification, match, not_match)" },
	{ "prefix_rule(\n  pattern = [\"a\"],\n  pattern = [\"b\"],\n)", 0, 3,
	    3, "duplicate keyword argument 'pattern' (first given at 2:3)" },
	{ "prefix_rule(pattern=[\"a\"], match=[], match=[])", 0, 1, 38,
	    "duplicate keyword argument 'match' (first given at 1:28)" },
	{ "prefix_rule(decision = \"allow\")", 0, 1, 1,
	    "prefix_rule() without a pattern" },
	{ "prefix_rule()", 0, 1, 1, "prefix_rule() without a pattern" },
	{ "prefix_rule(**kw)", 0, 1, 13,
	    "expected a keyword argument or ')', got '*'" },
	{ "prefix_rule(pattern=[\"a\"] decision=\"allow\")", 0, 1, 27,
	    "expected ',' or ')' after pattern = ..., got 'decision'" },
	{ "prefix_rule(pattern=[\"a\"],,)", 0, 1, 27,
	    "expected a keyword argument or ')', got ','" },
	{ "prefix_rule(pattern=[\"a\"],", 0, 1, 12,
	    "'(' of prefix_rule is never closed" },
	{ "prefix_rule(pattern=[\"a\"]", 0, 1, 12,
	    "'(' of prefix_rule is never closed" },
	{ "prefix_rule(", 0, 1, 12, "'(' of prefix_rule is never closed" },
	{ "prefix_rule(pattern=)", 0, 1, 21,
	    "expected a string or a list, got "
	    "')'" },
	{ "prefix_rule(pattern=", 0, 1, 21,
	    "expected a string or a list, got "
	    "the end of the file" },
	/* lists */
	{ "prefix_rule(pattern=[\"a\"", 0, 1, 21, "'[' is never closed" },
	{ "prefix_rule(pattern=[\"a\",", 0, 1, 21, "'[' is never closed" },
	{ "prefix_rule(pattern=[\"a\" \"b\"])", 0, 1, 26,
	    "expected ',' or ']' in a list, got a string" },
	{ "prefix_rule(pattern=[,])", 0, 1, 22,
	    "expected a string or a list, got ','" },
	{ "prefix_rule(pattern=[[[\"a\"]]])", 0, 1, 23,
	    "lists nest at most two deep" },
	{ "prefix_rule(pattern=[True])", 0, 1, 22,
	    "expected a string or a list, got 'True'" },
	{ "prefix_rule(pattern=[None])", 0, 1, 22, "got 'None'" },
	{ "prefix_rule(pattern=[1])", 0, 1, 22, "got a number" },
	{ "prefix_rule(pattern={\"a\": 1})", 0, 1, 21, "got '{'" },
	{ "prefix_rule(pattern=(\"a\",))", 0, 1, 21, "got '('" },
	{ "prefix_rule(pattern=[\"a\"] + [\"b\"])", 0, 1, 27,
	    "expected ',' or ')' after pattern = ..., got '+'" },
	/* strings */
	{ "prefix_rule(\n  pattern = [\"a],\n)", 0, 2, 14,
	    "unterminated string" },
	{ "prefix_rule(pattern=[\"a", 0, 1, 22, "unterminated string" },
	{ "prefix_rule(pattern=['a\\", 0, 1, 22, "unterminated string" },
	{ "prefix_rule(pattern=[\"a\nb\"])", 0, 1, 22, "unterminated string" },
	{ "prefix_rule(pattern=[\"a\\\nb\"])", 0, 1, 22,
	    "unterminated string" },
	{ "prefix_rule(pattern = [\"a\\x41\"])", 0, 1, 26,
	    "unsupported escape: 'x' after a backslash in a string (only a "
	    "backslash, a quote, n or t may follow one)" },
	{ "prefix_rule(pattern = [\"a\\r\"])", 0, 1, 26,
	    "unsupported escape: 'r' after" },
	{ "prefix_rule(pattern = [\"\\0\"])", 0, 1, 25,
	    "unsupported escape: '0' after" },
	{ "prefix_rule(pattern = [\"\\u00e9\"])", 0, 1, 25,
	    "unsupported escape: 'u' after" },
	{ "prefix_rule(pattern = [\"a\\\tb\"])", 0, 1, 26,
	    "unsupported escape: byte 0x09 after a backslash" },
	{ "prefix_rule(pattern = [\"\"\"a\"\"\"])", 0, 1, 24,
	    "triple-quoted strings are not supported" },
	{ "prefix_rule(pattern = [r\"a\"])", 0, 1, 24,
	    "string prefix 'r' is not supported" },
	{ "prefix_rule(pattern = [b'a'])", 0, 1, 24, "string prefix 'b'" },
	{ "prefix_rule(pattern = [\"a\x01\"])", 0, 1, 26,
	    "control character 0x01 in a string" },
	{ "prefix_rule(pattern = [\"a\x7f\"])", 0, 1, 26,
	    "control character 0x7f in a string" },
	{ "prefix_rule(pattern = [\"a\0\"])", 28, 1, 26,
	    "control character 0x00 in a string" },
	{ "prefix_rule(pattern=[\"a\"])\0", 27, 1, 27, "NUL byte" },
	{ "# a\0b\nprefix_rule(pattern=[\"a\"])", 32, 1, 4,
	    "NUL byte in a comment" },
	/* types */
	{ "prefix_rule(pattern = \"git\")", 0, 1, 23,
	    "pattern must be a list, got a string" },
	{ "prefix_rule(pattern = [])", 0, 1, 23, "pattern must not be empty" },
	{ "prefix_rule(pattern = [\"\"])", 0, 1, 24,
	    "pattern: words must be non-empty strings" },
	{ "prefix_rule(pattern = [\"a\", [\"b\", \"\"]])", 0, 1, 35,
	    "pattern: words must be non-empty strings" },
	{ "prefix_rule(pattern = [\"a\", []])", 0, 1, 29,
	    "pattern: empty list of alternatives" },
	{ "prefix_rule(pattern = [\"a\"], decision = \"deny\")", 0, 1, 41,
	    "decision must be \"allow\", \"prompt\" or \"forbidden\", got "
	    "\"deny\"" },
	{ "prefix_rule(pattern = [\"a\"], decision = \"Allow\")", 0, 1, 41,
	    "got \"Allow\"" },
	{ "prefix_rule(pattern = [\"a\"], decision = [\"allow\"])", 0, 1, 41,
	    "decision must be \"allow\", \"prompt\" or \"forbidden\", got a "
	    "list" },
	{ "prefix_rule(pattern = [\"a\"], decision = allow)", 0, 1, 41,
	    "expected a string or a list, got 'allow'" },
	{ "prefix_rule(pattern = [\"a\"], justification = [\"x\"])", 0, 1, 46,
	    "justification must be a string, got a list" },
	{ "prefix_rule(pattern = [\"a\"], match = \"a\")", 0, 1, 38,
	    "match must be a list of examples, got a string" },
	{ "prefix_rule(pattern = [\"a\"], not_match = \"b\")", 0, 1, 42,
	    "not_match must be a list of examples, got a string" },
	{ "prefix_rule(pattern = [\"a\"], match = [\" \\t \"])", 0, 1, 39,
	    "match: empty example" },
	{ "prefix_rule(pattern = [\"a\"], not_match = [[]])", 0, 1, 43,
	    "not_match: empty example" },
	{ "prefix_rule(pattern = [\"a\"], match = [[[\"a\"]]])", 0, 1, 40,
	    "lists nest at most two deep" },
	/* examples */
	{ "prefix_rule(\n  pattern = [\"git\", \"push\"],\n"
	  "  match = [\"git push\", \"git status\"],\n)",
	    0, 3, 24,
	    "match example \"git status\" does not match the pattern "
	    "[\"git\", \"push\"]" },
	{ "prefix_rule(\n  pattern = [\"git\", [\"push\", \"fetch\"]],\n"
	  "  not_match = [\"git status\",\n    [\"git\", \"fetch\", "
	  "\"x\"]],\n)",
	    0, 4, 5,
	    "not_match example [\"git\", \"fetch\", \"x\"] matches the "
	    "pattern [\"git\", [\"push\", \"fetch\"]]" },
	{ "prefix_rule(pattern = [\"git\"], match = [\"gitk\"])", 0, 1, 41,
	    "match example \"gitk\" does not match" },
	{ "prefix_rule(pattern = [\"/usr/bin/git\"], match = [\"git\"])", 0, 1,
	    50,
	    "match example \"git\" does not match the pattern "
	    "[\"/usr/bin/git\"]" },
	{ "prefix_rule(pattern = [\"a\", \"b\"], match = [\"a\"])", 0, 1, 44,
	    "match example \"a\" does not match" },
	{ "prefix_rule(pattern = [\"a\"], not_match = [\"/bin/a -x\"])", 0, 1,
	    43, "not_match example \"/bin/a -x\" matches the pattern [\"a\"]" },
	/* strings in messages are shown escaped */
	{ "prefix_rule(pattern = [\"a\"], match = [[\"b\\n\\\"\"]])", 0, 1, 39,
	    "match example [\"b\\n\\\"\"] does not match" },
	/* the first error wins; the second rule's error names its line */
	{ "prefix_rule(pattern=[\"ok\"])\n\nprefix_rule(pattern=[\"a\"], "
	  "match=[\"b\"])",
	    0, 3, 35, "match example \"b\" does not match" },
};

START_TEST(test_bad)
{
	const struct bad_case *c = &bad_cases[_i];
	char pre[64];

	ck_assert_msg(parse_n(c->doc, c->len) == -1, "accepted: %s", c->doc);
	snprintf(pre, sizeof(pre), NAME ":%d:%d: ", c->line, c->col);
	ck_assert_msg(strncmp(err, pre, strlen(pre)) == 0,
	    "%s\nwant position %s, got: %s", c->doc, pre, err);
	ck_assert_msg(strstr(err, c->msg) != NULL, "%s\nwant /%s/, got: %s",
	    c->doc, c->msg, err);
	ck_assert_uint_eq(cfg.nrules, 0);
}
END_TEST

/* A long example is cut in the message, which stays in the buffer. */
START_TEST(test_long_example)
{
	char doc[4096];
	size_t n;

	n = (size_t)snprintf(
	    doc, sizeof(doc), "prefix_rule(pattern=[\"a\"], match=[\"");
	memset(doc + n, 'x', 3000);
	strcpy(doc + n + 3000, "\"])");
	ck_assert_int_eq(parse(doc), -1);
	ck_assert_ptr_nonnull(strstr(err, "t.rules:1:35: match example \"xxx"));
	ck_assert_ptr_nonnull(strstr(err, "..."));
	ck_assert_uint_lt(strlen(err), sizeof(err));
}
END_TEST

/* A list of at most 4096 values. */
START_TEST(test_list_limit)
{
	char *doc, *p;
	size_t i, n = 4097;

	doc = malloc(n * 6 + 64);
	ck_assert_ptr_nonnull(doc);
	p = doc + sprintf(doc, "prefix_rule(pattern=[[");
	for (i = 0; i < n; i++)
		p += sprintf(p, "\"a\",");
	strcpy(p, "]])");
	ck_assert_int_eq(parse(doc), -1);
	ck_assert_str_eq(err, NAME ":1:16407: more than 4096 values in a list");
	ck_assert_uint_eq(cfg.nrules, 0);
	/* one value fewer is fine */
	strcpy(doc + 22 + 4096 * 4, "]])");
	ck_assert_msg(parse(doc) == 0, "%s", err);
	ck_assert_uint_eq(cfg.rules[0].word[0].nalt, 4096);
	free(doc);
}
END_TEST

/* ---------------------------------------------------------------------
 * The loaded rule matches with the policy's matcher
 */

struct match_case {
	const char *pattern; /* the value of pattern = */
	const char *argv[5];
	int want;
};

static const struct match_case match_cases[] = {
	{ "[\"git\", [\"push\", \"fetch\"]]", { "git", "push", "origin" }, 1 },
	{ "[\"git\", [\"push\", \"fetch\"]]", { "/usr/bin/git", "fetch" }, 1 },
	{ "[\"git\", [\"push\", \"fetch\"]]", { "git", "pull" }, 0 },
	{ "[\"git\", [\"push\", \"fetch\"]]", { "git" }, 0 },
	{ "[[\"git\", \"hg\"], \"push\"]", { "hg", "push" }, 1 },
	{ "[\"rm\", \"-rf\"]", { "rm", "-r", "-f" }, 0 },
	{ "[\"/bin/rm\"]", { "/usr/bin/rm" }, 0 },
	{ "[\"/bin/rm\"]", { "/bin/rm", "x" }, 1 },
	{ "[\"a\\tb\"]", { "a\tb" }, 1 },
};

START_TEST(test_match)
{
	const struct match_case *c = &match_cases[_i];
	char doc[256];
	size_t argc;

	snprintf(doc, sizeof(doc), "prefix_rule(pattern = %s)", c->pattern);
	ck_assert_msg(parse(doc) == 0, "%s: %s", doc, err);
	ck_assert_uint_eq(cfg.nrules, 1);
	for (argc = 0; c->argv[argc] != NULL; argc++)
		;
	ck_assert_int_eq(
	    policy_rule_matches(&cfg.rules[0], c->argv, argc), c->want);
}
END_TEST

/* ---------------------------------------------------------------------
 * Input cut anywhere, or with any one byte changed: no crash, no leak,
 * and either rules or an error with a position.
 */

static const char full_doc[] =
    "# comment\n"
    "prefix_rule(\n"
    "    pattern = [\"git\", ['push', \"fetch\"]],\n"
    "    decision = \"prompt\",\n"
    "    justification = \"it\\'s \\\"net\\\"\\n\\t\",\n"
    "    match = [[\"git\", \"push\", \"origin\"], \"git fetch\"],\n"
    "    not_match = [\"git status\",],\n"
    ")\n"
    "prefix_rule(pattern=[\"rm\"], decision=\"forbidden\")\n";

static void
check_outcome(int r, size_t before)
{
	if (r == 0)
		ck_assert_uint_ge(cfg.nrules, before);
	else {
		ck_assert_uint_eq(cfg.nrules, before);
		ck_assert_msg(strncmp(err, NAME ":", strlen(NAME ":")) == 0,
		    "error without a position: %s", err);
	}
}

START_TEST(test_prefixes)
{
	size_t len = strlen(full_doc), i;
	int r;

	ck_assert_int_eq(parse(full_doc), 0);
	ck_assert_uint_eq(cfg.nrules, 2);
	for (i = 1; i < len; i++) {
		size_t before = cfg.nrules;

		r = parse_n(full_doc, i);
		check_outcome(r, before);
	}
}
END_TEST

START_TEST(test_mutations)
{
	static const char bytes[] = "\"'[](),=#\\\n \0xa";
	size_t len = strlen(full_doc), i, j;
	char *doc = malloc(len);

	ck_assert_ptr_nonnull(doc);
	for (i = 0; i < len; i++) {
		for (j = 0; j < sizeof(bytes) - 1; j++) {
			size_t before = cfg.nrules;

			memcpy(doc, full_doc, len);
			doc[i] = bytes[j];
			check_outcome(execpolicy_parse(&cfg, NAME, doc, len,
					  err, sizeof(err)),
			    before);
		}
	}
	free(doc);
}
END_TEST

/* A tiny error buffer: the message is cut, never overflows. */
START_TEST(test_small_err)
{
	char small[8];

	memset(small, 'z', sizeof(small));
	ck_assert_int_eq(
	    execpolicy_parse(&cfg, NAME, "x", 1, small, sizeof(small)), -1);
	ck_assert_str_eq(small, "t.rules");
	ck_assert_int_eq(execpolicy_parse(&cfg, NAME, "x", 1, small, 0), -1);
}
END_TEST

static Suite *
execpolicy_suite(void)
{
	Suite *s = suite_create("execpolicy");
	TCase *tc;

	tc = tcase_create("good");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_good, 0, nitems(good_cases));
	tcase_add_test(tc, test_append);
	tcase_add_test(tc, test_many);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_bad, 0, nitems(bad_cases));
	tcase_add_test(tc, test_long_example);
	tcase_add_test(tc, test_small_err);
	tcase_add_test(tc, test_list_limit);
	suite_add_tcase(s, tc);

	tc = tcase_create("match");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_match, 0, nitems(match_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("robust");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_prefixes);
	tcase_add_test(tc, test_mutations);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(execpolicy_suite());
	int nfailed;

	srunner_run_all(sr, CK_ENV);
	nfailed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfailed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
