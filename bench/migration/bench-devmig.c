/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Live migration with a busy passthrough device: a 4 GiB guest (DDW
 * direct-mapping all of it) whose dma-engine copies 256 MiB at 64 MiB/s
 * migrates over unix: to a destination under its own vfio-sim, twice:
 *
 *   device        the device logs its writes (DMA_LOGGING_*), each sync
 *                 marks exactly the guest pages behind them
 *   conservative  no device log: every page mapped for write (all 4 GiB)
 *                 counts as dirty at every sync
 *
 * Reported per mode: total time, downtime as query-migrate sees it and
 * as the guest does (the source's STOP event to the destination's
 * RESUME, by their timestamps), the device state size (and how much of
 * it went while the device ran), RAM bytes sent, passes, and the pages
 * and bytes resent because of device writes.  The copy must finish on
 * the destination with the right data.
 *
 * BENCH_DEVMIG_RAM (e.g. "1G") makes the guest smaller on a machine
 * without some 9 GiB of free memory (two guests, both pinned).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>
#include "libspapr-guest.h"

#define BDF             "0001:00:01.0"
#define COPY_BYTES      (256ULL << 20)
#define RATE            "64m"
#define CHUNK           (64ULL << 10)

static uint64_t ram_size = 4ULL << 30;
static char *tmpdir;

static uint64_t rq(QTestState *qts, const GuestDevice *d, unsigned r)
{
    return GUINT64_SWAP_LE_BE(qtest_readq(qts, d->bar_cpu[0] + r));
}

static uint32_t rl(QTestState *qts, const GuestDevice *d, unsigned r)
{
    return GUINT32_SWAP_LE_BE(qtest_readl(qts, d->bar_cpu[0] + r));
}

static void wq(QTestState *qts, const GuestDevice *d, unsigned r, uint64_t v)
{
    qtest_writeq(qts, d->bar_cpu[0] + r, GUINT64_SWAP_LE_BE(v));
}

static double event_time(JsonObject *ev)
{
    JsonObject *ts = json_object_get_object_member(ev, "timestamp");

    return json_object_get_int_member(ts, "seconds") * 1000.0 +
           json_object_get_int_member(ts, "microseconds") / 1000.0;
}

static int64_t get_int(JsonObject *o, const char *a, const char *b)
{
    JsonObject *sub = json_object_get_object_member(o, a);

    return sub ? json_object_get_int_member_with_default(sub, b, -1) : -1;
}

