/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Command line parsing, QEMU style: "-opt value" or "--opt value";
 * every error names the option and exits with status 1.
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "qemu/trace.h"
#include "hw/qdev.h"
#include "hw/ppc/spapr.h"
#include "migration/migration.h"
#include "system/chardev.h"
#include "system/keyval.h"
#include "system/machines.h"
#include "system/vl.h"

typedef void VLOptionFunc(VLConfig *cfg, const char *name,
                          const char *arg);

typedef struct VLOption {
    const char *name;
    bool has_arg;
    VLOptionFunc *fn;
    const char *help;           /* NULL: accepted, not listed */
} VLOption;

/* The -readconfig section being run, for messages (or NULL). */
static const char *vl_loc_file;
static int vl_loc_line;

/* Options kept for later (-device, -object, -mon): arg -> "FILE:LINE". */
static GHashTable *vl_origins;

void vl_config_location(const char *file, int line)
{
    vl_loc_file = file;
    vl_loc_line = line;
}

/* @arg (as stored in @cfg) came from the -readconfig section now run. */
static void vl_note_origin(const char *arg)
{
    if (!vl_loc_file) {
        return;
    }
    if (!vl_origins) {
        vl_origins = g_hash_table_new_full(NULL, NULL, NULL, g_free);
    }
    g_hash_table_insert(vl_origins, (gpointer)arg,
                        g_strdup_printf("%s:%d", vl_loc_file, vl_loc_line));
}

const char *vl_config_origin(const char *arg)
{
    return vl_origins ? g_hash_table_lookup(vl_origins, arg) : NULL;
}

static void G_GNUC_NORETURN vl_opt_fail(const char *name, const char *arg,
                                        Error *err)
{
    if (arg) {
        error_prepend(&err, "-%s %s: ", name, arg);
    } else {
        error_prepend(&err, "-%s: ", name);
    }
    if (vl_loc_file) {
        error_prepend(&err, "%s:%d: ", vl_loc_file, vl_loc_line);
    }
    error_report_err(err);
    exit(1);
}

/* -machine help, -machine TYPE,help: the types, or TYPE's properties. */
static void G_GNUC_NORETURN vl_machine_help(const char *type)
{
    const MachineTypeInfo *mt = type ? machine_type_find(type) : NULL;
    Error *err = NULL;

    if (!type) {
        machine_types_print(stdout);
    } else if (!mt) {
        error_setg(&err, "unsupported machine type '%s' (use -machine "
                   "help to list supported machines)", type);
        vl_opt_fail("machine", type, err);
    } else {
        machine_props_print_help(mt, stdout);
    }
    exit(0);
}

static void vl_opt_machine(VLConfig *cfg, const char *name, const char *arg)
{
    g_autoptr(GHashTable) opts = NULL;
    Error *err = NULL;
    GHashTableIter iter;
    gpointer k, v;

    opts = keyval_parse(arg, "type", &err);
    if (!opts) {
        vl_opt_fail(name, arg, err);
    }
    if (g_str_equal(g_hash_table_lookup(opts, "type") ?: "", "help")) {
        machine_types_print(stdout);
        exit(0);
    }
    if (keyval_wants_help(opts)) {
        vl_machine_help(g_hash_table_lookup(opts, "type"));
    }
    /* Several -machine options merge, later keys winning. */
    g_hash_table_iter_init(&iter, opts);
    while (g_hash_table_iter_next(&iter, &k, &v)) {
        g_hash_table_replace(cfg->machine_opts, g_strdup(k), g_strdup(v));
    }
}

static bool vl_parse_ram_size(const char *what, const char *str,
                              uint64_t *size, Error **errp)
{
    if (qemu_strtosz_MiB(str, size) || !*size) {
        error_setg(errp, "invalid %s '%s'", what, str);
        return false;
    }
    return true;
}

/*
 * A pseries guest gets its RAM in memory blocks (LMBs) of
 * SPAPR_MEMORY_BLOCK_SIZE, so boot RAM and maxmem are whole blocks; the
 * none machine has no blocks and takes any size (QEMU's test-hmp starts
 * it with -m 2).
 */
