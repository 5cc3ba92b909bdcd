/*
 * snapshot.c: the compiled policy as bytes and back.
 *
 * snapshot_write() runs in the supervisor. snapshot_read() runs in the shim,
 * inside every watched process, on bytes from a memfd that the supervisor
 * sealed: it still checks every length and count, since a malformed snapshot
 * must fail the load (and so fail closed), never overrun.
 *
 * Layout: "awsn" magic, version, then fields in a fixed order; integers are
 * 32-bit little-endian host order (writer and reader are the same build),
 * strings a 32-bit length and the bytes, without NUL. The session grants
 * come last.
 *
 * snapshot_read_alloc() takes its memory from an allocator the caller
 * gives (the shim's arena, built with raw mmap, so that a new generation
 * can be loaded inside a hook, where malloc is not safe).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "policy_int.h"

#define SNAP_MAGIC 0x6e737761u /* "awsn" */
#define SNAP_VERSION 4
#define SNAP_MAX_COUNT 65536

struct wbuf {
	FILE *f;
};

static void
w_u32(struct wbuf *w, uint32_t v)
{
	fwrite(&v, sizeof(v), 1, w->f);
}

static void
w_str(struct wbuf *w, const char *s)
{
	uint32_t n = s ? (uint32_t)strlen(s) : UINT32_MAX;

	w_u32(w, n);
	if (s != NULL)
		fwrite(s, 1, n, w->f);
}

int
snapshot_write(const struct policy *pol, uint8_t **buf, size_t *len)
{
	const struct config *cfg = pol->cfg;
	const struct cfg_list *l;
	struct wbuf w;
	char *out = NULL;
	size_t i, j, k;

	*buf = NULL;
	*len = 0;
	if ((w.f = open_memstream(&out, len)) == NULL)
		return -1;
	w_u32(&w, SNAP_MAGIC);
	w_u32(&w, SNAP_VERSION);
	w_u32(&w, (uint32_t)pol->mode);
	w_u32(&w, (uint32_t)pol->approval);
	w_u32(&w, (uint32_t)pol->net_on);
	w_u32(&w, (uint32_t)pol->proxy);
	w_u32(&w, (uint32_t)pol->watch);
	w_u32(&w, (uint32_t)pol->proxy_port);
	/* when it was compiled: the git rules' "existed at the start" */
	w_u32(&w, (uint32_t)((unsigned long long)pol->t0_sec >> 32));
	w_u32(&w, (uint32_t)pol->t0_sec);
	w_u32(&w, (uint32_t)pol->t0_nsec);
	w_str(&w, pol->roots_text);
	w_u32(&w, CFG_NSCALARS);
	for (i = 0; i < CFG_NSCALARS; i++) {
		w_u32(&w, (uint32_t)cfg->s[i].val);
		w_str(&w, cfg->s[i].where);
		w_str(&w, cfg->s[i].str);
	}
	/* the lists the decision reads: protected names, domains, sockets */
	{
		static const int ids[] = { CFG_PROTECTED, CFG_DOMAINS,
			CFG_UNIX_SOCKETS };

		for (i = 0; i < 3; i++) {
			l = &cfg->l[ids[i]];
			w_u32(&w, (uint32_t)l->n);
			for (j = 0; j < l->n; j++) {
				w_str(&w, l->v[j].key);
				w_u32(&w, (uint32_t)l->v[j].val);
				w_str(&w, l->v[j].where);
			}
		}
	}
	w_u32(&w, (uint32_t)cfg->nrules);
	for (i = 0; i < cfg->nrules; i++) {
		const struct cfg_exec_rule *r = &cfg->rules[i];

		w_u32(&w, (uint32_t)r->nword);
		for (j = 0; j < r->nword; j++) {
			w_u32(&w, (uint32_t)r->word[j].nalt);
			for (k = 0; k < r->word[j].nalt; k++)
				w_str(&w, r->word[j].alt[k]);
		}
		w_u32(&w, (uint32_t)r->decision);
		w_str(&w, r->justification);
		w_str(&w, r->where);
	}
	w_u32(&w, (uint32_t)pol->npaths);
	for (i = 0; i < pol->npaths; i++) {
		w_str(&w, pol->paths[i].path);
		w_u32(&w, (uint32_t)pol->paths[i].kind);
		w_u32(&w, (uint32_t)pol->paths[i].access);
		w_str(&w, pol->paths[i].label);
		w_str(&w, pol->paths[i].where);
	}
	w_u32(&w, (uint32_t)pol->nunix);
	for (i = 0; i < pol->nunix; i++) {
		w_str(&w, pol->unix_socks[i].path);
		w_str(&w, pol->unix_socks[i].key);
	}
	w_u32(&w, (uint32_t)pol->ngrants);
	for (i = 0; i < pol->ngrants; i++) {
		const struct pol_grant *g = &pol->grants[i];

		w_u32(&w, (uint32_t)g->op);
		w_u32(&w, (uint32_t)g->allow);
		w_str(&w, g->path);
		w_str(&w, g->host);
		w_u32(&w, (uint32_t)g->argc);
		for (j = 0; j < g->argc; j++)
			w_str(&w, g->argv[j]);
		w_str(&w, g->exe);
		w_str(&w, g->label);
	}
	if (fclose(w.f) != 0) {
		free(out);
		*len = 0;
		return -1;
	}
	*buf = (uint8_t *)out;
	return 0;
}

