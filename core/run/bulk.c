#include "core/run/bulk.h"

#include "core/base/buf.h"
#include "core/base/error.h"
#include "core/run/export.h"
#include "core/answer/gather.h"
#include "core/run/journal.h"
#include "core/pg/plan.h"
#include "core/pg/resolve.h"
#include "core/pg/source.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Archive members come in this order whatever order --format names (as in
 * export.c); the journal's fingerprint uses the same order. */
static const char *const format_order[] = {"json", "csv", "xlsx", "csv-safe"};
#define NFORMATS 4

typedef struct subject {
	int identifier;
	char *value;
	char id[34];
} subject;

typedef struct bulk_run {
	const dpex_bulk_options *opt;
	const dpex_datamap *map;
	const char *formats[NFORMATS];
	size_t nformats;
	subject *subjects;
	size_t nsubjects, cap;
	size_t *pending; /* subjects still to do, in input order */
	size_t npending;
	size_t *batches; /* batch b is pending[batches[b]..batches[b+1]) */
	size_t nbatches;
	dpex_source **coord; /* per map source: holds the snapshot */
	char **snapshots;
	char ***link_types;  /* per map link, per key: the column's SQL type */
	char **entity_types; /* per root entity: its match column's type */
	dpex_journal *journal;
	pthread_mutex_t lock;
	size_t next_batch;
	atomic_llong done, written, not_found, failed, rows, bytes;
	atomic_int workers_left;
	atomic_int stop;
	int stop_rc; /* the first fatal error, its message below */
	char stop_msg[2048];
	struct timespec start;
	int jobs;
	int out_fd;		     /* OUT, for syncfs */
	atomic_bool shard_made[256]; /* OUT/<2 hex> exists */
} bulk_run;

/* A subject done since the last flush: its journal entry and, for an
 * archive, the hidden name it waits under (else NULL). */
typedef struct pending {
	dpex_journal_entry e;
	char *hidden;
} pending;

typedef struct worker {
	bulk_run *r;
	char *spool; /* OUT/.dpex-spool-XXXXXX, every archive's spool */
	bool spool_made;
	int spool_fd; /* its lock, so no sweep takes it while the run lives */
	/* Subjects done since the last flush. */
	pending *pending;
	size_t npending, cap;
	dpex_export_cache *cache;
	dpex_source **sources;
	/* Per given identifier, built on first use. */
	dpex_plan **plans;
	char ***link_sql;
	char ***entity_sql;
	pthread_t thread;
} worker;

static double elapsed(const bulk_run *r)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - r->start.tv_sec) +
	       (double)(now.tv_nsec - r->start.tv_nsec) / 1e9;
}

void dpex_bulk_request_id(const char *identifier, const char *value,
			  char out[34])
{
	unsigned char md[32];
	unsigned int len = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	EVP_DigestUpdate(ctx, identifier, strlen(identifier));
	EVP_DigestUpdate(ctx, "=", 1);
	EVP_DigestUpdate(ctx, value, strlen(value));
	EVP_DigestFinal_ex(ctx, md, &len);
	EVP_MD_CTX_free(ctx);
	out[0] = 's';
	for (int i = 0; i < 16; i++)
		snprintf(out + 1 + 2 * i, 3, "%02x", md[i]);
	out[33] = '\0';
}

/* A fatal error stops every worker; the first one is reported. */
static int set_fatal(bulk_run *r, int rc)
{
	pthread_mutex_lock(&r->lock);
	if (!r->stop) {
		r->stop_rc = rc;
		snprintf(r->stop_msg, sizeof(r->stop_msg), "%s",
			 dpex_error_message());
		atomic_store(&r->stop, 1);
	}
	pthread_mutex_unlock(&r->lock);
	return rc;
}

/* --- Subjects ------------------------------------------------------------ */

static int add_subject(bulk_run *r, int identifier, const char *value,
		       size_t len)
{
	if (r->nsubjects == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 1024;
		subject *s = dpex_realloc(r->subjects, cap * sizeof(*s));
		if (!s)
			return DPEX_ENOMEM;
		r->subjects = s;
		r->cap = cap;
	}
	subject *s = &r->subjects[r->nsubjects];
	s->identifier = identifier;
	s->value = dpex_malloc(len + 1);
	if (!s->value)
		return DPEX_ENOMEM;
	memcpy(s->value, value, len);
	s->value[len] = '\0';
	dpex_bulk_request_id(r->map->identifiers[identifier].name, s->value,
			     s->id);
	r->nsubjects++;
	return 0;
}

static void known_identifiers(const dpex_datamap *m, dpex_buf *b)
{
	for (size_t k = 0; k < m->nidentifiers; k++)
		dpex_buf_printf(b, "%s%s", k ? ", " : "",
				m->identifiers[k].name);
}

/* One CSV record on one line (RFC 4180 quoting; a value spanning lines is
 * not supported). Fields are cut in place. */
static int split_csv(char *line, char **fields, size_t max, size_t *n)
{
	*n = 0;
	char *p = line;
	for (;;) {
		if (*n == max)
			return -1;
		char *out = p;
		fields[(*n)++] = out;
		if (*p == '"') {
			p++;
			for (;;) {
				if (*p == '\0')
					return -1;
				if (*p == '"' && p[1] == '"') {
					*out++ = '"';
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					*out++ = *p++;
				}
			}
			if (*p != ',' && *p != '\0')
				return -1;
		} else {
			while (*p && *p != ',')
				*out++ = *p++;
		}
		bool more = *p == ',';
		*out = '\0';
		if (!more)
			return 0;
		p++;
	}
}

#define MAX_CSV_FIELDS 256

