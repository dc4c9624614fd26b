/*
 * json: data.json, the subject's rows as one nested document.
 *
 * The document is written as the events arrive, one row per line, indented
 * two spaces per nesting level so that a person can read it and a diff
 * shows changed rows:
 *
 *   {"$schema": "data.schema.json", "format": "dpex-data",
 *     "format_version": 1,
 *     "request_id": "...", "exported_at": "...",
 *     "subject": {"email": ["a@example.nl"]},
 *     "entities": {
 *       "orders": [
 *         {"id": 10, "status": "paid", "order_lines": [
 *             {"line_no": 1, "quantity": 2}
 *           ]}
 *       ]
 *     }}
 *
 * A row's closing brace waits for row_end, since its children's arrays go
 * inside it. Nothing is kept beyond the bytes not yet handed to the sink.
 */
#include "exporters/exporter.h"

#include "core/base/error.h"
#include "exporters/jsonw.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define MEMBER_NAME "data.json"
#define FORMAT_VERSION 1

/* Bytes gathered before a write to the sink: fewer, larger writes, and
 * still only a few rows in memory. */
#define FLUSH_AT 65536

/* Levels of the layout: entities' names at 2, root rows at 3; each child
 * array adds 2 (its key inside the row, then its rows). */
#define ROOT_NAME_LEVEL 2
#define ROOT_ROW_LEVEL 3

typedef struct json_exporter {
	const dpex_exporter_ctx *ctx;
	dpex_sink *sink;
	dpex_buf out;	  /* bytes not yet written to the sink */
	dpex_buf scratch; /* for dpex_jsonw_column */
	dpex_buf elem;	  /* for dpex_jsonw_column */
	size_t *rows_in;  /* rows so far in each open array, outermost first */
	size_t depth;	  /* arrays open */
	size_t nroots;	  /* root entities started */
	long long rows;
	size_t repaired; /* values that needed U+FFFD */
} json_exporter;

static int newline(dpex_buf *out, size_t level)
{
	int rc = dpex_buf_reserve(out, 1 + 2 * level);
	if (rc)
		return rc;
	out->data[out->len++] = '\n';
	memset(out->data + out->len, ' ', 2 * level);
	out->len += 2 * level;
	out->data[out->len] = '\0';
	return 0;
}

static int flush(json_exporter *j)
{
	if (j->out.len == 0)
		return 0;
	int rc = dpex_sink_write(j->sink, j->out.data, j->out.len);
	dpex_buf_clear(&j->out);
	return rc;
}

static int maybe_flush(json_exporter *j, int rc)
{
	if (rc || j->out.len < FLUSH_AT)
		return rc;
	return flush(j);
}

static int string(json_exporter *j, const char *s)
{
	return dpex_jsonw_string(&j->out, s, strlen(s), &j->repaired);
}

static int write_subject(json_exporter *j)
{
	const dpex_export_info *info = j->ctx->info;
	int rc = dpex_buf_puts(&j->out, "\"subject\": {");
	for (size_t i = 0; !rc && i < info->nidentifiers; i++) {
		const dpex_identifier_values *id = &info->identifiers[i];
		if (i)
			rc = dpex_buf_puts(&j->out, ", ");
		if (!rc)
			rc = string(j, id->identifier);
		if (!rc)
			rc = dpex_buf_puts(&j->out, ": [");
		for (size_t k = 0; !rc && k < id->nvalues; k++) {
			if (k)
				rc = dpex_buf_puts(&j->out, ", ");
			if (!rc)
				rc = string(j, id->values[k]);
		}
		if (!rc)
			rc = dpex_buf_putc(&j->out, ']');
	}
	return rc ? rc : dpex_buf_putc(&j->out, '}');
}

static int write_head(json_exporter *j)
{
	const dpex_export_info *info = j->ctx->info;
	int rc = dpex_buf_printf(&j->out,
				 "{\"$schema\": \"data.schema.json\", "
				 "\"format\": \"dpex-data\", "
				 "\"format_version\": %d,",
				 FORMAT_VERSION);
	if (!rc)
		rc = newline(&j->out, 1);
	if (!rc)
		rc = dpex_buf_puts(&j->out, "\"request_id\": ");
	if (!rc)
		rc = string(j, info->request_id);
	if (!rc)
		rc = dpex_buf_puts(&j->out, ", \"exported_at\": ");
	if (!rc)
		rc = string(j, info->exported_at);
	if (!rc)
		rc = dpex_buf_putc(&j->out, ',');
	if (!rc)
		rc = newline(&j->out, 1);
	if (!rc)
		rc = write_subject(j);
	if (!rc)
		rc = dpex_buf_putc(&j->out, ',');
	if (!rc)
		rc = newline(&j->out, 1);
	return rc ? rc : dpex_buf_puts(&j->out, "\"entities\": {");
}

