/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * What the code scripts/qapi-gen.py generates from qapi/schema.json
 * builds on: checkers of JSON values against schema types, with QEMU's
 * error messages, and the accessors the generated marshallers unpack
 * already-checked arguments with.
 */
#ifndef SYSTEM_QMP_VISIT_H
#define SYSTEM_QMP_VISIT_H

#include "qapi/qmp.h"

/*
 * Check @n against one type.  @path is the value's full name for
 * messages ("instances[0].type"); @name its member name, NULL for an
 * array element (QEMU's enum errors use it, and say 'null' then).
 */
typedef bool QmpCheckFunc(JsonNode *n, const char *path, const char *name,
                          Error **errp);

typedef struct QmpMember {
    const char *name;
    QmpCheckFunc *check;
    bool optional;
} QmpMember;

QmpCheckFunc qmp_check_str, qmp_check_int, qmp_check_bool,
             qmp_check_number, qmp_check_null, qmp_check_any;
bool qmp_check_enum(JsonNode *n, const char *path, const char *name,
                    const char *const *values, Error **errp);
bool qmp_check_list(JsonNode *n, const char *path, QmpCheckFunc *elem,
                    Error **errp);
/* @n is an object holding @members ({ NULL }-terminated) as declared. */
bool qmp_check_members(JsonNode *n, const char *path,
                       const QmpMember *members, Error **errp);
/*
 * @members and @branch (a union's variant, or NULL), then no member
 * that neither declares unless @open.
 */
bool qmp_check_struct(JsonNode *n, const char *path,
                      const QmpMember *members, const QmpMember *branch,
                      bool open, Error **errp);

/* One command of the schema (the generated qmp_schema_commands[]). */
typedef struct QmpSchemaCommand {
    const char *name;
    const QmpMember *args;
    /* Unpacks the arguments and calls qmp_cmd_NAME; NULL for "gen": false */
    QmpCommandFunc marshal;
    QmpCheckFunc *check_ret;    /* NULL: returns {} */
    bool allow_oob;
    bool extra_members;
} QmpSchemaCommand;

typedef struct QmpSchemaEvent {
    const char *name;
    const QmpMember *data;
} QmpSchemaEvent;

extern const QmpSchemaCommand qmp_schema_commands[];
extern const QmpSchemaEvent qmp_schema_events[];
/* query-qmp-schema's reply as JSON text. */
extern const char qmp_schema_introspection[];

const QmpSchemaCommand *qmp_schema_find(const char *name);
/* @args (may be NULL: no arguments) against @cmd's "data". */
bool qmp_schema_check_args(const QmpSchemaCommand *cmd, JsonObject *args,
                           Error **errp);

/* Accessors for checked arguments: 0 / NULL when absent. */
const char *qmp_arg_str(JsonObject *args, const char *name);
int64_t qmp_arg_int(JsonObject *args, const char *name);
bool qmp_arg_bool(JsonObject *args, const char *name);
double qmp_arg_number(JsonObject *args, const char *name);
JsonNode *qmp_arg_node(JsonObject *args, const char *name);
JsonArray *qmp_arg_array(JsonObject *args, const char *name);
JsonObject *qmp_arg_object(JsonObject *args, const char *name);
int qmp_arg_enum(JsonObject *args, const char *name,
                 const char *const *values);

#endif
