#define _GNU_SOURCE
#include "cmd/inputs.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Folders inside folders, with --recursive: deeper ones are refused (and
 * a symlink loop ends here too). */
#define INPUTS_MAX_DEPTH 16

struct seen {
	dev_t dev;
	ino_t ino;
	size_t index; /* into the list: the first path of this file */
};

struct expand {
	struct input_list *out;
	struct seen *seen;	/* regular files added so far */
	bool recursive, quiet;
};

static int add(struct expand *x, const char *path, bool from_dir, const struct stat *st)
{
	struct input_list *l = x->out;
	if (st) {
		for (size_t i = 0; i < l->n; i++) {
			if (x->seen[i].dev == st->st_dev && x->seen[i].ino == st->st_ino &&
			    x->seen[i].index != (size_t)-1) {
				if (!x->quiet)
					fprintf(stderr, "smtplog: warning: %s is the same file as %s; "
							"read once\n", path, l->paths[x->seen[i].index]);
				l->duplicates++;
				return 0;
			}
		}
	}
	if (l->n >= INPUTS_MAX) {
		fprintf(stderr, "smtplog: %s: more than %d captures; smtplog reads at most %d at "
				"once (merge them first, e.g. with mergecap, or run per folder)\n",
			path, INPUTS_MAX, INPUTS_MAX);
		return 1;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char **p = realloc(l->paths, cap * sizeof *p);
		if (p)
			l->paths = p;
		bool *d = realloc(l->from_dir, cap * sizeof *d);
		if (d)
			l->from_dir = d;
		struct seen *s = realloc(x->seen, cap * sizeof *s);
		if (s)
			x->seen = s;
		if (!p || !d || !s) {
			fprintf(stderr, "smtplog: out of memory\n");
			return 1;
		}
		l->cap = cap;
	}
	char *copy = strdup(path);
	if (!copy) {
		fprintf(stderr, "smtplog: out of memory\n");
		return 1;
	}
	x->seen[l->n] = st ? (struct seen){st->st_dev, st->st_ino, l->n}
			   : (struct seen){0, 0, (size_t)-1};
	l->from_dir[l->n] = from_dir;
	l->paths[l->n++] = copy;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of a folder but the hidden ones, sorted by name (bytes,
 * not the locale). */
static char **folder_names(const char *path, size_t *n)
{
	*n = 0;
	DIR *d = opendir(path);
	if (!d)
		return NULL;
	char **names = NULL;
	size_t cap = 0;
	struct dirent *e;
	bool oom = false;
	while (!oom && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			char **p = realloc(names, cap * sizeof *p);
			if (!p) {
				oom = true;
				break;
			}
			names = p;
		}
		if (!(names[*n] = strdup(e->d_name)))
			oom = true;
		else
			(*n)++;
	}
	closedir(d);
	if (oom) {
		for (size_t i = 0; i < *n; i++)
			free(names[i]);
		free(names);
		errno = ENOMEM;
		return NULL;
	}
	if (!names)
		return calloc(1, sizeof *names); /* an empty folder */
	qsort(names, *n, sizeof *names, by_name);
	return names;
}

static int expand_folder(struct expand *x, const char *path, int depth)
{
	size_t n;
	char **names = folder_names(path, &n);
	if (!names) {
		fprintf(stderr, "smtplog: %s: %s\n", path, strerror(errno));
		return 1;
	}
	x->out->dirs++;
	size_t before = x->out->n;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		size_t len = strlen(path) + 1 + strlen(names[i]) + 1;
		char *full = malloc(len);
		if (!full) {
			fprintf(stderr, "smtplog: out of memory\n");
			rc = 1;
			break;
		}
		bool slash = path[0] && path[strlen(path) - 1] == '/';
		snprintf(full, len, "%s%s%s", path, slash ? "" : "/", names[i]);
		struct stat st;
		if (stat(full, &st) != 0) {
			/* A dangling link or a file that went away: said, and
			 * left out like any file that is not a capture. */
			if (!x->quiet)
				fprintf(stderr, "smtplog: warning: %s: %s; skipped\n", full,
					strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			if (!x->recursive)
				x->out->subdirs_skipped++;
			else if (depth + 1 >= INPUTS_MAX_DEPTH)
				fprintf(stderr, "smtplog: warning: %s: more than %d folders deep; "
						"skipped\n", full, INPUTS_MAX_DEPTH);
			else
				rc = expand_folder(x, full, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			rc = add(x, full, true, &st);
		}
		free(full);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (rc == 0 && x->out->n == before && !x->quiet)
		fprintf(stderr, "smtplog: warning: %s: no files in this folder%s\n", path,
			x->recursive ? "" : " (subfolders need --recursive)");
	return rc;
}

int inputs_expand(const char *const *args, size_t n_args, bool recursive, bool quiet,
		  struct input_list *out)
{
	memset(out, 0, sizeof *out);
	struct expand x = {out, NULL, recursive, quiet};
	int rc = 0;
	for (size_t i = 0; i < n_args && rc == 0; i++) {
		struct stat st;
		if (strcmp(args[i], "-") != 0 && stat(args[i], &st) == 0) {
			if (S_ISDIR(st.st_mode))
				rc = expand_folder(&x, args[i], 0);
			else
				rc = add(&x, args[i], false, S_ISREG(st.st_mode) ? &st : NULL);
		} else {
			/* Standard input, or a name that does not open: the
			 * capture reader says why. */
			rc = add(&x, args[i], false, NULL);
		}
	}
	if (rc == 0 && out->subdirs_skipped && !quiet)
		fprintf(stderr, "smtplog: warning: %zu subfolder%s not read (use --recursive)\n",
			out->subdirs_skipped, out->subdirs_skipped == 1 ? "" : "s");
	free(x.seen);
	if (rc != 0)
		inputs_free(out);
	return rc;
}

void inputs_free(struct input_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->paths[i]);
	free(l->paths);
	free(l->from_dir);
	memset(l, 0, sizeof *l);
}
