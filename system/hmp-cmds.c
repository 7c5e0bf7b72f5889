/*
 * HMP commands beyond "info": help, quit, stop, cont, system_reset,
 * device_add, device_del, object_add, object_del, migrate,
 * migrate_cancel, and the info pages about the run state
 * (status, version, name, uuid).  Each runs the QMP command of the same
 * meaning, so the two monitors cannot disagree.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/qdev.h"
#include "system/keyval.h"
#include "system/machines.h"
#include "system/qmp-internal.h"
#include "system/qmp-version.h"

typedef bool (*HmpCmdFunc)(GString *out, const char *args, Error **errp);

typedef struct HmpCmd {
    const char *name;
    const char *params;
    const char *help;
    HmpCmdFunc fn;
} HmpCmd;

/* Run QMP @name with no arguments; its result is not shown. */
static bool hmp_qmp_noargs(const char *name, Error **errp)
{
    Error *err = NULL;
    JsonNode *ret = qmp_dispatch(name, NULL, &err);

    if (ret) {
        json_node_unref(ret);
    }
    if (err) {
        error_propagate(errp, err);
        return false;
    }
    return true;
}

static bool hmp_quit(GString *out, const char *args, Error **errp)
{
    return hmp_qmp_noargs("quit", errp);
}

static bool hmp_stop(GString *out, const char *args, Error **errp)
{
    return hmp_qmp_noargs("stop", errp);
}

static bool hmp_cont(GString *out, const char *args, Error **errp)
{
    return hmp_qmp_noargs("cont", errp);
}

static bool hmp_system_reset(GString *out, const char *args, Error **errp)
{
    return hmp_qmp_noargs("system_reset", errp);
}

static bool hmp_device_add(GString *out, const char *args, Error **errp)
{
    if (!*args) {
        error_setg(errp, "device_add: a device description is required "
                   "(device_add help lists the types)");
        return false;
    }
    if (!strcmp(args, "help")) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);

        qdev_print_types(f);
        fclose(f);
        g_string_append(out, text);
        free(text);
        return true;
    }
    return qdev_device_add_str(args, errp) != NULL;
}

static bool hmp_device_del(GString *out, const char *args, Error **errp)
{
    g_autoptr(JsonObject) a = json_object_new();
    Error *err = NULL;
    JsonNode *ret;

    json_object_set_string_member(a, "id", args);
    ret = qmp_dispatch("device_del", a, &err);
    if (ret) {
        json_node_unref(ret);
    }
    if (err) {
        error_propagate(errp, err);
        return false;
    }
    return true;
}

/* Run QMP @name with @args (taken); its result is not shown. */
static bool hmp_qmp_args(const char *name, JsonObject *args, Error **errp)
{
    g_autoptr(JsonObject) a = args;
    Error *err = NULL;
    JsonNode *ret = qmp_dispatch(name, a, &err);

    if (ret) {
        json_node_unref(ret);
    }
    if (err) {
        error_propagate(errp, err);
        return false;
    }
    return true;
}

/* object_add TYPE,id=ID[,PROP=VALUE...]: QMP object-add. */
static bool hmp_object_add(GString *out, const char *args, Error **errp)
{
    g_autoptr(GHashTable) opts = NULL;
    g_autoptr(GList) keys = NULL;
    JsonObject *a;
    GList *l;

    if (!*args) {
        error_setg(errp, "object_add: an object description is required "
                   "(TYPE,id=ID,...)");
        return false;
    }
    opts = keyval_parse(args, "qom-type", errp);
    if (!opts) {
        return false;
    }
    a = json_object_new();
    keys = keyval_sorted_keys(opts);
    for (l = keys; l; l = l->next) {
        json_object_set_string_member(a, l->data,
                                      g_hash_table_lookup(opts, l->data));
    }
    return hmp_qmp_args("object-add", a, errp);
}

static bool hmp_object_del(GString *out, const char *args, Error **errp)
{
    JsonObject *a = json_object_new();

    json_object_set_string_member(a, "id", args);
    return hmp_qmp_args("object-del", a, errp);
}

/*
 * migrate [-d] URI: QMP migrate.  Difference: QEMU's HMP waits for the
 * end without -d; here it always returns at once (info migrate shows
 * the progress, as after QEMU's -d).
 */
static bool hmp_migrate(GString *out, const char *args, Error **errp)
{
    JsonObject *a;

    if (g_str_has_prefix(args, "-d ")) {
        args += 3;
        while (*args == ' ') {
            args++;
        }
    }
    if (!*args) {
        error_setg(errp, "migrate: a URI is required (migrate [-d] URI)");
        return false;
    }
    a = json_object_new();
    json_object_set_string_member(a, "uri", args);
    return hmp_qmp_args("migrate", a, errp);
}

