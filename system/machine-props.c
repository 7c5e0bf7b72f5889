/*
 * -machine properties: every property QEMU 7.2's pseries and none
 * machines have, checked as QEMU checks them, readable and settable
 * through QOM (/machine).  Most only matter to a CPU, a firmware or
 * KVM, none of which exist here; they are accepted so that command
 * lines written for QEMU work, and -machine TYPE,help says which ones
 * have no effect.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "system/keyval.h"
#include "system/machines.h"

typedef enum MachinePropKind {
    MP_BOOL, MP_STR, MP_ENUM, MP_UINT32, MP_UINT64, MP_SIZE,
} MachinePropKind;

typedef bool MachinePropCheck(const char *name, uint64_t v, Error **errp);

typedef struct MachineProp {
    const char *name;
    MachinePropKind kind;
    const char *defval;             /* value before any -machine */
    const char *const *values;      /* MP_ENUM: the choices */
    bool pseries_only;
    const char *no_effect;          /* why it does nothing, or NULL */
    MachinePropCheck *check;        /* numbers: QEMU's extra rules */
    const char *desc;
} MachineProp;

static const char *const mp_type_names[] = {
    [MP_BOOL] = "bool", [MP_STR] = "string", [MP_ENUM] = "string",
    [MP_UINT32] = "uint32", [MP_UINT64] = "uint64", [MP_SIZE] = "size",
};

#define NO_CPU      "no CPU runs here"
#define NO_FW       "no firmware or kernel is loaded here"
#define NO_KVM      "the accelerator is qtest"
#define NO_HOST     "not used by this machine"

static const char *const mp_cap3[] = {
    "broken", "workaround", "fixed", NULL,
};
static const char *const mp_cap_ibs[] = {
    "broken", "workaround", "fixed-ibs", "fixed-ccd", "fixed-na", NULL,
};
static const char *const mp_resize_hpt[] = {
    "default", "disabled", "enabled", "required", NULL,
};
static const char *const mp_ic_mode[] = { "xics", "xive", "dual", NULL };
static const char *const mp_kvm_type[] = { "auto", "HV", "PR", NULL };
static const char *const mp_cpu_compat[] = {
    "", "power5+", "power6", "power7", "power8", "power9", "power10", NULL,
};

static bool mp_check_vsmt(const char *name, uint64_t v, Error **errp)
{
    if (v && (v & (v - 1))) {
        error_setg(errp, "Property '%s': VSMT mode %" PRIu64 " is not a "
                   "power of 2", name, v);
        return false;
    }
    if (v > 8) {
        error_setg(errp, "Property '%s': VSMT mode %" PRIu64 " is larger "
                   "than the 8 threads a POWER core has", name, v);
        return false;
    }
    return true;
}

static bool mp_check_pagesize(const char *name, uint64_t v, Error **errp)
{
    if (v < 4096 || (v & (v - 1))) {
        error_setg(errp, "Property '%s' must be a power of 2 of at least "
                   "4 KiB, not %" PRIu64, name, v);
        return false;
    }
    if (v > (1ull << 34)) {
        error_setg(errp, "Property '%s' must be at most 16 GiB", name);
        return false;
    }
    return true;
}

#define CAP_BOOL(n, d, desc) \
    { "cap-" n, MP_BOOL, d, NULL, true, NO_CPU, NULL, desc }
#define CAP_ENUM(n, vals, desc) \
    { "cap-" n, MP_ENUM, "workaround", vals, true, NO_CPU, NULL, desc }

