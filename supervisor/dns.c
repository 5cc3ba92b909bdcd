/*
 * dns.c: the supervisor's resolver (worker threads around getaddrinfo) and
 * the pin table. See dns.h.
 *
 * One mutex guards every entry's lookup state, the queue and the list of
 * finished lookups; the workers hold it only to take a name and to hand an
 * answer back, never while they resolve. An entry is never freed while it
 * is queued, running or wanted, so a worker's pointer stays good; a lookup
 * that outlives its deadline finishes on its thread and its answer is kept
 * for later, but its waiters were answered "does not resolve" at the
 * deadline. The names come from watched processes: they are normalised
 * host names (netaddr_norm_host) by the time they get here, and bounded.
 */
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <arpa/nameser.h>
#include <netinet/in.h>

#include <errno.h>
#include <pthread.h>
#include <resolv.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>
#include <unistd.h>

#include "clock.h"
#include "dns.h"
#include "dnsmsg.h"

/* How long dns_free() waits for a lookup that is still running */
#define DNS_FREE_WAIT_MS 200

struct entry {
	UT_hash_handle hh;
	char name[DNS_KEYLEN]; /* the key: a name, or a raw query's key */
	/* a raw query (dns_raw): its name, type and class */
	int raw;
	char qname[NETADDR_HOSTLEN];
	uint16_t qtype, qclass;
	/* the answer, once known (the loop's) */
	int known;
	int n;
	struct netaddr addrs[DNS_MAX_ADDRS];
	uint8_t *ans; /* a raw query's, malloc'd (NULL: none) */
	size_t anslen;
	uint64_t t_answer;
	/* a lookup the loop waits for, and when it gives up (the loop's) */
	int wanted;
	uint64_t deadline;
	struct entry *wnext; /* the list of wanted entries */
	/* under the mutex */
	int queued, running, finished;
	struct entry *qnext; /* the queue, or the finished list */
	int wn; /* the worker's answer */
	struct netaddr waddrs[DNS_MAX_ADDRS];
	uint8_t *wans;
	size_t wanslen;
};

struct pin {
	UT_hash_handle hh;
	struct netaddr a; /* the key: zeroed, then family and addr */
	char name[NETADDR_HOSTLEN];
	struct pin *older, *newer; /* oldest first, for forgetting */
};

struct dns {
	const struct resolve_table *rt;
	dns_lookup_fn lookup;
	dns_raw_fn raw_lookup;
	struct entry *names; /* hash by name */
	size_t nnames;
	struct entry *wanted; /* list */
	struct pin *pins, *oldest, *newest;
	size_t npins;
	int efd; /* eventfd: a lookup finished */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct entry *qhead, *qtail; /* names to look up */
	struct entry *done; /* finished lookups for the loop */
	int stop;
	uint64_t ttl_ms; /* how long an answer is used again */
	/* the entry dns_ready hands over: its answer is fresh for those who
	 * waited for it, whatever the TTL (0 would make them wait again) */
	struct entry *serving;
	int busy; /* workers inside resolve_system() */
	int nthreads;
	pthread_t th[DNS_WORKERS];
};

/*
 * The raw query NAME, TYPE, KLASS sent to the system's name servers with
 * a resolver state of our own (the system's configuration: nothing of the
 * tree's), the answer into OUT: its length, or 0 if none came.
 */
static int
resolve_raw(const char *name, int type, int klass, uint8_t *out, size_t cap)
{
	struct __res_state rs;
	uint8_t q[DNSMSG_QUERY_MAX + 64];
	int ql, n;

	memset(&rs, 0, sizeof(rs));
	if (res_ninit(&rs) != 0)
		return 0;
	/* the loop gives up after DNS_TIMEOUT_MS; do not keep a worker
	 * much longer than that */
	rs.retrans = 1;
	rs.retry = 2;
	/* a truncated answer is handed out as it is (TC set), never asked
	 * again over TCP: glibc gives a TCP name server that accepts and
	 * never answers no deadline, and a worker would be gone for good */
	rs.options |= RES_IGNTC;
	ql = res_nmkquery(
	    &rs, QUERY, name, klass, type, NULL, 0, NULL, q, (int)sizeof(q));
	n = ql < 0 ? -1 : res_nsend(&rs, q, ql, out, (int)cap);
	res_nclose(&rs);
	return n < DNSMSG_HDR ? 0 : n > (int)cap ? (int)cap : n;
}

