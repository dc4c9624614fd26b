#include "core/answer/scope.h"

#include "core/base/error.h"
#include "core/map/processing.h"
#include "core/answer/redact.h"

#include <stdlib.h>
#include <string.h>

typedef struct out_column {
	size_t from; /* index in the gathered row */
	const dpex_column_info *rule;
	const char *role; /* the role's text in the request's language */
	dpex_buf buf;	  /* the masked value, reused row after row */
	long long redacted;
} out_column;

typedef struct scoped_entity {
	int to;		      /* index among the scoped shapes; -1: left out */
	const char *reason;   /* why it is left out */
	char parent_name[64]; /* for the reason "its parent ... is out" */
	out_column *columns;  /* for each scoped column */
	dpex_value *values;   /* the row handed on */
	long long *dropped;   /* values of each dropped column (map order) */
	size_t ndropped_cols;
} scoped_entity;

struct dpex_scope {
	const dpex_datamap *m;
	dpex_request_kind kind;
	const dpex_entity_shape *in; /* gather's shapes, map order */
	scoped_entity *entities;     /* map order */
	dpex_entity_shape *shapes;   /* scoped */
	dpex_column *columns;	     /* scoped shapes' columns */
	size_t nshapes;
	json_t *excluded;
	dpex_redact_ctx mask;
	const char **own;
	const dpex_output *outputs;
	size_t noutputs;
};

int dpex_request_kind_parse(const char *name, dpex_request_kind *out)
{
	if (strcmp(name, "access") == 0)
		*out = DPEX_REQUEST_ACCESS;
	else if (strcmp(name, "portability") == 0)
		*out = DPEX_REQUEST_PORTABILITY;
	else
		return dpex_error_set(DPEX_EUSAGE,
				      "unknown kind \"%s\": choose access "
				      "(Art. 15) or portability (Art. 20)",
				      name);
	return 0;
}

const char *dpex_request_kind_name(dpex_request_kind k)
{
	return k == DPEX_REQUEST_PORTABILITY ? "portability" : "access";
}

/* Why data with this origin and legal basis is outside Art. 20, or NULL. */
static const char *portability_reason(dpex_origin o, unsigned bases,
				      bool internal)
{
	if (internal)
		return "internal notes are not data the person provided "
		       "(Art. 20(1))";
	switch (o) {
	case DPEX_ORIGIN_PROVIDED:
	case DPEX_ORIGIN_OBSERVED:
		break;
	case DPEX_ORIGIN_DERIVED:
		return "derived data is not in the scope of Art. 20";
	case DPEX_ORIGIN_THIRD_PARTY:
		return "data obtained from a third party was not provided by "
		       "the person (Art. 20(1))";
	/* A customer number or an account manager is the controller's own
	 * record of the relation, not something the person gave. */
	case DPEX_ORIGIN_ASSIGNED:
		return "data we assigned (a number, a manager, a group) was "
		       "not provided by the person (Art. 20(1))";
	default:
		return "the data map does not say where this data came from";
	}
	if (!(bases & (DPEX_BASIS_CONSENT | DPEX_BASIS_CONTRACT)))
		return "its processing rests neither on consent nor on a "
		       "contract (Art. 20(1)(a))";
	return NULL;
}

static int exclude(dpex_scope *s, const char *entity, const char *column,
		   const char *reason)
{
	json_t *o = json_object();
	if (!o || json_object_set_new(o, "entity", json_string(entity)) ||
	    (column && json_object_set_new(o, "column", json_string(column))) ||
	    json_object_set_new(o, "reason", json_string(reason)) ||
	    json_array_append_new(s->excluded, o))
		return DPEX_ENOMEM;
	return 0;
}

static const char *mark(const char *lang, bool email)
{
	if (lang && strcmp(lang, "nl") == 0)
		return email ? "[e-mailadres verwijderd]"
			     : "[telefoonnummer verwijderd]";
	if (lang && strcmp(lang, "sv") == 0)
		return email ? "[e-postadress borttagen]"
			     : "[telefonnummer borttaget]";
	return email ? "[e-mail address removed]" : "[phone number removed]";
}