static const MachineProp machine_props[] = {
    /* Acted on here. */
    { "dumpdtb", MP_STR, "", NULL, false, NULL, NULL,
      "write the flattened device tree to FILE and exit" },
    { "memory-backend", MP_STR, "", NULL, false, NULL, NULL,
      "id of the memory backend object to use as guest RAM" },
    /* The generic machine properties of QEMU 7.2. */
    { "kernel", MP_STR, "", NULL, false, NO_FW, NULL,
      "Linux kernel image file" },
    { "initrd", MP_STR, "", NULL, false, NO_FW, NULL,
      "Linux initial ramdisk file" },
    { "append", MP_STR, "", NULL, false, NO_FW, NULL,
      "Linux kernel command line" },
    { "dtb", MP_STR, "", NULL, false, NO_FW, NULL,
      "Linux kernel device tree file" },
    { "firmware", MP_STR, "", NULL, false, NO_FW, NULL,
      "firmware image" },
    { "dt-compatible", MP_STR, "", NULL, false, NO_HOST, NULL,
      "overrides the \"compatible\" property of the dt root node" },
    { "phandle-start", MP_UINT32, "0", NULL, false, NO_HOST, NULL,
      "the first phandle ID we may generate dynamically" },
    { "dump-guest-core", MP_BOOL, "on", NULL, false, NO_HOST, NULL,
      "include guest memory in a core dump" },
    { "mem-merge", MP_BOOL, "on", NULL, false, NO_HOST, NULL,
      "enable/disable memory merge support" },
    { "usb", MP_BOOL, "off", NULL, false, NO_HOST, NULL,
      "set on/off to enable/disable usb" },
    { "graphics", MP_BOOL, "on", NULL, false, NO_HOST, NULL,
      "set on/off to enable/disable graphics emulation" },
    { "suppress-vmdesc", MP_BOOL, "off", NULL, false, NO_HOST, NULL,
      "set on to disable self-describing migration" },
    { "memory-encryption", MP_STR, "", NULL, false, NO_HOST, NULL,
      "set memory encryption object to use" },
    { "confidential-guest-support", MP_STR, "", NULL, false, NO_HOST, NULL,
      "set confidential guest scheme to support" },
    { "nvdimm", MP_BOOL, "off", NULL, true, NO_HOST, NULL,
      "set on/off to enable/disable NVDIMM instantiation" },
    /* pseries (hw/ppc/spapr.c in QEMU 7.2). */
    { "kvm-type", MP_ENUM, "auto", mp_kvm_type, true, NO_KVM, NULL,
      "the KVM virtualization mode (auto, HV, PR)" },
    { "modern-hotplug-events", MP_BOOL, "on", NULL, true, NO_HOST, NULL,
      "use dedicated hotplug event mechanism in place of standard "
      "EPOW events" },
    { "max-cpu-compat", MP_ENUM, "", mp_cpu_compat, true, NO_CPU, NULL,
      "maximum compatibility mode of the CPUs (power6 ... power10)" },
    { "resize-hpt", MP_ENUM, "enabled", mp_resize_hpt, true, NO_CPU, NULL,
      "resizing of the Hash Page Table (default, disabled, enabled, "
      "required)" },
    { "vsmt", MP_UINT32, "1", NULL, true, NO_CPU, mp_check_vsmt,
      "virtual SMT mode (threads per core the guest sees)" },
    { "kernel-addr", MP_UINT64, "0x400000", NULL, true, NO_FW, NULL,
      "guest physical address the kernel is loaded at" },
    { "x-vof", MP_BOOL, "off", NULL, true, NO_FW, NULL,
      "use the Virtual Open Firmware instead of SLOF" },
    { "ic-mode", MP_ENUM, "dual", mp_ic_mode, true, NO_CPU, NULL,
      "the interrupt controller mode (xics, xive, dual)" },
    { "host-model", MP_STR, "", NULL, true, NO_HOST, NULL,
      "host model to advertise in the guest device tree" },
    { "host-serial", MP_STR, "", NULL, true, NO_HOST, NULL,
      "host serial number to advertise in the guest device tree" },
    CAP_BOOL("htm", "off", "Allow Hardware Transactional Memory (HTM)"),
    CAP_BOOL("vsx", "on", "Allow Vector Scalar Extensions (VSX)"),
    CAP_BOOL("dfp", "on", "Allow Decimal Floating Point (DFP)"),
    CAP_ENUM("cfpc", mp_cap3, "Cache Flush on Privilege Change"),
    CAP_ENUM("sbbc", mp_cap3, "Speculation Barrier Bounds Checking"),
    CAP_ENUM("ibs", mp_cap_ibs, "Indirect Branch Speculation"),
    { "cap-hpt-max-page-size", MP_SIZE, "65536", NULL, true, NO_CPU,
      mp_check_pagesize, "Maximum page size for Hash Page Table guests" },
    CAP_BOOL("nested-hv", "off", "Allow Nested KVM-HV"),
    CAP_BOOL("large-decr", "on", "Allow Large Decrementer"),
    CAP_BOOL("ccf-assist", "on", "Count Cache Flush Assist via HW"),
    CAP_BOOL("fwnmi", "on", "Implements PAPR FWNMI option"),
    CAP_BOOL("rpt-invalidate", "off", "Allow H_RPT_INVALIDATE"),
    CAP_BOOL("ail-mode-3", "on", "Alternate Interrupt Location (AIL) "
             "mode 3 support"),
};