/* The worker's part: W's lookup (W is a copy of an entry's name, kind
 * and question, made under the mutex), its answer into W */
static void
look_up(struct dns *d, struct entry *w)
{
	uint8_t *shrunk;
	int n;

	w->wans = NULL;
	w->wanslen = 0;
	w->wn = 0;
	if (!w->raw) {
		n = d->lookup(w->name, w->waddrs, DNS_MAX_ADDRS);
		w->wn = n < 0 ? 0 : n;
		return;
	}
	if ((w->wans = malloc(DNSMSG_MAX)) == NULL)
		return;
	n = d->raw_lookup(w->qname, w->qtype, w->qclass, w->wans, DNSMSG_MAX);
	if (n <= 0) {
		free(w->wans);
		w->wans = NULL;
		return;
	}
	w->wanslen = (size_t)n;
	/* kept for the session: only what it takes */
	if ((shrunk = realloc(w->wans, (size_t)n)) != NULL)
		w->wans = shrunk;
}

static void *
worker(void *arg)
{
	struct dns *d = arg;
	struct entry *e, w;
	uint64_t one = 1;

	pthread_mutex_lock(&d->mu);
	for (;;) {
		while (!d->stop && d->qhead == NULL)
			pthread_cond_wait(&d->cv, &d->mu);
		if (d->stop)
			break;
		e = d->qhead;
		d->qhead = e->qnext;
		if (d->qhead == NULL)
			d->qtail = NULL;
		e->qnext = NULL;
		e->queued = 0;
		e->running = 1;
		memcpy(w.name, e->name, sizeof(w.name));
		memcpy(w.qname, e->qname, sizeof(w.qname));
		w.raw = e->raw;
		w.qtype = e->qtype;
		w.qclass = e->qclass;
		d->busy++;
		pthread_mutex_unlock(&d->mu);
		/* into W, then into E under the mutex */
		look_up(d, &w);
		pthread_mutex_lock(&d->mu);
		d->busy--;
		if (d->stop) {
			free(w.wans);
			/* dns_free() waits for this (for a while) */
			pthread_cond_broadcast(&d->cv);
			break;
		}
		e->wn = w.wn;
		memcpy(
		    e->waddrs, w.waddrs, (size_t)e->wn * sizeof(w.waddrs[0]));
		free(e->wans);
		e->wans = w.wans;
		e->wanslen = w.wanslen;
		e->running = 0;
		e->finished = 1;
		e->qnext = d->done;
		d->done = e;
		if (write(d->efd, &one, sizeof(one)) == -1) {
			/* the counter is full: the loop has plenty to read */
		}
	}
	pthread_mutex_unlock(&d->mu);
	return NULL;
}

struct dns *
dns_new(const struct resolve_table *rt)
{
	return dns_new_with(rt, resolve_system);
}