static int decide(dpex_scope *s, const char *lang)
{
	const dpex_datamap *m = s->m;
	bool port = s->kind == DPEX_REQUEST_PORTABILITY;
	size_t total = 0;
	for (size_t e = 0; e < m->nentities; e++)
		total += m->entities[e].ncolumns;
	s->columns = dpex_calloc(total + 1, sizeof(*s->columns));
	s->shapes = dpex_calloc(m->nentities, sizeof(*s->shapes));
	if (!s->columns || !s->shapes)
		return DPEX_ENOMEM;
	dpex_column *col = s->columns;
	for (size_t e = 0; e < m->nentities; e++) {
		const dpex_map_entity *me = &m->entities[e];
		const dpex_info *info = dpex_processing_entity(m, e);
		scoped_entity *se = &s->entities[e];
		se->to = -1;
		if (me->parent >= 0 && s->entities[me->parent].to < 0)
			se->reason = "its parent entity is left out";
		else if (port)
			se->reason = portability_reason(
				info->origin, info->bases, info->internal);
		if (se->reason) {
			if (port && exclude(s, me->name, NULL, se->reason))
				return DPEX_ENOMEM;
			continue;
		}
		se->columns = dpex_calloc(me->ncolumns, sizeof(out_column));
		se->values = dpex_calloc(me->ncolumns, sizeof(dpex_value));
		se->dropped = dpex_calloc(me->ncolumns, sizeof(long long));
		if (!se->columns || !se->values || !se->dropped)
			return DPEX_ENOMEM;
		size_t n = 0;
		for (size_t c = 0; c < me->ncolumns; c++) {
			const dpex_column_info *ci =
				dpex_processing_column(m, e, c);
			if (ci->redact == DPEX_REDACT_DROP) {
				se->ndropped_cols++;
				continue;
			}
			if (port) {
				const char *why = portability_reason(
					ci->origin ? ci->origin : info->origin,
					ci->bases ? ci->bases : info->bases,
					ci->internal);
				if (why) {
					if (exclude(s, me->name,
						    me->columns[c].name, why))
						return DPEX_ENOMEM;
					continue;
				}
			}
			out_column *oc = &se->columns[n];
			oc->from = c;
			oc->rule = ci;
			if (ci->redact == DPEX_REDACT_ROLE)
				oc->role = dpex_processing_text(ci->role, lang);
			col[n] = s->in[e].columns[c];
			/* A role or a masked text is text, whatever the
			 * column held: a number or an array would no longer
			 * parse. JSON stays JSON: masks keep its strings. */
			if (ci->redact != DPEX_REDACT_NONE &&
			    col[n].kind != DPEX_KIND_TEXT &&
			    !(ci->redact == DPEX_REDACT_MASK &&
			      col[n].kind == DPEX_KIND_JSON)) {
				col[n].kind = DPEX_KIND_TEXT;
				col[n].elem_kind = DPEX_KIND_TEXT;
				col[n].fields = NULL;
				col[n].nfields = 0;
			}
			n++;
		}
		se->to = (int)s->nshapes;
		s->shapes[s->nshapes++] = (dpex_entity_shape){
			.name = me->name,
			.index = se->to,
			.parent = me->parent >= 0 ? s->entities[me->parent].to
						  : -1,
			.ncolumns = n,
			.columns = col,
		};
		col += n;
	}
	return 0;
}