static void vl_check_ram_blocks(VLConfig *cfg)
{
    const struct {
        const char *what, *str;
        uint64_t size;
    } sizes[] = {
        { "RAM size", cfg->m_size_arg, cfg->machine.ram_size },
        { "maxmem", cfg->m_maxmem_arg, cfg->machine.maxmem },
    };
    Error *err = NULL;
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(sizes); i++) {
        if (sizes[i].str &&
            !QEMU_IS_ALIGNED(sizes[i].size, SPAPR_MEMORY_BLOCK_SIZE)) {
            error_setg(&err, "%s '%s' (0x%" PRIx64 " bytes) is not a "
                       "multiple of %llu MiB, the pseries memory block size",
                       sizes[i].what, sizes[i].str, sizes[i].size,
                       SPAPR_MEMORY_BLOCK_SIZE >> 20);
            vl_opt_fail("m", cfg->m_arg, err);
        }
    }
}

static void vl_opt_m(VLConfig *cfg, const char *name, const char *arg)
{
    g_autoptr(GHashTable) opts = NULL;
    g_autofree char *size = NULL, *slots = NULL, *maxmem = NULL;
    g_autoptr(GList) rest = NULL;
    Error *err = NULL;
    uint64_t v;

    opts = keyval_parse(arg, "size", &err);
    if (!opts) {
        vl_opt_fail(name, arg, err);
    }
    size = keyval_take(opts, "size");
    slots = keyval_take(opts, "slots");
    maxmem = keyval_take(opts, "maxmem");
    rest = keyval_sorted_keys(opts);
    if (rest) {
        error_setg(&err, "invalid parameter '%s' (expected size, slots, "
                   "maxmem)", (char *)rest->data);
        vl_opt_fail(name, arg, err);
    }
    g_free(cfg->m_arg);
    cfg->m_arg = g_strdup(arg);
    g_clear_pointer(&cfg->m_size_arg, g_free);
    g_clear_pointer(&cfg->m_maxmem_arg, g_free);
    if (size) {
        if (!vl_parse_ram_size("RAM size", size, &v, &err)) {
            vl_opt_fail(name, arg, err);
        }
        cfg->machine.ram_size = v;
        cfg->m_size_arg = g_strdup(size);
    }
    if (slots) {
        if (qemu_strtou64(slots, &v) || v > 256) {
            error_setg(&err, "invalid slots '%s' (0 to 256)", slots);
            vl_opt_fail(name, arg, err);
        }
        cfg->machine.ram_slots = v;
    }
    if (maxmem) {
        if (!vl_parse_ram_size("maxmem", maxmem, &v, &err)) {
            vl_opt_fail(name, arg, err);
        }
        cfg->machine.maxmem = v;
        cfg->m_maxmem_arg = g_strdup(maxmem);
    }
    /* Slots hold DIMMs, and only maxmem makes room for any. */
    if (cfg->machine.ram_slots && !cfg->machine.maxmem) {
        error_setg(&err, "slots=%u needs maxmem (the most RAM "
                   "the guest may have, DIMMs included)",
                   cfg->machine.ram_slots);
        vl_opt_fail(name, arg, err);
    }
}

static void vl_opt_device(VLConfig *cfg, const char *name, const char *arg)
{
    g_autoptr(GHashTable) opts = keyval_parse_any(arg, "driver", NULL);
    const char *driver;
    Error *err = NULL;

    /* Help requests are answered now; the rest waits for the machine. */
    if (opts && keyval_wants_help(opts)) {
        driver = g_hash_table_lookup(opts, "driver");
        if (!driver) {
            qdev_print_types(stdout);
        } else if (!qdev_print_props(stdout, driver, &err)) {
            vl_opt_fail(name, arg, err);
        }
        exit(0);
    }
    g_ptr_array_add(cfg->devices, g_strdup(arg));
    vl_note_origin(g_ptr_array_index(cfg->devices, cfg->devices->len - 1));
}

