/*
 * scope: what of a subject's gathered rows goes into the archive, decided
 * in one place for every format.
 *
 * Sits between gather and the exporters as an output of its own. For a
 * portability request (Art. 20) it leaves out entities and columns whose
 * origin is not provided or observed, or whose legal basis is neither
 * consent nor contract, and internal notes; for every request it applies
 * the map's redactions (Art. 15(4)): a dropped column is not in any file, a
 * role replaces a value, others' e-mail addresses and phone numbers in free
 * text are masked. JSON, CSV and XLSX all see the same values. Values are
 * rewritten into buffers kept per column: nothing is allocated per row.
 */
#ifndef DPEX_SCOPE_H
#define DPEX_SCOPE_H

#include "exporters/exporter.h"
#include "core/map/datamap.h"
#include "core/answer/gather.h"

#include <jansson.h>
#include <stdbool.h>

typedef enum dpex_request_kind {
	DPEX_REQUEST_ACCESS,	  /* Art. 15: everything */
	DPEX_REQUEST_PORTABILITY, /* Art. 20: provided/observed, consent or
				     contract */
} dpex_request_kind;

/* "access" or "portability" to the kind; DPEX_EUSAGE otherwise. */
int dpex_request_kind_parse(const char *name, dpex_request_kind *out);
const char *dpex_request_kind_name(dpex_request_kind k);

typedef struct dpex_scope dpex_scope;

/* Decides the scope for the map's entities as gather shaped them (all of
 * them, map order). info names the subject (whose values masks keep);
 * lang chooses the role and mask texts. Borrows everything. DPEX_EMAP
 * when no entity is in scope. */
int dpex_scope_open(dpex_scope **out, const dpex_datamap *m,
		    dpex_request_kind kind, const dpex_entity_shape *shapes,
		    const dpex_export_info *info, const char *lang);

/* The entities the exporters see (in scope, renumbered). Borrowed. */
const dpex_entity_shape *dpex_scope_shapes(const dpex_scope *s, size_t *n);

/* Whether map entity e is in scope. */
bool dpex_scope_has_entity(const dpex_scope *s, size_t e);

/* The output gather calls: it forwards to outputs (borrowed). */
dpex_output dpex_scope_output(dpex_scope *s, const dpex_output *outputs,
			      size_t noutputs);

/* [{"entity", "column"?, "reason"}]: what a portability export left out
 * and why (empty for access). New reference. */
json_t *dpex_scope_excluded(const dpex_scope *s);

/* {"contact_notes.agent_name": 12, ...}: values redacted, by column, for
 * every column with a rule. New reference. */
json_t *dpex_scope_redactions(const dpex_scope *s);

void dpex_scope_free(dpex_scope *s);

#endif
