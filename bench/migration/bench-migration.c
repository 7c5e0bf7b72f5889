/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Migration benchmark: a 2 GiB guest migrated to file: three ways
 *   zero      RAM almost all zero (1 MiB written)
 *   data      512 MiB of incompressible data written through qtest
 *   dirtying  the same guest running again, a writer dirtying 2 MiB
 *             of it (qtest memset, a new byte each time) between every
 *             two query-migrate polls
 * For each: what query-migrate reports (total time, setup, downtime,
 * stream bytes, passes, dirty syncs, pages), and the destination's load
 * time, measured two ways: a process started with -incoming file:
 * (minus the start of an identical machine without it), and QMP
 * migrate-incoming on a -incoming defer destination until RESUME.  The
 * loaded RAM is checked against what the source holds.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <glib/gstdio.h>
#include "libqtest.h"

#define GUEST_ARGS      "-m 2G -nodefaults"
#define DATA_BYTES      (512ULL << 20)
#define CHUNK           (4ULL << 20)        /* generator and write unit */
#define DIRTY_BYTES     (2ULL << 20)        /* one writer step */
#define PAGE            4096

typedef struct Result {
    const char *name;
    int64_t total_ms, setup_ms, down_ms;
    int64_t bytes, passes, syncs, normal, duplicate;
    unsigned writes;
    double start_ms, load_ms;
} Result;

static char *tmpdir;
static double baseline_start_ms;

static double now_ms(void)
{
    return g_get_monotonic_time() / 1000.0;
}

/* Deterministic incompressible bytes: chunk @n of the data area. */
static void gen_chunk(uint8_t *buf, size_t len, uint64_t n)
{
    uint64_t x = 0x9e3779b97f4a7c15ULL * (n + 1);
    size_t i;

    for (i = 0; i + 8 <= len; i += 8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        memcpy(buf + i, &x, 8);
    }
}

static void quit_clean(QTestState *qts)
{
    int status = qtest_quit(qts);

    if (!WIFEXITED(status) || WEXITSTATUS(status)) {
        g_error("spapr-vfio exited with status 0x%x", status);
    }
}

static JsonObject *query_migrate(QTestState *qts)
{
    JsonObject *reply = qtest_qmp(qts, "{'execute': 'query-migrate'}");
    JsonObject *ret;

    if (qtest_qmp_error_desc(reply)) {
        g_error("query-migrate: %s", qtest_qmp_error_desc(reply));
    }
    ret = json_object_ref(json_object_get_object_member(reply, "return"));
    json_object_unref(reply);
    return ret;
}

static bool migration_done(JsonObject *info)
{
    const char *st = json_object_get_string_member(info, "status");

    if (!strcmp(st, "setup") || !strcmp(st, "active")) {
        return false;
    }
    if (strcmp(st, "completed")) {
        g_error("migration %s: %s", st,
                json_object_has_member(info, "error-desc") ?
                json_object_get_string_member(info, "error-desc") : "");
    }
    return true;
}

static void fill_result(Result *r, JsonObject *info, const char *path)
{
    JsonObject *ram = json_object_get_object_member(info, "ram");
    GStatBuf sb;

    r->total_ms = json_object_get_int_member(info, "total-time");
    r->setup_ms = json_object_get_int_member(info, "setup-time");
    r->down_ms = json_object_get_int_member(info, "downtime");
    r->bytes = json_object_get_int_member(ram, "transferred");
    r->passes = json_object_get_int_member(ram, "passes");
    r->syncs = json_object_get_int_member(ram, "dirty-sync-count");
    r->normal = json_object_get_int_member(ram, "normal");
    r->duplicate = json_object_get_int_member(ram, "duplicate");
    if (g_stat(path, &sb) || sb.st_size != r->bytes) {
        g_error("%s: the file does not hold the %" PRId64 " bytes "
                "query-migrate reports", path, r->bytes);
    }
}

/*
 * Migrate @src to @path.  With @dirty, fill DIRTY_BYTES of the data
 * area between polls, each time somewhere else with another byte; the
 * addresses go to @written.  One short qtest command per step: a long
 * one (b64write) is read in pieces, a transfer slice running between
 * every two, so it would mostly measure the monitor's input path.
 */
