/*
 * deadline: when an answer is due, per legal regime, to the day.
 *
 *   regime    period                         extension            moves off
 *   gdpr      1 calendar month (1182/71)     +2 months, once      weekends,
 * holidays uk_gdpr   1 calendar month (ICO)         +2 months, once weekends,
 * holidays ccpa      45 calendar days               +45 days, once       no
 *   lgpd      15 days                        none                 weekends,
 * holidays
 *
 * A month is counted as Regulation 1182/71 Art. 3 counts it: the day of
 * receipt is not counted and the period ends on the same day number of
 * the next month, or that month's last day (31 January -> 28/29 February);
 * a last day on a Saturday, Sunday or public holiday moves to the next
 * working day (Art. 3(4)). An extension counts from the same start as the
 * first period (three months in all: the ICO's reading of Art. 12(3)),
 * and may be taken only once and only while the first period runs (the
 * person must be told within it).
 *
 * Whether the clock waits for identity information is the regime's:
 *   gdpr     no: Art. 12(3) counts from receipt of the request, and dpex
 *            takes the reading that can never make an answer late;
 *   uk_gdpr  yes: the period begins when the controller receives the
 *            identity information it asked for (UK GDPR Art. 12(3) as
 *            amended by the Data (Use and Access) Act 2025; ICO guidance);
 *   ccpa     no: "regardless of time required to verify" (Cal. Code Regs.
 *            tit. 11, § 7021(b)); the period begins on the day of receipt,
 *            which is its first day;
 *   lgpd     no: Art. 19 II counts from the date of the request.
 *
 * The company's own promise ("4 weeks", "30 days") is kept as stated,
 * never moved off a weekend, and wins when it is earlier than the law's.
 */
#ifndef DPEX_QUEUE_DEADLINE_H
#define DPEX_QUEUE_DEADLINE_H

#include "core/queue/calendar.h"
#include "core/queue/date.h"

#include <stdbool.h>

typedef enum dpex_period_unit {
	DPEX_PERIOD_NONE = 0,
	DPEX_PERIOD_DAYS,
	DPEX_PERIOD_WEEKS,
	DPEX_PERIOD_MONTHS,
	DPEX_PERIOD_WORKING_DAYS,
} dpex_period_unit;

typedef struct dpex_period {
	dpex_period_unit unit;
	int n;
} dpex_period;

typedef struct dpex_regime {
	const char *name;   /* "gdpr" */
	const char *title;  /* "GDPR (EU) 2016/679, Art. 12(3)" */
	dpex_period period; /* the first period */
	dpex_period extension;
	bool day_of_receipt_counts; /* ccpa: day 1 is the day of receipt */
	bool moves_off_holidays;
	bool waits_for_identity;
	int acknowledge_working_days; /* ccpa: 10; else 0 */
} dpex_regime;

/* The regime called name ("gdpr", "uk_gdpr", "ccpa", "lgpd"); DPEX_EUSAGE
 * naming the known ones otherwise. The result is static. */
int dpex_regime_find(const dpex_regime **out, const char *name);

/* A company's promise: "30 days", "4 weeks", "1 month", "20 working days"
 * (also "30d", "4w", "1m", "20wd"). DPEX_EUSAGE otherwise. */
int dpex_period_parse(dpex_period *out, const char *text);

typedef struct dpex_deadline_input {
	const dpex_regime *regime;
	const dpex_calendar *calendar;
	dpex_date received;
	/* When the identity information asked for came in, or NULL; only
	 * regimes that wait for it use it. */
	const dpex_date *identity_received;
	dpex_period promise; /* DPEX_PERIOD_NONE for none */
} dpex_deadline_input;

typedef struct dpex_deadline {
	dpex_date start;     /* the day the period runs from */
	dpex_date legal_due; /* the law's last day */
	dpex_date due;	     /* the earlier of the law's and the promise's */
	bool promise_is_due; /* the promise was earlier */
	bool can_extend;     /* the regime allows an extension */
	dpex_date extended;  /* the extension's last day, if it can */
	bool acknowledge;    /* the regime asks for a confirmation */
	dpex_date acknowledge_by;
} dpex_deadline;

/* Computes the deadlines of a request received on in->received. */
int dpex_deadline_compute(dpex_deadline *out, const dpex_deadline_input *in);

/* The due date after an extension decided on today: DPEX_EUSAGE, with the
 * reason in the message, when the regime has none, when it was extended
 * before, or when the first period ended before today. */
int dpex_deadline_extend(dpex_date *out, const dpex_deadline_input *in,
			 dpex_date today, bool extended_before);

#endif
