/*
 * tmpdir: a fresh private directory for each test of a suite, removed
 * with everything in it after the test.
 *
 *   #define TMPDIR_PREFIX "dpex-archive"
 *   #include "tmpdir.h"
 *   TestSuite(archive, .init = make_dir, .fini = remove_dir);
 *
 * dir holds its path; the thread's error message starts empty.
 */
#ifndef DPEX_TESTS_TMPDIR_H
#define DPEX_TESTS_TMPDIR_H

#include "core/base/error.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

static char dir[64];

static void make_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/%s-XXXXXX", TMPDIR_PREFIX);
	cr_assert_not_null(mkdtemp(dir));
	dpex_error_clear();
}

static void remove_dir(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

#endif
