/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The options libvirt and management scripts pass to QEMU, with QEMU's
 * meaning where this machine has the thing they configure:
 *
 *   -name, -uuid           the guest's name and UUID (query-name,
 *                          query-uuid)
 *   -pidfile FILE          created, locked and written at start-up,
 *                          removed on exit
 *   -daemonize             detach once start-up succeeded
 *   -overcommit mem-lock=  lock all memory (mlockall)
 *   -global D.P=V          a default for a device property
 *   -msg progress=on|off  progress of long host operations on stderr
 *   -no-user-config, -no-shutdown, -msg, -smp, -cpu, -rtc, -boot
 *                          checked as QEMU checks them, recorded
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include "system/keyval.h"
#include "system/machines.h"
#include "system/qdev-internal.h"
#include "system/vl.h"
#include "sysemu/machine.h"
#include "hw/vfio/vfio-progress.h"

/* Take the keys of @spec ("a,b,c") out of @opts; any other is an error. */
static bool vl_keys_only(GHashTable *opts, const char *spec, Error **errp)
{
    g_auto(GStrv) allowed = g_strsplit(spec, ",", -1);
    g_autoptr(GList) keys = keyval_sorted_keys(opts);
    GList *l;

    for (l = keys; l; l = l->next) {
        if (!g_strv_contains((const char *const *)allowed, l->data)) {
            error_setg(errp, "Invalid parameter '%s'", (char *)l->data);
            return false;
        }
    }
    return true;
}

static bool vl_bool_key(GHashTable *opts, const char *key, bool *out,
                        Error **errp)
{
    const char *v = g_hash_table_lookup(opts, key);

    if (v && !qemu_parse_bool(v, out)) {
        error_setg(errp, "Parameter '%s' expects 'on' or 'off', not '%s'",
                   key, v);
        return false;
    }
    return true;
}

static bool vl_one_of(GHashTable *opts, const char *key,
                      const char *const *values, Error **errp)
{
    const char *v = g_hash_table_lookup(opts, key);
    g_autofree char *list = NULL;

    if (!v || g_strv_contains(values, v)) {
        return true;
    }
    list = g_strjoinv(", ", (char **)values);
    error_setg(errp, "Parameter '%s' does not accept value '%s' (expected "
               "%s)", key, v, list);
    return false;
}

static bool vl_uint_key(GHashTable *opts, const char *key, uint64_t min,
                        uint64_t *out, Error **errp)
{
    const char *v = g_hash_table_lookup(opts, key);

    if (!v) {
        return true;
    }
    if (qemu_strtou64(v, out) || *out < min) {
        error_setg(errp, "Parameter '%s' expects an integer of at least "
                   "%" PRIu64 ", not '%s'", key, min, v);
        return false;
    }
    return true;
}

/*
 * -msg timestamp= and guest-name= take effect at once, so that later
 * command line errors carry them too (-name may come before or after).
 */
static void vl_msg_apply(VLConfig *cfg)
{
    error_set_message_prefix(cfg->msg_timestamp, cfg->msg_guest_name ?
                             machine_guest_name() : NULL);
}

/* -name [guest=]NAME[,process=P][,debug-threads=on|off] */
static bool vl_name(VLConfig *cfg, GHashTable *opts, Error **errp)
{
    const char *process = g_hash_table_lookup(opts, "process");
    bool threads = false;

    if (!vl_keys_only(opts, "guest,process,debug-threads", errp) ||
        !vl_bool_key(opts, "debug-threads", &threads, errp)) {
        return false;
    }
    machine_set_guest_name(g_hash_table_lookup(opts, "guest"));
    vl_msg_apply(cfg);
    if (process) {
        /* What ps shows, as QEMU does (the kernel keeps 15 bytes). */
        prctl(PR_SET_NAME, process);
    }
    return true;
}

