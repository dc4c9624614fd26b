/* What a killed export leaves (its spool) is removed by the next export
 * into the same directory, and nothing else is: not a live export's spool,
 * not a spool being made, not the user's files. */
#include "core/archive/archive.h"
#include "core/base/error.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TMPDIR_PREFIX "dpex-sweep"
#include "tmpdir.h"

TestSuite(archive_sweep, .init = make_dir, .fini = remove_dir);

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Entries of path, except . and .., as "a b c" in sorted order; the new
 * spool, whose name is random, as ".dpex-spool-NEW". */
static char *listing(const char *path, const char *spool)
{
	const char *names[64];
	size_t n = 0;
	const char *base = spool ? strrchr(spool, '/') + 1 : "";
	DIR *d = opendir(path);
	cr_assert_not_null(d);
	struct dirent *e;
	while ((e = readdir(d)) != NULL && n < 64)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			names[n++] = strdup(strcmp(e->d_name, base) == 0
						    ? ".dpex-spool-NEW"
						    : e->d_name);
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	char *out = calloc(1, 4096);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(out, " ");
		strcat(out, names[i]);
		free((void *)names[i]);
	}
	return out;
}

static void make(const char *name, bool directory, bool with_file)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (directory) {
		cr_assert_eq(mkdir(path, 0700), 0);
		if (with_file) {
			strcat(path, "/0.part");
			FILE *f = fopen(path, "w");
			fputs("rows of a dead export", f);
			fclose(f);
		}
	} else {
		FILE *f = fopen(path, "w");
		fputs("mine", f);
		fclose(f);
	}
}

Test(archive_sweep, dead_spools_go_and_nothing_else)
{
	make(".dpex-spool-dead01", true, true);
	make(".dpex-spool-dead02", true, false);
	make(".dpex-spool-live01", true, true);
	make(".dpex-spool-afile", false, false);
	make(".dpex-new-fresh1", true, false);
	make(".dpex-new-stale1", true, false);
	make("notes.txt", false, false);
	make(".dpex-other", true, true);
	/* A spool made by a process that died two minutes ago, before it
	 * could lock and rename it. */
	char path[256];
	snprintf(path, sizeof(path), "%s/.dpex-new-stale1", dir);
	struct timespec old[2] = {{time(NULL) - 120, 0}, {time(NULL) - 120, 0}};
	cr_assert_eq(utimensat(AT_FDCWD, path, old, 0), 0);
	/* A live export holds its spool's lock. */
	snprintf(path, sizeof(path), "%s/.dpex-spool-live01", dir);
	int live = open(path, O_RDONLY | O_DIRECTORY);
	cr_assert_eq(flock(live, LOCK_EX), 0);

	dpex_archive *a = NULL;
	dpex_archive_options opt = {
		.out_dir = dir, .name = "dpex-r1.zip", .compress = true};
	cr_assert_eq(dpex_archive_open(&a, &opt), 0, "%s",
		     dpex_error_message());
	char *ls = listing(dir, dpex_archive_spool_dir(a));
	cr_expect_str_eq(ls, ".dpex-new-fresh1 .dpex-other .dpex-spool-NEW "
			     ".dpex-spool-afile .dpex-spool-live01 notes.txt");
	free(ls);

	/* The new spool is locked too: a second export leaves it alone. */
	dpex_archive *b = NULL;
	opt.name = "dpex-r2.zip";
	cr_assert_eq(dpex_archive_open(&b, &opt), 0);
	cr_expect_eq(access(dpex_archive_spool_dir(a), F_OK), 0);
	dpex_archive_free(b);
	dpex_archive_free(a);
	close(live);
}
