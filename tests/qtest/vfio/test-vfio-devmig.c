/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Live migration of a guest whose passthrough device is busy.
 *
 * Source and destination are separate spapr-vfio processes, each under
 * its own vfio-sim (its own simulated host).  The guest direct-maps its
 * RAM through DDW and starts a dma-engine copy at a limited rate; the
 * guest migrates while the copy runs; the copy finishes on the
 * destination, and the destination's RAM equals that of a run without
 * migration.  Failures of the device (each arc, the data_fd, the
 * destination refusing the state) and cancels leave the source running
 * with its device working.
 *
 * SPDX_DEVMIG_BYTES sets the copy size (default 32 MiB, the issue's
 * 256 MiB with SPAPR_DEVMIG_BYTES=256M); the engine's rate is a quarter
 * of it per second, so a copy lasts about 4 s whatever its size.
 */
#include <sys/wait.h>
#include <glib/gstdio.h>
#include "vfio-e2e.h"

#define DM_REG_SRC      0x08
#define DM_REG_DST      0x10
#define DM_REG_LEN      0x18
#define DM_REG_CMD      0x28
#define DM_REG_STATUS   0x2c
#define DM_REG_ERR_KIND 0x40
#define DM_REG_DONE     0x48
#define DM_CMD_COPY     1
#define DM_STATUS_BUSY  1
#define DM_STATUS_DONE  2

#define DM_CHUNK        (64ULL << 10)

static char *tmpdir;
static uint64_t copy_size = 32ULL << 20;
static uint64_t ram_size;
/*
 * The engine moves copy_size / rate_div bytes a second.  A machine so
 * loaded that a migration outlasts the copy doubles it and tries again.
 */
static uint64_t rate_div = 4;
static uint64_t ref_ram_fnv;     /* whole RAM after a run without migration */

typedef struct Run {
    VsimMachine *m;
    SpaprGuest *g;
    GuestDevice dev;
    GuestWindow w;
    uint64_t src, dst;
    uint64_t expect_fnv;
    bool in_flight;             /* the copy was unfinished at the stop */
} Run;

static char *devices(const char *opts)
{
    return g_strdup_printf(VT_BDF0 "=dma-engine@1,rate=%" PRIu64 "%s%s",
                           copy_size / rate_div, opts ? "," : "",
                           opts ? opts : "");
}

static char *machine_args(void)
{
    return g_strdup_printf("-m %" PRIu64 "M -nodefaults -device vfio-pci,"
                           "host=" VT_BDF0 ",id=dev0,addr=1",
                           ram_size >> 20);
}

static uint64_t reg_readq(QTestState *qts, const GuestDevice *d, unsigned r)
{
    return GUINT64_SWAP_LE_BE(qtest_readq(qts, d->bar_cpu[0] + r));
}

static uint32_t reg_readl(QTestState *qts, const GuestDevice *d, unsigned r)
{
    return GUINT32_SWAP_LE_BE(qtest_readl(qts, d->bar_cpu[0] + r));
}

static void reg_writeq(QTestState *qts, const GuestDevice *d, unsigned r,
                       uint64_t v)
{
    qtest_writeq(qts, d->bar_cpu[0] + r, GUINT64_SWAP_LE_BE(v));
}

/* The source's byte @i: one value per 64 KiB chunk, cheap to write. */
static uint8_t pattern_byte(uint64_t i)
{
    return (uint8_t)((i / DM_CHUNK) * 37 + 1);
}

static void start_copy(Run *r)
{
    reg_writeq(r->m->qts, &r->dev, DM_REG_SRC, guest_ddw_iova(&r->w, r->src));
    reg_writeq(r->m->qts, &r->dev, DM_REG_DST, guest_ddw_iova(&r->w, r->dst));
    reg_writeq(r->m->qts, &r->dev, DM_REG_LEN, copy_size);
    qtest_writel(r->m->qts, r->dev.bar_cpu[0] + DM_REG_CMD,
                 GUINT32_SWAP_LE_BE(DM_CMD_COPY));
}

/* A guest with DDW over all RAM, a patterned source buffer, a copy
 * started at the limited rate and already moving. */
