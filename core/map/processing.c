#include "core/map/processing.h"

#include "core/base/buf.h"
#include "core/base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEPTH_MAX 8

struct dpex_processing {
	dpex_info *entities;
	dpex_column_info **columns; /* by entity, then column */
	size_t nentities;
};

typedef struct reader {
	const dpex_datamap *m;
	dpex_diags *diags;
	json_t *categories; /* top-level declarations, or NULL */
	json_t *purposes;
	json_t *recipients;
	dpex_jsonpos_step path[DEPTH_MAX];
	size_t depth;
	int rc; /* DPEX_ENOMEM once out of memory */
} reader;

static const char *const basis_names[DPEX_NBASES] = {
	"consent",	   "contract",	  "legal_obligation",
	"vital_interests", "public_task", "legitimate_interests"};
static const char *const basis_articles[DPEX_NBASES] = {
	"6(1)(a)", "6(1)(b)", "6(1)(c)", "6(1)(d)", "6(1)(e)", "6(1)(f)"};
static const char *const origin_names[] = {
	NULL, "provided", "observed", "derived", "third_party", "assigned"};

static void push(reader *r, const char *key, size_t index)
{
	if (r->depth < DEPTH_MAX)
		r->path[r->depth] = (dpex_jsonpos_step){key, index};
	r->depth++;
}

static void pop(reader *r)
{
	r->depth--;
}

static void say(reader *r, dpex_severity sev, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(reader *r, dpex_severity sev, const char *fmt, ...)
{
	if (r->rc)
		return;
	size_t depth = r->depth < DEPTH_MAX ? r->depth : DEPTH_MAX;
	va_list ap;
	va_start(ap, fmt);
	if (dpex_datamap_diag(r->m, r->diags, sev, r->path, depth, fmt, ap))
		r->rc = DPEX_ENOMEM;
	va_end(ap);
}

#define PROBLEM(r, ...) say((r), DPEX_DIAG_ERROR, __VA_ARGS__)

static void check_keys(reader *r, const json_t *obj, const char *const *allowed)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)obj, key, v)
	{
		bool ok = false;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = strcmp(*a, key) == 0;
		if (ok)
			continue;
		dpex_buf list = DPEX_BUF_INIT;
		for (const char *const *a = allowed; *a; a++)
			dpex_buf_printf(&list, "%s\"%s\"",
					a == allowed ? "" : ", ", *a);
		push(r, key, 0);
		PROBLEM(r, "unknown key \"%s\" (expected one of %s)", key,
			list.data ? list.data : "");
		pop(r);
		dpex_buf_free(&list);
	}
}

static bool nonempty_string(const json_t *v)
{
	return json_is_string(v) && json_string_length(v) > 0 &&
	       strlen(json_string_value(v)) == json_string_length(v);
}

/* A language code in a translations object: "en", "nl", "sv", ... */
static bool lang_code(const char *k)
{
	return strlen(k) == 2 && k[0] >= 'a' && k[0] <= 'z' && k[1] >= 'a' &&
	       k[1] <= 'z';
}

/* A text: a non-empty string or {"en": "...", "nl": "..."}. */
static bool check_text(reader *r, const json_t *v)
{
	if (nonempty_string(v))
		return true;
	if (json_is_object(v) && json_object_size(v) > 0) {
		const char *k;
		json_t *t;
		bool ok = true;
		json_object_foreach((json_t *)v, k, t)
		{
			push(r, k, 0);
			if (!lang_code(k)) {
				PROBLEM(r,
					"\"%s\" is not a two-letter language "
					"code such as \"en\", \"nl\" or "
					"\"sv\"",
					k);
				ok = false;
			} else if (!nonempty_string(t)) {
				PROBLEM(r, "a translation must be a non-empty "
					   "string");
				ok = false;
			}
			pop(r);
		}
		return ok;
	}
	PROBLEM(r, "must be a non-empty text: a string, or translations "
		   "such as {\"en\": \"...\", \"nl\": \"...\"}");
	return false;
}

/* obj[key] as a text, or NULL (reported when present but not a text). */
static const json_t *take_text(reader *r, const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	if (!v)
		return NULL;
	push(r, key, 0);
	bool ok = check_text(r, v);
	pop(r);
	return ok ? v : NULL;
}

