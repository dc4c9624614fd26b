/*
 * pyrun: a shell command's output, and a Python script that checks a file
 * with independent readers (zipfile, openpyxl) and prints "ok".
 *
 * Include after tmpdir.h: the script is written beside dir.
 */
#ifndef DPEX_TESTS_PYRUN_H
#define DPEX_TESTS_PYRUN_H

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline char *vcapture(int *status, const char *fmt, va_list ap)
{
	char cmd[1024];
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	size_t cap = 1 << 16, len = 0, n;
	char *out = malloc(cap);
	while ((n = fread(out + len, 1, cap - len - 1, p)) > 0) {
		len += n;
		if (cap - len < 2)
			out = realloc(out, cap *= 2);
	}
	out[len] = '\0';
	*status = pclose(p);
	return out;
}

/* Runs a shell command; returns its standard output (free it); *status
 * its exit status as pclose gives it. */
static inline char *capture(int *status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *out = vcapture(status, fmt, ap);
	va_end(ap);
	return out;
}

/* The same for a command that must succeed. */
static inline char *capture_ok(const char *fmt, ...)
{
	int status;
	va_list ap;
	va_start(ap, fmt);
	char *out = vcapture(&status, fmt, ap);
	va_end(ap);
	cr_assert_eq(status, 0, "%s: %s", fmt, out);
	return out;
}

/* Runs script (Python, Debian's: it has openpyxl) with path as argv[1];
 * returns what it printed (free it); the test fails unless it exits 0. */
static inline char *run_python(const char *script, const char *path)
{
	char py[128];
	snprintf(py, sizeof(py), "%s.py", dir);
	FILE *f = fopen(py, "w");
	cr_assert_not_null(f);
	fputs(script, f);
	fclose(f);
	int status;
	char *out =
		capture(&status, "/usr/bin/python3 '%s' '%s' 2>&1", py, path);
	unlink(py);
	cr_assert_eq(status, 0, "python:\n%s", out);
	return out;
}

/* run_python for a script that prints "ok" alone when all is well. */
static inline void check_with_python(const char *script, const char *path)
{
	char *out = run_python(script, path);
	cr_assert_str_eq(out, "ok\n");
	free(out);
}

#endif
