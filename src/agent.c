/*
 * agent.c: probers that route nothing, by User-Agent (agent.h).
 *
 * A table of prefixes, as each of them writes its User-Agent: "kube-probe/1.31",
 * "Blackbox Exporter/0.24.0", "curl/7.88.1", "Wget/1.21.3" and
 * "healthgate-probe/0.1.0". Case matters: it is how they write it, and a
 * router that happens to name itself alike is not taken for one.
 */
#include <string.h>

#include "agent.h"
#include "probe.h"

static const struct agent_row {
	const char	*prefix;
	enum agent_kind	 kind;
	const char	*name;
} agent_table[] = {
	{ "kube-probe/", AGENT_KUBELET, "kube-probe" },
	{ "Blackbox Exporter/", AGENT_BLACKBOX, "blackbox" },
	{ "curl/", AGENT_CURL, "curl" },
	{ "Wget/", AGENT_WGET, "wget" },
	{ PROBE_USER_AGENT, AGENT_PROBE, "healthgate-probe" },
};

#define AGENT_ROWS	(sizeof(agent_table) / sizeof(agent_table[0]))

enum agent_kind
agent_of(const char *value, size_t len)
{
	for (size_t i = 0; i < AGENT_ROWS; i++) {
		size_t n = strlen(agent_table[i].prefix);

		if (len >= n && memcmp(value, agent_table[i].prefix, n) == 0)
			return agent_table[i].kind;
	}
	return AGENT_ROUTER;
}

bool
agent_routes(enum agent_kind k)
{
	return k == AGENT_ROUTER;
}

const char *
agent_name(enum agent_kind k)
{
	for (size_t i = 0; i < AGENT_ROWS; i++)
		if (agent_table[i].kind == k)
			return agent_table[i].name;
	return "router";
}
