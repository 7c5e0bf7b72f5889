/*
 * QMP internals shared by the registry, the sessions (monitor.c) and
 * the built-in commands.
 */
#ifndef SYSTEM_QMP_INTERNAL_H
#define SYSTEM_QMP_INTERNAL_H

#include "qapi/qmp.h"
#include "system/chardev.h"

/* A node holding @obj; takes over the caller's reference. */
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

/* Registered command names, sorted (g_list_free the list only). */
GList *qmp_command_names(void);
/* The built-in commands (qmp-commands.c) and "info mtree" (hmp.c). */
void qmp_register_builtin_commands(void);
void hmp_register_builtin(void);
/* Run "human-monitor-command" text; returns the output text. */
char *hmp_execute(const char *cmdline, Error **errp);
/* Free the registries (teardown, keeps leak checkers quiet). */
void qmp_registry_cleanup(void);
void hmp_cleanup(void);

/* A QMP session on @chr (-mon chardev=ID,mode=control or -qmp). */
bool monitor_new_qmp(Chardev *chr, Error **errp);
/* Send one serialized event to every negotiated session. */
void monitor_broadcast(const char *text);
void monitor_cleanup_all(void);

#endif