static void vl_opt_push(VLConfig *cfg, const char *name, const char *arg)
{
    GPtrArray *list = !strcmp(name, "object") ? cfg->objects :
                      !strcmp(name, "mon") ? cfg->mons :
                      !strcmp(name, "monitor") ? cfg->monitors : cfg->qmps;

    g_ptr_array_add(list, g_strdup(arg));
    vl_note_origin(g_ptr_array_index(list, list->len - 1));
}

static void vl_opt_nodefaults(VLConfig *cfg, const char *name,
                              const char *arg)
{
    cfg->machine.nodefaults = true;
}

static void vl_opt_qtest(VLConfig *cfg, const char *name, const char *arg)
{
    char **dst = !strcmp(name, "qtest") ? &cfg->qtest : &cfg->qtest_log;

    g_free(*dst);
    *dst = g_strdup(arg);
}

static void vl_opt_chardev(VLConfig *cfg, const char *name, const char *arg)
{
    Error *err = NULL;

    if (!chardev_new_from_opts(arg, &err)) {
        vl_opt_fail(name, arg, err);
    }
}

static void vl_opt_accel(VLConfig *cfg, const char *name, const char *arg)
{
    g_autoptr(GHashTable) opts = NULL;
    g_autoptr(GList) keys = NULL;
    const char *accel;
    Error *err = NULL;

    opts = keyval_parse(arg, "accel", &err);
    if (!opts) {
        vl_opt_fail(name, arg, err);
    }
    accel = g_hash_table_lookup(opts, "accel");
    if (keyval_wants_help(opts) || (accel && !strcmp(accel, "help"))) {
        printf("Accelerators supported:\nqtest\n");
        exit(0);
    }
    if (!accel || strcmp(accel, "qtest")) {
        error_setg(&err, "accelerator '%s' is not supported (only qtest)",
                   accel ? accel : "");
        vl_opt_fail(name, arg, err);
    }
    g_hash_table_remove(opts, "accel");
    keys = keyval_sorted_keys(opts);
    if (keys) {
        error_setg(&err, "invalid parameter '%s'", (char *)keys->data);
        vl_opt_fail(name, arg, err);
    }
}

static void vl_opt_trace(VLConfig *cfg, const char *name, const char *arg)
{
    Error *err = NULL;

    if (!strcmp(arg, "help")) {
        trace_list_events(stdout, "*");
        exit(0);
    }
    if (!trace_opt_parse(arg, &err)) {
        vl_opt_fail(name, arg, err);
    }
}

static void vl_opt_logfile(VLConfig *cfg, const char *name, const char *arg)
{
    Error *err = NULL;

    if (!trace_set_logfile(arg, &err)) {
        vl_opt_fail(name, arg, err);
    }
}

static void vl_opt_start_paused(VLConfig *cfg, const char *name,
                                const char *arg)
{
    cfg->start_paused = true;
}

/*
 * -incoming URI|defer: checked now, used once the machine is built.
 */
static void vl_opt_incoming(VLConfig *cfg, const char *name,
                            const char *arg)
{
    Error *err = NULL;

    if (!migration_incoming_check_uri(arg, &err)) {
        vl_opt_fail(name, arg, err);
    }
    g_free(cfg->incoming);
    cfg->incoming = g_strdup(arg);
}

/* Display, serial, firmware path: no meaning for this machine. */
static void vl_opt_ignore(VLConfig *cfg, const char *name, const char *arg)
{
}

static void vl_opt_help(VLConfig *cfg, const char *name, const char *arg);

static void vl_opt_preconfig(VLConfig *cfg, const char *name,
                             const char *arg)
{
    cfg->preconfig = true;
}

static void vl_opt_libvirt(VLConfig *cfg, const char *name, const char *arg)
{
    Error *err = NULL;

    if (!vl_libvirt_option(cfg, name, arg, &err)) {
        vl_opt_fail(name, arg, err);
    }
}

static const VLOption *vl_find_option(const char *name);

