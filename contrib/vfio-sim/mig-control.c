/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vfio-sim: control channel requests for migration fault injection.
 *
 *   {"cmd": "mig-fault", "device": BDF, "arc": "STOP>STOP_COPY",
 *    "errno": "EIO", "nth": 1, "error": false}
 *       the nth next step along that FSM arc fails with errno ("*>X":
 *       any arc into X), leaving the state where the previous arc put
 *       it, or ERROR with "error": true.
 *   {"cmd": "mig-fault", "device": BDF, "data_fd": "read" | "write" |
 *    "precopy-info", "errno": "EIO", "nth": 1}
 *       the nth next read(), write() or VFIO_MIG_GET_PRECOPY_INFO on
 *       the device's data_fd fails with errno.  For "read", "short": N
 *       instead returns at most N bytes, and with "truncate": true the
 *       stream ends (EOF) N bytes further on.

 */
#include <string.h>
#include "mig.h"

static bool parse_arc(const char *s, int *from, int *to)
{
    const char *gt = s ? strchr(s, '>') : NULL;
    g_autofree char *a = NULL;

    if (!gt) {
        return false;
    }
    a = g_strndup(s, gt - s);
    *from = strcmp(a, "*") ? vsim_mig_state_from_name(a) : -1;
    *to = vsim_mig_state_from_name(gt + 1);
    return (*from >= 0 || !strcmp(a, "*")) && *to >= 0;
}

static JsonNode *mig_fault(JsonObject *req, GError **errp)
{
    static const char *const ops[VSIM_MIG_FD_NOPS] = {
        "read", "write", "precopy-info",
    };
    VsimDevice *d = vsim_control_device(req, errp);
    const char *arc = json_object_get_string_member_with_default(
        req, "arc", NULL);
    const char *op = json_object_get_string_member_with_default(
        req, "data_fd", NULL);
    int64_t nth = json_object_get_int_member_with_default(req, "nth", 1);
    int64_t short_len = json_object_get_int_member_with_default(
        req, "short", -1);
    int err = 0;
    VsimMig *m;

    if (!d) {
        return NULL;
    }
    m = vsim_mig(d);
    if (json_object_has_member(req, "errno") &&
        !vsim_control_errno(json_object_get_member(req, "errno"), &err)) {
        goto bad;
    }
    if (nth < 1 || nth > G_MAXUINT) {
        goto bad;
    }
    if (arc) {
        VsimMigFault f = {
            .nth = nth, .err = err,
            .to_error = json_object_get_boolean_member_with_default(
                req, "error", false),
        };

        if (!err || !parse_arc(arc, &f.from, &f.to)) {
            goto bad;
        }
        m->arc_fault = f;
        return json_node_init_object(json_node_alloc(), json_object_new());
    }
    for (int i = 0; op && i < VSIM_MIG_FD_NOPS; i++) {
        if (strcmp(op, ops[i])) {
            continue;
        }
        if (!err && (i != VSIM_MIG_FD_READ || short_len < 0)) {
            goto bad;
        }
        m->fd_fault[i] = (VsimMigFdFault) {
            .nth = nth, .err = err,
            .short_len = short_len < 0 ? 0 : short_len,
            .truncate = json_object_get_boolean_member_with_default(
                req, "truncate", false),
        };
        return json_node_init_object(json_node_alloc(), json_object_new());
    }

bad:
    g_set_error(errp, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                "mig-fault wants \"arc\": \"FROM>TO\" (FROM may be *) with "
                "\"errno\", or \"data_fd\": read|write|precopy-info with "
                "\"errno\" (read: or \"short\": N), and nth >= 1");
    return NULL;
}

JsonNode *vsim_mig_control(const char *cmd, JsonObject *req, GError **errp)
{
    if (!strcmp(cmd, "mig-fault")) {
        return mig_fault(req, errp);
    }
    g_set_error(errp, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                "unknown cmd '%s'", cmd);
    return NULL;
}
