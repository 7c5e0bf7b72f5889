/*
 * QMP sessions: greeting, capabilities negotiation, request checking
 * and replies over a chardev.
 *
 * Every request gets exactly one reply, whatever it contains, and the
 * session never closes because of bad input.
 */
#include "qemu/osdep.h"
#include "system/json-stream.h"
#include "system/qmp-internal.h"
#include "system/qmp-version.h"
#include "trace.h"

/* A request larger than this is hostile or broken; so is deep nesting. */
#define QMP_MAX_REQUEST (1 << 20)
#define QMP_MAX_DEPTH   64

typedef struct Monitor {
    Chardev *chr;
    JsonStream *stream;
    bool connected;
    bool negotiated;
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
    text = json_to_string(root, FALSE);
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

    json_object_set_object_member(qmp, "version", qmp_version_object());
    json_object_set_array_member(qmp, "capabilities", json_array_new());
    json_object_set_object_member(greeting, "QMP", qmp);
    monitor_send_object(mon, greeting);
}

static bool monitor_check_request(JsonObject *req, const char **cmd,
                                  JsonObject **args, Error **errp)
{
    g_autoptr(GList) members = json_object_get_members(req);
    JsonNode *exec = json_object_get_member(req, "execute");
    JsonNode *arguments = json_object_get_member(req, "arguments");
    GList *l;

    for (l = members; l; l = l->next) {
        const char *m = l->data;

        if (strcmp(m, "execute") && strcmp(m, "arguments") &&
            strcmp(m, "id")) {
            error_setg(errp, "QMP input member '%s' is unexpected", m);
            return false;
        }
    }
    if (!exec) {
        error_setg(errp, "QMP input lacks member 'execute'");
        return false;
    }
    if (JSON_NODE_HOLDS_VALUE(exec) &&
        json_node_get_value_type(exec) == G_TYPE_STRING) {
        *cmd = json_node_get_string(exec);
    } else {
        error_setg(errp, "QMP input member 'execute' must be a string");
        return false;
    }
    *args = NULL;
    if (arguments) {
        if (!JSON_NODE_HOLDS_OBJECT(arguments)) {
            error_setg(errp, "QMP input member 'arguments' must be an "
                       "object");
            return false;
        }
        *args = json_node_get_object(arguments);
    }
    return true;
}

static bool monitor_capabilities(Monitor *mon, JsonObject *args,
                                 Error **errp)
{
    JsonNode *enable = args ? json_object_get_member(args, "enable") : NULL;

    if (enable && JSON_NODE_HOLDS_ARRAY(enable) &&
        json_array_get_length(json_node_get_array(enable))) {
        JsonNode *cap = json_array_get_element(json_node_get_array(enable),
                                               0);
        const char *name = JSON_NODE_HOLDS_VALUE(cap) &&
            json_node_get_value_type(cap) == G_TYPE_STRING ?
            json_node_get_string(cap) : "?";

        error_setg(errp, "Capability '%s' not available", name);
        return false;
    }
    mon->negotiated = true;
    return true;
}

static void monitor_handle_request(Monitor *mon, JsonNode *root)
{
    JsonObject *req;
    JsonNode *id = NULL;
    JsonObject *args;
    const char *cmd;
    JsonNode *ret;
    Error *err = NULL;

    if (!JSON_NODE_HOLDS_OBJECT(root)) {
        monitor_reply_error(mon, NULL, "GenericError",
                            "QMP input must be a JSON object");
        return;
    }
    req = json_node_get_object(root);
    id = json_object_get_member(req, "id");
    if (!monitor_check_request(req, &cmd, &args, &err)) {
        monitor_reply_error(mon, id, "GenericError",
                            error_get_pretty(err));
        error_free(err);
        return;
    }
    trace_qmp_command(cmd);
    if (!strcmp(cmd, "qmp_capabilities")) {
        if (mon->negotiated) {
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
    ret = qmp_dispatch(cmd, args, &err);
    if (err) {
        monitor_reply_error(mon, id, qmp_error_take_class(),
                            error_get_pretty(err));
        error_free(err);
        return;
    }
    monitor_reply_return(mon, id, ret);
}

static void monitor_got_text(void *opaque, const char *text, size_t len,
                             const char *error)
{
    Monitor *mon = opaque;
    g_autoptr(JsonParser) parser = NULL;
    g_autoptr(GError) gerr = NULL;

    if (error) {
        monitor_reply_error(mon, NULL, "GenericError", error);
        return;
    }
    parser = json_parser_new_immutable();
    if (!g_utf8_validate(text, len, NULL)) {
        monitor_reply_error(mon, NULL, "GenericError",
                            "JSON parse error, invalid UTF-8");
        return;
    }
    if (!json_parser_load_from_data(parser, text, len, &gerr)) {
        g_autofree char *desc = g_strdup_printf("JSON parse error, %s",
                                                gerr->message);

        monitor_reply_error(mon, NULL, "GenericError", desc);
        return;
    }
    monitor_handle_request(mon, json_parser_get_root(parser));
}

static void monitor_opened(void *opaque)
{
    Monitor *mon = opaque;

    mon->connected = true;
    mon->negotiated = false;
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
                                  monitor_got_text, mon);
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
