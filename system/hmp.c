/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * human-monitor-command: the "info" commands (info mtree built in,
 * others registered by device code, e.g. info vfio), and trace-event /
 * info trace-events, which run the QMP trace commands.
 */
#include "qemu/osdep.h"
#include "exec/memory.h"
#include "system/qmp-internal.h"
#include "trace.h"

static void hmp_info_list(GString *out)
{
    GList *names = hmp_info_names(), *l;

    for (l = names; l; l = l->next) {
        g_string_append_printf(out, "info %s\r\n", (char *)l->data);
    }
    g_list_free(names);
}

/* info mtree [-f] [-d] [-o]: the memory tree, flat views, dispatch. */
static bool hmp_info_mtree(GString *out, const char *args, Error **errp)
{
    g_auto(GStrv) words = g_strsplit(args, " ", -1);
    bool flat = false, dispatch = false, owner = false;
    char **w;

    for (w = words; *w; w++) {
        if (!**w) {
            continue;
        } else if (!strcmp(*w, "-f")) {
            flat = true;
        } else if (!strcmp(*w, "-d")) {
            dispatch = true;
        } else if (!strcmp(*w, "-o")) {
            owner = true;
        } else {
            error_setg(errp, "info mtree: unknown option '%s' "
                       "(expected -f, -d or -o)", *w);
            return false;
        }
    }
    mtree_info(out, flat, dispatch, owner);
    return true;
}

/* Run QMP @cmd with {"name": @name[, "enable": @enable]}. */
static JsonNode *hmp_trace_qmp(const char *cmd, const char *name,
                               int enable, Error **errp)
{
    g_autoptr(JsonObject) args = json_object_new();

    json_object_set_string_member(args, "name", name);
    if (enable >= 0) {
        json_object_set_boolean_member(args, "enable", enable);
    }
    return qmp_dispatch(cmd, args, errp);
}

/* trace-event NAME on|off (NAME may be a glob) */
static bool hmp_trace_event(GString *out, const char *args, Error **errp)
{
    g_auto(GStrv) words = g_strsplit_set(args, " ", -1);
    const char *name = NULL, *state = NULL;
    JsonNode *ret;
    Error *err = NULL;
    char **w;

    for (w = words; *w; w++) {
        if (!**w) {
            continue;
        } else if (!name) {
            name = *w;
        } else if (!state) {
            state = *w;
        } else {
            state = NULL;
            break;
        }
    }
    if (!name || !state || (strcmp(state, "on") && strcmp(state, "off"))) {
        error_setg(errp, "trace-event: expects NAME on|off (NAME may be a "
                   "glob; info trace-events lists them)");
        return false;
    }
    ret = hmp_trace_qmp("trace-event-set-state", name,
                        !strcmp(state, "on"), &err);
    if (ret) {
        json_node_unref(ret);
    }
    if (err) {
        error_propagate(errp, err);
        return false;
    }
    return true;
}

/* info trace-events [PATTERN]: "NAME : state 0|1", one a line */
static bool hmp_info_trace_events(GString *out, const char *args,
                                  Error **errp)
{
    g_autofree char *pattern = g_strstrip(g_strdup(args));
    JsonNode *ret = hmp_trace_qmp("trace-event-get-state",
                                  *pattern ? pattern : "*", -1, errp);
    JsonArray *list;
    unsigned i;

    if (!ret) {
        return false;
    }
    list = json_node_get_array(ret);
    for (i = 0; i < json_array_get_length(list); i++) {
        JsonObject *o = json_array_get_object_element(list, i);

        g_string_append_printf(out, "%s : state %d\n",
                               json_object_get_string_member(o, "name"),
                               !strcmp(json_object_get_string_member(
                                           o, "state"), "enabled"));
    }
    json_node_unref(ret);
    return true;
}

/* QEMU's monitor ends every output line in CR LF. */
static char *hmp_crlf(const char *text)
{
    g_autoptr(GString) out = g_string_new(NULL);
    const char *p;

    for (p = text; *p; p++) {
        if (*p == '\n' && (p == text || p[-1] != '\r')) {
            g_string_append_c(out, '\r');
        }
        g_string_append_c(out, *p);
    }
    return g_string_free(g_steal_pointer(&out), FALSE);
}

static char *hmp_execute_lf(const char *cmdline, Error **errp);

/* Run one HMP command line; its output text with CR LF line ends. */
char *hmp_execute(const char *cmdline, Error **errp)
{
    g_autofree char *out = hmp_execute_lf(cmdline, errp);

    return out ? hmp_crlf(out) : NULL;
}

static char *hmp_execute_lf(const char *cmdline, Error **errp)
{
    g_autoptr(GString) out = g_string_new(NULL);
    g_autofree char *line = g_strstrip(g_strdup(cmdline));
    g_autofree char *cmd = NULL;
    const char *rest = "";
    char *sp = strchr(line, ' ');
    g_autofree char *name = NULL;
    HmpInfoFunc info;

    cmd = sp ? g_strndup(line, sp - line) : g_strdup(line);
    if (sp) {
        rest = sp + 1;
        while (*rest == ' ') {
            rest++;
        }
    }
    trace_hmp_command(line);
    if (!*cmd) {
        return g_strdup("");
    }
    if (!strcmp(cmd, "trace-event")) {
        if (!hmp_trace_event(out, rest, errp)) {
            return NULL;
        }
        return g_string_free(g_steal_pointer(&out), FALSE);
    }
    if (strcmp(cmd, "info")) {
        bool found;

        if (hmp_run_command(cmd, rest, out, &found, errp)) {
            return g_string_free(g_steal_pointer(&out), FALSE);
        }
        if (found) {
            return NULL;
        }
        /* QEMU answers unknown commands with text, not a QMP error. */
        return g_strdup_printf("unknown command: '%s'\r\n", cmd);
    }
    if (!*rest) {
        hmp_info_list(out);
        return g_string_free(g_steal_pointer(&out), FALSE);
    }
    sp = strchr(rest, ' ');
    name = sp ? g_strndup(rest, sp - rest) : g_strdup(rest);
    rest = sp ? sp + 1 : "";
    info = hmp_info_find(name);
    if (!info) {
        /* As QEMU: text naming the whole command, not an error. */
        return g_strdup_printf("unknown command: 'info %s'\r\n", name);
    }
    if (!info(out, rest, errp)) {
        return NULL;
    }
    return g_string_free(g_steal_pointer(&out), FALSE);
}

void hmp_register_builtin(void)
{
    hmp_register_info("mtree", hmp_info_mtree);
    hmp_register_info("trace-events", hmp_info_trace_events);
    hmp_register_cmds();
    hmp_register_info_pages();
}
