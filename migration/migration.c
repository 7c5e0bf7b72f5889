/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The source side: QMP migrate / migrate_cancel / query-migrate and the
 * state machine that sends the stream from the main loop.
 *
 * migrate checks everything it can first (a device that cannot migrate,
 * the URI, the transport) and fails with nothing started; then it
 * replies at once and the work runs as an idle source, a slice at a
 * time, so QMP and qtest keep being served between slices:
 *
 *   setup     header, block list, dirty logging on
 *   active    pass 1 sends all RAM; each later pass resends what was
 *             written meanwhile, until little is left or passes run out
 *   complete  machine stopped; the last dirty pages, device state
 *             (PHBs with their TCE tables, PCI devices), end marker
 *
 * Without dirty logging the machine stops first and one pass sends it
 * all.  On failure or cancel the machine runs again as before.
 */
#include "qemu/osdep.h"
#include "exec/ram.h"
#include "hw/qdev.h"
#include "migration/migration.h"
#include "migration/ram.h"
#include "migration/return-path.h"
#include "migration/savevm.h"
#include "sysemu/machine.h"
#include "qapi/qmp.h"
#include "trace.h"

/* RAM sent per main loop slice, and its time limit. */
#define MIG_SLICE_BYTES         (64ULL << 20)
#define MIG_SLICE_US            50000
/* Stop iterating when a pass would resend no more than this... */
#define MIG_DIRTY_THRESHOLD     (256ULL << 10)
/* ...or after this many passes. */
#define MIG_MAX_PASSES          8

typedef enum MigStatus {
    MIG_STATUS_NONE,
    MIG_STATUS_SETUP,
    MIG_STATUS_ACTIVE,
    MIG_STATUS_COMPLETED,
    MIG_STATUS_FAILED,
    MIG_STATUS_CANCELLED,
} MigStatus;

static const char *const mig_status_names[] = {
    [MIG_STATUS_NONE] = "none",
    [MIG_STATUS_SETUP] = "setup",
    [MIG_STATUS_ACTIVE] = "active",
    [MIG_STATUS_COMPLETED] = "completed",
    [MIG_STATUS_FAILED] = "failed",
    [MIG_STATUS_CANCELLED] = "cancelled",
};

typedef struct MigrationState {
    MigStatus status;
    char *uri;
    int fd;
    GPid child;
    MigStream stream;
    MigRamSave *ram;
    MigRamStats stats;          /* kept after the end */
    bool stop_and_copy;         /* no dirty logging: one pass, stopped */
    bool was_running;
    unsigned passes;
    guint idle;
    gint64 start_us, setup_us, stop_us, end_us;
    uint64_t transferred;
    char *error;
    bool has_rp;                /* unix: the destination answers */
    MigReturnPath rp;
} MigrationState;

static MigrationState mig = { .fd = -1 };

static void mig_set_status(MigStatus status)
{
    g_autoptr(JsonObject) data = json_object_new();

    mig.status = status;
    trace_migration_status(mig_status_names[status]);
    json_object_set_string_member(data, "status", mig_status_names[status]);
    qmp_event_send("MIGRATION", data);
}

static bool mig_in_progress(void)
{
    return mig.status == MIG_STATUS_SETUP || mig.status == MIG_STATUS_ACTIVE;
}

/* Close the transport; for exec: the command's status counts. */
static bool mig_close(Error **errp)
{
    bool ok = true;

    if (mig.fd >= 0) {
        close(mig.fd);
        mig.fd = -1;
    }
    if (mig.child) {
        ok = migration_wait_child(mig.child, mig.uri, errp);
        g_spawn_close_pid(mig.child);
        mig.child = 0;
    }
    return ok;
}

static void mig_release(void)
{
    if (mig.idle) {
        g_source_remove(mig.idle);
        mig.idle = 0;
    }
    mig_rp_cancel(&mig.rp);
    if (mig.ram) {
        mig.stats = *mig_ram_save_stats(mig.ram);
        mig_ram_save_free(mig.ram);     /* stops dirty logging */
        mig.ram = NULL;
    }
    mig.transferred = mig.stream.bytes;
    mig_stream_cleanup(&mig.stream);
    mig.end_us = g_get_monotonic_time();
}