static bool hmp_migrate_cancel(GString *out, const char *args, Error **errp)
{
    return hmp_qmp_noargs("migrate_cancel", errp);
}

static bool hmp_help(GString *out, const char *args, Error **errp);

static const HmpCmd hmp_cmds[] = {
    { "cont", "", "resume emulation", hmp_cont },
    { "device_add", "driver[,prop=value][,...]", "add device, like -device "
      "on the command line", hmp_device_add },
    { "device_del", "device", "remove device", hmp_device_del },
    { "help", "[cmd]", "show the help", hmp_help },
    { "info", "[subcommand]", "show various information about the system "
      "state", NULL },
    { "migrate", "[-d] uri", "migrate to URI (using -d to not wait for "
      "completion)", hmp_migrate },
    { "migrate_cancel", "", "cancel the current VM migration",
      hmp_migrate_cancel },
    { "object_add", "[qom-type=]type,id=str[,prop=value][,...]",
      "create QOM object", hmp_object_add },
    { "object_del", "id", "destroy QOM object", hmp_object_del },
    { "quit", "", "quit the emulator", hmp_quit },
    { "stop", "", "stop emulation", hmp_stop },
    { "system_reset", "", "reset the system", hmp_system_reset },
};

/* What "help info" says about the info pages it knows. */
static const char *const hmp_info_help[][2] = {
    { "irq", "show the interrupt controller's sources and counts" },
    { "memory-devices", "show memory devices" },
    { "migrate", "show migration status" },
    { "mtree", "show memory tree (-f: flat views, -d: dispatch trees, "
      "-o: owners)" },
    { "name", "show the current VM name" },
    { "pci", "show PCI info" },
    { "qom-tree", "show QOM composition tree" },
    { "qtree", "show device tree" },
    { "status", "show the current VM status (running|paused)" },
    { "uuid", "show the current VM UUID" },
    { "version", "show the version of QEMU" },
    { "vfio", "show VFIO containers, groups and host windows" },
};

static const char *hmp_info_desc(const char *name)
{
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(hmp_info_help); i++) {
        if (!strcmp(hmp_info_help[i][0], name)) {
            return hmp_info_help[i][1];
        }
    }
    return "show information";
}

static bool hmp_help(GString *out, const char *args, Error **errp)
{
    unsigned i;

    if (!strcmp(args, "info")) {
        GList *names = hmp_info_names(), *l;

        for (l = names; l; l = l->next) {
            g_string_append_printf(out, "info %s  -- %s\n",
                                   (char *)l->data,
                                   hmp_info_desc(l->data));
        }
        g_list_free(names);
        return true;
    }
    for (i = 0; i < G_N_ELEMENTS(hmp_cmds); i++) {
        if (*args && strcmp(args, hmp_cmds[i].name)) {
            continue;
        }
        g_string_append_printf(out, "%s %s -- %s\n", hmp_cmds[i].name,
                               hmp_cmds[i].params, hmp_cmds[i].help);
    }
    return true;
}

bool hmp_run_command(const char *cmd, const char *args, GString *out,
                     bool *found, Error **errp)
{
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(hmp_cmds); i++) {
        if (hmp_cmds[i].fn && !strcmp(hmp_cmds[i].name, cmd)) {
            *found = true;
            return hmp_cmds[i].fn(out, args, errp);
        }
    }
    *found = false;
    return false;
}

static bool hmp_info_status(GString *out, const char *args, Error **errp)
{
    const char *st = vl_machine_status();

    g_string_append_printf(out, "VM status: %s\n",
                           !strcmp(st, "prelaunch") ? "paused (prelaunch)"
                                                    : st);
    return true;
}

static bool hmp_info_version(GString *out, const char *args, Error **errp)
{
    g_string_append_printf(out, "%d.%d.%d (spapr-vfio %s)\n",
                           QMP_QEMU_MAJOR, QMP_QEMU_MINOR, QMP_QEMU_MICRO,
                           SPAPR_VFIO_VERSION);
    return true;
}

static bool hmp_info_name(GString *out, const char *args, Error **errp)
{
    if (machine_guest_name()) {
        g_string_append_printf(out, "%s\n", machine_guest_name());
    }
    return true;
}

static bool hmp_info_uuid(GString *out, const char *args, Error **errp)
{
    g_string_append_printf(out, "%s\n", machine_uuid());
    return true;
}

void hmp_register_cmds(void)
{
    hmp_register_info("status", hmp_info_status);
    hmp_register_info("version", hmp_info_version);
    hmp_register_info("name", hmp_info_name);
    hmp_register_info("uuid", hmp_info_uuid);
}
