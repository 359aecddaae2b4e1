/* SPDX-License-Identifier: BSD-3-Clause */
/* The suites the test files added (UNIT_SUITES), for the runners. */
#include <stdio.h>
#include <stdlib.h>

#include "tests.h"

#define MAX_SUITE_FILES 64

static void (*fns[MAX_SUITE_FILES])(void);
static unsigned n_fns;

void
unit_suite_add(void (*fn)(void))
{
	if (n_fns == MAX_SUITE_FILES) {
		fprintf(stderr, "unit: more than %d suite files\n", MAX_SUITE_FILES);
		abort();
	}
	fns[n_fns++] = fn;
}

void
unit_suites_register(void)
{
	for (unsigned i = 0; i < n_fns; i++)
		fns[i]();
}