static void run(const char *mode, const char *dev_opts)
{
    g_autofree char *devs = g_strdup_printf(BDF "=dma-engine@1,rate=" RATE
                                            ",%s", dev_opts);
    g_autofree char *args = g_strdup_printf(
        "-m %" PRIu64 "M -nodefaults -device vfio-pci,host=" BDF
        ",id=dev0,addr=1", ram_size >> 20);
    g_autofree char *sock = g_build_filename(tmpdir, "mig.sock", NULL);
    g_autoptr(JsonObject) q = NULL, stop = NULL, resume = NULL;
    g_autofree char *end = NULL;
    VsimMachine *s, *d;
    SpaprGuest *g;
    GuestDevice dev;
    GuestWindow w;
    JsonObject *ret, *vfio;
    uint64_t src, dst, off, done_at_start;
    double t0, copy_end;

    s = vsim_machine_start(devs, NULL, "%s", args);
    g = guest_new(s->qts, ram_size);
    g_assert_true(guest_find_device(g, 0, DMA_ENGINE_VENDOR,
                                    DMA_ENGINE_DEVICE, 0, &dev));
    g_assert_true(guest_ddw_enable(g, &dev, 0, &w));
    src = guest_alloc(g, COPY_BYTES, CHUNK);
    dst = guest_alloc(g, COPY_BYTES, CHUNK);
    for (off = 0; off < COPY_BYTES; off += CHUNK) {
        qtest_memset(s->qts, src + off, (uint8_t)(off / CHUNK * 37 + 1),
                     CHUNK);
    }
    d = vsim_machine_start(devs, NULL, "%s -incoming unix:%s", args, sock);

    wq(s->qts, &dev, 0x08, guest_ddw_iova(&w, src));
    wq(s->qts, &dev, 0x10, guest_ddw_iova(&w, dst));
    wq(s->qts, &dev, 0x18, COPY_BYTES);
    qtest_writel(s->qts, dev.bar_cpu[0] + 0x28, GUINT32_SWAP_LE_BE(1));
    while (!(done_at_start = rq(s->qts, &dev, 0x48))) {
        g_usleep(1000);
    }
    t0 = g_get_monotonic_time() / 1000.0;
    qtest_qmp_assert_success(s->qts, "{'execute': 'migrate', 'arguments': "
                             "{'uri': 'unix:%s'}}", sock);
    end = qtest_migration_wait_end(s->qts);
    g_assert_cmpstr(end, ==, "completed");
    stop = qtest_qmp_eventwait(s->qts, "STOP");
    q = qtest_qmp(s->qts, "{'execute': 'query-migrate'}");
    ret = json_object_get_object_member(q, "return");
    vfio = json_object_get_object_member(ret, "vfio");
    resume = qtest_qmp_eventwait(d->qts, "RESUME");
    guest_free(g);
    vsim_report_assert_clean(vsim_machine_quit(s));

    while (rl(d->qts, &dev, 0x2c) == 1) {
        g_usleep(10000);
    }
    copy_end = g_get_monotonic_time() / 1000.0;
    g_assert_cmpuint(rl(d->qts, &dev, 0x2c), ==, 2);
    g_assert_cmpuint(rq(d->qts, &dev, 0x48), ==, COPY_BYTES);
    {
        g_autofree uint8_t *a = g_malloc(CHUNK);

        for (off = 0; off < COPY_BYTES; off += 16 * CHUNK) {
            qtest_bufread(d->qts, dst + off, a, CHUNK);
            g_assert_cmpuint(a[0], ==, (uint8_t)(off / CHUNK * 37 + 1));
            g_assert_cmpuint(a[CHUNK - 1], ==, a[0]);
        }
    }
    vsim_report_assert_clean(vsim_machine_quit(d));

    printf("%-13s %8" PRId64 " %8" PRId64 " %9.1f %9" PRId64 " %8" PRId64
           " %9.1f %6" PRId64 " %11" PRId64 " %9.1f %9.0f\n", mode,
           json_object_get_int_member(ret, "total-time"),
           json_object_get_int_member(ret, "downtime"),
           event_time(resume) - event_time(stop),
           json_object_get_int_member(vfio, "device-state-size"),
           json_object_get_int_member(vfio, "precopy-bytes"),
           get_int(ret, "ram", "transferred") / 1048576.0,
           get_int(ret, "ram", "passes"),
           json_object_get_int_member(vfio, "dirty-pages"),
           json_object_get_int_member(vfio, "dirty-resent-bytes") /
           1048576.0, copy_end - t0);
    g_assert_cmpstr(json_object_get_string_member(vfio, "dirty-tracking"),
                    ==, mode);
    fflush(stdout);
    (void)done_at_start;
}

int main(int argc, char **argv)
{
    const char *ram = g_getenv("BENCH_DEVMIG_RAM");

    g_test_init(&argc, &argv, NULL);
    if (ram) {
        ram_size = g_ascii_strtoull(ram, NULL, 0) << 30;
    }
    tmpdir = g_dir_make_tmp("bench-devmig-XXXXXX", NULL);
    printf("# %" PRIu64 " MiB guest, DDW over all of it; the device copies "
           "%" PRIu64 " MiB at " RATE "/s during the migration (unix:)\n",
           ram_size >> 20, (uint64_t)(COPY_BYTES >> 20));
    printf("# mode         total-ms down-ms stop->run state-B  precopy-B "
           "  RAM-MiB passes dirty-pages resent-MiB copy-ms\n");
    run("device", "dirty-log=on");
    run("conservative", "dirty-log=off");
    g_rmdir(tmpdir);
    return 0;
}
