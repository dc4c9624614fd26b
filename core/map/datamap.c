#include "core/map/datamap.h"

#include "core/base/buf.h"
#include "core/base/error.h"
#include "core/map/jsonpos.h"
#include "core/map/processing.h"

#include <errno.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A map is a page of JSON; anything this large is a mistake. */
#define MAP_MAX_BYTES (16 * 1024 * 1024)
#define PATH_MAX_DEPTH 8

typedef struct parser {
	const char *path;
	const char *text;
	size_t len;
	dpex_diags *diags;
	dpex_datamap *m;
	dpex_jsonpos_step steps[PATH_MAX_DEPTH];
	size_t depth;
	bool failed; /* out of memory: stop adding problems */
} parser;

static void push_key(parser *p, const char *key)
{
	if (p->depth < PATH_MAX_DEPTH)
		p->steps[p->depth] = (dpex_jsonpos_step){key, 0};
	p->depth++;
}

static void push_index(parser *p, size_t index)
{
	if (p->depth < PATH_MAX_DEPTH)
		p->steps[p->depth] = (dpex_jsonpos_step){NULL, index};
	p->depth++;
}

static void pop(parser *p)
{
	p->depth--;
}

static bool plain_key(const char *k)
{
	if (!*k)
		return false;
	for (const char *c = k; *c; c++)
		if (!(*c == '_' || (*c >= 'a' && *c <= 'z') ||
		      (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')))
			return false;
	return true;
}

/* "$.entities[2].columns[1]": the path as a user would write it. */
static int format_path(dpex_buf *b, const dpex_jsonpos_step *path, size_t depth)
{
	int rc = dpex_buf_putc(b, '$');
	for (size_t i = 0; !rc && i < depth; i++) {
		const dpex_jsonpos_step *s = &path[i];
		if (!s->key)
			rc = dpex_buf_printf(b, "[%zu]", s->index);
		else if (plain_key(s->key))
			rc = dpex_buf_printf(b, ".%s", s->key);
		else
			rc = dpex_buf_printf(b, "[\"%s\"]", s->key);
	}
	return rc;
}

/* Adds "FILE:LINE:COLUMN: $.a.b[2]: [warning: ]message" to diags. */
static int add_placed(dpex_diags *diags, dpex_severity sev, const char *path,
		      const char *text, size_t len,
		      const dpex_jsonpos_step *steps, size_t depth,
		      const char *fmt, va_list ap)
{
	int line, column;
	dpex_jsonpos_find(text, len, steps, depth, &line, &column);
	dpex_buf b = DPEX_BUF_INIT;
	int rc = dpex_buf_printf(&b, "%s:%d:%d: ", path, line, column);
	if (!rc)
		rc = format_path(&b, steps, depth);
	if (!rc)
		rc = dpex_buf_puts(&b, sev == DPEX_DIAG_WARNING ? ": warning: "
								: ": ");
	char msg[1024];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (!rc)
		rc = dpex_buf_puts(&b, msg);
	if (!rc)
		rc = dpex_diags_add(diags, sev, "%s", b.data);
	dpex_buf_free(&b);
	return rc;
}

int dpex_datamap_diag(const dpex_datamap *m, dpex_diags *diags,
		      dpex_severity sev, const dpex_jsonpos_step *path,
		      size_t depth, const char *fmt, va_list ap)
{
	return add_placed(diags, sev, m->path, m->text, m->text_len, path,
			  depth, fmt, ap);
}

static void report(parser *p, dpex_severity sev, const char *fmt, va_list ap)
{
	if (p->failed)
		return;
	size_t depth = p->depth < PATH_MAX_DEPTH ? p->depth : PATH_MAX_DEPTH;
	if (add_placed(p->diags, sev, p->path, p->text, p->len, p->steps, depth,
		       fmt, ap))
		p->failed = true;
}

static void problem(parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void problem(parser *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(p, DPEX_DIAG_ERROR, fmt, ap);
	va_end(ap);
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

/* Reports keys of obj that are not in allowed (NULL-terminated). */
static void check_keys(parser *p, json_t *obj, const char *const *allowed)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v)
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
		push_key(p, key);
		problem(p, "unknown key \"%s\" (expected one of %s)", key,
			list.data ? list.data : "");
		pop(p);
		dpex_buf_free(&list);
	}
}

static bool expect(parser *p, json_t *v, json_type type)
{
	if (json_typeof(v) == type ||
	    (type == JSON_TRUE && json_typeof(v) == JSON_FALSE))
		return true;
	const char *want = type == JSON_OBJECT	 ? "an object"
			   : type == JSON_ARRAY	 ? "an array"
			   : type == JSON_STRING ? "a string"
						 : "a boolean";
	problem(p, "must be %s, not %s", want, type_name(v));
	return false;
}

/* Copies obj[key] into *out when it is a non-empty string. A missing key is
 * a problem only when required. */
static void take_string(parser *p, json_t *obj, const char *key, bool required,
			char **out)
{
	json_t *v = json_object_get(obj, key);
	if (!v) {
		if (required)
			problem(p, "missing required key \"%s\"", key);
		return;
	}
	push_key(p, key);
	if (expect(p, v, JSON_STRING)) {
		if (json_string_length(v) == 0)
			problem(p, "must not be empty");
		else if (strlen(json_string_value(v)) != json_string_length(v))
			problem(p, "must not contain a NUL character");
		else if (!(*out = dpex_strdup(json_string_value(v))))
			p->failed = true;
	}
	pop(p);
}

static bool take_bool(parser *p, json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return false;
	push_key(p, key);
	bool ok = expect(p, v, JSON_TRUE);
	pop(p);
	return ok && json_is_true(v);
}

/* Names become file and sheet names: keep them simple and portable. */
static bool valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 63 || !(*s >= 'a' && *s <= 'z'))
		return false;
	for (; *s; s++)
		if (!(*s == '_' || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

static void check_name(parser *p, const char *what, const char *name)
{
	if (!valid_name(name))
		problem(p,
			"%s name \"%s\" is not valid: use 1 to 63 lower-case "
			"letters, digits and '_', starting with a letter",
			what, name);
}

/* Looks up a name given as obj[key] among the map's sources or
 * identifiers. Returns the index, or -1 after reporting. */
static int take_ref(parser *p, json_t *obj, const char *key, const char *what,
		    int (*find)(const dpex_datamap *, const char *))
{
	char *name = NULL;
	take_string(p, obj, key, true, &name);
	if (!name)
		return -1;
	int i = find(p->m, name);
	if (i < 0) {
		push_key(p, key);
		problem(p, "unknown %s \"%s\": declare it under \"%ss\"", what,
			name, what);
		pop(p);
	}
	free(name);
	return i;
}

static void check_conninfo(parser *p, const char *conninfo)
{
	/* ${VAR} must be well formed; expansion happens at connect time. */
	for (const char *c = strstr(conninfo, "${"); c; c = strstr(c, "${")) {
		const char *end = strchr(c, '}');
		if (!end || end == c + 2) {
			problem(p, "unterminated or empty ${...} in conninfo");
			return;
		}
		c = end;
	}
	char *err = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &err);
	if (!opts) {
		problem(p, "invalid connection string: %s",
			err ? err : "out of memory");
		PQfreemem(err);
		return;
	}
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val && o->val[0])
			problem(p, "contains a password: passwords do not "
				   "belong in the map; use ~/.pgpass, "
				   "PGPASSFILE or PGPASSWORD instead");
	PQconninfoFree(opts);
}

static void parse_sources(parser *p, json_t *sources)
{
	if (!expect(p, sources, JSON_OBJECT))
		return;
	size_t n = json_object_size(sources);
	if (n == 0) {
		problem(p, "declare at least one source");
		return;
	}
	p->m->sources = dpex_calloc(n, sizeof(dpex_map_source));
	if (!p->m->sources) {
		p->failed = true;
		return;
	}
	static const char *const keys[] = {"conninfo", "description", NULL};
	const char *name;
	json_t *v;
	json_object_foreach(sources, name, v)
	{
		push_key(p, name);
		dpex_map_source *s = &p->m->sources[p->m->nsources++];
		s->name = dpex_strdup(name);
		if (!s->name)
			p->failed = true;
		check_name(p, "source", name);
		if (expect(p, v, JSON_OBJECT)) {
			check_keys(p, v, keys);
			take_string(p, v, "conninfo", true, &s->conninfo);
			take_string(p, v, "description", false,
				    &s->description);
			if (s->conninfo) {
				push_key(p, "conninfo");
				check_conninfo(p, s->conninfo);
				pop(p);
			}
		}
		pop(p);
	}
}

static void parse_identifiers(parser *p, json_t *ids)
{
	if (!expect(p, ids, JSON_OBJECT))
		return;
	size_t n = json_object_size(ids);
	if (n == 0) {
		problem(p, "declare at least one identifier");
		return;
	}
	p->m->identifiers = dpex_calloc(n, sizeof(dpex_map_identifier));
	if (!p->m->identifiers) {
		p->failed = true;
		return;
	}
	static const char *const keys[] = {"description", NULL};
	const char *name;
	json_t *v;
	json_object_foreach(ids, name, v)
	{
		push_key(p, name);
		dpex_map_identifier *id =
			&p->m->identifiers[p->m->nidentifiers++];
		id->name = dpex_strdup(name);
		if (!id->name)
			p->failed = true;
		check_name(p, "identifier", name);
		if (expect(p, v, JSON_OBJECT)) {
			check_keys(p, v, keys);
			take_string(p, v, "description", false,
				    &id->description);
		}
		pop(p);
	}
}

static void take_schema_table(parser *p, json_t *obj, char **schema,
			      char **table)
{
	take_string(p, obj, "schema", false, schema);
	take_string(p, obj, "table", true, table);
	if (!*schema && !(*schema = dpex_strdup("public")))
		p->failed = true;
}

static void parse_link(parser *p, json_t *v, dpex_map_link *l)
{
	static const char *const keys[] = {"source", "schema", "table",
					   "identifiers", NULL};
	l->source = -1;
	if (!expect(p, v, JSON_OBJECT))
		return;
	check_keys(p, v, keys);
	l->source = take_ref(p, v, "source", "source", dpex_datamap_source);
	take_schema_table(p, v, &l->schema, &l->table);
	json_t *ids = json_object_get(v, "identifiers");
	if (!ids) {
		problem(p, "missing required key \"identifiers\"");
		return;
	}
	push_key(p, "identifiers");
	if (expect(p, ids, JSON_OBJECT)) {
		size_t n = json_object_size(ids);
		if (n < 2)
			problem(p, "a link needs at least two identifiers: "
				   "it says which columns of one row name the "
				   "same person");
		l->keys = dpex_calloc(n, sizeof(*l->keys));
		if (!l->keys)
			p->failed = true;
		const char *name;
		json_t *col;
		json_object_foreach(ids, name, col)
		{
			if (!l->keys)
				break;
			dpex_map_link_key *k = &l->keys[l->nkeys++];
			k->identifier = dpex_datamap_identifier(p->m, name);
			push_key(p, name);
			if (k->identifier < 0)
				problem(p,
					"unknown identifier \"%s\": declare "
					"it under \"identifiers\"",
					name);
			pop(p);
			take_string(p, ids, name, true, &k->column);
		}
	}
	pop(p);
}

static void parse_columns(parser *p, json_t *cols, dpex_map_entity *e)
{
	if (!expect(p, cols, JSON_ARRAY))
		return;
	size_t n = json_array_size(cols);
	if (n == 0) {
		problem(p, "list at least one column");
		return;
	}
	e->columns = dpex_calloc(n, sizeof(*e->columns));
	if (!e->columns) {
		p->failed = true;
		return;
	}
	/* The processing keys are read by processing.c. */
	static const char *const keys[] = {
		"name",	    "identifier", "origin", "legal_basis",
		"internal", "redact",	  NULL};
	size_t i;
	json_t *c;
	json_array_foreach(cols, i, c)
	{
		push_index(p, i);
		dpex_map_column *col = &e->columns[e->ncolumns++];
		if (json_is_string(c)) {
			if (json_string_length(c) == 0 ||
			    strlen(json_string_value(c)) !=
				    json_string_length(c))
				problem(p, "a column name must be a non-empty "
					   "string without NUL characters");
			else if (!(col->name =
					   dpex_strdup(json_string_value(c))))
				p->failed = true;
		} else if (expect(p, c, JSON_OBJECT)) {
			check_keys(p, c, keys);
			take_string(p, c, "name", true, &col->name);
			col->identifier = take_bool(p, c, "identifier");
		}
		for (size_t j = 0; col->name && j + 1 < e->ncolumns; j++)
			if (e->columns[j].name &&
			    strcmp(e->columns[j].name, col->name) == 0)
				problem(p, "column \"%s\" is listed twice",
					col->name);
		pop(p);
	}
}

static bool has_column(const dpex_map_entity *e, const char *name)
{
	for (size_t i = 0; i < e->ncolumns; i++)
		if (e->columns[i].name && strcmp(e->columns[i].name, name) == 0)
			return true;
	return false;
}

static void parse_order_by(parser *p, json_t *list, dpex_map_entity *e)
{
	if (!expect(p, list, JSON_ARRAY))
		return;
	e->order_by = dpex_calloc(json_array_size(list), sizeof(*e->order_by));
	if (!e->order_by) {
		p->failed = true;
		return;
	}
	static const char *const keys[] = {"column", "descending", NULL};
	size_t i;
	json_t *o;
	json_array_foreach(list, i, o)
	{
		push_index(p, i);
		dpex_map_order *ord = &e->order_by[e->norder_by++];
		if (json_is_string(o) && json_string_length(o) > 0) {
			if (!(ord->column = dpex_strdup(json_string_value(o))))
				p->failed = true;
		} else if (json_is_object(o)) {
			check_keys(p, o, keys);
			take_string(p, o, "column", true, &ord->column);
			ord->descending = take_bool(p, o, "descending");
		} else {
			problem(p, "must be a column name or "
				   "{\"column\": ..., \"descending\": true}");
		}
		pop(p);
	}
}

static void parse_match(parser *p, json_t *match, dpex_map_entity *e)
{
	static const char *const keys[] = {"identifier", "column", NULL};
	push_key(p, "match");
	if (expect(p, match, JSON_OBJECT)) {
		check_keys(p, match, keys);
		e->match_identifier =
			take_ref(p, match, "identifier", "identifier",
				 dpex_datamap_identifier);
		take_string(p, match, "column", true, &e->match_column);
	}
	pop(p);
}

static void parse_parent(parser *p, json_t *parent, dpex_map_entity *e,
			 size_t self)
{
	static const char *const keys[] = {"entity", "column", "references",
					   NULL};
	push_key(p, "parent");
	if (expect(p, parent, JSON_OBJECT)) {
		check_keys(p, parent, keys);
		char *name = NULL;
		take_string(p, parent, "entity", true, &name);
		take_string(p, parent, "column", true, &e->parent_column);
		take_string(p, parent, "references", true,
			    &e->parent_references);
		if (name) {
			push_key(p, "entity");
			int i = dpex_datamap_entity(p->m, name);
			if (i >= 0 && (size_t)i == self)
				problem(p,
					"entity \"%s\" names itself as its "
					"parent: a parent is another entity, "
					"declared before its children",
					name);
			else if (i < 0 || (size_t)i > self)
				problem(p,
					"unknown parent entity \"%s\": a "
					"parent must be declared before its "
					"children",
					name);
			else if (p->m->entities[i].source >= 0 &&
				 e->source >= 0 &&
				 p->m->entities[i].source != e->source)
				problem(p,
					"parent entity \"%s\" is in source "
					"\"%s\", but a child must be in the "
					"same source as its parent",
					name,
					p->m->sources[p->m->entities[i].source]
						.name);
			else
				e->parent = i;
			pop(p);
		}
		free(name);
	}
	pop(p);
}

static void parse_entity(parser *p, json_t *v, size_t self)
{
	static const char *const keys[] = {
		"name", "source", "schema", "table", "description", "category",
		"columns", "order_by", "match", "parent",
		/* read by processing.c: */
		"purposes", "legal_basis", "origin", "retention", "recipients",
		"automated_decision", "internal", NULL};
	dpex_map_entity *e = &p->m->entities[self];
	e->source = e->match_identifier = e->parent = -1;
	if (!expect(p, v, JSON_OBJECT))
		return;
	check_keys(p, v, keys);
	take_string(p, v, "name", true, &e->name);
	if (e->name) {
		push_key(p, "name");
		check_name(p, "entity", e->name);
		for (size_t j = 0; j < self; j++)
			if (p->m->entities[j].name &&
			    strcmp(p->m->entities[j].name, e->name) == 0)
				problem(p,
					"entity name \"%s\" is used twice "
					"(also at entities[%zu])",
					e->name, j);
		pop(p);
	}
	e->source = take_ref(p, v, "source", "source", dpex_datamap_source);
	take_schema_table(p, v, &e->schema, &e->table);
	take_string(p, v, "description", false, &e->description);
	/* A category may also be translations or a declared name: those
	 * are processing.c's; a plain string is kept here too. */
	if (json_is_string(json_object_get(v, "category")))
		take_string(p, v, "category", false, &e->category);
	json_t *cols = json_object_get(v, "columns");
	if (cols) {
		push_key(p, "columns");
		parse_columns(p, cols, e);
		pop(p);
	} else {
		problem(p, "missing required key \"columns\"");
	}
	json_t *order = json_object_get(v, "order_by");
	if (order) {
		push_key(p, "order_by");
		parse_order_by(p, order, e);
		pop(p);
	}
	json_t *match = json_object_get(v, "match");
	json_t *parent = json_object_get(v, "parent");
	if (match && parent)
		problem(p, "an entity has either \"match\" (rows found by a "
			   "subject identifier) or \"parent\" (rows under "
			   "another entity's rows), not both");
	else if (!match && !parent)
		problem(p, "missing \"match\" or \"parent\": say how rows "
			   "are found for a subject");
	else if (match)
		parse_match(p, match, e);
	else
		parse_parent(p, parent, e, self);
	/* A child's rows are nested under the parent row by entity name. */
	if (e->parent >= 0 && e->name &&
	    has_column(&p->m->entities[e->parent], e->name))
		problem(p,
			"entity name \"%s\" equals a column of its parent "
			"\"%s\"; rename the entity",
			e->name, p->m->entities[e->parent].name);
}

static void parse_list(parser *p, json_t *root, const char *key, bool required)
{
	json_t *list = json_object_get(root, key);
	if (!list) {
		if (required)
			problem(p, "missing required key \"%s\"", key);
		return;
	}
	push_key(p, key);
	if (!expect(p, list, JSON_ARRAY)) {
		pop(p);
		return;
	}
	size_t n = json_array_size(list);
	bool links = strcmp(key, "links") == 0;
	if (!links && n == 0)
		problem(p, "declare at least one entity");
	void *items = dpex_calloc(n, links ? sizeof(dpex_map_link)
					   : sizeof(dpex_map_entity));
	if (!items) {
		p->failed = true;
		pop(p);
		return;
	}
	if (links) {
		p->m->links = items;
		p->m->nlinks = n;
	} else {
		p->m->entities = items;
		p->m->nentities = n;
	}
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v)
	{
		push_index(p, i);
		if (links)
			parse_link(p, v, &p->m->links[i]);
		else
			parse_entity(p, v, i);
		pop(p);
	}
	pop(p);
}

