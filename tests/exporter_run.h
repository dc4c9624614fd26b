/*
 * exporter_run: drives an exporter through a real archive, the way gather
 * does, and reads the committed ZIP back with tools that share no code
 * with ours (unzip, Python's zipfile). Shared by the exporter suites.
 *
 * The subject: one customer, two orders (the first with two order lines,
 * the second with none) and no consents, so that every shape the layout
 * has (a child array with rows, an empty one, an empty root) appears.
 */
#ifndef DPEX_TEST_EXPORTER_RUN_H
#define DPEX_TEST_EXPORTER_RUN_H

#include "core/archive/archive.h"
#include "core/base/error.h"
#include "exporters/exporter.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CUSTOMERS, ORDERS, ORDER_LINES, CONSENTS, NENTITIES };

static const dpex_column customer_columns[] = {
	{.name = "id", .kind = DPEX_KIND_INTEGER, .identifier = true},
	{.name = "first_name", .kind = DPEX_KIND_TEXT},
	{.name = "vip", .kind = DPEX_KIND_BOOL},
};
static const dpex_column order_columns[] = {
	{.name = "id", .kind = DPEX_KIND_INTEGER, .identifier = true},
	{.name = "placed_at", .kind = DPEX_KIND_TIMESTAMPTZ},
};
static const dpex_column line_columns[] = {
	{.name = "line_no", .kind = DPEX_KIND_INTEGER},
	{.name = "description", .kind = DPEX_KIND_TEXT},
};
static const dpex_column consent_columns[] = {
	{.name = "purpose", .kind = DPEX_KIND_TEXT},
};

static const dpex_entity_shape run_shapes[NENTITIES] = {
	{"customers", CUSTOMERS, -1, 3, customer_columns},
	{"orders", ORDERS, -1, 2, order_columns},
	{"order_lines", ORDER_LINES, ORDERS, 2, line_columns},
	{"consents", CONSENTS, -1, 1, consent_columns},
};

static const char *const run_emails[] = {"saskia@example.nl"};
static const char *const run_ids[] = {"1"};
static const dpex_identifier_values run_identifiers[] = {
	{"email", run_emails, 1, true},
	{"customer_id", run_ids, 1, false},
};
static const dpex_export_info run_info = {
	.request_id = "req-1",
	.exported_at = "2026-11-22T03:05:53Z",
	.identifiers = run_identifiers,
	.nidentifiers = 2,
};

#define V(s)                                                                   \
	{                                                                      \
		s, sizeof(s) - 1, false                                        \
	}
#define NUL                                                                    \
	{                                                                      \
		NULL, 0, true                                                  \
	}

static const dpex_value run_customer[] = {V("1"), V("Zoë"), V("t")};
static const dpex_value run_orders[][2] = {
	{V("10"), V("2024-03-01 12:45:00+00")},
	{V("11"), NUL},
};
static const dpex_value run_lines[][2] = {
	{V("1"), V("Fiets, \"rood\"")},
	{V("2"), NUL},
};

#undef V
#undef NUL

typedef struct exporter_run {
	char dir[64];
	char *zip; /* the committed archive */
} exporter_run;

static inline int call(int (*cb)(void *, const dpex_entity_shape *), void *self,
		       int entity)
{
	return cb ? cb(self, &run_shapes[entity]) : 0;
}

/* The events gather sends for the subject above (see exporter.h). */
static inline int send_events(const dpex_exporter_ops *ops, void *self)
{
	const dpex_exporter_ops *o = ops;
	int rc = call(o->entity_start, self, CUSTOMERS);
	rc = rc ? rc : o->row(self, &run_shapes[CUSTOMERS], run_customer);
	rc = rc ? rc : call(o->row_end, self, CUSTOMERS);
	rc = rc ? rc : call(o->entity_end, self, CUSTOMERS);
	rc = rc ? rc : call(o->entity_start, self, ORDERS);
	for (int r = 0; !rc && r < 2; r++) {
		rc = o->row(self, &run_shapes[ORDERS], run_orders[r]);
		rc = rc ? rc : call(o->entity_start, self, ORDER_LINES);
		for (int l = 0; !rc && r == 0 && l < 2; l++) {
			rc = o->row(self, &run_shapes[ORDER_LINES],
				    run_lines[l]);
			rc = rc ? rc : call(o->row_end, self, ORDER_LINES);
		}
		rc = rc ? rc : call(o->entity_end, self, ORDER_LINES);
		rc = rc ? rc : call(o->row_end, self, ORDERS);
	}
	rc = rc ? rc : call(o->entity_end, self, ORDERS);
	rc = rc ? rc : call(o->entity_start, self, CONSENTS);
	return rc ? rc : call(o->entity_end, self, CONSENTS);
}

/* Exports with ops into a new temporary directory; send gives the events
 * (send_events for the subject above). */
static inline void
exporter_run_start(exporter_run *r, const dpex_exporter_ops *ops,
		   int (*send)(const dpex_exporter_ops *, void *))
{
	strcpy(r->dir, "/tmp/dpex-exporter-XXXXXX");
	cr_assert_not_null(mkdtemp(r->dir));
	dpex_archive *a = NULL;
	dpex_archive_options opt = {
		.out_dir = r->dir, .name = "out.zip", .compress = true};
	cr_assert_eq(dpex_archive_open(&a, &opt), 0, "%s",
		     dpex_error_message());
	dpex_exporter_ctx ctx = {a, &run_info, run_shapes, NENTITIES};
	void *self = NULL;
	int rc = ops->open(&self, &ctx);
	rc = rc ? rc : send(ops, self);
	rc = rc ? rc : ops->finish(self);
	rc = rc ? rc : dpex_archive_commit(a, NULL, &r->zip);
	cr_assert_eq(rc, 0, "%s", dpex_error_message());
	ops->free(self);
	dpex_archive_free(a);
}

static inline void exporter_run_end(exporter_run *r)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", r->dir);
	cr_assert_eq(system(cmd), 0);
	free(r->zip);
}

/* The standard output of a shell command that must succeed. */
static inline char *command_output(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p, "%s", cmd);
	size_t len = 0, cap = 4096;
	char *out = malloc(cap);
	size_t n;
	while ((n = fread(out + len, 1, cap - len - 1, p)) > 0) {
		len += n;
		if (cap - len < 2)
			out = realloc(out, cap *= 2);
	}
	out[len] = '\0';
	cr_assert_eq(pclose(p), 0, "%s", cmd);
	return out;
}

/* A member's bytes, as unzip extracts them. */
static inline char *member_bytes(const exporter_run *r, const char *name)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "unzip -p '%s' '%s'", r->zip, name);
	return command_output(cmd);
}

/* Runs a Python program with the archive's path as argv[1]. */
static inline char *python(const exporter_run *r, const char *program)
{
	char path[96];
	snprintf(path, sizeof(path), "%s/check.py", r->dir);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(program, f);
	fclose(f);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 '%s' '%s'", path, r->zip);
	return command_output(cmd);
}

/* "name=rows" for every member in the manifest, in order. */
static const char manifest_rows_py[] =
	"import json, sys, zipfile\n"
	"m = json.loads(zipfile.ZipFile(sys.argv[1]).read('manifest.json'))\n"
	"print(' '.join('%s=%s' % (f['name'], f.get('rows')) "
	"for f in m['files']))\n";

#endif