/* A -readconfig section: the option it stands for. */
static void vl_run_option(VLConfig *cfg, const char *name, const char *arg)
{
    vl_find_option(name)->fn(cfg, name, arg);
}

static void vl_opt_readconfig(VLConfig *cfg, const char *name,
                              const char *arg)
{
    Error *err = NULL;

    if (!vl_readconfig(cfg, arg, vl_run_option, &err)) {
        vl_opt_fail(name, arg, err);
    }
}

static void vl_opt_version(VLConfig *cfg, const char *name,
                           const char *arg)
{
    printf("spapr-vfio version %s\n"
           "A pseries (sPAPR) machine with VFIO passthrough\n",
           SPAPR_VFIO_VERSION);
    exit(0);
}

static const VLOption vl_options[] = {
    { "machine", true, vl_opt_machine,
      "pseries[,dumpdtb=FILE][,memory-backend=ID][,...]\n"
      "                  the machine; dumpdtb writes the device tree "
      "and exits" },
    { "M", true, vl_opt_machine, NULL },
    { "m", true, vl_opt_m,
      "[size=]SIZE[,slots=N][,maxmem=SIZE]\n"
      "                  guest RAM (a bare number is MiB; default 512M)" },
    { "object", true, vl_opt_push,
      "memory-backend-{ram,file,memfd},id=ID,size=SIZE[,...]\n"
      "                  a host memory backend (-object help)" },
    { "device", true, vl_opt_device,
      "TYPE[,prop=value,...]\n"
      "                  add a device (-device help, -device TYPE,help)" },
    { "nodefaults", false, vl_opt_nodefaults,
      "\n                  no default devices" },
    { "qtest", true, vl_opt_qtest,
      "unix:PATH[,server=on,wait=off]|stdio\n"
      "                  serve the qtest protocol" },
    { "qtest-log", true, vl_opt_qtest,
      "FILE\n                  log qtest traffic" },
    { "chardev", true, vl_opt_chardev,
      "socket,id=ID,path=PATH[,server=on|off][,wait=on|off] | stdio,id=ID"
      "\n                  a character device" },
    { "mon", true, vl_opt_push,
      "chardev=ID[,mode=readline|control]\n"
      "                  a monitor on a chardev: human (readline, the "
      "default) or QMP" },
    { "monitor", true, vl_opt_push,
      "unix:PATH[,server=on,wait=off]|stdio|none\n"
      "                  a human monitor (HMP)" },
    { "qmp", true, vl_opt_push,
      "unix:PATH[,server=on,wait=off]|stdio\n"
      "                  a QMP monitor" },
    { "accel", true, vl_opt_accel,
      "qtest\n                  the accelerator (qtest only)" },
    { "trace", true, vl_opt_trace,
      "[enable=]PATTERN|events=FILE|file=FILE\n"
      "                  enable trace events (-trace help lists them)" },
    { "D", true, vl_opt_logfile,
      "LOGFILE\n                  write trace output to LOGFILE" },
    { "S", false, vl_opt_start_paused,
      "\n                  start with the machine stopped" },
    { "incoming", true, vl_opt_incoming,
      "file:PATH|exec:COMMAND|unix:PATH|defer\n"
      "                  load a migration stream into the machine before "
      "it runs\n"
      "                  (defer: wait for QMP migrate-incoming)" },
    { "display", true, vl_opt_ignore,
      "none\n                  accepted and ignored (no display)" },
    { "nographic", false, vl_opt_ignore,
      "\n                  accepted and ignored" },
    { "serial", true, vl_opt_ignore,
      "none\n                  accepted and ignored" },
    { "audio", true, vl_opt_ignore, NULL },
    { "L", true, vl_opt_ignore,
      "DIR\n                  accepted and ignored (no firmware)" },
    { "name", true, vl_opt_libvirt,
      "[guest=]NAME[,process=P][,debug-threads=on|off]\n"
      "                  the guest name (QMP query-name)" },
    { "uuid", true, vl_opt_libvirt,
      "UUID\n                  the guest UUID (QMP query-uuid)" },
    { "no-user-config", false, vl_opt_libvirt,
      "\n                  accepted: no configuration files are read" },
    { "no-shutdown", false, vl_opt_libvirt,
      "\n                  stop instead of exiting on guest shutdown "
      "(no guest here\n                  shuts down)" },
    { "pidfile", true, vl_opt_libvirt,
      "FILE\n                  write the pid to FILE (locked; removed on "
      "exit)" },
    { "daemonize", false, vl_opt_libvirt,
      "\n                  detach once started (stdio unusable)" },
    { "msg", true, vl_opt_libvirt,
      "timestamp=on|off[,guest-name=on|off]\n"
      "                  prefix messages with the time (UTC) and the "
      "guest name" },
    { "global", true, vl_opt_libvirt,
      "DRIVER.PROP=VALUE\n"
      "                  default value of a device property" },
    { "overcommit", true, vl_opt_libvirt,
      "mem-lock=on|off[,cpu-pm=on|off]\n"
      "                  mem-lock=on locks all memory (mlockall)" },
    { "smp", true, vl_opt_libvirt,
      "[cpus=]N[,maxcpus=][,sockets=][,cores=][,threads=]\n"
      "                  guest-visible CPU topology (device tree /cpus); "
      "no CPU is\n                  executed" },
    { "cpu", true, vl_opt_libvirt,
      "MODEL\n                  CPU model (-cpu help) named in the device "
      "tree's cpu nodes;\n                  no CPU is executed" },
    { "rtc", true, vl_opt_libvirt,
      "[base=utc|localtime|DATE][,clock=][,driftfix=]\n"
      "                  the guest clock (RTAS get-time-of-day): UTC, "
      "local time, or\n                  running from DATE" },
    { "boot", true, vl_opt_libvirt,
      "[order=][,once=][,menu=][,strict=]...\n"
      "                  checked and ignored: no firmware boots here" },
    { "preconfig", false, vl_opt_preconfig,
      "\n                  serve QMP before building the machine; QMP "
      "x-exit-preconfig\n                  builds it" },
    { "readconfig", true, vl_opt_readconfig,
      "FILE\n                  read options from a QEMU config file "
      "([machine], [memory],\n                  [object], [device], "
      "[chardev], [mon], [name], ...)" },
    { "h", false, vl_opt_help, "\n                  this help" },
    { "help", false, vl_opt_help, NULL },
    { "version", false, vl_opt_version,
      "\n                  print the version" },
};

