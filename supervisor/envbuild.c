/*
 * envbuild.c: the environment of a process of the tree (see envbuild.h).
 */
#include <string.h>

#include "envbuild.h"
#include "proto.h"

/* our entries at most: LD_PRELOAD, AGENTWRAP_LD_PRELOAD, SOCK, HOLDER,
 * TOKEN, SHIM, AUDIT, AUDIT_ONLY, and the vector's NULL */
#define OURS 9

size_t
aw_env_size(char *const *envp, const struct aw_env *v, const char **user)
{
	size_t i, keep = 0, ulen, slen = strlen(v->shim);

	*user = NULL;
	for (i = 0; envp != NULL && envp[i] != NULL; i++) {
		if (!aw_env_ours(envp[i]))
			keep++;
		else if (*user == NULL &&
		    strncmp(envp[i], "LD_PRELOAD=", 11) == 0)
			*user = envp[i] + 11;
	}
	ulen = *user != NULL ? strlen(*user) : 0;
	return (keep + OURS) * sizeof(char *) + sizeof("LD_PRELOAD=") + slen +
	    1 + ulen + sizeof(AW_ENV_LD_PRELOAD "=") + ulen +
	    sizeof(AW_ENV_SOCK "=") + strlen(v->sock) +
	    sizeof(AW_ENV_HOLDER "=") + strlen(v->holder) +
	    sizeof(AW_ENV_TOKEN "=") + strlen(v->token_hex) +
	    sizeof(AW_ENV_SHIM "=") + slen + sizeof(AW_ENV_AUDIT "=1") +
	    sizeof(AW_ENV_AUDIT_ONLY "=1");
}

/* the user's LD_PRELOAD U without the shim SHIM, words joined by ':' */
static char *
put_user_preload(char *s, const char *u, const char *shim)
{
	const char *w, *end;
	size_t n, slen = strlen(shim);
	char *start = s;

	for (w = u; *w != '\0'; w = end) {
		while (*w == ':' || *w == ' ')
			w++;
		for (end = w; *end != '\0' && *end != ':' && *end != ' '; end++)
			;
		n = (size_t)(end - w);
		if (n == 0 || (n == slen && memcmp(w, shim, n) == 0))
			continue;
		if (s != start)
			*s++ = ':';
		memcpy(s, w, n);
		s += n;
	}
	*s = '\0';
	return s;
}

/* NAME=VALUE at S, as entry *K of VEC: past its NUL */
static char *
put(char **vec, size_t *k, char *s, const char *name, const char *value)
{
	vec[(*k)++] = s;
	s = stpcpy(s, name);
	*s++ = '=';
	return stpcpy(s, value) + 1;
}

char **
aw_env_build(
    void *buf, char *const *envp, const struct aw_env *v, const char *user)
{
	char **vec = buf, *s, *start, *uval = NULL;
	size_t i, k = 0, keep = 0;

	for (i = 0; envp != NULL && envp[i] != NULL; i++)
		if (!aw_env_ours(envp[i]))
			keep++;
	s = (char *)(vec + keep + OURS);
	for (i = 0; envp != NULL && envp[i] != NULL; i++)
		if (!aw_env_ours(envp[i]))
			vec[k++] = envp[i];

	if (user != NULL) {
		start = s;
		s = stpcpy(s, AW_ENV_LD_PRELOAD "=");
		uval = s;
		s = put_user_preload(s, user, v->shim);
		if (*uval != '\0') {
			vec[k++] = start;
			s++;
		} else {
			s = start; /* nothing but the shim was in it */
			uval = NULL;
		}
	}
	vec[k++] = s;
	s = stpcpy(stpcpy(s, "LD_PRELOAD="), v->shim);
	if (uval != NULL) {
		*s++ = ':';
		s = stpcpy(s, uval);
	}
	s++;
	s = put(vec, &k, s, AW_ENV_SOCK, v->sock);
	if (v->holder[0] != '\0')
		s = put(vec, &k, s, AW_ENV_HOLDER, v->holder);
	s = put(vec, &k, s, AW_ENV_TOKEN, v->token_hex);
	s = put(vec, &k, s, AW_ENV_SHIM, v->shim);
	if (v->audit)
		s = put(vec, &k, s, AW_ENV_AUDIT, "1");
	if (v->audit_only)
		(void)put(vec, &k, s, AW_ENV_AUDIT_ONLY, "1");
	vec[k] = NULL;
	return vec;
}
