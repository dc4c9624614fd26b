#include "core/queue/worker.h"

#include "core/base/error.h"
#include "core/queue/control.h"
#include "core/run/export.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static atomic_bool draining;

void dpex_worker_drain(void)
{
	atomic_store(&draining, true);
}

static bool stopping(void)
{
	return atomic_load(&draining) || dpex_check_canceled();
}

typedef struct worker {
	const dpex_worker_options *o;
	char id[160];
	atomic_bool done; /* the claim threads have ended */
} worker;

/* The most urgent queued request that is due and that no other worker is
 * taking right now becomes running under this worker's lease. */
static const char CLAIM_SQL[] =
	"UPDATE dpex.requests r SET status = 'running', lease_owner = $1, "
	"lease_expires_at = pg_catalog.now() + $2::pg_catalog.float8 * "
	"interval '1 second', attempt = r.attempt + 1 "
	"WHERE r.id = (SELECT q.id FROM dpex.requests q "
	"WHERE q.status = 'queued' AND q.run_after <= pg_catalog.now() "
	"ORDER BY coalesce(q.extended_due_on, q.due_on), q.received_at, q.id "
	"LIMIT 1 FOR UPDATE SKIP LOCKED) "
	"RETURNING r.id, r.lease_epoch, r.kind, r.subject::pg_catalog.text, "
	"pg_catalog.array_to_string(r.formats, ','), r.lang, r.attempt, "
	"r.max_attempts";

/* Every statement that records a result names the claim it comes from. */
#define FENCE                                                                  \
	" WHERE id = $1::pg_catalog.int8 AND lease_epoch = "                   \
	"$2::pg_catalog.int8 AND lease_owner = $3 AND status = 'running'"

static const char ANSWER_SQL[] =
	"UPDATE dpex.requests SET status = $4, lease_owner = NULL, "
	"lease_expires_at = NULL, archive_path = $5, archive_bytes = "
	"$6::pg_catalog.int8, archive_rows = $7::pg_catalog.int8, "
	"archive_sha256 = $8, systems_searched = ARRAY(SELECT "
	"pg_catalog.jsonb_array_elements_text($9::pg_catalog.jsonb)), "
	"last_error = NULL" FENCE;

static const char RELEASE_SQL[] =
	"UPDATE dpex.requests SET status = $4, lease_owner = NULL, "
	"lease_expires_at = NULL, last_error = $5, run_after = "
	"pg_catalog.now() + $6::pg_catalog.float8 * interval '1 second', "
	"attempt = attempt - $7::pg_catalog.int4" FENCE;

/* Leases nobody renewed: back to the queue, or failed after the last
 * attempt. RETURNING gives the epoch whose archive may be left over. */
static const char RESCUE_SQL[] =
	"UPDATE dpex.requests r SET status = CASE WHEN r.attempt >= "
	"r.max_attempts THEN 'failed' ELSE 'queued' END, lease_owner = NULL, "
	"lease_expires_at = NULL, run_after = pg_catalog.now(), last_error = "
	"'attempt ' || r.attempt || ': worker ' || r.lease_owner || "
	"' stopped renewing its lease' "
	"WHERE r.id IN (SELECT q.id FROM dpex.requests q WHERE q.status = "
	"'running' AND q.lease_expires_at < pg_catalog.now() "
	"FOR UPDATE SKIP LOCKED) RETURNING r.id, r.lease_epoch, r.status";

static const char RENEW_SQL[] =
	"UPDATE dpex.requests SET lease_expires_at = pg_catalog.now() + "
	"$2::pg_catalog.float8 * interval '1 second' "
	"WHERE status = 'running' AND lease_owner = $1";

