#include "core/queue/date.h"

#include "core/base/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int dpex_date_days_in_month(int year, int month)
{
	static const int len[] = {31, 28, 31, 30, 31, 30,
				  31, 31, 30, 31, 30, 31};
	return month == 2 && leap(year) ? 29 : len[month - 1];
}

bool dpex_date_valid(dpex_date d)
{
	return d.year >= 1 && d.year <= 9999 && d.month >= 1 && d.month <= 12 &&
	       d.day >= 1 && d.day <= dpex_date_days_in_month(d.year, d.month);
}

int dpex_date_parse(dpex_date *out, const char *text, const char *what)
{
	bool shape = strlen(text) == 10 && text[4] == '-' && text[7] == '-';
	for (int i = 0; shape && i < 10; i++)
		if (i != 4 && i != 7 && (text[i] < '0' || text[i] > '9'))
			shape = false;
	dpex_date d = {0};
	if (shape) {
		d.year = atoi(text);
		d.month = atoi(text + 5);
		d.day = atoi(text + 8);
	}
	if (!shape || !dpex_date_valid(d))
		return dpex_error_set(DPEX_EUSAGE,
				      "%s: \"%s\" is not a date: write it as "
				      "YYYY-MM-DD (e.g. 2027-01-31)",
				      what, text);
	*out = d;
	return 0;
}

void dpex_date_format(char buf[11], dpex_date d)
{
	unsigned y = (unsigned)d.year % 10000, m = (unsigned)d.month % 100,
		 dd = (unsigned)d.day % 100;
	snprintf(buf, 11, "%04u-%02u-%02u", y, m, dd);
}

/* Days from civil date and back, counting in 400-year eras that start on
 * 1 March, so the leap day is the era-year's last (the usual derivation of
 * a Gregorian day number). */
long dpex_date_to_days(dpex_date d)
{
	long y = d.year - (d.month <= 2);
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy =
		(153 * (d.month + (d.month > 2 ? -3 : 9)) + 2) / 5 + d.day - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

dpex_date dpex_date_from_days(long z)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	int day = (int)(doy - (153 * mp + 2) / 5 + 1);
	int month = (int)(mp < 10 ? mp + 3 : mp - 9);
	int year = (int)(yoe + era * 400 + (month <= 2));
	return (dpex_date){year, month, day};
}

int dpex_date_weekday(dpex_date d)
{
	long days = dpex_date_to_days(d); /* 1970-01-01 was a Thursday */
	long w = ((days % 7) + 7 + 3) % 7;
	return (int)w + 1;
}

dpex_date dpex_date_add_days(dpex_date d, long days)
{
	return dpex_date_from_days(dpex_date_to_days(d) + days);
}

dpex_date dpex_date_add_months(dpex_date d, int months)
{
	int m0 = d.year * 12 + (d.month - 1) + months;
	dpex_date r = {m0 / 12, m0 % 12 + 1, d.day};
	int last = dpex_date_days_in_month(r.year, r.month);
	if (r.day > last)
		r.day = last;
	return r;
}

int dpex_date_cmp(dpex_date a, dpex_date b)
{
	long x = dpex_date_to_days(a), y = dpex_date_to_days(b);
	return (x > y) - (x < y);
}

/* The anonymous Gregorian computus (Meeus, Astronomical Algorithms). */
dpex_date dpex_date_easter(int y)
{
	int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
	int f = (b + 8) / 25, g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31;
	int day = (h + l - 7 * m + 114) % 31 + 1;
	return (dpex_date){y, month, day};
}

dpex_date dpex_date_nth_weekday(int year, int month, int weekday, int n)
{
	if (n < 0) {
		dpex_date last = {year, month,
				  dpex_date_days_in_month(year, month)};
		int back = (dpex_date_weekday(last) - weekday + 7) % 7;
		return dpex_date_add_days(last, -back);
	}
	dpex_date first = {year, month, 1};
	int ahead = (weekday - dpex_date_weekday(first) + 7) % 7;
	return dpex_date_add_days(first, ahead + 7L * (n - 1));
}
