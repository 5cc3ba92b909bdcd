/*
 * run_int.h: the supervisor's state while it runs a command, shared by the
 * event loop (run.c) and the request handlers (handlers.c). Not for other
 * modules.
 */
#ifndef AGENTWRAP_RUN_INT_H
#define AGENTWRAP_RUN_INT_H

#include <limits.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "dns.h"
#include "floor.h"
#include "proxy.h"
#include "msg.h"
#include "policy.h"
#include "ring.h"
#include "run.h"
#include "watch.h"

struct run {
	const struct run_opts *o;
	struct ring_server ring;
	struct attach *attach; /* where each new process image gets the ring */
	pid_t holder; /* the holder of the ring's descriptors, or 0 */
	struct audit *audit;
	struct report *report;
	struct approvals *ap; /* open questions, grants */
	int32_t owner; /* of the slot being handled */
	int sfd; /* signalfd */
	pid_t child;
	int child_done;
	int child_status;
	unsigned long malformed;
	int spin_score; /* > 0: spinning has paid off lately */
	struct watch *watch; /* the seccomp listeners */
	int watch_on; /* the watch is there for uncovered programs */
	int watch_first; /* and the first child carries it */
	char watch_why[120]; /* why the first child could not */
	char first_prog[PATH_MAX]; /* the command's program, canonical */
	enum floor_state floor;
	struct pollfd *pfd; /* wait_events' */
	size_t pfdcap;
	struct dns *dns; /* the resolver and the pins (NULL: names are
			    not judged in this run) */
	struct dns_wait *dnsw; /* resolutions waiting for their lookup */
	struct proxy *proxy; /* agentwrap's HTTP proxy, or NULL */
	struct px_ask *pxq; /* its connects waiting for an answer */
	uint8_t *dnsbuf; /* their answers, AW_SLOT_DATA */
	char dnstxt[DNS_MAX_ADDRS][NETADDR_STRLEN]; /* addresses handed out */
	int landlock; /* the Landlock ABI applied to the tree, 0 none */
	char landlock_why[320];
};

/* handlers.c */

/* The ring_handler (ring.h): one message, decided, recorded, answered */
int run_handle(void *ctx, uint8_t *buf, size_t len, int32_t owner, uint8_t *ans,
    size_t anscap, size_t *anslen);
/* Record the supervisor's decision D on M, and report it if it denies */
void run_record(
    struct run *st, const struct aw_msg *m, const struct pol_decision *d);
/* The verdict a client must enforce: nothing under --audit-only; an ask
 * that reaches this point is a deny */
int run_enforce(const struct run *st, enum pol_verdict v);
/* The watch's requests and the floor's refusals (watch.h) */
extern const struct watch_ops run_watch_ops;
/* approve_setup's hand_out: the addresses an approved resolution gets */
size_t run_hand_out(
    void *ctx, const struct aw_msg *m, const char **words, size_t max);
/* proxy_new's DECIDE: judge a proxied connect to HOST:PORT */
void run_proxy_decide(void *ctx, uint64_t id, const char *host, int port);
/* The resolver's descriptor was readable, or a lookup's time is up */
void run_dns_ready(struct run *st);
/* Forget the resolutions still waiting (the run is over) */
void run_dns_free(struct run *st);
/* attach_set_watch's FN: a listener handed in by a shim */
int run_take_listener(void *ctx, int fd);
/* snprintf() into ERR, warnx(), with untrusted text S escaped */
void run_say_vis(char *err, size_t errlen, const char *fmt, const char *s,
    const char *detail);
void run_warn_vis(const char *fmt, const char *s, const char *detail);

#endif /* AGENTWRAP_RUN_INT_H */