static void parse_root(parser *p, json_t *root)
{
	static const char *const keys[] = {
		"$schema", "name", "sources", "identifiers", "links",
		"entities",
		/* read by processing.c: */
		"controller", "supervisory_authority", "categories", "purposes",
		"recipients", NULL};
	if (!expect(p, root, JSON_OBJECT))
		return;
	check_keys(p, root, keys);
	take_string(p, root, "name", false, &p->m->name);
	static const char *const sections[] = {"sources", "identifiers"};
	for (size_t i = 0; i < 2; i++) {
		json_t *v = json_object_get(root, sections[i]);
		if (!v) {
			problem(p, "missing required key \"%s\"", sections[i]);
			continue;
		}
		push_key(p, sections[i]);
		if (i == 0)
			parse_sources(p, v);
		else
			parse_identifiers(p, v);
		pop(p);
	}
	parse_list(p, root, "links", false);
	parse_list(p, root, "entities", true);
}

/* Union-find root of identifier i: links tie identifiers together. */
static int tied_root(int *up, int i)
{
	while (up[i] != i)
		i = up[i] = up[up[i]];
	return i;
}

/* Checks what only the whole map shows: every identifier is used, and the
 * links tie every identifier an entity is matched by to every other, so a
 * request naming any one of them reaches every entity. (Links cannot loop:
 * each is followed at most once, and only to learn identifiers not yet
 * known; parents precede their children, so parent chains cannot loop.) */