static void run_start(Run *r, const char *dev_opts)
{
    g_autofree char *devs = devices(dev_opts);
    g_autofree char *args = machine_args();
    g_autofree uint8_t *chunk = g_malloc(DM_CHUNK);
    uint64_t off, spins = 0;
    uint64_t h = 0xcbf29ce484222325ULL;

    r->m = vsim_machine_start(devs, NULL, "%s", args);
    r->g = vt_guest(r->m, ram_size, &r->dev);
    g_assert_true(guest_ddw_enable(r->g, &r->dev, 0, &r->w));
    r->src = guest_alloc(r->g, copy_size, DM_CHUNK);
    r->dst = guest_alloc(r->g, copy_size, DM_CHUNK);
    for (off = 0; off < copy_size; off += DM_CHUNK) {
        uint64_t i;

        qtest_memset(r->m->qts, r->src + off, pattern_byte(off), DM_CHUNK);
        memset(chunk, pattern_byte(off), DM_CHUNK);
        for (i = 0; i < DM_CHUNK; i++) {
            h = (h ^ chunk[i]) * 0x100000001b3ULL;
        }
    }
    r->expect_fnv = h;
    start_copy(r);
    while (!reg_readq(r->m->qts, &r->dev, DM_REG_DONE)) {
        g_assert_cmpuint(++spins, <, 100000);
        g_usleep(1000);
    }
    g_assert_cmpuint(reg_readl(r->m->qts, &r->dev, DM_REG_STATUS), ==,
                     DM_STATUS_BUSY);
}

/* Wait for the copy on @qts to finish; it must have moved everything. */
static void wait_copy_done(QTestState *qts, const GuestDevice *dev)
{
    gint64 end = g_get_monotonic_time() + 120 * G_USEC_PER_SEC;
    uint32_t st;

    while ((st = reg_readl(qts, dev, DM_REG_STATUS)) == DM_STATUS_BUSY) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        g_usleep(20000);
    }
    g_assert_cmpuint(st, ==, DM_STATUS_DONE);
    g_assert_cmpuint(reg_readl(qts, dev, DM_REG_ERR_KIND), ==, 0);
    g_assert_cmpuint(reg_readq(qts, dev, DM_REG_DONE), ==, copy_size);
}

static uint64_t fnv_range(QTestState *qts, uint64_t gpa, uint64_t size)
{
    g_autofree uint8_t *buf = g_malloc(16ULL << 20);
    uint64_t h = 0xcbf29ce484222325ULL, off, i;

    for (off = 0; off < size; off += 16ULL << 20) {
        uint64_t n = MIN(16ULL << 20, size - off);

        qtest_bufread(qts, gpa + off, buf, n);
        for (i = 0; i < n; i++) {
            h = (h ^ buf[i]) * 0x100000001b3ULL;
        }
    }
    return h;
}

static JsonObject *sim_device(VsimMachine *m)
{
    g_autoptr(JsonObject) st = vsim_machine_state(m);
    JsonArray *devs = json_object_get_array_member(st, "devices");

    return json_object_ref(json_object_get_object_member(
        json_array_get_object_element(devs, 0), "migration"));
}

static void assert_sim_state(VsimMachine *m, const char *state)
{
    g_autoptr(JsonObject) mig = sim_device(m);

    g_assert_cmpstr(json_object_get_string_member(mig, "state"), ==, state);
    g_assert_cmpint(json_object_get_int_member(mig, "data_fds"), ==, 0);
}

static JsonObject *query_migrate(QTestState *qts)
{
    JsonObject *r = qtest_qmp(qts, "{'execute': 'query-migrate'}");

    g_assert_null(qtest_qmp_error_desc(r));
    return r;
}

static void arm(VsimMachine *m, const char *json)
{
    g_autoptr(JsonParser) p = json_parser_new();
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonObject) ret = NULL;
    JsonObject *args;

    g_assert_true(json_parser_load_from_data(p, json, -1, NULL));
    args = json_node_get_object(json_parser_get_root(p));
    ret = vsim_control_request(vsim_machine_control(m), "mig-fault", args,
                               &err);
    g_assert_no_error(err);
}

/* A destination that failed: exit status 1, the reason, a clean host. */
static void dest_assert_failed(VsimMachine *d, const char *reason)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    gint64 end = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
    int status;

    g_clear_pointer(&d->ctl, vsim_control_close);
    while (!strstr(qtest_stderr(d->qts), reason)) {
        if (g_get_monotonic_time() > end) {
            g_error("destination stderr does not name '%s': %s", reason,
                    qtest_stderr(d->qts));
        }
        g_usleep(20000);
    }
    g_assert_nonnull(strstr(qtest_stderr(d->qts),
                            "load of migration failed"));
    status = qtest_wait_exit(d->qts);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_true(json_parser_load_from_file(parser, d->report_path, NULL));
    vsim_report_assert_clean(json_node_get_object(
                                 json_parser_get_root(parser)));
    g_unlink(d->report_path);
    g_unlink(d->control_path);
    g_rmdir(d->dir);
    g_free(d->dir);
    g_free(d->control_path);
    g_free(d->report_path);
    g_free(d);
}

