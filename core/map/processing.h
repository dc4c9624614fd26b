/*
 * processing: what the data map says about the data, for the person who
 * asks (GDPR Art. 15(1)(a)-(h), 15(2)) and for the scope of a portability
 * export (Art. 20): category, purposes, legal basis, origin, retention,
 * recipients, automated decision-making, and the redactions that protect
 * other people (Art. 15(4)).
 *
 * Shared values are declared once at the top of the map ("categories",
 * "purposes", "recipients") and named by entities. An entity's own keys
 * override those of its category; a column may override the origin and the
 * legal basis, be marked internal, or carry a redaction rule.
 *
 * Texts are kept as the map's JSON (a string, or {"en": ..., "nl": ...});
 * dpex_processing_text() picks a language. Everything here is borrowed
 * from the map and lives as long as it.
 */
#ifndef DPEX_PROCESSING_H
#define DPEX_PROCESSING_H

#include "core/map/datamap.h"
#include "core/base/diag.h"

#include <jansson.h>
#include <stdbool.h>

/* Art. 15(1)(g), Art. 20(1): where the data came from. */
typedef enum dpex_origin {
	DPEX_ORIGIN_UNSET = 0,
	DPEX_ORIGIN_PROVIDED,	 /* given by the person */
	DPEX_ORIGIN_OBSERVED,	 /* recorded from their use: meter readings */
	DPEX_ORIGIN_DERIVED,	 /* inferred by us: scores, segments */
	DPEX_ORIGIN_THIRD_PARTY, /* from a named source: a credit bureau */
	DPEX_ORIGIN_ASSIGNED,	 /* given by us: a customer number, an account
				    manager, a tariff group */
} dpex_origin;

/* Art. 6(1) letters (a) to (f), as bits. */
enum {
	DPEX_BASIS_CONSENT = 1 << 0,
	DPEX_BASIS_CONTRACT = 1 << 1,
	DPEX_BASIS_LEGAL_OBLIGATION = 1 << 2,
	DPEX_BASIS_VITAL_INTERESTS = 1 << 3,
	DPEX_BASIS_PUBLIC_TASK = 1 << 4,
	DPEX_BASIS_LEGITIMATE_INTERESTS = 1 << 5,
};
#define DPEX_NBASES 6

typedef enum dpex_redact {
	DPEX_REDACT_NONE = 0,
	DPEX_REDACT_DROP, /* the column is left out */
	DPEX_REDACT_ROLE, /* each value becomes a role: "customer service agent"
			   */
	DPEX_REDACT_MASK, /* e-mail addresses and phone numbers in free text
			     other than the subject's own are masked */
} dpex_redact;

enum {
	DPEX_MASK_EMAIL = 1 << 0,
	DPEX_MASK_PHONE = 1 << 1,
};

/* What an entity is and why it is processed, its category's values filled
 * in. A NULL pointer or 0 means the map does not say. */
typedef struct dpex_info {
	const char *category_key;  /* a declared category, or NULL */
	const json_t *category;	   /* text: the category's name */
	const json_t *purposes;	   /* array of texts or purpose names */
	unsigned bases;		   /* DPEX_BASIS_* */
	const json_t *legal_basis; /* as written: for details */
	dpex_origin origin;
	const json_t *origin_source; /* text: the third party, or NULL */
	const json_t *retention;     /* text */
	const json_t *recipients;    /* array of recipient objects/names */
	const json_t *automated;     /* object, or JSON false for "none" */
	bool internal; /* internal notes: never in a portability export */
} dpex_info;

typedef struct dpex_column_info {
	dpex_origin origin; /* UNSET: the entity's */
	unsigned bases;	    /* 0: the entity's */
	bool internal;
	dpex_redact redact;
	const json_t *role; /* text, for DPEX_REDACT_ROLE */
	unsigned mask;	    /* DPEX_MASK_*, for DPEX_REDACT_MASK */
} dpex_column_info;

typedef struct dpex_processing dpex_processing;

/* Reads and checks the map's processing keys (m->doc), adding problems to
 * diags. Called by dpex_datamap_parse once the rest of the map is valid. */
int dpex_processing_load(dpex_processing **out, const dpex_datamap *m,
			 dpex_diags *diags);

void dpex_processing_free(dpex_processing *p);

/* The entity's info, and one column's. */
const dpex_info *dpex_processing_entity(const dpex_datamap *m, size_t e);
const dpex_column_info *dpex_processing_column(const dpex_datamap *m, size_t e,
					       size_t c);

/* Adds a warning for every exported entity that does not say each of
 * category, purposes, legal basis, origin, retention, recipients and
 * automated decision-making, and for a map without a controller or a
 * supervisory authority. Returns 0 or DPEX_ENOMEM. */
int dpex_processing_warn(const dpex_datamap *m, dpex_diags *diags);

/* The text t in lang: t itself when a string, else t[lang], t["en"], or
 * the first translation. NULL when t is NULL. */
const char *dpex_processing_text(const json_t *t, const char *lang);

/* A purpose item as text: a declared purpose's text, or the item. */
const char *dpex_processing_purpose(const dpex_datamap *m, const json_t *item,
				    const char *lang);

/* A recipient item as an object: a declared recipient, or the item. */
const json_t *dpex_processing_recipient(const dpex_datamap *m,
					const json_t *item);

/* "provided", "observed", "derived", "third_party", "assigned" (NULL for
 * UNSET). */
const char *dpex_origin_name(dpex_origin o);

/* Basis bit b: its name ("contract") and Art. 6(1) letter ("6(1)(b)"). */
const char *dpex_basis_name(unsigned b);
const char *dpex_basis_article(unsigned b);

/* Whether the country code is in the EEA (else transfers need safeguards,
 * Art. 15(2)). */
bool dpex_country_in_eea(const char *code);

#endif
