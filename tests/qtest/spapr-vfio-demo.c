/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * "make demo": a pseries guest uses a passed-through PCI device whose
 * DMA goes through an sPAPR TCE v2 host IOMMU.
 *
 * spapr-vfio runs with 4 GiB of RAM and one dma-engine behind vfio-pci,
 * on vfio-sim (the simulated POWER host).  This program plays the guest
 * kernel (libspapr-guest.h): it enables a dynamic DMA window the way
 * pseries Linux does, sets up MSI-X (ibm,change-msi and
 * ibm,query-interrupt-source-number) and sleeps on each command's
 * completion interrupt, moves 256 MiB through the device, checks the
 * result in guest RAM, and prints what the host saw.  Exit status 0
 * only if every check passed and the host was left clean.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include "libspapr-guest.h"

#define DEMO_RAM        (4ULL << 30)
#define DEMO_LEN        (256ULL << 20)
#define DEMO_CHUNK      (16ULL << 20)
#define DEMO_SPOTS      64

static gint64 step_start;
static unsigned step_no;

static void step_begin(const char *what)
{
    printf("\n[%u] %s\n", ++step_no, what);
    fflush(stdout);
    step_start = g_get_monotonic_time();
}

static double step_end(void)
{
    double s = (g_get_monotonic_time() - step_start) / 1e6;

    printf("    (%.2f s)\n", s);
    return s;
}

static G_GNUC_NORETURN G_GNUC_PRINTF(1, 2) void demo_fail(const char *fmt,
                                                           ...)
{
    va_list ap;

    va_start(ap, fmt);
    printf("\nDEMO FAILED: ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    exit(1);
}

static char *human(uint64_t v)
{
    return g_format_size_full(v, G_FORMAT_SIZE_IEC_UNITS);
}

/* Word i of the pattern: its own index and a tag, so moves show. */
static void make_pattern(uint64_t *p, uint64_t first_word, size_t nwords)
{
    for (size_t i = 0; i < nwords; i++) {
        uint64_t w = first_word + i;

        p[i] = GUINT64_TO_LE(w * 0x9e3779b97f4a7c15ULL ^ 0x5350415052564649);
    }
}

static uint64_t fnv1a_update(uint64_t h, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        h = (h ^ p[i]) * 0x100000001b3ULL;
    }
    return h;
}

static JsonObject *query_vfio_container(QTestState *qts)
{
    g_autoptr(JsonObject) reply = qtest_qmp(qts,
                                    "{\"execute\": \"query-vfio\"}");
    JsonArray *a;

    if (qtest_qmp_error_desc(reply)) {
        demo_fail("query-vfio: %s", qtest_qmp_error_desc(reply));
    }
    a = json_object_get_array_member(reply, "return");
    if (!a || json_array_get_length(a) != 1) {
        demo_fail("query-vfio: expected one container");
    }
    return json_object_ref(json_array_get_object_element(a, 0));
}

/*
 * COMMAND as the guest reads it and as the device itself holds it
 * (vfio-sim's control channel): the device must decode and master.
 */
static void print_device_command(VsimMachine *m, SpaprGuest *g,
                                 const GuestDevice *dev)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonObject) d = vsim_control_device(m->ctl, "0001:00:01.0",
                                                  &err);
    uint32_t guest_cmd = 0;
    uint16_t cmd;

    if (!d) {
        demo_fail("vfio-sim device query: %s", err->message);
    }
    if (!guest_config_read(g, dev->buid, dev->config_addr, 0x04, 2,
                           &guest_cmd)) {
        demo_fail("ibm,read-pci-config of COMMAND failed");
    }
    cmd = json_object_get_int_member(d, "command");
    printf("    COMMAND: guest reads 0x%04x; the device itself holds "
           "0x%04x\n    (memory decoding %s, bus mastering %s)\n",
           guest_cmd, cmd,
           (cmd & 0x2) ? "on" : "OFF", (cmd & 0x4) ? "on" : "OFF");
    if ((cmd & 0x6) != 0x6) {
        demo_fail("the device has memory decoding or bus mastering off");
    }
}

