/*
 * files_alone: the least time a bulk run's archives take to write on this
 * disk, with nothing to compute. Reads file sizes, one per line on stdin
 * (a summary.csv's bytes column), and writes that many files of those
 * sizes into DIR the way dpex bulk writes its archives: sharded in 256
 * directories, one write(2) each under a hidden name, a syncfs, the
 * renames and a second syncfs per batch of 500, and the batch dropped from
 * the page cache.
 *
 *   files_alone DIR < sizes
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BATCH 500

static void die(const char *what, const char *path)
{
	fprintf(stderr, "files_alone: %s %s: %s\n", what, path,
		strerror(errno));
	exit(1);
}

static void sync_dir(int fd, const char *dir)
{
	if (syncfs(fd) != 0)
		die("syncfs", dir);
}

/* Syncs the batch's n files, drops them from the page cache, gives them
 * their final names and syncs again. */
static void flush(int dirfd, const char *dir, char (*hidden)[64],
		  char (*final)[64], int n)
{
	sync_dir(dirfd, dir);
	for (int i = 0; i < n; i++) {
		int fd = openat(dirfd, hidden[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			die("open", hidden[i]);
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		close(fd);
		if (renameat(dirfd, hidden[i], dirfd, final[i]) != 0)
			die("rename", hidden[i]);
	}
	sync_dir(dirfd, dir);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: files_alone DIR < sizes\n");
		return 2;
	}
	const char *dir = argv[1];
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		die("mkdir", dir);
	int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		die("open", dir);
	for (int s = 0; s < 256; s++) {
		char shard[3];
		snprintf(shard, sizeof(shard), "%02x", s);
		if (mkdirat(dirfd, shard, 0700) != 0 && errno != EEXIST)
			die("mkdir", shard);
	}
	static char hidden[BATCH][64], final[BATCH][64];
	size_t cap = 1 << 20;
	char *data = malloc(cap);
	if (!data)
		die("malloc", "");
	memset(data, 'x', cap);
	long long size;
	int n = 0;
	for (unsigned long i = 0; scanf("%lld", &size) == 1; i++) {
		if (size < 0)
			continue;
		if ((size_t)size > cap) {
			data = realloc(data, cap = (size_t)size);
			if (!data)
				die("realloc", "");
			memset(data, 'x', cap);
		}
		snprintf(final[n], 64, "%02lx/f%lu.zip", i % 256, i);
		snprintf(hidden[n], 64, "%02lx/.f%lu.zip.tmp", i % 256, i);
		int fd = openat(dirfd, hidden[n],
				O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			die("create", hidden[n]);
		if (write(fd, data, (size_t)size) != size)
			die("write", hidden[n]);
		close(fd);
		if (++n == BATCH) {
			flush(dirfd, dir, hidden, final, n);
			n = 0;
		}
	}
	if (n)
		flush(dirfd, dir, hidden, final, n);
	free(data);
	close(dirfd);
	return 0;
}