static unsigned basis_bit(const char *name)
{
	for (int i = 0; i < DPEX_NBASES; i++)
		if (strcmp(basis_names[i], name) == 0)
			return 1u << i;
	return 0;
}

static unsigned one_basis(reader *r, const json_t *v)
{
	static const char *const keys[] = {"basis", "detail", NULL};
	const json_t *name = v;
	if (json_is_object(v)) {
		check_keys(r, v, keys);
		name = json_object_get(v, "basis");
		if (!name) {
			PROBLEM(r, "missing required key \"basis\"");
			return 0;
		}
		take_text(r, v, "detail");
		push(r, "basis", 0);
	}
	unsigned bit =
		json_is_string(name) ? basis_bit(json_string_value(name)) : 0;
	if (!bit)
		PROBLEM(r, "must be an Art. 6(1) legal basis: \"consent\", "
			   "\"contract\", \"legal_obligation\", "
			   "\"vital_interests\", \"public_task\" or "
			   "\"legitimate_interests\"");
	if (json_is_object(v))
		pop(r);
	return bit;
}

/* "contract", {"basis": "legal_obligation", "detail": ...}, or a list. */
static unsigned take_bases(reader *r, const json_t *obj, const json_t **out)
{
	const json_t *v = json_object_get(obj, "legal_basis");
	if (!v)
		return 0;
	push(r, "legal_basis", 0);
	unsigned bits = 0;
	if (json_is_array(v)) {
		if (json_array_size(v) == 0)
			PROBLEM(r, "list at least one legal basis");
		size_t i;
		json_t *b;
		json_array_foreach(v, i, b)
		{
			push(r, NULL, i);
			bits |= one_basis(r, b);
			pop(r);
		}
	} else {
		bits = one_basis(r, v);
	}
	pop(r);
	if (out && bits)
		*out = v;
	return bits;
}

static dpex_origin origin_of(const char *name)
{
	for (int i = 1; i <= DPEX_ORIGIN_ASSIGNED; i++)
		if (strcmp(origin_names[i], name) == 0)
			return (dpex_origin)i;
	return DPEX_ORIGIN_UNSET;
}

/* "provided", or {"kind": "third_party", "source": "Credit bureau"}. */
static dpex_origin take_origin(reader *r, const json_t *obj,
			       const json_t **source)
{
	static const char *const keys[] = {"kind", "source", NULL};
	const json_t *v = json_object_get(obj, "origin");
	if (!v)
		return DPEX_ORIGIN_UNSET;
	push(r, "origin", 0);
	const json_t *kind = v;
	if (json_is_object(v)) {
		check_keys(r, v, keys);
		kind = json_object_get(v, "kind");
		const json_t *s = take_text(r, v, "source");
		if (source)
			*source = s;
	}
	dpex_origin o = json_is_string(kind)
				? origin_of(json_string_value(kind))
				: DPEX_ORIGIN_UNSET;
	if (kind != v)
		push(r, "kind", 0);
	if (!o)
		PROBLEM(r, "must be \"provided\", \"observed\", \"derived\", "
			   "\"assigned\" or {\"kind\": \"third_party\", "
			   "\"source\": "
			   "\"...\"}");
	else if (o == DPEX_ORIGIN_THIRD_PARTY &&
		 !(json_is_object(v) && json_object_get(v, "source")))
		PROBLEM(r, "data from a third party must name its source "
			   "(Art. 15(1)(g)): {\"kind\": \"third_party\", "
			   "\"source\": \"...\"}");
	if (kind != v)
		pop(r);
	pop(r);
	return o;
}

static void check_recipient(reader *r, const json_t *v)
{
	static const char *const keys[] = {"name", "category", "country",
					   "safeguards", NULL};
	if (!json_is_object(v)) {
		PROBLEM(r, "a recipient is the name of one declared under "
			   "\"recipients\" or an object {\"name\", "
			   "\"category\", \"country\", \"safeguards\"}");
		return;
	}
	check_keys(r, v, keys);
	const json_t *name = take_text(r, v, "name");
	const json_t *cat = take_text(r, v, "category");
	take_text(r, v, "safeguards");
	if (!name && !cat && !json_object_get(v, "name") &&
	    !json_object_get(v, "category"))
		PROBLEM(r, "a recipient needs a \"name\" or a \"category\"");
	const json_t *c = json_object_get(v, "country");
	if (c) {
		push(r, "country", 0);
		const char *s = json_string_value(c);
		if (!s || strlen(s) != 2 || s[0] < 'A' || s[0] > 'Z' ||
		    s[1] < 'A' || s[1] > 'Z')
			PROBLEM(r, "must be an ISO 3166 two-letter country "
				   "code such as \"NL\" or \"US\"");
		pop(r);
	}
}

