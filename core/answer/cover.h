/*
 * cover: the pages a person reads first. index.html (a self-contained web
 * page: inline CSS, no scripts, no external resources) and README.txt (the
 * same essentials as plain UTF-8 text) explain what the archive holds and
 * what each file is for, show each category of data with its purposes,
 * legal basis, origin, retention and recipients, the person's rights and
 * where to complain, link every file and count the rows of each entity.
 */
#ifndef DPEX_COVER_H
#define DPEX_COVER_H

#include "core/archive/archive.h"
#include "core/answer/memo.h"

#include <jansson.h>

/* Checks that the cover is written in lang (NULL means "en"): DPEX_EUSAGE,
 * with a message naming the choices, for any other. */
int dpex_cover_check_lang(const char *lang);

/* Adds index.html and README.txt, in lang (NULL: "en"), listed first in the
 * ZIP and the manifest. summary is what manifest.json says besides the
 * files (request_id, created_at, subject, entities with their rows); about
 * is about.json's document, or NULL: then the pages show the files and row
 * counts and say that category information is not available. Neither is
 * stolen. Call it after every other member is closed and before
 * dpex_archive_commit: the pages list the members added so far, and
 * manifest.json. Every text from data is escaped. memo, when not NULL,
 * keeps the parts that depend only on values of about that later pages
 * share (about_cache.h), so those are rendered once; the pages are the
 * same with or without it. */
int dpex_cover_add(dpex_archive *a, const json_t *about, const json_t *summary,
		   const char *lang, dpex_memo *memo);

#endif
