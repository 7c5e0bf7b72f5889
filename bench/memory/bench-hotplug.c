/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Memory hotplug benchmark: N (256) hot-adds of 256 MiB DIMMs over QMP
 * (object-add + device_add pc-dimm) on -m 1G,slots=N,maxmem=1G+N*256M,
 * first with a vfio-pci device attached under vfio-sim (every DIMM is
 * preregistered, i.e. populated and pinned, as it is added), then with
 * no device (the machine and memory core alone).
 *
 * Reported: the total time of the adds, and the time of the last 32
 * adds divided by that of the first 32 (goal <= 1.5: the cost of one
 * add does not depend on how many DIMMs are already there).  Removal of
 * all DIMMs is timed too, and the host must end with nothing pinned.
 *
 * Host memory: 256 x 256 MiB = 64 GiB pinned would exceed the RAM of a
 * development machine (pinning populates every page).  So by default
 * every DIMM's backend is memory-backend-file share=on over ONE 256 MiB
 * file in /dev/shm: each DIMM is its own mapping, registered, populated
 * and pinned on its own, but the pages behind the mappings are the same
 * 256 MiB.  BENCH_HOTPLUG_PRIVATE=1 uses private memory-backend-ram
 * instead (N x 256 MiB of real memory: lower BENCH_HOTPLUG_COUNT).
 *
 * BENCH_HOTPLUG_VFIO=0 skips the run with a device, to look at the cost
 * of the memory core alone; BENCH_HOTPLUG_ROUNDS=R takes the fastest of
 * R runs per add there instead of PLAIN_ROUNDS.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include "libspapr-guest.h"

#define DIMM_SIZE       ((uint64_t)256 << 20)
#define BOOT_RAM        ((uint64_t)1 << 30)
#define WINDOW          32
#define DEFAULT_COUNT   256
/*
 * The machine is shared (builds and tests run beside the benchmark), and
 * a burst of noise in either window of 32 adds swings the ratio: take,
 * per add index, the fastest of this many runs.  Without a device an add
 * takes well under a millisecond, where noise is as large as the effect.
 */
#define VFIO_ROUNDS     3
#define PLAIN_ROUNDS    5

typedef struct Run {
    unsigned count;
    double *add_ns;         /* object-add + device_add of DIMM i */
    double *dev_ns;         /* device_add alone */
    double remove_ns;       /* every device_del + object-del */
    const char *shared_file;    /* every DIMM maps it, or NULL */
} Run;

static void qmp_ok(QTestState *qts, const char *cmd)
{
    JsonObject *r = qtest_qmp(qts, "%s", cmd);

    if (qtest_qmp_error_desc(r)) {
        g_error("%s: %s", cmd, qtest_qmp_error_desc(r));
    }
    json_object_unref(r);
}

static char *backend_cmd(unsigned i, const char *shared_file)
{
    if (shared_file) {
        return g_strdup_printf("{'execute': 'object-add', 'arguments': "
                               "{'qom-type': 'memory-backend-file', "
                               "'id': 'm%u', 'size': %" PRIu64 ", "
                               "'share': true, 'mem-path': '%s'}}", i,
                               (uint64_t)DIMM_SIZE, shared_file);
    }
    return g_strdup_printf("{'execute': 'object-add', 'arguments': "
                           "{'qom-type': 'memory-backend-ram', 'id': 'm%u', "
                           "'size': %" PRIu64 "}}", i, (uint64_t)DIMM_SIZE);
}

static void add_all(QTestState *qts, Run *run, const char *shared_file)
{
    unsigned i;

    for (i = 0; i < run->count; i++) {
        g_autofree char *obj = backend_cmd(i, shared_file);
        g_autofree char *dev = g_strdup_printf(
            "{'execute': 'device_add', 'arguments': {'driver': 'pc-dimm', "
            "'id': 'd%u', 'memdev': 'm%u'}}", i, i);
        gint64 t0, t1, t2;

        t0 = g_get_monotonic_time();
        qmp_ok(qts, obj);
        t1 = g_get_monotonic_time();
        qmp_ok(qts, dev);
        t2 = g_get_monotonic_time();
        run->add_ns[i] = (t2 - t0) * 1e3;
        run->dev_ns[i] = (t2 - t1) * 1e3;
    }
}

