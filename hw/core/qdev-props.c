/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Typed device properties: parsing strings into instance fields,
 * applying defaults and printing help.
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "hw/qdev.h"
#include "hw/core/qdev-internal.h"

static const char *const prop_type_names[] = {
    [PROP_BOOL] = "bool",
    [PROP_UINT32] = "uint32",
    [PROP_UINT64] = "uint64",
    [PROP_SIZE] = "size",
    [PROP_STRING] = "str",
    [PROP_PCI_DEVFN] = "int32",
};

const Property *qdev_find_prop(const DeviceClass *dc, const char *name)
{
    const Property *p;

    for (p = dc->props; p && p->name; p++) {
        if (!strcmp(p->name, name)) {
            return p;
        }
    }
    return NULL;
}

/* "SLOT" or "SLOT.FN", both hexadecimal as QEMU reads PCI addresses. */
static bool qdev_parse_devfn(const char *value, int32_t *devfn)
{
    unsigned long slot, fn = 0;
    const char *p = value;
    char *end;

    if (!strcmp(value, "-1") || !strcmp(value, "auto")) {
        *devfn = -1;
        return true;
    }
    if (!g_ascii_isxdigit(*p)) {
        return false;
    }
    slot = strtoul(p, &end, 16);
    if (*end == '.') {
        p = end + 1;
        if (!g_ascii_isxdigit(*p)) {
            return false;
        }
        fn = strtoul(p, &end, 16);
    }
    if (*end || slot > 31 || fn > 7) {
        return false;
    }
    *devfn = (int32_t)(slot << 3 | fn);
    return true;
}

bool qdev_prop_parse(DeviceState *dev, const Property *prop,
                     const char *value, Error **errp)
{
    void *field = (char *)dev + prop->offset;
    uint64_t u64;

    switch (prop->type) {
    case PROP_BOOL:
        if (!qemu_parse_bool(value, field)) {
            goto bad;
        }
        return true;
    case PROP_UINT32:
        if (qemu_strtou64(value, &u64) || u64 > UINT32_MAX) {
            goto bad;
        }
        *(uint32_t *)field = (uint32_t)u64;
        return true;
    case PROP_UINT64:
        if (qemu_strtou64(value, &u64)) {
            goto bad;
        }
        *(uint64_t *)field = u64;
        return true;
    case PROP_SIZE:
        if (qemu_strtosz(value, &u64)) {
            goto bad;
        }
        *(uint64_t *)field = u64;
        return true;
    case PROP_STRING:
        g_free(*(char **)field);
        *(char **)field = g_strdup(value);
        return true;
    case PROP_PCI_DEVFN:
        if (!qdev_parse_devfn(value, field)) {
            goto bad;
        }
        return true;
    }
    g_assert_not_reached();

bad:
    error_setg(errp, "property '%s' of '%s': invalid %s value '%s'",
               prop->name, dev->klass->name, prop_type_names[prop->type],
               value);
    return false;
}

void qdev_prop_set_defaults(DeviceState *dev)
{
    const Property *p;

    for (p = dev->klass->props; p && p->name; p++) {
        if (p->defval) {
            /* A bad default is a bug in the device model. */
            qdev_prop_parse(dev, p, p->defval, &error_abort);
        } else if (p->type == PROP_PCI_DEVFN) {
            /* Slot 0 is a real address; "no default" means auto. */
            *(int32_t *)((char *)dev + p->offset) = -1;
        }
    }
}

void qdev_prop_free_all(DeviceState *dev)
{
    const Property *p;

    for (p = dev->klass->props; p && p->name; p++) {
        if (p->type == PROP_STRING) {
            char **field = (char **)((char *)dev + p->offset);

            g_free(*field);
            *field = NULL;
        }
    }
}

static gint qdev_class_compare(gconstpointer a, gconstpointer b)
{
    const DeviceClass *da = a, *db = b;

    return strcmp(da->name, db->name);
}

void qdev_print_types(FILE *out)
{
    GList *classes = g_list_sort(qdev_class_list(), qdev_class_compare);
    GList *l;

    fprintf(out, "Device types (use -device TYPE,help for "
            "properties):\n");
    for (l = classes; l; l = l->next) {
        const DeviceClass *dc = l->data;

        if (!dc->user_creatable) {
            continue;
        }
        fprintf(out, "name \"%s\"", dc->name);
        if (dc->bus_type) {
            fprintf(out, ", bus %s", dc->bus_type);
        }
        if (dc->hotpluggable) {
            fprintf(out, ", hotpluggable");
        }
        if (dc->desc) {
            fprintf(out, ", desc \"%s\"", dc->desc);
        }
        fputc('\n', out);
    }
    g_list_free(classes);
}