static void run_finish_here(Run *r)
{
    wait_copy_done(r->m->qts, &r->dev);
    g_assert_cmphex(fnv_range(r->m->qts, r->dst, copy_size), ==,
                    r->expect_fnv);
    guest_free(r->g);
    vt_quit_clean(r->m);
}

/* The reference: the same guest, no migration. */
static void reference(void)
{
    Run r = { 0 };

    if (ref_ram_fnv) {
        return;
    }
    run_start(&r, NULL);
    wait_copy_done(r.m->qts, &r.dev);
    ref_ram_fnv = fnv_range(r.m->qts, 0, ram_size);
    g_assert_cmphex(fnv_range(r.m->qts, r.dst, copy_size), ==,
                    r.expect_fnv);
    guest_free(r.g);
    vt_quit_clean(r.m);
}

typedef enum Transport { T_UNIX, T_FILE, T_EXEC } Transport;

/*
 * Migrate @r mid-copy over @t to a new destination; the copy finishes
 * there and RAM matches the reference.  Returns the source's final
 * query-migrate (unref it).
 */
static JsonObject *migrate_mid_copy(Run *r, Transport t, const char *opts)
{
    g_autofree char *devs = devices(opts);
    g_autofree char *args = machine_args();
    g_autofree char *path = g_build_filename(tmpdir, t == T_UNIX ? "mig.sock"
                                                                 : "vm.mig",
                                             NULL);
    g_autofree char *uri = NULL, *end = NULL;
    JsonObject *q, *vfio;
    VsimMachine *d = NULL;

    if (t == T_UNIX) {
        d = vsim_machine_start(devs, NULL, "%s -incoming unix:%s", args,
                               path);
        uri = g_strdup_printf("unix:%s", path);
    } else if (t == T_FILE) {
        uri = g_strdup_printf("file:%s", path);
    } else {
        uri = g_strdup_printf("exec:cat > %s", path);
    }
    if (g_getenv("DEVMIG_DEBUG")) {
        g_printerr("done before migrate: %" PRIu64 "\n",
                   reg_readq(r->m->qts, &r->dev, DM_REG_DONE));
    }
    qtest_qmp_assert_success(r->m->qts, "{'execute': 'migrate', "
                             "'arguments': {'uri': '%s'}}", uri);
    end = qtest_migration_wait_end(r->m->qts);
    g_assert_cmpstr(end, ==, "completed");
    q = query_migrate(r->m->qts);
    if (g_getenv("DEVMIG_DEBUG")) {
        g_autofree char *txt = json_to_string(
            json_node_init_object(json_node_alloc(), q), FALSE);
        g_printerr("%s\n", txt);
    }
    vfio = json_object_get_object_member(
        json_object_get_object_member(q, "return"), "vfio");
    g_assert_nonnull(vfio);
    g_assert_cmpuint(json_object_get_int_member(vfio, "device-state-size"),
                     >, 0);
    {
        g_autofree char *hmp = qtest_hmp(r->m->qts, "info migrate");
        g_autofree char *line = g_strdup_printf(
            "vfio dirty tracking: %s\n",
            json_object_get_string_member(vfio, "dirty-tracking"));

        g_assert_nonnull(strstr(hmp, line));
    }
    /* The source stays stopped, its device too. */
    assert_sim_state(r->m, "STOP");
    r->in_flight = reg_readq(r->m->qts, &r->dev, DM_REG_DONE) < copy_size;
    guest_free(r->g);
    vt_quit_clean(r->m);

    if (t == T_FILE) {
        d = vsim_machine_start(devs, NULL, "%s -incoming file:%s", args,
                               path);
    } else if (t == T_EXEC) {
        d = vsim_machine_start(devs, NULL, "%s -incoming exec:cat\\ %s",
                               args, path);
    } else {
        g_autoptr(JsonObject) ev = qtest_qmp_eventwait(d->qts, "RESUME");
    }
    assert_sim_state(d, "RUNNING");
    wait_copy_done(d->qts, &r->dev);
    g_assert_cmphex(fnv_range(d->qts, r->dst, copy_size), ==, r->expect_fnv);
    g_assert_cmphex(fnv_range(d->qts, 0, ram_size), ==, ref_ram_fnv);
    vt_quit_clean(d);
    g_unlink(path);
    return q;
}

