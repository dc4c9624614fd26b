#include "archive.h"
/* Placeholder until the archive module lands. */
