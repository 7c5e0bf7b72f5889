/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The "info NAME" pages of the human monitor: device and migration code
 * registers its pages here (hmp_register_info), and the program's
 * human-monitor-command (system/hmp.c) looks them up.
 */
#include "qemu/osdep.h"
#include "qapi/qmp-internal.h"

typedef struct HmpInfo {
    HmpInfoFunc fn;
} HmpInfo;

static GHashTable *hmp_infos;       /* name -> HmpInfo */

void hmp_register_info(const char *name, HmpInfoFunc fn)
{
    HmpInfo *info = g_new(HmpInfo, 1);

    if (!hmp_infos) {
        hmp_infos = g_hash_table_new_full(g_str_hash, g_str_equal,
                                          g_free, g_free);
    }
    info->fn = fn;
    g_hash_table_replace(hmp_infos, g_strdup(name), info);
}

static gint hmp_name_compare(gconstpointer a, gconstpointer b)
{
    return strcmp(a, b);
}

GList *hmp_info_names(void)
{
    GList *names = hmp_infos ? g_hash_table_get_keys(hmp_infos) : NULL;

    return g_list_sort(names, hmp_name_compare);
}

HmpInfoFunc hmp_info_find(const char *name)
{
    HmpInfo *info = hmp_infos ? g_hash_table_lookup(hmp_infos, name) : NULL;

    return info ? info->fn : NULL;
}

void hmp_cleanup(void)
{
    g_clear_pointer(&hmp_infos, g_hash_table_unref);
}