static const json_t *take_recipients(reader *r, const json_t *obj)
{
	const json_t *v = json_object_get(obj, "recipients");
	if (!v)
		return NULL;
	push(r, "recipients", 0);
	if (!json_is_array(v)) {
		PROBLEM(r, "must be an array of recipients (may be empty: "
			   "nobody outside receives this data)");
		pop(r);
		return NULL;
	}
	size_t i;
	json_t *it;
	json_array_foreach(v, i, it)
	{
		push(r, NULL, i);
		if (json_is_string(it)) {
			if (!r->recipients ||
			    !json_object_get(r->recipients,
					     json_string_value(it)))
				PROBLEM(r,
					"unknown recipient \"%s\": declare it "
					"under \"recipients\"",
					json_string_value(it));
		} else {
			check_recipient(r, it);
		}
		pop(r);
	}
	pop(r);
	return v;
}

static const json_t *take_purposes(reader *r, const json_t *obj)
{
	const json_t *v = json_object_get(obj, "purposes");
	if (!v)
		return NULL;
	push(r, "purposes", 0);
	bool ok = json_is_array(v) && json_array_size(v) > 0;
	if (!ok)
		PROBLEM(r, "must be a non-empty array of purposes (texts, or "
			   "names declared under \"purposes\")");
	size_t i;
	json_t *it;
	if (ok)
		json_array_foreach(v, i, it)
		{
			push(r, NULL, i);
			ok = check_text(r, it) && ok;
			pop(r);
		}
	pop(r);
	return ok ? v : NULL;
}

static const json_t *take_automated(reader *r, const json_t *obj)
{
	static const char *const keys[] = {"description", "logic",
					   "significance", "profiling", NULL};
	const json_t *v = json_object_get(obj, "automated_decision");
	if (!v)
		return NULL;
	push(r, "automated_decision", 0);
	const json_t *out = v;
	if (json_is_false(v)) {
		/* Said explicitly: none. */
	} else if (json_is_object(v)) {
		check_keys(r, v, keys);
		const json_t *d = take_text(r, v, "description");
		const json_t *l = take_text(r, v, "logic");
		take_text(r, v, "significance");
		const json_t *p = json_object_get(v, "profiling");
		if (p && !json_is_boolean(p)) {
			push(r, "profiling", 0);
			PROBLEM(r, "must be true or false");
			pop(r);
		}
		if (!d || !l) {
			PROBLEM(r, "say what is decided (\"description\") and "
				   "how (\"logic\"), in plain words (Art. "
				   "15(1)(h))");
			out = NULL;
		}
	} else {
		PROBLEM(r, "must be false (no automated decision-making or "
			   "profiling) or {\"description\": ..., \"logic\": "
			   "...}");
		out = NULL;
	}
	pop(r);
	return out;
}

/* The keys an entity and a category declaration share. */
static void take_info(reader *r, const json_t *obj, dpex_info *in)
{
	const json_t *v;
	if ((v = take_purposes(r, obj)))
		in->purposes = v;
	unsigned b = take_bases(r, obj, &in->legal_basis);
	if (b)
		in->bases = b;
	const json_t *src = NULL;
	dpex_origin o = take_origin(r, obj, &src);
	if (o) {
		in->origin = o;
		in->origin_source = src;
	}
	if ((v = take_text(r, obj, "retention")))
		in->retention = v;
	if ((v = take_recipients(r, obj)))
		in->recipients = v;
	if ((v = take_automated(r, obj)))
		in->automated = v;
}

