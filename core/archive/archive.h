/*
 * archive: one ZIP answer, assembled safely.
 *
 * A member is kept in memory while small (256 KiB, and 1 MiB for all of an
 * archive's members); past that it moves to a file in a private spool
 * directory inside the output directory (so memory stays flat whatever the
 * subject's size, and the spool is on the same file system as the
 * archive). An archive whose members all fit is built in memory and written
 * once; a larger one is streamed by libzip from the spool files. Each member's
 * size, row count and SHA-256 are taken as it is written. dpex_archive_commit
 * writes the ZIP inside the spool, adds manifest.json, fsyncs, and renames
 * it to its final name; until then nothing with the final name exists, and
 * dpex_archive_free() of an uncommitted archive removes every file it
 * created.
 *
 * A process killed outright (SIGKILL, a crash) leaves only its spool, a
 * hidden directory named .dpex-spool-XXXXXX. The spool is locked (flock)
 * while its archive lives; dpex_archive_open removes the unlocked spools
 * of this user it finds in out_dir, so the next export there cleans up.
 */
#ifndef DPEX_ARCHIVE_H
#define DPEX_ARCHIVE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct dpex_archive dpex_archive;
typedef struct dpex_sink dpex_sink;

typedef struct dpex_archive_options {
	const char *out_dir; /* must exist and be writable */
	const char *name;    /* final file name, e.g. "dpex-<request>.zip" */
	bool compress;	     /* deflate members; otherwise store them */
	/* Bulk: an existing private directory to spool in, emptied when the
	 * archive is done but kept (NULL: one made and removed per archive).
	 */
	const char *spool_dir;
	/* Bulk: commit leaves the ZIP, not fsynced, under a hidden name in
	 * out_dir (".<name>.tmp") and names that in *final_path; the caller
	 * makes a batch of them durable with one syncfs, then moves each to
	 * its final name with dpex_archive_publish, so a final name still
	 * never holds a partial archive. */
	bool unpublished;
} dpex_archive_options;

/* Creates the spool directory in out_dir, after removing the spools that
 * dead exports left there. DPEX_EOUTPUT when out_dir is missing or not
 * writable (the message says which and how to fix it). */
int dpex_archive_open(dpex_archive **out, const dpex_archive_options *opt);

/* Starts a streamed member called name (may contain '/', e.g.
 * "csv/orders.csv"). The sink belongs to the archive; finish it with
 * dpex_sink_close(). Members appear in the ZIP in the order opened. */
int dpex_archive_member_open(dpex_archive *a, const char *name,
			     dpex_sink **out);

/* Appends n bytes to the member (buffered). DPEX_EOUTPUT on I/O failure. */
int dpex_sink_write(dpex_sink *s, const void *p, size_t n);
int dpex_sink_puts(dpex_sink *s, const char *str);

/* Ends the member, recording rows (data rows it holds; -1 for none). */
int dpex_sink_close(dpex_sink *s, long long rows);

/* The spool directory, for an exporter's own temporary file. Borrowed. */
const char *dpex_archive_spool_dir(const dpex_archive *a);

/* The output directory the archive goes to, for messages. Borrowed. */
const char *dpex_archive_out_dir(const dpex_archive *a);

/* A finished or unfinished member as the archive knows it, for a table of
 * contents (the cover page). name is borrowed from the archive. */
typedef struct dpex_archive_entry {
	const char *name;
	unsigned long long size; /* final once its sink is closed */
	long long rows;		 /* -1: not a file of rows */
} dpex_archive_entry;

/* The number of members so far, and the i-th in the order added (the
 * manifest, written at commit, is not one of them). */
size_t dpex_archive_member_count(const dpex_archive *a);
dpex_archive_entry dpex_archive_member_at(const dpex_archive *a, size_t i);

/* Moves the member called name ahead of every member not moved so, in the
 * ZIP and the manifest: what a person opens first is listed first.
 * Members moved by several calls keep the order of the calls.
 * DPEX_EUSAGE when no member has that name. */
int dpex_archive_member_first(dpex_archive *a, const char *name);

/* Writes manifest.json (the members with name, size, rows and sha256, plus
 * every key of extra, which may be NULL and is not stolen), the ZIP, fsyncs
 * and renames. On success *final_path (caller frees) names the archive
 * (unpublished: its hidden name). */
int dpex_archive_commit(dpex_archive *a, json_t *extra, char **final_path);

/* After a successful commit: the SHA-256 (lowercase hex) and size in bytes
 * of the ZIP written, taken as it was written (read back once for one
 * that libzip streamed from spool files). */
void dpex_archive_digest(const dpex_archive *a, char hex[65], long long *size);

/* Bulk: moves an unpublished archive (see dpex_archive_options) from its
 * hidden name to final, refusing to replace a file there. The caller has
 * made hidden durable and makes the rename durable. */
int dpex_archive_publish(const char *hidden, const char *final);

/* Releases the archive; an uncommitted one is discarded without a trace. */
void dpex_archive_free(dpex_archive *a);

#endif
