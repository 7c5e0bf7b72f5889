/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * VFIO benchmarks of spapr-vfio under vfio-sim ("make bench"):
 *
 *  (b) machine start to ready with 16 GiB of RAM and one vfio-pci
 *      device, and the share of it spent pinning guest RAM
 *      (VFIO_IOMMU_SPAPR_REGISTER_MEMORY, timed from the machine's own
 *      trace), next to a plain populate + mlock of 16 GiB done here;
 *  (a) DDW direct mapping of that 16 GiB guest with 64 KiB IOMMU pages
 *      (262,144 TCEs in 512 H_PUT_TCE_INDIRECT calls): host ioctls
 *      issued (must be <= TCEs/512 + 16) and time spent inside the
 *      machine, qtest transport excluded.
 *
 * How "inside the machine" is measured: spapr-vfio's -qtest-log stamps
 * each command line when it is received and its reply when it is ready
 * (microseconds, the machine's monotonic clock).  The sum of
 * reply - receive over the H_PUT_TCE_INDIRECT lines is the time the
 * machine spent in those hcalls (TCE table update, IOMMU notification,
 * VFIO MAP_DMA into the simulated host), without socket, parsing on the
 * client side, or the list-page writes.  The same run on a machine with
 * an emulated DMA device instead of vfio-pci gives the TCE-table-only
 * cost; the difference is what VFIO mirroring adds.
 *
 * The machine offers 64 KiB pages as its largest IOMMU page through a
 * second PHB (pgsz=0x11000), so the guest's "largest page size" rule
 * picks 64 KiB, as it would on a host limited to 64 KiB pages.
 *
 * Memory: the 16 GiB guest is pinned (populated) by REGISTER_MEMORY;
 * the plain mlock comparison runs first and is released before the
 * machine starts, so at most 16 GiB is pinned at any time.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "libspapr-guest.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define GiB                 (1ULL << 30)
#define BENCH_RAM           (16 * GiB)
#define BENCH_PAGE_SHIFT    16
#define BENCH_TCES          (BENCH_RAM >> BENCH_PAGE_SHIFT)
#define PHB1_ARGS           "-device spapr-pci-host-bridge,index=1," \
                            "pgsz=0x11000"
#define TESTDEV_VENDOR      0x1b36
#define TESTDEV_DMA_DEVICE  0x00f5

static double now_s(void)
{
    return g_get_monotonic_time() / 1e6;
}

/* Plain pinning of @size fresh bytes, done as vfio-sim pins. */
static void bench_plain_pin(uint64_t size, double *t_populate,
                            double *t_mlock)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    double t0;

    g_assert(p != MAP_FAILED);
    t0 = now_s();
    if (madvise(p, size, MADV_POPULATE_WRITE) < 0) {
        memset(p, 0, size);     /* kernels without POPULATE_WRITE */
    }
    *t_populate = now_s() - t0;
    t0 = now_s();
    *t_mlock = mlock(p, size) == 0 ? now_s() - t0 : -1;
    munlock(p, size);
    munmap(p, size);
}

/*
 * Sum reply - receive over the qtest log lines whose command starts
 * with @prefix; returns seconds, the count in *n.
 */
static double qtest_log_time(const char *path, const char *prefix,
                             unsigned *n)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    double total = 0, t_recv = -1;
    size_t plen = strlen(prefix);

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    lines = g_strsplit(text, "\n", -1);
    *n = 0;
    for (char **l = lines; *l; l++) {
        char dir;
        double t;
        int off = 0;

        if (sscanf(*l, "[%c +%lf] %n", &dir, &t, &off) != 2 || !off) {
            continue;
        }
        if (dir == 'R') {
            t_recv = strncmp(*l + off, prefix, plen) == 0 ? t : -1;
        } else if (dir == 'S' && t_recv >= 0) {
            total += t - t_recv;
            (*n)++;
            t_recv = -1;
        }
    }
    return total;
}

/* Trace line time stamp: "PID@SECONDS.USEC:event ..." */
static bool trace_time(const char *line, double *t)
{
    const char *at = strchr(line, '@');

    return at && sscanf(at + 1, "%lf", t) == 1;
}

