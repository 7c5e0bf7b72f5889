/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * -object / object-add / object-del on top of the host memory backends.
 */
#include "qemu/osdep.h"
#include "sysemu/hostmem.h"
#include "system/keyval.h"
#include "system/objects.h"

/* Ids of the backends made here, oldest first, for teardown. */
static GList *user_object_ids;

bool user_object_create(GHashTable *props, Error **errp)
{
    g_autoptr(GHashTable) rest = g_hash_table_new_full(g_str_hash,
                                                       g_str_equal,
                                                       g_free, g_free);
    const char *type = g_hash_table_lookup(props, "qom-type");
    const char *id = g_hash_table_lookup(props, "id");
    GHashTableIter iter;
    gpointer key, value;

    if (!type) {
        error_setg(errp, "parameter 'qom-type' is missing");
        return false;
    }
    if (!host_memory_backend_type_known(type)) {
        error_setg(errp, "invalid object type '%s' (expected one of "
                   "memory-backend-ram, memory-backend-file, "
                   "memory-backend-memfd)", type);
        return false;
    }
    if (!id) {
        error_setg(errp, "parameter 'id' is missing");
        return false;
    }
    if (host_memory_backend_find(id)) {
        error_setg(errp, "attempt to add duplicate object id '%s'", id);
        return false;
    }
    g_hash_table_iter_init(&iter, props);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        if (strcmp(key, "qom-type") && strcmp(key, "id")) {
            g_hash_table_insert(rest, g_strdup(key), g_strdup(value));
        }
    }
    if (!host_memory_backend_create(type, id, rest, errp)) {
        return false;
    }
    user_object_ids = g_list_append(user_object_ids, g_strdup(id));
    return true;
}

static void user_object_print_help(const char *type)
{
    const char *const *p;

    if (!type) {
        printf("List of user creatable objects:\n");
        for (p = host_memory_backend_types; *p; p++) {
            printf("  %s\n", *p);
        }
        return;
    }
    printf("%s options:\n", type);
    for (p = host_memory_backend_props(type); p && *p; p++) {
        printf("  %s\n", *p);
    }
}

bool user_object_create_str(const char *optstr, bool *printed_help,
                            Error **errp)
{
    g_autoptr(GHashTable) props = keyval_parse_any(optstr, "qom-type", errp);
    const char *type;

    *printed_help = false;
    if (!props) {
        return false;
    }
    type = g_hash_table_lookup(props, "qom-type");
    if (keyval_wants_help(props)) {
        if (type && !host_memory_backend_type_known(type)) {
            error_setg(errp, "invalid object type '%s'", type);
            return false;
        }
        user_object_print_help(type);
        *printed_help = true;
        return true;
    }
    return user_object_create(props, errp);
}

bool user_object_del(const char *id, Error **errp)
{
    HostMemoryBackend *be = host_memory_backend_find(id);
    GList *l;

    if (!be) {
        error_setg(errp, "object '%s' not found", id);
        return false;
    }
    if (!host_memory_backend_destroy(be, errp)) {
        return false;
    }
    l = g_list_find_custom(user_object_ids, id, (GCompareFunc)strcmp);
    if (l) {
        g_free(l->data);
        user_object_ids = g_list_delete_link(user_object_ids, l);
    }
    return true;
}

void user_object_destroy_all(void)
{
    while (user_object_ids) {
        GList *last = g_list_last(user_object_ids);
        HostMemoryBackend *be = host_memory_backend_find(last->data);
        Error *err = NULL;

        if (be && !host_memory_backend_destroy(be, &err)) {
            error_report_err(err);
        }
        g_free(last->data);
        user_object_ids = g_list_delete_link(user_object_ids, last);
    }
}
