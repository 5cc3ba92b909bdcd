/*
 * hooks.c: the wrappers generated from the HOOK rows of hooks.def (and the
 * ALIAS rows: another name calling a hook). Each one
 * runs the row's prep, enters the shim (pass through when inert or when the
 * shim itself is calling; fail closed when the supervisor is gone), judges
 * with the row's expression, then calls the real function or fails with the
 * errno the judgement gave, as the kernel would.
 *
 * Runs inside the watched process, in hooks (see shim.h).
 */
#undef _FORTIFY_SOURCE

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <resolv.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "shim.h"

/* clang-format off */
/* a path argument: pinned if the judge pinned it (shim.h); P2 the second */
#define P(path) shim_pinned(&aw_c, 0, (path), 0)
#define P2(path) shim_pinned(&aw_c, 1, (path), 0)
#define PT(tmpl) shim_pinned(&aw_c, 0, (tmpl), 1)
#define HOOK(cls, ret, name, params, prep, judge, call, fail)		\
	SHIM_EXPORT ret name params					\
	{								\
		struct shim_call aw_c;					\
		ret aw_r;						\
		int aw_e;						\
									\
		prep							\
		aw_c.npin = 0;						\
		switch (shim_enter(&aw_c, #name, cls)) {		\
		case SHIM_PASS:						\
			break;						\
		case SHIM_JUDGE:					\
			aw_c.can_pin = 1;				\
			aw_e = REAL(name) == NULL ? shim_missing(#name) : \
			    (judge);					\
			if (shim_leave(&aw_c, aw_e)) {			\
				shim_unpin(&aw_c);			\
				return fail;				\
			}						\
			break;						\
		default:						\
			return fail;					\
		}							\
		if (REAL(name) == NULL) {				\
			errno = shim_missing(#name);			\
			return fail;					\
		}							\
		if (aw_c.npin == 0)					\
			return call;					\
		aw_r = call;						\
		shim_unpin(&aw_c);					\
		return aw_r;						\
	}
/* clang-format on */
#define HAND(ret, name, params)
#define ALIAS(ret, name, params, of, args)                                     \
	SHIM_EXPORT ret name params                                            \
	{                                                                      \
		return of args;                                                \
	}
#include "hooks.def"
#undef HOOK
#undef HAND
#undef ALIAS
