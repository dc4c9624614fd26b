/*
 * cover_text: every fixed text of the cover page (index.html, README.txt),
 * in each language a request may choose.
 *
 * Texts are whole sentences with numbered places ({1}, {2}) for the values
 * the page fills in, so each language keeps its own word order. A language
 * must give every text: the cover suite checks it.
 */
#ifndef DPEX_COVER_TEXT_H
#define DPEX_COVER_TEXT_H

#include <stddef.h>

typedef enum dpex_cover_text_id {
	CT_TITLE,
	CT_INTRO_ACCESS,      /* {1} controller, {2} date */
	CT_INTRO_PORTABILITY, /* {1} controller, {2} date */
	CT_INTRO_PLAIN,	      /* {1} date */
	CT_REQUEST,	      /* {1} request id */
	CT_README_SEE_HTML,
	CT_H_SUBJECT,
	CT_SUBJECT_INTRO,
	CT_TH_IDENTIFIER,
	CT_TH_VALUE,
	CT_H_GLANCE,
	CT_GLANCE_INTRO,
	CT_TH_TABLE,
	CT_TH_SYSTEM,
	CT_TH_ROWS,
	CT_TOTAL,
	CT_H_FILES,
	CT_FILES_INTRO,
	CT_TH_FILE,
	CT_TH_FILE_USE,
	CT_TH_SIZE,
	CT_FILE_INDEX_HTML, /* index.html, described on itself */
	CT_FILE_INDEX_TEXT, /* index.html, described in README.txt */
	CT_FILE_README_HTML,
	CT_FILE_README_TEXT,
	CT_FILE_DATA_JSON,
	CT_FILE_CSV,	  /* {1} table */
	CT_FILE_CSV_SAFE, /* {1} table */
	CT_FILE_XLSX,
	CT_FILE_MANIFEST,
	CT_FILE_ABOUT,
	CT_FILE_OTHER,
	CT_H_CATEGORIES,
	CT_CATEGORIES_INTRO,
	CT_NO_CATEGORIES,
	CT_TH_CAT_DATA,
	CT_TH_PURPOSES,
	CT_TH_LEGAL_BASIS,
	CT_TH_ORIGIN,
	CT_TH_RETENTION,
	CT_TH_RECIPIENTS,
	CT_TH_AUTOMATED,
	CT_NOT_STATED,
	CT_NONE,
	CT_ORIGIN_PROVIDED,
	CT_ORIGIN_OBSERVED,
	CT_ORIGIN_DERIVED,
	CT_ORIGIN_THIRD_PARTY, /* {1} source */
	CT_ORIGIN_THIRD_PARTY_UNNAMED,
	CT_ORIGIN_ASSIGNED,
	CT_BASIS_CONSENT,
	CT_BASIS_CONTRACT,
	CT_BASIS_LEGAL_OBLIGATION,
	CT_BASIS_VITAL_INTERESTS,
	CT_BASIS_PUBLIC_TASK,
	CT_BASIS_LEGITIMATE_INTERESTS,
	CT_ARTICLE, /* {1} article number, e.g. 6(1)(b) */
	CT_AUTOMATED_NONE,
	CT_AUTOMATED_LOGIC,	   /* {1} the logic */
	CT_AUTOMATED_SIGNIFICANCE, /* {1} its consequences */
	CT_PROFILING,
	CT_ROWS_ONE,   /* {1} the number 1 */
	CT_ROWS_MANY,  /* {1} a number */
	CT_SAFEGUARDS, /* {1} safeguards */
	CT_H_TRANSFERS,
	CT_TRANSFERS_INTRO,
	CT_TH_RECIPIENT,
	CT_TH_COUNTRY,
	CT_TH_SAFEGUARDS,
	CT_H_EXCLUDED,
	CT_EXCLUDED_INTRO,
	CT_TH_REASON,
	CT_H_REDACTIONS,
	CT_REDACTIONS_INTRO,
	CT_TH_FIELD,
	CT_TH_REDACTED,
	CT_H_RIGHTS,
	CT_RIGHTS_INTRO,
	CT_RIGHT_ACCESS,
	CT_RIGHT_RECTIFICATION,
	CT_RIGHT_ERASURE,
	CT_RIGHT_RESTRICTION,
	CT_RIGHT_OBJECTION,
	CT_RIGHT_PORTABILITY,
	CT_RIGHT_WITHDRAW_CONSENT,
	CT_RIGHT_AUTOMATED,
	CT_RIGHTS_HOW,	     /* {1} controller */
	CT_RIGHTS_HOW_PLAIN, /* no controller known */
	CT_H_COMPLAINT,
	CT_COMPLAINT_AUTHORITY, /* {1} the authority */
	CT_COMPLAINT_GENERIC,
	CT_H_CONTACT,
	CT_TH_CONTROLLER,
	CT_TH_CONTACT,
	CT_TH_DPO,
	CT_TH_ADDRESS,
	CT_FOOTER, /* {1} dpex version */
	CT_DATE,   /* {1} day, {2} month name, {3} year, {4} HH:MM */
	CT_COUNT
} dpex_cover_text_id;

typedef struct dpex_cover_lang {
	const char *code; /* "en": the HTML lang attribute and --lang */
	const char *text[CT_COUNT];
	const char *months[12];
	const char *thousands; /* between groups of three digits */
	const char *decimal;   /* before the fraction of a size */
} dpex_cover_lang;

/* Every language, in the order usage messages name them. */
extern const dpex_cover_lang *const dpex_cover_langs[];
extern const size_t dpex_cover_nlangs;

/* The language with that code, or NULL. */
const dpex_cover_lang *dpex_cover_lang_find(const char *code);

#endif
