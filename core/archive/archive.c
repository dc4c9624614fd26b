#include "core/archive/archive.h"

#include "exporters/jsonw.h"
#include "core/archive/deflate.h"
#include "core/base/error.h"
#include "core/base/utf8.h"
#include "core/archive/zipw.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

/* Large enough that a member costs one write(2) per 64 KiB, small enough
 * that many open members (one CSV per entity) stay cheap. */
#define SINK_BUFFER (64 * 1024)

/* A member is kept in memory while it is this small and the archive's
 * members together stay under ARCHIVE_MEMORY; past either cap it moves to
 * a spool file. Most subjects' archives are a few KiB: kept whole, their
 * ZIP is built in memory too, so an archive costs one file (its hidden
 * name) instead of one per member plus libzip's temporary copy, and memory
 * stays bounded by these caps whatever the subject. */
#define MEMBER_MEMORY (256 * 1024)
#define ARCHIVE_MEMORY (1024 * 1024)

/* libzip 1.10 names "the whole file" ZIP_LENGTH_TO_END (0); earlier
 * versions, such as Debian 12's 1.7.3, take 0 to mean the same. */
#ifndef ZIP_LENGTH_TO_END
#define ZIP_LENGTH_TO_END 0
#endif

#define MANIFEST_NAME "manifest.json"

/* The level libzip is given with ZIP_CM_DEFLATE. Every deflated member
 * reaches libzip deflated already (core/archive/deflate.h: at once in memory,
 * or as it is written to its spool file), with a stat that says so, and libzip
 * copies it: zlib never runs. Ignored when stored. */
#define DEFLATE_LEVEL 1

typedef struct member {
	char *name; /* in the ZIP */
	char *path; /* in the spool; NULL while the member is in memory */
	char *mem;  /* the member's bytes while path is NULL */
	size_t mem_len;
	bool packed;	      /* path holds the member deflated (spool_write) */
	uint32_t crc;	      /* when packed: of the member's bytes */
	uint64_t packed_size; /* when packed: of path */
	uint64_t size;
	long long rows;
	char sha256[2 * 32 + 1]; /* lowercase hex */
	bool done;		 /* size and digest are final */
	unsigned int first;	 /* > 0: listed first, in this order */
	dpex_sink *sink;	 /* while being written */
} member;

struct dpex_sink {
	dpex_archive *archive;
	size_t member; /* index: the member array may move */
	int fd;
	char *buf;
	size_t len;
	EVP_MD_CTX *md;
	uint64_t size;
	int failed_errno; /* the errno of the write that failed, or 0 */
	/* A spilled member that is to be deflated: deflated into its spool
	 * file as it comes (spool_write). */
	dpex_deflate_stream *stream;
	dpex_buf packed; /* what the stream gave out last */
	uint32_t crc;
	uint64_t packed_size;
};

struct dpex_archive {
	char *out_dir;
	char *name;
	bool compress;
	char *spool;  /* out_dir/.dpex-spool-XXXXXX */
	int spool_fd; /* holds the spool's lock while the archive lives */
	bool spool_borrowed; /* options.spool_dir: emptied, not removed */
	bool unpublished;
	unsigned int next_file;
	unsigned int nfirst; /* members moved first so far */
	size_t mem_total;    /* bytes of members in memory, <= ARCHIVE_MEMORY */
	member *members;
	size_t nmembers;
	size_t cap;
	zip_t *zip;	/* during commit */
	char *tmp_path; /* the ZIP under its hidden name, during commit */
	bool committed;
	char zip_sha256[2 * 32 + 1]; /* of the ZIP written, once committed */
	long long zip_size;
};

static int output_error(const dpex_archive *a, const char *what, int err)
{
	return dpex_error_set(DPEX_EOUTPUT, "writing %s in %s: %s", what,
			      a->out_dir, strerror(err));
}

/* ZIP member names are paths inside the archive: they must not climb out
 * of the directory it is extracted into (".." or a leading '/'), and
 * manifest.json is written by commit. */
static int check_member_name(const dpex_archive *a, const char *name)
{
	size_t len = strlen(name);
	const char *why = NULL;
	if (len == 0)
		why = "it is empty";
	else if (dpex_utf8_valid_prefix(name, len) != len)
		why = "it is not valid UTF-8";
	else if (strchr(name, '\\'))
		why = "it contains a backslash";
	else if (strcmp(name, MANIFEST_NAME) == 0)
		why = "the manifest has that name";
	for (const char *p = name; !why && p <= name + len;) {
		size_t n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			why = "each part of the path must be a plain name";
		p += n + 1;
	}
	for (size_t i = 0; !why && i < a->nmembers; i++)
		if (strcmp(a->members[i].name, name) == 0)
			why = "another member has that name";
	if (why)
		return dpex_error_set(DPEX_EUSAGE,
				      "archive member \"%s\" is refused: %s",
				      name, why);
	return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		if (w == 0)
			return EIO; /* not expected from a regular file */
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void hex(char *out, const unsigned char *digest, unsigned int n)
{
	static const char digits[] = "0123456789abcdef";
	for (unsigned int i = 0; i < n; i++) {
		out[2 * i] = digits[digest[i] >> 4];
		out[2 * i + 1] = digits[digest[i] & 0xF];
	}
	out[2 * n] = '\0';
}

static int digest_final(EVP_MD_CTX *md, char *out)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (EVP_DigestFinal_ex(md, digest, &n) != 1 || n != 32)
		return dpex_error_set(DPEX_EINTERNAL,
				      "SHA-256 could not be computed");
	hex(out, digest, n);
	return 0;
}