/* Current values, canonical strings, of the running machine's props. */
static GHashTable *mp_values;

static bool mp_applies(const MachineProp *p, const MachineTypeInfo *mt)
{
    return !p->pseries_only || !mt->is_none;
}

static const MachineProp *mp_find(const MachineTypeInfo *mt,
                                  const char *name)
{
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(machine_props); i++) {
        if (!strcmp(machine_props[i].name, name) &&
            mp_applies(&machine_props[i], mt)) {
            return &machine_props[i];
        }
    }
    return NULL;
}

/* @value checked against @p; the canonical form is returned (g_free). */
static char *mp_parse(const MachineProp *p, const char *value, Error **errp)
{
    const char *const *v;
    uint64_t u;
    bool b;
    int r;

    switch (p->kind) {
    case MP_STR:
        return g_strdup(value);
    case MP_BOOL:
        if (!qemu_parse_bool(value, &b)) {
            error_setg(errp, "Parameter '%s' expects 'on' or 'off', not "
                       "'%s'", p->name, value);
            return NULL;
        }
        return g_strdup(b ? "on" : "off");
    case MP_ENUM:
        for (v = p->values; *v; v++) {
            if (!g_ascii_strcasecmp(*v, value)) {
                return g_strdup(*v);
            }
        }
        {
            g_autofree char *list = g_strjoinv(", ", (char **)p->values +
                                               !*p->values[0]);

            error_setg(errp, "Invalid value '%s' for property '%s' "
                       "(expected one of: %s)", value, p->name, list);
        }
        return NULL;
    case MP_UINT32:
    case MP_UINT64:
    case MP_SIZE:
        r = p->kind == MP_SIZE ? qemu_strtosz(value, &u)
                               : qemu_strtou64(value, &u);
        if (r || (p->kind == MP_UINT32 && u > UINT32_MAX)) {
            error_setg(errp, "Parameter '%s' expects %s, not '%s'", p->name,
                       p->kind == MP_SIZE ? "a size value" :
                       p->kind == MP_UINT32 ? "uint32_t" : "uint64_t",
                       value);
            return NULL;
        }
        if (p->check && !p->check(p->name, u, errp)) {
            return NULL;
        }
        return g_strdup_printf("%" PRIu64, u);
    }
    g_assert_not_reached();
}

static void mp_init_values(const MachineTypeInfo *mt)
{
    unsigned i;

    g_clear_pointer(&mp_values, g_hash_table_unref);
    mp_values = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
    for (i = 0; i < G_N_ELEMENTS(machine_props); i++) {
        const MachineProp *p = &machine_props[i];

        if (mp_applies(p, mt)) {
            g_hash_table_insert(mp_values, (gpointer)p->name,
                                mp_parse(p, p->defval, &error_abort));
        }
    }
}

bool machine_props_apply(const MachineTypeInfo *mt, GHashTable *opts,
                         Error **errp)
{
    g_autoptr(GList) keys = keyval_sorted_keys(opts);
    GList *l;

    mp_init_values(mt);
    for (l = keys; l; l = l->next) {
        const MachineProp *p = mp_find(mt, l->data);
        char *canon;

        if (!p) {
            error_setg(errp, "Property '%s.%s' not found", mt->qom_type,
                       (char *)l->data);
            return false;
        }
        canon = mp_parse(p, g_hash_table_lookup(opts, p->name), errp);
        if (!canon) {
            return false;
        }
        g_hash_table_replace(mp_values, (gpointer)p->name, canon);
        /* The program acts on these two; the rest stop here. */
        if (strcmp(p->name, "dumpdtb") && strcmp(p->name, "memory-backend")) {
            g_hash_table_remove(opts, p->name);
        }
    }
    return true;
}