/* Failure or cancel: nothing half-done stays, the guest runs again. */
static void mig_abort(MigStatus status, Error *err)
{
    g_autofree char *dest = NULL;

    if (err && mig.has_rp && mig.fd >= 0) {
        /*
         * A write failed because the destination gave up and went away:
         * its reason, if it sent one, says more than EPIPE.
         */
        dest = mig_rp_poll_reason(mig.fd);
        if (dest) {
            Error *both = NULL;

            error_setg(&both, "the destination failed: %s (%s)", dest,
                       error_get_pretty(err));
            error_free(err);
            err = both;
        }
    }
    g_free(mig.error);
    mig.error = err ? g_strdup(error_get_pretty(err)) : NULL;
    if (err) {
        trace_migration_error(mig.error);
        error_free(err);
        err = NULL;
    }
    mig_release();
    if (!mig_close(&err) && mig.error) {
        /* Say why the command went away, not just that writes failed. */
        char *both = g_strdup_printf("%s (%s)", mig.error,
                                     error_get_pretty(err));

        g_free(mig.error);
        mig.error = both;
    }
    error_free(err);
    /* Devices go back to RUNNING whatever phase they were in. */
    savevm_devices_cleanup(false);
    if (mig.was_running && !machine_is_running()) {
        machine_set_running(true);
        qmp_event_send("RESUME", NULL);
    }
    mig_set_status(status);
}

static void mig_stop_machine(void)
{
    mig.stop_us = g_get_monotonic_time();
    if (machine_is_running()) {
        machine_set_running(false);
        qmp_event_send("STOP", NULL);
    }
}

/* Everything is on the destination: the source stays stopped. */
static bool mig_finish(Error **errp)
{
    mig_release();
    if (!mig_close(errp)) {
        return false;
    }
    savevm_devices_cleanup(true);
    mig_set_status(MIG_STATUS_COMPLETED);
    return true;
}

/* The destination's verdict: completed, or failed and running again. */
static void mig_verdict(void *opaque, Error *err)
{
    if (!err && mig_finish(&err)) {
        return;
    }
    mig_abort(MIG_STATUS_FAILED, err);
}

static bool mig_complete(Error **errp)
{
    int r;

    mig_stop_machine();
    /* Device DMA stops before the last sync: its writes are all seen. */
    if (!savevm_devices_stop(errp)) {
        return false;
    }
    mig_ram_save_sync(mig.ram);
    do {
        r = mig_ram_save_step(mig.ram, &mig.stream, UINT64_MAX, 0, errp);
    } while (r > 0);
    if (r < 0 || !savevm_save_devices(&mig.stream, errp) ||
        !savevm_devices_complete(&mig.stream, errp) ||
        !mig_stream_put_end(&mig.stream, errp)) {
        return false;
    }
    if (mig.has_rp) {
        /*
         * Still active: the devices stay in STOP_COPY and the machine
         * stopped until the destination says it loaded everything.
         */
        mig_rp_wait(&mig.rp, mig.fd, MIG_RP_TIMEOUT_S, mig_verdict, NULL);
        return true;
    }
    return mig_finish(errp);
}

static bool mig_setup(Error **errp)
{
    Error *local = NULL;

    if (!mig_stream_put_header(&mig.stream, errp)) {
        return false;
    }
    if (!mig_ram_save_start_logging(mig.ram, &local)) {
        trace_migration_stop_and_copy(error_get_pretty(local));
        error_free(local);
        mig.stop_and_copy = true;
        mig_stop_machine();
    } else {
        /* Everything is pending already: start the log from clean. */
        mig_ram_save_sync(mig.ram);
    }
    if (!mig_ram_save_blocks(mig.ram, &mig.stream, errp) ||
        !savevm_devices_setup(errp)) {
        return false;
    }
    mig.setup_us = g_get_monotonic_time();
    mig_set_status(MIG_STATUS_ACTIVE);
    return true;
}

/* One pass finished: go round again, or stop and finish. */
static bool mig_pass_done(bool *finished, Error **errp)
{
    g_autoptr(JsonObject) data = json_object_new();
    uint64_t dirty;

    mig.passes++;
    json_object_set_int_member(data, "pass", mig.passes);
    qmp_event_send("MIGRATION_PASS", data);
    /* Device data produced while it runs goes between passes. */
    if (!mig.stop_and_copy && !savevm_devices_iterate(&mig.stream, errp)) {
        return false;
    }
    if (!mig.stop_and_copy && mig.passes < MIG_MAX_PASSES) {
        dirty = mig_ram_save_sync(mig.ram);
        if (dirty * TARGET_PAGE_SIZE > MIG_DIRTY_THRESHOLD) {
            return true;
        }
    }
    *finished = true;
    return mig_complete(errp);
}

