/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * QMP command and event registry.  Commands are JSON in, JSON out
 * (json-glib); errors are Error objects turned into GenericError.
 */
#ifndef QAPI_QMP_H
#define QAPI_QMP_H

#include "qemu/osdep.h"
#include "qemu/error.h"
#include <json-glib/json-glib.h>

/*
 * @args is the "arguments" object (an empty object when absent).
 * Return the "return" value (NULL means {}); on failure set @errp.
 */
typedef JsonNode *(*QmpCommandFunc)(JsonObject *args, Error **errp);

/*
 * Register @fn as command @name (replacing any earlier handler).  The
 * command must be declared in qapi/schema.json, whose argument checks
 * run before @fn (see docs/qmp.md, "Adding a command").
 */
void qmp_register_command(const char *name, QmpCommandFunc fn);
bool qmp_command_exists(const char *name);
/* The handler registered for @name, or NULL. */
QmpCommandFunc qmp_command_lookup(const char *name);
/* Registered command names, sorted (g_list_free the list only). */
GList *qmp_command_names(void);
/* Drop every registration (teardown). */
void qmp_registry_cleanup(void);
/* Drop held events (teardown). */
void qmp_events_cleanup(void);

/* Send an event to every QMP session that negotiated capabilities. */
void qmp_event_send(const char *name, JsonObject *data);

/*
 * "info NAME" handlers for human-monitor-command; @args is the rest of
 * the command line after NAME ("" when none).  Output text goes to @out.
 */
typedef bool (*HmpInfoFunc)(GString *out, const char *args, Error **errp);
void hmp_register_info(const char *name, HmpInfoFunc fn);

/*
 * Return values for commands: a node holding @obj (or @arr); takes
 * over the caller's reference.
 */
static inline JsonNode *qmp_node_take_object(JsonObject *obj)
{
    JsonNode *node = json_node_alloc();

    json_node_init_object(node, obj);
    json_object_unref(obj);
    return node;
}

static inline JsonNode *qmp_node_take_array(JsonArray *arr)
{
    JsonNode *node = json_node_alloc();

    json_node_init_array(node, arr);
    json_array_unref(arr);
    return node;
}

#endif