static void read_declarations(reader *r, const json_t *root)
{
	static const char *const cat_keys[] = {
		"name",	  "description", "purposes",   "legal_basis",
		"origin", "retention",	 "recipients", "automated_decision",
		NULL};
	const char *key;
	json_t *v;
	static const char *const sections[] = {"purposes", "recipients",
					       "categories"};
	json_t **slots[] = {&r->purposes, &r->recipients, &r->categories};
	for (size_t s = 0; s < 3; s++) {
		json_t *sec = json_object_get(root, sections[s]);
		if (!sec)
			continue;
		push(r, sections[s], 0);
		if (!json_is_object(sec)) {
			PROBLEM(r, "must be an object: name -> declaration");
			pop(r);
			continue;
		}
		*slots[s] = sec;
		json_object_foreach(sec, key, v)
		{
			push(r, key, 0);
			if (s == 0) {
				check_text(r, v);
			} else if (s == 1) {
				check_recipient(r, v);
			} else if (!json_is_object(v)) {
				PROBLEM(r, "a category is an object with its "
					   "\"name\" and the keys its "
					   "entities share");
			} else {
				check_keys(r, v, cat_keys);
				if (!json_object_get(v, "name"))
					PROBLEM(r, "missing required key "
						   "\"name\"");
				take_text(r, v, "name");
				take_text(r, v, "description");
				dpex_info scratch = {0};
				take_info(r, v, &scratch);
			}
			pop(r);
		}
		pop(r);
	}
}

static void read_party(reader *r, const json_t *root, const char *key,
		       const char *const *keys, const char *required)
{
	const json_t *v = json_object_get(root, key);
	if (!v)
		return;
	push(r, key, 0);
	if (!json_is_object(v)) {
		PROBLEM(r, "must be an object");
	} else {
		check_keys(r, v, keys);
		if (!json_object_get(v, required))
			PROBLEM(r, "missing required key \"%s\"", required);
		for (const char *const *k = keys; *k; k++)
			take_text(r, v, *k);
	}
	pop(r);
}

static void read_entity(reader *r, const json_t *obj, size_t e, dpex_info *in,
			dpex_column_info *cols)
{
	const json_t *cat = json_object_get(obj, "category");
	if (cat && json_is_string(cat) && r->categories &&
	    json_object_get(r->categories, json_string_value(cat))) {
		const json_t *decl =
			json_object_get(r->categories, json_string_value(cat));
		in->category_key = json_string_value(cat);
		in->category = json_object_get(decl, "name");
		/* Read quietly: problems were reported at the declaration. */
		dpex_diags quiet = DPEX_DIAGS_INIT;
		dpex_diags *saved = r->diags;
		r->diags = &quiet;
		take_info(r, decl, in);
		r->diags = saved;
		dpex_diags_free(&quiet);
	} else if (cat) {
		in->category = take_text(r, obj, "category");
	}
	take_info(r, obj, in);
	const json_t *internal = json_object_get(obj, "internal");
	in->internal = json_is_true(internal);
	if (internal && !json_is_boolean(internal)) {
		push(r, "internal", 0);
		PROBLEM(r, "must be true or false");
		pop(r);
	}
	const dpex_map_entity *me = &r->m->entities[e];
	const json_t *columns = json_object_get(obj, "columns");
	for (size_t c = 0; c < me->ncolumns; c++) {
		const json_t *col = json_array_get(columns, c);
		if (!json_is_object(col))
			continue;
		push(r, "columns", 0);
		push(r, NULL, c);
		dpex_column_info *ci = &cols[c];
		const json_t *ignored = NULL;
		ci->origin = take_origin(r, col, &ignored);
		ci->bases = take_bases(r, col, NULL);
		const json_t *ci_internal = json_object_get(col, "internal");
		ci->internal = json_is_true(ci_internal);
		if (ci_internal && !json_is_boolean(ci_internal)) {
			push(r, "internal", 0);
			PROBLEM(r, "must be true or false");
			pop(r);
		}
		const json_t *red = json_object_get(col, "redact");
		if (red) {
			push(r, "redact", 0);
			if (json_is_string(red) &&
			    strcmp(json_string_value(red), "drop") == 0) {
				ci->redact = DPEX_REDACT_DROP;
			} else if (json_is_object(red) &&
				   json_object_size(red) == 1 &&
				   json_object_get(red, "role")) {
				ci->role = take_text(r, red, "role");
				ci->redact = ci->role ? DPEX_REDACT_ROLE
						      : DPEX_REDACT_NONE;
			} else if (json_is_object(red) &&
				   json_object_size(red) == 1 &&
				   json_is_array(
					   json_object_get(red, "mask"))) {
				const json_t *list =
					json_object_get(red, "mask");
				size_t i;
				json_t *k;
				push(r, "mask", 0);
				json_array_foreach(list, i, k)
				{
					const char *s = json_string_value(k);
					push(r, NULL, i);
					if (s && strcmp(s, "email") == 0)
						ci->mask |= DPEX_MASK_EMAIL;
					else if (s && strcmp(s, "phone") == 0)
						ci->mask |= DPEX_MASK_PHONE;
					else
						PROBLEM(r,
							"a mask is \"email\" "
							"or \"phone\"");
					pop(r);
				}
				pop(r);
				if (ci->mask)
					ci->redact = DPEX_REDACT_MASK;
			} else {
				PROBLEM(r, "must be \"drop\", {\"role\": "
					   "\"...\"} or {\"mask\": "
					   "[\"email\", \"phone\"]}");
			}
			pop(r);
		}
		pop(r);
		pop(r);
	}
}

