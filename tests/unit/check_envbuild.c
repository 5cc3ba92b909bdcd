/*
 * Unit tests for supervisor/envbuild.c, the one builder of a tree
 * process's environment (the supervisor's first child, every exec in the
 * shim): the program's variables kept, ours replaced, the user's own
 * preloads after the shim and without it, and never a byte past the size
 * aw_env_size gave (the buffer is malloc'd at exactly that size, so the
 * sanitizer sees any overrun).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "envbuild.h"
#include "proto.h"

#define SHIM "/opt/aw/libagentwrap.so"

static const struct aw_env vals = { SHIM, "@agentwrap-sock", "4242",
	"00112233445566778899aabbccddeeff", 1, 0 };

static char **
build(char *const *envp, const struct aw_env *v, void **buf)
{
	const char *user;
	size_t n = aw_env_size(envp, v, &user);

	*buf = malloc(n);
	ck_assert_ptr_nonnull(*buf);
	return aw_env_build(*buf, envp, v, user);
}

/* the value of NAME in ENV, or NULL; fails if NAME is there twice */
static const char *
get(char **env, const char *name)
{
	size_t i, n = strlen(name);
	const char *v = NULL;

	for (i = 0; env[i] != NULL; i++)
		if (strncmp(env[i], name, n) == 0 && env[i][n] == '=') {
			ck_assert_msg(v == NULL, "%s twice", name);
			v = env[i] + n + 1;
		}
	return v;
}

START_TEST(ours_replaced_theirs_kept)
{
	char *envp[] = { "HOME=/home/a", AW_ENV_SOCK "=@stale",
		AW_ENV_TOKEN "=ffff", "AGENTWRAP_MINE=1", "PATH=/bin", NULL };
	void *buf;
	char **env = build(envp, &vals, &buf);

	ck_assert_str_eq(get(env, "HOME"), "/home/a");
	ck_assert_str_eq(get(env, "PATH"), "/bin");
	/* a user's own AGENTWRAP_ variable is not ours */
	ck_assert_str_eq(get(env, "AGENTWRAP_MINE"), "1");
	ck_assert_str_eq(get(env, AW_ENV_SOCK), "@agentwrap-sock");
	ck_assert_str_eq(get(env, AW_ENV_TOKEN), vals.token_hex);
	ck_assert_str_eq(get(env, AW_ENV_HOLDER), "4242");
	ck_assert_str_eq(get(env, AW_ENV_SHIM), SHIM);
	ck_assert_str_eq(get(env, AW_ENV_AUDIT), "1");
	ck_assert_ptr_null(get(env, AW_ENV_AUDIT_ONLY));
	ck_assert_str_eq(get(env, "LD_PRELOAD"), SHIM);
	ck_assert_ptr_null(get(env, AW_ENV_LD_PRELOAD));
	free(buf);
}
END_TEST

START_TEST(user_preloads_after_the_shim)
{
	char *envp[] = { "LD_PRELOAD=" SHIM ":/lib/a.so /lib/b.so::", NULL };
	void *buf;
	char **env = build(envp, &vals, &buf);

	ck_assert_str_eq(get(env, "LD_PRELOAD"), SHIM ":/lib/a.so:/lib/b.so");
	ck_assert_str_eq(get(env, AW_ENV_LD_PRELOAD), "/lib/a.so:/lib/b.so");
	free(buf);
}
END_TEST

START_TEST(only_the_shim_preloaded)
{
	char *envp[] = { "LD_PRELOAD=" SHIM, NULL };
	void *buf;
	char **env = build(envp, &vals, &buf);

	ck_assert_str_eq(get(env, "LD_PRELOAD"), SHIM);
	ck_assert_ptr_null(get(env, AW_ENV_LD_PRELOAD));
	free(buf);
}
END_TEST

START_TEST(no_holder_no_audit_empty_env)
{
	struct aw_env v = vals;
	void *buf;
	char **env;

	v.holder = "";
	v.audit = 0;
	v.audit_only = 1;
	env = build(NULL, &v, &buf);
	ck_assert_ptr_null(get(env, AW_ENV_HOLDER));
	ck_assert_ptr_null(get(env, AW_ENV_AUDIT));
	ck_assert_str_eq(get(env, AW_ENV_AUDIT_ONLY), "1");
	ck_assert_str_eq(get(env, "LD_PRELOAD"), SHIM);
	free(buf);
}
END_TEST

/* every one of ours given, and long values: the size still holds */
START_TEST(size_holds_the_largest)
{
	static char big[8192];
	char *envp[] = { big, AW_ENV_LD_PRELOAD "=/x.so", AW_ENV_SHIM "=/y",
		AW_ENV_HOLDER "=1", AW_ENV_AUDIT "=1", AW_ENV_AUDIT_ONLY "=1",
		NULL };
	struct aw_env v = vals;
	void *buf;
	char **env;

	memcpy(big, "LD_PRELOAD=", 11);
	memset(big + 11, 'a', sizeof(big) - 12);
	v.audit_only = 1;
	env = build(envp, &v, &buf);
	ck_assert_uint_eq(
	    strlen(get(env, AW_ENV_LD_PRELOAD)), sizeof(big) - 12);
	ck_assert_str_eq(get(env, AW_ENV_AUDIT_ONLY), "1");
	free(buf);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("envbuild");
	TCase *t = tcase_create("build");

	tcase_add_test(t, ours_replaced_theirs_kept);
	tcase_add_test(t, user_preloads_after_the_shim);
	tcase_add_test(t, only_the_shim_preloaded);
	tcase_add_test(t, no_holder_no_audit_empty_env);
	tcase_add_test(t, size_holds_the_largest);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	SRunner *r = srunner_create(suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