static void check_identifiers(parser *p)
{
	const dpex_datamap *m = p->m;
	size_t n = m->nidentifiers;
	int *up = dpex_calloc(n ? n : 1, sizeof(int));
	bool *used = dpex_calloc(n ? n : 1, sizeof(bool));
	if (!up || !used) {
		p->failed = true;
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		up[i] = (int)i;
	for (size_t l = 0; l < m->nlinks; l++) {
		const dpex_map_link *ml = &m->links[l];
		for (size_t k = 0; k < ml->nkeys; k++) {
			used[ml->keys[k].identifier] = true;
			up[tied_root(up, ml->keys[k].identifier)] =
				tied_root(up, ml->keys[0].identifier);
		}
	}
	int first = -1; /* the first entity matched by an identifier */
	for (size_t e = 0; e < m->nentities; e++) {
		int id = m->entities[e].match_identifier;
		if (id < 0)
			continue;
		used[id] = true;
		if (first < 0) {
			first = (int)e;
			continue;
		}
		int id0 = m->entities[first].match_identifier;
		if (tied_root(up, id) == tied_root(up, id0))
			continue;
		push_key(p, "entities");
		push_index(p, e);
		push_key(p, "match");
		push_key(p, "identifier");
		problem(p,
			"identifier \"%s\" is not tied to \"%s\" (used by "
			"entity \"%s\") by any link, so a request naming "
			"one would miss the other's rows: add a link (a table "
			"holding both), or match on an identifier that is "
			"tied",
			m->identifiers[id].name, m->identifiers[id0].name,
			m->entities[first].name);
		pop(p);
		pop(p);
		pop(p);
		pop(p);
	}
	int id0 = first >= 0 ? m->entities[first].match_identifier : -1;
	for (size_t i = 0; i < n; i++) {
		bool matched = false;
		for (size_t e = 0; e < m->nentities && !matched; e++)
			matched = m->entities[e].match_identifier == (int)i;
		if (used[i] && (matched || id0 < 0 ||
				tied_root(up, (int)i) == tied_root(up, id0)))
			continue;
		push_key(p, "identifiers");
		push_key(p, m->identifiers[i].name);
		if (!used[i])
			problem(p,
				"identifier \"%s\" is used by no link and no "
				"entity: a request naming it would find "
				"nothing; match an entity on it, add it to a "
				"link, or remove it",
				m->identifiers[i].name);
		else
			problem(p,
				"identifier \"%s\" is not tied to \"%s\" "
				"(used by entity \"%s\") by any link, so a "
				"request naming it would find nothing: add a "
				"link that holds it and a tied identifier, or "
				"remove it",
				m->identifiers[i].name,
				m->identifiers[id0].name,
				m->entities[first].name);
		pop(p);
		pop(p);
	}
done:
	free(up);
	free(used);
}

int dpex_datamap_parse(dpex_datamap **out, const char *path, const char *text,
		       size_t len, dpex_diags *diags)
{
	*out = NULL;
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		if (dpex_diags_add(diags, DPEX_DIAG_ERROR,
				   "%s:%d:%d: invalid JSON: %s", path,
				   jerr.line, jerr.column, jerr.text))
			return DPEX_ENOMEM;
		return dpex_diags_to_error(diags, DPEX_EMAP);
	}
	dpex_datamap *m = dpex_calloc(1, sizeof(*m));
	if (!m || !(m->path = dpex_strdup(path)) ||
	    !(m->text = dpex_malloc(len + 1))) {
		dpex_datamap_free(m);
		json_decref(root);
		return DPEX_ENOMEM;
	}
	memcpy(m->text, text, len);
	m->text[len] = '\0';
	m->text_len = len;
	parser p = {
		.path = path, .text = text, .len = len, .diags = diags, .m = m};
	size_t errors_before = diags->errors;
	parse_root(&p, root);
	if (!p.failed && diags->errors == errors_before)
		check_identifiers(&p);
	m->doc = root;
	/* What the data is and why: only once the structure is sound. */
	if (!p.failed && diags->errors == errors_before &&
	    dpex_processing_load(&m->processing, m, diags))
		p.failed = true;
	if (p.failed) {
		dpex_datamap_free(m);
		return dpex_error_oom();
	}
	if (diags->errors > errors_before) {
		dpex_datamap_free(m);
		return dpex_diags_to_error(diags, DPEX_EMAP);
	}
	*out = m;
	return 0;
}

