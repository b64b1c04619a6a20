#define _GNU_SOURCE
#include "core/outdir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct outdir {
	int fd;
	bool overwrite;
	char *path;
};

struct outdir *outdir_open(const char *path, bool overwrite)
{
	if (mkdir(path, 0777) != 0 && errno != EEXIST)
		return NULL;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct outdir *d = calloc(1, sizeof *d);
	char *copy = strdup(path);
	if (!d || !copy) {
		free(d);
		free(copy);
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	d->fd = fd;
	d->overwrite = overwrite;
	d->path = copy;
	return d;
}

void outdir_close(struct outdir *d)
{
	if (!d)
		return;
	close(d->fd);
	free(d->path);
	free(d);
}

const char *outdir_path(const struct outdir *d)
{
	return d->path;
}

static bool name_is_single_component(const char *name)
{
	return name[0] != '\0' && strchr(name, '/') == NULL &&
	       strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

bool outdir_exists(const struct outdir *d, const char *name)
{
	struct stat st;
	return name_is_single_component(name) &&
	       fstatat(d->fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

int outdir_create(struct outdir *d, const char *name)
{
	if (!name_is_single_component(name))
		return -EINVAL;
	int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC;
	flags |= d->overwrite ? O_TRUNC : O_EXCL;
	int fd = openat(d->fd, name, flags, 0666);
	return fd < 0 ? -errno : fd;
}

int outdir_remove(struct outdir *d, const char *name)
{
	if (!name_is_single_component(name))
		return -EINVAL;
	return unlinkat(d->fd, name, 0) == 0 ? 0 : -errno;
}
