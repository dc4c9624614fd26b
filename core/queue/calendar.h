/*
 * calendar: which days are working days in a country, for deadlines that
 * move off weekends and public holidays (Regulation 1182/71, Art. 3(4);
 * the ICO's guidance for UK GDPR; Código Civil art. 132 §1 for LGPD).
 *
 * Built in: NL, SE, FI, GB (England and Wales), US (federal) and BR
 * (national), each with its public holidays only. Days off that are not
 * public holidays (Christmas Eve, Midsummer Eve, a company's own closing
 * days) are not in them: a longer period than the law gives is the one
 * mistake a deadline must not make. A calendar file adds or removes days:
 *
 *   {"country": "SE",
 *    "holidays": {"2027-12-24": "Julafton"},
 *    "working_days": ["2030-05-05"]}
 *
 * Saturdays and Sundays are never working days.
 */
#ifndef DPEX_QUEUE_CALENDAR_H
#define DPEX_QUEUE_CALENDAR_H

#include "core/queue/date.h"

#include <stdbool.h>

typedef struct dpex_calendar dpex_calendar;

/* The built-in calendar of country (an ISO 3166 code, any case), or of
 * weekends only for "none". DPEX_EUSAGE naming the known ones otherwise. */
int dpex_calendar_new(dpex_calendar **out, const char *country);

/* A calendar file as above; DPEX_EUSAGE with the file, line and what is
 * wrong. */
int dpex_calendar_load(dpex_calendar **out, const char *path);

void dpex_calendar_free(dpex_calendar *c);

/* The country code the calendar is for ("NL", or "none"); borrowed. */
const char *dpex_calendar_country(const dpex_calendar *c);

/* The holiday's name when d is a public holiday, else NULL; borrowed. */
const char *dpex_calendar_holiday(const dpex_calendar *c, dpex_date d);

/* Neither a Saturday, a Sunday nor a holiday. */
bool dpex_calendar_working_day(const dpex_calendar *c, dpex_date d);

/* d if it is a working day, else the next one. */
dpex_date dpex_calendar_next_working_day(const dpex_calendar *c, dpex_date d);

/* The n-th working day after d (d itself not counted): "within 10
 * business days of receipt". */
dpex_date dpex_calendar_add_working_days(const dpex_calendar *c, dpex_date d,
					 int n);

#endif