int dpex_datamap_load(dpex_datamap **out, const char *path, dpex_diags *diags)
{
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f)
		return dpex_error_set(DPEX_EMAP, "cannot open map \"%s\": %s",
				      path, strerror(errno));
	dpex_buf b = {.max = MAP_MAX_BYTES};
	char chunk[8192];
	size_t n;
	int rc = 0;
	while (!rc && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = dpex_buf_append(&b, chunk, n);
	if (!rc && ferror(f))
		rc = dpex_error_set(DPEX_EMAP, "cannot read map \"%s\": %s",
				    path, strerror(errno));
	fclose(f);
	if (rc == DPEX_EINTERNAL)
		rc = dpex_error_set(DPEX_EMAP,
				    "map \"%s\" is larger than %d bytes", path,
				    MAP_MAX_BYTES);
	if (!rc)
		rc = dpex_datamap_parse(out, path, b.data ? b.data : "", b.len,
					diags);
	dpex_buf_free(&b);
	return rc;
}

void dpex_datamap_free(dpex_datamap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nsources; i++) {
		free(m->sources[i].name);
		free(m->sources[i].conninfo);
		free(m->sources[i].description);
	}
	for (size_t i = 0; i < m->nidentifiers; i++) {
		free(m->identifiers[i].name);
		free(m->identifiers[i].description);
	}
	for (size_t i = 0; i < m->nlinks; i++) {
		dpex_map_link *l = &m->links[i];
		for (size_t k = 0; k < l->nkeys; k++)
			free(l->keys[k].column);
		free(l->keys);
		free(l->schema);
		free(l->table);
	}
	for (size_t i = 0; i < m->nentities; i++) {
		dpex_map_entity *e = &m->entities[i];
		for (size_t k = 0; k < e->ncolumns; k++)
			free(e->columns[k].name);
		for (size_t k = 0; k < e->norder_by; k++)
			free(e->order_by[k].column);
		free(e->columns);
		free(e->order_by);
		free(e->name);
		free(e->schema);
		free(e->table);
		free(e->description);
		free(e->category);
		free(e->match_column);
		free(e->parent_column);
		free(e->parent_references);
	}
	free(m->sources);
	free(m->identifiers);
	free(m->links);
	free(m->entities);
	free(m->name);
	free(m->path);
	free(m->text);
	dpex_processing_free(m->processing);
	json_decref(m->doc);
	free(m);
}