static void print_host_windows(JsonObject *st)
{
    JsonArray *cs = json_object_get_array_member(st, "containers");
    JsonObject *c;
    JsonArray *ws;

    if (!cs || json_array_get_length(cs) != 1) {
        demo_fail("vfio-sim: expected one container");
    }
    c = json_array_get_object_element(cs, 0);
    printf("    host container: IOMMU %s\n",
           json_object_get_string_member(c, "iommu"));
    ws = json_object_get_array_member(c, "windows");
    for (unsigned i = 0; i < json_array_get_length(ws); i++) {
        JsonObject *w = json_array_get_object_element(ws, i);
        g_autofree char *sz = human(json_object_get_int_member(w, "size"));
        g_autofree char *tb = human(json_object_get_int_member(w,
                                                        "table_bytes"));

        printf("    host window %u%s: bus 0x%016" PRIx64 ", %s, "
               "%u KiB pages, %u levels\n"
               "      %" PRId64 " TCEs mapped, table %s\n",
               (unsigned)json_object_get_int_member(w, "slot"),
               json_object_get_boolean_member(w, "default") ?
               " (default)" : "",
               (uint64_t)json_object_get_int_member(w, "start"), sz,
               1u << (json_object_get_int_member(w, "page_shift") - 10),
               (unsigned)json_object_get_int_member(w, "levels"),
               json_object_get_int_member(w, "mapped"), tb);
    }
}

static void print_ioctls(JsonObject *st)
{
    JsonObject *io = json_object_get_object_member(st, "ioctls");
    g_autoptr(GList) names = io ? json_object_get_members(io) : NULL;
    uint64_t total = 0;

    names = g_list_sort(names, (GCompareFunc)strcmp);
    for (GList *l = names; l; l = l->next) {
        JsonObject *e = json_object_get_object_member(io, l->data);
        gint64 calls = json_object_get_int_member(e, "calls");
        gint64 errs = json_object_get_int_member(e, "errors");

        if (calls) {
            printf("    %-36s %6" PRId64 "%s\n", (char *)l->data, calls,
                   errs ? " (with errors)" : "");
            total += calls;
        }
    }
    printf("    %-36s %6" PRIu64 "\n", "total", total);
}

static void check_report(JsonObject *r)
{
    JsonArray *groups = json_object_get_array_member(r, "groups");
    JsonArray *devs = json_object_get_array_member(r, "devices");
    unsigned open = 0, i;

    for (i = 0; groups && i < json_array_get_length(groups); i++) {
        open += json_object_get_boolean_member(
                    json_array_get_object_element(groups, i), "open");
    }
    for (i = 0; devs && i < json_array_get_length(devs); i++) {
        open += json_object_get_boolean_member(
                    json_array_get_object_element(devs, i), "open");
    }
    printf("    locked bytes %" PRId64 ", containers %u, registered regions "
           "%u, open groups/devices %u\n",
           json_object_get_int_member(r, "locked_bytes"),
           json_array_get_length(json_object_get_array_member(
                                     r, "containers")),
           json_array_get_length(json_object_get_array_member(r,
                                                              "regions")),
           open);
    if (json_object_get_int_member(r, "locked_bytes") ||
        json_array_get_length(json_object_get_array_member(r,
                                                           "containers")) ||
        json_array_get_length(json_object_get_array_member(r, "regions")) ||
        open) {
        demo_fail("the host was not left clean");
    }
    printf("    clean: nothing registered, mapped, locked or open\n");
}