static void remove_all(QTestState *qts, Run *run)
{
    gint64 t0 = g_get_monotonic_time();
    unsigned i;

    for (i = run->count; i-- > 0;) {
        g_autofree char *dev = g_strdup_printf(
            "{'execute': 'device_del', 'arguments': {'id': 'd%u'}}", i);
        g_autofree char *obj = g_strdup_printf(
            "{'execute': 'object-del', 'arguments': {'id': 'm%u'}}", i);

        qmp_ok(qts, dev);
        qmp_ok(qts, obj);
    }
    run->remove_ns = (g_get_monotonic_time() - t0) * 1e3;
}

static double sum(const double *v, unsigned from, unsigned n)
{
    double s = 0;
    unsigned i;

    for (i = from; i < from + n; i++) {
        s += v[i];
    }
    return s;
}

static bool report(const char *name, const Run *run, bool goal)
{
    unsigned n = run->count, w = MIN(WINDOW, n / 2);
    double total = sum(run->add_ns, 0, n);
    double first = sum(run->add_ns, 0, w), last = sum(run->add_ns, n - w, w);
    double dfirst = sum(run->dev_ns, 0, w);
    double dlast = sum(run->dev_ns, n - w, w);

    printf("%s: %u hot-adds of 256 MiB DIMMs: total %.3f s "
           "(%.2f ms per add)\n", name, n, total / 1e9, total / n / 1e6);
    printf("%s:   object-add+device_add: first %u %.2f ms/add, last %u "
           "%.2f ms/add, last/first = %.3f%s\n", name, w,
           first / w / 1e6, w, last / w / 1e6, last / first,
           goal ? " (goal <= 1.5)" : "");
    printf("%s:   device_add alone:      first %u %.2f ms/add, last %u "
           "%.2f ms/add, last/first = %.3f\n", name, w, dfirst / w / 1e6,
           w, dlast / w / 1e6, dlast / dfirst);
    printf("%s:   removing all %u (device_del + object-del): %.3f s\n",
           name, n, run->remove_ns / 1e9);
    return last / first <= 1.5;
}

static uint64_t locked_bytes(VsimMachine *m, unsigned *nregions)
{
    g_autoptr(JsonObject) st = vsim_machine_state(m);

    *nregions = json_array_get_length(
        json_object_get_array_member(st, "regions"));
    return json_object_get_int_member(st, "locked_bytes");
}

/* One 256 MiB file every DIMM maps (shared pages, see the top). */
static char *make_shared_file(char **dir)
{
    const char *base = g_file_test("/dev/shm", G_FILE_TEST_IS_DIR)
                       ? "/dev/shm" : g_get_tmp_dir();
    g_autofree char *tmpl = g_build_filename(base, "bench-hotplug-XXXXXX",
                                             NULL);
    char *path;
    int fd;

    *dir = g_mkdtemp(g_steal_pointer(&tmpl));
    if (!*dir) {
        g_error("cannot make a directory in %s", base);
    }
    path = g_build_filename(*dir, "dimm", NULL);
    fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0 || ftruncate(fd, DIMM_SIZE) != 0) {
        g_error("cannot make %s", path);
    }
    close(fd);
    return path;
}

static void run_vfio(Run *run)
{
    const char *shared_file = run->shared_file;
    uint64_t maxmem = BOOT_RAM + run->count * DIMM_SIZE;
    VsimMachine *m = vsim_machine_start(NULL, NULL,
        "-m 1G,slots=%u,maxmem=%" PRIu64 "M "
        "-device vfio-pci,host=0001:00:01.0,id=dev0", run->count,
        maxmem >> 20);
    uint64_t locked0, locked;
    unsigned regions0, regions;
    JsonObject *rep;

    locked0 = locked_bytes(m, &regions0);
    add_all(m->qts, run, shared_file);
    locked = locked_bytes(m, &regions);
    if (regions != regions0 + run->count ||
        locked != locked0 + run->count * DIMM_SIZE) {
        g_error("after %u adds: %u regions (expected %u), %" PRIu64
                " locked bytes (expected %" PRIu64 ")", run->count, regions,
                regions0 + run->count, locked,
                locked0 + run->count * DIMM_SIZE);
    }
    printf("vfio: %u regions preregistered, %" PRIu64 " MiB pinned "
           "(simulated host accounting)\n", regions, locked >> 20);
    remove_all(m->qts, run);
    locked = locked_bytes(m, &regions);
    if (regions != regions0 || locked != locked0) {
        g_error("after removal: %u regions, %" PRIu64 " locked bytes "
                "(expected %u, %" PRIu64 ")", regions, locked, regions0,
                locked0);
    }
    rep = vsim_machine_quit(m);
    vsim_report_assert_clean(rep);
    json_object_unref(rep);
}

