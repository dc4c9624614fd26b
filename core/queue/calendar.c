#include "core/queue/calendar.h"

#include "core/base/error.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct day_entry {
	dpex_date date;
	char *name;
} day_entry;

struct dpex_calendar {
	char country[8];
	day_entry *added; /* from a calendar file */
	size_t n_added;
	dpex_date *removed;
	size_t n_removed;
};

/* At most this many public holidays in any built-in country's year. */
#define MAX_HOLIDAYS 24

typedef struct year_list {
	day_entry day[MAX_HOLIDAYS];
	size_t n;
} year_list;

static void add(year_list *l, dpex_date d, const char *name)
{
	if (l->n < MAX_HOLIDAYS)
		l->day[l->n++] = (day_entry){d, (char *)name};
}

static void add_ymd(year_list *l, int y, int m, int d, const char *name)
{
	add(l, (dpex_date){y, m, d}, name);
}

static void add_easter(year_list *l, int y, int offset, const char *name)
{
	add(l, dpex_date_add_days(dpex_date_easter(y), offset), name);
}

/* The first date from month/first_day on that falls on weekday. */
static dpex_date weekday_from(int y, int m, int first_day, int weekday)
{
	dpex_date d = {y, m, first_day};
	return dpex_date_add_days(d, (weekday - dpex_date_weekday(d) + 7) % 7);
}

/* Algemene termijnenwet art. 3: the days that extend a period. Good
 * Friday is not among them. */
static void netherlands(year_list *l, int y)
{
	add_ymd(l, y, 1, 1, "Nieuwjaarsdag");
	add_easter(l, y, 0, "Eerste Paasdag");
	add_easter(l, y, 1, "Tweede Paasdag");
	if (y >= 2014) {
		dpex_date k = {y, 4, 27};
		add(l, dpex_date_weekday(k) == 7 ? (dpex_date){y, 4, 26} : k,
		    "Koningsdag");
	} else {
		dpex_date k = {y, 4, 30};
		add(l, dpex_date_weekday(k) == 7 ? (dpex_date){y, 4, 29} : k,
		    "Koninginnedag");
	}
	add_ymd(l, y, 5, 5, "Bevrijdingsdag");
	add_easter(l, y, 39, "Hemelvaartsdag");
	add_easter(l, y, 49, "Eerste Pinksterdag");
	add_easter(l, y, 50, "Tweede Pinksterdag");
	add_ymd(l, y, 12, 25, "Eerste Kerstdag");
	add_ymd(l, y, 12, 26, "Tweede Kerstdag");
}

/* Lag (1989:253) om allmänna helgdagar. */
static void sweden(year_list *l, int y)
{
	add_ymd(l, y, 1, 1, "Nyårsdagen");
	add_ymd(l, y, 1, 6, "Trettondedag jul");
	add_easter(l, y, -2, "Långfredagen");
	add_easter(l, y, 0, "Påskdagen");
	add_easter(l, y, 1, "Annandag påsk");
	add_ymd(l, y, 5, 1, "Första maj");
	add_easter(l, y, 39, "Kristi himmelsfärdsdag");
	add_easter(l, y, 49, "Pingstdagen");
	if (y >= 2005)
		add_ymd(l, y, 6, 6, "Sveriges nationaldag");
	add(l, weekday_from(y, 6, 20, 6), "Midsommardagen");
	add(l, weekday_from(y, 10, 31, 6), "Alla helgons dag");
	add_ymd(l, y, 12, 25, "Juldagen");
	add_ymd(l, y, 12, 26, "Annandag jul");
}

/* Finland's public holidays (Laki 150/1930 and the church calendar). */
static void finland(year_list *l, int y)
{
	add_ymd(l, y, 1, 1, "Uudenvuodenpäivä");
	add_ymd(l, y, 1, 6, "Loppiainen");
	add_easter(l, y, -2, "Pitkäperjantai");
	add_easter(l, y, 0, "Pääsiäispäivä");
	add_easter(l, y, 1, "2. pääsiäispäivä");
	add_ymd(l, y, 5, 1, "Vappu");
	add_easter(l, y, 39, "Helatorstai");
	add_easter(l, y, 49, "Helluntaipäivä");
	add(l, weekday_from(y, 6, 20, 6), "Juhannuspäivä");
	add(l, weekday_from(y, 10, 31, 6), "Pyhäinpäivä");
	add_ymd(l, y, 12, 6, "Itsenäisyyspäivä");
	add_ymd(l, y, 12, 25, "Joulupäivä");
	add_ymd(l, y, 12, 26, "Tapaninpäivä");
}

/* England and Wales: the Banking and Financial Dealings Act 1971 with its
 * substitute days, and the one-off days proclaimed since 2002. */