static void say(const worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(const worker *w, const char *fmt, ...)
{
	if (!w->o->log)
		return;
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(w->o->log, "dpex worker: %s\n", line);
	fflush(w->o->log);
}

static void nap(double seconds)
{
	struct timespec ts = {(time_t)seconds,
			      (long)((seconds - (time_t)seconds) * 1e9)};
	nanosleep(&ts, NULL);
}

/* Sleeps up to seconds, waking early when the worker stops. */
static void nap_unless_stopping(double seconds)
{
	for (double left = seconds; left > 0 && !stopping(); left -= 0.1)
		nap(left < 0.1 ? left : 0.1);
}

static double unit_random(void)
{
	uint32_t r = 0;
	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (uint32_t)rand();
	return r / 4294967296.0;
}

double dpex_worker_backoff(double retry_seconds, int attempt, double r)
{
	double d = retry_seconds;
	for (int i = 1; i < attempt && d < 3600; i++)
		d *= 2;
	if (d > 3600)
		d = 3600;
	return d * (0.5 + r / 2);
}

/* A connection to the control database, trying again with a growing pause
 * while it is unreachable (a restart); NULL once the worker stops. */
static PGconn *reconnect(const worker *w, bool listen)
{
	double pause = 0.2;
	for (bool said = false; !stopping(); said = true) {
		PGconn *c;
		if (dpex_control_connect(&c, w->o->control_dsn) == 0) {
			PGresult *r =
				listen ? PQexec(c, "LISTEN dpex_queued") : NULL;
			bool ok = !listen ||
				  PQresultStatus(r) == PGRES_COMMAND_OK;
			PQclear(r);
			if (ok) {
				if (said)
					say(w, "control database reachable "
					       "again");
				return c;
			}
			PQfinish(c);
		}
		if (!said)
			say(w, "%s; trying again", dpex_error_message());
		nap_unless_stopping(pause);
		pause = pause * 2 > 5 ? 5 : pause * 2;
	}
	return NULL;
}

static PGresult *exec(PGconn *c, const char *sql, int n,
		      const char *const *params)
{
	PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return r;
	const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
	dpex_error_set(DPEX_ESOURCE, "control database: %s",
		       msg ? msg : strtok(PQerrorMessage(c), "\n"));
	PQclear(r);
	return NULL;
}

/* One claimed request, as the claim returned it. */
typedef struct claim {
	char id[24], epoch[24], kind[16], lang[8];
	char *subject; /* jsonb text */
	char *formats; /* "json,csv" */
	int attempt, max_attempts;
	struct timespec started;
} claim;

static void claim_free(claim *c)
{
	free(c->subject);
	free(c->formats);
	memset(c, 0, sizeof(*c));
}

static void copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src);
}

/* 1 when a request was claimed, 0 when none is due, -1 on error. */
static int claim_next(const worker *w, PGconn *c, claim *out)
{
	char lease[32];
	snprintf(lease, sizeof(lease), "%g", w->o->lease_seconds);
	const char *params[] = {w->id, lease};
	PGresult *r = exec(c, CLAIM_SQL, 2, params);
	if (!r)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return 0;
	}
	copy(out->id, sizeof(out->id), PQgetvalue(r, 0, 0));
	copy(out->epoch, sizeof(out->epoch), PQgetvalue(r, 0, 1));
	copy(out->kind, sizeof(out->kind), PQgetvalue(r, 0, 2));
	out->subject = strdup(PQgetvalue(r, 0, 3));
	out->formats = strdup(PQgetvalue(r, 0, 4));
	copy(out->lang, sizeof(out->lang), PQgetvalue(r, 0, 5));
	out->attempt = atoi(PQgetvalue(r, 0, 6));
	out->max_attempts = atoi(PQgetvalue(r, 0, 7));
	clock_gettime(CLOCK_MONOTONIC, &out->started);
	PQclear(r);
	if (!out->subject || !out->formats) {
		claim_free(out);
		return dpex_error_oom(), -1;
	}
	return 1;
}

/* The archive a claim writes, whether or not it got that far. */
static void archive_name(char *dst, size_t n, const char *out_dir,
			 const char *id, const char *epoch)
{
	snprintf(dst, n, "%s/dpex-%s-%s.zip", out_dir, id, epoch);
}

typedef struct outcome {
	const char *status; /* ready, not_found, queued, failed */
	const dpex_export_result *res;
	const char *error; /* for queued and failed */
	double after;	   /* queued: seconds before the next attempt */
	bool not_counted;  /* queued: the attempt did not count */
} outcome;

static char *systems_searched(const dpex_datamap *m)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < m->nsources; i++)
		json_array_append_new(a, json_string(m->sources[i].name));
	char *s = a ? json_dumps(a, JSON_COMPACT) : NULL;
	json_decref(a);
	return s;
}

/* Runs the fenced statement of the outcome. 1: recorded; 0: the lease is
 * no longer this claim's; -1: the control database did not answer. */