/*
 * REGISTER_MEMORY time from the machine's trace: the REGISTER line is
 * written when the ioctl returns, the container ioctl line before it
 * when the previous ioctl returned, and nothing runs in between but the
 * listener walking to the RAM section.
 */
static double trace_register_time(const char *path)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    double prev = -1, total = 0, t;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        if (!strstr(*l, ":vfio_container_ioctl ") || !trace_time(*l, &t)) {
            continue;
        }
        if (strstr(*l, "VFIO_IOMMU_SPAPR_REGISTER_MEMORY") && prev >= 0) {
            total += t - prev;
        }
        prev = t;
    }
    return total;
}

static gint64 ioctl_calls(JsonObject *st, const char *name)
{
    JsonObject *io = json_object_get_object_member(st, "ioctls");

    if (!io || !json_object_has_member(io, name)) {
        return 0;
    }
    return json_object_get_int_member(
               json_object_get_object_member(io, name), "calls");
}

static gint64 ioctl_total(JsonObject *st)
{
    JsonObject *io = json_object_get_object_member(st, "ioctls");
    g_autoptr(GList) names = json_object_get_members(io);
    gint64 total = 0;

    for (GList *l = names; l; l = l->next) {
        total += json_object_get_int_member(
                     json_object_get_object_member(io, l->data), "calls");
    }
    return total;
}

typedef struct MapRun {
    double wall;                /* guest_ddw_enable, client side */
    double in_machine;          /* sum over the indirect hcalls */
    unsigned hcalls;
    double list_writes;         /* the list-page b64writes */
    unsigned nwrites;
} MapRun;

static void run_direct_map(SpaprGuest *g, const GuestDevice *dev,
                           const char *log, MapRun *r)
{
    GuestWindow w;
    double t0 = now_s();

    g_assert_true(guest_ddw_enable(g, dev, 0, &w));
    r->wall = now_s() - t0;
    g_assert_cmpuint(w.page_shift, ==, BENCH_PAGE_SHIFT);
    g_assert_cmpuint(guest_stats(g)->tces_put, ==, BENCH_TCES);
    r->in_machine = qtest_log_time(log, "hcall 0x13c ", &r->hcalls);
    r->list_writes = qtest_log_time(log, "b64write ", &r->nwrites);
    g_assert_cmpuint(r->hcalls, ==, BENCH_TCES / 512);
}