static void britain(year_list *l, int y)
{
	static const struct {
		dpex_date d;
		const char *name;
	} special[] = {
		{{2002, 6, 3}, "Golden Jubilee bank holiday"},
		{{2011, 4, 29}, "Royal wedding bank holiday"},
		{{2012, 6, 5}, "Diamond Jubilee bank holiday"},
		{{2022, 6, 3}, "Platinum Jubilee bank holiday"},
		{{2022, 9, 19}, "State funeral of Queen Elizabeth II"},
		{{2023, 5, 8}, "Coronation bank holiday"},
	};
	dpex_date ny = {y, 1, 1};
	int w = dpex_date_weekday(ny);
	add(l, w >= 6 ? dpex_date_add_days(ny, 8 - w) : ny, "New Year's Day");
	add_easter(l, y, -2, "Good Friday");
	add_easter(l, y, 1, "Easter Monday");
	if (y == 1995 || y == 2020)
		add_ymd(l, y, 5, 8, "Early May bank holiday (VE day)");
	else
		add(l, dpex_date_nth_weekday(y, 5, 1, 1),
		    "Early May bank holiday");
	if (y == 2002 || y == 2012 || y == 2022)
		add_ymd(l, y, 6, y == 2022 ? 2 : 4, "Spring bank holiday");
	else
		add(l, dpex_date_nth_weekday(y, 5, 1, -1),
		    "Spring bank holiday");
	add(l, dpex_date_nth_weekday(y, 8, 1, -1), "Summer bank holiday");
	int c = dpex_date_weekday((dpex_date){y, 12, 25});
	int christmas = c == 6 ? 27 : 25, boxing = c == 5 || c == 6 ? 28 : 26;
	if (c == 7)
		christmas = 27;
	add_ymd(l, y, 12, christmas, "Christmas Day");
	add_ymd(l, y, 12, boxing, "Boxing Day");
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		if (special[i].d.year == y)
			add(l, special[i].d, special[i].name);
}

/* A federal holiday on a Saturday is observed the Friday before, on a
 * Sunday the Monday after (5 U.S.C. 6103(b)). */
static void add_observed(year_list *l, dpex_date d, const char *name)
{
	int w = dpex_date_weekday(d);
	add(l,
	    w == 6   ? dpex_date_add_days(d, -1)
	    : w == 7 ? dpex_date_add_days(d, 1)
		     : d,
	    name);
}

/* 5 U.S.C. 6103(a). */
static void united_states(year_list *l, int y)
{
	add_observed(l, (dpex_date){y, 1, 1}, "New Year's Day");
	if (dpex_date_weekday((dpex_date){y + 1, 1, 1}) == 6)
		add_ymd(l, y, 12, 31, "New Year's Day (observed)");
	if (y >= 1986)
		add(l, dpex_date_nth_weekday(y, 1, 1, 3),
		    "Birthday of Martin Luther King, Jr.");
	add(l, dpex_date_nth_weekday(y, 2, 1, 3), "Washington's Birthday");
	add(l, dpex_date_nth_weekday(y, 5, 1, -1), "Memorial Day");
	if (y >= 2021)
		add_observed(l, (dpex_date){y, 6, 19},
			     "Juneteenth National Independence Day");
	add_observed(l, (dpex_date){y, 7, 4}, "Independence Day");
	add(l, dpex_date_nth_weekday(y, 9, 1, 1), "Labor Day");
	add(l, dpex_date_nth_weekday(y, 10, 1, 2), "Columbus Day");
	add_observed(l, (dpex_date){y, 11, 11}, "Veterans Day");
	add(l, dpex_date_nth_weekday(y, 11, 4, 4), "Thanksgiving Day");
	add_observed(l, (dpex_date){y, 12, 25}, "Christmas Day");
}

/* Brazil's national holidays (Leis 662/1949, 6.802/1980, 14.759/2023);
 * Good Friday is a municipal holiday (Lei 9.093/1995), so not here. */
static void brazil(year_list *l, int y)
{
	add_ymd(l, y, 1, 1, "Confraternização Universal");
	add_ymd(l, y, 4, 21, "Tiradentes");
	add_ymd(l, y, 5, 1, "Dia do Trabalho");
	add_ymd(l, y, 9, 7, "Independência do Brasil");
	add_ymd(l, y, 10, 12, "Nossa Senhora Aparecida");
	add_ymd(l, y, 11, 2, "Finados");
	add_ymd(l, y, 11, 15, "Proclamação da República");
	if (y >= 2024)
		add_ymd(l, y, 11, 20,
			"Dia Nacional de Zumbi e da Consciência "
			"Negra");
	add_ymd(l, y, 12, 25, "Natal");
}

static void no_holidays(year_list *l, int y)
{
	(void)l;
	(void)y;
}

static const struct country {
	const char *code;
	void (*holidays)(year_list *l, int year);
} countries[] = {
	{"NL", netherlands},   {"SE", sweden},	      {"FI", finland},
	{"GB", britain},       {"US", united_states}, {"BR", brazil},
	{"none", no_holidays},
};

#define N_COUNTRIES (sizeof(countries) / sizeof(countries[0]))

static const struct country *find_country(const char *code)
{
	for (size_t i = 0; i < N_COUNTRIES; i++)
		if (strcasecmp(countries[i].code, code) == 0)
			return &countries[i];
	return NULL;
}

