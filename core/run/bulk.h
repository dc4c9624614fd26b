/*
 * bulk: many subjects, one archive each, at the speed of the database.
 *
 * A coordinator connection per source opens a REPEATABLE READ transaction
 * and exports its snapshot (pg_export_snapshot()); it stays open for the
 * run, and every worker's transactions import it, so all archives describe
 * the same moment. Workers (threads, each with its own connections) take
 * batches of subjects; per batch, each identifier link and each entity is
 * one query whose parameters are the values of every subject of the batch
 * ($1 text[]) with the ordinal of the subject each belongs to ($2 int[]).
 * Rows come ordered by that ordinal and are cut per subject as they stream
 * through the same walk and writers as dpex export (dpex_export_write), so
 * an archive is the one a single export writes, whatever the batch.
 *
 * Archives go to OUT/<2 hex>/dpex-<request id>.zip, the request id being
 * derived from the subject (SHA-256 of "identifier=value"), so a rerun
 * names the same file. A batch's ZIPs are written under hidden names
 * beside their final ones (OUT/<2 hex>/.dpex-<id>.zip.tmp) without an
 * fsync each; at the end of the batch one syncfs makes them durable, they
 * are renamed to their final names, a second syncfs makes the renames
 * durable, and only then does OUT/journal.tsv get the batch's lines. A
 * final name never holds a partial archive. A rerun skips what the journal
 * lists, redoes the rest (removing an archive the journal does not know),
 * and removes the hidden and temporary files a killed run left. Each
 * worker spools in its own locked OUT/.dpex-spool-XXXXXX.
 * OUT/summary.csv is rewritten from the journal at the end of every run.
 */
#ifndef DPEX_BULK_H
#define DPEX_BULK_H

#include "core/map/datamap.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum dpex_bulk_progress {
	DPEX_BULK_PROGRESS_NONE,
	DPEX_BULK_PROGRESS_TTY,	 /* one updating line on stderr */
	DPEX_BULK_PROGRESS_JSON, /* a JSON object per line on stderr */
} dpex_bulk_progress;

typedef struct dpex_bulk_options {
	const dpex_datamap *map;
	/* Exactly one source of subjects: */
	const char *subjects_file;  /* identifier=value lines, or CSV */
	const char *subjects_query; /* SQL; first column named after an
				       identifier */
	const char *query_source;   /* source the query runs on */
	bool all;		    /* every subject of the first entity */
	const char *out_dir;	    /* made if missing, as mkdir -p */
	const char *const *formats;
	size_t nformats;
	bool store;
	const char *kind; /* "access" (NULL: the default) or "portability" */
	const char
		*lang; /* cover pages: "en" (NULL: the default), "nl", "sv" */
	int jobs;      /* workers; <= 0: the number of cores */
	int batch;     /* subjects per batch; <= 0: up to the default, fewer
			  so that each worker gets several batches */
	dpex_bulk_progress progress;
} dpex_bulk_options;

typedef struct dpex_bulk_stats {
	long long subjects;   /* distinct subjects named */
	long long skipped;    /* finished by an earlier run */
	long long written;    /* archives written by this run */
	long long not_found;  /* this run: no row about them anywhere */
	long long failed;     /* this run: an error, recorded */
	long long rows;	      /* rows written by this run */
	long long bytes;      /* archive bytes written by this run */
	long long incomplete; /* subjects without an archive at the end,
				 this run and earlier ones together */
	double seconds;
	bool summary_written; /* DIR/summary.csv is there, of this run */
} dpex_bulk_stats;

#define DPEX_BULK_DEFAULT_BATCH 500

/* Runs the export. 0 when every subject was processed (some may have
 * failed: see stats and the summary); DPEX_ECANCELED after SIGINT,
 * DPEX_ESOURCE when a source went down, DPEX_EUSAGE / DPEX_EOUTPUT / ...
 * otherwise; in every case the journal lets a rerun resume. */
int dpex_bulk_run(const dpex_bulk_options *opt, dpex_bulk_stats *stats);

/* The request id of a subject: "s" and 32 hex digits of
 * SHA-256("identifier=value"). out must hold 34 bytes. */
void dpex_bulk_request_id(const char *identifier, const char *value,
			  char out[34]);

#endif