static gboolean mig_step(gpointer opaque)
{
    Error *err = NULL;
    bool finished = false;
    int r;

    if (mig.status == MIG_STATUS_SETUP) {
        if (!mig_setup(&err)) {
            goto fail;
        }
        return G_SOURCE_CONTINUE;
    }
    r = mig_ram_save_step(mig.ram, &mig.stream, MIG_SLICE_BYTES,
                          g_get_monotonic_time() + MIG_SLICE_US, &err);
    if (r < 0) {
        goto fail;
    }
    if (r == 0) {
        if (!mig_pass_done(&finished, &err)) {
            goto fail;
        }
        if (finished) {
            mig.idle = 0;
            return G_SOURCE_REMOVE;
        }
    }
    return G_SOURCE_CONTINUE;

fail:
    mig.idle = 0;
    mig_abort(MIG_STATUS_FAILED, err);
    return G_SOURCE_REMOVE;
}

static JsonNode *qmp_migrate(JsonObject *args, Error **errp)
{
    JsonNode *node = json_object_get_member(args, "uri");
    const char *uri;
    int fd;
    GPid child;

    if (!node || !JSON_NODE_HOLDS_VALUE(node) ||
        json_node_get_value_type(node) != G_TYPE_STRING) {
        error_setg(errp, "parameter 'uri' is missing or not a string");
        return NULL;
    }
    uri = json_node_get_string(node);
    if (mig_in_progress()) {
        error_setg(errp, "There's a migration process in progress");
        return NULL;
    }
    /* Everything that can refuse does so before anything starts. */
    if (!qdev_check_migratable(errp)) {
        return NULL;
    }
    fd = migration_connect_outgoing(uri, &child, errp);
    if (fd < 0) {
        return NULL;
    }
    g_free(mig.uri);
    g_clear_pointer(&mig.error, g_free);
    mig.uri = g_strdup(uri);
    mig.fd = fd;
    mig.child = child;
    mig.has_rp = g_str_has_prefix(uri, "unix:");
    mig_stream_init(&mig.stream, fd);
    mig.ram = mig_ram_save_new();
    memset(&mig.stats, 0, sizeof(mig.stats));
    mig.stop_and_copy = false;
    mig.was_running = machine_is_running();
    mig.passes = 0;
    mig.transferred = 0;
    mig.start_us = g_get_monotonic_time();
    mig.setup_us = mig.stop_us = mig.end_us = 0;
    trace_migration_start(uri);
    mig_set_status(MIG_STATUS_SETUP);
    /*
     * At the priority of the monitors' fds, not below: a client that
     * polls query-migrate in a tight loop would otherwise starve the
     * transfer.  Each main loop iteration serves both.
     */
    mig.idle = g_idle_add_full(G_PRIORITY_DEFAULT, mig_step, NULL, NULL);
    return NULL;
}

static JsonNode *qmp_migrate_cancel(JsonObject *args, Error **errp)
{
    if (mig_in_progress()) {
        mig_abort(MIG_STATUS_CANCELLED, NULL);
    }
    return NULL;
}

static int64_t mig_ms(gint64 from, gint64 to)
{
    return from && to > from ? (to - from) / 1000 : 0;
}

