/*
 * check: does the map fit the live databases? Every table and view the map
 * names must exist and be readable, and every column it names must exist.
 */
#ifndef DPEX_CHECK_H
#define DPEX_CHECK_H

#include "core/map/datamap.h"
#include "core/base/diag.h"

/* Connects to every source and adds a problem to diags for each missing
 * table, unreadable table, missing column or unreachable source. Returns 0
 * when the checks could run (look at diags->errors), DPEX_ESOURCE when a
 * source could not be reached (diags lists every problem all the same),
 * or DPEX_ENOMEM. */
int dpex_check_live(const dpex_datamap *m, dpex_diags *diags);

#endif
