/*
 * zipw: a ZIP file written front to back into an archive member.
 *
 * For a format that is itself a ZIP package (XLSX), written while the
 * outer archive is being assembled: no seeking. A whole entry in memory
 * is deflated at once (core/deflate.h) and its local header carries its
 * CRC-32 and sizes; a streamed one (too large for memory) is deflated as
 * it comes (dpex_deflate_stream), its CRC-32 and sizes following its data
 * in a data descriptor (APPNOTE 4.3.9). The central directory comes last.
 * Entry names are UTF-8 (general purpose bit 11). No ZIP64: an entry or
 * a file past 4 GiB is refused with DPEX_EOUTPUT, never written wrong.
 */
#ifndef DPEX_ZIPW_H
#define DPEX_ZIPW_H

#include "../core/archive.h"

#include <stddef.h>

typedef struct dpex_zipw dpex_zipw;

/* Starts a ZIP in sink, which stays the caller's (close it after
 * dpex_zipw_finish). */
int dpex_zipw_new(dpex_zipw **out, dpex_sink *sink);

/* Starts the next streamed entry; the previous one must be ended. */
int dpex_zipw_entry_start(dpex_zipw *z, const char *name);

/* Appends n bytes to the current entry. */
int dpex_zipw_write(dpex_zipw *z, const void *p, size_t n);

/* Ends the current entry. */
int dpex_zipw_entry_end(dpex_zipw *z);

/* One whole entry, deflated at once. */
int dpex_zipw_entry(dpex_zipw *z, const char *name, const void *p, size_t n);

/* Writes the central directory: the ZIP is complete. */
int dpex_zipw_finish(dpex_zipw *z);

void dpex_zipw_free(dpex_zipw *z);

#endif
