/*
 * xlsx_ceiling: how many small workbooks libxlsxwriter alone writes per
 * second, set up as dpex's xlsx exporter sets it up (constant_memory, its
 * temporary files in a directory on the output's file system, one sheet
 * per entity with a bold header, a frozen first row and seven formats).
 * Nothing else is done: no database, no other format, no archive. Its rate
 * is therefore a ceiling for `dpex bulk` with xlsx among the formats.
 *
 *   xlsx_ceiling DIR WORKBOOKS SHEETS COLUMNS ROWS
 *
 * writes WORKBOOKS workbooks of SHEETS sheets of COLUMNS columns and ROWS
 * data rows in all (spread over the sheets: text, numbers and dates) to DIR,
 * removing each after it is closed, and prints "workbooks/s".
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr,
			"usage: xlsx_ceiling DIR WORKBOOKS SHEETS COLUMNS "
			"ROWS\n");
		return 2;
	}
	const char *dir = argv[1];
	int books = atoi(argv[2]), sheets = atoi(argv[3]);
	int columns = atoi(argv[4]), rows = atoi(argv[5]);
	if (books < 1 || sheets < 1 || columns < 1 || rows < 0) {
		fprintf(stderr, "xlsx_ceiling: numbers must be positive\n");
		return 2;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int b = 0; b < books; b++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%d.xlsx", dir, b);
		lxw_workbook_options opt = {.constant_memory = LXW_TRUE,
					    .tmpdir = (char *)dir};
		lxw_workbook *wb = workbook_new_opt(path, &opt);
		if (!wb) {
			fprintf(stderr, "xlsx_ceiling: cannot start %s\n",
				path);
			return 1;
		}
		lxw_format *bold = workbook_add_format(wb);
		format_set_bold(bold);
		lxw_format *date = workbook_add_format(wb);
		format_set_num_format(date, "yyyy-mm-dd");
		const char *more[] = {"yyyy-mm-dd hh:mm:ss",
				      "yyyy-mm-dd hh:mm:ss.000", "hh:mm:ss",
				      "hh:mm:ss.000", "@"};
		for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++)
			format_set_num_format(workbook_add_format(wb), more[i]);
		for (int s = 0; s < sheets; s++) {
			char name[32];
			snprintf(name, sizeof(name), "entity_%d", s);
			lxw_worksheet *ws = workbook_add_worksheet(wb, name);
			for (int c = 0; c < columns; c++)
				worksheet_write_string(ws, 0, (lxw_col_t)c,
						       "column", bold);
			worksheet_freeze_panes(ws, 1, 0);
			int mine = rows / sheets + (s < rows % sheets);
			for (int r = 1; r <= mine; r++)
				for (int c = 0; c < columns; c++) {
					lxw_col_t cc = (lxw_col_t)c;
					if (c % 3 == 0)
						worksheet_write_number(
							ws, (lxw_row_t)r, cc,
							r * 7.25, NULL);
					else if (c % 3 == 1)
						worksheet_write_string(
							ws, (lxw_row_t)r, cc,
							"Stationsplein 1",
							NULL);
					else
						worksheet_write_datetime(
							ws, (lxw_row_t)r, cc,
							&(lxw_datetime){2024, 5,
									17, 9,
									30, 0},
							date);
				}
		}
		if (workbook_close(wb) != LXW_NO_ERROR) {
			fprintf(stderr, "xlsx_ceiling: cannot write %s\n",
				path);
			return 1;
		}
		unlink(path);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) +
		   (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%.1f\n", books / s);
	return 0;
}
