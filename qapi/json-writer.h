/*
 * JSON output as QMP sends it: compact, ", " and ": " separators,
 * everything but printable ASCII escaped as \uXXXX (bytes that are not
 * UTF-8 become \uFFFD), doubles with 17 significant digits so they
 * read back as the same value.  Always valid JSON, whatever the node
 * holds (an infinity is clamped to the largest double).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef SYSTEM_JSON_WRITER_H
#define SYSTEM_JSON_WRITER_H

#include "qemu/osdep.h"
#include <json-glib/json-glib.h>

char *json_write_node(JsonNode *node);
void json_write_string(GString *out, const char *s);

#endif
