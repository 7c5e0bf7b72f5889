/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * main(): parse the command line, build the machine, serve qtest and
 * QMP from one main loop, tear everything down on the way out.
 *
 * Order: options -> memory backends (-object) -> machine -> -device ->
 * creation done (BARs, device tree) -> dumpdtb -> -incoming (file: and
 * exec: load here; unix: listens) -> chardevs -> loop.
 */
#include "qemu/osdep.h"
#include "exec/memory.h"
#include "hw/qdev.h"
#include "migration/migration.h"
#include "sysemu/machine.h"
#include "system/chardev.h"
#include "system/keyval.h"
#include "system/machines.h"
#include "system/objects.h"
#include "system/qdev-internal.h"
#include "system/qmp-internal.h"
#include "system/qtest.h"
#include "system/runstate.h"
#include "system/vl.h"

static bool machine_created;

/* Undo everything, newest first, so host resources are all released. */
static void vl_teardown(VLConfig *cfg)
{
    migration_cleanup();
    if (machine_created) {
        if (cfg->machine_type->is_none) {
            qdev_destroy_all();
            machine_none_destroy();
        } else {
            machine_destroy();
        }
        machine_created = false;
    }
    qdev_destroy_all();
    qdev_globals_clear();
    user_object_destroy_all();
    qtest_server_cleanup();
    monitor_cleanup_all();
    monitor_hmp_cleanup_all();
    chardev_destroy_all();
    main_loop_cleanup();
    hmp_cleanup();
    qmp_registry_cleanup();
    qmp_events_cleanup();
    machine_props_cleanup();
    vl_pidfile_remove();
    vl_config_free(cfg);
}

static void G_GNUC_NORETURN vl_fail(VLConfig *cfg, const char *opt,
                                    const char *arg, Error *err)
{
    if (opt) {
        error_prepend(&err, "-%s %s: ", opt, arg);
        if (vl_config_origin(arg)) {
            error_prepend(&err, "%s: ", vl_config_origin(arg));
        }
    }
    error_report_err(err);
    vl_teardown(cfg);
    exit(1);
}

static void vl_create_objects(VLConfig *cfg)
{
    unsigned i;

    for (i = 0; i < cfg->objects->len; i++) {
        const char *arg = cfg->objects->pdata[i];
        Error *err = NULL;
        bool helped;

        if (!user_object_create_str(arg, &helped, &err)) {
            vl_fail(cfg, "object", arg, err);
        }
        if (helped) {
            vl_teardown(cfg);
            exit(0);
        }
    }
}

static void vl_create_devices(VLConfig *cfg)
{
    unsigned i;

    for (i = 0; i < cfg->devices->len; i++) {
        const char *arg = cfg->devices->pdata[i];
        Error *err = NULL;

        if (!qdev_device_add_str(arg, &err)) {
            vl_fail(cfg, "device", arg, err);
        }
    }
}

/* The pseries model, or the empty machine (no RAM unless -m, no PHB). */
static void vl_create_machine(VLConfig *cfg)
{
    Error *err = NULL;
    bool ok;

    machine_set_current_type(cfg->machine_type);
    if (cfg->machine_type->is_none) {
        ok = machine_none_create(&cfg->machine, &err);
    } else {
        ok = machine_create(&cfg->machine, &err);
    }
    if (!ok) {
        vl_fail(cfg, NULL, NULL, err);
    }
    machine_created = true;
}

/* -mon chardev=ID,mode=control[,pretty=on|off] */
static bool vl_add_mon(const char *arg, Error **errp)
{
    g_autoptr(GHashTable) opts = keyval_parse(arg, "chardev", errp);
    g_autofree char *id = NULL, *mode = NULL, *pretty = NULL;
    g_autoptr(GList) rest = NULL;
    Chardev *chr;

    if (!opts) {
        return false;
    }
    id = keyval_take(opts, "chardev");
    mode = keyval_take(opts, "mode");
    pretty = keyval_take(opts, "pretty");   /* accepted, replies compact */
    rest = keyval_sorted_keys(opts);
    if (rest) {
        error_setg(errp, "invalid parameter '%s'", (char *)rest->data);
        return false;
    }
    if (!id) {
        error_setg(errp, "parameter 'chardev' is missing");
        return false;
    }
    /* As QEMU: readline (the human monitor) unless mode=control. */
    if (mode && strcmp(mode, "control") && strcmp(mode, "readline")) {
        error_setg(errp, "invalid mode '%s' (control or readline)", mode);
        return false;
    }
    chr = chardev_find(id);
    if (!chr) {
        error_setg(errp, "chardev '%s' not found", id);
        return false;
    }
    if (!mode || !strcmp(mode, "readline")) {
        return monitor_new_hmp(chr, errp);
    }
    return monitor_new_qmp(chr, errp);
}

/*
 * Started with nothing to talk to (no monitor of any kind, no qtest), the
 * process would sit silently until a signal: say how to reach it.
 */
static void vl_hint_no_frontend(VLConfig *cfg)
{
    unsigned i;

    if (cfg->qtest || cfg->mons->len || cfg->qmps->len) {
        return;
    }
    for (i = 0; i < cfg->monitors->len; i++) {
        if (strcmp(cfg->monitors->pdata[i], "none")) {
            return;
        }
    }
    info_report("no monitor: the machine runs until SIGTERM or SIGINT. To "
                "talk to it, start it with -qmp unix:PATH,server=on,wait=off "
                "(QMP, e.g. for qmp-shell), -monitor stdio (the human "
                "monitor), or -chardev ...,id=ID -mon "
                "chardev=ID[,mode=control] (see docs/command-line.md)");
}

