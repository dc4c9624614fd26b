#include "core/run/export.h"

#include "exporters/exporter.h"
#include "exporters/jsonw.h"
#include "core/answer/about.h"
#include "core/answer/about_cache.h"
#include "core/archive/archive.h"
#include "core/answer/cover.h"
#include "core/base/error.h"
#include "core/answer/gather.h"
#include "core/answer/memo.h"
#include "core/pg/plan.h"
#include "core/pg/resolve.h"
#include "core/answer/scope.h"
#include "core/pg/source.h"
#include "core/base/utf8.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* Archive members come in this order whatever order --format names. */
static const char *const format_order[] = {"json", "csv", "xlsx", "csv-safe"};
#define NFORMATS (sizeof(format_order) / sizeof(format_order[0]))

struct dpex_export_cache {
	dpex_about_cache *about;
	dpex_memo *about_text; /* about.json's shared parts, laid out */
	dpex_memo *cover;
};

/* Parts kept per thread, each memo: the map's texts for a few dozen
 * shapes of answer. */
#define MEMO_BYTES ((size_t)4 << 20)

int dpex_export_cache_new(dpex_export_cache **out)
{
	*out = NULL;
	dpex_export_cache *c = dpex_calloc(1, sizeof(*c));
	if (!c || dpex_about_cache_new(&c->about) ||
	    dpex_memo_new(&c->about_text, MEMO_BYTES) ||
	    dpex_memo_new(&c->cover, MEMO_BYTES)) {
		dpex_export_cache_free(c);
		return DPEX_ENOMEM;
	}
	*out = c;
	return 0;
}

void dpex_export_cache_free(dpex_export_cache *c)
{
	if (!c)
		return;
	dpex_about_cache_free(c->about);
	dpex_memo_free(c->about_text);
	dpex_memo_free(c->cover);
	free(c);
}

typedef struct export_run {
	const dpex_export_request *req;
	const dpex_datamap *map;
	dpex_plan *plan;
	dpex_source **sources;
	dpex_idvalues *ids;
	dpex_gather *gather;
	dpex_archive *archive;
	dpex_request_kind kind;
	dpex_scope *scope;     /* between gather and the exporters */
	dpex_exporter_ctx ctx; /* outlives the exporters */
	dpex_output outputs[NFORMATS];
	size_t noutputs;
	dpex_identifier_values *info_ids;
	dpex_export_info info;
	char request_id[80];
	char exported_at[32];
} export_run;