static void json_free(void *self)
{
	json_exporter *j = self;
	if (!j)
		return;
	dpex_buf_free(&j->out);
	dpex_buf_free(&j->scratch);
	dpex_buf_free(&j->elem);
	free(j->rows_in);
	free(j);
}

static int json_open(void **self, const dpex_exporter_ctx *ctx)
{
	*self = NULL;
	json_exporter *j = dpex_calloc(1, sizeof(*j));
	if (!j)
		return DPEX_ENOMEM;
	j->ctx = ctx;
	/* A chain of nested entities is at most every entity deep. */
	j->rows_in = dpex_calloc(ctx->nentities + 1, sizeof(*j->rows_in));
	int rc = j->rows_in ? 0 : DPEX_ENOMEM;
	if (!rc)
		rc = dpex_archive_member_open(ctx->archive, MEMBER_NAME,
					      &j->sink);
	if (!rc)
		rc = write_head(j);
	if (rc) {
		json_free(j);
		return rc;
	}
	*self = j;
	return 0;
}

static int json_entity_start(void *self, const dpex_entity_shape *e)
{
	json_exporter *j = self;
	int rc;
	assert((e->parent < 0) == (j->depth == 0));
	assert(j->depth <= j->ctx->nentities);
	if (j->depth == 0) {
		rc = j->nroots++ ? dpex_buf_putc(&j->out, ',') : 0;
		if (!rc)
			rc = newline(&j->out, ROOT_NAME_LEVEL);
	} else {
		rc = dpex_buf_puts(&j->out, ", ");
	}
	if (!rc)
		rc = string(j, e->name);
	if (!rc)
		rc = dpex_buf_puts(&j->out, ": [");
	j->rows_in[j->depth++] = 0;
	return rc;
}

static int json_row(void *self, const dpex_entity_shape *e,
		    const dpex_value *values)
{
	json_exporter *j = self;
	assert(j->depth > 0);
	size_t d = j->depth - 1;
	int rc = j->rows_in[d]++ ? dpex_buf_putc(&j->out, ',') : 0;
	if (!rc)
		rc = newline(&j->out, ROOT_ROW_LEVEL + 2 * d);
	if (!rc)
		rc = dpex_buf_putc(&j->out, '{');
	for (size_t c = 0; !rc && c < e->ncolumns; c++) {
		if (c)
			rc = dpex_buf_puts(&j->out, ", ");
		if (!rc)
			rc = string(j, e->columns[c].name);
		if (!rc)
			rc = dpex_buf_puts(&j->out, ": ");
		if (!rc)
			rc = dpex_jsonw_column(&j->out, &j->scratch, &j->elem,
					       &e->columns[c], &values[c],
					       &j->repaired);
	}
	j->rows++;
	return maybe_flush(j, rc);
}

static int json_row_end(void *self, const dpex_entity_shape *e)
{
	json_exporter *j = self;
	(void)e;
	return maybe_flush(j, dpex_buf_putc(&j->out, '}'));
}

static int json_entity_end(void *self, const dpex_entity_shape *e)
{
	json_exporter *j = self;
	(void)e;
	assert(j->depth > 0);
	size_t d = --j->depth;
	int rc = 0;
	/* An empty array stays on its key's line: "order_lines": []. */
	if (j->rows_in[d])
		rc = newline(&j->out, ROOT_NAME_LEVEL + 2 * d);
	if (!rc)
		rc = dpex_buf_putc(&j->out, ']');
	return maybe_flush(j, rc);
}

static int json_finish(void *self)
{
	json_exporter *j = self;
	assert(j->depth == 0);
	int rc = j->nroots ? newline(&j->out, 1) : 0;
	if (!rc)
		rc = dpex_buf_puts(&j->out, "}}\n");
	if (!rc)
		rc = flush(j);
	if (!rc)
		rc = dpex_sink_close(j->sink, j->rows);
	return rc;
}

const dpex_exporter_ops dpex_exporter_json = {
	.name = "json",
	.open = json_open,
	.entity_start = json_entity_start,
	.row = json_row,
	.row_end = json_row_end,
	.entity_end = json_entity_end,
	.finish = json_finish,
	.free = json_free,
};