int main(int argc, char **argv)
{
    g_autofree char *dir = g_dir_make_tmp("bench-vfio-XXXXXX", NULL);
    g_autofree char *log_v = g_build_filename(dir, "qtest-vfio.log", NULL);
    g_autofree char *log_e = g_build_filename(dir, "qtest-emu.log", NULL);
    g_autofree char *trace = g_build_filename(dir, "trace.log", NULL);
    g_autoptr(JsonObject) st = NULL, report = NULL;
    double t_pop, t_mlock, t0, t_start, t_start_plain, t_reg;
    uint64_t locked;
    QTestState *qts;
    int status;
    gint64 ioctls, maps;
    MapRun v = { 0 }, e = { 0 };
    VsimMachine *m;
    SpaprGuest *g;
    GuestDevice dev;

    g_assert_nonnull(dir);
    printf("# bench-vfio-ddw: 16 GiB guest, one dma-engine behind "
           "vfio-pci on vfio-sim\n");

    /* (b) the reference: what pinning 16 GiB costs without a VMM */
    bench_plain_pin(BENCH_RAM, &t_pop, &t_mlock);
    printf("plain pin of 16 GiB in this process: populate %.3f s, "
           "mlock %.3f s, total %.3f s\n", t_pop, t_mlock,
           t_pop + (t_mlock > 0 ? t_mlock : 0));

    /*
     * (b) a machine with an emulated DMA device and no VFIO: start cost
     * without pinning; (a) the same direct mapping, TCE table only.
     */
    t0 = now_s();
    qts = qtest_initf("-m 16G " PHB1_ARGS
                      " -device pci-testdev-dma,bus=pci.1,addr=1"
                      " -qtest-log %s", log_e);
    t_start_plain = now_s() - t0;
    g = guest_new(qts, BENCH_RAM);
    g_assert_true(guest_find_device(g, 1, TESTDEV_VENDOR,
                                    TESTDEV_DMA_DEVICE, 0, &dev));
    run_direct_map(g, &dev, log_e, &e);
    guest_free(g);
    status = qtest_quit_qmp(qts);
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* (b) start to ready with the device: REGISTER pins all 16 GiB */
    t0 = now_s();
    m = vsim_machine_start(NULL, "memlock=unlimited", "-m 16G " PHB1_ARGS
                           " -device vfio-pci,host=0001:00:01.0,bus=pci.1"
                           " -trace vfio_container_ioctl,file=%s"
                           " -qtest-log %s", trace, log_v);
    t_start = now_s() - t0;
    g_assert_nonnull(m->ctl);
    t_reg = trace_register_time(trace);
    st = vsim_machine_state(m);
    locked = json_object_get_int_member(st, "locked_bytes");
    g_clear_pointer(&st, json_object_unref);
    printf("machine start to ready, 16 GiB, no VFIO:      %.3f s\n",
           t_start_plain);
    printf("machine start to ready, 16 GiB, one vfio-pci: %.3f s\n",
           t_start);
    printf("  REGISTER_MEMORY of 16 GiB (machine trace):  %.3f s = %.0f%% "
           "of start; %.2fx a plain populate+mlock\n", t_reg,
           100 * t_reg / t_start,
           t_reg / (t_pop + (t_mlock > 0 ? t_mlock : 0)));
    printf("  locked bytes after start: %" PRIu64 " MiB\n", locked >> 20);

    /* (a) direct mapping through VFIO */
    g = guest_new(m->qts, BENCH_RAM);
    g_assert_true(guest_find_device(g, 1, DMA_ENGINE_VENDOR,
                                    DMA_ENGINE_DEVICE, 0, &dev));
    g_assert_true(vsim_control_reset_counters(m->ctl, NULL));
    run_direct_map(g, &dev, log_v, &v);
    st = vsim_machine_state(m);
    ioctls = ioctl_total(st);
    maps = ioctl_calls(st, "VFIO_IOMMU_MAP_DMA");
    printf("DDW direct map, 16 GiB at 64 KiB pages: %" PRIu64 " TCEs in "
           "%u H_PUT_TCE_INDIRECT\n", (uint64_t)BENCH_TCES, v.hcalls);
    printf("  host ioctls during enablement: %" PRId64 " (MAP_DMA %"
           PRId64 ", TCE_CREATE %" PRId64 ", other %" PRId64 "); "
           "limit TCEs/512+16 = %" PRIu64 "\n", ioctls, maps,
           ioctl_calls(st, "VFIO_IOMMU_SPAPR_TCE_CREATE"),
           ioctls - maps - ioctl_calls(st, "VFIO_IOMMU_SPAPR_TCE_CREATE"),
           (uint64_t)(BENCH_TCES / 512 + 16));
    printf("  in the machine (qtest log, %u hcalls): vfio-pci %.3f s "
           "(%.1f us/hcall), emulated device %.3f s (%.1f us/hcall)\n",
           v.hcalls, v.in_machine, 1e6 * v.in_machine / v.hcalls,
           e.in_machine, 1e6 * e.in_machine / e.hcalls);
    printf("  VFIO mirroring adds %.3f s (%.1f us per 512-TCE MAP_DMA of "
           "32 MiB)\n", v.in_machine - e.in_machine,
           1e6 * (v.in_machine - e.in_machine) / v.hcalls);
    printf("  list-page writes in the machine: %.3f s over %u b64writes; "
           "client wall time of the enablement: %.3f s\n", v.list_writes,
           v.nwrites, v.wall);
    g_assert_cmpint(maps, ==, BENCH_TCES / 512);
    g_assert_cmpint(ioctls, <=, BENCH_TCES / 512 + 16);

    guest_free(g);
    g_clear_pointer(&st, json_object_unref);
    report = vsim_machine_quit(m);
    vsim_report_assert_clean(report);
    unlink(trace);
    unlink(log_v);
    unlink(log_e);
    rmdir(dir);
    return 0;
}