int dpex_export_check_request_id(const char *id)
{
	size_t n = strlen(id);
	bool ok = n > 0 && n <= 64;
	for (const char *c = id; ok && *c; c++)
		ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		     (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' ||
		     *c == '.';
	if (!ok || id[0] == '.')
		return dpex_error_set(
			DPEX_EUSAGE,
			"request id \"%s\" is not valid: use 1 to "
			"64 letters, digits, '-', '_' or '.', "
			"not starting with '.'",
			id);
	return 0;
}

static int stamp(export_run *r)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(r->exported_at, sizeof(r->exported_at), "%Y-%m-%dT%H:%M:%SZ",
		 &tm);
	if (r->req->request_id) {
		int rc = dpex_export_check_request_id(r->req->request_id);
		if (rc)
			return rc;
		snprintf(r->request_id, sizeof(r->request_id), "%s",
			 r->req->request_id);
		return 0;
	}
	unsigned char rnd[4];
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return dpex_error_set(DPEX_EINTERNAL,
				      "no randomness for a request id");
	char day[24];
	strftime(day, sizeof(day), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(r->request_id, sizeof(r->request_id), "%s-%02x%02x%02x%02x",
		 day, rnd[0], rnd[1], rnd[2], rnd[3]);
	return 0;
}

static int plan_request(export_run *r)
{
	const dpex_export_request *req = r->req;
	if (req->nkeys == 0)
		return dpex_error_set(DPEX_EUSAGE,
				      "name the subject with at least one "
				      "--subject IDENTIFIER=VALUE");
	int *given = dpex_calloc(req->nkeys, sizeof(int));
	r->ids = dpex_calloc(r->map->nidentifiers, sizeof(dpex_idvalues));
	int rc = (!given || !r->ids) ? DPEX_ENOMEM : 0;
	for (size_t i = 0; !rc && i < req->nkeys; i++) {
		int id = dpex_datamap_identifier(r->map,
						 req->keys[i].identifier);
		if (id < 0) {
			dpex_buf known = DPEX_BUF_INIT;
			for (size_t k = 0; k < r->map->nidentifiers; k++)
				dpex_buf_printf(&known, "%s%s", k ? ", " : "",
						r->map->identifiers[k].name);
			rc = dpex_error_set(DPEX_EUSAGE,
					    "unknown identifier \"%s\" in "
					    "--subject; the map declares: %s",
					    req->keys[i].identifier,
					    known.data ? known.data : "");
			dpex_buf_free(&known);
			break;
		}
		if (req->keys[i].value[0] == '\0')
			rc = dpex_error_set(DPEX_EUSAGE,
					    "--subject %s= has an empty value",
					    req->keys[i].identifier);
		if (!rc)
			rc = dpex_idvalues_add(&r->ids[id], req->keys[i].value,
					       strlen(req->keys[i].value));
		given[i] = id;
	}
	if (!rc)
		rc = dpex_plan_build(&r->plan, r->map, given, req->nkeys);
	free(given);
	return rc;
}

/* Opens the sources the plan reads, each in its own snapshot. */
static int open_sources(export_run *r)
{
	const dpex_datamap *m = r->map;
	r->sources = dpex_calloc(m->nsources, sizeof(*r->sources));
	if (!r->sources)
		return DPEX_ENOMEM;
	bool *used = dpex_calloc(m->nsources, sizeof(bool));
	if (!used)
		return DPEX_ENOMEM;
	for (size_t i = 0; i < r->plan->nlinks; i++)
		used[r->plan->links[i].source] = true;
	for (size_t e = 0; e < m->nentities; e++)
		used[m->entities[e].source] = true;
	int rc = 0;
	for (size_t s = 0; !rc && s < m->nsources; s++)
		if (used[s])
			rc = dpex_source_open(&r->sources[s], m, (int)s);
	free(used);
	return rc;
}

static int describe_subject(export_run *r)
{
	const dpex_datamap *m = r->map;
	r->info_ids = dpex_calloc(m->nidentifiers, sizeof(*r->info_ids));
	if (!r->info_ids)
		return DPEX_ENOMEM;
	/* Given identifiers first, then those found through links. */
	size_t n = 0;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < m->nidentifiers; i++) {
			bool given = r->plan->given[i];
			if (given != (pass == 0) || r->ids[i].count == 0)
				continue;
			r->info_ids[n++] = (dpex_identifier_values){
				.identifier = m->identifiers[i].name,
				.values = (const char *const *)r->ids[i].values,
				.nvalues = r->ids[i].count,
				.given = given,
			};
		}
	r->info = (dpex_export_info){
		.request_id = r->request_id,
		.exported_at = r->exported_at,
		.identifiers = r->info_ids,
		.nidentifiers = n,
	};
	return 0;
}

static int open_outputs(export_run *r)
{
	const dpex_export_request *req = r->req;
	bool want[NFORMATS] = {false};
	for (size_t i = 0; i < req->nformats; i++) {
		size_t f = 0;
		while (f < NFORMATS && strcmp(format_order[f], req->formats[i]))
			f++;
		if (f == NFORMATS)
			return dpex_error_set(DPEX_EUSAGE,
					      "unknown format \"%s\": choose "
					      "from json, csv, xlsx, csv-safe",
					      req->formats[i]);
		want[f] = true;
	}
	r->ctx = (dpex_exporter_ctx){
		.archive = r->archive,
		.info = &r->info,
	};
	r->ctx.entities = dpex_scope_shapes(r->scope, &r->ctx.nentities);
	for (size_t f = 0; f < NFORMATS; f++) {
		if (!want[f])
			continue;
		dpex_output *o = &r->outputs[r->noutputs];
		o->ops = dpex_exporter_find(format_order[f]);
		int rc = o->ops->open(&o->self, &r->ctx);
		if (rc)
			return rc;
		r->noutputs++;
	}
	if (r->noutputs == 0)
		return dpex_error_set(DPEX_EUSAGE, "no output format chosen");
	return 0;
}

/* jansson refuses invalid UTF-8 (json_string gives NULL); a value found
 * in a SQL_ASCII database may hold some: U+FFFD, as in data.json. */
static json_t *utf8_string(const char *s)
{
	size_t len = strlen(s);
	if (dpex_utf8_valid_prefix(s, len) == len)
		return json_string(s);
	dpex_buf b = DPEX_BUF_INIT;
	json_t *j = dpex_utf8_repair(&b, s, len, NULL)
			    ? NULL
			    : json_stringn(b.data, b.len);
	dpex_buf_free(&b);
	return j;
}

