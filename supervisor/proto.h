/*
 * proto.h: the wire protocol between the shim (the client, inside every
 * watched process) and the supervisor (the server). The supervisor owns it;
 * the shim includes it.
 *
 * Transport: one shared mapping (a memfd made by the supervisor) holding a
 * header and fixed-size slots; a doorbell futex word in it that a client
 * wakes when the supervisor sleeps. Messages inside slots are a fixed header
 * followed by tag-length-value fields (msg.h). Everything a client writes is
 * hostile input to the supervisor: it copies a slot out before parsing it
 * and checks every length.
 *
 * No descriptor of agentwrap's is ever in a watched program's table: each
 * new process image (the shim's constructor) opens the ring and snapshot
 * memfds through /proc/HOLDER/fd/AW_HOLD_FD_RING and AW_HOLD_FD_SNAP (the
 * holder: a process of the supervisor's that keeps them, hold.h), or, if it
 * cannot, connects to the supervisor's attach socket, an abstract Unix
 * socket, sends a struct aw_attach_req and receives a struct aw_attach_rep
 * with both memfds (SCM_RIGHTS). It maps both and closes them before main()
 * runs. A fork keeps the mappings; nothing needs the descriptors again.
 * Either way the ring must carry AGENTWRAP_TOKEN and name the snapshot's
 * inode (snap_dev, snap_ino).
 *
 * Environment carried across exec (the shim re-adds it to every envp):
 *   AGENTWRAP_HOLDER the holder's pid (absent: attach over the socket)
 *   AGENTWRAP_SOCK   the attach socket's abstract name (without the NUL)
 *   AGENTWRAP_TOKEN  32 hex digits; must equal aw_ring.token
 *   AGENTWRAP_SHIM   absolute path of libagentwrap.so
 *   AGENTWRAP_LD_PRELOAD  the user's own LD_PRELOAD, restored for the program
 *                    (absent when the user had none)
 *   AGENTWRAP_AUDIT  "1" with --audit: post an event for every intercepted
 *                    call, allowed ones too (absent: post denials only)
 *   AGENTWRAP_AUDIT_ONLY  "1" under --audit-only: enforce nothing, post
 *                    every verdict with AW_MF_AUDIT_ONLY (absent otherwise)
 * The snapshot descriptor is a sealed memfd: map it (PROT_READ) or pread()
 * it, never read(): its file offset is shared by every process given it.
 */
#ifndef AGENTWRAP_PROTO_H
#define AGENTWRAP_PROTO_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#define AW_PROTO_VERSION 2
#define AW_RING_MAGIC 0x67727761u /* "awrg" */
#define AW_NSLOTS 128
#define AW_SLOT_DATA 16384 /* request or answer bytes */
#define AW_TOKEN_LEN 16

#define AW_ENV_SOCK "AGENTWRAP_SOCK"
#define AW_ENV_HOLDER "AGENTWRAP_HOLDER"
#define AW_ENV_TOKEN "AGENTWRAP_TOKEN"
#define AW_ENV_SHIM "AGENTWRAP_SHIM"
#define AW_ENV_LD_PRELOAD "AGENTWRAP_LD_PRELOAD"
#define AW_ENV_AUDIT "AGENTWRAP_AUDIT"
#define AW_ENV_AUDIT_ONLY "AGENTWRAP_AUDIT_ONLY"

/*
 * 1 if the environment entry E ("NAME=value") is one agentwrap sets for the
 * shim: these, and LD_PRELOAD, are taken out of the program's view and put
 * back for its children. Only these names: a user's own AGENTWRAP_FOO
 * passes through as it would unwrapped. The first letter is tested first,
 * since this runs for every variable of every exec.
 */
static inline int
aw_env_ours(const char *e)
{
	static const char *const names[] = { AW_ENV_SOCK, AW_ENV_HOLDER,
		AW_ENV_TOKEN, AW_ENV_SHIM, AW_ENV_LD_PRELOAD, AW_ENV_AUDIT,
		AW_ENV_AUDIT_ONLY };
	size_t i, n;

	if (e[0] == 'L')
		return strncmp(e, "LD_PRELOAD=", 11) == 0;
	if (e[0] != 'A' || strncmp(e, "AGENTWRAP_", 10) != 0)
		return 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		n = strlen(names[i]);
		if (strncmp(e, names[i], n) == 0 && e[n] == '=')
			return 1;
	}
	return 0;
}

/*
 * Slot states. FREE -> (client CAS) WRITING -> POSTED (one-way: the
 * supervisor reads it and frees it) or REQUEST (round trip: the supervisor
 * writes the answer and sets ANSWERED; the client reads it and frees it).
 * A request whose answer must wait (a question to a person or a harness)
 * stays BUSY, for as long as it takes, until the supervisor answers it.
 */
enum aw_slot_state {
	AW_SLOT_FREE = 0,
	AW_SLOT_WRITING = 1,
	AW_SLOT_POSTED = 2,
	AW_SLOT_REQUEST = 3,
	AW_SLOT_BUSY = 4, /* the supervisor is working on it */
	AW_SLOT_ANSWERED = 5,
};

