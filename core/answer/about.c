#include "core/answer/about.h"

#include "core/map/processing.h"

#include <stdio.h>
#include <string.h>

/* The rights every answer states (Art. 15(1)(e), (f)), in the languages
 * the cover page speaks. Conditional ones are added where they apply. */
typedef struct right {
	const char *right, *article, *en, *nl, *sv;
} right;

static const right rights[] = {
	{"access", "15",
	 "You may ask again at any time what we hold about you.",
	 "U mag altijd opnieuw vragen welke gegevens wij over u hebben.",
	 "Du kan när som helst fråga igen vilka uppgifter vi har om dig."},
	{"rectification", "16",
	 "You may have incorrect data corrected and incomplete data "
	 "completed.",
	 "U mag onjuiste gegevens laten verbeteren en onvolledige laten "
	 "aanvullen.",
	 "Du kan få felaktiga uppgifter rättade och ofullständiga "
	 "kompletterade."},
	{"erasure", "17",
	 "You may have your data erased where we no longer need it or "
	 "may not keep it.",
	 "U mag uw gegevens laten wissen als wij ze niet meer nodig hebben "
	 "of niet mogen bewaren.",
	 "Du kan få dina uppgifter raderade när vi inte längre behöver "
	 "eller får spara dem."},
	{"restriction", "18",
	 "You may ask us to restrict the processing while a question about "
	 "it is settled.",
	 "U mag ons vragen de verwerking te beperken zolang een vraag "
	 "daarover loopt.",
	 "Du kan begära att behandlingen begränsas medan en fråga om den "
	 "utreds."},
	{"portability", "20",
	 "You may receive the data you gave us in a machine-readable form, "
	 "or have it sent to another company.",
	 "U mag de gegevens die u ons gaf in een machineleesbare vorm "
	 "krijgen, of laten doorsturen naar een ander bedrijf.",
	 "Du kan få de uppgifter du gett oss i maskinläsbar form, eller få "
	 "dem skickade till ett annat företag."},
	{"objection", "21",
	 "You may object to processing based on our legitimate interests, "
	 "and always to direct marketing.",
	 "U mag bezwaar maken tegen verwerking op grond van ons "
	 "gerechtvaardigd belang, en altijd tegen direct marketing.",
	 "Du kan invända mot behandling som grundar sig på vårt berättigade "
	 "intresse, och alltid mot direktmarknadsföring."},
};
static const right right_consent = {
	"withdraw_consent", "7(3)",
	"You may withdraw your consent at any time; this does not affect what "
	"was done before.",
	"U mag uw toestemming altijd intrekken; dat raakt niet wat eerder is "
	"gebeurd.",
	"Du kan när som helst återkalla ditt samtycke; det påverkar inte det "
	"som redan skett."};
static const right right_automated = {
	"human_review", "22",
	"You may ask for a person to review an automated decision, give your "
	"view and contest it.",
	"U mag vragen dat een medewerker een geautomatiseerd besluit "
	"herziet, uw standpunt geven en het besluit aanvechten.",
	"Du kan begära att en person prövar ett automatiserat beslut, lämna "
	"dina synpunkter och bestrida det."};
static const right right_complaint = {
	"complaint", "77", "You may complain to the supervisory authority.",
	"U mag een klacht indienen bij de toezichthouder.",
	"Du kan klaga hos tillsynsmyndigheten."};

static json_t *text(const json_t *t, const char *lang)
{
	const char *s = dpex_processing_text(t, lang);
	return s ? json_string(s) : json_null();
}

static json_t *right_json(const right *r, const char *lang)
{
	const char *t = strcmp(lang, "nl") == 0	  ? r->nl
			: strcmp(lang, "sv") == 0 ? r->sv
						  : r->en;
	return json_pack("{s:s, s:s, s:s}", "right", r->right, "article",
			 r->article, "text", t);
}

/* Appends v (stolen) to the array unless an equal value is there. */
static void add_unique(json_t *array, json_t *v)
{
	size_t i;
	json_t *x;
	json_array_foreach(array, i, x)
	{
		if (json_equal(x, v)) {
			json_decref(v);
			return;
		}
	}
	json_array_append_new(array, v);
}

static json_t *recipient_json(const dpex_datamap *m, const json_t *item,
			      const char *lang)
{
	const json_t *r = dpex_processing_recipient(m, item);
	const char *country = json_string_value(json_object_get(r, "country"));
	return json_pack("{s:o, s:o, s:o, s:o}", "name",
			 text(json_object_get(r, "name"), lang), "category",
			 text(json_object_get(r, "category"), lang), "country",
			 country ? json_string(country) : json_null(),
			 "safeguards",
			 text(json_object_get(r, "safeguards"), lang));
}