static bool vl_uuid(const char *arg, Error **errp)
{
    if (!g_uuid_string_is_valid(arg)) {
        error_setg(errp, "Invalid UUID (expected the form "
                   "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
        return false;
    }
    machine_set_uuid(arg);
    return true;
}

/*
 * -msg timestamp=on|off[,guest-name=on|off][,progress=on|off]
 *      [,x-progress-after=MS]
 *
 * progress: long host operations (pinning guest RAM) report on stderr
 * once they have taken x-progress-after milliseconds (1000; a test knob).
 */
static bool vl_msg(VLConfig *cfg, GHashTable *opts, Error **errp)
{
    static bool progress = true;
    static uint64_t after_ms = 1000;

    if (!vl_keys_only(opts, "timestamp,guest-name,progress,x-progress-after",
                      errp) ||
        !vl_bool_key(opts, "timestamp", &cfg->msg_timestamp, errp) ||
        !vl_bool_key(opts, "guest-name", &cfg->msg_guest_name, errp) ||
        !vl_bool_key(opts, "progress", &progress, errp) ||
        !vl_uint_key(opts, "x-progress-after", 0, &after_ms, errp)) {
        return false;
    }
    if (after_ms > G_MAXINT32) {
        error_setg(errp, "Parameter 'x-progress-after' expects at most %d "
                   "milliseconds", G_MAXINT32);
        return false;
    }
    vfio_prereg_set_progress(progress, after_ms);
    vl_msg_apply(cfg);
    return true;
}

/* -global DRIVER.PROP=VALUE or -global driver=D,property=P,value=V */
static bool vl_global(const char *arg, Error **errp)
{
    g_autoptr(GHashTable) opts = NULL;
    const char *eq = strchr(arg, '='), *dot = strchr(arg, '.');

    if (!g_str_has_prefix(arg, "driver=") &&
        !g_str_has_prefix(arg, "property=") &&
        !g_str_has_prefix(arg, "value=")) {
        g_autofree char *driver = NULL, *prop = NULL;

        if (!eq || !dot || dot > eq || dot == arg || dot + 1 == eq) {
            error_setg(errp, "Invalid format (expected DRIVER.PROP=VALUE)");
            return false;
        }
        driver = g_strndup(arg, dot - arg);
        prop = g_strndup(dot + 1, eq - dot - 1);
        return qdev_global_add(driver, prop, eq + 1, errp);
    }
    opts = keyval_parse(arg, NULL, errp);
    if (!opts || !vl_keys_only(opts, "driver,property,value", errp)) {
        return false;
    }
    if (!g_hash_table_contains(opts, "driver") ||
        !g_hash_table_contains(opts, "property") ||
        !g_hash_table_contains(opts, "value")) {
        error_setg(errp, "driver, property and value are all required");
        return false;
    }
    return qdev_global_add(g_hash_table_lookup(opts, "driver"),
                           g_hash_table_lookup(opts, "property"),
                           g_hash_table_lookup(opts, "value"), errp);
}

/* -overcommit mem-lock=on|off[,cpu-pm=on|off] */
static bool vl_overcommit(VLConfig *cfg, GHashTable *opts, Error **errp)
{
    bool cpu_pm = false;

    return vl_keys_only(opts, "mem-lock,cpu-pm", errp) &&
           vl_bool_key(opts, "mem-lock", &cfg->mem_lock, errp) &&
           vl_bool_key(opts, "cpu-pm", &cpu_pm, errp);
}

/*
 * -smp [cpus=]N[,maxcpus=][,sockets=][,dies=][,clusters=][,cores=]
 * [,threads=]: the rules of QEMU 7.2 (machine_parse_smp_config):
 * missing counts are derived preferring sockets, the product of the
 * topology must be maxcpus, cpus <= maxcpus <= the machine's cpu-max.
 */
static bool vl_smp(VLConfig *cfg, GHashTable *opts, Error **errp)
{
    uint64_t cpus = 0, maxcpus = 0, sockets = 0, dies = 1, clusters = 1;
    uint64_t cores = 0, threads = 0, per_socket;

    if (!vl_keys_only(opts, "cpus,maxcpus,sockets,dies,clusters,cores,"
                      "threads", errp) ||
        !vl_uint_key(opts, "cpus", 1, &cpus, errp) ||
        !vl_uint_key(opts, "maxcpus", 1, &maxcpus, errp) ||
        !vl_uint_key(opts, "sockets", 1, &sockets, errp) ||
        !vl_uint_key(opts, "dies", 1, &dies, errp) ||
        !vl_uint_key(opts, "clusters", 1, &clusters, errp) ||
        !vl_uint_key(opts, "cores", 1, &cores, errp) ||
        !vl_uint_key(opts, "threads", 1, &threads, errp)) {
        return false;
    }
    if (dies > 1 || clusters > 1) {
        error_setg(errp, "dies and clusters are not supported by pseries");
        return false;
    }
    threads = threads ? threads : 1;
    if (!sockets) {
        cores = cores ? cores : 1;
        per_socket = cores * threads;
        sockets = MAX(maxcpus ? maxcpus : cpus ? cpus : 1, 1);
        sockets = (sockets + per_socket - 1) / per_socket;
    } else if (!cores) {
        uint64_t n = maxcpus ? maxcpus : cpus ? cpus : sockets * threads;

        cores = MAX(n / (sockets * threads), 1);
    }
    maxcpus = maxcpus ? maxcpus : sockets * cores * threads;
    cpus = cpus ? cpus : maxcpus;
    if (sockets * cores * threads != maxcpus) {
        error_setg(errp, "Invalid CPU topology: sockets (%" PRIu64 ") * "
                   "cores (%" PRIu64 ") * threads (%" PRIu64 ") must be "
                   "maxcpus (%" PRIu64 ")", sockets, cores, threads,
                   maxcpus);
        return false;
    }
    if (cpus > maxcpus) {
        error_setg(errp, "cpus (%" PRIu64 ") must not exceed maxcpus (%"
                   PRIu64 ")", cpus, maxcpus);
        return false;
    }
    cfg->smp_cpus = cpus;
    cfg->smp_maxcpus = maxcpus;
    cfg->smp_cores = cores;
    cfg->smp_threads = threads;
    return true;
}

/* The CPU models QEMU 7.2's ppc64 target has for pseries. */
static const char *const vl_cpu_models[] = {
    "host", "max", "power5+", "power5+_v2.1", "power7", "power7_v2.3",
    "power7+", "power7+_v2.1", "power8", "power8_v2.0", "power8e",
    "power8e_v2.1", "power8nvl", "power8nvl_v1.0", "power9",
    "power9_v1.0", "power9_v2.0", "power10", "power10_v1.0",
    "power10_v2.0", NULL,
};

static bool vl_cpu(VLConfig *cfg, const char *arg, Error **errp)
{
    g_autoptr(GHashTable) opts = keyval_parse(arg, "model", errp);
    g_autofree char *lower = NULL;
    const char *model;

    if (!opts) {
        return false;
    }
    model = g_hash_table_lookup(opts, "model");
    if (model && !strcmp(model, "help")) {
        const char *const *m;

        printf("Available CPUs (none executes here; the model is "
               "recorded):\n");
        for (m = vl_cpu_models; *m; m++) {
            printf("  %s\n", *m);
        }
        exit(0);
    }
    if (!model) {
        error_setg(errp, "a CPU model is required (-cpu help lists them)");
        return false;
    }
    lower = g_ascii_strdown(model, -1);
    if (!g_strv_contains(vl_cpu_models, lower)) {
        error_setg(errp, "unable to find CPU model '%s' (-cpu help lists "
                   "them)", model);
        return false;
    }
    g_hash_table_remove(opts, "model");
    if (!vl_keys_only(opts, "compat", errp)) {
        return false;
    }
    g_free(cfg->cpu_model);
    cfg->cpu_model = g_steal_pointer(&lower);
    return true;
}

/* -rtc [base=utc|localtime|DATE][,clock=host|rt|vm][,driftfix=none|slew] */
static bool vl_rtc(GHashTable *opts, Error **errp)
{
    static const char *const clocks[] = { "host", "rt", "vm", NULL };
    static const char *const drifts[] = { "none", "slew", NULL };
    const char *base = g_hash_table_lookup(opts, "base");

    if (!vl_keys_only(opts, "base,clock,driftfix", errp) ||
        !vl_one_of(opts, "clock", clocks, errp) ||
        !vl_one_of(opts, "driftfix", drifts, errp)) {
        return false;
    }
    /* The guest clock (RTAS get-time-of-day) follows base=. */
    return machine_set_rtc_base(base ? base : "utc", errp);
}

/* -boot [order=][,once=][,menu=][,splash=][,splash-time=][,strict=]... */
static bool vl_boot(GHashTable *opts, Error **errp)
{
    static const char *const drives = "abcdefghijklmnop";
    const char *keys[] = { "order", "once" };
    bool b;
    uint64_t n;
    unsigned i;

    if (!vl_keys_only(opts, "order,once,menu,splash,splash-time,"
                      "reboot-timeout,strict", errp) ||
        !vl_bool_key(opts, "menu", &b, errp) ||
        !vl_bool_key(opts, "strict", &b, errp) ||
        !vl_uint_key(opts, "splash-time", 0, &n, errp)) {
        return false;
    }
    for (i = 0; i < G_N_ELEMENTS(keys); i++) {
        const char *v = g_hash_table_lookup(opts, keys[i]);

        if (v && (!*v || strspn(v, drives) != strlen(v))) {
            error_setg(errp, "invalid boot device letters in %s='%s' "
                       "(a to p)", keys[i], v);
            return false;
        }
    }
    if (g_hash_table_contains(opts, "reboot-timeout") &&
        strcmp(g_hash_table_lookup(opts, "reboot-timeout"), "-1") &&
        !vl_uint_key(opts, "reboot-timeout", 0, &n, errp)) {
        return false;
    }
    return true;
}

bool vl_libvirt_option(VLConfig *cfg, const char *name, const char *arg,
                       Error **errp)
{
    static const struct {
        const char *name;
        const char *implied;
    } keyvals[] = {
        { "name", "guest" }, { "msg", NULL }, { "overcommit", NULL },
        { "smp", "cpus" }, { "rtc", NULL }, { "boot", "order" },
    };
    g_autoptr(GHashTable) opts = NULL;
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(keyvals); i++) {
        if (!strcmp(name, keyvals[i].name)) {
            opts = keyval_parse(arg, keyvals[i].implied, errp);
            if (!opts) {
                return false;
            }
            break;
        }
    }
    if (!strcmp(name, "name")) {
        return vl_name(cfg, opts, errp);
    } else if (!strcmp(name, "uuid")) {
        return vl_uuid(arg, errp);
    } else if (!strcmp(name, "msg")) {
        return vl_msg(cfg, opts, errp);
    } else if (!strcmp(name, "global")) {
        return vl_global(arg, errp);
    } else if (!strcmp(name, "overcommit")) {
        return vl_overcommit(cfg, opts, errp);
    } else if (!strcmp(name, "smp")) {
        if (!vl_smp(cfg, opts, errp)) {
            return false;
        }
        g_free(cfg->smp_arg);
        cfg->smp_arg = g_strdup(arg);
        return true;
    } else if (!strcmp(name, "cpu")) {
        return vl_cpu(cfg, arg, errp);
    } else if (!strcmp(name, "rtc")) {
        return vl_rtc(opts, errp);
    } else if (!strcmp(name, "boot")) {
        return vl_boot(opts, errp);
    } else if (!strcmp(name, "pidfile")) {
        g_free(cfg->pidfile);
        cfg->pidfile = g_strdup(arg);
    } else if (!strcmp(name, "no-shutdown")) {
        cfg->no_shutdown = true;
    } else if (!strcmp(name, "daemonize")) {
        cfg->daemonize = true;
    }
    /* -no-user-config: there are no configuration files to skip. */
    return true;
}