int dpex_scope_open(dpex_scope **out, const dpex_datamap *m,
		    dpex_request_kind kind, const dpex_entity_shape *shapes,
		    const dpex_export_info *info, const char *lang)
{
	*out = NULL;
	dpex_scope *s = dpex_calloc(1, sizeof(*s));
	if (!s)
		return DPEX_ENOMEM;
	s->m = m;
	s->kind = kind;
	s->in = shapes;
	s->entities = dpex_calloc(m->nentities, sizeof(*s->entities));
	s->excluded = json_array();
	size_t nown = 0;
	for (size_t i = 0; i < info->nidentifiers; i++)
		nown += info->identifiers[i].nvalues;
	s->own = dpex_calloc(nown + 1, sizeof(char *));
	int rc = (!s->entities || !s->excluded || !s->own) ? DPEX_ENOMEM : 0;
	if (!rc) {
		size_t k = 0;
		for (size_t i = 0; i < info->nidentifiers; i++)
			for (size_t v = 0; v < info->identifiers[i].nvalues;
			     v++)
				s->own[k++] = info->identifiers[i].values[v];
		s->mask = (dpex_redact_ctx){.own = s->own,
					    .nown = nown,
					    .email_mark = mark(lang, true),
					    .phone_mark = mark(lang, false)};
		rc = decide(s, lang);
	}
	/* An archive without a single entity answers nothing: most likely
	 * the map does not say origins and legal bases yet. */
	if (!rc && s->nshapes == 0)
		rc = dpex_error_set(DPEX_EMAP,
				    "no entity of the map is in the scope of "
				    "a %s request: give entities an origin "
				    "(provided or observed) and a legal_basis "
				    "(consent or contract) in the map",
				    dpex_request_kind_name(kind));
	if (rc) {
		dpex_scope_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

const dpex_entity_shape *dpex_scope_shapes(const dpex_scope *s, size_t *n)
{
	*n = s->nshapes;
	return s->shapes;
}

bool dpex_scope_has_entity(const dpex_scope *s, size_t e)
{
	return s->entities[e].to >= 0;
}

#define FORWARD(s, call)                                                       \
	do {                                                                   \
		for (size_t o_ = 0; o_ < (s)->noutputs; o_++) {                \
			const dpex_output *out_ = &(s)->outputs[o_];           \
			int rc_ = call;                                        \
			if (rc_)                                               \
				return rc_;                                    \
		}                                                              \
	} while (0)

static int scope_entity_start(void *self, const dpex_entity_shape *e)
{
	dpex_scope *s = self;
	int to = s->entities[e->index].to;
	if (to < 0)
		return 0;
	const dpex_entity_shape *t = &s->shapes[to];
	FORWARD(s, out_->ops->entity_start
			   ? out_->ops->entity_start(out_->self, t)
			   : 0);
	return 0;
}

static int scope_row(void *self, const dpex_entity_shape *e,
		     const dpex_value *values)
{
	dpex_scope *s = self;
	scoped_entity *se = &s->entities[e->index];
	if (se->to < 0)
		return 0;
	const dpex_entity_shape *t = &s->shapes[se->to];
	if (se->ndropped_cols) {
		/* Count the values a dropped column held in this row. */
		const dpex_map_entity *me = &s->m->entities[e->index];
		for (size_t c = 0; c < me->ncolumns; c++)
			if (!values[c].is_null &&
			    dpex_processing_column(s->m, e->index, c)->redact ==
				    DPEX_REDACT_DROP)
				se->dropped[c]++;
	}
	for (size_t k = 0; k < t->ncolumns; k++) {
		out_column *oc = &se->columns[k];
		const dpex_value *v = &values[oc->from];
		se->values[k] = *v;
		if (v->is_null || oc->rule->redact == DPEX_REDACT_NONE)
			continue;
		if (oc->rule->redact == DPEX_REDACT_ROLE) {
			se->values[k].data = oc->role;
			se->values[k].len = strlen(oc->role);
			oc->redacted++;
		} else {
			int rc = dpex_redact_mask(&oc->buf, v->data, v->len,
						  oc->rule->mask, &s->mask,
						  &oc->redacted);
			if (rc)
				return rc;
			se->values[k].data = oc->buf.data ? oc->buf.data : "";
			se->values[k].len = oc->buf.len;
		}
	}
	FORWARD(s, out_->ops->row(out_->self, t, se->values));
	return 0;
}

static int scope_row_end(void *self, const dpex_entity_shape *e)
{
	dpex_scope *s = self;
	int to = s->entities[e->index].to;
	if (to < 0)
		return 0;
	const dpex_entity_shape *t = &s->shapes[to];
	FORWARD(s, out_->ops->row_end ? out_->ops->row_end(out_->self, t) : 0);
	return 0;
}

static int scope_entity_end(void *self, const dpex_entity_shape *e)
{
	dpex_scope *s = self;
	int to = s->entities[e->index].to;
	if (to < 0)
		return 0;
	const dpex_entity_shape *t = &s->shapes[to];
	FORWARD(s, out_->ops->entity_end ? out_->ops->entity_end(out_->self, t)
					 : 0);
	return 0;
}

static const dpex_exporter_ops scope_ops = {
	.name = "scope",
	.entity_start = scope_entity_start,
	.row = scope_row,
	.row_end = scope_row_end,
	.entity_end = scope_entity_end,
};

dpex_output dpex_scope_output(dpex_scope *s, const dpex_output *outputs,
			      size_t noutputs)
{
	s->outputs = outputs;
	s->noutputs = noutputs;
	return (dpex_output){.ops = &scope_ops, .self = s};
}

json_t *dpex_scope_excluded(const dpex_scope *s)
{
	return json_incref(s->excluded);
}

json_t *dpex_scope_redactions(const dpex_scope *s)
{
	json_t *o = json_object();
	char key[256];
	for (size_t e = 0; o && e < s->m->nentities; e++) {
		const scoped_entity *se = &s->entities[e];
		const dpex_map_entity *me = &s->m->entities[e];
		if (se->to < 0)
			continue;
		for (size_t c = 0; c < me->ncolumns; c++) {
			const dpex_column_info *ci =
				dpex_processing_column(s->m, e, c);
			if (ci->redact == DPEX_REDACT_NONE)
				continue;
			long long n = -1;
			if (ci->redact == DPEX_REDACT_DROP) {
				/* Rows times dropped columns: per column. */
				n = se->dropped[c];
			} else {
				const dpex_entity_shape *t = &s->shapes[se->to];
				for (size_t k = 0; k < t->ncolumns; k++)
					if (se->columns[k].from == c)
						n = se->columns[k].redacted;
			}
			if (n < 0)
				continue; /* left out of a portability export */
			snprintf(key, sizeof(key), "%s.%s", me->name,
				 me->columns[c].name);
			json_object_set_new(o, key, json_integer(n));
		}
	}
	return o;
}

void dpex_scope_free(dpex_scope *s)
{
	if (!s)
		return;
	if (s->entities)
		for (size_t e = 0; e < s->m->nentities; e++) {
			scoped_entity *se = &s->entities[e];
			if (se->columns)
				for (size_t c = 0;
				     se->to >= 0 &&
				     c < s->shapes[se->to].ncolumns;
				     c++)
					dpex_buf_free(&se->columns[c].buf);
			free(se->columns);
			free(se->values);
			free(se->dropped);
		}
	free(s->entities);
	free(s->shapes);
	free(s->columns);
	free(s->own);
	json_decref(s->excluded);
	free(s);
}