/*
 * Start a copy, migrate while it runs; again at half the rate while the
 * migration outlasted the copy.  The caller unrefs query-migrate.
 */
static JsonObject *migrate_in_flight(Run *r, Transport t, const char *opts,
                                     uint64_t *done_before)
{
    unsigned attempt;

    reference();
    for (attempt = 0; attempt < 4; attempt++) {
        JsonObject *q;

        memset(r, 0, sizeof(*r));
        run_start(r, opts);
        if (done_before) {
            *done_before = reg_readq(r->m->qts, &r->dev, DM_REG_DONE);
        }
        q = migrate_mid_copy(r, t, opts);
        if (r->in_flight) {
            return q;
        }
        json_object_unref(q);
        rate_div *= 2;
        g_test_message("the copy ended before the stop: again at 1/%"
                       PRIu64 " of its size a second", rate_div);
    }
    g_error("the copy never was in flight at the stop");
}

static void test_mid_copy(Transport t)
{
    Run r = { 0 };
    g_autoptr(JsonObject) q = NULL;

    q = migrate_in_flight(&r, t, NULL, NULL);
}

static void test_migrate_mid_copy_unix(void)
{
    test_mid_copy(T_UNIX);
}

static void test_migrate_mid_copy_file(void)
{
    test_mid_copy(T_FILE);
}

static void test_migrate_mid_copy_exec(void)
{
    /*
     * exec: runs a shell and cat, which inherit LD_PRELOAD: a vfio-sim
     * built with a sanitizer cannot load into those uninstrumented
     * programs (they crash), so the sanitizer build skips this case.
     */
    if (g_getenv("SPAPR_TEST_SANITIZED")) {
        g_test_skip("exec: children cannot load a sanitizer-built vfio-sim");
        return;
    }
    test_mid_copy(T_EXEC);
}

/* Devices that offer less: every path through the FSM reaches the end. */
static void test_mid_copy_with(const char *opts, uint64_t precopy)
{
    Run r = { 0 };
    g_autoptr(JsonObject) q = migrate_in_flight(&r, T_FILE, opts, NULL);
    JsonObject *vfio = json_object_get_object_member(
        json_object_get_object_member(q, "return"), "vfio");

    if (precopy) {
        g_assert_cmpuint(json_object_get_int_member(vfio, "precopy-bytes"),
                         >, 0);
    } else {
        g_assert_cmpuint(json_object_get_int_member(vfio, "precopy-bytes"),
                         ==, 0);
    }
}

/* RUNNING -> STOP -> STOP_COPY */
static void test_mid_copy_stop_copy_only(void)
{
    test_mid_copy_with("migration=stop-copy", 0);
}

/* PRE_COPY -> STOP_COPY without P2P */
static void test_mid_copy_precopy_without_p2p(void)
{
    test_mid_copy_with("migration=precopy", 1);
}

/* RUNNING -> RUNNING_P2P -> STOP -> STOP_COPY */
static void test_mid_copy_p2p_without_precopy(void)
{
    test_mid_copy_with("migration=p2p", 0);
}

/*
 * Device dirty tracking: what query-migrate reports, and the pages
 * marked are those the device wrote while logging was on -- not every
 * page mapped for write (all of RAM here).
 */
static void test_device_dirty_tracking_resends_device_writes_only(void)
{
    Run r = { 0 };
    g_autoptr(JsonObject) q = NULL;
    JsonObject *vfio;
    uint64_t before, pages;

    q = migrate_in_flight(&r, T_FILE, NULL, &before);
    vfio = json_object_get_object_member(
        json_object_get_object_member(q, "return"), "vfio");
    g_assert_cmpstr(json_object_get_string_member(vfio, "dirty-tracking"),
                    ==, "device");
    pages = json_object_get_int_member(vfio, "dirty-pages");
    g_assert_cmpuint(pages, >, 0);
    /* No more than the device wrote since the copy was seen moving. */
    g_assert_cmpuint(pages * VT_PAGE, <=, copy_size - before + (64 << 10));
}

/*
 * Exactly the pages the device wrote: an idle device, a migration under
 * way, one FILL of 16 pages issued while RAM pass 1 runs.  The device
 * log reports those 16 pages and nothing else (the rest of RAM, all of
 * it write-mapped, is not resent), and the destination's RAM equals the
 * stopped source's.
 */