static void run_migration(QTestState *src, const char *path, bool dirty,
                          GArray *written, Result *r)
{
    g_autoptr(JsonObject) info = NULL;
    uint64_t addr = 0;

    qtest_qmp_assert_success(src, "{'execute': 'migrate', 'arguments': "
                             "{'uri': 'file:%s'}}", path);
    for (;;) {
        if (dirty) {
            qtest_memset(src, addr, r->writes % 255 + 1, DIRTY_BYTES);
            g_array_append_val(written, addr);
            r->writes++;
            /* 3 MiB + 64 KiB apart: a new place each time */
            addr = (addr + (3 << 20) + (64 << 10)) % DATA_BYTES;
        }
        g_clear_pointer(&info, json_object_unref);
        info = query_migrate(src);
        if (migration_done(info)) {
            break;
        }
        if (!dirty) {
            g_usleep(5000);
        }
    }
    fill_result(r, info, path);
}

static void sha_update_mem(GChecksum *sum, QTestState *qts, uint64_t addr,
                           size_t len)
{
    g_autofree uint8_t *buf = g_malloc(len);

    qtest_bufread(qts, addr, buf, len);
    g_checksum_update(sum, buf, len);
}

static bool overlaps(uint64_t a, uint64_t len, uint64_t skip)
{
    return skip != UINT64_MAX && a < skip + DIRTY_BYTES && skip < a + len;
}

/*
 * A page of every MiB of the data area and the first and last page of
 * every writer step, except what overlaps the writer's step at @skip:
 * the last one, which may have landed after the migration completed,
 * so that it is in the source's RAM but rightly not in the stream.
 */
static char *ram_digest(QTestState *qts, GArray *written, uint64_t skip)
{
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
    char *ret;
    uint64_t a;
    unsigned i;

    for (a = 0; a < DATA_BYTES; a += 1 << 20) {
        uint64_t p = a + (a >> 20) % 256 * PAGE;

        if (!overlaps(p, PAGE, skip)) {
            sha_update_mem(sum, qts, p, PAGE);
        }
    }
    for (i = 0; written && i < written->len; i++) {
        a = g_array_index(written, uint64_t, i);
        if (!overlaps(a, DIRTY_BYTES, skip)) {
            sha_update_mem(sum, qts, a, PAGE);
            sha_update_mem(sum, qts, a + DIRTY_BYTES - PAGE, PAGE);
        }
    }
    sha_update_mem(sum, qts, DATA_BYTES + (1 << 20), PAGE);
    ret = g_strdup(g_checksum_get_string(sum));
    g_checksum_free(sum);
    return ret;
}

/*
 * Load @path twice: with -incoming file: (returned for checking) and
 * with migrate-incoming on a deferred destination.
 */
static QTestState *load(const char *path, Result *r)
{
    g_autoptr(JsonObject) ev = NULL;
    QTestState *dst;
    double t0;

    dst = qtest_initf(GUEST_ARGS " -incoming defer");
    t0 = now_ms();
    qtest_qmp_assert_success(dst, "{'execute': 'migrate-incoming', "
                             "'arguments': {'uri': 'file:%s'}}", path);
    ev = qtest_qmp_eventwait(dst, "RESUME");
    r->load_ms = now_ms() - t0;
    quit_clean(dst);

    t0 = now_ms();
    dst = qtest_initf(GUEST_ARGS " -incoming file:%s", path);
    r->start_ms = now_ms() - t0;
    return dst;
}

static void check_load(QTestState *dst, const char *want, GArray *written,
                       uint64_t skip, const char *name)
{
    g_autofree char *got = ram_digest(dst, written, skip);

    if (strcmp(got, want)) {
        g_error("%s: the destination's RAM differs from the source's",
                name);
    }
}

