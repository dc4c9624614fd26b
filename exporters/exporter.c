#include "exporters/exporter.h"

#include <string.h>

static const dpex_exporter_ops *const all[] = {
	&dpex_exporter_json,
	&dpex_exporter_csv,
	&dpex_exporter_xlsx,
	&dpex_exporter_csv_safe,
};

const dpex_exporter_ops *dpex_exporter_find(const char *name)
{
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}