/* ------------------------------------------------------------ pidfile */

static char *vl_pidfile_path;
static int vl_pidfile_fd = -1;

bool vl_pidfile_create(const char *path, Error **errp)
{
    g_autofree char *pid = g_strdup_printf("%d\n", getpid());
    int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);

    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot open pid file");
        return false;
    }
    /* A second instance with the same pid file stops here. */
    if (lockf(fd, F_TLOCK, 0) < 0) {
        error_setg_errno(errp, errno, "cannot lock pid file");
        close(fd);
        return false;
    }
    if (ftruncate(fd, 0) < 0 || write(fd, pid, strlen(pid)) !=
        (ssize_t)strlen(pid)) {
        error_setg_errno(errp, errno, "cannot write pid file");
        unlink(path);
        close(fd);
        return false;
    }
    vl_pidfile_fd = fd;
    vl_pidfile_path = g_strdup(path);
    return true;
}

void vl_pidfile_remove(void)
{
    if (vl_pidfile_path) {
        unlink(vl_pidfile_path);
        close(vl_pidfile_fd);
        vl_pidfile_fd = -1;
        g_clear_pointer(&vl_pidfile_path, g_free);
    }
}

/* ------------------------------------------------ mem-lock, daemonize */

bool vl_mem_lock(Error **errp)
{
    if (mlockall(MCL_CURRENT | MCL_FUTURE) < 0) {
        error_setg_errno(errp, errno, "locking memory failed (mlockall)");
        return false;
    }
    return true;
}