struct dns *
dns_new_with(const struct resolve_table *rt, dns_lookup_fn lookup)
{
	sigset_t all, old;
	struct dns *d;
	int i;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->rt = rt;
	d->lookup = lookup;
	d->raw_lookup = resolve_raw;
	d->ttl_ms = DNS_TTL_MS;
	if ((d->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1) {
		free(d);
		return NULL;
	}
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->cv, NULL);
	/* the workers take no signal: the loop's signalfd must get them all
	 * (a SIGCHLD taken by a worker would be lost) */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (i = 0; i < DNS_WORKERS; i++) {
		if (pthread_create(&d->th[i], NULL, worker, d) != 0)
			break;
		d->nthreads++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (d->nthreads == 0) {
		close(d->efd);
		free(d);
		return NULL;
	}
	return d;
}

void
dns_set_raw_lookup(struct dns *d, dns_raw_fn fn)
{
	if (d != NULL)
		d->raw_lookup = fn;
}

static void
entry_free(struct entry *e)
{
	free(e->ans);
	free(e->wans);
	free(e);
}

void
dns_set_ttl(struct dns *d, uint64_t ms)
{
	if (d != NULL)
		d->ttl_ms = ms;
}

void
dns_free(struct dns *d)
{
	struct entry *e, *et;
	struct pin *p, *pt;
	struct timespec until;
	int i, busy;

	if (d == NULL)
		return;
	pthread_mutex_lock(&d->mu);
	d->stop = 1;
	pthread_cond_broadcast(&d->cv);
	/* a lookup about to finish is waited for, a little */
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += DNS_FREE_WAIT_MS * 1000000L;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	while (d->busy > 0 &&
	    pthread_cond_timedwait(&d->cv, &d->mu, &until) != ETIMEDOUT)
		;
	busy = d->busy;
	pthread_mutex_unlock(&d->mu);
	if (busy > 0) {
		/* a worker is inside getaddrinfo: it may take seconds, and the
		 * run is over; leave it the module (freed with the process) */
		for (i = 0; i < d->nthreads; i++)
			pthread_detach(d->th[i]);
		return;
	}
	for (i = 0; i < d->nthreads; i++)
		pthread_join(d->th[i], NULL);
	HASH_ITER(hh, d->names, e, et)
	{
		HASH_DEL(d->names, e);
		entry_free(e);
	}
	HASH_ITER(hh, d->pins, p, pt)
	{
		HASH_DEL(d->pins, p);
		free(p);
	}
	close(d->efd);
	pthread_mutex_destroy(&d->mu);
	pthread_cond_destroy(&d->cv);
	free(d);
}

int
dns_pollfd(const struct dns *d)
{
	return d != NULL ? d->efd : -1;
}

int
dns_next_ms(const struct dns *d)
{
	const struct entry *e;
	uint64_t now, min = UINT64_MAX;

	if (d == NULL || d->wanted == NULL)
		return -1;
	for (e = d->wanted; e != NULL; e = e->wnext)
		if (e->deadline < min)
			min = e->deadline;
	now = clock_mono_ms();
	return min <= now ? 0 : (int)(min - now > 60000 ? 60000 : min - now);
}

/* Forget the oldest answer nobody waits for, to make room */
static int
evict_one(struct dns *d)
{
	struct entry *e, *et, *old = NULL;

	HASH_ITER(hh, d->names, e, et)
	{
		if (e->wanted || e->queued || e->running || e->finished)
			continue;
		if (old == NULL || e->t_answer < old->t_answer)
			old = e;
	}
	if (old == NULL)
		return -1;
	HASH_DEL(d->names, old);
	d->nnames--;
	entry_free(old);
	return 0;
}

/* Start a lookup of E (the mutex is not held) */
static void
want(struct dns *d, struct entry *e)
{
	if (e->wanted)
		return;
	e->wanted = 1;
	e->deadline = clock_mono_ms() + DNS_TIMEOUT_MS;
	e->wnext = d->wanted;
	d->wanted = e;
	pthread_mutex_lock(&d->mu);
	if (!e->queued && !e->running && !e->finished) {
		e->queued = 1;
		e->qnext = NULL;
		if (d->qtail != NULL)
			d->qtail->qnext = e;
		else
			d->qhead = e;
		d->qtail = e;
		pthread_cond_signal(&d->cv);
	}
	pthread_mutex_unlock(&d->mu);
}

/* A new entry for KEY (LEN bytes), or NULL: no room */
static struct entry *
entry_add(struct dns *d, const char *key, size_t len)
{
	struct entry *e;

	if (d->nnames >= DNS_MAX_NAMES && evict_one(d) == -1)
		return NULL; /* every name is being looked up: refused */
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	memcpy(e->name, key, len + 1);
	HASH_ADD(hh, d->names, name[0], len, e);
	d->nnames++;
	return e;
}

static int
copy_out(const struct entry *e, struct netaddr *out, size_t max)
{
	size_t n = (size_t)e->n < max ? (size_t)e->n : max;

	memcpy(out, e->addrs, n * sizeof(out[0]));
	return (int)n;
}

int
dns_answer(
    struct dns *d, const char *name, int fresh, struct netaddr *out, size_t max)
{
	struct entry *e;
	size_t len;
	int n;

	if ((n = resolve_table_find(d != NULL ? d->rt : NULL, name, out,
		 max)) != RESOLVE_NOT_LISTED)
		return n;
	if (d == NULL || (len = strlen(name)) >= NETADDR_HOSTLEN)
		return 0;
	HASH_FIND(hh, d->names, name, len, e);
	if (e != NULL && e->known &&
	    (!fresh || e == d->serving ||
		clock_mono_ms() - e->t_answer < d->ttl_ms))
		return copy_out(e, out, max);
	if (!fresh)
		return e != NULL && e->known ? copy_out(e, out, max) : 0;
	if (e == NULL && (e = entry_add(d, name, len)) == NULL)
		return 0;
	want(d, e);
	return DNS_PENDING;
}

/* The --resolve table's answer to the query, made here */
static int
raw_listed(const struct netaddr *a, int n, const char *name, int type,
    int klass, uint8_t *out, size_t cap)
{
	uint8_t q[DNSMSG_QUERY_MAX];
	struct dnsmsg_q qq;
	int ql;

	if ((ql = dnsmsg_query(
		 q, sizeof(q), 0, name, (uint16_t)type, (uint16_t)klass)) < 0 ||
	    dnsmsg_question(q, (size_t)ql, &qq) == -1)
		return 0;
	ql = dnsmsg_reply(out, cap, q, &qq,
	    n > 0 ? DNSMSG_NOERROR : DNSMSG_NXDOMAIN, a, (size_t)n, 60);
	return ql < 0 ? 0 : ql;
}

int
dns_raw(struct dns *d, const char *name, int type, int klass, uint8_t *out,
    size_t cap, char *key, size_t keylen)
{
	struct netaddr a[DNS_MAX_ADDRS];
	struct entry *e;
	size_t len, n;
	int k;

	if (keylen > 0)
		key[0] = '\0';
	if ((k = resolve_table_find(d != NULL ? d->rt : NULL, name, a,
		 DNS_MAX_ADDRS)) != RESOLVE_NOT_LISTED)
		return raw_listed(a, k, name, type, klass, out, cap);
	if (d == NULL || strlen(name) >= NETADDR_HOSTLEN || type < 0 ||
	    type > 0xffff || klass < 0 || klass > 0xffff)
		return 0;
	k = snprintf(key, keylen, "#%d#%d#%s", type, klass, name);
	if (k < 0 || (size_t)k >= keylen || keylen > DNS_KEYLEN)
		return 0;
	len = (size_t)k;
	HASH_FIND(hh, d->names, key, len, e);
	if (e != NULL && e->known &&
	    (e == d->serving || clock_mono_ms() - e->t_answer < d->ttl_ms)) {
		n = e->anslen < cap ? e->anslen : cap;
		if (n > 0)
			memcpy(out, e->ans, n);
		return (int)n;
	}
	if (e == NULL) {
		if ((e = entry_add(d, key, len)) == NULL)
			return 0;
		e->raw = 1;
		snprintf(e->qname, sizeof(e->qname), "%s", name);
		e->qtype = (uint16_t)type;
		e->qclass = (uint16_t)klass;
	}
	want(d, e);
	return DNS_PENDING;
}

/* E's lookup is over (its answer in E, or none): stop waiting for it */
static void
unwant(struct dns *d, struct entry *e)
{
	struct entry **pp;

	for (pp = &d->wanted; *pp != NULL; pp = &(*pp)->wnext)
		if (*pp == e) {
			*pp = e->wnext;
			break;
		}
	e->wnext = NULL;
	e->wanted = 0;
}

void
dns_ready(struct dns *d, void (*fn)(void *ctx, const char *name), void *ctx)
{
	struct entry *list, *e, *next, **pp;
	uint64_t v, now;

	if (d == NULL)
		return;
	if (read(d->efd, &v, sizeof(v)) == -1 && errno != EAGAIN) {
		/* nothing to clear */
	}
	pthread_mutex_lock(&d->mu);
	list = d->done;
	d->done = NULL;
	for (e = list; e != NULL; e = e->qnext) {
		e->finished = 0;
		e->known = 1;
		e->n = e->wn;
		memcpy(e->addrs, e->waddrs, (size_t)e->n * sizeof(e->addrs[0]));
		free(e->ans);
		e->ans = e->wans;
		e->anslen = e->wanslen;
		e->wans = NULL;
		e->wanslen = 0;
		e->t_answer = clock_mono_ms();
	}
	pthread_mutex_unlock(&d->mu);
	for (e = list; e != NULL; e = next) {
		next = e->qnext;
		e->qnext = NULL;
		if (e->wanted) {
			unwant(d, e);
			d->serving = e;
			fn(ctx, e->name);
			d->serving = NULL;
		}
	}
	/* lookups past their deadline: the name does not resolve, for now
	 * (a queued one is taken off the queue; a running one finishes on
	 * its thread and its answer is kept) */
	now = clock_mono_ms();
	for (pp = &d->wanted; *pp != NULL;) {
		e = *pp;
		if (e->deadline > now) {
			pp = &e->wnext;
			continue;
		}
		*pp = e->wnext;
		e->wnext = NULL;
		e->wanted = 0;
		pthread_mutex_lock(&d->mu);
		if (e->queued) {
			struct entry **q, *prev = NULL;

			for (q = &d->qhead; *q != NULL;
			     prev = *q, q = &(*q)->qnext)
				if (*q == e) {
					*q = e->qnext;
					if (d->qtail == e)
						d->qtail = prev;
					break;
				}
			e->queued = 0;
			e->qnext = NULL;
		}
		pthread_mutex_unlock(&d->mu);
		e->known = 1;
		e->n = 0;
		free(e->ans);
		e->ans = NULL;
		e->anslen = 0;
		e->t_answer = now;
		d->serving = e;
		fn(ctx, e->name);
		d->serving = NULL;
	}
}

void
dns_pin(struct dns *d, const struct netaddr *a, size_t n, const char *name)
{
	struct netaddr key;
	struct pin *p;
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < n; i++) {
		memset(&key, 0, sizeof(key));
		key.family = a[i].family;
		memcpy(key.addr, a[i].addr, sizeof(key.addr));
		HASH_FIND(hh, d->pins, &key, sizeof(key), p);
		if (p != NULL) {
			/* the newest name it was handed out for */
			snprintf(p->name, sizeof(p->name), "%s", name);
			continue;
		}
		if (d->npins >= DNS_MAX_PINS && (p = d->oldest) != NULL) {
			d->oldest = p->newer;
			if (d->oldest != NULL)
				d->oldest->older = NULL;
			else
				d->newest = NULL;
			HASH_DEL(d->pins, p);
			d->npins--;
			free(p);
		}
		if ((p = calloc(1, sizeof(*p))) == NULL)
			return;
		p->a = key;
		snprintf(p->name, sizeof(p->name), "%s", name);
		HASH_ADD(hh, d->pins, a, sizeof(p->a), p);
		p->older = d->newest;
		if (d->newest != NULL)
			d->newest->newer = p;
		else
			d->oldest = p;
		d->newest = p;
		d->npins++;
	}
}

int
dns_pinned(void *ctx, const struct netaddr *a, char *name, size_t namelen)
{
	struct dns *d = ctx;
	struct netaddr key;
	struct pin *p;

	if (d == NULL)
		return 0;
	memset(&key, 0, sizeof(key));
	key.family = a->family;
	memcpy(key.addr, a->addr, sizeof(key.addr));
	HASH_FIND(hh, d->pins, &key, sizeof(key), p);
	if (p == NULL)
		return 0;
	snprintf(name, namelen, "%s", p->name);
	return 1;
}

int
dns_cached_fn(void *ctx, const char *name, struct netaddr *out, size_t max)
{
	return dns_answer(ctx, name, 0, out, max);
}