int main(int argc, char **argv)
{
    g_autoptr(JsonObject) vc = NULL, st = NULL, report = NULL;
    g_autofree uint64_t *buf = g_malloc(DEMO_CHUNK);
    g_autofree char *reg = NULL, *lim = NULL;
    struct rlimit rl;
    gint64 t0 = g_get_monotonic_time();
    VsimMachine *m;
    SpaprGuest *g;
    GuestDevice dev;
    GuestWindow w;
    GuestDevIrq irq;
    uint32_t avail, mask;
    uint64_t src, dst, h, src_iova, dst_iova, hcalls0, off;
    DmaResult r;

    printf("spapr-vfio demo: a pseries guest drives a passed-through PCI "
           "device\nwhose DMA goes through an sPAPR TCE v2 host IOMMU "
           "(simulated by vfio-sim).\n");

    step_begin("start spapr-vfio -m 4G -device vfio-pci,host=0001:00:01.0");
    getrlimit(RLIMIT_MEMLOCK, &rl);
    lim = rl.rlim_cur == RLIM_INFINITY ? g_strdup("unlimited")
                                       : human(rl.rlim_cur);
    printf("    vfio-sim host: one dma-engine at 0001:00:01.0, IOMMU "
           "group 1\n    passing memlock=unlimited to the simulated host "
           "(RLIMIT_MEMLOCK here:\n    %s); a real host must likewise "
           "let the VMM pin 4 GiB\n", lim);
    m = vsim_machine_start("0001:00:01.0=dma-engine@1", "memlock=unlimited",
                           "-m 4G -device vfio-pci,host=0001:00:01.0");
    if (!m->ctl) {
        demo_fail("the machine never opened /dev/vfio");
    }
    vc = query_vfio_container(m->qts);
    reg = human(json_object_get_int_member(vc, "registered-bytes"));
    printf("    container: %s; registered %s of guest RAM\n",
           json_object_get_string_member(vc, "iommu-type"), reg);
    step_end();

    step_begin("find the device through RTAS ibm,read-pci-config");
    g = guest_new(m->qts, DEMO_RAM);
    if (!guest_find_device(g, 0, DMA_ENGINE_VENDOR, DMA_ENGINE_DEVICE, 0,
                           &dev)) {
        demo_fail("no dma-engine on PHB 0");
    }
    printf("    %04x:%04x at PHB 0 devfn 0x%02x; BAR0 (%" PRIu64 " KiB "
           "registers) at 0x%" PRIx64 ",\n    BAR2 (%" PRIu64 " KiB "
           "scratch RAM) at 0x%" PRIx64 "; memory + bus master on\n",
           dev.vendor, dev.device, (dev.config_addr >> 8) & 0xff,
           dev.bar_size[0] >> 10, dev.bar_cpu[0], dev.bar_size[2] >> 10,
           dev.bar_cpu[2]);
    print_device_command(m, g, &dev);
    step_end();

    step_begin("set up MSI-X as pseries Linux does (change-msi, query, "
               "unmask)");
    guest_irq_intercept(g);
    guest_cppr(g, 0xff);
    if (guest_dev_irq_setup(g, &dev, GUEST_IRQ_MSIX, 4, &irq) ==
        GUEST_IRQ_NONE) {
        demo_fail("no interrupt mode works");
    }
    printf("    %s, %u vector(s); interrupt source numbers:",
           guest_irq_mode_name(irq.mode), irq.nvec);
    for (unsigned i = 0; i < irq.nvec; i++) {
        printf(" 0x%x", irq.irqs[i]);
    }
    printf("\n    the driver sleeps on vector 0 (\"IRQ raise 0x%x\") for "
           "each command\n", irq.irqs[0]);
    step_end();

    step_begin("enable a dynamic DMA window (as pseries Linux does)");
    if (guest_ddw_query(g, &dev, &avail, &mask) != 0) {
        demo_fail("ibm,query-pe-dma-window failed");
    }
    printf("    query: %u window(s) free, page-size mask 0x%x\n", avail,
           mask);
    hcalls0 = guest_stats(g)->hcalls;
    if (!guest_ddw_enable(g, &dev, 0, &w)) {
        demo_fail("DDW enablement failed (the guest fell back)");
    }
    printf("    created: liobn 0x%x at bus 0x%016" PRIx64 ", %" PRIu64
           " GiB, %u MiB pages\n", w.liobn, w.bus_start, w.size >> 30,
           1u << (w.page_shift - 20));
    printf("    direct-mapped all 4 GiB: %" PRIu64 " TCEs in %" PRIu64
           " H_PUT_TCE_INDIRECT call(s)\n", guest_stats(g)->tces_put,
           guest_stats(g)->hcalls - hcalls0);
    st = vsim_machine_state(m);
    print_host_windows(st);
    printf("    (host IOMMU pages are 4 KiB because guest RAM is backed "
           "by 4 KiB host\n    pages; each guest TCE becomes 4096 host "
           "TCEs, still in one MAP_DMA)\n");
    step_end();

    src = guest_alloc(g, DEMO_LEN, 1 << 20);
    dst = guest_alloc(g, DEMO_LEN, 1 << 20);
    src_iova = guest_ddw_iova(&w, src);
    dst_iova = guest_ddw_iova(&w, dst);

    step_begin("write 256 MiB of a known pattern into guest RAM (qtest)");
    h = 0xcbf29ce484222325ULL;
    for (off = 0; off < DEMO_LEN; off += DEMO_CHUNK) {
        make_pattern(buf, off / 8, DEMO_CHUNK / 8);
        h = fnv1a_update(h, (uint8_t *)buf, DEMO_CHUNK);
        qtest_bufwrite(m->qts, src + off, buf, DEMO_CHUNK);
    }
    printf("    source at guest 0x%" PRIx64 " (bus 0x%" PRIx64 "), "
           "FNV-1a 0x%016" PRIx64 "\n", src, src_iova, h);
    step_end();

    step_begin("device: copy 256 MiB source -> destination");
    if (!dma_engine_run_irq(g, &dev, &irq, 1, src_iova, dst_iova, DEMO_LEN,
                            60000, &r)) {
        demo_fail("copy: no completion interrupt");
    }
    if (r.status != 2 || r.done != DEMO_LEN) {
        demo_fail("copy: status %u error %u at 0x%" PRIx64, r.status,
                  r.err_kind, r.err_iova);
    }
    printf("    destination at guest 0x%" PRIx64 " (bus 0x%" PRIx64 ")\n",
           dst, dst_iova);
    step_end();

    step_begin("device: checksum the destination");
    if (!dma_engine_run_irq(g, &dev, &irq, 3, dst_iova, 0, DEMO_LEN, 60000,
                            &r)) {
        demo_fail("checksum: no completion interrupt");
    }
    if (r.status != 2) {
        demo_fail("checksum: status %u error %u", r.status, r.err_kind);
    }
    printf("    device FNV-1a 0x%016" PRIx64 " %s\n", r.result,
           r.result == h ? "== expected" : "!= expected");
    if (r.result != h) {
        demo_fail("the device's checksum differs from the source's");
    }
    step_end();

    step_begin("verify the destination in guest RAM (qtest read-back)");
    {
        uint64_t h2 = 0xcbf29ce484222325ULL;
        g_autofree uint64_t *want = g_malloc(DEMO_CHUNK);
        GRand *rnd = g_rand_new_with_seed(1234);
        unsigned spots = 0;

        for (off = 0; off < DEMO_LEN; off += DEMO_CHUNK) {
            qtest_bufread(m->qts, dst + off, buf, DEMO_CHUNK);
            h2 = fnv1a_update(h2, (uint8_t *)buf, DEMO_CHUNK);
            make_pattern(want, off / 8, DEMO_CHUNK / 8);
            if (memcmp(want, buf, DEMO_CHUNK)) {
                demo_fail("destination differs in [0x%" PRIx64 ", +16 MiB)",
                          dst + off);
            }
        }
        /* Spot checks by single big-endian loads, as a CPU would see. */
        for (spots = 0; spots < DEMO_SPOTS; spots++) {
            uint64_t word = g_rand_int_range(rnd, 0, DEMO_LEN / 8);
            uint64_t got, exp;

            make_pattern(&exp, word, 1);
            got = GUINT64_SWAP_LE_BE(qtest_readq(m->qts, dst + word * 8));
            if (got != GUINT64_FROM_LE(exp)) {
                demo_fail("spot check at word %" PRIu64, word);
            }
        }
        g_rand_free(rnd);
        printf("    read back 256 MiB: FNV-1a 0x%016" PRIx64 ", byte for "
               "byte the pattern;\n    %u random spot checks passed\n",
               h2, spots);
        if (h2 != h) {
            demo_fail("read-back checksum differs");
        }
    }
    step_end();

    step_begin("what the host saw");
    g_clear_pointer(&vc, json_object_unref);
    g_clear_pointer(&st, json_object_unref);
    vc = query_vfio_container(m->qts);
    st = vsim_machine_state(m);
    {
        g_autofree char *regd = human(json_object_get_int_member(
                                          vc, "registered-bytes"));
        g_autofree char *locked = human(json_object_get_int_member(
                                            st, "locked_bytes"));

        printf("    registered: %s in %" PRId64 " region(s); locked %s\n",
               regd, json_object_get_int_member(vc, "registered-regions"),
               locked);
    }
    printf("    guest: %" PRIu64 " TCE hcalls, %" PRIu64 " TCEs written, %"
           PRIu64 " RTAS calls\n", guest_stats(g)->hcalls,
           guest_stats(g)->tces_put, guest_stats(g)->rtas_calls);
    printf("    machine (query-vfio): %" PRId64 " MAP_DMA, %" PRId64
           " UNMAP_DMA, %" PRId64 " IOMMU pages mapped\n",
           json_object_get_int_member(vc, "map-ioctls"),
           json_object_get_int_member(vc, "unmap-ioctls"),
           json_object_get_int_member(vc, "mapped-pages"));
    print_host_windows(st);
    {
        JsonObject *hirq = json_object_get_object_member(
            json_array_get_object_element(
                json_object_get_array_member(st, "devices"), 0), "irq");

        printf("    interrupts: %u arrived on source 0x%x (%s vector 0); "
               "the host\n    signalled %" PRId64 " through its eventfd, "
               "%" PRId64 " eventfd(s) held\n",
               guest_irq_count(g, irq.irqs[0]), irq.irqs[0],
               guest_irq_mode_name(irq.mode),
               json_object_get_int_member(
                   json_object_get_object_member(hirq, "signals"), "msix"),
               json_object_get_int_member(hirq, "eventfds"));
        if (guest_irq_count(g, irq.irqs[0]) != 2) {
            demo_fail("expected 2 completion interrupts");
        }
    }
    printf("    host ioctls issued by spapr-vfio (vfio-sim counters):\n");
    print_ioctls(st);
    step_end();

    step_begin("quit (QMP) and read vfio-sim's exit report");
    guest_free(g);
    g_clear_pointer(&st, json_object_unref);
    report = vsim_machine_quit(m);
    check_report(report);
    step_end();

    printf("\ndemo passed in %.1f s\n",
           (g_get_monotonic_time() - t0) / 1e6);
    return 0;
}