static int load_subjects_file(bulk_run *r, const char *path)
{
	const dpex_datamap *m = r->map;
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (!f)
		return dpex_error_set(DPEX_EUSAGE,
				      "cannot read --subjects %s: %s", path,
				      strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	size_t lineno = 0;
	int csv_column = -1, csv_identifier = -1;
	bool kv = false, decided = false;
	int rc = 0;
	char *fields[MAX_CSV_FIELDS];
	while (!rc && (len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (len > 0 &&
		       (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || (!decided || kv ? line[0] == '#' : false))
			continue;
		if (!decided) {
			decided = true;
			char *eq = strchr(line, '=');
			if (eq) {
				*eq = '\0';
				kv = dpex_datamap_identifier(m, line) >= 0;
				*eq = '=';
			}
			if (!kv) {
				size_t n;
				if (split_csv(line, fields, MAX_CSV_FIELDS,
					      &n) != 0) {
					rc = dpex_error_set(
						DPEX_EUSAGE,
						"%s:%zu: not a CSV header",
						path, lineno);
					break;
				}
				for (size_t i = 0; i < n && csv_column < 0;
				     i++) {
					int id = dpex_datamap_identifier(
						m, fields[i]);
					if (id >= 0) {
						csv_column = (int)i;
						csv_identifier = id;
					}
				}
				if (csv_column < 0) {
					dpex_buf known = DPEX_BUF_INIT;
					known_identifiers(m, &known);
					rc = dpex_error_set(
						DPEX_EUSAGE,
						"%s:1: expected "
						"IDENTIFIER=VALUE "
						"lines or a CSV header naming "
						"an "
						"identifier the map declares "
						"(%s)",
						path,
						known.data ? known.data : "");
					dpex_buf_free(&known);
				}
				continue;
			}
		}
		if (kv) {
			char *eq = strchr(line, '=');
			int id = -1;
			if (eq) {
				*eq = '\0';
				id = dpex_datamap_identifier(m, line);
			}
			if (id < 0) {
				dpex_buf known = DPEX_BUF_INIT;
				known_identifiers(m, &known);
				rc = dpex_error_set(
					DPEX_EUSAGE,
					"%s:%zu: \"%s\" is not "
					"IDENTIFIER=VALUE "
					"with an identifier the map declares "
					"(%s)",
					path, lineno, line,
					known.data ? known.data : "");
				dpex_buf_free(&known);
			} else if (eq[1] == '\0') {
				rc = dpex_error_set(DPEX_EUSAGE,
						    "%s:%zu: %s= has an empty "
						    "value",
						    path, lineno, line);
			} else {
				rc = add_subject(r, id, eq + 1, strlen(eq + 1));
			}
		} else {
			size_t n;
			if (split_csv(line, fields, MAX_CSV_FIELDS, &n) != 0)
				rc = dpex_error_set(DPEX_EUSAGE,
						    "%s:%zu: not a valid CSV "
						    "record",
						    path, lineno);
			else if ((size_t)csv_column >= n ||
				 fields[csv_column][0] == '\0')
				rc = dpex_error_set(
					DPEX_EUSAGE, "%s:%zu: no value for %s",
					path, lineno,
					m->identifiers[csv_identifier].name);
			else
				rc = add_subject(r, csv_identifier,
						 fields[csv_column],
						 strlen(fields[csv_column]));
		}
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
}

/* Subjects from a query on a coordinator: inside the run's snapshot. */
static int load_subjects_query(bulk_run *r, dpex_source *s, const char *sql,
			       int identifier)
{
	dpex_cursor *c = NULL;
	int rc = dpex_cursor_open_params(&c, s, sql, 0, NULL);
	if (!rc && identifier < 0) {
		const char *name = dpex_cursor_column_name(c, 0);
		identifier = name ? dpex_datamap_identifier(r->map, name) : -1;
		if (identifier < 0) {
			dpex_buf known = DPEX_BUF_INIT;
			known_identifiers(r->map, &known);
			rc = dpex_error_set(
				DPEX_EUSAGE,
				"--subjects-query: name its first column "
				"after an identifier the map declares (%s), "
				"e.g. SELECT id AS customer_id ...; it is "
				"called \"%s\"",
				known.data ? known.data : "", name ? name : "");
			dpex_buf_free(&known);
		}
	}
	const dpex_value *row;
	long long rows = 0;
	while (!rc && (row = dpex_cursor_row(c))) {
		rows++;
		if (!row[0].is_null && row[0].len > 0)
			rc = add_subject(r, identifier, row[0].data,
					 row[0].len);
		if (!rc)
			rc = dpex_cursor_next(c);
	}
	dpex_cursor_close(c);
	if (!rc && r->nsubjects == 0 && rows > 0)
		rc = dpex_error_set(DPEX_ENOSUBJECTS,
				    "%s named no subject (%lld row%s, all NULL "
				    "or empty)",
				    r->opt->subjects_query ? "--subjects-query"
							   : "--all",
				    rows, rows == 1 ? "" : "s");
	return rc;
}

static int by_id(const void *a, const void *b)
{
	const subject *const *x = a, *const *y = b;
	int c = strcmp((*x)->id, (*y)->id);
	return c ? c : (*x < *y ? -1 : *x > *y);
}

/* Keeps the first of subjects named twice: one archive each. */
static int dedupe_subjects(bulk_run *r)
{
	subject **order = dpex_calloc(r->nsubjects, sizeof(*order));
	if (!order)
		return DPEX_ENOMEM;
	for (size_t i = 0; i < r->nsubjects; i++)
		order[i] = &r->subjects[i];
	qsort(order, r->nsubjects, sizeof(*order), by_id);
	for (size_t i = 1; i < r->nsubjects; i++)
		if (strcmp(order[i]->id, order[i - 1]->id) == 0) {
			free(order[i]->value);
			order[i]->value = NULL;
		}
	free(order);
	size_t n = 0;
	for (size_t i = 0; i < r->nsubjects; i++)
		if (r->subjects[i].value)
			r->subjects[n++] = r->subjects[i];
	r->nsubjects = n;
	return 0;
}

/* --- Coordinators, snapshot and the types of the match columns ----------- */

static int column_type(dpex_source *s, const char *schema, const char *table,
		       const char *column, char **out)
{
	dpex_buf rel = DPEX_BUF_INIT;
	dpex_plan_quote_ident(&rel, schema);
	dpex_buf_putc(&rel, '.');
	dpex_plan_quote_ident(&rel, table);
	if (!rel.data)
		return DPEX_ENOMEM;
	const char *params[2] = {rel.data, column};
	dpex_cursor *c = NULL;
	int rc = dpex_cursor_open_params(
		&c, s,
		"SELECT pg_catalog.format_type(a.atttypid, NULL) FROM "
		"pg_catalog.pg_attribute a WHERE a.attrelid "
		"OPERATOR(pg_catalog.=) "
		"$1::pg_catalog.regclass AND a.attname OPERATOR(pg_catalog.=) "
		"$2 AND "
		"a.attnum > 0 AND NOT a.attisdropped",
		2, params);
	const dpex_value *row = rc ? NULL : dpex_cursor_row(c);
	if (!rc && !row)
		rc = dpex_error_set(DPEX_EMAP,
				    "column %s of %s not found: run dpex check",
				    column, rel.data);
	if (!rc)
		rc = (*out = dpex_strdup(row[0].data)) ? 0 : DPEX_ENOMEM;
	dpex_cursor_close(c);
	dpex_buf_free(&rel);
	return rc;
}

static int open_coordinators(bulk_run *r)
{
	const dpex_datamap *m = r->map;
	r->coord = dpex_calloc(m->nsources, sizeof(*r->coord));
	r->snapshots = dpex_calloc(m->nsources, sizeof(*r->snapshots));
	if (!r->coord || !r->snapshots)
		return DPEX_ENOMEM;
	int rc = 0;
	for (size_t s = 0; !rc && s < m->nsources; s++) {
		rc = dpex_source_open(&r->coord[s], m, (int)s);
		if (!rc)
			rc = dpex_source_export_snapshot(r->coord[s],
							 &r->snapshots[s]);
	}
	return rc;
}

static int lookup_types(bulk_run *r)
{
	const dpex_datamap *m = r->map;
	r->link_types = dpex_calloc(m->nlinks, sizeof(*r->link_types));
	r->entity_types = dpex_calloc(m->nentities, sizeof(*r->entity_types));
	if (!r->link_types || !r->entity_types)
		return DPEX_ENOMEM;
	int rc = 0;
	for (size_t l = 0; !rc && l < m->nlinks; l++) {
		const dpex_map_link *ml = &m->links[l];
		r->link_types[l] = dpex_calloc(ml->nkeys, sizeof(char *));
		if (!r->link_types[l])
			return DPEX_ENOMEM;
		for (size_t k = 0; !rc && k < ml->nkeys; k++)
			rc = column_type(r->coord[ml->source], ml->schema,
					 ml->table, ml->keys[k].column,
					 &r->link_types[l][k]);
	}
	for (size_t e = 0; !rc && e < m->nentities; e++) {
		const dpex_map_entity *me = &m->entities[e];
		if (me->parent < 0)
			rc = column_type(r->coord[me->source], me->schema,
					 me->table, me->match_column,
					 &r->entity_types[e]);
	}
	return rc;
}

/* --- One batch ----------------------------------------------------------- */

static int worker_plan(worker *w, int identifier, dpex_plan **out)
{
	bulk_run *r = w->r;
	const dpex_datamap *m = r->map;
	if (w->plans[identifier]) {
		*out = w->plans[identifier];
		return 0;
	}
	dpex_plan *p = NULL;
	int rc = dpex_plan_build(&p, m, &identifier, 1);
	if (rc)
		return rc;
	w->plans[identifier] = p;
	w->link_sql[identifier] = dpex_calloc(p->nlinks + 1, sizeof(char *));
	w->entity_sql[identifier] = dpex_calloc(m->nentities, sizeof(char *));
	if (!w->link_sql[identifier] || !w->entity_sql[identifier])
		return DPEX_ENOMEM;
	for (size_t i = 0; !rc && i < p->nlinks; i++) {
		const dpex_plan_link *pl = &p->links[i];
		const dpex_map_link *ml = &m->links[pl->link];
		size_t k = 0;
		while (ml->keys[k].identifier != pl->from)
			k++;
		rc = dpex_plan_batch_link_sql(p, i, r->link_types[pl->link][k],
					      &w->link_sql[identifier][i]);
	}
	for (size_t e = 0; !rc && e < m->nentities; e++) {
		int root = (int)e;
		while (m->entities[root].parent >= 0)
			root = m->entities[root].parent;
		rc = dpex_plan_batch_entity_sql(p, (int)e,
						r->entity_types[root],
						&w->entity_sql[identifier][e]);
	}
	*out = p;
	return rc;
}

typedef struct batch {
	worker *w;
	const size_t *idx; /* subjects */
	size_t n;
	const dpex_plan *plan;
	dpex_idvalues *ids; /* n * nidentifiers */
	char **fail;	    /* per subject: why it cannot go on, or NULL */
	bool *recorded;	    /* per subject: in the journal */
	const dpex_plan_link *link; /* while resolving */
} batch;

static dpex_idvalues *ids_of(const batch *b, size_t i)
{
	return &b->ids[i * b->w->r->map->nidentifiers];
}

/* $1 (values) and $2 (ordinals) for identifier id over the batch's live
 * subjects. */
static int batch_params(const batch *b, int id, dpex_buf *values,
			dpex_buf *ords)
{
	int rc = dpex_buf_putc(values, '{');
	if (!rc)
		rc = dpex_buf_putc(ords, '{');
	bool first = true;
	for (size_t i = 0; !rc && i < b->n; i++) {
		if (b->fail[i])
			continue;
		const dpex_idvalues *v = &ids_of(b, i)[id];
		for (size_t k = 0; !rc && k < v->count; k++) {
			if (!first) {
				dpex_buf_putc(values, ',');
				dpex_buf_putc(ords, ',');
			}
			first = false;
			const char *one[1] = {v->values[k]};
			dpex_buf piece = DPEX_BUF_INIT;
			rc = dpex_source_array_literal(&piece, one, 1);
			/* Without its braces. */
			if (!rc)
				rc = dpex_buf_append(values, piece.data + 1,
						     piece.len - 2);
			dpex_buf_free(&piece);
			if (!rc)
				rc = dpex_buf_printf(ords, "%zu", i);
		}
	}
	if (!rc)
		rc = dpex_buf_putc(values, '}');
	if (!rc)
		rc = dpex_buf_putc(ords, '}');
	return rc;
}

static int fail_subject(batch *b, size_t i, const char *msg)
{
	if (b->fail[i])
		return 0;
	b->fail[i] = dpex_strdup(msg);
	return b->fail[i] ? 0 : DPEX_ENOMEM;
}

static int link_row(void *ctx, const dpex_value *v, size_t n)
{
	batch *b = ctx;
	size_t i = (size_t)atoll(v[0].data);
	if (i >= b->n || b->fail[i])
		return 0;
	const dpex_plan_link *pl = b->link;
	dpex_idvalues *ids = ids_of(b, i);
	for (size_t y = 0; y + 1 < n && y < pl->nyields; y++) {
		if (v[y + 1].is_null)
			continue;
		int id = pl->yields[y];
		int rc = dpex_idvalues_add(&ids[id], v[y + 1].data,
					   v[y + 1].len);
		if (rc == DPEX_EINTERNAL) {
			const dpex_datamap *m = b->w->r->map;
			const dpex_map_link *l = &m->links[pl->link];
			dpex_error_set(DPEX_EMAP,
				       "link on %s.%s yields more than %d "
				       "values of identifier \"%s\" for one "
				       "subject: are its columns really unique "
				       "to one person?",
				       l->schema, l->table,
				       DPEX_RESOLVE_MAX_VALUES,
				       m->identifiers[id].name);
			return fail_subject(b, i, dpex_error_message());
		}
		if (rc)
			return rc;
	}
	return 0;
}

static int resolve_batch(batch *b, char **link_sql)
{
	const dpex_plan *p = b->plan;
	for (size_t l = 0; l < p->nlinks; l++) {
		b->link = &p->links[l];
		dpex_buf values = DPEX_BUF_INIT, ords = DPEX_BUF_INIT;
		int rc = batch_params(b, p->links[l].from, &values, &ords);
		const char *params[2] = {values.data, ords.data};
		if (!rc && values.len > 2)
			rc = dpex_source_query_params(
				b->w->sources[p->links[l].source], link_sql[l],
				2, params, link_row, b);
		dpex_buf_free(&values);
		dpex_buf_free(&ords);
		if (rc)
			return rc;
	}
	return 0;
}

/* res: the subject's archive (NULL without one), whose hidden name record
 * takes over. */
static int record(batch *b, size_t i, const char *status,
		  dpex_export_result *res, const char *error)
{
	bulk_run *r = b->w->r;
	const subject *s = &r->subjects[b->idx[i]];
	char *archive_path = res ? res->archive_path : NULL;
	long long rows = res ? res->rows : 0, bytes = res ? res->bytes : 0;
	char rel[64] = "";
	if (res) {
		res->archive_path = NULL;
		snprintf(rel, sizeof(rel), "%.2s/dpex-%s.zip", s->id + 1,
			 s->id);
	}
	worker *w = b->w;
	if (w->npending == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 64;
		pending *p = dpex_realloc(w->pending, cap * sizeof(*p));
		if (!p) {
			if (archive_path)
				unlink(archive_path);
			free(archive_path);
			return DPEX_ENOMEM;
		}
		w->pending = p;
		w->cap = cap;
	}
	dpex_journal_entry e = {
		.status = status,
		.request_id = s->id,
		.rows = rows,
		.bytes = bytes,
		.sha256 = dpex_strdup(res ? res->sha256 : ""),
		.archive = dpex_strdup(rel),
		.error = dpex_strdup(error ? error : ""),
	};
	w->pending[w->npending++] = (pending){e, archive_path};
	if (!e.sha256 || !e.archive || !e.error)
		return DPEX_ENOMEM;
	b->recorded[i] = true;
	atomic_fetch_add(&r->done, 1);
	if (strcmp(status, "ok") == 0) {
		atomic_fetch_add(&r->written, 1);
		atomic_fetch_add(&r->rows, rows);
		atomic_fetch_add(&r->bytes, bytes);
	} else if (strcmp(status, "not_found") == 0) {
		atomic_fetch_add(&r->not_found, 1);
	} else {
		atomic_fetch_add(&r->failed, 1);
	}
	return 0;
}

/* Errors that end the run rather than one subject's export. */
static bool fatal_code(int rc)
{
	return rc == DPEX_ESOURCE || rc == DPEX_ECANCELED || rc == DPEX_ENOMEM;
}

static int export_one(batch *b, dpex_gather *g, size_t i)
{
	bulk_run *r = b->w->r;
	const subject *s = &r->subjects[b->idx[i]];
	char dir[4096], final[4200];
	snprintf(dir, sizeof(dir), "%s/%.2s", r->opt->out_dir, s->id + 1);
	snprintf(final, sizeof(final), "%s/dpex-%s.zip", dir, s->id);
	unsigned shard =
		(unsigned)strtoul((char[]){s->id[1], s->id[2], 0}, NULL, 16);
	if (!atomic_load(&r->shard_made[shard])) {
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return dpex_error_set(DPEX_EOUTPUT, "creating %s: %s",
					      dir, strerror(errno));
		atomic_store(&r->shard_made[shard], true);
	}
	/* An archive renamed into place whose journal line was lost to a
	 * crash: it is written again. */
	unlink(final);
	dpex_subject_key key = {r->map->identifiers[s->identifier].name,
				s->value};
	dpex_export_request req = {
		.map = r->map,
		.keys = &key,
		.nkeys = 1,
		.formats = r->formats,
		.nformats = r->nformats,
		.out_dir = dir,
		.request_id = s->id,
		.store = r->opt->store,
		.kind = r->opt->kind,
		.lang = r->opt->lang,
		.spool_dir = b->w->spool,
		.unpublished = true,
		.cache = b->w->cache,
	};
	dpex_gather_select(g, (int)i);
	dpex_export_result res;
	int rc = dpex_export_write(&req, b->plan, ids_of(b, i), g, &res);
	if (!rc) {
		rc = record(b, i, "ok", &res, NULL);
		dpex_export_result_free(&res);
		return rc;
	}
	if (fatal_code(rc))
		return rc;
	char msg[2048];
	snprintf(msg, sizeof(msg), "%s", dpex_error_message());
	/* The rest of this subject's rows, so the next one starts clean. */
	int skip = dpex_gather_skip(g);
	if (skip)
		return skip;
	return record(b, i, rc == DPEX_ENOTFOUND ? "not_found" : "error", NULL,
		      msg);
}

static int run_batch(worker *w, const size_t *idx, size_t n, bool *recorded)
{
	bulk_run *r = w->r;
	const dpex_datamap *m = r->map;
	int identifier = r->subjects[idx[0]].identifier;
	dpex_plan *p = NULL;
	int rc = worker_plan(w, identifier, &p);
	if (rc)
		return rc;
	batch b = {.w = w, .idx = idx, .n = n, .plan = p, .recorded = recorded};
	b.ids = dpex_calloc(n * m->nidentifiers, sizeof(*b.ids));
	b.fail = dpex_calloc(n, sizeof(*b.fail));
	if (!b.ids || !b.fail)
		rc = DPEX_ENOMEM;
	for (size_t i = 0; !rc && i < n; i++) {
		const subject *s = &r->subjects[idx[i]];
		rc = dpex_idvalues_add(&ids_of(&b, i)[identifier], s->value,
				       strlen(s->value));
	}
	if (!rc)
		rc = resolve_batch(&b, w->link_sql[identifier]);
	dpex_gather *g = NULL;
	const char **params = NULL;
	dpex_buf *bufs = NULL;
	if (!rc) {
		params = dpex_calloc(2 * m->nentities, sizeof(*params));
		bufs = dpex_calloc(2 * m->nentities, sizeof(*bufs));
		rc = params && bufs ? 0 : DPEX_ENOMEM;
	}
	for (size_t e = 0; !rc && e < m->nentities; e++) {
		rc = batch_params(&b, p->entities[e].identifier, &bufs[2 * e],
				  &bufs[2 * e + 1]);
		params[2 * e] = bufs[2 * e].data;
		params[2 * e + 1] = bufs[2 * e + 1].data;
	}
	if (!rc)
		rc = dpex_gather_open_batch(
			&g, p, w->sources,
			(const char *const *)w->entity_sql[identifier], params);
	for (size_t i = 0; !rc && i < n; i++) {
		if (recorded[i])
			continue;
		if (atomic_load(&r->stop))
			break;
		rc = dpex_check_canceled();
		if (!rc && b.fail[i])
			rc = record(&b, i, "error", NULL, b.fail[i]);
		else if (!rc)
			rc = export_one(&b, g, i);
	}
	dpex_gather_free(g);
	if (bufs)
		for (size_t e = 0; e < 2 * m->nentities; e++)
			dpex_buf_free(&bufs[e]);
	free(bufs);
	free(params);
	if (b.ids)
		dpex_idvalues_free(b.ids, n * m->nidentifiers);
	if (b.fail)
		for (size_t i = 0; i < n; i++)
			free(b.fail[i]);
	free(b.fail);
	return rc;
}

static bool sources_alive(const worker *w)
{
	for (size_t s = 0; s < w->r->map->nsources; s++)
		if (w->sources[s] && !dpex_source_alive(w->sources[s]))
			return false;
	return true;
}

/* A batch; when a query fails on a live connection (one subject's value
 * the database rejects, say), its unfinished subjects again one by one, so
 * the failure is that subject's alone. */
static int do_batch(worker *w, const size_t *idx, size_t n)
{
	bool *recorded = dpex_calloc(n, sizeof(bool));
	if (!recorded)
		return DPEX_ENOMEM;
	int rc = run_batch(w, idx, n, recorded);
	if (rc == DPEX_ESOURCE && sources_alive(w) && !dpex_check_canceled()) {
		char msg[2048];
		snprintf(msg, sizeof(msg), "%s", dpex_error_message());
		rc = 0;
		for (size_t s = 0; !rc && s < w->r->map->nsources; s++)
			if (w->sources[s])
				rc = dpex_source_restart(w->sources[s]);
		if (!rc && n == 1) {
			batch b = {.w = w,
				   .idx = idx,
				   .n = 1,
				   .recorded = recorded};
			rc = record(&b, 0, "error", NULL, msg);
		}
		for (size_t i = 0; !rc && n > 1 && i < n; i++)
			if (!recorded[i])
				rc = do_batch(w, &idx[i], 1);
	}
	free(recorded);
	return rc;
}

/* The batch's archives were written under hidden names without an fsync
 * each: one syncfs makes them durable, then they take their final names,
 * a second syncfs makes the renames durable, and only then does the
 * journal say they exist. Two syncs a batch instead of two a subject, and
 * a final name still never holds a partial archive. */
static int sync_out(const bulk_run *r)
{
	if (syncfs(r->out_fd) == 0)
		return 0;
	return dpex_error_set(DPEX_EOUTPUT, "syncing %s: %s", r->opt->out_dir,
			      strerror(errno));
}

/* Once synced, a written archive's pages are only taking memory that the
 * databases' own caches could use: a bulk run writes gigabytes that nobody
 * reads back. Dropping them also lets the next batch's archives reuse the
 * same pages instead of growing the page cache. */
static void drop_cached(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
}

static int flush_journal(worker *w)
{
	bulk_run *r = w->r;
	bool any = false;
	for (size_t i = 0; i < w->npending; i++)
		any |= w->pending[i].hidden != NULL;
	int rc = any ? sync_out(r) : 0;
	for (size_t i = 0; !rc && i < w->npending; i++) {
		if (!w->pending[i].hidden)
			continue;
		drop_cached(w->pending[i].hidden);
		char *final = dpex_asprintf("%s/%s", r->opt->out_dir,
					    w->pending[i].e.archive);
		rc = final ? dpex_archive_publish(w->pending[i].hidden, final)
			   : DPEX_ENOMEM;
		free(final);
	}
	if (!rc && any)
		rc = sync_out(r);
	for (size_t i = 0; i < w->npending; i++) {
		dpex_journal_entry *e = &w->pending[i].e;
		char *hidden = w->pending[i].hidden;
		if (!rc)
			rc = dpex_journal_append(r->journal, e);
		/* Not published: the rerun redoes the subject. */
		if (rc && hidden)
			unlink(hidden);
		free(hidden);
		free((char *)e->sha256);
		free((char *)e->archive);
		free((char *)e->error);
	}
	w->npending = 0;
	return rc;
}

static void *worker_main(void *arg)
{
	worker *w = arg;
	bulk_run *r = w->r;
	const dpex_datamap *m = r->map;
	int rc = 0;
	w->spool = dpex_asprintf("%s/.dpex-spool-XXXXXX", r->opt->out_dir);
	if (!w->spool)
		rc = DPEX_ENOMEM;
	else if (!mkdtemp(w->spool))
		rc = dpex_error_set(DPEX_EOUTPUT,
				    "creating a spool directory in %s: %s",
				    r->opt->out_dir, strerror(errno));
	else
		w->spool_made = true;
	if (!rc) {
		w->spool_fd =
			open(w->spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (w->spool_fd < 0 || flock(w->spool_fd, LOCK_EX) != 0)
			rc = dpex_error_set(DPEX_EOUTPUT, "locking %s: %s",
					    w->spool, strerror(errno));
	}
	if (!rc)
		rc = dpex_export_cache_new(&w->cache);
	for (size_t s = 0; !rc && s < m->nsources; s++)
		rc = dpex_source_open_at(&w->sources[s], m, (int)s,
					 r->snapshots[s]);
	bool connected = !rc;
	while (!rc && !atomic_load(&r->stop)) {
		pthread_mutex_lock(&r->lock);
		size_t b = r->next_batch < r->nbatches ? r->next_batch++
						       : r->nbatches;
		pthread_mutex_unlock(&r->lock);
		if (b == r->nbatches)
			break;
		size_t lo = r->batches[b], hi = r->batches[b + 1];
		rc = do_batch(w, &r->pending[lo], hi - lo);
		int frc = flush_journal(w);
		if (!rc)
			rc = frc;
	}
	int frc = flush_journal(w);
	if (!rc)
		rc = frc;
	if (rc) {
		if (rc == DPEX_ESOURCE && connected)
			dpex_error_wrap(rc, "a source went down, the run "
					    "stopped: ");
		set_fatal(r, rc);
	}
	atomic_fetch_sub(&r->workers_left, 1);
	return NULL;
}

static void remove_tree_files(const char *dir);

static void worker_free(worker *w)
{
	const dpex_datamap *m = w->r->map;
	/* The lock first: the removal takes it again. */
	if (w->spool_fd >= 0)
		close(w->spool_fd);
	if (w->spool_made)
		remove_tree_files(w->spool);
	free(w->spool);
	free(w->pending);
	dpex_export_cache_free(w->cache);
	if (w->sources)
		for (size_t s = 0; s < m->nsources; s++)
			dpex_source_close(w->sources[s]);
	free(w->sources);
	for (size_t i = 0; w->plans && i < m->nidentifiers; i++) {
		if (w->link_sql[i])
			for (size_t l = 0; l < w->plans[i]->nlinks; l++)
				free(w->link_sql[i][l]);
		if (w->entity_sql[i])
			for (size_t e = 0; e < m->nentities; e++)
				free(w->entity_sql[i][e]);
		free(w->link_sql[i]);
		free(w->entity_sql[i]);
		dpex_plan_free(w->plans[i]);
	}
	free(w->plans);
	free(w->link_sql);
	free(w->entity_sql);
}

/* --- Progress ------------------------------------------------------------ */

static void format_eta(double s, char *out, size_t n)
{
	if (s < 0 || s > 1e7) {
		snprintf(out, n, "--");
		return;
	}
	long t = (long)(s + 0.5);
	if (t >= 3600)
		snprintf(out, n, "%ldh%02ldm", t / 3600, t / 60 % 60);
	else if (t >= 60)
		snprintf(out, n, "%ldm%02lds", t / 60, t % 60);
	else
		snprintf(out, n, "%lds", t);
}

static void progress(bulk_run *r, long long skipped, bool last)
{
	long long done = atomic_load(&r->done);
	long long rows = atomic_load(&r->rows);
	long long errors = atomic_load(&r->failed);
	long long total = (long long)r->nsubjects;
	double t = elapsed(r);
	double rps = t > 0 ? (double)rows / t : 0;
	double sps = t > 0 ? (double)done / t : 0;
	long long left = total - skipped - done;
	double eta = sps > 0 ? (double)left / sps : -1;
	if (r->opt->progress == DPEX_BULK_PROGRESS_TTY) {
		char e[32];
		format_eta(eta, e, sizeof(e));
		fprintf(stderr,
			"\r\033[Kdpex bulk: %lld/%lld subjects, %.0f rows/s, "
			"%.1f subjects/s, ETA %s, %lld error%s",
			done + skipped, total, rps, sps, e, errors,
			errors == 1 ? "" : "s");
		if (last)
			fputc('\n', stderr);
	} else if (r->opt->progress == DPEX_BULK_PROGRESS_JSON) {
		fprintf(stderr,
			"{\"event\":\"%s\",\"done\":%lld,\"total\":%lld,"
			"\"skipped\":%lld,\"written\":%lld,\"not_found\":%lld,"
			"\"failed\":%lld,\"rows\":%lld,\"bytes\":%lld,"
			"\"elapsed_seconds\":%.3f,\"rows_per_second\":%.1f,"
			"\"subjects_per_second\":%.2f,\"eta_seconds\":%.1f}\n",
			last ? "end" : "progress", done + skipped, total,
			skipped, (long long)atomic_load(&r->written),
			(long long)atomic_load(&r->not_found), errors, rows,
			(long long)atomic_load(&r->bytes), t, rps, sps,
			eta < 0 ? 0.0 : eta);
	}
	fflush(stderr);
}

/* --- Output directory ---------------------------------------------------- */

static bool is_shard(const char *name)
{
	return strlen(name) == 2 && strchr("0123456789abcdef", name[0]) &&
	       strchr("0123456789abcdef", name[1]);
}

static void remove_tree_files(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	/* A spool a live export holds (its lock) is not ours to take. */
	if (flock(dirfd(d), LOCK_EX | LOCK_NB) != 0) {
		closedir(d);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	rmdir(dir);
}

/* What a killed run left: spool directories and hidden temporary ZIPs. Only
 * names the archive module makes, inside shard directories. */
static void remove_leftovers(const char *out)
{
	DIR *d = opendir(out);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		char sub[4200];
		if (strncmp(de->d_name, ".dpex-spool-", 12) == 0) {
			/* A worker's spool. */
			snprintf(sub, sizeof(sub), "%s/%s", out, de->d_name);
			remove_tree_files(sub);
			continue;
		}
		if (!is_shard(de->d_name))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", out, de->d_name);
		DIR *s = opendir(sub);
		if (!s)
			continue;
		struct dirent *f;
		while ((f = readdir(s))) {
			size_t n = strlen(f->d_name);
			char path[8400];
			snprintf(path, sizeof(path), "%s/%s", sub, f->d_name);
			/* An unpublished ZIP (.dpex-<id>.zip.tmp) and
			 * libzip's own temporary next to it. */
			if (strncmp(f->d_name, ".dpex-spool-", 12) == 0)
				remove_tree_files(path);
			else if (strncmp(f->d_name, ".dpex-", 6) == 0 && n > 6)
				unlink(path);
		}
		closedir(s);
	}
	closedir(d);
}

static void csv_field(FILE *f, const char *s, bool last)
{
	if (strpbrk(s, ",\"\r\n")) {
		fputc('"', f);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else {
		fputs(s, f);
	}
	fputs(last ? "\r\n" : ",", f);
}

/* summary.csv: every subject named, in input order, with what the journal
 * says of it (the latest entry); "pending" for those not done yet. */
static int write_summary(bulk_run *r, long long *incomplete)
{
	*incomplete = 0;
	char *path = dpex_asprintf("%s/summary.csv", r->opt->out_dir);
	char *tmp = dpex_asprintf("%s/summary.csv.tmp", r->opt->out_dir);
	if (!path || !tmp) {
		free(path);
		free(tmp);
		return DPEX_ENOMEM;
	}
	/* 0600 like the archives: it names every subject. */
	unlink(tmp);
	int fd =
		open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		     0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f && fd >= 0)
		close(fd);
	int rc = 0;
	if (!f) {
		rc = dpex_error_set(DPEX_EOUTPUT, "writing %s: %s", tmp,
				    strerror(errno));
	} else {
		fputs("subject,status,archive,rows,bytes,sha256,error\r\n", f);
		dpex_buf line = DPEX_BUF_INIT;
		for (size_t i = 0; !rc && i < r->nsubjects; i++) {
			const subject *s = &r->subjects[i];
			dpex_journal_entry found;
			int known = dpex_journal_find(r->journal, s->id, &found,
						      &line);
			if (known < 0) {
				rc = known;
				break;
			}
			const dpex_journal_entry *e = known ? &found : NULL;
			char *label = dpex_asprintf(
				"%s=%s",
				r->map->identifiers[s->identifier].name,
				s->value);
			char rows[32] = "", bytes[32] = "";
			if (!e || strcmp(e->status, "ok") != 0)
				(*incomplete)++;
			if (e && strcmp(e->status, "ok") == 0) {
				snprintf(rows, sizeof(rows), "%lld", e->rows);
				snprintf(bytes, sizeof(bytes), "%lld",
					 e->bytes);
			}
			csv_field(f, label ? label : "", false);
			csv_field(f, e ? e->status : "pending", false);
			csv_field(f, e ? e->archive : "", false);
			csv_field(f, rows, false);
			csv_field(f, bytes, false);
			csv_field(f, e ? e->sha256 : "", false);
			csv_field(f, e ? e->error : "", true);
			free(label);
		}
		dpex_buf_free(&line);
		if (!rc && (fflush(f) != 0 || ferror(f)))
			rc = dpex_error_set(DPEX_EOUTPUT, "writing %s: %s", tmp,
					    strerror(errno));
		fclose(f);
		if (!rc && rename(tmp, path) != 0)
			rc = dpex_error_set(DPEX_EOUTPUT, "writing %s: %s",
					    path, strerror(errno));
		if (rc)
			unlink(tmp);
	}
	free(path);
	free(tmp);
	return rc;
}

/* --- The run ------------------------------------------------------------- */

/* --out and the directories above it that are missing, as mkdir -p does;
 * each made private (0700): it will hold personal data. */
static int make_dirs(const char *path)
{
	char *p = dpex_strdup(path);
	if (!p)
		return DPEX_ENOMEM;
	int err = 0;
	for (char *end = p + 1;; end++) {
		if (*end != '/' && *end != '\0')
			continue;
		char c = *end;
		*end = '\0'; /* p: the directory to make now */
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			err = errno;
			break;
		}
		if (c == '\0')
			break;
		*end = c;
	}
	int rc = 0;
	if (err && strcmp(p, path) == 0)
		rc = dpex_error_set(DPEX_EOUTPUT, "cannot create --out %s: %s",
				    path, strerror(err));
	else if (err)
		rc = dpex_error_set(DPEX_EOUTPUT,
				    "cannot create --out %s: %s: %s", path, p,
				    strerror(err));
	free(p);
	return rc;
}

static int check_options(bulk_run *r)
{
	const dpex_bulk_options *o = r->opt;
	int sources = (o->subjects_file != NULL) + (o->subjects_query != NULL) +
		      o->all;
	if (sources != 1)
		return dpex_error_set(
			DPEX_EUSAGE, "name the subjects with exactly one of "
				     "--subjects FILE, --subjects-query SQL or "
				     "--all");
	if (o->subjects_query && !o->query_source)
		return dpex_error_set(DPEX_EUSAGE,
				      "--subjects-query needs --source NAME");
	if (o->query_source && dpex_datamap_source(r->map, o->query_source) < 0)
		return dpex_error_set(DPEX_EUSAGE,
				      "--source \"%s\" is not a source of the "
				      "map",
				      o->query_source);
	bool want[NFORMATS] = {false};
	for (size_t i = 0; i < o->nformats; i++) {
		size_t f = 0;
		while (f < NFORMATS && strcmp(format_order[f], o->formats[i]))
			f++;
		if (f == NFORMATS)
			return dpex_error_set(DPEX_EUSAGE,
					      "unknown format \"%s\": choose "
					      "from json, csv, xlsx, csv-safe",
					      o->formats[i]);
		want[f] = true;
	}
	for (size_t f = 0; f < NFORMATS; f++)
		if (want[f])
			r->formats[r->nformats++] = format_order[f];
	if (r->nformats == 0)
		return dpex_error_set(DPEX_EUSAGE, "no output format chosen");
	if (!o->out_dir)
		return dpex_error_set(DPEX_EUSAGE, "--out DIR is required");
	r->jobs = o->jobs > 0 ? o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (r->jobs < 1)
		r->jobs = 1;
	return 0;
}

/* --subjects-query is the operator's own SQL, written with the table names
 * of their own sessions: it runs under the role's search path, and only
 * it. Safe: what it returns only chooses whom to export, as the operator
 * chose anyway; every export runs on connections pinned empty. */
static int load_operator_query(bulk_run *r, const char *sql)
{
	dpex_source *s =
		r->coord[dpex_datamap_source(r->map, r->opt->query_source)];
	int rc = dpex_source_user_search_path(s, true);
	if (!rc)
		rc = load_subjects_query(r, s, sql, -1);
	int back = dpex_source_user_search_path(s, false);
	return rc ? rc : back;
}

static int load_subjects(bulk_run *r)
{
	const dpex_bulk_options *o = r->opt;
	const dpex_datamap *m = r->map;
	int rc;
	if (o->subjects_file) {
		rc = load_subjects_file(r, o->subjects_file);
	} else if (o->subjects_query) {
		/* DECLARE takes one statement without its semicolon. */
		dpex_buf sql = DPEX_BUF_INIT;
		dpex_buf_puts(&sql, o->subjects_query);
		while (sql.len && strchr(" \t\r\n;", sql.data[sql.len - 1]))
			sql.data[--sql.len] = '\0';
		rc = sql.data ? load_operator_query(r, sql.data) : DPEX_ENOMEM;
		dpex_buf_free(&sql);
	} else {
		const dpex_map_entity *me = &m->entities[0];
		dpex_buf sql = DPEX_BUF_INIT;
		dpex_buf_puts(
			&sql,
			"SELECT s.v::pg_catalog.text FROM (SELECT DISTINCT ");
		dpex_plan_quote_ident(&sql, me->match_column);
		dpex_buf_puts(&sql, " AS v FROM ");
		dpex_plan_quote_ident(&sql, me->schema);
		dpex_buf_putc(&sql, '.');
		dpex_plan_quote_ident(&sql, me->table);
		dpex_buf_puts(&sql,
			      ") AS s WHERE s.v IS NOT NULL ORDER BY s.v");
		rc = sql.data ? load_subjects_query(r, r->coord[me->source],
						    sql.data,
						    me->match_identifier)
			      : DPEX_ENOMEM;
		dpex_buf_free(&sql);
	}
	if (!rc && r->nsubjects == 0)
		rc = dpex_error_set(
			DPEX_ENOSUBJECTS, "%s named no subject",
			o->subjects_file ? o->subjects_file
			: o->subjects_query
				? "--subjects-query"
				: "--all: the first entity's table");
	return rc ? rc : dedupe_subjects(r);
}

/* The subjects left to do, cut into batches of one identifier each. */
static int plan_batches(bulk_run *r, long long *skipped)
{
	size_t size = (size_t)r->opt->batch;
	if (r->opt->batch <= 0) {
		/* Small runs: batches small enough that every worker gets
		 * several. */
		size_t left = 0;
		for (size_t i = 0; i < r->nsubjects; i++)
			left += !dpex_journal_finished(r->journal,
						       r->subjects[i].id);
		size_t per = (left + 4 * (size_t)r->jobs - 1) /
			     (4 * (size_t)r->jobs);
		size = per < DPEX_BULK_DEFAULT_BATCH ? per
						     : DPEX_BULK_DEFAULT_BATCH;
		if (size == 0)
			size = 1;
	}
	r->pending = dpex_calloc(r->nsubjects, sizeof(size_t));
	r->batches = dpex_calloc(r->nsubjects + 2, sizeof(size_t));
	if (!r->pending || !r->batches)
		return DPEX_ENOMEM;
	*skipped = 0;
	for (size_t i = 0; i < r->nsubjects; i++) {
		if (dpex_journal_finished(r->journal, r->subjects[i].id)) {
			(*skipped)++;
			continue;
		}
		size_t at = r->npending++;
		r->pending[at] = i;
		size_t start = r->nbatches ? r->batches[r->nbatches - 1] : 0;
		if (r->nbatches == 0 || at - start >= size ||
		    r->subjects[r->pending[start]].identifier !=
			    r->subjects[i].identifier)
			r->batches[r->nbatches++] = at;
	}
	r->batches[r->nbatches] = r->npending;
	return 0;
}

static int run_workers(bulk_run *r, long long skipped)
{
	const dpex_datamap *m = r->map;
	long jobs = r->jobs;
	if ((size_t)jobs > r->nbatches)
		jobs = (long)r->nbatches;
	worker *w = dpex_calloc(jobs ? (size_t)jobs : 1, sizeof(*w));
	if (!w)
		return DPEX_ENOMEM;
	/* jansson seeds its hash on first use: do it before the threads. */
	json_object_seed(0);
	int rc = 0;
	long started = 0;
	atomic_store(&r->workers_left, (int)jobs);
	for (long i = 0; i < jobs; i++) {
		w[i].r = r;
		w[i].spool_fd = -1;
		w[i].sources = dpex_calloc(m->nsources, sizeof(*w[i].sources));
		w[i].plans = dpex_calloc(m->nidentifiers, sizeof(*w[i].plans));
		w[i].link_sql =
			dpex_calloc(m->nidentifiers, sizeof(*w[i].link_sql));
		w[i].entity_sql =
			dpex_calloc(m->nidentifiers, sizeof(*w[i].entity_sql));
		if (!w[i].sources || !w[i].plans || !w[i].link_sql ||
		    !w[i].entity_sql ||
		    pthread_create(&w[i].thread, NULL, worker_main, &w[i])) {
			rc = set_fatal(r, dpex_error_set(DPEX_EINTERNAL,
							 "cannot start a "
							 "worker"));
			atomic_fetch_sub(&r->workers_left, (int)(jobs - i));
			break;
		}
		started++;
	}
	double next = 0;
	while (atomic_load(&r->workers_left) > 0) {
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
		if (dpex_check_canceled())
			set_fatal(r, DPEX_ECANCELED);
		double t = elapsed(r);
		if (t >= next) {
			progress(r, skipped, false);
			next = t + 1.0;
		}
	}
	for (long i = 0; i < started; i++)
		pthread_join(w[i].thread, NULL);
	for (long i = 0; i < jobs; i++)
		worker_free(&w[i]);
	free(w);
	return rc;
}

int dpex_bulk_run(const dpex_bulk_options *opt, dpex_bulk_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	bulk_run *r = dpex_calloc(1, sizeof(*r));
	if (!r)
		return DPEX_ENOMEM;
	r->opt = opt;
	r->map = opt->map;
	r->out_fd = -1;
	pthread_mutex_init(&r->lock, NULL);
	clock_gettime(CLOCK_MONOTONIC, &r->start);
	const dpex_datamap *m = r->map;
	long long skipped = 0;
	/* The input is read before anything is made on disk, so that a
	 * usage error leaves no directory, journal or summary behind. */
	int rc = check_options(r);
	if (!rc)
		rc = open_coordinators(r);
	if (!rc)
		rc = load_subjects(r);
	if (!rc)
		rc = make_dirs(opt->out_dir);
	if (!rc) {
		dpex_buf fp = DPEX_BUF_INIT;
		dpex_buf_puts(&fp, "formats=");
		for (size_t f = 0; f < r->nformats; f++)
			dpex_buf_printf(&fp, "%s%s", f ? "," : "",
					r->formats[f]);
		dpex_buf_printf(&fp, " store=%s", opt->store ? "yes" : "no");
		/* Named only when not the default, so that the journal of a
		 * default run from an earlier version still resumes. */
		if (opt->kind && strcmp(opt->kind, "access") != 0)
			dpex_buf_printf(&fp, " kind=%s", opt->kind);
		if (opt->lang && strcmp(opt->lang, "en") != 0)
			dpex_buf_printf(&fp, " lang=%s", opt->lang);
		rc = fp.data ? dpex_journal_open(&r->journal, opt->out_dir,
						 fp.data)
			     : DPEX_ENOMEM;
		dpex_buf_free(&fp);
	}
	if (!rc)
		remove_leftovers(opt->out_dir);
	if (!rc && (r->out_fd = open(opt->out_dir,
				     O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		rc = dpex_error_set(DPEX_EOUTPUT, "opening %s: %s",
				    opt->out_dir, strerror(errno));
	if (!rc)
		rc = lookup_types(r);
	if (!rc)
		rc = plan_batches(r, &skipped);
	if (!rc && r->nbatches > 0)
		rc = run_workers(r, skipped);
	if (!rc && atomic_load(&r->stop)) {
		rc = r->stop_rc;
		if (rc == DPEX_ECANCELED)
			dpex_error_set(rc,
				       "interrupted by SIGINT or SIGTERM: "
				       "the run stopped, the subject in "
				       "progress left nothing behind; rerun "
				       "the same command to resume");
		else
			dpex_error_set(rc, "%s", r->stop_msg);
	}
	if (r->journal) {
		progress(r, skipped, true);
		char msg[2048];
		snprintf(msg, sizeof(msg), "%s", dpex_error_message());
		int src = write_summary(r, &stats->incomplete);
		stats->summary_written = src == 0;
		if (!rc)
			rc = src;
		else
			dpex_error_set(rc, "%s", msg);
	}
	stats->subjects = (long long)r->nsubjects;
	stats->skipped = skipped;
	stats->written = atomic_load(&r->written);
	stats->not_found = atomic_load(&r->not_found);
	stats->failed = atomic_load(&r->failed);
	stats->rows = atomic_load(&r->rows);
	stats->bytes = atomic_load(&r->bytes);
	stats->seconds = elapsed(r);
	/* The coordinators last: their transactions hold the snapshot. */
	if (r->coord)
		for (size_t s = 0; s < m->nsources; s++)
			dpex_source_close(r->coord[s]);
	free(r->coord);
	if (r->snapshots)
		for (size_t s = 0; s < m->nsources; s++)
			free(r->snapshots[s]);
	free(r->snapshots);
	if (r->link_types)
		for (size_t l = 0; l < m->nlinks; l++) {
			for (size_t k = 0;
			     r->link_types[l] && k < m->links[l].nkeys; k++)
				free(r->link_types[l][k]);
			free(r->link_types[l]);
		}
	free(r->link_types);
	if (r->entity_types)
		for (size_t e = 0; e < m->nentities; e++)
			free(r->entity_types[e]);
	free(r->entity_types);
	for (size_t i = 0; i < r->nsubjects; i++)
		free(r->subjects[i].value);
	free(r->subjects);
	free(r->pending);
	free(r->batches);
	dpex_journal_close(r->journal);
	if (r->out_fd >= 0)
		close(r->out_fd);
	pthread_mutex_destroy(&r->lock);
	free(r);
	return rc;
}