static void test_device_dirty_tracking_exact(void)
{
    g_autofree char *devs = devices("rate=0");
    g_autofree char *args = machine_args();
    g_autofree char *path = g_build_filename(tmpdir, "exact.mig", NULL);
    g_autofree char *end = NULL;
    g_autoptr(JsonObject) q = NULL, mid = NULL;
    VsimMachine *m, *d;
    SpaprGuest *g;
    GuestDevice dev;
    GuestWindow w;
    uint64_t src, dst, off, src_fnv;
    uint32_t status;
    bool active;
    JsonObject *vfio;

    m = vsim_machine_start(devs, NULL, "%s", args);
    g = vt_guest(m, ram_size, &dev);
    g_assert_true(guest_ddw_enable(g, &dev, 0, &w));
    /* Data worth sending, so that pass 1 takes a while. */
    src = guest_alloc(g, copy_size, DM_CHUNK);
    dst = guest_alloc(g, 16 * VT_PAGE, DM_CHUNK);
    for (off = 0; off < copy_size; off += DM_CHUNK) {
        qtest_memset(m->qts, src + off, pattern_byte(off), DM_CHUNK);
    }
    qtest_qmp_assert_success(m->qts, "{'execute': 'migrate', 'arguments': "
                             "{'uri': 'file:%s'}}", path);
    for (;;) {
        g_autoptr(JsonObject) ev = qtest_qmp_eventwait(m->qts, "MIGRATION");

        if (!strcmp(json_object_get_string_member(
                json_object_get_object_member(ev, "data"), "status"),
                "active")) {
            break;
        }
    }
    reg_writeq(m->qts, &dev, DM_REG_DST, guest_ddw_iova(&w, dst));
    reg_writeq(m->qts, &dev, DM_REG_LEN, 16 * VT_PAGE);
    reg_writeq(m->qts, &dev, 0x20, 0x1122334455667788ULL);
    qtest_writel(m->qts, dev.bar_cpu[0] + DM_REG_CMD, GUINT32_SWAP_LE_BE(2));
    /*
     * On a loaded machine the switch-over may already have stopped the
     * device: the FILL then waits (BUSY) and runs on the destination,
     * which the RAM check below covers; only the count goes unchecked.
     */
    status = reg_readl(m->qts, &dev, DM_REG_STATUS);
    g_assert_true(status == DM_STATUS_DONE || status == DM_STATUS_BUSY);
    mid = query_migrate(m->qts);
    active = status == DM_STATUS_DONE &&
             !strcmp(json_object_get_string_member(
                 json_object_get_object_member(mid, "return"), "status"),
                 "active");
    end = qtest_migration_wait_end(m->qts);
    g_assert_cmpstr(end, ==, "completed");
    q = query_migrate(m->qts);
    vfio = json_object_get_object_member(
        json_object_get_object_member(q, "return"), "vfio");
    g_assert_cmpstr(json_object_get_string_member(vfio, "dirty-tracking"),
                    ==, "device");
    if (active) {
        /* The FILL came after logging started and before the stop. */
        g_assert_cmpint(json_object_get_int_member(vfio, "dirty-pages"),
                        ==, 16);
    } else {
        g_test_message("migration ended before the FILL: count unchecked");
    }
    src_fnv = fnv_range(m->qts, 0, ram_size);
    guest_free(g);
    vt_quit_clean(m);

    d = vsim_machine_start(devs, NULL, "%s -incoming file:%s", args, path);
    g_assert_cmphex(fnv_range(d->qts, 0, ram_size), ==, src_fnv);
    /*
     * A FILL that ran before the stop is in the RAM the stream carried.
     * One written after the switch-over reached a device whose state
     * was already read: a stopped guest issues no command, only qtest
     * can, so it is rightly lost.
     */
    if (status == DM_STATUS_DONE) {
        vt_assert_filled(d, dst, 16 * VT_PAGE, 0x1122334455667788ULL);
    }
    vt_quit_clean(d);
    g_unlink(path);
}

static void test_conservative_without_device_dirty_log(void)
{
    Run r = { 0 };
    g_autoptr(JsonObject) q = NULL;
    JsonObject *vfio;

    /* Every pass resends all of RAM: start with a 4 times slower copy. */
    rate_div *= 4;
    q = migrate_in_flight(&r, T_FILE, "dirty-log=off", NULL);
    rate_div /= 4;
    vfio = json_object_get_object_member(
        json_object_get_object_member(q, "return"), "vfio");
    g_assert_cmpstr(json_object_get_string_member(vfio, "dirty-tracking"),
                    ==, "conservative");

    /* Every write-mapped page (all of RAM) counts at each sync. */
    g_assert_cmpuint(json_object_get_int_member(vfio, "dirty-pages"), >=,
                     ram_size / VT_PAGE);
}

