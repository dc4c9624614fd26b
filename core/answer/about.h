/*
 * about: about.json, the part of an access answer that is not the data
 * itself (GDPR Art. 15(1)(a)-(h), 15(2)): for each category of personal
 * data actually in this archive, the purposes, legal bases, origin,
 * retention, recipients and automated decisions; transfers outside the
 * EEA and their safeguards; the person's rights; the controller and the
 * supervisory authority. Texts come from the data map in the request's
 * language. The shape is schemas/about.schema.json; the cover page
 * (index.html, README.txt) is rendered from it.
 */
#ifndef DPEX_ABOUT_H
#define DPEX_ABOUT_H

#include "core/map/datamap.h"
#include "core/answer/scope.h"

#include <jansson.h>

typedef struct dpex_about_input {
	const dpex_datamap *m;
	const dpex_scope *scope;
	dpex_request_kind kind;
	const char *lang; /* "en", "nl", "sv" */
	const char *request_id;
	const long long *rows;	    /* rows of each map entity */
	const char *const *formats; /* the formats written: "json", ... */
	size_t nformats;
} dpex_about_input;

/* The document, or NULL when out of memory. New reference. */
json_t *dpex_about_build(const dpex_about_input *in);

#endif