static void vl_setup_frontends(VLConfig *cfg)
{
    Error *err = NULL;
    Chardev *chr;
    unsigned i;

    if (cfg->qtest) {
        chr = chardev_new_from_spec("qtest", cfg->qtest, &err);
        if (!chr || !qtest_server_init(chr, cfg->qtest_log, &err)) {
            vl_fail(cfg, "qtest", cfg->qtest, err);
        }
    }
    for (i = 0; i < cfg->mons->len; i++) {
        if (!vl_add_mon(cfg->mons->pdata[i], &err)) {
            vl_fail(cfg, "mon", cfg->mons->pdata[i], err);
        }
    }
    for (i = 0; i < cfg->monitors->len; i++) {
        g_autofree char *id = g_strdup_printf("compat_monitor%u", i);
        const char *spec = cfg->monitors->pdata[i];

        if (!strcmp(spec, "none")) {
            continue;
        }
        chr = chardev_new_from_spec(id, spec, &err);
        if (!chr || !monitor_new_hmp(chr, &err)) {
            vl_fail(cfg, "monitor", spec, err);
        }
    }
    for (i = 0; i < cfg->qmps->len; i++) {
        g_autofree char *id = g_strdup_printf("qmp%u", i);

        chr = chardev_new_from_spec(id, cfg->qmps->pdata[i], &err);
        if (!chr || !monitor_new_qmp(chr, &err)) {
            vl_fail(cfg, "qmp", cfg->qmps->pdata[i], err);
        }
    }
    vl_hint_no_frontend(cfg);
}

/* Objects, machine, devices; then the machine starts (or waits: -S). */
static void vl_build_machine(VLConfig *cfg)
{
    Error *err = NULL;

    vl_create_objects(cfg);
    vl_create_machine(cfg);
    vl_create_devices(cfg);
    if (!cfg->machine_type->is_none && !machine_creation_done(&err)) {
        vl_fail(cfg, NULL, NULL, err);
    }
    qdev_machine_creation_done();
    /* A destination runs only once the stream is in. */
    vl_machine_set_running(!cfg->start_paused && !cfg->incoming);
    vl_machine_set_prelaunch(cfg->start_paused && !cfg->incoming);
}

static VLConfig *vl_preconfig_cfg;

/*
 * QMP x-exit-preconfig: build what the command line describes, as
 * without --preconfig; a failure there ends the process, as in QEMU.
 */
static void vl_exit_preconfig(void)
{
    VLConfig *cfg = vl_preconfig_cfg;

    vl_build_machine(cfg);
    if (!cfg->start_paused) {
        qmp_event_send("RESUME", NULL);
    }
}

int main(int argc, char **argv)
{
    VLConfig cfg;
    Error *err = NULL;
    int status;

    memory_init_system();
    /* Built-ins first, so device code may override defaults. */
    qmp_register_builtin_commands();
    migration_register_qmp();
    vl_parse_args(&cfg, argc, argv);
    machine_set_cpu_topology(&(MachineCpuTopology) {
        .model = cfg.cpu_model, .cpus = cfg.smp_cpus,
        .cores = cfg.smp_cores, .threads = cfg.smp_threads,
    });
    /* -chardev stdio exists by now; -qtest/-qmp/-monitor stdio too. */
    if (cfg.daemonize &&
        (chardev_any_stdio() || !g_strcmp0(cfg.qtest, "stdio") ||
         g_ptr_array_find_with_equal_func(cfg.qmps, "stdio", g_str_equal,
                                          NULL) ||
         g_ptr_array_find_with_equal_func(cfg.monitors, "stdio",
                                          g_str_equal, NULL))) {
        error_setg(&err, "-daemonize: stdio cannot be used once detached "
                   "from the terminal");
        vl_fail(&cfg, NULL, NULL, err);
    }
    /* As QEMU: detach first, so the pid file has the daemon's pid. */
    if (cfg.daemonize && !vl_daemonize_start(&err)) {
        vl_fail(&cfg, NULL, NULL, err);
    }
    if (cfg.pidfile && !vl_pidfile_create(cfg.pidfile, &err)) {
        vl_fail(&cfg, "pidfile", cfg.pidfile, err);
    }
    if (cfg.mem_lock && !vl_mem_lock(&err)) {
        vl_fail(&cfg, "overcommit", "mem-lock=on", err);
    }
    main_loop_init();

    if (cfg.preconfig) {
        /*
         * --preconfig: QMP (and qtest) first; the machine is built when
         * x-exit-preconfig asks (vl_exit_preconfig).
         */
        vl_preconfig_cfg = &cfg;
        machine_set_current_type(cfg.machine_type);
        vl_machine_set_prelaunch(true);
        qmp_preconfig_begin(vl_exit_preconfig);
        vl_setup_frontends(&cfg);
        if (!chardev_open_all(&err)) {
            vl_fail(&cfg, NULL, NULL, err);
        }
        vl_daemonize_done();
        main_loop_run();
        status = migration_incoming_failed() ? 1 : 0;
        vl_teardown(&cfg);
        return status;
    }
    vl_build_machine(&cfg);

    if (cfg.dumpdtb) {
        if (!machine_dump_dtb(cfg.dumpdtb, &err)) {
            vl_fail(&cfg, "machine", "dumpdtb", err);
        }
        vl_teardown(&cfg);
        return 0;
    }

    if (cfg.incoming &&
        !migration_incoming_start(cfg.incoming, cfg.start_paused, &err)) {
        vl_fail(&cfg, "incoming", cfg.incoming, err);
    }
    vl_setup_frontends(&cfg);
    if (!chardev_open_all(&err)) {
        vl_fail(&cfg, NULL, NULL, err);
    }
    vl_daemonize_done();
    main_loop_run();
    /* A stream that failed to load after the loop started. */
    status = migration_incoming_failed() ? 1 : 0;
    vl_teardown(&cfg);
    return status;
}