static Run *run_new(unsigned count)
{
    Run *run = g_new0(Run, 1);

    run->count = count;
    run->add_ns = g_new0(double, count);
    run->dev_ns = g_new0(double, count);
    return run;
}

static void run_free(Run *run)
{
    g_free(run->add_ns);
    g_free(run->dev_ns);
    g_free(run);
}

static void run_plain_once(Run *run)
{
    uint64_t maxmem = BOOT_RAM + run->count * DIMM_SIZE;
    QTestState *qts = qtest_initf("-machine pseries -nodefaults "
                                  "-m 1G,slots=%u,maxmem=%" PRIu64 "M",
                                  run->count, maxmem >> 20);

    add_all(qts, run, NULL);
    remove_all(qts, run);
    qtest_quit_qmp(qts);
}

/* Per add index, the fastest of @rounds runs of @once. */
static void run_rounds(Run *best, unsigned rounds, void (*once)(Run *run),
                       const char *shared_file)
{
    Run *run = run_new(best->count);
    unsigned r, i;

    run->shared_file = shared_file;
    for (r = 0; r < rounds; r++) {
        once(run);
        for (i = 0; i < run->count; i++) {
            if (!r || run->add_ns[i] < best->add_ns[i]) {
                best->add_ns[i] = run->add_ns[i];
            }
            if (!r || run->dev_ns[i] < best->dev_ns[i]) {
                best->dev_ns[i] = run->dev_ns[i];
            }
        }
        if (!r || run->remove_ns < best->remove_ns) {
            best->remove_ns = run->remove_ns;
        }
    }
    run_free(run);
}

int main(int argc, char **argv)
{
    const char *env = g_getenv("BENCH_HOTPLUG_COUNT");
    bool private = g_strcmp0(g_getenv("BENCH_HOTPLUG_PRIVATE"), "1") == 0;
    unsigned count = env ? (unsigned)strtoul(env, NULL, 0) : DEFAULT_COUNT;
    bool vfio = g_strcmp0(g_getenv("BENCH_HOTPLUG_VFIO"), "0") != 0;
    const char *renv = g_getenv("BENCH_HOTPLUG_ROUNDS");
    unsigned rounds = renv ? (unsigned)strtoul(renv, NULL, 0) : PLAIN_ROUNDS;
    g_autofree char *dir = NULL, *file = NULL;
    Run *run;
    bool ok = true;

    if (count < 2 || count > 256) {
        g_error("BENCH_HOTPLUG_COUNT must be 2 to 256 (-m slots= limit)");
    }
    if (rounds < 1 || rounds > 100) {
        g_error("BENCH_HOTPLUG_ROUNDS must be 1 to 100");
    }
    if (!vfio) {
        printf("vfio: skipped (BENCH_HOTPLUG_VFIO=0)\n");
    } else if (!private) {
        file = make_shared_file(&dir);
        printf("vfio: every DIMM maps the same 256 MiB file (%s), so %u "
               "pinned DIMMs need 256 MiB of host RAM, not %u MiB; each is "
               "still registered, populated and pinned on its own\n",
               file, count, count * 256);
    }

    if (vfio) {
        run = run_new(count);
        run_rounds(run, VFIO_ROUNDS, run_vfio, file);
        printf("vfio: fastest of %u runs per add\n", VFIO_ROUNDS);
        ok = report("vfio", run, true);
        run_free(run);
    }
    if (file) {
        g_unlink(file);
        g_rmdir(dir);
    }

    run = run_new(count);
    run_rounds(run, rounds, run_plain_once, NULL);
    printf("no-device: fastest of %u runs per add (the machine and the "
           "memory core alone, for comparison)\n", rounds);
    report("no-device", run, false);
    run_free(run);
    printf("result: %s\n", ok ? "ratio goal met" : "ratio goal MISSED");
    return 0;
}