int dpex_calendar_new(dpex_calendar **out, const char *country)
{
	const struct country *k = find_country(country);
	if (!k)
		return dpex_error_set(DPEX_EUSAGE,
				      "no holiday calendar for country \"%s\": "
				      "choose NL, SE, FI, GB, US, BR or none, "
				      "or give a calendar file",
				      country);
	dpex_calendar *c = dpex_calloc(1, sizeof(*c));
	if (!c)
		return DPEX_ENOMEM;
	strcpy(c->country, k->code);
	*out = c;
	return 0;
}

void dpex_calendar_free(dpex_calendar *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_added; i++)
		free(c->added[i].name);
	free(c->added);
	free(c->removed);
	free(c);
}

const char *dpex_calendar_country(const dpex_calendar *c)
{
	return c->country;
}

static int file_error(const char *path, int line, const char *what)
{
	if (line > 0)
		return dpex_error_set(DPEX_EUSAGE, "%s:%d: %s", path, line,
				      what);
	return dpex_error_set(DPEX_EUSAGE, "%s: %s", path, what);
}

static int load_days(dpex_calendar *c, const char *path, json_t *root)
{
	json_t *holidays = json_object_get(root, "holidays");
	json_t *working = json_object_get(root, "working_days");
	if (holidays && !json_is_object(holidays))
		return file_error(path, 0,
				  "\"holidays\" must be an object of "
				  "\"YYYY-MM-DD\": \"name\"");
	if (working && !json_is_array(working))
		return file_error(path, 0,
				  "\"working_days\" must be an array of "
				  "\"YYYY-MM-DD\" dates");
	size_t n = holidays ? json_object_size(holidays) : 0;
	c->added = dpex_calloc(n ? n : 1, sizeof(*c->added));
	size_t m = working ? json_array_size(working) : 0;
	c->removed = dpex_calloc(m ? m : 1, sizeof(*c->removed));
	if (!c->added || !c->removed)
		return DPEX_ENOMEM;
	const char *key;
	json_t *value;
	json_object_foreach(holidays, key, value)
	{
		day_entry *e = &c->added[c->n_added];
		if (dpex_date_parse(&e->date, key, path) < 0)
			return DPEX_EUSAGE;
		if (!json_is_string(value))
			return file_error(path, 0,
					  "each holiday's value must be its "
					  "name, a string");
		if (!(e->name = dpex_strdup(json_string_value(value))))
			return DPEX_ENOMEM;
		c->n_added++;
	}
	size_t i;
	json_array_foreach(working, i, value)
	{
		if (!json_is_string(value))
			return file_error(path, 0,
					  "\"working_days\" must hold "
					  "\"YYYY-MM-DD\" strings");
		if (dpex_date_parse(&c->removed[c->n_removed],
				    json_string_value(value), path) < 0)
			return DPEX_EUSAGE;
		c->n_removed++;
	}
	return 0;
}

int dpex_calendar_load(dpex_calendar **out, const char *path)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return file_error(path, jerr.line, jerr.text);
	int rc;
	json_t *country = json_object_get(root, "country");
	if (!json_is_object(root) || !json_is_string(country)) {
		rc = file_error(path, 0,
				"a calendar file is an object with "
				"\"country\" (e.g. \"NL\", or \"none\")");
		json_decref(root);
		return rc;
	}
	dpex_calendar *c = NULL;
	rc = dpex_calendar_new(&c, json_string_value(country));
	if (rc == 0)
		rc = load_days(c, path, root);
	json_decref(root);
	if (rc < 0) {
		dpex_calendar_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

const char *dpex_calendar_holiday(const dpex_calendar *c, dpex_date d)
{
	for (size_t i = 0; i < c->n_removed; i++)
		if (dpex_date_cmp(c->removed[i], d) == 0)
			return NULL;
	for (size_t i = 0; i < c->n_added; i++)
		if (dpex_date_cmp(c->added[i].date, d) == 0)
			return c->added[i].name;
	year_list l = {.n = 0};
	find_country(c->country)->holidays(&l, d.year);
	for (size_t i = 0; i < l.n; i++)
		if (dpex_date_cmp(l.day[i].date, d) == 0)
			return l.day[i].name;
	return NULL;
}

bool dpex_calendar_working_day(const dpex_calendar *c, dpex_date d)
{
	return dpex_date_weekday(d) <= 5 && !dpex_calendar_holiday(c, d);
}

dpex_date dpex_calendar_next_working_day(const dpex_calendar *c, dpex_date d)
{
	while (!dpex_calendar_working_day(c, d))
		d = dpex_date_add_days(d, 1);
	return d;
}

dpex_date dpex_calendar_add_working_days(const dpex_calendar *c, dpex_date d,
					 int n)
{
	while (n > 0) {
		d = dpex_date_add_days(d, 1);
		if (dpex_calendar_working_day(c, d))
			n--;
	}
	return d;
}