static int vl_daemon_pipe = -1;

/*
 * -daemonize: the parent waits for the child to say start-up is done
 * (vl_daemonize_done) and exits with its status; the child leaves the
 * session and the terminal.
 */
bool vl_daemonize_start(Error **errp)
{
    int fds[2];
    pid_t pid;
    char status = 1;

    if (pipe2(fds, O_CLOEXEC) < 0) {
        error_setg_errno(errp, errno, "-daemonize: pipe");
        return false;
    }
    pid = fork();
    if (pid < 0) {
        error_setg_errno(errp, errno, "-daemonize: fork");
        return false;
    }
    if (pid > 0) {
        close(fds[1]);
        while (read(fds[0], &status, 1) < 0 && errno == EINTR) {
            continue;
        }
        /* EOF without a byte: the child failed and said why on stderr. */
        _exit(status ? 1 : 0);
    }
    close(fds[0]);
    vl_daemon_pipe = fds[1];
    setsid();
    return true;
}

void vl_daemonize_done(void)
{
    char ok = 0;
    int fd;

    if (vl_daemon_pipe < 0) {
        return;
    }
    if (chdir("/") < 0) {
        warn_report("-daemonize: chdir /: %s", g_strerror(errno));
    }
    fd = open("/dev/null", O_RDWR);
    if (fd >= 0) {
        dup2(fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        if (fd > STDERR_FILENO) {
            close(fd);
        }
    }
    if (write(vl_daemon_pipe, &ok, 1) < 0) {
        /* The parent is gone; nothing to tell. */
    }
    close(vl_daemon_pipe);
    vl_daemon_pipe = -1;
}