/* Reading: a bounded cursor whose getters fail on truncation */
struct rbuf {
	const uint8_t *p;
	size_t left;
	int bad;
	const struct snapshot_alloc *al; /* NULL: calloc */
};

/* N zeroed bytes (at least one), or NULL */
static void *
r_alloc(struct rbuf *r, size_t n)
{
	if (n == 0)
		n = 1;
	if (r->al != NULL)
		return r->al->zalloc(r->al->ctx, n);
	return calloc(1, n);
}

static void *
r_array(struct rbuf *r, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	return r_alloc(r, n * size);
}

static uint32_t
r_u32(struct rbuf *r)
{
	uint32_t v = 0;

	if (r->bad || r->left < sizeof(v)) {
		r->bad = 1;
		return 0;
	}
	memcpy(&v, r->p, sizeof(v));
	r->p += sizeof(v);
	r->left -= sizeof(v);
	return v;
}

static uint32_t
r_count(struct rbuf *r)
{
	uint32_t n = r_u32(r);

	if (n > SNAP_MAX_COUNT)
		r->bad = 1;
	return r->bad ? 0 : n;
}

/* A malloc'd string, or NULL for an absent one (*absent set). */
static char *
r_str(struct rbuf *r, int may_be_null)
{
	uint32_t n = r_u32(r);
	char *s;

	if (r->bad)
		return NULL;
	if (n == UINT32_MAX) {
		if (!may_be_null)
			r->bad = 1;
		return NULL;
	}
	if (n > r->left || memchr(r->p, '\0', n) != NULL) {
		r->bad = 1;
		return NULL;
	}
	if ((s = r_alloc(r, (size_t)n + 1)) == NULL) {
		r->bad = 1;
		return NULL;
	}
	memcpy(s, r->p, n);
	s[n] = '\0';
	r->p += n;
	r->left -= n;
	return s;
}

/* Give back what r_str() took, if it came from malloc */
static void
r_free(struct rbuf *r, void *p)
{
	if (r->al == NULL)
		free(p);
}

/* A string into OUT (CAP bytes, cut to fit), without allocating; an
 * absent one is "" */
static void
r_strbuf(struct rbuf *r, char *out, size_t cap, int may_be_null)
{
	uint32_t n = r_u32(r);
	size_t k;

	out[0] = '\0';
	if (r->bad)
		return;
	if (n == UINT32_MAX) {
		if (!may_be_null)
			r->bad = 1;
		return;
	}
	if (n > r->left || memchr(r->p, '\0', n) != NULL) {
		r->bad = 1;
		return;
	}
	k = n < cap ? n : cap - 1;
	memcpy(out, r->p, k);
	out[k] = '\0';
	r->p += n;
	r->left -= n;
}

