/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: the INI loader on arbitrary text. No EAL. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ioc_topology t;
	struct ioc_error err;
	char msg[1024];
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	ioc_topo_init(&t);
	if (ioc_config_load_string(text, "fuzz.ini", &t, &err) == 0)
		ioc_topo_free(&t);
	else
		ioc_error_format(&err, msg, sizeof(msg));
	free(text);
	return 0;
}
