/*
 * journal: what a bulk run has finished, on disk, for the next run.
 *
 * OUT/journal.tsv starts with a header naming the options that shape an
 * archive (formats, compression); then one line per finished subject
 * (its request id as dpex_bulk_request_id makes it; other lines are
 * ignored),
 * appended with one write() after the subject's archive was renamed into
 * place. A line torn by a crash is cut off when the journal is opened
 * again; a subject whose line was lost is simply done again. The file is
 * locked (flock) while a run uses it, so two runs cannot share a directory.
 */
#ifndef DPEX_JOURNAL_H
#define DPEX_JOURNAL_H

#include "core/base/buf.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct dpex_journal dpex_journal;

typedef struct dpex_journal_entry {
	const char *status;	/* "ok", "not_found" or "error" */
	const char *request_id; /* the subject's */
	long long rows;
	long long bytes;
	const char *sha256;  /* of the archive, hex; "" without one */
	const char *archive; /* relative to OUT; "" without one */
	const char *error;   /* "" when none */
} dpex_journal_entry;

/* Opens (creating) dir/journal.tsv for options fingerprint. DPEX_EUSAGE
 * when it belongs to a run with other options or another run holds it. */
int dpex_journal_open(dpex_journal **out, const char *dir,
		      const char *fingerprint);

/* The latest entry for request_id, read back from the file: 1, with e's
 * strings in text (the caller's buffer: valid until text changes); 0 when
 * there is none; DPEX_EOUTPUT when the file cannot be read. */
int dpex_journal_find(dpex_journal *j, const char *request_id,
		      dpex_journal_entry *e, dpex_buf *text);

/* True when request_id needs no more work: written, or not found. Reads
 * nothing from the file. */
bool dpex_journal_finished(dpex_journal *j, const char *request_id);

/* Appends an entry; safe from several threads. */
int dpex_journal_append(dpex_journal *j, const dpex_journal_entry *e);

void dpex_journal_close(dpex_journal *j);

#endif
