#include "exporter.h"

/* Placeholder until the json exporter lands. */
const dpex_exporter_ops dpex_exporter_json = {.name = "json"};
