/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * QMP sessions: greeting, capabilities negotiation, request checking
 * and replies over a chardev.
 *
 * Every request gets exactly one reply, whatever it contains, and the
 * session never closes because of bad input.
 */
#include "qemu/osdep.h"
#include "system/json-stream.h"
#include "system/json-writer.h"
#include "system/qmp-internal.h"
#include "system/qmp-version.h"
#include "trace.h"

/*
 * A request larger than this is hostile or broken (QEMU allows 64 MiB;
 * no command here takes more than a few KiB).  Nesting as QEMU.
 */
#define QMP_MAX_REQUEST (1 << 20)
#define QMP_MAX_DEPTH   1024

typedef struct Monitor {
    Chardev *chr;
    JsonStream *stream;
    bool connected;
    bool negotiated;
    bool oob_enabled;           /* qmp_capabilities enable: ["oob"] */
} Monitor;

static GList *monitors;

static void monitor_send_text(Monitor *mon, const char *text)
{
    g_autofree char *line = g_strconcat(text, "\r\n", NULL);

    chardev_write(mon->chr, line, strlen(line));
}

static void monitor_send_object(Monitor *mon, JsonObject *obj)
{
    g_autoptr(JsonNode) root = json_node_alloc();
    g_autofree char *text = NULL;

    json_node_init_object(root, obj);
    text = json_write_node(root);
    monitor_send_text(mon, text);
}

static void monitor_reply_error(Monitor *mon, JsonNode *id,
                                const char *klass, const char *desc)
{
    g_autoptr(JsonObject) reply = json_object_new();
    JsonObject *err = json_object_new();

    json_object_set_string_member(err, "class", klass);
    json_object_set_string_member(err, "desc", desc);
    json_object_set_object_member(reply, "error", err);
    if (id) {
        json_object_set_member(reply, "id", json_node_copy(id));
    }
    trace_qmp_reply_error(klass, desc);
    monitor_send_object(mon, reply);
}

static void monitor_reply_return(Monitor *mon, JsonNode *id, JsonNode *ret)
{
    g_autoptr(JsonObject) reply = json_object_new();

    json_object_set_member(reply, "return", ret);
    if (id) {
        json_object_set_member(reply, "id", json_node_copy(id));
    }
    monitor_send_object(mon, reply);
}

static void monitor_send_greeting(Monitor *mon)
{
    g_autoptr(JsonObject) greeting = json_object_new();
    JsonObject *qmp = json_object_new();
    JsonArray *caps = json_array_new();

    json_array_add_string_element(caps, "oob");
    json_object_set_object_member(qmp, "version", qmp_version_object());
    json_object_set_array_member(qmp, "capabilities", caps);
    json_object_set_object_member(greeting, "QMP", qmp);
    monitor_send_object(mon, greeting);
}

/*
 * The request envelope, member by member in the order the client wrote
 * them, as QEMU checks it.  "exec-oob" is a command key only once the
 * session enabled the oob capability; before that it is unexpected.
 */
static bool monitor_check_request(Monitor *mon, JsonObject *req,
                                  const char **cmd, bool *oob,
                                  JsonObject **args, Error **errp)
{
    g_autoptr(GList) members = json_object_get_members(req);
    const char *exec_key = NULL;
    GList *l;

    *args = NULL;
    for (l = members; l; l = l->next) {
        const char *m = l->data;
        JsonNode *v = json_object_get_member(req, m);

        if (!strcmp(m, "execute") ||
            (!strcmp(m, "exec-oob") && mon->oob_enabled)) {
            if (!JSON_NODE_HOLDS_VALUE(v) ||
                json_node_get_value_type(v) != G_TYPE_STRING) {
                error_setg(errp, "QMP input member '%s' must be a string",
                           m);
                return false;
            }
            if (exec_key) {
                error_setg(errp, "QMP input member '%s' clashes with '%s'",
                           m, exec_key);
                return false;
            }
            exec_key = m;
            *cmd = json_node_get_string(v);
            *oob = !strcmp(m, "exec-oob");
        } else if (!strcmp(m, "arguments")) {
            if (!JSON_NODE_HOLDS_OBJECT(v)) {
                error_setg(errp, "QMP input member 'arguments' must be an "
                           "object");
                return false;
            }
            *args = json_node_get_object(v);
        } else if (strcmp(m, "id")) {
            error_setg(errp, "QMP input member '%s' is unexpected", m);
            return false;
        }
    }
    if (!exec_key) {
        error_setg(errp, "QMP input lacks member 'execute'");
        return false;
    }
    return true;
}

/*
 * qmp_capabilities [enable: ["oob"]]: the arguments are checked against
 * the schema (a [QMPCapability], whose one value is oob).
 */
static bool monitor_capabilities(Monitor *mon, JsonObject *args,
                                 Error **errp)
{
    JsonArray *caps;

    if (!qmp_schema_check_args(qmp_schema_find("qmp_capabilities"), args,
                               errp)) {
        return false;
    }
    caps = args ? qmp_arg_array(args, "enable") : NULL;
    mon->oob_enabled = caps && json_array_get_length(caps);
    mon->negotiated = true;
    return true;
}

