/*
 * exporter: one output format behind one set of callbacks.
 *
 * Like pg_dump's archive formats: the gatherer walks the subject's rows in
 * tree order (a root entity's rows, and under each row the rows of its
 * child entities) and calls every enabled exporter. Flat formats (CSV,
 * XLSX) only need row(); nested ones (JSON) also follow entity_start /
 * row_end / entity_end. Callbacks return 0 or a negative DPEX_E* code with
 * the error set (core/base/error.h).
 *
 * Event order for a root "orders" with child "order_lines":
 *   entity_start(orders)
 *     row(orders, v) entity_start(order_lines) row(order_lines, v)
 *       row_end(order_lines) ... entity_end(order_lines) row_end(orders)
 *     ...
 *   entity_end(orders)
 * A child's entity_start/entity_end pair comes under every parent row, even
 * when it has no rows there.
 */
#ifndef DPEX_EXPORTER_H
#define DPEX_EXPORTER_H

#include "core/archive/archive.h"
#include "core/pg/value.h"

typedef struct dpex_exporter_ctx {
	dpex_archive *archive;
	const dpex_export_info *info;
	const dpex_entity_shape *entities; /* every entity, in map order */
	size_t nentities;
} dpex_exporter_ctx;

typedef struct dpex_exporter_ops {
	const char *name; /* "json", "csv", "xlsx", "csv-safe" */
	/* Starts the format's members; ctx outlives the exporter. */
	int (*open)(void **self, const dpex_exporter_ctx *ctx);
	int (*entity_start)(void *self, const dpex_entity_shape *e); /* opt. */
	int (*row)(void *self, const dpex_entity_shape *e,
		   const dpex_value *values);
	int (*row_end)(void *self, const dpex_entity_shape *e);	   /* opt. */
	int (*entity_end)(void *self, const dpex_entity_shape *e); /* opt. */
	/* Writes the last bytes and hands every member to the archive. */
	int (*finish)(void *self);
	/* Frees the state; safe after a failure at any point. */
	void (*free)(void *self);
} dpex_exporter_ops;

extern const dpex_exporter_ops dpex_exporter_json;
extern const dpex_exporter_ops dpex_exporter_csv;
extern const dpex_exporter_ops dpex_exporter_xlsx;
extern const dpex_exporter_ops dpex_exporter_csv_safe; /* csv.c */

/* The exporter called name, or NULL. */
const dpex_exporter_ops *dpex_exporter_find(const char *name);

#endif