static int record_once(const worker *w, PGconn *c, const claim *cl,
		       const outcome *oc)
{
	PGresult *r;
	if (oc->res || strcmp(oc->status, "not_found") == 0) {
		char bytes[24] = "", rows[24] = "";
		const char *path = NULL, *sha = NULL;
		if (oc->res) {
			snprintf(bytes, sizeof(bytes), "%lld", oc->res->bytes);
			snprintf(rows, sizeof(rows), "%lld", oc->res->rows);
			path = oc->res->archive_path;
			sha = oc->res->sha256;
		}
		char *systems = systems_searched(w->o->map);
		if (!systems)
			return dpex_error_oom(), -1;
		const char *params[] = {cl->id,
					cl->epoch,
					w->id,
					oc->status,
					path,
					oc->res ? bytes : NULL,
					oc->res ? rows : NULL,
					sha,
					systems};
		r = exec(c, ANSWER_SQL, 9, params);
		free(systems);
	} else {
		char after[32];
		snprintf(after, sizeof(after), "%.3f", oc->after);
		const char *params[] = {cl->id,
					cl->epoch,
					w->id,
					oc->status,
					oc->error,
					after,
					oc->not_counted ? "1" : "0"};
		r = exec(c, RELEASE_SQL, 7, params);
	}
	if (!r)
		return -1;
	int n = atoi(PQcmdTuples(r));
	PQclear(r);
	return n == 1;
}

/* Whether the request carries this claim's archive: after a recording
 * whose reply was lost, the commit may or may not have happened. */
static int recorded_already(PGconn *c, const claim *cl, const char *path)
{
	const char *params[] = {cl->id, path};
	PGresult *r = exec(c,
			   "SELECT 1 FROM dpex.requests WHERE id = "
			   "$1::pg_catalog.int8 AND archive_path = $2",
			   2, params);
	if (!r)
		return -1;
	int n = PQntuples(r);
	PQclear(r);
	return n == 1;
}

/* Records the outcome, reconnecting while the control database is away
 * (the lease may run out meanwhile: then another worker redoes it). An
 * archive that is not recorded is removed, so a request never has two. */
static void record(const worker *w, PGconn **c, const claim *cl,
		   const outcome *oc)
{
	int rc = -1;
	for (int tries = 0; rc < 0 && tries < 50; tries++) {
		if (!*c || PQstatus(*c) != CONNECTION_OK) {
			PQfinish(*c);
			*c = reconnect(w, true);
			if (!*c)
				break;
			if (oc->res && tries > 0) {
				rc = recorded_already(*c, cl,
						      oc->res->archive_path);
				if (rc == 1)
					break;
			}
		}
		rc = record_once(w, *c, cl, oc);
		if (rc < 0 && PQstatus(*c) == CONNECTION_OK)
			break; /* refused, not lost: say so below */
	}
	if (rc == 1) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		double s = (double)(now.tv_sec - cl->started.tv_sec) +
			   (now.tv_nsec - cl->started.tv_nsec) / 1e9;
		if (oc->res)
			say(w,
			    "request %s (attempt %d): %s, %lld rows, %lld "
			    "bytes, %.2f s",
			    cl->id, cl->attempt, oc->status, oc->res->rows,
			    oc->res->bytes, s);
		else
			say(w, "request %s (attempt %d): %s after %.2f s",
			    cl->id, cl->attempt, oc->status, s);
		return;
	}
	if (rc == 0)
		say(w,
		    "request %s: its lease went to another worker; this "
		    "attempt's result is dropped",
		    cl->id);
	else
		say(w,
		    "request %s: the result could not be recorded (%s); "
		    "the request goes back to the queue when its lease "
		    "runs out",
		    cl->id, dpex_error_message());
	if (oc->res)
		unlink(oc->res->archive_path);
}

/* The subject and formats of a claim, as the export takes them; the
 * strings are borrowed from subject (a jansson array). */
static int parse_claim(const claim *cl, json_t **subject,
		       dpex_subject_key *keys, size_t *nkeys,
		       const char **formats, size_t *nformats, char *fbuf)
{
	*subject = json_loads(cl->subject, 0, NULL);
	size_t n = json_array_size(*subject);
	if (!json_is_array(*subject) || n == 0 || n > 64)
		return dpex_error_set(DPEX_EUSAGE,
				      "the request's subject is not a list "
				      "of 1 to 64 identifiers");
	for (size_t i = 0; i < n; i++) {
		json_t *k = json_array_get(*subject, i);
		keys[i].identifier =
			json_string_value(json_object_get(k, "identifier"));
		keys[i].value = json_string_value(json_object_get(k, "value"));
		if (!keys[i].identifier || !keys[i].value)
			return dpex_error_set(
				DPEX_EUSAGE,
				"the request's subject entry %zu lacks "
				"\"identifier\" or \"value\"",
				i + 1);
	}
	*nkeys = n;
	*nformats = 0;
	for (char *tok = strtok(fbuf, ","); tok && *nformats < 8;
	     tok = strtok(NULL, ","))
		formats[(*nformats)++] = tok;
	return 0;
}

