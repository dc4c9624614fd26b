#include "core/answer/about_cache.h"

#include "core/base/error.h"

#include <stdlib.h>
#include <string.h>

/* Shapes kept: a map of n entities has up to 2^n, a real estate a few
 * dozen; past this, documents are built in full. */
#define MAX_SHAPES 64

typedef struct shape {
	char *present; /* per entity: 1 when it has rows in the answer */
	json_t *doc;   /* the first document of this shape */
	size_t *order; /* the entities in the order doc lists them */
	size_t nordered;
} shape;

struct dpex_about_cache {
	const dpex_datamap *m; /* what the shapes were built for */
	dpex_request_kind kind;
	char *lang;
	char **formats;
	size_t nformats;
	shape shapes[MAX_SHAPES];
	size_t nshapes;
};

int dpex_about_cache_new(dpex_about_cache **out)
{
	*out = dpex_calloc(1, sizeof(**out));
	return *out ? 0 : DPEX_ENOMEM;
}

static void forget_context(dpex_about_cache *c)
{
	for (size_t i = 0; i < c->nshapes; i++) {
		free(c->shapes[i].present);
		json_decref(c->shapes[i].doc);
		free(c->shapes[i].order);
	}
	c->nshapes = 0;
	for (size_t f = 0; f < c->nformats; f++)
		free(c->formats[f]);
	free(c->formats);
	c->formats = NULL;
	c->nformats = 0;
	free(c->lang);
	c->lang = NULL;
	c->m = NULL;
}

void dpex_about_cache_free(dpex_about_cache *c)
{
	if (!c)
		return;
	forget_context(c);
	free(c);
}

static bool same_context(const dpex_about_cache *c, const dpex_about_input *in)
{
	if (c->m != in->m || c->kind != in->kind ||
	    strcmp(c->lang, in->lang) != 0 || c->nformats != in->nformats)
		return false;
	for (size_t f = 0; f < in->nformats; f++)
		if (strcmp(c->formats[f], in->formats[f]) != 0)
			return false;
	return true;
}

/* Makes the cache serve in's map, kind, language and formats, forgetting
 * the shapes of any other. */
static int set_context(dpex_about_cache *c, const dpex_about_input *in)
{
	if (c->m && same_context(c, in))
		return 0;
	forget_context(c);
	c->lang = dpex_strdup(in->lang);
	c->formats = dpex_calloc(in->nformats + 1, sizeof(char *));
	if (!c->lang || !c->formats)
		return DPEX_ENOMEM;
	for (size_t f = 0; f < in->nformats; f++) {
		c->formats[f] = dpex_strdup(in->formats[f]);
		if (!c->formats[f])
			return DPEX_ENOMEM;
		c->nformats = f + 1;
	}
	c->m = in->m;
	c->kind = in->kind;
	return 0;
}

static bool has_rows(const dpex_about_input *in, size_t e)
{
	return dpex_scope_has_entity(in->scope, e) && in->rows[e] > 0;
}

static shape *find(dpex_about_cache *c, const dpex_about_input *in)
{
	for (size_t i = 0; i < c->nshapes; i++) {
		size_t e = 0;
		while (e < in->m->nentities &&
		       c->shapes[i].present[e] == has_rows(in, e))
			e++;
		if (e == in->m->nentities)
			return &c->shapes[i];
	}
	return NULL;
}

static size_t entity_named(const dpex_datamap *m, const char *name)
{
	for (size_t e = 0; e < m->nentities; e++)
		if (name && strcmp(m->entities[e].name, name) == 0)
			return e;
	return m->nentities;
}

/* Keeps doc as the first of in's shape; doc is not stolen. */
static int add_shape(dpex_about_cache *c, const dpex_about_input *in,
		     json_t *doc)
{
	const dpex_datamap *m = in->m;
	shape s = {.present = dpex_malloc(m->nentities + 1),
		   .order = dpex_calloc(m->nentities + 1, sizeof(size_t))};
	if (!s.present || !s.order) {
		free(s.present);
		free(s.order);
		return DPEX_ENOMEM;
	}
	for (size_t e = 0; e < m->nentities; e++)
		s.present[e] = has_rows(in, e);
	size_t i, k;
	json_t *cat, *ent;
	json_array_foreach(json_object_get(doc, "categories"), i, cat)
	{
		json_array_foreach(json_object_get(cat, "entities"), k, ent)
		{
			size_t e = entity_named(
				m, json_string_value(
					   json_object_get(ent, "name")));
			if (e == m->nentities || s.nordered == m->nentities) {
				free(s.present);
				free(s.order);
				return 0; /* not a document we can share */
			}
			s.order[s.nordered++] = e;
		}
	}
	s.doc = json_incref(doc);
	c->shapes[c->nshapes++] = s;
	return 0;
}

/* A new object with o's members in o's order, key's value replaced by
 * value (stolen). */
static json_t *replaced(const json_t *o, const char *key, json_t *value)
{
	json_t *copy = value ? json_object() : NULL;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)o, k, v)
	{
		json_t *mine = strcmp(k, key) == 0 ? value : v;
		if (!copy || json_object_set(copy, k, mine)) {
			json_decref(copy);
			copy = NULL;
			break;
		}
	}
	json_decref(value);
	return copy;
}

/* The shape's categories with in's row counts. */
static json_t *categories(const shape *s, const dpex_about_input *in)
{
	json_t *out = json_array();
	size_t next = 0, i, k;
	json_t *cat, *ent;
	json_array_foreach(json_object_get(s->doc, "categories"), i, cat)
	{
		json_t *entities = json_array();
		json_array_foreach(json_object_get(cat, "entities"), k, ent)
		{
			json_t *n = json_integer(in->rows[s->order[next++]]);
			if (!n || json_array_append_new(
					  entities, replaced(ent, "rows", n))) {
				json_decref(entities);
				entities = NULL;
				break;
			}
		}
		if (!out || !entities ||
		    json_array_append_new(
			    out, replaced(cat, "entities", entities))) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

/* The document of in from its shape's first. */
static json_t *instance(const shape *s, const dpex_about_input *in)
{
	json_t *doc = json_object();
	const char *k;
	json_t *v;
	json_object_foreach(s->doc, k, v)
	{
		json_t *mine = strcmp(k, "request_id") == 0
				       ? json_string(in->request_id)
			       : strcmp(k, "categories") == 0
				       ? categories(s, in)
			       : strcmp(k, "excluded") == 0
				       ? dpex_scope_excluded(in->scope)
			       : strcmp(k, "redactions") == 0
				       ? dpex_scope_redactions(in->scope)
				       : json_incref(v);
		/* json_object_set_new takes mine, also when it fails. */
		if (!doc || !mine || json_object_set_new(doc, k, mine)) {
			if (!doc)
				json_decref(mine);
			json_decref(doc);
			return NULL;
		}
	}
	return doc;
}

json_t *dpex_about_cache_build(dpex_about_cache *c, const dpex_about_input *in)
{
	if (!c)
		return dpex_about_build(in);
	if (set_context(c, in)) {
		forget_context(c);
		return NULL;
	}
	const shape *s = find(c, in);
	if (s)
		return instance(s, in);
	json_t *doc = dpex_about_build(in);
	if (doc && c->nshapes < MAX_SHAPES && add_shape(c, in, doc)) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}
