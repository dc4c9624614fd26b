/*
 * csv: csv/<entity>.csv, one RFC 4180 file per entity (see csvw.h for the
 * quoting rules, including NULL versus the empty string).
 *
 * The "csv-safe" format writes the same records to csv-safe/<entity>.csv,
 * except that a text field a spreadsheet program would run as a formula
 * gets a leading apostrophe (csvw.h): csv/ stays byte for byte what the
 * database holds, csv-safe/ is for opening in Excel.
 *
 * Every file is opened up front, so an entity without rows still gets its
 * header: the person sees that the system was searched. Rows of different
 * entities interleave (tree order), so each record goes straight to its
 * own member's sink; the sink does the buffering.
 */
#include "exporters/exporter.h"

#include "core/base/error.h"
#include "exporters/csvw.h"

#include <stdlib.h>

typedef struct csv_exporter {
	const dpex_exporter_ctx *ctx;
	dpex_sink **sinks; /* by entity index */
	long long *rows;   /* data rows written, by entity index */
	dpex_buf out;	   /* the record being written */
	dpex_buf scratch;  /* for dpex_csvw_row */
	size_t repaired;   /* values that needed U+FFFD */
	bool excel_safe;   /* csv-safe/: formulas defused */
} csv_exporter;

static void csv_free(void *self)
{
	csv_exporter *c = self;
	if (!c)
		return;
	dpex_buf_free(&c->out);
	dpex_buf_free(&c->scratch);
	free(c->sinks);
	free(c->rows);
	free(c);
}

static int write_out(csv_exporter *c, size_t entity)
{
	int rc = dpex_sink_write(c->sinks[entity], c->out.data, c->out.len);
	dpex_buf_clear(&c->out);
	return rc;
}

static int open_member(csv_exporter *c, size_t entity)
{
	const dpex_entity_shape *e = &c->ctx->entities[entity];
	char *name = dpex_asprintf("%s/%s.csv",
				   c->excel_safe ? "csv-safe" : "csv", e->name);
	if (!name)
		return DPEX_ENOMEM;
	int rc = dpex_archive_member_open(c->ctx->archive, name,
					  &c->sinks[entity]);
	free(name);
	if (!rc)
		rc = dpex_csvw_header(&c->out, e);
	return rc ? rc : write_out(c, entity);
}

static int open_csv(void **self, const dpex_exporter_ctx *ctx, bool excel_safe)
{
	*self = NULL;
	csv_exporter *c = dpex_calloc(1, sizeof(*c));
	if (!c)
		return DPEX_ENOMEM;
	c->ctx = ctx;
	c->excel_safe = excel_safe;
	c->sinks = dpex_calloc(ctx->nentities, sizeof(*c->sinks));
	c->rows = dpex_calloc(ctx->nentities, sizeof(*c->rows));
	int rc = (!c->sinks || !c->rows) ? DPEX_ENOMEM : 0;
	for (size_t e = 0; !rc && e < ctx->nentities; e++)
		rc = open_member(c, e);
	if (rc) {
		csv_free(c);
		return rc;
	}
	*self = c;
	return 0;
}

static int csv_open(void **self, const dpex_exporter_ctx *ctx)
{
	return open_csv(self, ctx, false);
}

static int csv_safe_open(void **self, const dpex_exporter_ctx *ctx)
{
	return open_csv(self, ctx, true);
}

static int csv_row(void *self, const dpex_entity_shape *e,
		   const dpex_value *values)
{
	csv_exporter *c = self;
	int rc = dpex_csvw_record(&c->out, &c->scratch, e, values, &c->repaired,
				  c->excel_safe);
	if (rc) {
		dpex_buf_clear(&c->out);
		return rc;
	}
	c->rows[e->index]++;
	return write_out(c, (size_t)e->index);
}

static int csv_finish(void *self)
{
	csv_exporter *c = self;
	for (size_t e = 0; e < c->ctx->nentities; e++) {
		int rc = dpex_sink_close(c->sinks[e], c->rows[e]);
		c->sinks[e] = NULL;
		if (rc)
			return rc;
	}
	return 0;
}

const dpex_exporter_ops dpex_exporter_csv = {
	.name = "csv",
	.open = csv_open,
	.row = csv_row,
	.finish = csv_finish,
	.free = csv_free,
};

const dpex_exporter_ops dpex_exporter_csv_safe = {
	.name = "csv-safe",
	.open = csv_safe_open,
	.row = csv_row,
	.finish = csv_finish,
	.free = csv_free,
};
