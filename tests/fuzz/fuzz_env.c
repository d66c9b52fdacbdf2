/*
 * Fuzzes config_load through the environment: the first byte picks a
 * HEALTHGATE_* variable, the rest is its value (lists included).
 */
#include <stdio.h>

#include "config.h"
#include "fuzz.h"

static const char *const names[] = {
	"HEALTHGATE_LISTEN", "HEALTHGATE_CHECKS", "HEALTHGATE_INTERVAL",
	"HEALTHGATE_TIMEOUT", "HEALTHGATE_RISE", "HEALTHGATE_FALL",
	"HEALTHGATE_DRAIN_TIMEOUT", "HEALTHGATE_DRAIN_FALL",
	"HEALTHGATE_DRAIN_WINDOW", "HEALTHGATE_DRAIN_IGNORE",
	"HEALTHGATE_LOG_FORMAT", "HEALTHGATE_MAX_CONNECTIONS",
	"HEALTHGATE_MAX_CONNECTIONS_PER_IP", "HEALTHGATE_CONN_MEMORY",
	"HEALTHGATE_REQUEST_TIMEOUT", "HEALTHGATE_IDLE_TIMEOUT",
	"HEALTHGATE_APP_PORTS", "HEALTHGATE_DRAIN_QUIET",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[] = { (char *)(uintptr_t)"healthgate", NULL };
	char *envp[2] = { NULL, NULL }, err[CONFIG_ERR_MAX], *v;
	struct config c;
	size_t n;

	if (size == 0)
		return 0;
	if ((v = fuzz_string(data + 1, size - 1)) == NULL)
		return 0;
	n = strlen(names[data[0] % (sizeof(names) / sizeof(names[0]))]) +
	    strlen(v) + 2;
	if ((envp[0] = malloc(n)) != NULL) {
		snprintf(envp[0], n, "%s=%s",
		    names[data[0] % (sizeof(names) / sizeof(names[0]))], v);
		if (config_load(&c, 1, argv, envp, err) == CONFIG_OK) {
			if (c.timeout_ms >= c.interval_ms)
				abort();
			if (c.napp_ports > CONFIG_APP_PORTS_MAX)
				abort();
			for (unsigned i = 0; i < c.napp_ports; i++)
				if (c.app_ports[i] == 0 ||
				    c.app_ports[i] > 65535)
					abort();
			config_free(&c);
		} else if (err[0] == '\0')
			abort();	/* a refusal always says why */
	}
	free(envp[0]);
	free(v);
	return 0;
}
