#include "core/run/journal.h"

#include "core/base/buf.h"
#include "core/base/error.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEADER "# dpex bulk journal 1\t"

/*
 * In memory, an entry is its subject's request id (16 bytes: bulk's ids are
 * "s" and 32 hex digits), whether it is finished and where its line is in
 * the file: 32 bytes, whatever its error says. The line itself is read
 * back when asked for, so a run of a million subjects holds 32 MB here,
 * not the journal.
 */
typedef struct entry {
	unsigned char id[16];
	bool finished;
	off_t at; /* its line's offset; later lines win */
} entry;

struct dpex_journal {
	int fd;
	char *path;
	pthread_mutex_t lock;
	entry *items;
	size_t count, cap;
	bool sorted;
	off_t end; /* where the next line goes */
};

/* Tabs and line ends would break the line format. */
static void put_field(dpex_buf *b, const char *s, bool last)
{
	for (; s && *s; s++)
		dpex_buf_putc(b, (*s == '\t' || *s == '\n' || *s == '\r') ? ' '
									  : *s);
	dpex_buf_putc(b, last ? '\n' : '\t');
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
				      : -1;
}

/* A bulk request id ("s" and 32 lowercase hex digits) in 16 bytes. */
static bool id_bytes(const char *id, size_t len, unsigned char out[16])
{
	if (len != 33 || id[0] != 's')
		return false;
	for (size_t i = 0; i < 16; i++) {
		int hi = hex_digit(id[1 + 2 * i]),
		    lo = hex_digit(id[2 + 2 * i]);
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return true;
}

/* Splits a line (without its newline, in place) into its seven fields;
 * false when it is not an entry. */
static bool split(char *line, dpex_journal_entry *e)
{
	char *f[7];
	size_t n = 0;
	char *p = line;
	f[n++] = p;
	while (*p && n < 7) {
		if (*p == '\t') {
			*p = '\0';
			f[n++] = p + 1;
		}
		p++;
	}
	if (n != 7)
		return false;
	*e = (dpex_journal_entry){.status = f[0],
				  .request_id = f[1],
				  .rows = atoll(f[2]),
				  .bytes = atoll(f[3]),
				  .sha256 = f[4],
				  .archive = f[5],
				  .error = f[6]};
	return true;
}

static bool finished(const char *status)
{
	return strcmp(status, "ok") == 0 || strcmp(status, "not_found") == 0;
}

/* Indexes the line at offset at; one that is not an entry is ignored. */
static int add_line(dpex_journal *j, char *line, off_t at)
{
	dpex_journal_entry e;
	entry x = {.at = at};
	if (!split(line, &e) ||
	    !id_bytes(e.request_id, strlen(e.request_id), x.id))
		return 0;
	x.finished = finished(e.status);
	if (j->count == j->cap) {
		size_t cap = j->cap ? j->cap * 2 : 1024;
		entry *items = dpex_realloc(j->items, cap * sizeof(*items));
		if (!items)
			return DPEX_ENOMEM;
		j->items = items;
		j->cap = cap;
	}
	j->items[j->count++] = x;
	j->sorted = false;
	return 0;
}

/* Reads the entries; a last line without its newline (torn by a crash) is
 * cut off so the next append starts a clean line. */
static int load(dpex_journal *j, const char *fingerprint)
{
	FILE *f = fdopen(dup(j->fd), "r");
	if (!f)
		return dpex_error_set(DPEX_EOUTPUT, "reading %s: %s", j->path,
				      strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	off_t good = 0;
	int rc = 0;
	bool first = true;
	while (!rc && (n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] != '\n')
			break;
		line[n - 1] = '\0';
		if (first) {
			first = false;
			if (strncmp(line, HEADER, strlen(HEADER)) != 0)
				rc = dpex_error_set(
					DPEX_EUSAGE,
					"%s is not a dpex bulk journal: choose "
					"another --out directory",
					j->path);
			else if (strcmp(line + strlen(HEADER), fingerprint))
				rc = dpex_error_set(
					DPEX_EUSAGE,
					"%s was written by a run with other "
					"options (%s, now %s): rerun with the "
					"same --format, --store, --kind and "
					"--lang, or choose another --out "
					"directory",
					j->path, line + strlen(HEADER),
					fingerprint);
		} else {
			rc = add_line(j, line, good);
		}
		good += n;
	}
	free(line);
	fclose(f);
	if (rc)
		return rc;
	if (first) {
		/* New (or torn before its header was whole). */
		dpex_buf b = DPEX_BUF_INIT;
		dpex_buf_printf(&b, "%s%s\n", HEADER, fingerprint);
		if (ftruncate(j->fd, 0) != 0 ||
		    pwrite(j->fd, b.data, b.len, 0) != (ssize_t)b.len)
			rc = dpex_error_set(DPEX_EOUTPUT, "writing %s: %s",
					    j->path, strerror(errno));
		j->end = (off_t)b.len;
		dpex_buf_free(&b);
		return rc;
	}
	if (ftruncate(j->fd, good) != 0)
		return dpex_error_set(DPEX_EOUTPUT, "writing %s: %s", j->path,
				      strerror(errno));
	j->end = good;
	return 0;
}

int dpex_journal_open(dpex_journal **out, const char *dir,
		      const char *fingerprint)
{
	*out = NULL;
	dpex_journal *j = dpex_calloc(1, sizeof(*j));
	if (!j)
		return DPEX_ENOMEM;
	j->fd = -1;
	pthread_mutex_init(&j->lock, NULL);
	j->path = dpex_asprintf("%s/journal.tsv", dir);
	if (!j->path) {
		dpex_journal_close(j);
		return DPEX_ENOMEM;
	}
	j->fd = open(j->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	int rc = 0;
	if (j->fd < 0)
		rc = dpex_error_set(DPEX_EOUTPUT, "opening %s: %s", j->path,
				    strerror(errno));
	else if (flock(j->fd, LOCK_EX | LOCK_NB) != 0)
		rc = dpex_error_set(DPEX_EUSAGE,
				    "another dpex bulk run is using %s: wait "
				    "for it, or choose another --out directory",
				    dir);
	if (!rc)
		rc = load(j, fingerprint);
	if (rc) {
		dpex_journal_close(j);
		return rc;
	}
	*out = j;
	return 0;
}

static int by_id_then_at(const void *a, const void *b)
{
	const entry *x = a, *y = b;
	int c = memcmp(x->id, y->id, sizeof(x->id));
	if (c)
		return c;
	return x->at < y->at ? -1 : x->at > y->at;
}

/* The latest entry for id, or NULL; call with the lock held. */
static const entry *latest(dpex_journal *j, const unsigned char id[16])
{
	if (!j->sorted && j->count > 0) {
		qsort(j->items, j->count, sizeof(*j->items), by_id_then_at);
		j->sorted = true;
	}
	size_t lo = 0, hi = j->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (memcmp(j->items[mid].id, id, 16) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && memcmp(j->items[lo - 1].id, id, 16) == 0
		       ? &j->items[lo - 1]
		       : NULL;
}

/* The line at offset at, without its newline, into text. */
static int read_line(dpex_journal *j, off_t at, dpex_buf *text)
{
	dpex_buf_clear(text);
	for (;;) {
		char chunk[512];
		ssize_t n = pread(j->fd, chunk, sizeof(chunk),
				  at + (off_t)text->len);
		if (n <= 0)
			return dpex_error_set(
				DPEX_EOUTPUT, "reading %s: %s", j->path,
				n < 0 ? strerror(errno) : "a line is missing");
		char *nl = memchr(chunk, '\n', (size_t)n);
		int rc = dpex_buf_append(text, chunk,
					 nl ? (size_t)(nl - chunk) : (size_t)n);
		if (rc || nl)
			return rc;
	}
}

int dpex_journal_find(dpex_journal *j, const char *request_id,
		      dpex_journal_entry *e, dpex_buf *text)
{
	unsigned char id[16];
	if (!id_bytes(request_id, strlen(request_id), id))
		return 0;
	pthread_mutex_lock(&j->lock);
	const entry *x = latest(j, id);
	off_t at = x ? x->at : -1;
	pthread_mutex_unlock(&j->lock);
	if (at < 0)
		return 0;
	int rc = read_line(j, at, text);
	if (rc)
		return rc;
	if (!split(text->data, e))
		return dpex_error_set(DPEX_EOUTPUT,
				      "%s changed while dpex was using it",
				      j->path);
	return 1;
}

bool dpex_journal_finished(dpex_journal *j, const char *request_id)
{
	unsigned char id[16];
	if (!id_bytes(request_id, strlen(request_id), id))
		return false;
	pthread_mutex_lock(&j->lock);
	const entry *x = latest(j, id);
	bool done = x && x->finished;
	pthread_mutex_unlock(&j->lock);
	return done;
}

int dpex_journal_append(dpex_journal *j, const dpex_journal_entry *e)
{
	dpex_buf b = DPEX_BUF_INIT;
	put_field(&b, e->status, false);
	put_field(&b, e->request_id, false);
	dpex_buf_printf(&b, "%lld\t%lld\t", e->rows, e->bytes);
	put_field(&b, e->sha256, false);
	put_field(&b, e->archive, false);
	put_field(&b, e->error, true);
	if (!b.data)
		return DPEX_ENOMEM;
	pthread_mutex_lock(&j->lock);
	/* One write() per line on an O_APPEND file: a crash tears at most
	 * the last line. No fsync: a lost line only means redoing a subject. */
	ssize_t w = write(j->fd, b.data, b.len);
	int rc = 0;
	if (w != (ssize_t)b.len) {
		rc = dpex_error_set(DPEX_EOUTPUT, "writing %s: %s", j->path,
				    w < 0 ? strerror(errno) : "short write");
	} else {
		off_t at = j->end;
		j->end += w;
		b.data[b.len - 1] = '\0';
		rc = add_line(j, b.data, at);
	}
	pthread_mutex_unlock(&j->lock);
	dpex_buf_free(&b);
	return rc;
}

void dpex_journal_close(dpex_journal *j)
{
	if (!j)
		return;
	if (j->fd >= 0)
		close(j->fd); /* releases the lock */
	free(j->items);
	free(j->path);
	pthread_mutex_destroy(&j->lock);
	free(j);
}