struct aw_slot {
	_Atomic uint32_t state; /* enum aw_slot_state; also the futex word */
	int32_t owner_pid; /* claimer: a dead owner's slot is reclaimed */
	uint32_t owner_tid;
	uint32_t len; /* bytes used in data */
	int32_t answer; /* REQUEST: the verdict (enum pol_verdict) */
	uint32_t answer_len; /* bytes of answer in data */
	uint8_t data[AW_SLOT_DATA];
};

struct aw_ring {
	uint32_t magic; /* AW_RING_MAGIC */
	uint32_t version; /* AW_PROTO_VERSION */
	uint8_t token[AW_TOKEN_LEN];
	uint32_t nslots;
	uint32_t slot_size; /* sizeof(struct aw_slot) */
	int32_t supervisor_pid;
	/* the sealed snapshot memfd handed out with this ring: a shim checks
	 * that the one it opened is that one (fstat st_dev, st_ino) */
	uint64_t snap_dev;
	uint64_t snap_ino;
	/* set while the supervisor sleeps in poll(): a client that posts
	 * then takes it rings the doorbell */
	_Atomic uint32_t supervisor_waiting;
	/*
	 * The doorbell: a client bumps it and wakes it (FUTEX_WAKE, shared);
	 * a thread of the supervisor sleeps on it and wakes the loop.
	 */
	_Atomic uint32_t bell;
	/*
	 * The generation of the newest policy snapshot published in the
	 * snapshot area (struct aw_snap_area, after the slots): 0 until the
	 * first one; the sealed snapshot memfd is generation 0. A shim that
	 * sees it change loads the new one before its next decision.
	 */
	_Atomic uint32_t snapshot_gen;
	/* clients waiting for a free slot sleep on this futex word */
	_Atomic uint32_t free_wait;
	/*
	 * Robust, process-shared mutex that the supervisor locks at start and
	 * never unlocks: when it dies the kernel marks the owner dead, so any
	 * client can tell from memory alone (no syscall) that it is gone.
	 */
	pthread_mutex_t alive;
	struct aw_slot slot[];
};

/*
 * The snapshot area: at AW_SNAP_AREA_OFF in the ring memfd (after the slots,
 * page aligned), two buffers that the supervisor writes in turn, each under
 * a seqlock (seq is odd while it writes); cur names the one published last.
 * It publishes a new generation (session grants, issue 4) by writing the
 * other buffer, then storing cur, then aw_ring.snapshot_gen. A reader copies
 * buffer cur out and keeps the copy only if seq was even and unchanged
 * around it. Like the slots, the area is writable by every process of the
 * tree: the shim checks what it loads (snapshot_read), and the supervisor
 * never reads it back.
 */
#define AW_SNAP_MAX (256 * 1024) /* bytes of one snapshot */

struct aw_snap_buf {
	_Atomic uint32_t seq;
	uint32_t gen;
	uint32_t len;
	uint32_t reserved;
	uint8_t data[AW_SNAP_MAX];
};

struct aw_snap_area {
	_Atomic uint32_t cur; /* 0 or 1: the buffer published last */
	uint32_t reserved[3];
	struct aw_snap_buf buf[2];
};

/*
 * The attach socket (SOCK_SEQPACKET, abstract name AGENTWRAP_SOCK). A
 * client sends one aw_attach_req; the supervisor checks the token and that
 * the peer (SO_PEERCRED) descends from it, and answers one aw_attach_rep:
 * status 0 with the ring and snapshot memfds attached (SCM_RIGHTS, in that
 * order), or an errno and no descriptor. Then it closes the connection.
 */
/* The holder's descriptors (hold.h) */
#define AW_HOLD_FD_RING 3
#define AW_HOLD_FD_SNAP 4

#define AW_ATTACH_MAGIC 0x74617761u /* "awat" */
#define AW_ATTACH_NAME_MAX 100 /* bytes of the name, sun_path minus NUL */
/*
 * AW_ATTACH_WATCH: a shim about to exec a program it cannot follow has put
 * the watch filter (watchbpf.h) on its thread; ARG is the listener's
 * number, which the supervisor takes with pidfd_getfd(2) (the filter sends
 * sendmsg to the supervisor: no SCM_RIGHTS from here). Status 0 and no
 * descriptor: the supervisor serves it now.
 */
enum { AW_ATTACH_SHIM = 1, AW_ATTACH_WATCH = 2 };

struct aw_attach_req {
	uint32_t magic; /* AW_ATTACH_MAGIC */
	uint32_t version; /* AW_PROTO_VERSION */
	uint32_t kind; /* AW_ATTACH_SHIM or AW_ATTACH_WATCH */
	uint32_t arg; /* AW_ATTACH_WATCH: the listener's number; else 0 */
	uint8_t token[AW_TOKEN_LEN];
};

struct aw_attach_rep {
	uint32_t magic;
	uint32_t version;
	int32_t status; /* 0, or why not (an errno) */
	uint32_t nfds; /* descriptors attached */
};

#define AW_RING_SLOTS_END                                                      \
	(sizeof(struct aw_ring) + (size_t)AW_NSLOTS * sizeof(struct aw_slot))
#define AW_SNAP_AREA_OFF ((AW_RING_SLOTS_END + 4095) & ~(size_t)4095)
#define AW_RING_MAP_LEN (AW_SNAP_AREA_OFF + sizeof(struct aw_snap_area))

#endif /* AGENTWRAP_PROTO_H */
