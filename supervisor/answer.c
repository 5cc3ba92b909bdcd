/*
 * answer.c: an approval harness's answer line, parsed and checked
 * (answer.h). Runs in the supervisor on untrusted bytes; pure.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "answer.h"
#include "approve.h"

/* The enum approve_decision values, in order */
static const char *const decisions[] = {
	"allow",
	"allow_session",
	"deny",
	"deny_session",
};

static int
decision_parse(const char *s)
{
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, decisions[i]) == 0)
			return i;
	return -1;
}

int
answer_parse(const char *s, size_t len, uint64_t *id, int *decision, char *why,
    size_t whylen)
{
	json_error_t je;
	json_t *o, *v;
	const char *key, *type, *dec, *what;
	json_int_t n;
	size_t k;
	int d, r = -1, rerun;

	*id = 0;
	*decision = -1;
	why[0] = '\0';
	for (k = 0; k < len && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r');
	     k++)
		;
	if (k == len)
		return 1;
	if ((o = json_loadb(s, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
		 &je)) == NULL) {
		snprintf(why, whylen,
		    "a line that is not JSON (%s at column "
		    "%d); ignored",
		    je.text, je.column);
		return -1;
	}
	if (!json_is_object(o)) {
		snprintf(why, whylen,
		    "a line that is not a JSON object; "
		    "ignored");
		goto out;
	}
	v = json_object_get(o, "type");
	type = json_is_string(v) ? json_string_value(v) : NULL;
	rerun = type != NULL && strcmp(type, "rerun_response") == 0;
	what = rerun ? "a rerun_response" : "an approval_response";
	if (type == NULL ||
	    (strcmp(type, "approval_response") != 0 && !rerun) ||
	    strlen(type) != json_string_length(v)) {
		snprintf(why, whylen, "%s; ignored",
		    type == NULL ? "a message "
				   "without a type"
				 : "a message of an unknown type");
		goto out;
	}
	/* only the keys we know: a misspelt one is not silently dropped */
	json_object_foreach(o, key, v)
	{
		if (strcmp(key, "type") != 0 && strcmp(key, "id") != 0 &&
		    strcmp(key, "decision") != 0) {
			snprintf(why, whylen,
			    "%s with an unknown key; "
			    "ignored",
			    what);
			goto out;
		}
	}
	v = json_object_get(o, "id");
	if (!json_is_integer(v) || (n = json_integer_value(v)) <= 0) {
		snprintf(why, whylen,
		    "%s whose id is not a positive "
		    "integer; ignored",
		    what);
		goto out;
	}
	v = json_object_get(o, "decision");
	dec = json_is_string(v) ? json_string_value(v) : NULL;
	if (rerun) {
		/* a rerun is run or not: allow or deny, nothing for a session */
		if (dec == NULL || strlen(dec) != json_string_length(v) ||
		    (strcmp(dec, "allow") != 0 && strcmp(dec, "deny") != 0)) {
			snprintf(why, whylen,
			    "a rerun_response whose decision "
			    "is not allow or deny; ignored");
			goto out;
		}
		*id = (uint64_t)n;
		*decision = strcmp(dec, "allow") == 0;
		r = 2;
		goto out;
	}
	if (dec == NULL || strlen(dec) != json_string_length(v) ||
	    (d = decision_parse(dec)) == -1) {
		snprintf(why, whylen,
		    "an approval_response whose decision is "
		    "not allow, allow_session, deny or deny_session; ignored");
		goto out;
	}
	*id = (uint64_t)n;
	*decision = d;
	r = 0;
out:
	json_decref(o);
	return r;
}
