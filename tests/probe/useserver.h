/*
 * useserver.h: point a resolver state at 127.0.0.1:PORT alone (a name
 * server of the test's own), asked once, for a second. PORT 0 or less
 * leaves the state as res_ninit made it.
 */
#ifndef AGENTWRAP_PROBE_USESERVER_H
#define AGENTWRAP_PROBE_USESERVER_H

#include <arpa/inet.h>
#include <netinet/in.h>

#include <resolv.h>
#include <string.h>

static inline void
use_server(struct __res_state *st, int port)
{
	if (port <= 0)
		return;
	st->nscount = 1;
	memset(&st->nsaddr_list[0], 0, sizeof(st->nsaddr_list[0]));
	st->nsaddr_list[0].sin_family = AF_INET;
	st->nsaddr_list[0].sin_port = htons((unsigned short)port);
	inet_pton(AF_INET, "127.0.0.1", &st->nsaddr_list[0].sin_addr);
	st->retrans = 1;
	st->retry = 1;
}

#endif /* AGENTWRAP_PROBE_USESERVER_H */