static json_t *origin_json(const dpex_info *info, const char *lang)
{
	const char *kind = dpex_origin_name(info->origin);
	return json_pack("{s:o, s:o}", "kind",
			 kind ? json_string(kind) : json_null(), "source",
			 text(info->origin_source, lang));
}

/* The basis' detail ({"basis": ..., "detail": ...}) for bit b, if any. */
static const json_t *basis_detail(const json_t *lb, unsigned b)
{
	const json_t *items[1] = {lb};
	size_t n = 1;
	if (json_is_array(lb))
		n = json_array_size(lb);
	for (size_t i = 0; i < n; i++) {
		const json_t *it =
			json_is_array(lb) ? json_array_get(lb, i) : items[0];
		if (json_is_object(it) &&
		    strcmp(json_string_value(json_object_get(it, "basis")),
			   dpex_basis_name(b)) == 0)
			return json_object_get(it, "detail");
	}
	return NULL;
}

static json_t *files_of(const dpex_about_input *in, const char *entity)
{
	json_t *files = json_array();
	char name[96];
	for (size_t f = 0; f < in->nformats; f++) {
		if (strcmp(in->formats[f], "json") == 0)
			json_array_append_new(files, json_string("data.json"));
		else if (strcmp(in->formats[f], "csv") == 0 ||
			 strcmp(in->formats[f], "csv-safe") == 0) {
			snprintf(name, sizeof(name), "%s/%s.csv",
				 in->formats[f], entity);
			json_array_append_new(files, json_string(name));
		} else if (strcmp(in->formats[f], "xlsx") == 0)
			json_array_append_new(files, json_string("data.xlsx"));
	}
	return files;
}

/* The group an entity belongs to: its declared category, else its
 * category's text, else none. */
static bool same_group(const dpex_info *a, const dpex_info *b)
{
	if (a->category_key || b->category_key)
		return a->category_key && b->category_key &&
		       strcmp(a->category_key, b->category_key) == 0;
	if (!a->category || !b->category)
		return a->category == b->category;
	return json_equal((json_t *)a->category, (json_t *)b->category);
}

static json_t *category_json(const dpex_about_input *in, size_t first,
			     bool *consent, bool *automated)
{
	const dpex_datamap *m = in->m;
	const char *lang = in->lang;
	const dpex_info *lead = dpex_processing_entity(m, first);
	json_t *entities = json_array(), *purposes = json_array(),
	       *bases = json_array(), *recipients = json_array(),
	       *retention = json_array();
	json_t *decision = json_null();
	for (size_t e = first; e < m->nentities; e++) {
		const dpex_info *info = dpex_processing_entity(m, e);
		if (!dpex_scope_has_entity(in->scope, e) || in->rows[e] == 0 ||
		    !same_group(lead, info))
			continue;
		json_array_append_new(
			entities,
			json_pack("{s:s, s:I, s:o, s:o, s:o}", "name",
				  m->entities[e].name, "rows",
				  (json_int_t)in->rows[e], "files",
				  files_of(in, m->entities[e].name),
				  "description",
				  m->entities[e].description
					  ? json_string(
						    m->entities[e].description)
					  : json_null(),
				  "origin", origin_json(info, lang)));
		size_t i;
		json_t *it;
		json_array_foreach((json_t *)info->purposes, i, it)
		{
			const char *p = dpex_processing_purpose(m, it, lang);
			if (p)
				add_unique(purposes, json_string(p));
		}
		for (unsigned b = 1; b < 1u << DPEX_NBASES; b <<= 1) {
			if (!(info->bases & b))
				continue;
			json_t *o = json_pack("{s:s, s:s}", "article",
					      dpex_basis_article(b), "basis",
					      dpex_basis_name(b));
			const json_t *d = basis_detail(info->legal_basis, b);
			if (d)
				json_object_set_new(o, "detail", text(d, lang));
			add_unique(bases, o);
		}
		*consent = *consent || (info->bases & DPEX_BASIS_CONSENT);
		json_array_foreach((json_t *)info->recipients, i, it)
			add_unique(recipients, recipient_json(m, it, lang));
		if (info->retention)
			add_unique(retention, text(info->retention, lang));
		if (json_is_null(decision) && json_is_object(info->automated)) {
			const json_t *a = info->automated;
			*automated = true;
			json_decref(decision);
			decision = json_pack(
				"{s:o, s:o, s:o, s:b}", "description",
				text(json_object_get(a, "description"), lang),
				"logic",
				text(json_object_get(a, "logic"), lang),
				"significance",
				text(json_object_get(a, "significance"), lang),
				"profiling",
				json_is_true(json_object_get(a, "profiling")));
		}
	}
	/* One retention text, as the contract has it; several joined. */
	json_t *ret = json_null();
	size_t n = json_array_size(retention);
	if (n == 1) {
		ret = json_incref(json_array_get(retention, 0));
	} else if (n > 1) {
		dpex_buf b = DPEX_BUF_INIT;
		for (size_t i = 0; i < n; i++)
			dpex_buf_printf(&b, "%s%s", i ? "; " : "",
					json_string_value(
						json_array_get(retention, i)));
		ret = json_string(b.data ? b.data : "");
		dpex_buf_free(&b);
	}
	json_decref(retention);
	const char *label = dpex_processing_text(lead->category, lang);
	return json_pack(
		"{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "category",
		label ? json_string(label) : json_null(), "key",
		lead->category_key ? json_string(lead->category_key)
				   : json_null(),
		"entities", entities, "purposes", purposes, "legal_basis",
		bases, "origin", origin_json(lead, lang), "retention", ret,
		"recipients", recipients, "automated_decision", decision);
}