/* Exports a claimed request and records what came of it. */
static void work_on(const worker *w, PGconn **c, const claim *cl)
{
	dpex_subject_key keys[64];
	const char *formats[8];
	size_t nkeys = 0, nformats = 0;
	json_t *subject = NULL;
	char *fbuf = strdup(cl->formats);
	char request_id[64];
	snprintf(request_id, sizeof(request_id), "%s-%s", cl->id, cl->epoch);
	dpex_export_result res = {0};
	int rc = fbuf ? parse_claim(cl, &subject, keys, &nkeys, formats,
				    &nformats, fbuf)
		      : dpex_error_oom();
	if (!rc) {
		dpex_export_request req = {
			.map = w->o->map,
			.keys = keys,
			.nkeys = nkeys,
			.formats = formats,
			.nformats = nformats,
			.out_dir = w->o->out_dir,
			.request_id = request_id,
			.lang = cl->lang,
			.kind = cl->kind,
		};
		rc = dpex_export_run(&req, &res);
	}
	outcome oc = {.status = "ready", .res = rc ? NULL : &res};
	char error[1024] = "";
	if (rc == DPEX_ENOTFOUND) {
		oc.status = "not_found";
	} else if (rc) {
		snprintf(error, sizeof(error), "%s", dpex_error_message());
		oc.error = error;
		bool permanent = rc == DPEX_EUSAGE || rc == DPEX_EMAP;
		if (rc == DPEX_ECANCELED) {
			oc.status = "queued";
			oc.not_counted = true;
		} else if (permanent || cl->attempt >= cl->max_attempts) {
			oc.status = "failed";
		} else {
			oc.status = "queued";
			oc.after =
				dpex_worker_backoff(w->o->retry_seconds,
						    cl->attempt, unit_random());
		}
	}
	record(w, c, cl, &oc);
	dpex_export_result_free(&res);
	json_decref(subject);
	free(fbuf);
}

/* Seconds until the next queued request is due, at most cap. */
static double next_due(PGconn *c, double cap)
{
	PGresult *r =
		exec(c,
		     "SELECT EXTRACT(epoch FROM pg_catalog.min(run_after) "
		     "- pg_catalog.now())::pg_catalog.float8 FROM "
		     "dpex.requests WHERE status = 'queued'",
		     0, NULL);
	double s = cap;
	if (r && !PQgetisnull(r, 0, 0))
		s = atof(PQgetvalue(r, 0, 0));
	PQclear(r);
	return s < 0.01 ? 0.01 : s > cap ? cap : s;
}

/* Waits for a NOTIFY on dpex_queued, at most seconds; false when the
 * connection broke. */
static bool wait_for_work(PGconn *c, double seconds)
{
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		PGnotify *n;
		bool woken = false;
		while ((n = PQnotifies(c))) {
			woken = true;
			PQfreemem(n);
		}
		if (woken)
			return true;
		clock_gettime(CLOCK_MONOTONIC, &now);
		double left = seconds - (double)(now.tv_sec - t0.tv_sec) -
			      (now.tv_nsec - t0.tv_nsec) / 1e9;
		if (left <= 0 || stopping())
			return true;
		struct pollfd p = {.fd = PQsocket(c), .events = POLLIN};
		int ms = left < 0.1 ? (int)(left * 1000) + 1 : 100;
		if (poll(&p, 1, ms) < 0 && errno != EINTR)
			return false;
		if (p.revents && !PQconsumeInput(c))
			return false;
	}
}

static void *claim_loop(void *arg)
{
	const worker *w = arg;
	PGconn *c = NULL;
	while (!stopping()) {
		if (!c || PQstatus(c) != CONNECTION_OK) {
			PQfinish(c);
			if (!(c = reconnect(w, true)))
				break;
		}
		claim cl = {0};
		int got = claim_next(w, c, &cl);
		if (got == 1) {
			work_on(w, &c, &cl);
			claim_free(&cl);
			continue;
		}
		if (got < 0 ||
		    !wait_for_work(c, next_due(c, w->o->poll_seconds))) {
			if (PQstatus(c) == CONNECTION_OK) {
				say(w, "%s", dpex_error_message());
				nap_unless_stopping(1);
			}
			PQfinish(c);
			c = NULL;
		}
	}
	PQfinish(c);
	return NULL;
}