static void vl_opt_help(VLConfig *cfg, const char *name, const char *arg)
{
    unsigned i;

    printf("usage: spapr-vfio [options]\n\n"
           "Options (one or two leading dashes):\n");
    for (i = 0; i < ARRAY_SIZE(vl_options); i++) {
        const VLOption *o = &vl_options[i];

        if (o->help) {
            printf("-%s %s\n", o->name, o->help);
        }
    }
    exit(0);
}

static const VLOption *vl_find_option(const char *name)
{
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(vl_options); i++) {
        if (!strcmp(vl_options[i].name, name)) {
            return &vl_options[i];
        }
    }
    return NULL;
}

/* Split -machine into what the program uses and what hw/ checks. */
static void vl_finish_machine(VLConfig *cfg)
{
    g_autofree char *type = keyval_take(cfg->machine_opts, "type");
    g_autofree char *accel = keyval_take(cfg->machine_opts, "accel");
    Error *err = NULL;

    cfg->machine_type = type ? machine_type_find(type)
                             : machine_type_default();
    if (!cfg->machine_type) {
        error_setg(&err, "unsupported machine type '%s' (use -machine "
                   "help to list supported machines)", type);
        vl_opt_fail("machine", type, err);
    }
    if (accel && strcmp(accel, "qtest")) {
        error_setg(&err, "accelerator '%s' is not supported (only qtest)",
                   accel);
        vl_opt_fail("machine", "accel", err);
    }
    if (cfg->smp_maxcpus > cfg->machine_type->cpu_max) {
        error_setg(&err, "Invalid SMP CPUs %" PRIu64 ": machine '%s' "
                   "supports at most %u", cfg->smp_maxcpus,
                   cfg->machine_type->name, cfg->machine_type->cpu_max);
        vl_opt_fail("smp", cfg->smp_arg, err);
    }
    if (!cfg->machine_type->is_none) {
        vl_check_ram_blocks(cfg);
    }
    if (cfg->preconfig && cfg->incoming) {
        error_setg(&err, "--preconfig cannot be combined with -incoming");
        vl_opt_fail("incoming", cfg->incoming, err);
    }
    /* Every property checked as QEMU would; the machine gets the rest. */
    if (!machine_props_apply(cfg->machine_type, cfg->machine_opts, &err)) {
        vl_opt_fail("machine", cfg->machine_type->name, err);
    }
    cfg->dumpdtb = keyval_take(cfg->machine_opts, "dumpdtb");
    if (cfg->dumpdtb && cfg->machine_type->is_none) {
        error_setg(&err, "machine 'none' has no device tree to dump");
        vl_opt_fail("machine", "dumpdtb", err);
    }
    cfg->machine.memory_backend = keyval_take(cfg->machine_opts,
                                              "memory-backend");
    cfg->machine.machine_props = cfg->machine_opts;
}

