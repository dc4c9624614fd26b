#include "core/queue/deadline.h"

#include "core/base/error.h"

#include <stdlib.h>
#include <string.h>

static const dpex_regime regimes[] = {
	{"gdpr",
	 "GDPR (EU) 2016/679, Art. 12(3)",
	 {DPEX_PERIOD_MONTHS, 1},
	 {DPEX_PERIOD_MONTHS, 2},
	 false,
	 true,
	 false,
	 0},
	{"uk_gdpr",
	 "UK GDPR, Art. 12(3)",
	 {DPEX_PERIOD_MONTHS, 1},
	 {DPEX_PERIOD_MONTHS, 2},
	 false,
	 true,
	 true,
	 0},
	{"ccpa",
	 "CCPA/CPRA, Cal. Code Regs. tit. 11, § 7021",
	 {DPEX_PERIOD_DAYS, 45},
	 {DPEX_PERIOD_DAYS, 45},
	 true,
	 false,
	 false,
	 10},
	{"lgpd",
	 "LGPD (Lei 13.709/2018), Art. 19 II",
	 {DPEX_PERIOD_DAYS, 15},
	 {DPEX_PERIOD_NONE, 0},
	 false,
	 true,
	 false,
	 0},
};

#define N_REGIMES (sizeof(regimes) / sizeof(regimes[0]))

int dpex_regime_find(const dpex_regime **out, const char *name)
{
	for (size_t i = 0; i < N_REGIMES; i++)
		if (strcmp(regimes[i].name, name) == 0) {
			*out = &regimes[i];
			return 0;
		}
	return dpex_error_set(DPEX_EUSAGE,
			      "unknown regime \"%s\": choose gdpr, uk_gdpr, "
			      "ccpa or lgpd",
			      name);
}

int dpex_period_parse(dpex_period *out, const char *text)
{
	static const struct {
		const char *word;
		dpex_period_unit unit;
	} units[] = {
		{"d", DPEX_PERIOD_DAYS},
		{"day", DPEX_PERIOD_DAYS},
		{"days", DPEX_PERIOD_DAYS},
		{"w", DPEX_PERIOD_WEEKS},
		{"week", DPEX_PERIOD_WEEKS},
		{"weeks", DPEX_PERIOD_WEEKS},
		{"m", DPEX_PERIOD_MONTHS},
		{"month", DPEX_PERIOD_MONTHS},
		{"months", DPEX_PERIOD_MONTHS},
		{"wd", DPEX_PERIOD_WORKING_DAYS},
		{"working day", DPEX_PERIOD_WORKING_DAYS},
		{"working days", DPEX_PERIOD_WORKING_DAYS},
	};
	char *end;
	long n = strtol(text, &end, 10);
	if (end != text && text[0] >= '0' && text[0] <= '9' && n >= 1 &&
	    n <= 366) {
		while (*end == ' ')
			end++;
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strcmp(end, units[i].word) == 0) {
				*out = (dpex_period){units[i].unit, (int)n};
				return 0;
			}
	}
	return dpex_error_set(DPEX_EUSAGE,
			      "promise \"%s\" is not a period: write it as "
			      "\"30 days\", \"4 weeks\", \"1 month\" or \"20 "
			      "working days\" (1 to 366)",
			      text);
}

static dpex_date add_period(const dpex_calendar *cal, dpex_date d,
			    dpex_period p)
{
	switch (p.unit) {
	case DPEX_PERIOD_DAYS:
		return dpex_date_add_days(d, p.n);
	case DPEX_PERIOD_WEEKS:
		return dpex_date_add_days(d, 7L * p.n);
	case DPEX_PERIOD_MONTHS:
		return dpex_date_add_months(d, p.n);
	case DPEX_PERIOD_WORKING_DAYS:
		return dpex_calendar_add_working_days(cal, d, p.n);
	case DPEX_PERIOD_NONE:
		break;
	}
	return d;
}

static dpex_date start_of(const dpex_deadline_input *in)
{
	if (in->regime->waits_for_identity && in->identity_received &&
	    dpex_date_cmp(*in->identity_received, in->received) > 0)
		return *in->identity_received;
	return in->received;
}

/* The last day of a period of the regime's that runs from start. */
static dpex_date last_day(const dpex_deadline_input *in, dpex_date start,
			  dpex_period p)
{
	dpex_date d = add_period(in->calendar, start, p);
	if (in->regime->day_of_receipt_counts)
		d = dpex_date_add_days(d, -1);
	if (in->regime->moves_off_holidays)
		d = dpex_calendar_next_working_day(in->calendar, d);
	return d;
}

/* The extension runs from the same start as the first period, for both
 * together: 1 + 2 months, or 45 + 45 days. */
static dpex_period whole_extended(const dpex_regime *r)
{
	return (dpex_period){r->period.unit, r->period.n + r->extension.n};
}

int dpex_deadline_compute(dpex_deadline *out, const dpex_deadline_input *in)
{
	const dpex_regime *r = in->regime;
	dpex_deadline d = {.start = start_of(in)};
	d.legal_due = last_day(in, d.start, r->period);
	d.due = d.legal_due;
	if (in->promise.unit != DPEX_PERIOD_NONE) {
		dpex_date p =
			add_period(in->calendar, in->received, in->promise);
		if (dpex_date_cmp(p, d.due) < 0) {
			d.due = p;
			d.promise_is_due = true;
		}
	}
	d.can_extend = r->extension.unit != DPEX_PERIOD_NONE;
	if (d.can_extend)
		d.extended = last_day(in, d.start, whole_extended(r));
	d.acknowledge = r->acknowledge_working_days > 0;
	if (d.acknowledge)
		d.acknowledge_by = dpex_calendar_add_working_days(
			in->calendar, in->received,
			r->acknowledge_working_days);
	*out = d;
	return 0;
}

int dpex_deadline_extend(dpex_date *out, const dpex_deadline_input *in,
			 dpex_date today, bool extended_before)
{
	dpex_deadline d;
	int rc = dpex_deadline_compute(&d, in);
	if (rc < 0)
		return rc;
	if (!d.can_extend)
		return dpex_error_set(DPEX_EUSAGE,
				      "%s allows no extension: the answer is "
				      "due on its first deadline",
				      in->regime->title);
	if (extended_before)
		return dpex_error_set(DPEX_EUSAGE,
				      "the request was extended already: %s "
				      "allows one extension",
				      in->regime->title);
	if (dpex_date_cmp(today, d.legal_due) > 0) {
		char due[11];
		dpex_date_format(due, d.legal_due);
		return dpex_error_set(DPEX_EUSAGE,
				      "too late to extend: the first period "
				      "ended on %s, and %s lets the controller "
				      "extend only while it runs (the person "
				      "must be told within it)",
				      due, in->regime->title);
	}
	*out = d.extended;
	return 0;
}