static void print_table(const Result *r, unsigned n)
{
    unsigned i;

    printf("\nmigration of a 2 GiB guest to file: (query-migrate on the "
           "source; load on a destination)\n");
    printf("%-9s %7s %6s %6s %9s %6s %5s %7s %7s %6s %8s %8s\n",
           "scenario", "total", "setup", "down", "stream", "passes",
           "syncs", "normal", "dup", "writes", "load", "-incoming");
    printf("%-9s %7s %6s %6s %9s %6s %5s %7s %7s %6s %8s %8s\n",
           "", "ms", "ms", "ms", "MiB", "", "", "pages", "pages", "",
           "ms", "file: ms");
    for (i = 0; i < n; i++) {
        printf("%-9s %7" PRId64 " %6" PRId64 " %6" PRId64 " %9.1f %6"
               PRId64 " %5" PRId64 " %7" PRId64 " %7" PRId64 " %6u %8.0f "
               "%8.0f\n", r[i].name, r[i].total_ms, r[i].setup_ms,
               r[i].down_ms, r[i].bytes / 1048576.0, r[i].passes,
               r[i].syncs, r[i].normal, r[i].duplicate, r[i].writes,
               r[i].load_ms, r[i].start_ms - baseline_start_ms);
    }
    printf("load: QMP migrate-incoming on a -incoming defer destination "
           "until RESUME.\n-incoming file:: start of a destination with "
           "it minus the start of the\nsame machine without it (%.0f ms). "
           "writes: 2 MiB steps of the dirtying writer.\n",
           baseline_start_ms);
}

static void rm_tmpdir(void)
{
    g_autoptr(GDir) dir = g_dir_open(tmpdir, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *p = g_build_filename(tmpdir, name, NULL);

        g_unlink(p);
    }
    g_rmdir(tmpdir);
}

int main(int argc, char **argv)
{
    g_autofree char *pa = NULL, *pb = NULL, *pc = NULL;
    g_autofree char *want = NULL;
    g_autofree uint8_t *buf = g_malloc(CHUNK);
    g_autoptr(GArray) written = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    Result r[3] = { { .name = "zero" }, { .name = "data" },
                    { .name = "dirtying" } };
    QTestState *src, *dst;
    double t0, fill_ms;
    uint64_t n, skip;

    tmpdir = g_dir_make_tmp("bench-mig-XXXXXX", NULL);
    g_assert_nonnull(tmpdir);
    pa = g_build_filename(tmpdir, "zero.mig", NULL);
    pb = g_build_filename(tmpdir, "data.mig", NULL);
    pc = g_build_filename(tmpdir, "dirty.mig", NULL);

    t0 = now_ms();
    dst = qtest_init(GUEST_ARGS);
    baseline_start_ms = now_ms() - t0;
    quit_clean(dst);

    src = qtest_init(GUEST_ARGS);
    /* (a) 1 MiB of data, the rest zero */
    gen_chunk(buf, 1 << 20, 999);
    qtest_bufwrite(src, DATA_BYTES + (1 << 20), buf, 1 << 20);
    run_migration(src, pa, false, NULL, &r[0]);
    want = ram_digest(src, NULL, UINT64_MAX);
    dst = load(pa, &r[0]);
    check_load(dst, want, NULL, UINT64_MAX, "zero");
    quit_clean(dst);
    g_clear_pointer(&want, g_free);
    g_unlink(pa);

    /* (b) 512 MiB of incompressible data */
    t0 = now_ms();
    for (n = 0; n < DATA_BYTES / CHUNK; n++) {
        gen_chunk(buf, CHUNK, n);
        qtest_bufwrite(src, n * CHUNK, buf, CHUNK);
    }
    fill_ms = now_ms() - t0;
    qtest_qmp_assert_success(src, "{'execute': 'cont'}");
    run_migration(src, pb, false, NULL, &r[1]);
    want = ram_digest(src, NULL, UINT64_MAX);
    dst = load(pb, &r[1]);
    check_load(dst, want, NULL, UINT64_MAX, "data");
    quit_clean(dst);
    g_clear_pointer(&want, g_free);
    g_unlink(pb);

    /* (c) the same guest, running, with a writer */
    qtest_qmp_assert_success(src, "{'execute': 'cont'}");
    run_migration(src, pc, true, written, &r[2]);
    skip = g_array_index(written, uint64_t, written->len - 1);
    want = ram_digest(src, written, skip);
    quit_clean(src);
    dst = load(pc, &r[2]);
    check_load(dst, want, written, skip, "dirtying");
    quit_clean(dst);
    g_unlink(pc);

    print_table(r, 3);
    printf("filling 512 MiB through qtest b64write took %.0f ms "
           "(%.0f MiB/s)\n", fill_ms, 512 * 1000.0 / fill_ms);
    rm_tmpdir();
    g_free(tmpdir);
    return 0;
}