/* What the manifest says besides the files: who, when, from where. */
static json_t *manifest_extra(const export_run *r)
{
	const dpex_datamap *m = r->map;
	json_t *subject = json_object();
	for (size_t i = 0; i < r->info.nidentifiers; i++) {
		const dpex_identifier_values *v = &r->info.identifiers[i];
		json_t *values = json_array();
		for (size_t k = 0; k < v->nvalues; k++)
			json_array_append_new(values,
					      utf8_string(v->values[k]));
		json_object_set_new(subject, v->identifier, values);
	}
	json_t *entities = json_array();
	json_int_t replaced = 0;
	for (size_t e = 0; e < m->nentities; e++) {
		if (!dpex_scope_has_entity(r->scope, e))
			continue;
		json_int_t n = dpex_gather_replaced(r->gather, e);
		replaced += n;
		json_array_append_new(
			entities,
			json_pack("{s:s, s:s, s:I, s:I}", "name",
				  m->entities[e].name, "source",
				  m->sources[m->entities[e].source].name,
				  "rows",
				  (json_int_t)dpex_gather_rows(r->gather, e),
				  "invalid_utf8_replaced", n));
	}
	json_t *formats = json_array();
	for (size_t o = 0; o < r->noutputs; o++)
		json_array_append_new(formats,
				      json_string(r->outputs[o].ops->name));
	json_t *extra = json_pack(
		"{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:I}", "$schema",
		"manifest.schema.json", "request_id", r->request_id, "kind",
		dpex_request_kind_name(r->kind), "created_at", r->exported_at,
		"subject", subject, "formats", formats, "entities", entities,
		"invalid_utf8_replaced", replaced);
	/* What was left out (portability) and redacted: by entity and
	 * column, never by value. */
	if (extra && r->kind == DPEX_REQUEST_PORTABILITY)
		json_object_set_new(extra, "excluded",
				    dpex_scope_excluded(r->scope));
	if (extra)
		json_object_set_new(extra, "redactions",
				    dpex_scope_redactions(r->scope));
	return extra;
}

/* The language of the texts in about.json. */
static const char *request_lang(const export_run *r)
{
	return r->req->lang ? r->req->lang : "en";
}

/* about.json: the Art. 15 information for the categories in the archive. */
static int add_about(export_run *r, json_t **out)
{
	const dpex_datamap *m = r->map;
	long long *rows = dpex_calloc(m->nentities + 1, sizeof(long long));
	const char *formats[NFORMATS];
	if (!rows)
		return DPEX_ENOMEM;
	for (size_t e = 0; e < m->nentities; e++)
		rows[e] = dpex_gather_rows(r->gather, e);
	for (size_t o = 0; o < r->noutputs; o++)
		formats[o] = r->outputs[o].ops->name;
	dpex_about_input in = {.m = m,
			       .scope = r->scope,
			       .kind = r->kind,
			       .lang = request_lang(r),
			       .request_id = r->request_id,
			       .rows = rows,
			       .formats = formats,
			       .nformats = r->noutputs};
	json_t *about = dpex_about_cache_build(
		r->req->cache ? r->req->cache->about : NULL, &in);
	free(rows);
	if (!about)
		return dpex_error_oom();
	dpex_buf text = DPEX_BUF_INIT;
	dpex_sink *sink = NULL;
	int rc = dpex_jsonw_dump(
		&text, about, r->req->cache ? r->req->cache->about_text : NULL);
	if (!rc)
		rc = dpex_buf_putc(&text, '\n');
	if (!rc)
		rc = dpex_archive_member_open(r->archive, "about.json", &sink);
	if (!rc)
		rc = dpex_sink_write(sink, text.data, text.len);
	if (!rc)
		rc = dpex_sink_close(sink, -1);
	dpex_buf_free(&text);
	if (rc) {
		json_decref(about);
		return rc;
	}
	*out = about;
	return 0;
}

static int subject_label(const export_run *r, dpex_buf *b)
{
	for (size_t i = 0; i < r->req->nkeys; i++)
		dpex_buf_printf(b, "%s%s=%s", i ? ", " : "",
				r->req->keys[i].identifier,
				r->req->keys[i].value);
	return b->data ? 0 : DPEX_ENOMEM;
}

static int write_archive(export_run *r, dpex_export_result *res);

static int run(export_run *r, dpex_export_result *res)
{
	int rc = stamp(r);
	if (!rc)
		rc = dpex_cover_check_lang(r->req->lang);
	if (!rc)
		rc = dpex_request_kind_parse(
			r->req->kind ? r->req->kind : "access", &r->kind);
	if (!rc)
		rc = plan_request(r);
	if (!rc)
		rc = open_sources(r);
	if (!rc)
		rc = dpex_resolve(r->plan, r->sources, r->ids);
	if (!rc)
		rc = describe_subject(r);
	if (!rc)
		rc = dpex_gather_open(&r->gather, r->plan, r->sources, r->ids);
	return rc ? rc : write_archive(r, res);
}

