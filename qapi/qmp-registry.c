/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The QMP command registry (include/qapi/qmp.h): name -> handler.  The
 * device layers register here; the dispatch, which checks commands
 * against the schema, is the program's (system/qmp.c).
 *
 * Registering a name that exists replaces the old handler: the program
 * registers defaults (query-memory-devices returns []) that device code
 * can take over later.
 */
#include "qemu/osdep.h"
#include "qapi/qmp.h"

static GHashTable *qmp_commands;     /* name -> QmpCommandFunc */

void qmp_register_command(const char *name, QmpCommandFunc fn)
{
    if (!qmp_commands) {
        qmp_commands = g_hash_table_new_full(g_str_hash, g_str_equal,
                                             g_free, NULL);
    }
    g_hash_table_replace(qmp_commands, g_strdup(name), (gpointer)fn);
}

QmpCommandFunc qmp_command_lookup(const char *name)
{
    return qmp_commands ? (QmpCommandFunc)g_hash_table_lookup(qmp_commands,
                                                               name) : NULL;
}

bool qmp_command_exists(const char *name)
{
    return qmp_command_lookup(name) != NULL;
}

static gint qmp_name_compare(gconstpointer a, gconstpointer b)
{
    return strcmp(a, b);
}

GList *qmp_command_names(void)
{
    if (!qmp_commands) {
        return NULL;
    }
    return g_list_sort(g_hash_table_get_keys(qmp_commands),
                       qmp_name_compare);
}

void qmp_registry_cleanup(void)
{
    g_clear_pointer(&qmp_commands, g_hash_table_unref);
}