/* The source after a failed migration: running, device RUNNING, copy
 * completes with the right data. */
static void assert_source_recovered(Run *r, const char *what)
{
    g_autofree char *end = qtest_migration_wait_end(r->m->qts);
    g_autoptr(JsonObject) q = query_migrate(r->m->qts);
    g_autoptr(JsonObject) st = qtest_qmp(r->m->qts,
                                         "{'execute': 'query-status'}");
    const char *desc;

    g_assert_cmpstr(end, ==, "failed");
    desc = json_object_get_string_member(
        json_object_get_object_member(q, "return"), "error-desc");
    if (!strstr(desc, what)) {
        g_error("error-desc '%s' does not name '%s'", desc, what);
    }
    g_assert_true(json_object_get_boolean_member(
        json_object_get_object_member(st, "return"), "running"));
    assert_sim_state(r->m, "RUNNING");
    run_finish_here(r);
}

static void fail_with_how(const char *fault, const char *what, bool reset)
{
    Run r = { 0 };
    g_autofree char *path = g_build_filename(tmpdir, "fail.mig", NULL);

    run_start(&r, NULL);
    arm(r.m, fault);
    qtest_qmp_assert_success(r.m->qts, "{'execute': 'migrate', "
                             "'arguments': {'uri': 'file:%s'}}", path);
    if (reset) {
        /*
         * A device left in ERROR can only be reset: it runs again and
         * takes new work, but what it had in flight is gone.
         */
        g_autofree char *end = qtest_migration_wait_end(r.m->qts);

        g_assert_cmpstr(end, ==, "failed");
        assert_sim_state(r.m, "RUNNING");
        g_assert_nonnull(strstr(qtest_stderr(r.m->qts), "device reset"));
        g_assert_cmpuint(reg_readl(r.m->qts, &r.dev, DM_REG_STATUS), !=,
                         DM_STATUS_BUSY);
        start_copy(&r);
        run_finish_here(&r);
    } else {
        assert_source_recovered(&r, what);
    }
    g_unlink(path);
}

static void fail_with(const char *fault, const char *what)
{
    fail_with_how(fault, what, false);
}

static void test_fail_arc_running_to_precopy(void)
{
    fail_with("{\"device\": \"" VT_BDF0 "\", \"arc\": "
              "\"RUNNING>PRE_COPY\", \"errno\": \"EIO\"}",
              "RUNNING -> PRE_COPY failed");
}

static void test_fail_arc_precopy_to_p2p(void)
{
    fail_with("{\"device\": \"" VT_BDF0 "\", \"arc\": "
              "\"PRE_COPY>PRE_COPY_P2P\", \"errno\": \"EIO\"}",
              "PRE_COPY -> PRE_COPY_P2P failed");
}

static void test_fail_arc_to_stop_copy(void)
{
    fail_with("{\"device\": \"" VT_BDF0 "\", \"arc\": "
              "\"*>STOP_COPY\", \"errno\": \"EIO\"}",
              "-> STOP_COPY failed");
}

static void test_fail_arc_to_stop_copy_into_error(void)
{
    fail_with_how("{\"device\": \"" VT_BDF0 "\", \"arc\": "
                  "\"*>STOP_COPY\", \"errno\": \"EIO\", \"error\": true}",
                  "-> STOP_COPY failed", true);
}

static void test_fail_data_fd_read_eio(void)
{
    fail_with("{\"device\": \"" VT_BDF0 "\", \"data_fd\": \"read\", "
              "\"errno\": \"EIO\"}", "read from the migration data_fd");
}

static void test_fail_precopy_info(void)
{
    fail_with("{\"device\": \"" VT_BDF0 "\", \"data_fd\": "
              "\"precopy-info\", \"errno\": \"EIO\"}",
              "VFIO_MIG_GET_PRECOPY_INFO failed");
}