/* From a gather ready to walk the subject's rows to the committed archive:
 * the part a bulk run shares, so its archives are those of export. */
static int write_archive(export_run *r, dpex_export_result *res)
{
	/* Parsed here too: a bulk run comes in through dpex_export_write. */
	int rc = dpex_request_kind_parse(r->req->kind ? r->req->kind : "access",
					 &r->kind);
	char name[128];
	snprintf(name, sizeof(name), "dpex-%s.zip", r->request_id);
	dpex_archive_options opt = {.out_dir = r->req->out_dir,
				    .name = name,
				    .compress = !r->req->store,
				    .spool_dir = r->req->spool_dir,
				    .unpublished = r->req->unpublished};
	if (!rc)
		rc = dpex_scope_open(&r->scope, r->map, r->kind,
				     dpex_gather_shapes(r->gather), &r->info,
				     request_lang(r));
	if (!rc)
		rc = dpex_archive_open(&r->archive, &opt);
	if (!rc)
		rc = open_outputs(r);
	dpex_output scoped;
	if (!rc) {
		scoped = dpex_scope_output(r->scope, r->outputs, r->noutputs);
		rc = dpex_gather_run(r->gather, &scoped, 1);
	}
	for (size_t o = 0; !rc && o < r->noutputs; o++)
		rc = r->outputs[o].ops->finish(r->outputs[o].self);
	if (rc)
		return rc;
	if (dpex_gather_total_rows(r->gather) == 0) {
		dpex_buf who = DPEX_BUF_INIT;
		subject_label(r, &who);
		rc = dpex_error_set(DPEX_ENOTFOUND,
				    "no data about %s in any source: check the "
				    "value, or name the subject by another "
				    "identifier",
				    who.data ? who.data : "the subject");
		dpex_buf_free(&who);
		return rc;
	}
	json_t *about = NULL;
	rc = add_about(r, &about);
	if (rc)
		return rc;
	json_t *extra = manifest_extra(r);
	if (!extra) {
		json_decref(about);
		return dpex_error_oom();
	}
	rc = dpex_cover_add(r->archive, about, extra, request_lang(r),
			    r->req->cache ? r->req->cache->cover : NULL);
	if (!rc)
		rc = dpex_archive_commit(r->archive, extra, &res->archive_path);
	if (!rc)
		dpex_archive_digest(r->archive, res->sha256, &res->bytes);
	json_decref(extra);
	json_decref(about);
	if (rc)
		return rc;
	res->request_id = dpex_strdup(r->request_id);
	/* The rows in the archive: a portability export leaves some out. */
	res->rows = 0;
	for (size_t e = 0; e < r->map->nentities; e++)
		if (dpex_scope_has_entity(r->scope, e))
			res->rows += dpex_gather_rows(r->gather, e);
	return res->request_id ? 0 : DPEX_ENOMEM;
}

static void free_outputs(export_run *r)
{
	for (size_t o = 0; o < r->noutputs; o++)
		r->outputs[o].ops->free(r->outputs[o].self);
	/* The archive goes before the sources: an uncommitted one is removed
	 * whatever failed. */
	dpex_archive_free(r->archive);
	dpex_scope_free(r->scope);
	r->scope = NULL;
}

int dpex_export_write(const dpex_export_request *req, const dpex_plan *plan,
		      dpex_idvalues *ids, dpex_gather *gather,
		      dpex_export_result *res)
{
	memset(res, 0, sizeof(*res));
	export_run r = {.req = req,
			.map = req->map,
			.plan = (dpex_plan *)plan,
			.ids = ids,
			.gather = gather};
	int rc = stamp(&r);
	if (!rc)
		rc = describe_subject(&r);
	if (!rc)
		rc = write_archive(&r, res);
	free_outputs(&r);
	free(r.info_ids);
	if (rc)
		dpex_export_result_free(res);
	return rc;
}

int dpex_export_run(const dpex_export_request *req, dpex_export_result *res)
{
	memset(res, 0, sizeof(*res));
	export_run r = {.req = req, .map = req->map};
	int rc = run(&r, res);
	free_outputs(&r);
	dpex_gather_free(r.gather);
	if (r.sources)
		for (size_t s = 0; s < r.map->nsources; s++)
			dpex_source_close(r.sources[s]);
	free(r.sources);
	dpex_idvalues_free(r.ids, r.map->nidentifiers);
	free(r.info_ids);
	dpex_plan_free(r.plan);
	if (rc)
		dpex_export_result_free(res);
	return rc;
}

void dpex_export_result_free(dpex_export_result *res)
{
	free(res->archive_path);
	free(res->request_id);
	res->archive_path = res->request_id = NULL;
}
