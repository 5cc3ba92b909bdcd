/*
 * fuzz_config.c: arbitrary bytes as a config file, then as a -c assignment,
 * then compiled, printed and re-read. Config files are untrusted input: any
 * of this may fail, none of it may crash or leak. A printed configuration
 * must parse back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "policy.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg, again;
	struct policy *pol;
	char err[CFG_ERR], *text, *assign;
	size_t len;

	if (config_init(&cfg, "/home/u", "/tmp", NULL) != 0)
		return 0;
	config_set_workspace(&cfg, "/ws", "/", "-C", err, sizeof(err));
	if (config_apply_toml(&cfg, "fuzz", (const char *)data, size, err,
		sizeof(err)) == 0 &&
	    (assign = malloc(size + 1)) != NULL) {
		memcpy(assign, data, size);
		assign[size] = '\0';
		config_apply_assignment(&cfg, assign, err, sizeof(err));
		free(assign);
	}
	if (policy_compile(&cfg, NULL, &pol, err, sizeof(err)) == 0)
		policy_free(pol);
	if (config_print(&cfg, &text, &len) == 0) {
		if (config_init(&again, "/home/u", "/tmp", NULL) == 0) {
			if (config_apply_toml(&again, "print", text, len, err,
				sizeof(err)) != 0)
				abort(); /* printed config must re-read */
			config_free(&again);
		}
		free(text);
	}
	config_free(&cfg);
	return 0;
}
