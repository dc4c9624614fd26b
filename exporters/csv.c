#include "exporter.h"

/* Placeholder until the csv exporter lands. */
const dpex_exporter_ops dpex_exporter_csv = {.name = "csv"};