int dpex_datamap_identifier(const dpex_datamap *m, const char *name)
{
	for (size_t i = 0; i < m->nidentifiers; i++)
		if (m->identifiers[i].name &&
		    strcmp(m->identifiers[i].name, name) == 0)
			return (int)i;
	return -1;
}

int dpex_datamap_source(const dpex_datamap *m, const char *name)
{
	for (size_t i = 0; i < m->nsources; i++)
		if (m->sources[i].name && strcmp(m->sources[i].name, name) == 0)
			return (int)i;
	return -1;
}

int dpex_datamap_entity(const dpex_datamap *m, const char *name)
{
	for (size_t i = 0; i < m->nentities; i++)
		if (m->entities[i].name &&
		    strcmp(m->entities[i].name, name) == 0)
			return (int)i;
	return -1;
}

int dpex_datamap_conninfo(const dpex_datamap *m, int source, char **out)
{
	const dpex_map_source *s = &m->sources[source];
	dpex_buf b = DPEX_BUF_INIT;
	const char *c = s->conninfo;
	int rc = 0;
	while (!rc && *c) {
		const char *start = strstr(c, "${");
		if (!start) {
			rc = dpex_buf_puts(&b, c);
			break;
		}
		const char *end = strchr(start, '}');
		rc = dpex_buf_append(&b, c, (size_t)(start - c));
		if (rc)
			break;
		char var[256];
		size_t n = (size_t)(end - start - 2);
		if (n >= sizeof(var))
			n = sizeof(var) - 1;
		memcpy(var, start + 2, n);
		var[n] = '\0';
		const char *val = getenv(var);
		if (!val) {
			rc = dpex_error_set(
				DPEX_EMAP,
				"source \"%s\": environment variable "
				"%s used in its conninfo is not set",
				s->name, var);
			break;
		}
		rc = dpex_buf_puts(&b, val);
		c = end + 1;
	}
	if (rc) {
		dpex_buf_free(&b);
		return rc;
	}
	*out = dpex_buf_steal(&b);
	return *out ? 0 : DPEX_ENOMEM;
}
