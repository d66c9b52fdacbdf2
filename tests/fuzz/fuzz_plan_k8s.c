/*
 * Fuzzes plan_k8s.c's walk over what libyaml loaded: any byte stream, as
 * one manifest file. An error must be one line naming the file and the
 * document; a success must leave a NULL-terminated argv and envp that
 * free cleanly, and the ALB's settings within what the ELB API allows.
 */
#include <stdio.h>

#include "fuzz.h"
#include "plan/plan_k8s.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct plan_k8s k;
	struct plan_input in;
	char err[PLAN_K8S_ERR_MAX];

	memset(&k, 0, sizeof(k));
	plan_defaults(&in);
	if (plan_k8s_read((const char *)data, size, "fuzz", &k, &in, err,
	    sizeof(err)) == 0 && plan_k8s_done(&k, &in, err,
	    sizeof(err)) == 0) {
		if (k.cmd.argc < 1 || k.cmd.argv[k.cmd.argc] != NULL ||
		    k.cmd.envp == NULL)
			abort();
		for (char **e = k.cmd.envp; *e; e++)
			if (strchr(*e, '=') == NULL)
				abort();
		if (in.alb_interval_ms < 5000 || in.alb_interval_ms > 300000 ||
		    in.alb_healthy < 2 || in.alb_healthy > 10 ||
		    in.dereg_delay_ms > 3600000 || k.nprobes >
		    PLAN_K8S_PROBES_MAX)
			abort();
	} else if (strchr(err, '\n') != NULL || (strncmp(err, "fuzz: ",
	    6) != 0 && strncmp(err, "no ", 3) != 0))
		abort();
	plan_k8s_free(&k);
	return 0;
}
