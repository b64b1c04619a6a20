/* smtplog: packet captures in, Zeek's logs out. */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/diff.h"
#include "cmd/heap.h"
#include "cmd/options.h"
#include "cmd/run.h"

int main(int argc, char **argv)
{
	heap_use_huge_pages();
	/* Zeek's number and time formats assume the C locale. */
	setlocale(LC_ALL, "C");
	if (argc > 1 && strcmp(argv[1], "diff") == 0)
		return diff_main(argc - 1, argv + 1);
	static struct options opts;
	int status;
	if (options_parse(argc, argv, &opts) != 0)
		status = RUN_USAGE;
	else if (opts.exit_now)
		status = RUN_OK;
	else
		status = (int)run(&opts);
	options_free(&opts);
	return status;
}
