/*
 * Fuzzes plan_json.c's walk over what jansson parsed: any document, as a
 * task definition and as a target group. An error must be one line; a
 * success must leave a NULL-terminated argv and envp that free cleanly.
 */
#include <stdio.h>

#include "fuzz.h"
#include "plan/plan_json.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct plan_taskdef td;
	struct plan_input in;
	char err[PLAN_JSON_ERR_MAX];
	unsigned mask = 0;

	if (plan_json_taskdef((const char *)data, size, "fuzz", &td, err,
	    sizeof(err)) == 0) {
		if (td.cmd.argc < 1 || td.cmd.argv[td.cmd.argc] != NULL)
			abort();
		for (char **e = td.cmd.envp; *e; e++)
			if (strchr(*e, '=') == NULL)
				abort();
		plan_json_taskdef_free(&td);
	} else if (strchr(err, '\n') != NULL)
		abort();
	plan_defaults(&in);
	(void)plan_json_target_group((const char *)data, size, "fuzz", &in,
	    &mask, err, sizeof(err));
	return 0;
}
