#ifndef HEALTHGATE_PLAN_CMDLINE_H
#define HEALTHGATE_PLAN_CMDLINE_H

/*
 * healthgate's own options and environment out of a container, as
 * config_load takes them, for "healthgate plan": one reading of a command
 * line for the task definition (plan_json.c: entryPoint + command) and the
 * manifest (plan_k8s.c: command + args). The readers find the words and
 * the variables and check their types; this module decides which words
 * are healthgate's and owns the copies. Pure: no I/O.
 */

#include <stdbool.h>
#include <stddef.h>

struct plan_cmdline {
	bool		 supervisor;	/* "--" after the options, or the */
					/* app as the image's CMD */
	int		 argc;		/* argv's words, argv[0] "plan" */
	char		**argv;		/* owned, NULL-terminated */
	size_t		 envc;		/* envp's variables */
	size_t		 envcap;	/* envp's slots, its NULL's included */
	char		**envp;		/* NAME=VALUE, owned, NULL-terminated */
};

/* What follows the last '/' of a word ("/usr/local/bin/healthgate"). */
const char *plan_cmdline_base(const char *word);

/* Where the word that runs healthgate is among words, or -1. */
long	plan_cmdline_healthgate_word(const char *const *words, size_t n);

/* Whether a variable's name is one of healthgate's (HEALTHGATE_*). */
bool	plan_cmdline_hg_var(const char *name);

/*
 * healthgate's options out of a container's words (its entry point, then
 * its command) into cmd, which is zeroed or freed: the words after the
 * healthgate word, up to "--". entry says the container sets its own
 * entry point: with no healthgate word among the words, that runs
 * something else, and none are options. Without it the image's
 * ENTRYPOINT runs, taken to be healthgate: words that start with an
 * option are its options, else they are the app of the supervisor recipe
 * (ENTRYPOINT ["healthgate", ..., "--"], the app as CMD), whose options
 * are in the image, not here. envp starts empty, for plan_cmdline_env.
 * 0, or -1 out of memory (cmd then still frees).
 */
int	plan_cmdline_split(struct plan_cmdline *cmd, const char *const *words,
	    size_t n, bool entry);

/* Adds NAME=VALUE to cmd's envp. 0, or -1 out of memory. */
int	plan_cmdline_env(struct plan_cmdline *cmd, const char *name,
	    const char *value);

/* Frees argv and envp, and leaves cmd empty. */
void	plan_cmdline_free(struct plan_cmdline *cmd);

#endif