bool qdev_print_props(FILE *out, const char *type, Error **errp)
{
    const DeviceClass *dc = qdev_find_class(type);
    const Property *p;

    if (!dc) {
        error_setg(errp, "'%s' is not a valid device model name", type);
        return false;
    }
    fprintf(out, "%s options:\n", dc->name);
    fprintf(out, "  %-24s - %s\n", "id=<str>", "device name for QMP");
    if (dc->bus_type) {
        fprintf(out, "  %-24s - %s\n", "bus=<str>",
                "bus to plug into (default: first PCI bus)");
    }
    for (p = dc->props; p && p->name; p++) {
        g_autofree char *left = g_strdup_printf("%s=<%s>", p->name,
                                                prop_type_names[p->type]);

        fprintf(out, "  %-24s - %s", left, p->desc ? p->desc : "");
        if (p->defval) {
            fprintf(out, " (default: %s)", p->defval);
        }
        fputc('\n', out);
    }
    return true;
}

const char *qdev_prop_type_name(const Property *prop)
{
    return prop_type_names[prop->type];
}

/* The field at @field as QOM returns it: typed, NULL strings as "". */
static JsonNode *qdev_prop_field_json(const Property *prop, void *field)
{
    JsonNode *node = json_node_alloc();

    switch (prop->type) {
    case PROP_BOOL:
        json_node_init_boolean(node, *(bool *)field);
        break;
    case PROP_UINT32:
        json_node_init_int(node, *(uint32_t *)field);
        break;
    case PROP_UINT64:
    case PROP_SIZE:
        json_node_init_int(node, (int64_t)*(uint64_t *)field);
        break;
    case PROP_STRING:
        json_node_init_string(node, *(char **)field ?: "");
        break;
    case PROP_PCI_DEVFN:
        json_node_init_int(node, *(int32_t *)field);
        break;
    }
    return node;
}

JsonNode *qdev_prop_get_json(DeviceState *dev, const Property *prop)
{
    return qdev_prop_field_json(prop, (char *)dev + prop->offset);
}

/* Scratch space shaped like a device, to parse one value into. */
typedef struct QdevPropScratch {
    DeviceState dev;
    union {
        bool b;
        uint32_t u32;
        uint64_t u64;
        int32_t i32;
        char *s;
    } u;
} QdevPropScratch;

/* Parse @value for @prop of @dc into @scratch; *@tmp describes it. */
static bool qdev_prop_parse_scratch(const DeviceClass *dc,
                                    const Property *prop, const char *value,
                                    QdevPropScratch *scratch, Property *tmp,
                                    Error **errp)
{
    memset(scratch, 0, sizeof(*scratch));
    scratch->dev.klass = dc;
    *tmp = *prop;
    tmp->offset = offsetof(QdevPropScratch, u);
    return qdev_prop_parse(&scratch->dev, tmp, value, errp);
}

JsonNode *qdev_prop_default_json(const DeviceClass *dc,
                                 const Property *prop)
{
    QdevPropScratch scratch;
    Property tmp;
    JsonNode *node;

    if (!prop->defval) {
        if (prop->type != PROP_PCI_DEVFN) {
            return NULL;
        }
        tmp = *prop;
        tmp.offset = offsetof(QdevPropScratch, u);
        scratch.u.i32 = -1;
    } else if (!qdev_prop_parse_scratch(dc, prop, prop->defval, &scratch,
                                        &tmp, NULL)) {
        return NULL;
    }
    node = qdev_prop_field_json(&tmp, &scratch.u);
    if (prop->type == PROP_STRING) {
        g_free(scratch.u.s);
    }
    return node;
}

bool qdev_prop_check_value(const DeviceClass *dc, const Property *prop,
                           const char *value, Error **errp)
{
    QdevPropScratch scratch;
    Property tmp;

    if (!qdev_prop_parse_scratch(dc, prop, value, &scratch, &tmp, errp)) {
        return false;
    }
    if (prop->type == PROP_STRING) {
        g_free(scratch.u.s);
    }
    return true;
}