/* Cancelled at once, before or just after the device entered PRE_COPY. */
static void test_cancel_at_setup(void)
{
    Run r = { 0 };
    g_autofree char *path = g_build_filename(tmpdir, "cancel0.mig", NULL);
    g_autofree char *end = NULL;

    run_start(&r, NULL);
    qtest_qmp_assert_success(r.m->qts, "{'execute': 'migrate', "
                             "'arguments': {'uri': 'file:%s'}}", path);
    qtest_qmp_assert_success(r.m->qts, "{'execute': 'migrate_cancel'}");
    end = qtest_migration_wait_end(r.m->qts);
    g_assert_cmpstr(end, ==, "cancelled");
    assert_sim_state(r.m, "RUNNING");
    run_finish_here(&r);
    g_unlink(path);
}

static void test_cancel_while_active(void)
{
    Run r = { 0 };
    g_autofree char *path = g_build_filename(tmpdir, "cancel.mig", NULL);
    g_autofree char *end = NULL;
    g_autoptr(JsonObject) ev = NULL;

    run_start(&r, NULL);
    qtest_qmp_assert_success(r.m->qts, "{'execute': 'migrate', "
                             "'arguments': {'uri': 'file:%s'}}", path);
    ev = qtest_qmp_eventwait(r.m->qts, "MIGRATION_PASS");
    qtest_qmp_assert_success(r.m->qts, "{'execute': 'migrate_cancel'}");
    end = qtest_migration_wait_end(r.m->qts);
    if (!strcmp(end, "completed")) {
        /* It finished before the cancel: run the source again. */
        qtest_qmp_assert_success(r.m->qts, "{'execute': 'cont'}");
    } else {
        g_assert_cmpstr(end, ==, "cancelled");
    }
    assert_sim_state(r.m, "RUNNING");
    run_finish_here(&r);
    g_unlink(path);
}

/*
 * The destination refuses the state (its driver fails RESUMING ->
 * STOP): it exits 1 naming the arc and sends that verdict back on the
 * unix: socket; the source does not declare completed, it fails with
 * the destination's reason and runs again, its device back in RUNNING
 * with the copy it had in flight finishing here.
 */
static void refused_by_destination(const char *opts, const char *src_fault,
                                   const char *dst_fault)
{
    Run r = { 0 };
    g_autofree char *devs = devices(opts);
    g_autofree char *args = machine_args();
    g_autofree char *path = g_build_filename(tmpdir, "refuse.sock", NULL);
    VsimMachine *d;

    run_start(&r, opts);
    d = vsim_machine_start(devs, NULL, "%s -incoming unix:%s", args, path);
    if (src_fault) {
        arm(r.m, src_fault);
    }
    if (dst_fault) {
        arm(d, dst_fault);
    }
    qtest_qmp_assert_success(r.m->qts, "{'execute': 'migrate', "
                             "'arguments': {'uri': 'unix:%s'}}", path);
    /* Only the destination does RESUMING: the reason is its own. */
    assert_source_recovered(&r, "RESUMING -> STOP failed");
    dest_assert_failed(d, "RESUMING -> STOP failed");
}

/* enable-migration=on with a device that has no STOP_COPY: refused,
 * naming the device and what its host driver lacks. */
static void test_destination_refusing_state(void)
{
    refused_by_destination(NULL, NULL, "{\"device\": \"" VT_BDF0 "\", \"arc\": "
                           "\"RESUMING>STOP\", \"errno\": \"EINVAL\"}");
}

/*
 * The source's data_fd ends early in STOP_COPY (no PRE_COPY, so the
 * first read is that one): nothing on the source can tell, the
 * destination gets a cut state and refuses it.
 */
static void test_truncated_state_refused_by_destination(void)
{
    refused_by_destination("migration=p2p", "{\"device\": \"" VT_BDF0
                           "\", \"data_fd\": \"read\", \"short\": 100, "
                           "\"truncate\": true}", NULL);
}

/* Short reads are not errors: the state is read whole all the same. */
static void test_short_reads_still_migrate(void)
{
    Run r = { 0 };
    g_autoptr(JsonObject) q = NULL;

    reference();
    run_start(&r, NULL);
    arm(r.m, "{\"device\": \"" VT_BDF0 "\", \"data_fd\": \"read\", "
        "\"short\": 3}");
    q = migrate_mid_copy(&r, T_UNIX, NULL);
}

static void test_enable_migration_on_refused_without_stop_copy(void)
{
    g_autofree char *devs = devices("migration=off");
    g_autoptr(JsonObject) r = NULL;
    VsimMachine *m = vsim_machine_start(devs, NULL, "-m 256M -nodefaults");
    const char *err;

    r = qtest_qmp(m->qts, "{'execute': 'device_add', 'arguments': "
                  "{'driver': 'vfio-pci', 'id': 'dev0', 'host': '"
                  VT_BDF0 "', 'enable-migration': 'on'}}");
    err = qtest_qmp_error_desc(r);
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err, VT_BDF0));
    g_assert_nonnull(strstr(err, "STOP_COPY"));
    vt_quit_clean(m);
}

