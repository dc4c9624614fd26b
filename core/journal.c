#include "journal.h"

#include "buf.h"
#include "error.h"

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

typedef struct entry {
	dpex_journal_entry e;
	char *text; /* the fields point into it */
	size_t seq; /* later entries win */
} entry;

struct dpex_journal {
	int fd;
	char *path;
	pthread_mutex_t lock;
	entry *items;
	size_t count, cap;
	bool sorted;
};

/* Tabs and line ends would break the line format. */
static void put_field(dpex_buf *b, const char *s, bool last)
{
	for (; s && *s; s++)
		dpex_buf_putc(b, (*s == '\t' || *s == '\n' || *s == '\r') ? ' '
									  : *s);
	dpex_buf_putc(b, last ? '\n' : '\t');
}

/* Splits a line (in place, owned by the entry) into its fields. */
static int add_parsed(dpex_journal *j, char *text)
{
	char *f[7];
	size_t n = 0;
	char *p = text;
	f[n++] = p;
	while (*p && n < 7) {
		if (*p == '\t') {
			*p = '\0';
			f[n++] = p + 1;
		}
		p++;
	}
	if (n != 7) {
		free(text);
		return 0; /* not an entry: ignore */
	}
	if (j->count == j->cap) {
		size_t cap = j->cap ? j->cap * 2 : 1024;
		entry *items = dpex_realloc(j->items, cap * sizeof(*items));
		if (!items) {
			free(text);
			return DPEX_ENOMEM;
		}
		j->items = items;
		j->cap = cap;
	}
	j->items[j->count] = (entry){
		.e = {.status = f[0],
		      .request_id = f[1],
		      .rows = atoll(f[2]),
		      .bytes = atoll(f[3]),
		      .sha256 = f[4],
		      .archive = f[5],
		      .error = f[6]},
		.text = text,
		.seq = j->count,
	};
	j->count++;
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
			char *copy = dpex_strdup(line);
			rc = copy ? add_parsed(j, copy) : DPEX_ENOMEM;
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
		dpex_buf_free(&b);
		return rc;
	}
	if (ftruncate(j->fd, good) != 0)
		return dpex_error_set(DPEX_EOUTPUT, "writing %s: %s", j->path,
				      strerror(errno));
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

static int by_id_then_seq(const void *a, const void *b)
{
	const entry *x = a, *y = b;
	int c = strcmp(x->e.request_id, y->e.request_id);
	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

const dpex_journal_entry *dpex_journal_find(const dpex_journal *jc,
					    const char *request_id)
{
	dpex_journal *j = (dpex_journal *)jc;
	pthread_mutex_lock(&j->lock);
	if (!j->sorted && j->count > 0) {
		qsort(j->items, j->count, sizeof(*j->items), by_id_then_seq);
		j->sorted = true;
	}
	/* The last entry with this id. */
	size_t lo = 0, hi = j->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(j->items[mid].e.request_id, request_id) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	const dpex_journal_entry *e = NULL;
	if (lo > 0 && strcmp(j->items[lo - 1].e.request_id, request_id) == 0)
		e = &j->items[lo - 1].e;
	pthread_mutex_unlock(&j->lock);
	return e;
}

bool dpex_journal_finished(const dpex_journal *j, const char *request_id)
{
	const dpex_journal_entry *e = dpex_journal_find(j, request_id);
	return e && (strcmp(e->status, "ok") == 0 ||
		     strcmp(e->status, "not_found") == 0);
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
		b.data[b.len - 1] = '\0';
		char *text = dpex_buf_steal(&b);
		rc = add_parsed(j, text);
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
	for (size_t i = 0; i < j->count; i++)
		free(j->items[i].text);
	free(j->items);
	free(j->path);
	pthread_mutex_destroy(&j->lock);
	free(j);
}