static void monitor_handle_request(Monitor *mon, JsonNode *root)
{
    JsonObject *req;
    JsonNode *id = NULL;
    JsonObject *args;
    const char *cmd = NULL;
    bool oob = false;
    JsonNode *ret;
    Error *err = NULL;

    if (!JSON_NODE_HOLDS_OBJECT(root)) {
        monitor_reply_error(mon, NULL, "GenericError",
                            "QMP input must be a JSON object");
        return;
    }
    req = json_node_get_object(root);
    id = json_object_get_member(req, "id");
    if (!monitor_check_request(mon, req, &cmd, &oob, &args, &err)) {
        monitor_reply_error(mon, id, "GenericError",
                            error_get_pretty(err));
        error_free(err);
        return;
    }
    trace_qmp_command(cmd);
    if (!strcmp(cmd, "qmp_capabilities")) {
        if (mon->negotiated &&
            !qmp_schema_check_args(qmp_schema_find("qmp_capabilities"),
                                   args, &err)) {
            /* As QEMU: the arguments are checked before anything else. */
            monitor_reply_error(mon, id, "GenericError",
                                error_get_pretty(err));
            error_free(err);
        } else if (mon->negotiated) {
            monitor_reply_error(mon, id, "CommandNotFound",
                                "Capabilities negotiation is already "
                                "complete, command ignored");
        } else if (!monitor_capabilities(mon, args, &err)) {
            monitor_reply_error(mon, id, "GenericError",
                                error_get_pretty(err));
            error_free(err);
        } else {
            monitor_reply_return(mon, id, qmp_node_take_object(
                                 json_object_new()));
        }
        return;
    }
    if (!mon->negotiated) {
        monitor_reply_error(mon, id, "CommandNotFound",
                            "Expecting capabilities negotiation with "
                            "'qmp_capabilities'");
        return;
    }
    if (!qmp_command_exists(cmd)) {
        g_autofree char *desc = g_strdup_printf("The command %s has not "
                                                "been found", cmd);

        monitor_reply_error(mon, id, "CommandNotFound", desc);
        return;
    }
    /*
     * One thread runs everything here, so an out-of-band command runs
     * as soon as it is read, like any other: what QEMU guarantees (it
     * is not held up behind in-band work) holds trivially.
     */
    if (oob && !qmp_command_allows_oob(cmd)) {
        g_autofree char *desc = g_strdup_printf("The command %s does not "
                                                "support OOB", cmd);

        monitor_reply_error(mon, id, "GenericError", desc);
        return;
    }
    if (!qmp_command_allowed_now(cmd, &err)) {
        monitor_reply_error(mon, id, "GenericError", error_get_pretty(err));
        error_free(err);
        return;
    }
    ret = qmp_dispatch(cmd, args, &err);
    if (err) {
        monitor_reply_error(mon, id, qmp_error_take_class(),
                            error_get_pretty(err));
        error_free(err);
    } else {
        monitor_reply_return(mon, id, ret);
    }
    qmp_send_held_events();
}

static void monitor_got_value(void *opaque, JsonNode *root,
                              const char *error)
{
    Monitor *mon = opaque;

    if (error) {
        monitor_reply_error(mon, NULL, "GenericError", error);
        return;
    }
    monitor_handle_request(mon, root);
    json_node_unref(root);
}

static void monitor_opened(void *opaque)
{
    Monitor *mon = opaque;

    mon->connected = true;
    mon->negotiated = false;
    mon->oob_enabled = false;
    json_stream_reset(mon->stream);
    monitor_send_greeting(mon);
}

static void monitor_read(void *opaque, const uint8_t *buf, size_t len)
{
    Monitor *mon = opaque;

    json_stream_feed(mon->stream, buf, len);
}

static void monitor_closed(void *opaque)
{
    Monitor *mon = opaque;

    mon->connected = false;
    mon->negotiated = false;
    json_stream_reset(mon->stream);
}

static const ChardevHandlers monitor_handlers = {
    .opened = monitor_opened,
    .read = monitor_read,
    .closed = monitor_closed,
};

bool monitor_new_qmp(Chardev *chr, Error **errp)
{
    Monitor *mon = g_new0(Monitor, 1);

    if (!chardev_attach(chr, &monitor_handlers, mon, errp)) {
        g_free(mon);
        return false;
    }
    mon->chr = chr;
    mon->stream = json_stream_new(QMP_MAX_REQUEST, QMP_MAX_DEPTH,
                                  monitor_got_value, mon);
    /* Events from every layer reach the sessions through the registry. */
    qmp_set_event_sink(monitor_broadcast);
    monitors = g_list_append(monitors, mon);
    return true;
}

void monitor_broadcast(const char *text)
{
    GList *l;

    for (l = monitors; l; l = l->next) {
        Monitor *mon = l->data;

        if (mon->connected && mon->negotiated) {
            monitor_send_text(mon, text);
        }
    }
}

static void monitor_free(Monitor *mon)
{
    json_stream_free(mon->stream);
    g_free(mon);
}

void monitor_cleanup_all(void)
{
    g_list_free_full(g_steal_pointer(&monitors),
                     (GDestroyNotify)monitor_free);
}