void machine_props_print_help(const MachineTypeInfo *mt, FILE *out)
{
    unsigned i;

    fprintf(out, "%s options:\n", mt->qom_type);
    for (i = 0; i < G_N_ELEMENTS(machine_props); i++) {
        const MachineProp *p = &machine_props[i];
        g_autofree char *left = NULL;

        if (!mp_applies(p, mt)) {
            continue;
        }
        left = g_strdup_printf("%s=<%s>", p->name, mp_type_names[p->kind]);
        fprintf(out, "  %-28s - %s", left, p->desc);
        if (*p->defval) {
            fprintf(out, " (default: %s)", p->defval);
        }
        if (p->no_effect) {
            fprintf(out, " [no effect: %s]", p->no_effect);
        }
        fputc('\n', out);
    }
}

void machine_props_describe(void *opaque, MachinePropDescribeFunc fn)
{
    const MachineTypeInfo *mt = machine_current_type();
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(machine_props); i++) {
        if (mp_applies(&machine_props[i], mt)) {
            fn(opaque, machine_props[i].name,
               mp_type_names[machine_props[i].kind]);
        }
    }
}

JsonNode *machine_prop_get_json(const char *name, Error **errp)
{
    const MachineProp *p = mp_find(machine_current_type(), name);
    const char *v;
    JsonNode *n;

    if (!p) {
        error_setg(errp, "Property '%s.%s' not found",
                   machine_current_type()->qom_type, name);
        return NULL;
    }
    if (!mp_values) {
        mp_init_values(machine_current_type());
    }
    v = g_hash_table_lookup(mp_values, name);
    n = json_node_alloc();
    switch (p->kind) {
    case MP_BOOL:
        json_node_init_boolean(n, !strcmp(v, "on"));
        break;
    case MP_UINT32:
    case MP_UINT64:
    case MP_SIZE:
        json_node_init_int(n, (int64_t)g_ascii_strtoull(v, NULL, 10));
        break;
    default:
        json_node_init_string(n, v);
        break;
    }
    return n;
}

bool machine_prop_set_json(const char *name, JsonNode *value, Error **errp)
{
    const MachineProp *p = mp_find(machine_current_type(), name);
    g_autofree char *str = NULL;
    char *canon;
    GType vt;

    if (!p) {
        error_setg(errp, "Property '%s.%s' not found",
                   machine_current_type()->qom_type, name);
        return false;
    }
    if (!p->no_effect) {
        error_setg(errp, "Property '%s' cannot be changed once the machine "
                   "is created", name);
        return false;
    }
    vt = JSON_NODE_HOLDS_VALUE(value) ? json_node_get_value_type(value) : 0;
    /* As QEMU's input visitor: the JSON type must match the property. */
    if (p->kind == MP_BOOL && vt == G_TYPE_BOOLEAN) {
        str = g_strdup(json_node_get_boolean(value) ? "on" : "off");
    } else if ((p->kind == MP_STR || p->kind == MP_ENUM) &&
               vt == G_TYPE_STRING) {
        str = g_strdup(json_node_get_string(value));
    } else if ((p->kind == MP_UINT32 || p->kind == MP_UINT64 ||
                p->kind == MP_SIZE) && vt == G_TYPE_INT64 &&
               json_node_get_int(value) >= 0) {
        str = g_strdup_printf("%" PRId64, json_node_get_int(value));
    } else {
        error_setg(errp, "Invalid parameter type for '%s', expected: %s",
                   name, p->kind == MP_BOOL ? "boolean" :
                   p->kind == MP_STR || p->kind == MP_ENUM ? "string" :
                   "integer");
        return false;
    }
    canon = mp_parse(p, str, errp);
    if (!canon) {
        return false;
    }
    if (!mp_values) {
        mp_init_values(machine_current_type());
    }
    g_hash_table_replace(mp_values, (gpointer)p->name, canon);
    return true;
}

void machine_props_cleanup(void)
{
    g_clear_pointer(&mp_values, g_hash_table_unref);
}
