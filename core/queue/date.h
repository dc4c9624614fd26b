/*
 * date: calendar dates (proleptic Gregorian), as the law counts them.
 *
 * Deadlines are whole days in the controller's calendar: a request received
 * at 23:59 on 31 January is due on the last day of February, whatever the
 * hour. These helpers do the arithmetic on dates alone, with no time zone.
 */
#ifndef DPEX_QUEUE_DATE_H
#define DPEX_QUEUE_DATE_H

#include <stdbool.h>

typedef struct dpex_date {
	int year;  /* 1 to 9999 */
	int month; /* 1 to 12 */
	int day;   /* 1 to the month's length */
} dpex_date;

/* Reads "YYYY-MM-DD" exactly (a real date, years 1 to 9999); DPEX_EUSAGE
 * with the message naming what (e.g. "received-at") otherwise. */
int dpex_date_parse(dpex_date *out, const char *text, const char *what);

/* Writes "YYYY-MM-DD" and the terminating NUL into buf. */
void dpex_date_format(char buf[11], dpex_date d);

bool dpex_date_valid(dpex_date d);
int dpex_date_days_in_month(int year, int month);

/* Days since 1970-01-01 (negative before), and back. */
long dpex_date_to_days(dpex_date d);
dpex_date dpex_date_from_days(long days);

/* ISO weekday: 1 Monday ... 7 Sunday. */
int dpex_date_weekday(dpex_date d);

dpex_date dpex_date_add_days(dpex_date d, long days);

/* The day n months later with the same day number, or the month's last
 * day when it has no such day: Regulation (EEC, Euratom) No 1182/71,
 * Art. 3(2)(c), so 31 January + 1 month is 28 (or 29) February. */
dpex_date dpex_date_add_months(dpex_date d, int months);

/* <0, 0, >0 as a is before, on or after b. */
int dpex_date_cmp(dpex_date a, dpex_date b);

/* Easter Sunday of a Gregorian year (the church's computus). */
dpex_date dpex_date_easter(int year);

/* The n-th (1-based) given ISO weekday of a month, or with n = -1 its
 * last one ("the last Monday of May"). */
dpex_date dpex_date_nth_weekday(int year, int month, int weekday, int n);

#endif
