/*
 * zipw: a ZIP file written front to back, with no seeking.
 *
 * For a format that is itself a ZIP package (XLSX), written into an
 * archive member while the archive is being assembled, and for an archive
 * whose members are all in memory. A whole entry in memory is deflated at
 * once (core/archive/deflate.h) or stored, and its local header carries its
 * CRC-32 and sizes; a streamed one (too large for memory) is deflated as it
 * comes (dpex_deflate_stream), its CRC-32 and sizes following its data in a
 * data descriptor (APPNOTE 4.3.9). The central directory comes last. Entry
 * names are UTF-8 (general purpose bit 11). No ZIP64: an entry or a file past 4
 * GiB is refused with DPEX_EOUTPUT, never written wrong.
 */
#ifndef DPEX_ZIPW_H
#define DPEX_ZIPW_H

#include <stddef.h>
#include <time.h>

typedef struct dpex_zipw dpex_zipw;

/* Where the ZIP's bytes go, in order: 0, or an error code (error.h). */
typedef int (*dpex_zipw_out)(void *ctx, const void *p, size_t n);

/* Starts a ZIP written through out(ctx, ...). */
int dpex_zipw_new(dpex_zipw **z, dpex_zipw_out out, void *ctx);

/* The time every entry carries, as a local DOS date and time (two-second
 * steps, 1980 to 2107); set before the first entry. Unset: 1980-01-01
 * 00:00, ZIP's first, so that the same input gives the same bytes. */
void dpex_zipw_set_time(dpex_zipw *z, time_t t);

/* Starts the next streamed entry; the previous one must be ended. */
int dpex_zipw_entry_start(dpex_zipw *z, const char *name);

/* Appends n bytes to the current entry. */
int dpex_zipw_write(dpex_zipw *z, const void *p, size_t n);

/* Ends the current entry. */
int dpex_zipw_entry_end(dpex_zipw *z);

/* One whole entry, deflated at once. */
int dpex_zipw_entry(dpex_zipw *z, const char *name, const void *p, size_t n);

/* One whole entry, stored as it is (one that is a ZIP itself, say). */
int dpex_zipw_stored(dpex_zipw *z, const char *name, const void *p, size_t n);

/* Writes the central directory: the ZIP is complete. */
int dpex_zipw_finish(dpex_zipw *z);

void dpex_zipw_free(dpex_zipw *z);

#endif