int dpex_processing_load(dpex_processing **out, const dpex_datamap *m,
			 dpex_diags *diags)
{
	*out = NULL;
	dpex_processing *p = dpex_calloc(1, sizeof(*p));
	if (!p)
		return DPEX_ENOMEM;
	p->nentities = m->nentities;
	p->entities = dpex_calloc(m->nentities ? m->nentities : 1,
				  sizeof(*p->entities));
	p->columns = dpex_calloc(m->nentities ? m->nentities : 1,
				 sizeof(*p->columns));
	if (!p->entities || !p->columns) {
		dpex_processing_free(p);
		return DPEX_ENOMEM;
	}
	reader r = {.m = m, .diags = diags};
	const json_t *root = m->doc;
	static const char *const controller_keys[] = {"name", "contact", "dpo",
						      "address", NULL};
	static const char *const authority_keys[] = {"name", "url", "country",
						     NULL};
	read_party(&r, root, "controller", controller_keys, "name");
	read_party(&r, root, "supervisory_authority", authority_keys, "name");
	read_declarations(&r, root);
	const json_t *list = json_object_get(root, "entities");
	for (size_t e = 0; !r.rc && e < m->nentities; e++) {
		p->columns[e] = dpex_calloc(m->entities[e].ncolumns + 1,
					    sizeof(dpex_column_info));
		if (!p->columns[e]) {
			r.rc = DPEX_ENOMEM;
			break;
		}
		push(&r, "entities", 0);
		push(&r, NULL, e);
		read_entity(&r, json_array_get(list, e), e, &p->entities[e],
			    p->columns[e]);
		pop(&r);
		pop(&r);
	}
	if (r.rc) {
		dpex_processing_free(p);
		return r.rc;
	}
	*out = p;
	return 0;
}

void dpex_processing_free(dpex_processing *p)
{
	if (!p)
		return;
	if (p->columns)
		for (size_t e = 0; e < p->nentities; e++)
			free(p->columns[e]);
	free(p->columns);
	free(p->entities);
	free(p);
}

const dpex_info *dpex_processing_entity(const dpex_datamap *m, size_t e)
{
	return &m->processing->entities[e];
}

const dpex_column_info *dpex_processing_column(const dpex_datamap *m, size_t e,
					       size_t c)
{
	return &m->processing->columns[e][c];
}

/* Art. 15(2): a recipient outside the EEA needs its safeguards said. */
static void warn_transfers(reader *r, const dpex_info *in)
{
	size_t i;
	json_t *it;
	json_array_foreach((json_t *)in->recipients, i, it)
	{
		const json_t *rec = dpex_processing_recipient(r->m, it);
		const char *country =
			json_string_value(json_object_get(rec, "country"));
		if (!country || dpex_country_in_eea(country) ||
		    json_object_get(rec, "safeguards"))
			continue;
		const char *who = dpex_processing_text(
			json_object_get(rec, "name"), "en");
		if (!who)
			who = dpex_processing_text(
				json_object_get(rec, "category"), "en");
		push(r, "recipients", 0);
		push(r, NULL, i);
		say(r, DPEX_DIAG_WARNING,
		    "recipient \"%s\" is in %s, outside the EEA: say the "
		    "safeguards for the transfer (Art. 15(2))",
		    who ? who : "?", country);
		pop(r);
		pop(r);
	}
}