/* Fetched once: OpenSSL 3 looks SHA-256 up again at every
 * EVP_DigestInit_ex given EVP_sha256(), about 1% of bulk's CPU with a
 * digest per member. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void fetch_sha256(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static int digest_new(EVP_MD_CTX **out)
{
	pthread_once(&sha256_once, fetch_sha256);
	*out = EVP_MD_CTX_new();
	if (!*out)
		return dpex_error_oom();
	if (!sha256_md || EVP_DigestInit_ex(*out, sha256_md, NULL) != 1) {
		EVP_MD_CTX_free(*out);
		*out = NULL;
		return dpex_error_set(DPEX_EINTERNAL,
				      "SHA-256 is not available");
	}
	return 0;
}

static void sink_release(dpex_sink *s)
{
	if (s->fd >= 0)
		close(s->fd);
	dpex_deflate_stream_free(s->stream);
	dpex_buf_free(&s->packed);
	EVP_MD_CTX_free(s->md);
	free(s->buf);
	free(s);
}

/* Removes every file in the spool, including any an exporter left there,
 * then the spool itself. A borrowed spool (bulk) is emptied instead: the
 * members' files are truncated and kept, and the next archive writes
 * into them again (an exporter empties its own, as xlsxw does). A file
 * removed on ext4 leaves an inode that every file created in the next
 * minutes searches past (recently_deleted): removing the spooled members
 * of every large subject made creating each archive of a bulk run take
 * hundreds of microseconds. The borrowed spool's owner removes it. */
static void remove_spool(dpex_archive *a)
{
	if (!a->spool)
		return;
	for (size_t i = 0; i < a->nmembers; i++) {
		const char *path = a->members[i].path;
		if (path && (a->spool_borrowed ? truncate(path, 0)
					       : unlink(path)) != 0) {
			/* Best effort: the spool's removal takes it. */
		}
	}
	DIR *d = a->spool_borrowed ? NULL : opendir(a->spool);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				continue;
			if (unlinkat(dirfd(d), e->d_name, 0) != 0 &&
			    errno == EISDIR)
				unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
		}
		closedir(d);
	}
	if (!a->spool_borrowed)
		rmdir(a->spool);
	free(a->spool);
	a->spool = NULL;
	if (a->spool_fd >= 0)
		close(a->spool_fd);
	a->spool_fd = -1;
}

#define SPOOL_PREFIX ".dpex-spool-"
#define NEW_SPOOL_PREFIX ".dpex-new-"
/* A new spool is locked and renamed within microseconds; one older than
 * this that nobody holds was left by a process that died in between. */
#define NEW_SPOOL_STALE_SECONDS 60

/* Empties and removes the spool directory name in dir (an fd). */
static void remove_dir_at(int dir, const char *name)
{
	int fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	unlinkat(dir, name, AT_REMOVEDIR);
}

/* Removes what exports killed in out_dir left behind (SIGKILL, a crash, a
 * power cut: no chance to clean up). A live export holds a lock on its
 * spool, which the kernel drops when the process dies, so only the dead
 * ones' spools are taken; and only this user's. Best effort: a spool that
 * cannot be removed is left for the next run. */