/* Removes the archive a dead claim may have left (it was never recorded:
 * the request was still running under that epoch). */
static void rescue(const worker *w, PGconn *c)
{
	PGresult *r = exec(c, RESCUE_SQL, 0, NULL);
	for (int i = 0; r && i < PQntuples(r); i++) {
		char path[4096];
		archive_name(path, sizeof(path), w->o->out_dir,
			     PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
		unlink(path);
		say(w, "request %s: lease ran out; %s", PQgetvalue(r, i, 0),
		    strcmp(PQgetvalue(r, i, 2), "failed") == 0
			    ? "failed after its last attempt"
			    : "back in the queue");
	}
	PQclear(r);
}

static bool heartbeat(const worker *w, PGconn *c)
{
	char lease[32];
	snprintf(lease, sizeof(lease), "%g", w->o->lease_seconds);
	const char *params[] = {w->id, lease};
	PGresult *r = exec(c, RENEW_SQL, 2, params);
	if (!r)
		return false;
	PQclear(r);
	r = exec(c,
		 "UPDATE dpex.workers SET heartbeat_at = pg_catalog.now() "
		 "WHERE id = $1",
		 1, params);
	PQclear(r);
	return r != NULL;
}

static void *heartbeat_loop(void *arg)
{
	worker *w = arg;
	PGconn *c = NULL;
	double every = w->o->lease_seconds / 3;
	while (!atomic_load(&w->done)) {
		if (!c || PQstatus(c) != CONNECTION_OK) {
			PQfinish(c);
			/* Reconnects even while draining: what is held must
			 * keep its lease until it is recorded. */
			if (dpex_control_connect(&c, w->o->control_dsn)) {
				c = NULL;
				nap(0.5);
				continue;
			}
		}
		if (heartbeat(w, c) && !stopping())
			rescue(w, c);
		for (double t = 0; t < every && !atomic_load(&w->done);
		     t += 0.05)
			nap(0.05);
	}
	PQfinish(c);
	return NULL;
}

static int register_worker(const worker *w, bool add)
{
	PGconn *c;
	int rc = dpex_control_connect(&c, w->o->control_dsn);
	if (rc)
		return rc;
	char host[128] = "", pid[16], n[16];
	gethostname(host, sizeof(host) - 1);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	snprintf(n, sizeof(n), "%d", w->o->concurrency);
	const char *params[] = {w->id, host, pid, n};
	PGresult *r =
		add ? exec(c,
			   "INSERT INTO dpex.workers (id, host, pid, "
			   "concurrency) VALUES ($1, $2, $3::pg_catalog.int4, "
			   "$4::pg_catalog.int4) ON CONFLICT (id) DO UPDATE "
			   "SET heartbeat_at = pg_catalog.now()",
			   4, params)
		    : exec(c, "DELETE FROM dpex.workers WHERE id = $1", 1,
			   params);
	rc = r ? 0 : DPEX_ESOURCE;
	PQclear(r);
	PQfinish(c);
	return rc;
}

int dpex_worker_run(const dpex_worker_options *o)
{
	worker w = {.o = o};
	if (o->worker_id) {
		copy(w.id, sizeof(w.id), o->worker_id);
	} else {
		char host[128] = "";
		gethostname(host, sizeof(host) - 1);
		snprintf(w.id, sizeof(w.id), "%s:%d:%04x", host, (int)getpid(),
			 (unsigned)(unit_random() * 65536));
	}
	int rc = register_worker(&w, true);
	if (rc)
		return rc;
	say(&w, "%s works the queue with %d thread%s", w.id, o->concurrency,
	    o->concurrency == 1 ? "" : "s");
	pthread_t beat, threads[64];
	int n = o->concurrency < 1    ? 1
		: o->concurrency > 64 ? 64
				      : o->concurrency;
	if (pthread_create(&beat, NULL, heartbeat_loop, &w))
		return dpex_error_set(DPEX_EINTERNAL, "cannot start a thread");
	int started = 0;
	while (started < n &&
	       pthread_create(&threads[started], NULL, claim_loop, &w) == 0)
		started++;
	for (int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	atomic_store(&w.done, true);
	pthread_join(beat, NULL);
	register_worker(&w, false);
	say(&w, "%s stopped", w.id);
	return started ? 0
		       : dpex_error_set(DPEX_EINTERNAL,
					"cannot start a worker thread");
}
