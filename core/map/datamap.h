/*
 * datamap: the user's description of their estate, loaded and validated.
 *
 * The map says where personal data lives (sources), which values identify a
 * person (identifiers), which tables tie identifiers together (links) and
 * which rows to export (entities). Every problem is reported with the map
 * file, line and column, and the JSON path of the offending value; the
 * schema for the format is schemas/datamap.schema.json.
 *
 * After a successful load the structure is read-only and fully checked:
 * indexes are in range, names unique, parents precede children and share
 * their source.
 */
#ifndef DPEX_DATAMAP_H
#define DPEX_DATAMAP_H

#include "core/base/buf.h"
#include "core/base/diag.h"
#include "core/map/jsonpos.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct dpex_map_source {
	char *name;
	char *conninfo; /* as written: ${VAR} not yet expanded */
	char *description;
} dpex_map_source;

typedef struct dpex_map_identifier {
	char *name;
	char *description;
} dpex_map_identifier;

typedef struct dpex_map_link_key {
	int identifier; /* index into identifiers */
	char *column;
} dpex_map_link_key;

/* A table whose columns identify the same person: any one finds the rest. */
typedef struct dpex_map_link {
	int source;
	char *schema;
	char *table;
	dpex_map_link_key *keys;
	size_t nkeys;
} dpex_map_link;

typedef struct dpex_map_column {
	char *name;
	bool identifier; /* a key or code: text in spreadsheets */
} dpex_map_column;

typedef struct dpex_map_order {
	char *column;
	bool descending;
} dpex_map_order;

typedef struct dpex_map_entity {
	char *name;
	int source;
	char *schema;
	char *table;
	char *description; /* may be NULL */
	char *category;	   /* may be NULL */
	dpex_map_column *columns;
	size_t ncolumns;
	dpex_map_order *order_by;
	size_t norder_by;
	/* Either matched by a subject identifier ... */
	int match_identifier; /* -1 for a child entity */
	char *match_column;
	/* ... or a child of an earlier entity in the same source. */
	int parent;		 /* -1 for a root entity */
	char *parent_column;	 /* this entity's column */
	char *parent_references; /* the parent's column it equals */
} dpex_map_entity;

typedef struct dpex_datamap {
	char *path;
	char *text; /* the map as read, for locating problems */
	size_t text_len;
	char *name; /* may be NULL */
	dpex_map_source *sources;
	size_t nsources;
	dpex_map_identifier *identifiers;
	size_t nidentifiers;
	dpex_map_link *links;
	size_t nlinks;
	dpex_map_entity *entities;
	size_t nentities;
	json_t *doc; /* the map as parsed: texts for the archive's about.json */
	struct dpex_processing *processing; /* see processing.h */
} dpex_datamap;

/* Loads and validates the map at path. Every problem goes to diags (which
 * may hold warnings even on success); on any error returns DPEX_EMAP with
 * the first problem as the thread's error, and *out stays NULL. */
int dpex_datamap_load(dpex_datamap **out, const char *path, dpex_diags *diags);

/* Same, from a text in memory; path names it in messages. */
int dpex_datamap_parse(dpex_datamap **out, const char *path, const char *text,
		       size_t len, dpex_diags *diags);

void dpex_datamap_free(dpex_datamap *m);

/* Adds a message about the value at path to diags, placed as every
 * message about the map is: "FILE:LINE:COLUMN: $.a.b[2]: message", with
 * "warning: " before a warning's message. DPEX_ENOMEM on failure. */
int dpex_datamap_diag(const dpex_datamap *m, dpex_diags *diags,
		      dpex_severity sev, const dpex_jsonpos_step *path,
		      size_t depth, const char *fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));

/* Index of the named identifier, source or entity; -1 if none. */
int dpex_datamap_identifier(const dpex_datamap *m, const char *name);
int dpex_datamap_source(const dpex_datamap *m, const char *name);
int dpex_datamap_entity(const dpex_datamap *m, const char *name);

/* Expands ${VAR} in a source's conninfo from the environment. DPEX_EMAP
 * when a variable is unset (naming it, never printing the value). */
int dpex_datamap_conninfo(const dpex_datamap *m, int source, char **out);

#endif