static void sweep_stale(const char *out_dir)
{
	DIR *d = opendir(out_dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		bool spool = strncmp(e->d_name, SPOOL_PREFIX,
				     strlen(SPOOL_PREFIX)) == 0;
		bool fresh = strncmp(e->d_name, NEW_SPOOL_PREFIX,
				     strlen(NEW_SPOOL_PREFIX)) == 0;
		if (!spool && !fresh)
			continue;
		struct stat st;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
			continue;
		if (fresh && time(NULL) - st.st_mtime < NEW_SPOOL_STALE_SECONDS)
			continue;
		int fd = openat(dirfd(d), e->d_name,
				O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			remove_dir_at(dirfd(d), e->d_name);
		close(fd);
	}
	closedir(d);
}

/* Makes the spool: created under a name the sweep leaves alone, locked,
 * then renamed to its spool name, so no other dpex can ever see it
 * unlocked. mkdtemp makes it 0700: the spool holds personal data. */
static int make_spool(dpex_archive *a)
{
	char *fresh =
		dpex_asprintf("%s/" NEW_SPOOL_PREFIX "XXXXXX", a->out_dir);
	if (!fresh)
		return DPEX_ENOMEM;
	int rc = 0;
	if (!mkdtemp(fresh)) {
		rc = dpex_error_set(DPEX_EOUTPUT,
				    "creating a spool directory in %s: %s",
				    a->out_dir, strerror(errno));
		free(fresh);
		return rc;
	}
	const char *suffix = fresh + strlen(fresh) - 6;
	a->spool = dpex_asprintf("%s/" SPOOL_PREFIX "%s", a->out_dir, suffix);
	a->spool_fd = open(fresh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (!a->spool) {
		rc = DPEX_ENOMEM;
	} else if (a->spool_fd < 0 || flock(a->spool_fd, LOCK_EX) != 0 ||
		   renameat2(AT_FDCWD, fresh, AT_FDCWD, a->spool,
			     RENAME_NOREPLACE) != 0) {
		rc = dpex_error_set(DPEX_EOUTPUT,
				    "creating a spool directory in %s: %s",
				    a->out_dir, strerror(errno));
	}
	if (rc) {
		rmdir(fresh);
		free(a->spool);
		a->spool = NULL;
		if (a->spool_fd >= 0)
			close(a->spool_fd);
		a->spool_fd = -1;
	}
	free(fresh);
	return rc;
}

static int check_out_dir(const char *dir)
{
	struct stat st;
	if (stat(dir, &st) != 0) {
		if (errno == ENOENT)
			return dpex_error_set(
				DPEX_EOUTPUT,
				"output directory \"%s\" does not exist: "
				"create it or choose another with --out",
				dir);
		return dpex_error_set(DPEX_EOUTPUT,
				      "output directory \"%s\": %s", dir,
				      strerror(errno));
	}
	if (!S_ISDIR(st.st_mode))
		return dpex_error_set(DPEX_EOUTPUT,
				      "output directory \"%s\" is not a "
				      "directory: choose another with --out",
				      dir);
	if (access(dir, W_OK | X_OK) != 0)
		return dpex_error_set(
			DPEX_EOUTPUT,
			"output directory \"%s\" is not writable: "
			"grant write permission or choose another with --out",
			dir);
	return 0;
}

static int check_not_there(const dpex_archive *a, const char *final)
{
	struct stat st;
	if (lstat(final, &st) == 0)
		return dpex_error_set(DPEX_EOUTPUT,
				      "archive \"%s\" already exists: dpex "
				      "never overwrites an archive; move it "
				      "away or choose another with --out",
				      final);
	if (errno != ENOENT)
		return output_error(a, a->name, errno);
	return 0;
}

int dpex_archive_open(dpex_archive **out, const dpex_archive_options *opt)
{
	*out = NULL;
	if (!opt->name[0] || strchr(opt->name, '/') ||
	    strcmp(opt->name, ".") == 0 || strcmp(opt->name, "..") == 0)
		return dpex_error_set(DPEX_EUSAGE,
				      "archive name \"%s\" must be a plain "
				      "file name",
				      opt->name);
	int rc = check_out_dir(opt->out_dir);
	if (rc)
		return rc;
	dpex_archive *a = dpex_calloc(1, sizeof(*a));
	if (!a)
		return DPEX_ENOMEM;
	a->compress = opt->compress;
	a->spool_fd = -1;
	a->unpublished = opt->unpublished;
	a->out_dir = dpex_strdup(opt->out_dir);
	a->name = dpex_strdup(opt->name);
	char *final = dpex_asprintf("%s/%s", opt->out_dir, opt->name);
	if (!a->out_dir || !a->name || !final) {
		rc = DPEX_ENOMEM;
		goto done;
	}
	/* Refuse early, before the sources are read; commit checks again. */
	rc = check_not_there(a, final);
	if (rc)
		goto done;
	if (opt->spool_dir) {
		/* Bulk: the caller's spool, which it locks and sweeps. */
		a->spool = dpex_strdup(opt->spool_dir);
		a->spool_borrowed = true;
		if (!a->spool)
			rc = DPEX_ENOMEM;
	} else {
		sweep_stale(opt->out_dir);
		rc = make_spool(a);
	}
done:
	free(final);
	if (rc) {
		dpex_archive_free(a);
		return rc;
	}
	*out = a;
	return 0;
}

static int add_member(dpex_archive *a, const char *name, char *path,
		      member **out)
{
	if (a->nmembers == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 8;
		member *m = dpex_realloc(a->members, cap * sizeof(*m));
		if (!m)
			return DPEX_ENOMEM;
		a->members = m;
		a->cap = cap;
	}
	char *copy = dpex_strdup(name);
	if (!copy)
		return DPEX_ENOMEM;
	member *m = &a->members[a->nmembers++];
	*m = (member){.name = copy, .path = path, .rows = -1};
	*out = m;
	return 0;
}

/* A fresh path inside the spool directory. */
static char *spool_path(dpex_archive *a, const char *suffix)
{
	assert(a->spool && !a->committed);
	/* Numbered, not named after the member: a member name may hold '/'
	 * and anything a data map allows. */
	return dpex_asprintf("%s/%u%s", a->spool, a->next_file++,
			     suffix ? suffix : "");
}

const char *dpex_archive_spool_dir(const dpex_archive *a)
{
	return a->spool;
}

const char *dpex_archive_out_dir(const dpex_archive *a)
{
	return a->out_dir;
}

int dpex_archive_member_open(dpex_archive *a, const char *name, dpex_sink **out)
{
	*out = NULL;
	int rc = check_member_name(a, name);
	if (rc)
		return rc;
	dpex_sink *s = dpex_calloc(1, sizeof(*s));
	if (!s)
		return DPEX_ENOMEM;
	s->fd = -1;
	s->archive = a;
	s->buf = dpex_malloc(SINK_BUFFER);
	rc = s->buf ? digest_new(&s->md) : DPEX_ENOMEM;
	/* In memory until it outgrows the caps (sink_emit). */
	member *m;
	if (!rc)
		rc = add_member(a, name, NULL, &m);
	if (rc) {
		sink_release(s);
		return rc;
	}
	s->member = a->nmembers - 1;
	m->sink = s;
	*out = s;
	return 0;
}

static const char *sink_name(const dpex_sink *s)
{
	return s->archive->members[s->member].name;
}

/* Whether member name is deflated: not when the archive is stored, nor
 * when it is an XLSX file, a ZIP already: deflating it again costs as much
 * CPU as the rest of the archive and gains nothing. */
static bool to_deflate(const dpex_archive *a, const char *name)
{
	size_t len = strlen(name);
	return a->compress &&
	       !(len > 5 && strcmp(name + len - 5, ".xlsx") == 0);
}

static int sink_failed(dpex_sink *s, int err)
{
	s->failed_errno = err;
	return output_error(s->archive, sink_name(s), err);
}

/* Writes n bytes of a spilled member to its spool file (the end of the
 * member if last). A member to be deflated is deflated on the way, by
 * ISA-L (core/archive/deflate.h), and handed to libzip as it is: faster than
 * libzip's zlib, and the spool file holds a fraction of the bytes. */
static int spool_write(dpex_sink *s, const char *p, size_t n, bool last)
{
	if (!s->stream) {
		int err = write_all(s->fd, p, n);
		return err ? sink_failed(s, err) : 0;
	}
	do {
		size_t take = n < SINK_BUFFER ? n : SINK_BUFFER;
		s->crc = dpex_crc32(s->crc, p, take);
		int rc = dpex_deflate_stream_write(s->stream, &s->packed, p,
						   take, last && take == n);
		if (rc)
			return rc;
		int err = write_all(s->fd, s->packed.data, s->packed.len);
		if (err)
			return sink_failed(s, err);
		s->packed_size += s->packed.len;
		p += take;
		n -= take;
	} while (n > 0);
	return 0;
}

/* Moves a member that outgrew memory to a spool file. */
static int sink_spill(dpex_sink *s)
{
	dpex_archive *a = s->archive;
	member *m = &a->members[s->member];
	char *path = spool_path(a, ".part");
	if (!path)
		return DPEX_ENOMEM;
	/* O_TRUNC: a borrowed spool keeps its files for the next archive
	 * (remove_spool). The spool is this process's own, mode 0700. */
	int fd = open(path,
		      O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		      0600);
	if (fd < 0) {
		s->failed_errno = errno;
		free(path);
		return output_error(a, m->name, s->failed_errno);
	}
	m->path = path; /* from now on free() unlinks it */
	s->fd = fd;
	int rc = to_deflate(a, m->name) ? dpex_deflate_stream_new(&s->stream)
					: 0;
	if (!rc)
		rc = spool_write(s, m->mem, m->mem_len, false);
	a->mem_total -= m->mem_len;
	free(m->mem);
	m->mem = NULL;
	m->mem_len = 0;
	return rc;
}

/* Appends n bytes at p to the member, in memory while it fits the caps,
 * else to its spool file; hashes them on the way. */
static int sink_emit(dpex_sink *s, const char *p, size_t n)
{
	if (EVP_DigestUpdate(s->md, p, n) != 1)
		return dpex_error_set(DPEX_EINTERNAL,
				      "SHA-256 could not be computed");
	dpex_archive *a = s->archive;
	member *m = &a->members[s->member];
	if (s->fd < 0 && m->mem_len + n <= MEMBER_MEMORY &&
	    a->mem_total + n <= ARCHIVE_MEMORY) {
		char *mem = dpex_realloc(m->mem, m->mem_len + n);
		if (!mem)
			return DPEX_ENOMEM;
		memcpy(mem + m->mem_len, p, n);
		m->mem = mem;
		m->mem_len += n;
		a->mem_total += n;
		s->size += n;
		return 0;
	}
	if (s->fd < 0) {
		int rc = sink_spill(s);
		if (rc)
			return rc;
	}
	int rc = spool_write(s, p, n, false);
	if (!rc)
		s->size += n;
	return rc;
}

static int sink_flush(dpex_sink *s)
{
	if (s->len == 0)
		return 0;
	int rc = sink_emit(s, s->buf, s->len);
	s->len = 0;
	return rc;
}

int dpex_sink_write(dpex_sink *s, const void *p, size_t n)
{
	if (s->failed_errno)
		return output_error(s->archive, sink_name(s), s->failed_errno);
	if (n == 0)
		return 0;
	if (n <= SINK_BUFFER - s->len) {
		memcpy(s->buf + s->len, p, n);
		s->len += n;
		return 0;
	}
	int rc = sink_flush(s);
	if (rc)
		return rc;
	if (n >= SINK_BUFFER)
		return sink_emit(s, p, n);
	memcpy(s->buf, p, n);
	s->len = n;
	return 0;
}

int dpex_sink_puts(dpex_sink *s, const char *str)
{
	return dpex_sink_write(s, str, strlen(str));
}

int dpex_sink_close(dpex_sink *s, long long rows)
{
	dpex_archive *a = s->archive;
	member *m = &a->members[s->member];
	int rc = 0;
	if (s->failed_errno)
		rc = output_error(a, m->name, s->failed_errno);
	if (!rc)
		rc = sink_flush(s);
	if (!rc && s->stream) {
		rc = spool_write(s, NULL, 0, true);
		m->packed = !rc;
		m->crc = s->crc;
		m->packed_size = s->packed_size;
	}
	/* close(2) is where some file systems (NFS) report a failed write. */
	int fd = s->fd;
	s->fd = -1;
	if (fd >= 0 && close(fd) != 0 && !rc)
		rc = output_error(a, m->name, errno);
	if (!rc)
		rc = digest_final(s->md, m->sha256);
	if (!rc) {
		m->size = s->size;
		m->rows = rows;
		m->done = true;
	}
	m->sink = NULL;
	sink_release(s);
	return rc;
}

size_t dpex_archive_member_count(const dpex_archive *a)
{
	return a->nmembers;
}

dpex_archive_entry dpex_archive_member_at(const dpex_archive *a, size_t i)
{
	assert(i < a->nmembers);
	const member *m = &a->members[i];
	return (dpex_archive_entry){
		.name = m->name, .size = m->size, .rows = m->rows};
}

int dpex_archive_member_first(dpex_archive *a, const char *name)
{
	for (size_t i = 0; i < a->nmembers; i++)
		if (strcmp(a->members[i].name, name) == 0) {
			if (!a->members[i].first)
				a->members[i].first = ++a->nfirst;
			return 0;
		}
	return dpex_error_set(DPEX_EUSAGE, "no archive member \"%s\"", name);
}

/* Puts the members moved first ahead of the others, each group in its own
 * order. Only once every sink is closed: open sinks hold member indexes. */
static int order_members(dpex_archive *a)
{
	if (a->nfirst == 0)
		return 0;
	member *sorted = dpex_calloc(a->nmembers, sizeof(*sorted));
	if (!sorted)
		return DPEX_ENOMEM;
	size_t n = 0;
	for (unsigned int k = 1; k <= a->nfirst; k++)
		for (size_t i = 0; i < a->nmembers; i++)
			if (a->members[i].first == k)
				sorted[n++] = a->members[i];
	for (size_t i = 0; i < a->nmembers; i++)
		if (!a->members[i].first)
			sorted[n++] = a->members[i];
	assert(n == a->nmembers);
	memcpy(a->members, sorted, n * sizeof(*sorted));
	free(sorted);
	return 0;
}

static int manifest_new(json_t **out, const dpex_archive *a, json_t *extra)
{
	int rc = DPEX_ENOMEM;
	*out = NULL;
	static const char *const reserved[] = {"format", "format_version",
					       "engine", "files"};
	json_t *files = json_array();
	json_t *m = json_pack("{s:s, s:i, s:{s:s, s:s}}", "format",
			      "dpex-manifest", "format_version", 1, "engine",
			      "name", "dpex", "version", DPEX_VERSION);
	if (!files || !m)
		goto oom;
	const char *key;
	json_t *value;
	json_object_foreach(extra, key, value)
	{
		for (size_t i = 0; i < sizeof(reserved) / sizeof(*reserved);
		     i++)
			if (strcmp(key, reserved[i]) == 0) {
				rc = dpex_error_set(DPEX_EUSAGE,
						    "manifest key \"%s\" is "
						    "written by the archive",
						    key);
				goto fail;
			}
		if (json_object_set(m, key, value) != 0)
			goto oom;
	}
	for (size_t i = 0; i < a->nmembers; i++) {
		const member *f = &a->members[i];
		json_t *o = json_pack("{s:s, s:I}", "name", f->name, "size",
				      (json_int_t)f->size);
		if (!o || json_array_append_new(files, o) != 0)
			goto oom;
		if (f->rows >= 0 &&
		    json_object_set_new(o, "rows",
					json_integer((json_int_t)f->rows)) != 0)
			goto oom;
		if (json_object_set_new(o, "sha256", json_string(f->sha256)) !=
		    0)
			goto oom;
	}
	if (json_object_set_new(m, "files", files) != 0) {
		files = NULL;
		goto oom;
	}
	*out = m;
	return 0;
oom:
	dpex_error_oom();
fail:
	json_decref(files);
	json_decref(m);
	return rc;
}

/* Some libzip versions refuse a level for a stored member. */
static zip_uint32_t level(zip_int32_t method)
{
	return method == ZIP_CM_DEFLATE ? DEFLATE_LEVEL : 0;
}

/* A member deflated here (core/archive/deflate.h), in memory or in its spool
 * file, handed to libzip with a stat that says so: zip_close then copies it as
 * it is, neither compressing it again nor computing its CRC. */
typedef struct deflated {
	dpex_buf data;	  /* in memory, or */
	const char *path; /* in this file (the member's) */
	int fd;
	size_t pos;
	uint64_t size; /* before compression */
	uint64_t csize;
	uint32_t crc;
	zip_error_t error;
} deflated;

static zip_int64_t deflated_read(deflated *d, void *data, zip_uint64_t len)
{
	if (d->path) {
		ssize_t n;
		while ((n = read(d->fd, data, (size_t)len)) < 0 &&
		       errno == EINTR)
			;
		if (n < 0)
			zip_error_set(&d->error, ZIP_ER_READ, errno);
		return n;
	}
	size_t n = d->data.len - d->pos;
	if (n > len)
		n = (size_t)len;
	memcpy(data, d->data.data + d->pos, n);
	d->pos += n;
	return (zip_int64_t)n;
}

static zip_int64_t deflated_source(void *ud, void *data, zip_uint64_t len,
				   zip_source_cmd_t cmd)
{
	deflated *d = ud;
	switch (cmd) {
	case ZIP_SOURCE_OPEN:
		d->pos = 0;
		if (d->path &&
		    (d->fd = open(d->path, O_RDONLY | O_CLOEXEC)) < 0) {
			zip_error_set(&d->error, ZIP_ER_OPEN, errno);
			return -1;
		}
		return 0;
	case ZIP_SOURCE_READ:
		return deflated_read(d, data, len);
	case ZIP_SOURCE_CLOSE:
		if (d->fd >= 0)
			close(d->fd);
		d->fd = -1;
		return 0;
	case ZIP_SOURCE_STAT: {
		zip_stat_t *st = data;
		zip_stat_init(st);
		st->valid = ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE |
			    ZIP_STAT_COMP_METHOD | ZIP_STAT_CRC;
		st->size = d->size;
		st->comp_size = d->csize;
		st->comp_method = ZIP_CM_DEFLATE;
		st->crc = d->crc;
		return sizeof(*st);
	}
	case ZIP_SOURCE_ERROR:
		return zip_error_to_data(&d->error, data, len);
	case ZIP_SOURCE_FREE:
		if (d->fd >= 0)
			close(d->fd);
		zip_error_fini(&d->error);
		dpex_buf_free(&d->data);
		free(d);
		return 0;
	case ZIP_SOURCE_SUPPORTS:
		return zip_source_make_command_bitmap(
			ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,
			ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
	default:
		return -1;
	}
}

/* The source of member m, deflated in its spool file (m->packed) or else
 * deflated here from its bytes in memory. */
static int deflated_new(dpex_archive *a, const member *m, zip_source_t **out)
{
	*out = NULL;
	deflated *d = dpex_calloc(1, sizeof(*d));
	if (!d)
		return DPEX_ENOMEM;
	zip_error_init(&d->error);
	d->fd = -1;
	d->size = m->packed ? m->size : m->mem_len;
	int rc = 0;
	if (m->packed) {
		d->path = m->path;
		d->csize = m->packed_size;
		d->crc = m->crc;
	} else {
		rc = dpex_deflate(&d->data, &d->crc, m->name, m->mem,
				  m->mem_len);
		d->csize = d->data.len;
	}
	if (!rc) {
		*out = zip_source_function(a->zip, deflated_source, d);
		if (!*out)
			rc = dpex_error_oom();
	}
	if (rc) {
		dpex_buf_free(&d->data);
		free(d);
	}
	return rc;
}

/* Adds member m from its spool file, or else from its bytes in memory
 * (freed here or by libzip when owned), stored or deflated as method
 * says. */
static int add_entry(dpex_archive *a, const member *m, bool owned,
		     zip_int32_t method, time_t mtime)
{
	const char *name = m->name;
	zip_source_t *src = NULL;
	int rc = 0;
	/* libzip opens and reads a file only inside zip_close, one member
	 * at a time: memory stays flat. A member in memory is small
	 * (MEMBER_MEMORY): deflated here, at once; one in a spool file was
	 * deflated as it was written. */
	if (m->packed || (!m->path && method == ZIP_CM_DEFLATE))
		rc = deflated_new(a, m, &src);
	else if (m->path)
		src = zip_source_file(a->zip, m->path, 0, ZIP_LENGTH_TO_END);
	else if ((src = zip_source_buffer(a->zip, m->mem, m->mem_len, owned)) !=
		 NULL)
		owned = false; /* libzip's now */
	if (owned)
		free(m->mem);
	if (rc)
		return rc;
	if (!src)
		return dpex_error_set(DPEX_EOUTPUT, "%s: %s", name,
				      zip_strerror(a->zip));
	zip_int64_t idx = zip_file_add(a->zip, name, src, ZIP_FL_ENC_UTF_8);
	if (idx < 0) {
		zip_source_free(src);
		return dpex_error_set(DPEX_EINTERNAL, "%s: %s", name,
				      zip_strerror(a->zip));
	}
	if (zip_set_file_compression(a->zip, (zip_uint64_t)idx, method,
				     level(method)) ||
	    zip_file_set_mtime(a->zip, (zip_uint64_t)idx, mtime, 0))
		return dpex_error_set(DPEX_EINTERNAL, "%s: %s", name,
				      zip_strerror(a->zip));
	return 0;
}

/* manifest.json's text, appended to text. */
static int manifest_text(const dpex_archive *a, json_t *extra, dpex_buf *text)
{
	json_t *m;
	int rc = manifest_new(&m, a, extra);
	if (rc)
		return rc;
	rc = dpex_jsonw_dump(text, m, NULL);
	json_decref(m);
	return rc ? rc : dpex_buf_putc(text, '\n');
}

static int add_manifest(dpex_archive *a, json_t *extra, zip_int32_t method,
			time_t mtime)
{
	dpex_buf text = DPEX_BUF_INIT;
	int rc = manifest_text(a, extra, &text);
	if (rc) {
		dpex_buf_free(&text);
		return rc;
	}
	char name[] = MANIFEST_NAME;
	member m = {.name = name, .mem_len = text.len};
	m.mem = dpex_buf_steal(&text);
	return add_entry(a, &m, true, method, mtime);
}

static int add_members(dpex_archive *a, zip_int32_t method, time_t mtime)
{
	int rc = 0;
	for (size_t i = 0; !rc && i < a->nmembers; i++) {
		const member *m = &a->members[i];
		rc = add_entry(a, m, false,
			       to_deflate(a, m->name) ? method : ZIP_CM_STORE,
			       mtime);
	}
	return rc;
}

static int fsync_path(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		return errno;
	int err = 0;
	while (fsync(fd) != 0) {
		if (errno != EINTR) {
			err = errno;
			break;
		}
	}
	close(fd);
	return err;
}

/* Moves a finished ZIP to its final name, refusing to replace a file that
 * appeared there since the check (RENAME_NOREPLACE is atomic). An errno. */
static int rename_noreplace(const char *from, const char *to)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	/* File systems without RENAME_NOREPLACE: the final name was checked
	 * just before the ZIP was written. */
	if ((errno == EINVAL || errno == ENOSYS || errno == ENOTSUP) &&
	    rename(from, to) == 0)
		return 0;
	return errno;
}

static int publish(dpex_archive *a, const char *final)
{
	int err = rename_noreplace(a->tmp_path, final);
	if (err == EEXIST)
		return check_not_there(a, final);
	return err ? output_error(a, a->name, err) : 0;
}

int dpex_archive_publish(const char *hidden, const char *final)
{
	int err = rename_noreplace(hidden, final);
	if (err == EEXIST)
		return dpex_error_set(DPEX_EOUTPUT,
				      "archive \"%s\" already exists: dpex "
				      "never overwrites an archive",
				      final);
	if (err)
		return dpex_error_set(DPEX_EOUTPUT, "renaming %s to %s: %s",
				      hidden, final, strerror(err));
	return 0;
}

static void discard_tmp(dpex_archive *a)
{
	if (a->zip) {
		zip_discard(a->zip);
		a->zip = NULL;
	}
	if (a->tmp_path) {
		unlink(a->tmp_path);
		free(a->tmp_path);
		a->tmp_path = NULL;
	}
}

static int zip_output_error(const dpex_archive *a, zip_error_t *e)
{
	return dpex_error_set(DPEX_EOUTPUT, "writing %s in %s: %s", a->name,
			      a->out_dir, zip_error_strerror(e));
}

/* Adds the members and the manifest to a->zip and writes it (zip_close):
 * the whole ZIP is written there, and a full disk shows up there. */
static int fill_and_close(dpex_archive *a, json_t *extra)
{
	/* One timestamp for every member: the archive's own creation. */
	time_t mtime = time(NULL);
	zip_int32_t method = a->compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE;
	int rc = add_members(a, method, mtime);
	if (!rc)
		rc = add_manifest(a, extra, method, mtime);
	if (rc)
		return rc;
	if (zip_close(a->zip) != 0)
		return zip_output_error(a, zip_get_error(a->zip));
	a->zip = NULL;
	return 0;
}

/* Adds n bytes of the ZIP to its digest and size. */
static int digest_zip(dpex_archive *a, EVP_MD_CTX *md, const char *p, size_t n)
{
	if (EVP_DigestUpdate(md, p, n) != 1)
		return dpex_error_set(DPEX_EINTERNAL,
				      "SHA-256 could not be computed");
	a->zip_size += (long long)n;
	return 0;
}

/* The digest and size of the ZIP libzip wrote, read back. */
static int digest_file(dpex_archive *a)
{
	EVP_MD_CTX *md = NULL;
	int rc = digest_new(&md);
	char *chunk = rc ? NULL : dpex_malloc(SINK_BUFFER);
	int fd = chunk ? open(a->tmp_path, O_RDONLY | O_CLOEXEC) : -1;
	if (!rc && !chunk)
		rc = DPEX_ENOMEM;
	else if (!rc && fd < 0)
		rc = output_error(a, a->name, errno);
	a->zip_size = 0;
	ssize_t n;
	while (!rc && (n = read(fd, chunk, SINK_BUFFER)) != 0)
		rc = n < 0 ? output_error(a, a->name, errno)
			   : digest_zip(a, md, chunk, (size_t)n);
	if (!rc)
		rc = digest_final(md, a->zip_sha256);
	if (fd >= 0)
		close(fd);
	free(chunk);
	EVP_MD_CTX_free(md);
	return rc;
}

/* Large members: libzip streams them from their spool files into a->tmp_path
 * (through its own temporary copy). */
static int write_zip_file(dpex_archive *a, json_t *extra)
{
	int zerr = 0;
	a->zip = zip_open(a->tmp_path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
	if (!a->zip) {
		zip_error_t e;
		zip_error_init_with_code(&e, zerr);
		int rc = zip_output_error(a, &e);
		zip_error_fini(&e);
		return rc;
	}
	int rc = fill_and_close(a, extra);
	if (!rc)
		rc = digest_file(a);
	if (rc)
		return rc;
	/* libzip does not fsync: without it a crash after the rename could
	 * leave an empty archive under the final name. */
	int err = a->unpublished ? 0 : fsync_path(a->tmp_path, O_RDONLY);
	return err ? output_error(a, a->name, err) : 0;
}

static int to_buf(void *buf, const void *p, size_t n)
{
	return dpex_buf_append(buf, p, n);
}

/* Member name, n bytes at p, into z: deflated or stored as to_deflate
 * says. */
static int zipw_add(const dpex_archive *a, dpex_zipw *z, const char *name,
		    const char *p, size_t n)
{
	return to_deflate(a, name) ? dpex_zipw_entry(z, name, p, n)
				   : dpex_zipw_stored(z, name, p, n);
}

/* Every member in memory (at most ARCHIVE_MEMORY): the ZIP is built in
 * memory by zipw and written to fd, the hidden name, at once; no member
 * files, no temporary copy, no libzip. */
static int write_zip_memory(dpex_archive *a, json_t *extra, int fd)
{
	dpex_buf zip = DPEX_BUF_INIT, text = DPEX_BUF_INIT;
	dpex_zipw *z = NULL;
	int rc = dpex_zipw_new(&z, to_buf, &zip);
	if (!rc)
		/* One timestamp for every member: the archive's creation. */
		dpex_zipw_set_time(z, time(NULL));
	for (size_t i = 0; !rc && i < a->nmembers; i++)
		rc = zipw_add(a, z, a->members[i].name, a->members[i].mem,
			      a->members[i].mem_len);
	if (!rc)
		rc = manifest_text(a, extra, &text);
	if (!rc)
		rc = zipw_add(a, z, MANIFEST_NAME, text.data, text.len);
	if (!rc)
		rc = dpex_zipw_finish(z);
	dpex_zipw_free(z);
	dpex_buf_free(&text);
	int err = rc ? 0 : write_all(fd, zip.data, zip.len);
	if (err)
		rc = output_error(a, a->name, err);
	EVP_MD_CTX *md = NULL;
	if (!rc)
		rc = digest_new(&md);
	a->zip_size = 0;
	if (!rc)
		rc = digest_zip(a, md, zip.data, zip.len);
	if (!rc)
		rc = digest_final(md, a->zip_sha256);
	EVP_MD_CTX_free(md);
	dpex_buf_free(&zip);
	/* Without it a crash after the rename could leave an empty archive
	 * under the final name. */
	while (!rc && !a->unpublished && fsync(fd) != 0)
		if (errno != EINTR)
			rc = output_error(a, a->name, errno);
	return rc;
}

static int write_zip(dpex_archive *a, json_t *extra, const char *final)
{
	for (size_t i = 0; i < a->nmembers; i++)
		if (!a->members[i].done)
			return dpex_error_set(DPEX_EINTERNAL,
					      "archive member \"%s\" was not "
					      "finished",
					      a->members[i].name);
	int rc = order_members(a);
	if (!rc)
		rc = check_not_there(a, final);
	if (rc)
		return rc;
	/* Inside the spool: killed now, the process leaves one hidden,
	 * locked directory for the next run to sweep, and libzip's own
	 * temporary file lands there too. Unpublished, it outlives the
	 * spool's emptying: hidden beside its final name, where a bulk rerun
	 * sweeps it. */
	a->tmp_path = a->unpublished
			      ? dpex_asprintf("%s/.%s.tmp", a->out_dir, a->name)
			      : dpex_asprintf("%s/%s", a->spool, a->name);
	if (!a->tmp_path)
		return DPEX_ENOMEM;
	/* Made first, 0600, because libzip gives its output the mode of the
	 * file it replaces: the archive holds personal data. */
	int fd = open(a->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		      0600);
	if (fd < 0)
		return output_error(a, a->name, errno);
	bool in_memory = true;
	for (size_t i = 0; i < a->nmembers; i++)
		if (a->members[i].path)
			in_memory = false;
	if (in_memory) {
		rc = write_zip_memory(a, extra, fd);
		if (close(fd) != 0 && !rc)
			rc = output_error(a, a->name, errno);
	} else {
		close(fd);
		rc = write_zip_file(a, extra);
	}
	if (rc || a->unpublished)
		return rc;
	rc = publish(a, final);
	if (rc)
		return rc;
	free(a->tmp_path);
	a->tmp_path = NULL;
	int err = fsync_path(a->out_dir, O_RDONLY | O_DIRECTORY);
	if (err) {
		/* The rename may not survive a crash: a failed commit leaves
		 * no archive behind, so take it back. */
		unlink(final);
		return output_error(a, a->name, err);
	}
	return 0;
}

int dpex_archive_commit(dpex_archive *a, json_t *extra, char **final_path)
{
	*final_path = NULL;
	assert(!a->committed);
	char *final = dpex_asprintf("%s/%s", a->out_dir, a->name);
	if (!final)
		return DPEX_ENOMEM;
	int rc = write_zip(a, extra, final);
	if (rc) {
		discard_tmp(a);
		free(final);
		return rc;
	}
	a->committed = true;
	remove_spool(a);
	if (a->unpublished) {
		free(final);
		final = a->tmp_path;
		a->tmp_path = NULL;
	}
	*final_path = final;
	return 0;
}

void dpex_archive_digest(const dpex_archive *a, char hex[65], long long *size)
{
	assert(a->committed);
	memcpy(hex, a->zip_sha256, sizeof(a->zip_sha256));
	*size = a->zip_size;
}

void dpex_archive_free(dpex_archive *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nmembers; i++)
		if (a->members[i].sink)
			sink_release(a->members[i].sink);
	if (!a->committed)
		discard_tmp(a);
	remove_spool(a);
	for (size_t i = 0; i < a->nmembers; i++) {
		free(a->members[i].name);
		free(a->members[i].path);
		free(a->members[i].mem);
	}
	free(a->members);
	free(a->tmp_path);
	free(a->out_dir);
	free(a->name);
	free(a);
}
