/*
 * worker: takes requests from the control database's queue, exports them
 * and records the answer, on as many machines as share that database.
 *
 * A request is claimed by one UPDATE over the most urgent queued row that
 * no other worker has locked (FOR UPDATE SKIP LOCKED), which moves it to
 * running with a lease: this worker's id and an expiry its heartbeat keeps
 * pushing forward. Each claim increments the request's lease_epoch, and a
 * result is recorded only by the owner of that epoch (fencing): a worker
 * that was presumed dead and wakes up finds its epoch gone and removes
 * what it wrote. Any worker puts a request whose lease expired back in the
 * queue (or fails it after its last attempt) and removes the archive its
 * dead owner may have left.
 *
 * Archives are named by request and epoch (dpex-ID-EPOCH.zip), so two
 * claims of one request never write the same file, and the one recorded
 * is the only one left.
 */
#ifndef DPEX_QUEUE_WORKER_H
#define DPEX_QUEUE_WORKER_H

#include "core/map/datamap.h"

#include <stdio.h>

typedef struct dpex_worker_options {
	const char *control_dsn;
	const dpex_datamap *map;
	const char *out_dir;   /* shared by every worker of the queue */
	int concurrency;       /* requests at once, one thread each */
	const char *worker_id; /* NULL: HOST:PID:RANDOM */
	double lease_seconds;  /* a claim's lease, renewed a third of it */
	double poll_seconds;   /* the look when no notification came */
	double retry_seconds;  /* first backoff; doubles each attempt */
	FILE *log;	       /* a line per request (no personal data) */
} dpex_worker_options;

/* Works the queue until dpex_worker_drain() (then finishes what it holds)
 * or dpex_cancel() (then stops at once: what it held goes back to the
 * queue with its lease). Reconnects when the control database goes away.
 * Returns 0 after a drain; an error only when it cannot start. */
int dpex_worker_run(const dpex_worker_options *o);

/* Stops claiming; async-signal-safe. */
void dpex_worker_drain(void);

/* The backoff before attempt n + 1 after n failed: retry_seconds * 2^(n-1),
 * at most an hour, times a jitter in [0.5, 1) from r in [0, 1). */
double dpex_worker_backoff(double retry_seconds, int attempt, double r);

#endif