int dpex_processing_warn(const dpex_datamap *m, dpex_diags *diags)
{
	reader r = {.m = m, .diags = diags};
	static const char *const parties[] = {"controller",
					      "supervisory_authority"};
	for (size_t i = 0; i < 2; i++)
		if (!json_object_get(m->doc, parties[i]))
			say(&r, DPEX_DIAG_WARNING,
			    "the map does not name the %s, which every "
			    "access answer must (Art. 15(1)(f), 13(1)(a))",
			    i ? "supervisory authority" : "controller");
	for (size_t e = 0; e < m->nentities; e++) {
		const dpex_info *in = dpex_processing_entity(m, e);
		const char *missing[7];
		size_t n = 0;
		if (!in->category)
			missing[n++] = "category";
		if (!in->purposes)
			missing[n++] = "purposes";
		if (!in->bases)
			missing[n++] = "legal_basis";
		if (!in->origin)
			missing[n++] = "origin";
		if (!in->retention)
			missing[n++] = "retention";
		if (!in->recipients)
			missing[n++] = "recipients";
		if (!in->automated)
			missing[n++] = "automated_decision";
		push(&r, "entities", 0);
		push(&r, NULL, e);
		warn_transfers(&r, in);
		pop(&r);
		pop(&r);
		if (n == 0)
			continue;
		dpex_buf list = DPEX_BUF_INIT;
		for (size_t i = 0; i < n; i++)
			dpex_buf_printf(&list, "%s%s", i ? ", " : "",
					missing[i]);
		push(&r, "entities", 0);
		push(&r, NULL, e);
		say(&r, DPEX_DIAG_WARNING,
		    "entity \"%s\" does not say its %s; an access answer "
		    "must tell the person (Art. 15(1))",
		    m->entities[e].name, list.data ? list.data : "");
		pop(&r);
		pop(&r);
		dpex_buf_free(&list);
	}
	return r.rc;
}

const char *dpex_processing_text(const json_t *t, const char *lang)
{
	if (!t)
		return NULL;
	if (json_is_string(t))
		return json_string_value(t);
	const json_t *v = lang ? json_object_get(t, lang) : NULL;
	if (!v)
		v = json_object_get(t, "en");
	if (!v) {
		void *it = json_object_iter((json_t *)t);
		v = it ? json_object_iter_value(it) : NULL;
	}
	return json_string_value(v);
}

const char *dpex_processing_purpose(const dpex_datamap *m, const json_t *item,
				    const char *lang)
{
	const json_t *decl = json_object_get(m->doc, "purposes");
	if (json_is_string(item) && decl) {
		const json_t *t =
			json_object_get(decl, json_string_value(item));
		if (t)
			return dpex_processing_text(t, lang);
	}
	return dpex_processing_text(item, lang);
}

const json_t *dpex_processing_recipient(const dpex_datamap *m,
					const json_t *item)
{
	if (json_is_string(item))
		return json_object_get(json_object_get(m->doc, "recipients"),
				       json_string_value(item));
	return item;
}

const char *dpex_origin_name(dpex_origin o)
{
	return origin_names[o];
}

static int bit_index(unsigned b)
{
	for (int i = 0; i < DPEX_NBASES; i++)
		if (b == 1u << i)
			return i;
	return -1;
}

const char *dpex_basis_name(unsigned b)
{
	int i = bit_index(b);
	return i < 0 ? NULL : basis_names[i];
}

const char *dpex_basis_article(unsigned b)
{
	int i = bit_index(b);
	return i < 0 ? NULL : basis_articles[i];
}

bool dpex_country_in_eea(const char *code)
{
	/* The EU's 27 and Iceland, Liechtenstein and Norway. */
	static const char eea[] = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE "
				  "IT LV LT LU MT NL PL PT RO SK SI ES SE IS "
				  "LI NO ";
	if (!code || strlen(code) != 2)
		return false;
	for (const char *c = eea; *c; c += 3)
		if (c[0] == code[0] && c[1] == code[1])
			return true;
	return false;
}