static void test_migrate_refused_without_device_migration(void)
{
    g_autofree char *devs = devices("migration=off");
    g_autofree char *args = machine_args();
    g_autoptr(JsonObject) r = NULL;
    VsimMachine *m = vsim_machine_start(devs, NULL, "%s", args);
    const char *err;

    r = qtest_qmp(m->qts, "{'execute': 'migrate', 'arguments': "
                  "{'uri': 'file:/dev/null'}}");
    err = qtest_qmp_error_desc(r);
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err, "'dev0'"));
    g_assert_nonnull(strstr(err, "STOP_COPY"));
    vt_quit_clean(m);
}

int main(int argc, char **argv)
{
    const char *size = g_getenv("SPAPR_DEVMIG_BYTES");
    int ret;

    g_test_init(&argc, &argv, NULL);
    if (size) {
        copy_size = g_ascii_strtoull(size, NULL, 0);
        if (strchr(size, 'M')) {
            copy_size <<= 20;
        }
    }
    /* Source and destination buffers, the guest's own low RAM, in
     * pseries memory blocks of 256 MiB. */
    ram_size = (2 * copy_size + (64ULL << 20) + (256ULL << 20) - 1) &
               ~((256ULL << 20) - 1);
    tmpdir = g_dir_make_tmp("devmig-XXXXXX", NULL);
    g_test_add_func("/vfio/devmig/enable-migration-on-refused",
                   test_enable_migration_on_refused_without_stop_copy);
    g_test_add_func("/vfio/devmig/migrate-refused-without-device-migration",
                   test_migrate_refused_without_device_migration);
    g_test_add_func("/vfio/devmig/mid-copy/unix", test_migrate_mid_copy_unix);
    g_test_add_func("/vfio/devmig/mid-copy/file", test_migrate_mid_copy_file);
    g_test_add_func("/vfio/devmig/mid-copy/exec", test_migrate_mid_copy_exec);
    g_test_add_func("/vfio/devmig/mid-copy/stop-copy-only",
                    test_mid_copy_stop_copy_only);
    g_test_add_func("/vfio/devmig/mid-copy/precopy-without-p2p",
                    test_mid_copy_precopy_without_p2p);
    g_test_add_func("/vfio/devmig/mid-copy/p2p-without-precopy",
                    test_mid_copy_p2p_without_precopy);
    g_test_add_func("/vfio/devmig/dirty/device-writes-only",
                   test_device_dirty_tracking_resends_device_writes_only);
    g_test_add_func("/vfio/devmig/dirty/exact",
                    test_device_dirty_tracking_exact);
    g_test_add_func("/vfio/devmig/dirty/conservative-fallback",
                   test_conservative_without_device_dirty_log);
    g_test_add_func("/vfio/devmig/fail/arc-running-to-precopy",
                   test_fail_arc_running_to_precopy);
    g_test_add_func("/vfio/devmig/fail/arc-precopy-to-p2p",
                   test_fail_arc_precopy_to_p2p);
    g_test_add_func("/vfio/devmig/fail/arc-to-stop-copy",
                   test_fail_arc_to_stop_copy);
    g_test_add_func("/vfio/devmig/fail/arc-to-stop-copy-into-error",
                   test_fail_arc_to_stop_copy_into_error);
    g_test_add_func("/vfio/devmig/fail/data-fd-read-eio",
                   test_fail_data_fd_read_eio);
    g_test_add_func("/vfio/devmig/fail/precopy-info",
                   test_fail_precopy_info);
    g_test_add_func("/vfio/devmig/cancel/setup", test_cancel_at_setup);
    g_test_add_func("/vfio/devmig/cancel/active", test_cancel_while_active);
    g_test_add_func("/vfio/devmig/fail/destination-refuses-state",
                   test_destination_refusing_state);
    g_test_add_func("/vfio/devmig/fail/truncated-state",
                    test_truncated_state_refused_by_destination);
    g_test_add_func("/vfio/devmig/data-fd/short-reads",
                    test_short_reads_still_migrate);
    ret = g_test_run();
    g_rmdir(tmpdir);
    g_free(tmpdir);
    return ret;
}