void vl_parse_args(VLConfig *cfg, int argc, char **argv)
{
    int i;

    memset(cfg, 0, sizeof(*cfg));
    cfg->machine_opts = g_hash_table_new_full(g_str_hash, g_str_equal,
                                              g_free, g_free);
    cfg->objects = g_ptr_array_new_with_free_func(g_free);
    cfg->devices = g_ptr_array_new_with_free_func(g_free);
    cfg->mons = g_ptr_array_new_with_free_func(g_free);
    cfg->qmps = g_ptr_array_new_with_free_func(g_free);
    cfg->monitors = g_ptr_array_new_with_free_func(g_free);

    for (i = 1; i < argc; i++) {
        const char *name = argv[i];
        const VLOption *opt;
        const char *arg = NULL;

        if (name[0] != '-' || !name[1]) {
            error_report("%s: unexpected argument (disk images and other "
                         "positional arguments are not supported)", name);
            exit(1);
        }
        name += name[1] == '-' ? 2 : 1;
        opt = vl_find_option(name);
        if (!opt) {
            error_report("%s: invalid option", argv[i]);
            exit(1);
        }
        if (opt->has_arg) {
            if (i + 1 >= argc) {
                error_report("%s: requires an argument", argv[i]);
                exit(1);
            }
            arg = argv[++i];
        }
        opt->fn(cfg, name, arg);
    }
    vl_finish_machine(cfg);
}

void vl_config_free(VLConfig *cfg)
{
    g_clear_pointer(&vl_origins, g_hash_table_unref);
    g_clear_pointer(&cfg->machine_opts, g_hash_table_unref);
    cfg->machine.machine_props = NULL;
    g_free((char *)cfg->machine.memory_backend);
    cfg->machine.memory_backend = NULL;
    g_clear_pointer(&cfg->dumpdtb, g_free);
    g_clear_pointer(&cfg->objects, g_ptr_array_unref);
    g_clear_pointer(&cfg->devices, g_ptr_array_unref);
    g_clear_pointer(&cfg->mons, g_ptr_array_unref);
    g_clear_pointer(&cfg->qmps, g_ptr_array_unref);
    g_clear_pointer(&cfg->monitors, g_ptr_array_unref);
    g_clear_pointer(&cfg->qtest, g_free);
    g_clear_pointer(&cfg->qtest_log, g_free);
    g_clear_pointer(&cfg->incoming, g_free);
    g_clear_pointer(&cfg->pidfile, g_free);
    g_clear_pointer(&cfg->cpu_model, g_free);
    g_clear_pointer(&cfg->smp_arg, g_free);
    g_clear_pointer(&cfg->m_arg, g_free);
    g_clear_pointer(&cfg->m_size_arg, g_free);
    g_clear_pointer(&cfg->m_maxmem_arg, g_free);
}
