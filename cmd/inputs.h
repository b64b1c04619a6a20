/*
 * The captures a run reads, from its -r arguments: a folder stands for
 * the files in it (sorted by name, subfolders with --recursive), and a
 * file named twice, by whatever path, is read once.
 */
#ifndef SMTPLOG_CMD_INPUTS_H
#define SMTPLOG_CMD_INPUTS_H

#include <stdbool.h>
#include <stddef.h>

/* Open at once to be merged by time: one descriptor and read buffer each. */
#define INPUTS_MAX 256

struct input_list {
	char **paths;		/* owned, n of them */
	bool *from_dir;		/* found in a folder (not named on the command line) */
	size_t n, cap;
	size_t dirs;		/* folders expanded */
	size_t subdirs_skipped;	/* without --recursive */
	size_t duplicates;	/* named again, read once */
};

/*
 * Expands args into *out (initialised here). Warnings (a duplicate, an
 * empty folder, skipped subfolders) go to stderr unless quiet. Returns 0,
 * or 1 after a message: too many captures, a folder that cannot be read,
 * or no memory.
 */
int inputs_expand(const char *const *args, size_t n_args, bool recursive, bool quiet,
		  struct input_list *out);
void inputs_free(struct input_list *l);

#endif