static JsonNode *qmp_query_migrate(JsonObject *args, Error **errp)
{
    JsonObject *ret = json_object_new();
    const MigRamStats *st;
    DeviceMigrationStats dev;
    JsonObject *ram;
    gint64 now = mig.end_us ? mig.end_us : g_get_monotonic_time();

    if (mig.status == MIG_STATUS_NONE) {
        return qmp_node_take_object(ret);
    }
    st = mig.ram ? mig_ram_save_stats(mig.ram) : &mig.stats;
    json_object_set_string_member(ret, "status",
                                  mig_status_names[mig.status]);
    json_object_set_int_member(ret, "total-time", mig_ms(mig.start_us, now));
    json_object_set_int_member(ret, "setup-time",
                               mig_ms(mig.start_us, mig.setup_us));
    if (mig.status == MIG_STATUS_COMPLETED) {
        json_object_set_int_member(ret, "downtime",
                                   mig_ms(mig.stop_us, mig.end_us));
    }
    ram = json_object_new();
    json_object_set_int_member(ram, "transferred",
                               mig.ram ? mig.stream.bytes : mig.transferred);
    json_object_set_int_member(ram, "total", st->total);
    json_object_set_int_member(ram, "remaining",
                               mig.status == MIG_STATUS_COMPLETED ? 0 :
                               st->remaining);
    json_object_set_int_member(ram, "duplicate", st->duplicate);
    json_object_set_int_member(ram, "normal", st->normal);
    json_object_set_int_member(ram, "normal-bytes",
                               st->normal * TARGET_PAGE_SIZE);
    json_object_set_int_member(ram, "dirty-sync-count",
                               st->dirty_sync_count);
    json_object_set_int_member(ram, "page-size", TARGET_PAGE_SIZE);
    json_object_set_int_member(ram, "passes", mig.passes);
    json_object_set_object_member(ret, "ram", ram);
    if (savevm_devices_stats(&dev)) {
        JsonObject *vfio = json_object_new();

        json_object_set_string_member(vfio, "dirty-tracking",
                                      dev.dirty_mode ? dev.dirty_mode :
                                      "none");
        json_object_set_int_member(vfio, "device-state-size",
                                   dev.state_bytes);
        json_object_set_int_member(vfio, "precopy-bytes",
                                   dev.precopy_bytes);
        json_object_set_int_member(vfio, "dirty-pages", dev.dirty_pages);
        json_object_set_int_member(vfio, "dirty-resent-bytes",
                                   dev.dirty_resent_bytes);
        json_object_set_object_member(ret, "vfio", vfio);
    }
    if (mig.error) {
        json_object_set_string_member(ret, "error-desc", mig.error);
    }
    return qmp_node_take_object(ret);
}

static bool hmp_info_migrate(GString *out, const char *args, Error **errp)
{
    JsonNode *node = qmp_query_migrate(NULL, errp);
    JsonObject *ret = json_node_get_object(node);

    if (json_object_has_member(ret, "status")) {
        JsonObject *ram = json_object_get_object_member(ret, "ram");

        g_string_append_printf(out, "Migration status: %s\n",
                               json_object_get_string_member(ret,
                                                             "status"));
        g_string_append_printf(out, "total time: %" PRId64 " ms\n",
                               json_object_get_int_member(ret,
                                                          "total-time"));
        g_string_append_printf(out, "transferred ram: %" PRId64 " kbytes\n"
                               "remaining ram: %" PRId64 " kbytes\n"
                               "total ram: %" PRId64 " kbytes\n"
                               "duplicate: %" PRId64 " pages\n"
                               "normal: %" PRId64 " pages\n"
                               "dirty sync count: %" PRId64 "\n",
            json_object_get_int_member(ram, "transferred") >> 10,
            json_object_get_int_member(ram, "remaining") >> 10,
            json_object_get_int_member(ram, "total") >> 10,
            json_object_get_int_member(ram, "duplicate"),
            json_object_get_int_member(ram, "normal"),
            json_object_get_int_member(ram, "dirty-sync-count"));
        if (json_object_has_member(ret, "vfio")) {
            JsonObject *v = json_object_get_object_member(ret, "vfio");

            g_string_append_printf(out, "vfio dirty tracking: %s\n"
                                   "vfio device state: %" PRId64 " bytes\n"
                                   "vfio dirty pages: %" PRId64 "\n",
                json_object_get_string_member(v, "dirty-tracking"),
                json_object_get_int_member(v, "device-state-size"),
                json_object_get_int_member(v, "dirty-pages"));
        }
        if (json_object_has_member(ret, "error-desc")) {
            g_string_append_printf(out, "error: %s\n",
                json_object_get_string_member(ret, "error-desc"));
        }
    }
    json_node_unref(node);
    return true;
}

void migration_register_qmp(void)
{
    qmp_register_command("migrate", qmp_migrate);
    qmp_register_command("migrate_cancel", qmp_migrate_cancel);
    qmp_register_command("query-migrate", qmp_query_migrate);
    hmp_register_info("migrate", hmp_info_migrate);
    migration_incoming_register_qmp();
}

void migration_cleanup(void)
{
    if (mig_in_progress()) {
        mig_release();
        mig_close(NULL);
        savevm_devices_cleanup(false);
        mig.status = MIG_STATUS_CANCELLED;
    }
    g_clear_pointer(&mig.uri, g_free);
    g_clear_pointer(&mig.error, g_free);
    migration_incoming_cleanup();
}