static void
r_where(struct rbuf *r, char *out)
{
	r_strbuf(r, out, CFG_WHERE, 1);
}

static int
r_enum(struct rbuf *r, int max)
{
	uint32_t v = r_u32(r);

	if (v > (uint32_t)max)
		r->bad = 1;
	return (int)v;
}

static void
r_list(struct rbuf *r, struct cfg_list *l)
{
	size_t i, n = r_count(r);

	if (r->bad || (l->v = r_array(r, n + 1, sizeof(*l->v))) == NULL) {
		r->bad = 1;
		return;
	}
	for (i = 0; i < n && !r->bad; i++) {
		l->v[i].key = r_str(r, 0);
		l->n = i + 1;
		l->v[i].val = r_enum(r, 3);
		r_where(r, l->v[i].where);
	}
}

static void
r_rules(struct rbuf *r, struct config *cfg)
{
	size_t i, j, k, n = r_count(r);

	if (r->bad ||
	    (cfg->rules = r_array(r, n + 1, sizeof(*cfg->rules))) == NULL) {
		r->bad = 1;
		return;
	}
	for (i = 0; i < n && !r->bad; i++) {
		struct cfg_exec_rule *ru = &cfg->rules[i];
		size_t nw = r_count(r);

		cfg->nrules = i + 1;
		if (r->bad ||
		    (ru->word = r_array(r, nw + 1, sizeof(*ru->word))) ==
			NULL) {
			r->bad = 1;
			return;
		}
		for (j = 0; j < nw && !r->bad; j++) {
			size_t na = r_count(r);

			ru->nword = j + 1;
			if (r->bad ||
			    (ru->word[j].alt = r_array(
				 r, na + 1, sizeof(char *))) == NULL) {
				r->bad = 1;
				return;
			}
			for (k = 0; k < na && !r->bad; k++) {
				ru->word[j].alt[k] = r_str(r, 0);
				ru->word[j].nalt = k + 1;
			}
		}
		ru->decision = r_enum(r, EXEC_FORBIDDEN);
		ru->justification = r_str(r, 1);
		r_where(r, ru->where);
	}
}

static void
r_grants(struct rbuf *r, struct policy *pol)
{
	size_t i, j, n = r_count(r);

	if (r->bad || n > POL_MAX_GRANTS ||
	    (pol->grants = r_array(r, n + 1, sizeof(*pol->grants))) == NULL) {
		r->bad = 1;
		return;
	}
	for (i = 0; i < n && !r->bad; i++) {
		struct pol_grant *g = &pol->grants[i];

		pol->ngrants = i + 1;
		g->op = r_enum(r, OP_BIND);
		g->allow = r_enum(r, 1);
		g->path = r_str(r, 1);
		g->host = r_str(r, 1);
		g->argc = (size_t)r_u32(r);
		if (g->argc > 2) {
			r->bad = 1;
			return;
		}
		for (j = 0; j < g->argc; j++)
			g->argv[j] = r_str(r, 0);
		g->exe = r_str(r, 1);
		g->label = r_str(r, 0);
		if (r->bad)
			return;
		/* what grant.c relies on */
		switch (g->op) {
		case OP_READ:
		case OP_WRITE:
		case OP_UNIX:
			r->bad = g->path == NULL;
			break;
		case OP_CONNECT:
		case OP_BIND:
			r->bad = g->host == NULL;
			break;
		case OP_EXEC:
			r->bad = g->argc == 0;
			break;
		default:
			r->bad = 1;
		}
	}
}

int
snapshot_read(const uint8_t *buf, size_t len, struct policy **out)
{
	return snapshot_read_alloc(buf, len, NULL, out);
}

