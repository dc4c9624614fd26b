/*
 * sqlhint: how a user fixes what a database reported.
 *
 * libpq and the server say what went wrong; a person answering an access
 * request also needs to know what to do about it. These hints are keyed by
 * SQLSTATE (PostgreSQL's documented error codes, Appendix A), so they do
 * not depend on the server's language.
 */
#ifndef DPEX_SQLHINT_H
#define DPEX_SQLHINT_H

/* The fix for a failed statement with this SQLSTATE; NULL if none fits. */
const char *dpex_sqlhint(const char *sqlstate);

/* The fix for a connection that could not be made. */
const char *dpex_sqlhint_connect(void);

/* The fix for a connection lost in the middle of the work. */
const char *dpex_sqlhint_lost(void);

#endif
