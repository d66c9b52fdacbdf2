/*
 * plan_cmdline.c: which of a container's words and variables are
 * healthgate's, for plan's task definition and manifest readers alike, so
 * that an ECS task and a pod that run the same command plan the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan_cmdline.h"

#define PLAN_CMDLINE_ENV_FIRST	8	/* envp's slots at first, then x2 */

const char *
plan_cmdline_base(const char *word)
{
	const char *slash = strrchr(word, '/');

	return slash ? slash + 1 : word;
}

long
plan_cmdline_healthgate_word(const char *const *words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(plan_cmdline_base(words[i]), "healthgate") == 0)
			return (long)i;
	return -1;
}

bool
plan_cmdline_hg_var(const char *name)
{
	return strncmp(name, "HEALTHGATE_", 11) == 0;
}

/*
 * Room in envp for one more variable and the NULL after it. The room
 * doubles, so a file with many variables costs no copy per variable.
 */
static int
plan_cmdline_env_room(struct plan_cmdline *cmd)
{
	size_t cap;
	char **p;

	if (cmd->envc + 2 <= cmd->envcap)
		return 0;
	cap = cmd->envcap ? cmd->envcap * 2 : PLAN_CMDLINE_ENV_FIRST;
	if ((p = realloc(cmd->envp, cap * sizeof(*p))) == NULL)
		return -1;
	cmd->envp = p;
	cmd->envcap = cap;
	return 0;
}

/*
 * argv: "plan", then copies of words[from..to), in one allocation: the
 * pointers, then the strings they point to.
 */
static int
plan_cmdline_argv(struct plan_cmdline *cmd, const char *const *words,
    size_t from, size_t to)
{
	size_t n = to - from + 1, bytes = (n + 1) * sizeof(char *);
	char *at;

	bytes += sizeof("plan");
	for (size_t i = from; i < to; i++)
		bytes += strlen(words[i]) + 1;
	if ((cmd->argv = calloc(1, bytes)) == NULL)
		return -1;
	at = (char *)(cmd->argv + n + 1);
	for (size_t i = 0; i < n; i++) {
		const char *w = i ? words[from + i - 1] : "plan";
		size_t len = strlen(w) + 1;

		cmd->argv[i] = memcpy(at, w, len);
		at += len;
	}
	cmd->argc = (int)n;
	return 0;
}

int
plan_cmdline_split(struct plan_cmdline *cmd, const char *const *words,
    size_t n, bool entry)
{
	long hg = plan_cmdline_healthgate_word(words, n);
	size_t from = 0, to;
	bool app_cmd = false;

	memset(cmd, 0, sizeof(*cmd));
	if (hg >= 0)
		from = (size_t)hg + 1;
	else if (entry)
		from = n;	/* someone else's entry point: no options */
	else if (n > 0 && words[0][0] != '-') {
		from = n;	/* the app, under healthgate's ENTRYPOINT */
		app_cmd = true;
	}
	for (to = from; to < n && strcmp(words[to], "--") != 0; to++)
		;
	cmd->supervisor = to < n || app_cmd;
	if (plan_cmdline_argv(cmd, words, from, to) < 0 ||
	    plan_cmdline_env_room(cmd) < 0)
		return -1;
	cmd->envp[0] = NULL;
	return 0;
}

int
plan_cmdline_env(struct plan_cmdline *cmd, const char *name,
    const char *value)
{
	size_t len = strlen(name) + strlen(value) + 2;
	char *nv;

	if (plan_cmdline_env_room(cmd) < 0 || (nv = malloc(len)) == NULL)
		return -1;
	snprintf(nv, len, "%s=%s", name, value);
	cmd->envp[cmd->envc++] = nv;
	cmd->envp[cmd->envc] = NULL;
	return 0;
}

void
plan_cmdline_free(struct plan_cmdline *cmd)
{
	for (size_t i = 0; cmd->envp && i < cmd->envc; i++)
		free(cmd->envp[i]);
	free(cmd->argv);	/* its strings with it */
	free(cmd->envp);
	memset(cmd, 0, sizeof(*cmd));
}
