#include "exporter.h"

/* Placeholder until the xlsx exporter lands. */
const dpex_exporter_ops dpex_exporter_xlsx = {.name = "xlsx"};
