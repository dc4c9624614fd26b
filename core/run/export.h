/*
 * export: one subject, every source, one archive. The call the CLI, the
 * request queue and the download backend all make.
 */
#ifndef DPEX_EXPORT_H
#define DPEX_EXPORT_H

#include "core/map/datamap.h"

#include <stdbool.h>
#include <stddef.h>

/* One identifier=value the request names. */
typedef struct dpex_subject_key {
	const char *identifier;
	const char *value;
} dpex_subject_key;

/* What one thread keeps from an archive to the next of the same request
 * settings: about.json documents per shape of answer and the cover page
 * parts they share (about_cache.h, memo.h). Archives are the same with or
 * without it; a bulk worker has one, a single export none. */
typedef struct dpex_export_cache dpex_export_cache;

int dpex_export_cache_new(dpex_export_cache **out);
void dpex_export_cache_free(dpex_export_cache *c);

typedef struct dpex_export_request {
	const dpex_datamap *map;
	const dpex_subject_key *keys;
	size_t nkeys;
	const char *const *formats; /* "json", "csv", "xlsx" */
	size_t nformats;
	const char *out_dir;
	const char *request_id; /* NULL: one is made up */
	bool store;		/* ZIP members stored, not deflated */
	const char *spool_dir;	/* bulk: see dpex_archive_options */
	bool unpublished;	/* bulk: see dpex_archive_options */
	const char *lang;	/* cover page language: en, nl, sv; NULL: en */
	const char *kind; /* "access" (NULL: the default) or "portability" */
	dpex_export_cache *cache; /* bulk: the worker's; NULL: none */
} dpex_export_request;

typedef struct dpex_export_result {
	char *archive_path;
	char *request_id;
	long long rows;
	long long bytes; /* of the archive */
	char sha256[65]; /* of the archive, lowercase hex */
} dpex_export_result;

/* Exports the subject. DPEX_ENOTFOUND when no source has a row about them;
 * on any failure no file is left in out_dir. */
int dpex_export_run(const dpex_export_request *req, dpex_export_result *res);

void dpex_export_result_free(dpex_export_result *res);

typedef struct dpex_plan dpex_plan;
typedef struct dpex_gather dpex_gather;
typedef struct dpex_idvalues dpex_idvalues;

/* Bulk: writes the archive of one subject whose identifiers are resolved
 * (ids, one per map identifier) and whose rows gather is ready to walk
 * (dpex_gather_select()). The archive is the one dpex_export_run() writes;
 * req->keys name the subject for messages. */
int dpex_export_write(const dpex_export_request *req, const dpex_plan *plan,
		      dpex_idvalues *ids, dpex_gather *gather,
		      dpex_export_result *res);

/* Checks a request id: it becomes part of the archive's file name. */
int dpex_export_check_request_id(const char *id);

#endif