static json_t *party(const dpex_datamap *m, const char *key,
		     const char *const *fields, const char *lang)
{
	const json_t *p = json_object_get(m->doc, key);
	if (!p)
		return json_null();
	json_t *o = json_object();
	for (const char *const *f = fields; *f; f++)
		json_object_set_new(o, *f, text(json_object_get(p, *f), lang));
	return o;
}

json_t *dpex_about_build(const dpex_about_input *in)
{
	const dpex_datamap *m = in->m;
	const char *lang = in->lang;
	json_t *categories = json_array();
	json_t *transfers = json_array();
	bool consent = false, automated = false;
	for (size_t e = 0; e < m->nentities; e++) {
		if (!dpex_scope_has_entity(in->scope, e) || in->rows[e] == 0)
			continue;
		const dpex_info *info = dpex_processing_entity(m, e);
		bool seen = false;
		for (size_t p = 0; p < e && !seen; p++)
			seen = dpex_scope_has_entity(in->scope, p) &&
			       in->rows[p] > 0 &&
			       same_group(dpex_processing_entity(m, p), info);
		if (seen)
			continue;
		json_t *c = category_json(in, e, &consent, &automated);
		size_t i;
		json_t *r;
		json_array_foreach(json_object_get(c, "recipients"), i, r)
		{
			const char *country = json_string_value(
				json_object_get(r, "country"));
			if (!country || dpex_country_in_eea(country))
				continue;
			json_t *who = json_object_get(r, "name");
			if (json_is_null(who))
				who = json_object_get(r, "category");
			add_unique(transfers,
				   json_pack("{s:O, s:s, s:O}", "recipient",
					     who, "country", country,
					     "safeguards",
					     json_object_get(r, "safeguards")));
		}
		json_array_append_new(categories, c);
	}
	json_t *list = json_array();
	for (size_t i = 0; i < sizeof(rights) / sizeof(rights[0]); i++)
		json_array_append_new(list, right_json(&rights[i], lang));
	if (consent)
		json_array_append_new(list, right_json(&right_consent, lang));
	if (automated)
		json_array_append_new(list, right_json(&right_automated, lang));
	json_array_append_new(list, right_json(&right_complaint, lang));
	static const char *const controller[] = {"name", "contact", "dpo",
						 "address", NULL};
	static const char *const authority[] = {"name", "url", "country", NULL};
	json_t *doc = json_pack(
		"{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "$schema",
		"about.schema.json", "request_id", in->request_id, "kind",
		dpex_request_kind_name(in->kind), "language", lang,
		"controller", party(m, "controller", controller, lang),
		"categories", categories, "third_country_transfers", transfers,
		"rights", list, "supervisory_authority",
		party(m, "supervisory_authority", authority, lang));
	if (!doc)
		return NULL;
	if (in->kind == DPEX_REQUEST_PORTABILITY)
		json_object_set_new(doc, "excluded",
				    dpex_scope_excluded(in->scope));
	json_object_set_new(doc, "redactions",
			    dpex_scope_redactions(in->scope));
	return doc;
}
