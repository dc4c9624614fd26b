/* libFuzzer target: the data map parser. Any bytes must end in a map or in
 * problems with places, never in a crash, a leak or undefined behaviour;
 * a map that loads must also plan for each of its identifiers. */
#include "core/map/datamap.h"
#include "core/base/error.h"
#include "core/pg/plan.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dpex_datamap *m = NULL;
	dpex_diags d = DPEX_DIAGS_INIT;
	int rc = dpex_datamap_parse(&m, "fuzz.json", (const char *)data, size,
				    &d);
	if (rc == 0) {
		for (size_t i = 0; i < m->nidentifiers; i++) {
			int given = (int)i;
			dpex_plan *p = NULL;
			if (dpex_plan_build(&p, m, &given, 1) == 0) {
				/* The checks promise every entity is
				 * reachable from any identifier. */
				for (size_t e = 0; e < p->nentities; e++)
					if (!p->entities[e].reachable)
						abort();
			}
			dpex_plan_free(p);
		}
	} else if (d.errors == 0 && rc != DPEX_ENOMEM) {
		abort(); /* a refusal must say why */
	}
	dpex_datamap_free(m);
	dpex_diags_free(&d);
	return 0;
}