int
snapshot_read_alloc(const uint8_t *buf, size_t len,
    const struct snapshot_alloc *al, struct policy **out)
{
	struct rbuf r = { buf, len, 0, al };
	struct policy *pol;
	struct config *cfg;
	const char *why;
	uint32_t hi;
	char *s;
	size_t i, n;

	*out = NULL;
	if ((pol = r_alloc(&r, sizeof(*pol))) == NULL)
		return -1;
	pol->arena = al != NULL;
	if ((cfg = r_alloc(&r, sizeof(*cfg))) == NULL) {
		r_free(&r, pol);
		return -1;
	}
	pol->cfg = al != NULL ? cfg : (pol->owned_cfg = cfg);
	if (r_u32(&r) != SNAP_MAGIC || r_u32(&r) != SNAP_VERSION)
		goto bad;
	pol->mode = r_enum(&r, SANDBOX_DANGER_FULL_ACCESS);
	pol->approval = r_enum(&r, APPROVAL_NEVER);
	pol->net_on = r_enum(&r, 1);
	pol->proxy = r_enum(&r, 1);
	pol->watch = r_enum(&r, 1);
	pol->proxy_port = r_enum(&r, 65535);
	hi = r_u32(&r);
	pol->t0_sec = (long long)(((unsigned long long)hi << 32) | r_u32(&r));
	pol->t0_nsec = r_enum(&r, 999999999);
	r_strbuf(&r, pol->roots_text, sizeof(pol->roots_text), 0);
	if (r_u32(&r) != CFG_NSCALARS)
		goto bad;
	for (i = 0; i < CFG_NSCALARS && !r.bad; i++) {
		cfg->s[i].val = (int)r_u32(&r);
		r_where(&r, cfg->s[i].where);
		cfg->s[i].str = r_str(&r, 1);
	}
	r_list(&r, &cfg->l[CFG_PROTECTED]);
	r_list(&r, &cfg->l[CFG_DOMAINS]);
	r_list(&r, &cfg->l[CFG_UNIX_SOCKETS]);
	r_rules(&r, cfg);

	n = r_count(&r);
	if (r.bad ||
	    (pol->paths = r_array(&r, n + 1, sizeof(*pol->paths))) == NULL)
		goto bad;
	for (i = 0; i < n && !r.bad; i++) {
		struct pol_path *e = &pol->paths[i];

		pol->npaths = i + 1;
		e->path = r_str(&r, 0);
		e->kind = r_enum(&r, PK_LAST);
		e->access = r_enum(&r, ACCESS_DENY);
		e->label = r_str(&r, 0);
		r_where(&r, e->where);
		if (!r.bad && e->path[0] != '/')
			r.bad = 1;
	}
	n = r_count(&r);
	if (r.bad ||
	    (pol->unix_socks = r_array(&r, n + 1, sizeof(*pol->unix_socks))) ==
		NULL)
		goto bad;
	for (i = 0; i < n && !r.bad; i++) {
		pol->nunix = i + 1;
		pol->unix_socks[i].path = r_str(&r, 0);
		/* the key is shown in messages: keep it in the owned config */
		s = r_str(&r, 0);
		pol->unix_socks[i].key = "unix_sockets";
		if (s != NULL) {
			size_t j;

			for (j = 0; j < cfg->l[CFG_UNIX_SOCKETS].n; j++)
				if (strcmp(cfg->l[CFG_UNIX_SOCKETS].v[j].key,
					s) == 0)
					pol->unix_socks[i].key =
					    cfg->l[CFG_UNIX_SOCKETS].v[j].key;
			r_free(&r, s);
		}
	}
	r_grants(&r, pol);
	if (r.bad || r.left != 0)
		goto bad;
	n = cfg->l[CFG_DOMAINS].n;
	if ((pol->domains = r_array(&r, n + 1, sizeof(*pol->domains))) == NULL)
		goto bad;
	for (i = 0; i < n; i++) {
		struct pol_domain *dm = &pol->domains[i];

		if (hostpat_parse(
			cfg->l[CFG_DOMAINS].v[i].key, &dm->pat, &why) == -1)
			goto bad;
		dm->decision = cfg->l[CFG_DOMAINS].v[i].val;
		dm->key = cfg->l[CFG_DOMAINS].v[i].key;
		dm->where = cfg->l[CFG_DOMAINS].v[i].where;
		pol->ndomains++;
	}
	*out = pol;
	return 0;
bad:
	policy_free(pol); /* nothing for an arena's: the caller drops it */
	return -1;
}
