/*
 * migrations: the control database's schema versions, embedded from
 * schemas/control/NNNN_*.sql at build time (scripts/embed-sql).
 */
#ifndef DPEX_QUEUE_MIGRATIONS_H
#define DPEX_QUEUE_MIGRATIONS_H

typedef struct dpex_migration {
	int version; /* 1, 2, ... without gaps */
	const char *name;
	const char *sql;
} dpex_migration;

extern const dpex_migration dpex_migrations[];
extern const int dpex_migrations_count;

#endif
