/*
 * vfio-sim conformance: VFIO migration v2 of the simulated device
 * (VFIO_DEVICE_FEATURE, the migration FSM, the data_fd).  Each test
 * name carries the kernel function whose behaviour it proves.
 *
 * Devices (meson): 01.0 all of STOP_COPY|P2P|PRE_COPY, 02.0 stop-copy
 * only, 03.0 migration=off, 04.0 p2p, 05.0 precopy, 06.0 all with
 * rate=8m (asynchronous engine).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <sys/eventfd.h>
#include <linux/pci_regs.h>
#include "vsim-test.h"
#include "linux/vfio-compat.h"
#include "dma-engine.h"

#define CFG_OFF     (7ULL << 40)
#define BAR0_OFF    (0ULL << 40)
#define FEAT_HDR    8

enum { ERROR, STOP, RUNNING, STOP_COPY, RESUMING, RUNNING_P2P, PRE_COPY,
       PRE_COPY_P2P, NSTATES };

static const char *const names[NSTATES] = {
    "ERROR", "STOP", "RUNNING", "STOP_COPY", "RESUMING", "RUNNING_P2P",
    "PRE_COPY", "PRE_COPY_P2P",
};

typedef struct Dev {
    int c, g, d;
    unsigned n;
    char bdf[16];
} Dev;

static void dev_open(Dev *v, unsigned n)
{
    v->n = n;
    snprintf(v->bdf, sizeof(v->bdf), "0001:00:%02x.0", n);
    v->c = setup_container(n, VFIO_SPAPR_TCE_v2_IOMMU, &v->g);
    v->d = xioctl(v->g, VFIO_GROUP_GET_DEVICE_FD, v->bdf);
    g_assert_cmpint(v->d, >=, 0);
}

static void dev_close(Dev *v)
{
    close(v->d);
    close(v->g);
    close(v->c);
}

/* VFIO_DEVICE_FEATURE with a payload; -errno or 0. */
static long feature(int d, uint32_t flags, void *data, size_t size)
{
    g_autofree uint8_t *buf = g_malloc0(FEAT_HDR + size);
    struct vfio_device_feature *f = (void *)buf;
    long r;

    f->argsz = FEAT_HDR + size;
    f->flags = flags;
    if (size) {
        memcpy(f->data, data, size);
    }
    r = xioctl(d, VFIO_DEVICE_FEATURE, f);
    if (size) {
        memcpy(data, f->data, size);
    }
    return r;
}

/* SET the migration state; *fd gets data_fd (-1 when none). */
static long set_state(int d, uint32_t state, int *fd)
{
    struct vfio_device_feature_mig_state m = {
        .device_state = state, .data_fd = -2,
    };
    long r = feature(d, VFIO_DEVICE_FEATURE_SET |
                     VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, &m, sizeof(m));

    if (fd) {
        *fd = m.data_fd;
    } else if (m.data_fd >= 0) {
        close(m.data_fd);
    }
    return r;
}

static uint32_t get_state(int d)
{
    struct vfio_device_feature_mig_state m = { .data_fd = -2 };

    g_assert_cmpint(feature(d, VFIO_DEVICE_FEATURE_GET |
                            VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE,
                            &m, sizeof(m)), ==, 0);
    g_assert_cmpint(m.data_fd, ==, -1);
    return m.device_state;
}

static JsonObject *mig_json(const char *bdf)
{
    g_autoptr(JsonObject) st = state();
    JsonArray *a = json_object_get_array_member(st, "devices");

    for (unsigned i = 0; i < json_array_get_length(a); i++) {
        JsonObject *o = json_array_get_object_element(a, i);

        if (!strcmp(json_object_get_string_member(o, "bdf"), bdf)) {
            return json_object_ref(json_object_get_object_member(
                o, "migration"));
        }
    }
    g_assert_not_reached();
}

/* The states the last SET went through, "A,B,C". */
static char *last_path(const char *bdf)
{
    g_autoptr(JsonObject) m = mig_json(bdf);
    JsonArray *a = json_object_get_array_member(m, "last_path");
    GString *s = g_string_new(NULL);

    for (unsigned i = 0; i < json_array_get_length(a); i++) {
        g_string_append_printf(s, "%s%s", i ? "," : "",
                               json_array_get_string_element(a, i));
    }
    return g_string_free(s, false);
}

static void mig_fault(const char *bdf, const char *key, const char *val,
                      const char *err, JsonObject *extra)
{
    g_autoptr(JsonObject) a = extra ? extra : json_object_new();
    g_autoptr(GError) e = NULL;
    g_autoptr(JsonObject) r = NULL;

    json_object_set_string_member(a, "device", bdf);
    json_object_set_string_member(a, key, val);
    if (err) {
        json_object_set_string_member(a, "errno", err);
    }
    r = vsim_control_request(ctl(), "mig-fault", a, &e);
    g_assert_no_error(e);
}

static uint64_t rd(int d, uint64_t off, unsigned size)
{
    uint64_t v = 0;

    g_assert_cmpint(pread(d, &v, size, off), ==, size);
    return GUINT64_FROM_LE(v);
}

static void wr(int d, uint64_t off, unsigned size, uint64_t v)
{
    v = GUINT64_TO_LE(v);
    g_assert_cmpint(pwrite(d, &v, size, off), ==, size);
}

/* Read a data_fd to its end (EOF); asserts each read succeeds. */
static GByteArray *read_all(int fd)
{
    GByteArray *b = g_byte_array_new();
    uint8_t buf[100];
    ssize_t n;

    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        g_byte_array_append(b, buf, n);
    }
    g_assert_cmpint(n, ==, 0);
    return b;
}

/* The device's state from STOP_COPY, and back to RUNNING. */
static GByteArray *save_state(int d)
{
    GByteArray *b;
    int fd;

    g_assert_cmpint(set_state(d, STOP_COPY, &fd), ==, 0);
    g_assert_cmpint(fd, >=, 0);
    b = read_all(fd);
    close(fd);
    g_assert_cmpint(set_state(d, RUNNING, NULL), ==, 0);
    return b;
}

/* RESUMING, write @b, then SET @to: the SET's result. */
static long resume(int d, GByteArray *b, uint32_t to)
{
    int fd;
    long r;

    g_assert_cmpint(set_state(d, RESUMING, &fd), ==, 0);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(write(fd, b->data, b->len), ==, b->len);
    r = set_state(d, to, NULL);
    close(fd);
    return r;
}

/* ---- vfio_ioctl_device_feature / vfio_check_feature ---- */

static void test_feature_checks(void)
{
    struct vfio_device_feature_migration mf = { 0 };
    struct vfio_device_feature hdr = { .argsz = 4 };
    Dev v;

    dev_open(&v, 1);
    /* argsz below the header */
    hdr.flags = VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_MIGRATION;
    g_assert_cmpint(xioctl(v.d, VFIO_DEVICE_FEATURE, &hdr), ==, -EINVAL);
    /* unknown flag bits, GET and SET together without PROBE */
    g_assert_cmpint(feature(v.d, 1u << 20 | VFIO_DEVICE_FEATURE_MIGRATION,
                            NULL, 0), ==, -EINVAL);
    g_assert_cmpint(feature(v.d, VFIO_DEVICE_FEATURE_GET |
                            VFIO_DEVICE_FEATURE_SET |
                            VFIO_DEVICE_FEATURE_MIGRATION, &mf,
                            sizeof(mf)), ==, -EINVAL);
    /* PROBE: 0 when the feature has the asked-for GET/SET */
    g_assert_cmpint(feature(v.d, VFIO_DEVICE_FEATURE_PROBE |
                            VFIO_DEVICE_FEATURE_MIGRATION, NULL, 0), ==, 0);
    g_assert_cmpint(feature(v.d, VFIO_DEVICE_FEATURE_PROBE |
                            VFIO_DEVICE_FEATURE_GET |
                            VFIO_DEVICE_FEATURE_MIGRATION, NULL, 0), ==, 0);
    g_assert_cmpint(feature(v.d, VFIO_DEVICE_FEATURE_PROBE |
                            VFIO_DEVICE_FEATURE_SET |
                            VFIO_DEVICE_FEATURE_MIGRATION, NULL, 0),
                    ==, -EINVAL);
    g_assert_cmpint(feature(v.d, VFIO_DEVICE_FEATURE_PROBE |
                            VFIO_DEVICE_FEATURE_GET |
                            VFIO_DEVICE_FEATURE_SET |
                            VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, NULL, 0),
                    ==, 0);
    /* neither GET nor SET without PROBE; a short payload */
    g_assert_cmpint(feature(v.d, VFIO_DEVICE_FEATURE_MIGRATION, &mf,
                            sizeof(mf)), ==, -EINVAL);
    g_assert_cmpint(feature(v.d, VFIO_DEVICE_FEATURE_GET |
                            VFIO_DEVICE_FEATURE_MIGRATION, &mf, 4),
                    ==, -EINVAL);
    g_assert_cmpint(feature(v.d, VFIO_DEVICE_FEATURE_GET |
                            VFIO_DEVICE_FEATURE_MIGRATION, &mf,
                            sizeof(mf)), ==, 0);
    g_assert_cmpuint(mf.flags, ==, VFIO_MIGRATION_STOP_COPY |
                     VFIO_MIGRATION_P2P | VFIO_MIGRATION_PRE_COPY);
    /* a feature nobody implements: the vfio-pci core says ENOTTY */
    g_assert_cmpint(feature(v.d, VFIO_DEVICE_FEATURE_PROBE | 99, NULL, 0),
                    ==, -ENOTTY);
    dev_close(&v);
}

static void test_feature_flags_per_device(void)
{
    static const struct { unsigned n; uint64_t flags; } want[] = {
        { 2, VFIO_MIGRATION_STOP_COPY },
        { 4, VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P },
        { 5, VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_PRE_COPY },
    };
    struct vfio_device_feature_migration mf;
    struct vfio_device_feature_mig_data_size ds;
    Dev v;

    for (unsigned i = 0; i < G_N_ELEMENTS(want); i++) {
        dev_open(&v, want[i].n);
        g_assert_cmpint(feature(v.d, VFIO_DEVICE_FEATURE_GET |
                                VFIO_DEVICE_FEATURE_MIGRATION, &mf,
                                sizeof(mf)), ==, 0);
        g_assert_cmpuint(mf.flags, ==, want[i].flags);
        dev_close(&v);
    }
    /* migration=off: no mig_ops, every migration feature ENOTTY */
    dev_open(&v, 3);
    g_assert_cmpint(feature(v.d, VFIO_DEVICE_FEATURE_GET |
                            VFIO_DEVICE_FEATURE_MIGRATION, &mf,
                            sizeof(mf)), ==, -ENOTTY);
    g_assert_cmpint(set_state(v.d, STOP, NULL), ==, -ENOTTY);
    g_assert_cmpint(feature(v.d, VFIO_DEVICE_FEATURE_GET |
                            VFIO_DEVICE_FEATURE_MIG_DATA_SIZE, &ds,
                            sizeof(ds)), ==, -ENOTTY);
    dev_close(&v);
}

/* ---- vfio_mig_get_next_state ---- */

/* The arcs <linux/vfio.h> documents, as a from/to matrix. */
static bool arc(int a, int b)
{
    static const int arcs[][2] = {
        { RUNNING, RUNNING_P2P }, { RUNNING_P2P, RUNNING },
        { RUNNING_P2P, STOP }, { STOP, RUNNING_P2P },
        { STOP, STOP_COPY }, { STOP_COPY, STOP },
        { STOP, RESUMING }, { RESUMING, STOP },
        { RUNNING, PRE_COPY }, { PRE_COPY, RUNNING },
        { RUNNING_P2P, PRE_COPY_P2P }, { PRE_COPY_P2P, RUNNING_P2P },
        { PRE_COPY, PRE_COPY_P2P }, { PRE_COPY_P2P, PRE_COPY },
        { PRE_COPY_P2P, STOP_COPY },
    };

    for (unsigned i = 0; i < G_N_ELEMENTS(arcs); i++) {
        if (arcs[i][0] == a && arcs[i][1] == b) {
            return true;
        }
    }
    return false;
}

/* Shortest number of arcs from @a to @b (breadth first). */
static int distance(int a, int b)
{
    int dist[NSTATES], queue[NSTATES], head = 0, tail = 0;

    for (int i = 0; i < NSTATES; i++) {
        dist[i] = -1;
    }
    dist[a] = 0;
    queue[tail++] = a;
    while (head < tail) {
        int s = queue[head++];

        for (int t = 0; t < NSTATES; t++) {
            if (dist[t] < 0 && arc(s, t)) {
                dist[t] = dist[s] + 1;
                queue[tail++] = t;
            }
        }
    }
    return dist[b];
}

static GByteArray *valid_blob;

/* Reset to RUNNING, then reach @s (RESUMING keeps a valid state fed). */
static void reach(Dev *v, int s)
{
    int fd = -1;

    g_assert_cmpint(xioctl(v->d, VFIO_DEVICE_RESET, NULL), ==, 0);
    g_assert_cmpint(get_state(v->d), ==, RUNNING);
    g_assert_cmpint(set_state(v->d, s, &fd), ==, 0);
    if (s == RESUMING) {
        g_assert_cmpint(write(fd, valid_blob->data, valid_blob->len), ==,
                        valid_blob->len);
    }
    if (fd >= 0) {
        close(fd);
    }
}

/*
 * Every pair of states on a device with all of them: the path the SET
 * takes is made of documented arcs only, is a shortest one, never opens
 * a data session before its last arc, and ends where it was asked to.
 */
static void test_next_state_every_pair(void)
{
    Dev v;

    dev_open(&v, 1);
    valid_blob = save_state(v.d);
    for (int a = STOP; a < NSTATES; a++) {
        for (int b = STOP; b < NSTATES; b++) {
            g_autofree char *path = NULL;
            g_auto(GStrv) steps = NULL;
            int fd;

            reach(&v, a);
            g_assert_cmpint(set_state(v.d, b, &fd), ==, 0);
            g_assert_cmpint(get_state(v.d), ==, b);
            /* a session is returned only by an arc that opens one */
            if (a != b && (b == RESUMING || b == STOP_COPY ||
                           b == PRE_COPY || b == PRE_COPY_P2P) &&
                !((a == PRE_COPY || a == PRE_COPY_P2P) &&
                  (b == PRE_COPY || b == PRE_COPY_P2P ||
                   b == STOP_COPY))) {
                g_assert_cmpint(fd, >=, 0);
                close(fd);
            } else {
                g_assert_cmpint(fd, ==, -1);
            }
            path = last_path(v.bdf);
            steps = g_strsplit(path, ",", -1);
            g_assert_cmpint(g_strv_length(steps) - 1, ==, distance(a, b));
            for (unsigned i = 1; steps[i]; i++) {
                int s = -1, t = -1;

                for (int k = 0; k < NSTATES; k++) {
                    s = !strcmp(names[k], steps[i - 1]) ? k : s;
                    t = !strcmp(names[k], steps[i]) ? k : t;
                }
                if (!arc(s, t)) {
                    g_error("%s -> %s went %s", names[a], names[b], path);
                }
                /* no session opened and dropped on the way */
                if (steps[i + 1]) {
                    g_assert_true(t != RESUMING);
                    g_assert_true(!(t == PRE_COPY || t == PRE_COPY_P2P) ||
                                  a == PRE_COPY || a == PRE_COPY_P2P);
                }
            }
        }
    }
    g_byte_array_unref(valid_blob);
    dev_close(&v);
}

/* Without P2P the RUNNING_P2P states are skipped; unknown ones EINVAL. */
static void test_next_state_skips_unsupported(void)
{
    g_autofree char *p1 = NULL, *p2 = NULL, *p3 = NULL, *p4 = NULL;
    Dev v;

    dev_open(&v, 2);                        /* stop-copy only */
    g_assert_cmpint(set_state(v.d, STOP, NULL), ==, 0);
    p1 = last_path(v.bdf);
    g_assert_cmpstr(p1, ==, "RUNNING,STOP");
    g_assert_cmpint(set_state(v.d, RUNNING_P2P, NULL), ==, -EINVAL);
    g_assert_cmpint(set_state(v.d, PRE_COPY, NULL), ==, -EINVAL);
    g_assert_cmpint(set_state(v.d, ERROR, NULL), ==, -EINVAL);
    g_assert_cmpint(set_state(v.d, 8, NULL), ==, -EINVAL);
    g_assert_cmpint(get_state(v.d), ==, STOP);
    g_assert_cmpint(set_state(v.d, RUNNING, NULL), ==, 0);
    dev_close(&v);

    dev_open(&v, 4);                        /* p2p */
    g_assert_cmpint(set_state(v.d, STOP_COPY, NULL), ==, 0);
    p2 = last_path(v.bdf);
    g_assert_cmpstr(p2, ==, "RUNNING,RUNNING_P2P,STOP,STOP_COPY");
    g_assert_cmpint(set_state(v.d, PRE_COPY_P2P, NULL), ==, -EINVAL);
    g_assert_cmpint(set_state(v.d, RUNNING, NULL), ==, 0);
    dev_close(&v);

    dev_open(&v, 5);                        /* precopy, no p2p */
    g_assert_cmpint(set_state(v.d, PRE_COPY, NULL), ==, 0);
    g_assert_cmpint(set_state(v.d, STOP_COPY, NULL), ==, 0);
    p3 = last_path(v.bdf);
    g_assert_cmpstr(p3, ==, "PRE_COPY,STOP_COPY");
    g_assert_cmpint(set_state(v.d, PRE_COPY, NULL), ==, 0);
    p4 = last_path(v.bdf);
    g_assert_cmpstr(p4, ==, "STOP_COPY,STOP,RUNNING,PRE_COPY");
    g_assert_cmpint(set_state(v.d, RUNNING, NULL), ==, 0);
    dev_close(&v);
}

/* ERROR is no SET target, cannot be left by SET, and reset leaves it. */
static void test_error_state_needs_reset(void)
{
    g_autoptr(GByteArray) junk = g_byte_array_new();
    Dev v;

    dev_open(&v, 1);
    g_byte_array_append(junk, (const uint8_t *)"not a device state", 18);
    g_assert_cmpint(resume(v.d, junk, STOP), ==, -EINVAL);
    g_assert_cmpint(get_state(v.d), ==, ERROR);
    g_assert_cmpint(set_state(v.d, RUNNING, NULL), ==, -EINVAL);
    g_assert_cmpint(set_state(v.d, ERROR, NULL), ==, 0);  /* no arc */
    g_assert_cmpint(xioctl(v.d, VFIO_DEVICE_RESET, NULL), ==, 0);
    g_assert_cmpint(get_state(v.d), ==, RUNNING);
    dev_close(&v);
}

/* ---- the data_fd ---- */

static void test_data_fd_stop_copy(void)
{
    struct vfio_device_feature_mig_data_size ds;
    g_autoptr(GByteArray) b = NULL;
    g_autoptr(JsonObject) m = NULL;
    uint8_t x;
    int fd;
    Dev v;

    dev_open(&v, 1);
    g_assert_cmpint(feature(v.d, VFIO_DEVICE_FEATURE_GET |
                            VFIO_DEVICE_FEATURE_MIG_DATA_SIZE, &ds,
                            sizeof(ds)), ==, 0);
    g_assert_cmpint(set_state(v.d, STOP_COPY, &fd), ==, 0);
    g_assert_cmpint(fcntl(fd, F_GETFD), ==, FD_CLOEXEC);
    g_assert_cmpint(write(fd, "x", 1), ==, -1);         /* read-only */
    g_assert_cmpint(errno, ==, EBADF);
    b = read_all(fd);
    g_assert_cmpuint(b->len, ==, ds.stop_copy_length);
    g_assert_cmpint(read(fd, &x, 1), ==, 0);            /* EOF stays */
    g_assert_cmpint(set_state(v.d, STOP, NULL), ==, 0);
    g_assert_cmpint(read(fd, &x, 1), ==, -1);           /* session over */
    g_assert_cmpint(errno, ==, ENODEV);
    m = mig_json(v.bdf);
    g_assert_cmpint(json_object_get_int_member(m, "data_fds"), ==, 1);
    close(fd);
    json_object_unref(m);
    m = mig_json(v.bdf);
    g_assert_cmpint(json_object_get_int_member(m, "data_fds"), ==, 0);
    g_assert_cmpint(set_state(v.d, RUNNING, NULL), ==, 0);
    dev_close(&v);
}

/*
 * The registers and the device's capabilities in config space come
 * back on another reset device; a command accepted while stopped is
 * carried in flight and runs when the resumed device runs.
 */
static void test_data_fd_round_trip(void)
{
    g_autoptr(GByteArray) b = NULL;
    Dev v;

    dev_open(&v, 1);
    wr(v.d, CFG_OFF + PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
    wr(v.d, BAR0_OFF + DMAE_REG_SRC, 8, 0x1122334455667788ULL);
    wr(v.d, BAR0_OFF + DMAE_REG_LEN, 8, 0x1000);
    b = save_state(v.d);
    g_assert_cmpint(xioctl(v.d, VFIO_DEVICE_RESET, NULL), ==, 0);
    wr(v.d, CFG_OFF + PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
    g_assert_cmpuint(rd(v.d, BAR0_OFF + DMAE_REG_SRC, 8), ==, 0);
    g_assert_cmpint(resume(v.d, b, RUNNING), ==, 0);
    g_assert_cmpuint(rd(v.d, BAR0_OFF + DMAE_REG_SRC, 8), ==,
                     0x1122334455667788ULL);
    g_assert_cmpuint(rd(v.d, BAR0_OFF + DMAE_REG_LEN, 8), ==, 0x1000);
    dev_close(&v);
}

static void test_transfer_in_flight_resumes(void)
{
    g_autoptr(GByteArray) b = NULL;
    uint8_t *ram = alloc_aligned(1 * MiB, 64 * KiB);
    Dev v;
    int fd;

    dev_open(&v, 1);
    g_assert_cmpint(reg_mem(v.c, ram, 1 * MiB), ==, 0);
    g_assert_cmpint(map_dma(v.c, ram, 0, 1 * MiB, RW), ==, 0);
    wr(v.d, CFG_OFF + PCI_COMMAND, 2,
       PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    memset(ram, 0xab, 64 * KiB);
    memset(ram + 512 * KiB, 0, 64 * KiB);
    g_assert_cmpint(set_state(v.d, STOP, NULL), ==, 0);
    wr(v.d, BAR0_OFF + DMAE_REG_SRC, 8, 0);
    wr(v.d, BAR0_OFF + DMAE_REG_DST, 8, 512 * KiB);
    wr(v.d, BAR0_OFF + DMAE_REG_LEN, 8, 64 * KiB);
    wr(v.d, BAR0_OFF + DMAE_REG_CMD, 4, DMAE_CMD_COPY);
    /* stopped: the command is accepted but moves nothing */
    g_assert_cmpuint(rd(v.d, BAR0_OFF + DMAE_REG_STATUS, 4), ==,
                     DMAE_STATUS_BUSY);
    g_assert_cmpuint(ram[512 * KiB], ==, 0);
    g_assert_cmpint(set_state(v.d, STOP_COPY, &fd), ==, 0);
    b = read_all(fd);
    close(fd);
    g_assert_cmpint(xioctl(v.d, VFIO_DEVICE_RESET, NULL), ==, 0);
    wr(v.d, CFG_OFF + PCI_COMMAND, 2,
       PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    g_assert_cmpint(resume(v.d, b, RUNNING), ==, 0);
    g_assert_cmpuint(rd(v.d, BAR0_OFF + DMAE_REG_STATUS, 4), ==,
                     DMAE_STATUS_DONE);
    g_assert_cmpuint(rd(v.d, BAR0_OFF + DMAE_REG_DONE, 8), ==, 64 * KiB);
    g_assert_cmpuint(rd(v.d, BAR0_OFF + DMAE_REG_CUR_IOVA, 8), ==,
                     576 * KiB);
    g_assert_cmpint(memcmp(ram, ram + 512 * KiB, 64 * KiB), ==, 0);
    g_assert_cmpint(unmap_dma(v.c, 0, 1 * MiB), ==, 0);
    g_assert_cmpint(unreg_mem(v.c, ram, 1 * MiB), ==, 0);
    dev_close(&v);
    munmap(ram, 1 * MiB);
}

/* A flipped byte or a cut stream fails RESUMING -> STOP into ERROR. */
static void test_resume_rejects_corrupt_and_truncated(void)
{
    g_autoptr(GByteArray) b = NULL;
    GByteArray *bad;
    Dev v;

    dev_open(&v, 1);
    b = save_state(v.d);
    bad = g_byte_array_new();
    g_byte_array_append(bad, b->data, b->len);
    bad->data[bad->len / 2] ^= 1;
    g_assert_cmpint(resume(v.d, bad, STOP), ==, -EINVAL);
    g_assert_cmpint(get_state(v.d), ==, ERROR);
    g_assert_cmpint(xioctl(v.d, VFIO_DEVICE_RESET, NULL), ==, 0);
    g_byte_array_set_size(bad, b->len - 1);
    memcpy(bad->data, b->data, bad->len);
    g_assert_cmpint(resume(v.d, bad, RUNNING), ==, -EINVAL);
    g_assert_cmpint(get_state(v.d), ==, ERROR);
    g_assert_cmpint(xioctl(v.d, VFIO_DEVICE_RESET, NULL), ==, 0);
    g_assert_cmpint(resume(v.d, b, RUNNING), ==, 0);
    g_byte_array_unref(bad);
    dev_close(&v);
}

static long precopy_info(int fd, struct vfio_precopy_info *pi)
{
    memset(pi, 0, sizeof(*pi));
    pi->argsz = sizeof(*pi);
    return xioctl(fd, VFIO_MIG_GET_PRECOPY_INFO, pi);
}

/*
 * PRE_COPY: the initial snapshot is initial_bytes; read to the
 * temporary end, read() is ENOMSG; a change of device state is
 * dirty_bytes; PRE_COPY -> STOP_COPY continues the same fd to EOF.
 */
static void test_precopy_info_and_enomsg(void)
{
    struct vfio_precopy_info pi;
    g_autoptr(GByteArray) fin = NULL;
    uint8_t buf[4096];
    uint64_t size = 0;
    ssize_t n;
    int fd, fd2;
    Dev v;

    dev_open(&v, 1);
    wr(v.d, CFG_OFF + PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
    g_assert_cmpint(set_state(v.d, PRE_COPY, &fd), ==, 0);
    g_assert_cmpint(precopy_info(fd, &pi), ==, 0);
    g_assert_cmpuint(pi.initial_bytes, >, 0);
    g_assert_cmpuint(pi.dirty_bytes, ==, 0);
    n = read(fd, buf, 10);
    g_assert_cmpint(n, ==, 10);
    g_assert_cmpint(precopy_info(fd, &pi), ==, 0);
    size = pi.initial_bytes + 10;
    n = read(fd, buf, sizeof(buf));
    g_assert_cmpint(n, ==, size - 10);
    g_assert_cmpint(read(fd, buf, sizeof(buf)), ==, -1);
    g_assert_cmpint(errno, ==, ENOMSG);
    g_assert_cmpint(precopy_info(fd, &pi), ==, 0);
    g_assert_cmpuint(pi.initial_bytes, ==, 0);
    g_assert_cmpuint(pi.dirty_bytes, ==, 0);
    /* the guest changes a register: new data */
    wr(v.d, BAR0_OFF + DMAE_REG_PATTERN, 8, 42);
    g_assert_cmpint(precopy_info(fd, &pi), ==, 0);
    g_assert_cmpuint(pi.dirty_bytes, ==, size);
    g_assert_cmpint(read(fd, buf, sizeof(buf)), ==, size);
    /* short argsz */
    pi.argsz = 8;
    g_assert_cmpint(xioctl(fd, VFIO_MIG_GET_PRECOPY_INFO, &pi), ==, -EINVAL);
    g_assert_cmpint(set_state(v.d, STOP_COPY, &fd2), ==, 0);
    g_assert_cmpint(fd2, ==, -1);           /* the same session goes on */
    g_assert_cmpint(precopy_info(fd, &pi), ==, -EINVAL);
    fin = read_all(fd);
    g_assert_cmpuint(fin->len, ==, size);
    g_assert_cmpint(set_state(v.d, RUNNING, NULL), ==, 0);
    close(fd);
    dev_close(&v);
}

/* ---- fault injection ---- */

static void test_fault_arc_and_data_fd(void)
{
    g_autoptr(GByteArray) b = NULL;
    g_autoptr(GByteArray) cut = NULL;
    struct vfio_precopy_info pi;
    uint8_t buf[64];
    JsonObject *o;
    int fd;
    Dev v;

    dev_open(&v, 1);
    /* a failing arc leaves the state where the last good arc put it */
    mig_fault(v.bdf, "arc", "STOP>STOP_COPY", "EIO", NULL);
    g_assert_cmpint(set_state(v.d, STOP_COPY, &fd), ==, -EIO);
    g_assert_cmpint(fd, ==, -1);
    g_assert_cmpint(get_state(v.d), ==, STOP);
    o = json_object_new();
    json_object_set_boolean_member(o, "error", true);
    mig_fault(v.bdf, "arc", "*>RUNNING", "EBUSY", o);
    g_assert_cmpint(set_state(v.d, RUNNING, NULL), ==, -EBUSY);
    g_assert_cmpint(get_state(v.d), ==, ERROR);
    g_assert_cmpint(xioctl(v.d, VFIO_DEVICE_RESET, NULL), ==, 0);

    /* data_fd: EIO, a short read, a truncated stream */
    mig_fault(v.bdf, "data_fd", "read", "EIO", NULL);
    g_assert_cmpint(set_state(v.d, STOP_COPY, &fd), ==, 0);
    g_assert_cmpint(read(fd, buf, sizeof(buf)), ==, -1);
    g_assert_cmpint(errno, ==, EIO);
    o = json_object_new();
    json_object_set_int_member(o, "short", 3);
    mig_fault(v.bdf, "data_fd", "read", NULL, o);
    g_assert_cmpint(read(fd, buf, sizeof(buf)), ==, 3);
    close(fd);
    g_assert_cmpint(set_state(v.d, RUNNING, NULL), ==, 0);
    o = json_object_new();
    json_object_set_int_member(o, "short", 100);
    json_object_set_boolean_member(o, "truncate", true);
    mig_fault(v.bdf, "data_fd", "read", NULL, o);
    g_assert_cmpint(set_state(v.d, STOP_COPY, &fd), ==, 0);
    cut = read_all(fd);
    g_assert_cmpuint(cut->len, ==, 100);
    close(fd);
    g_assert_cmpint(set_state(v.d, RUNNING, NULL), ==, 0);
    g_assert_cmpint(resume(v.d, cut, RUNNING), ==, -EINVAL);
    g_assert_cmpint(get_state(v.d), ==, ERROR);
    g_assert_cmpint(xioctl(v.d, VFIO_DEVICE_RESET, NULL), ==, 0);

    /* ENOSPC on write in RESUMING, then PRECOPY_INFO */
    b = save_state(v.d);
    mig_fault(v.bdf, "data_fd", "write", "ENOSPC", NULL);
    g_assert_cmpint(set_state(v.d, RESUMING, &fd), ==, 0);
    g_assert_cmpint(write(fd, b->data, b->len), ==, -1);
    g_assert_cmpint(errno, ==, ENOSPC);
    close(fd);
    g_assert_cmpint(xioctl(v.d, VFIO_DEVICE_RESET, NULL), ==, 0);
    mig_fault(v.bdf, "data_fd", "precopy-info", "EIO", NULL);
    g_assert_cmpint(set_state(v.d, PRE_COPY, &fd), ==, 0);
    g_assert_cmpint(precopy_info(fd, &pi), ==, -EIO);
    g_assert_cmpint(precopy_info(fd, &pi), ==, 0);
    close(fd);
    g_assert_cmpint(set_state(v.d, RUNNING, NULL), ==, 0);
    dev_close(&v);
}

/* ---- the asynchronous engine (rate=) ---- */

#define XFER_LEN    (4 * MiB)
#define XFER_SRC    0
#define XFER_DST    (8 * MiB)

static uint8_t *xfer_setup(Dev *v, unsigned n)
{
    uint8_t *ram = alloc_aligned(16 * MiB, 64 * KiB);

    dev_open(v, n);
    g_assert_cmpint(reg_mem(v->c, ram, 16 * MiB), ==, 0);
    g_assert_cmpint(map_dma(v->c, ram, 0, 16 * MiB, RW), ==, 0);
    wr(v->d, CFG_OFF + PCI_COMMAND, 2,
       PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    for (uint64_t i = 0; i < XFER_LEN; i++) {
        ram[XFER_SRC + i] = i * 7 + (i >> 12);
    }
    memset(ram + XFER_DST, 0, XFER_LEN);
    return ram;
}

static void xfer_teardown(Dev *v, uint8_t *ram)
{
    g_assert_cmpint(unmap_dma(v->c, 0, 16 * MiB), ==, 0);
    g_assert_cmpint(unreg_mem(v->c, ram, 16 * MiB), ==, 0);
    dev_close(v);
    munmap(ram, 16 * MiB);
}

static void xfer_start(Dev *v)
{
    wr(v->d, BAR0_OFF + DMAE_REG_SRC, 8, XFER_SRC);
    wr(v->d, BAR0_OFF + DMAE_REG_DST, 8, XFER_DST);
    wr(v->d, BAR0_OFF + DMAE_REG_LEN, 8, XFER_LEN);
    wr(v->d, BAR0_OFF + DMAE_REG_CMD, 4, DMAE_CMD_COPY);
}

/* Poll STATUS until the engine is no longer busy (10 s at most). */
static uint32_t xfer_wait(Dev *v)
{
    uint32_t st;

    for (int i = 0; i < 10000; i++) {
        st = rd(v->d, BAR0_OFF + DMAE_REG_STATUS, 4);
        if (st != DMAE_STATUS_BUSY) {
            return st;
        }
        g_usleep(1000);
    }
    return st;
}

/* Poll DONE until it passes @from (5 s at most); the new value. */
static uint64_t wait_progress(Dev *v, uint64_t from)
{
    uint64_t done = from;

    for (int i = 0; i < 5000 && done <= from; i++) {
        g_usleep(1000);
        done = rd(v->d, BAR0_OFF + DMAE_REG_DONE, 8);
    }
    g_assert_cmpuint(done, >, from);
    return done;
}

/*
 * With rate= the CMD write only starts the command: STATUS is BUSY,
 * DONE and CUR_IOVA move on as the device's thread copies, and the
 * command ends DONE with every byte copied.
 */
static void test_rate_runs_on_device_thread(void)
{
    uint64_t done, last = 0;
    bool moved = false;
    uint8_t *ram;
    Dev v;

    ram = xfer_setup(&v, 6);
    xfer_start(&v);
    g_assert_cmpuint(rd(v.d, BAR0_OFF + DMAE_REG_STATUS, 4), ==,
                     DMAE_STATUS_BUSY);
    g_assert_cmpuint(rd(v.d, BAR0_OFF + DMAE_REG_DONE, 8), <, XFER_LEN);
    while (rd(v.d, BAR0_OFF + DMAE_REG_STATUS, 4) == DMAE_STATUS_BUSY) {
        done = rd(v.d, BAR0_OFF + DMAE_REG_DONE, 8);
        g_assert_cmpuint(done, >=, last);
        moved |= done > 0 && done < XFER_LEN;
        last = done;
        g_usleep(2000);
    }
    g_assert_true(moved);
    g_assert_cmpuint(rd(v.d, BAR0_OFF + DMAE_REG_STATUS, 4), ==,
                     DMAE_STATUS_DONE);
    g_assert_cmpuint(rd(v.d, BAR0_OFF + DMAE_REG_DONE, 8), ==, XFER_LEN);
    g_assert_cmpuint(rd(v.d, BAR0_OFF + DMAE_REG_CUR_IOVA, 8), ==,
                     XFER_DST + XFER_LEN);
    g_assert_cmpint(memcmp(ram + XFER_SRC, ram + XFER_DST, XFER_LEN), ==, 0);
    xfer_teardown(&v, ram);
}

static const char *self_exe;

/*
 * STOP parks the engine at a page boundary and nothing moves after it;
 * the state saved then carries the transfer, and another process (its
 * own simulated host) that resumes it finishes exactly the rest.
 */
static void test_stop_pauses_and_other_process_resumes(void)
{
    g_autoptr(GByteArray) b = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *path = NULL, *done_s = NULL;
    g_auto(GStrv) env = g_get_environ();
    uint64_t done;
    uint8_t *ram;
    int fd, status;
    Dev v;

    ram = xfer_setup(&v, 6);
    xfer_start(&v);
    wait_progress(&v, 0);
    g_assert_cmpint(set_state(v.d, STOP, NULL), ==, 0);
    done = rd(v.d, BAR0_OFF + DMAE_REG_DONE, 8);
    g_assert_cmpuint(done, >, 0);
    g_assert_cmpuint(done, <, XFER_LEN);
    g_assert_cmpuint(done % 4096, ==, 0);
    g_assert_cmpuint(rd(v.d, BAR0_OFF + DMAE_REG_CUR_IOVA, 8), ==,
                     XFER_DST + done);
    g_usleep(50000);
    g_assert_cmpuint(rd(v.d, BAR0_OFF + DMAE_REG_DONE, 8), ==, done);
    g_assert_cmpuint(ram[XFER_DST + done], ==, 0);
    g_assert_cmpint(memcmp(ram + XFER_SRC, ram + XFER_DST, done), ==, 0);
    g_assert_cmpint(set_state(v.d, STOP_COPY, &fd), ==, 0);
    b = read_all(fd);
    close(fd);

    path = g_strdup_printf("%s/vsim-mig-state-%d", g_get_tmp_dir(),
                           getpid());
    g_assert_true(g_file_set_contents(path, (char *)b->data, b->len, NULL));
    done_s = g_strdup_printf("%" G_GUINT64_FORMAT, done);
    env = g_environ_unsetenv(env, "VFIO_SIM_CONTROL");
    {
        const char *argv[] = { self_exe, "--resume-child", path, done_s,
                               NULL };

        g_spawn_sync(NULL, (char **)argv, env, G_SPAWN_DEFAULT, NULL, NULL,
                     NULL, NULL, &status, &err);
    }
    g_assert_no_error(err);
    unlink(path);
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    /* the source, stopped, never moved again */
    g_assert_cmpuint(ram[XFER_DST + done], ==, 0);
    g_assert_cmpint(xioctl(v.d, VFIO_DEVICE_RESET, NULL), ==, 0);
    xfer_teardown(&v, ram);
}

/* The destination process: resume, run, check only the rest moved. */
static int resume_child(const char *path, uint64_t done)
{
    g_autofree char *data = NULL;
    GByteArray *b;
    gsize len;
    uint8_t *ram;
    Dev v;

    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    b = g_byte_array_new_take((guint8 *)g_steal_pointer(&data), len);
    ram = xfer_setup(&v, 6);
    g_assert_cmpint(resume(v.d, b, RUNNING), ==, 0);
    g_assert_cmpuint(xfer_wait(&v), ==, DMAE_STATUS_DONE);
    g_assert_cmpuint(rd(v.d, BAR0_OFF + DMAE_REG_DONE, 8), ==, XFER_LEN);
    for (uint64_t i = 0; i < done; i++) {
        g_assert_cmpuint(ram[XFER_DST + i], ==, 0);
    }
    g_assert_cmpint(memcmp(ram + XFER_SRC + done, ram + XFER_DST + done,
                           XFER_LEN - done), ==, 0);
    g_byte_array_unref(b);
    xfer_teardown(&v, ram);
    return 0;
}

/* ---- device dirty tracking ---- */

static long log_start(int d, uint64_t page, struct
                      vfio_device_feature_dma_logging_range *r, uint32_t n,
                      uint64_t *chosen)
{
    struct vfio_device_feature_dma_logging_control c = {
        .page_size = page, .num_ranges = n, .ranges = (uintptr_t)r,
    };
    long ret = feature(d, VFIO_DEVICE_FEATURE_SET |
                       VFIO_DEVICE_FEATURE_DMA_LOGGING_START, &c, sizeof(c));

    if (chosen) {
        *chosen = c.page_size;
    }
    return ret;
}

static long log_stop(int d)
{
    return feature(d, VFIO_DEVICE_FEATURE_SET |
                   VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP, NULL, 0);
}

static long log_report(int d, uint64_t iova, uint64_t len, uint64_t page,
                       uint64_t *bitmap)
{
    struct vfio_device_feature_dma_logging_report r = {
        .iova = iova, .length = len, .page_size = page,
        .bitmap = (uintptr_t)bitmap,
    };
    return feature(d, VFIO_DEVICE_FEATURE_GET |
                   VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT, &r, sizeof(r));
}

static void test_logging_start_checks(void)
{
    struct vfio_device_feature_dma_logging_range r[3] = {
        { 0, 1 * MiB }, { 4 * MiB, 1 * MiB }, { 0, 0 },
    };
    uint64_t max = host_page() / sizeof(r[0]), chosen = 0;
    g_autofree struct vfio_device_feature_dma_logging_range *many =
        g_new0(struct vfio_device_feature_dma_logging_range, max + 1);
    Dev v;

    dev_open(&v, 1);
    g_assert_cmpint(feature(v.d, VFIO_DEVICE_FEATURE_PROBE |
                            VFIO_DEVICE_FEATURE_SET |
                            VFIO_DEVICE_FEATURE_DMA_LOGGING_START, NULL, 0),
                    ==, 0);
    g_assert_cmpint(feature(v.d, VFIO_DEVICE_FEATURE_PROBE |
                            VFIO_DEVICE_FEATURE_GET |
                            VFIO_DEVICE_FEATURE_DMA_LOGGING_START, NULL, 0),
                    ==, -EINVAL);
    g_assert_cmpint(log_start(v.d, 4096, r, 0, NULL), ==, -EINVAL);
    for (uint64_t i = 0; i <= max; i++) {
        many[i].iova = i * 64 * KiB;
        many[i].length = 64 * KiB;
    }
    g_assert_cmpint(log_start(v.d, 4096, many, max + 1, NULL), ==, -E2BIG);
    g_assert_cmpint(log_start(v.d, 3000, r, 2, NULL), ==, -EINVAL);
    g_assert_cmpint(log_start(v.d, 2048, r, 2, NULL), ==, -EINVAL);
    r[2] = (struct vfio_device_feature_dma_logging_range) { 8 * MiB, 0 };
    g_assert_cmpint(log_start(v.d, 4096, r, 3, NULL), ==, -EINVAL);
    r[2].iova = 8 * MiB + 512;
    r[2].length = 4096;
    g_assert_cmpint(log_start(v.d, 4096, r, 3, NULL), ==, -EINVAL);
    r[2].iova = 512 * KiB;                  /* inside the first */
    g_assert_cmpint(log_start(v.d, 4096, r, 3, NULL), ==, -EINVAL);
    r[2].iova = -4096ULL;
    r[2].length = 8192;
    g_assert_cmpint(log_start(v.d, 4096, r, 3, NULL), ==, -EOVERFLOW);
    g_assert_cmpint(log_start(v.d, 4096, many, max, &chosen), ==, 0);
    g_assert_cmpuint(chosen, ==, 4096);
    g_assert_cmpint(log_start(v.d, 4096, r, 2, NULL), ==, -EBUSY);
    g_assert_cmpint(log_stop(v.d), ==, 0);
    g_assert_cmpint(log_stop(v.d), ==, 0);
    dev_close(&v);

    dev_open(&v, 3);                        /* dirty-log=off */
    g_assert_cmpint(log_start(v.d, 4096, r, 2, NULL), ==, -ENOTTY);
    g_assert_cmpint(log_stop(v.d), ==, -ENOTTY);
    dev_close(&v);
}

/*
 * Pages the device writes, and only those, are reported at the
 * report's page size; a report clears them; bits already set in the
 * user's bitmap stay set; reads are not logged.
 */
static void test_logging_report_device_writes(void)
{
    struct vfio_device_feature_dma_logging_range r = { 0, 4 * MiB };
    uint8_t *ram = alloc_aligned(4 * MiB, 64 * KiB);
    uint64_t bm[16] = { 0 };
    Dev v;

    dev_open(&v, 1);
    g_assert_cmpint(reg_mem(v.c, ram, 4 * MiB), ==, 0);
    g_assert_cmpint(map_dma(v.c, ram, 0, 4 * MiB, RW), ==, 0);
    wr(v.d, CFG_OFF + PCI_COMMAND, 2,
       PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    g_assert_cmpint(log_report(v.d, 0, 4 * MiB, 4096, bm), ==, -EINVAL);
    g_assert_cmpint(log_start(v.d, 4096, &r, 1, NULL), ==, 0);
    g_assert_cmpint(log_report(v.d, 0, 4 * MiB, 2048, bm), ==, -EINVAL);
    /* FILL 5000 bytes at 1 MiB + 100: 4 KiB pages 256 and 257 */
    wr(v.d, BAR0_OFF + DMAE_REG_DST, 8, 1 * MiB + 100);
    wr(v.d, BAR0_OFF + DMAE_REG_LEN, 8, 5000);
    wr(v.d, BAR0_OFF + DMAE_REG_CMD, 4, DMAE_CMD_FILL);
    g_assert_cmpuint(rd(v.d, BAR0_OFF + DMAE_REG_STATUS, 4), ==,
                     DMAE_STATUS_DONE);
    /* CHECKSUM only reads */
    wr(v.d, BAR0_OFF + DMAE_REG_SRC, 8, 2 * MiB);
    wr(v.d, BAR0_OFF + DMAE_REG_CMD, 4, DMAE_CMD_CHECKSUM);
    bm[0] = 1;                              /* the user's own bit */
    g_assert_cmpint(log_report(v.d, 0, 4 * MiB, 64 * KiB, bm), ==, 0);
    g_assert_cmpuint(bm[0], ==, 1 | 1ULL << 16);
    memset(bm, 0, sizeof(bm));
    g_assert_cmpint(log_report(v.d, 0, 4 * MiB, 64 * KiB, bm), ==, 0);
    g_assert_cmpuint(bm[0], ==, 0);         /* cleared by the report */
    wr(v.d, BAR0_OFF + DMAE_REG_CMD, 4, DMAE_CMD_FILL);
    g_assert_cmpint(log_report(v.d, 1 * MiB, 1 * MiB, 4096, bm), ==, 0);
    g_assert_cmpuint(bm[0], ==, 3);
    for (unsigned i = 1; i < G_N_ELEMENTS(bm); i++) {
        g_assert_cmpuint(bm[i], ==, 0);
    }
    g_assert_cmpint(log_stop(v.d), ==, 0);
    g_assert_cmpint(log_report(v.d, 0, 4 * MiB, 4096, bm), ==, -EINVAL);
    g_assert_cmpint(unmap_dma(v.c, 0, 4 * MiB), ==, 0);
    g_assert_cmpint(unreg_mem(v.c, ram, 4 * MiB), ==, 0);
    dev_close(&v);
    munmap(ram, 4 * MiB);
}

/*
 * The P2P and PRE_COPY states keep the engine running (it does no
 * peer-to-peer DMA), and a running transfer makes pre-copy data dirty.
 */
static void test_engine_runs_in_p2p_and_precopy(void)
{
    struct vfio_precopy_info pi;
    uint8_t buf[4096];
    uint64_t d0;
    uint8_t *ram;
    int fd;
    Dev v;

    ram = xfer_setup(&v, 6);
    xfer_start(&v);
    g_assert_cmpint(set_state(v.d, RUNNING_P2P, NULL), ==, 0);
    d0 = rd(v.d, BAR0_OFF + DMAE_REG_DONE, 8);
    d0 = wait_progress(&v, d0);
    g_assert_cmpint(set_state(v.d, PRE_COPY_P2P, &fd), ==, 0);
    while (read(fd, buf, sizeof(buf)) > 0) {
        /* the initial snapshot */
    }
    wait_progress(&v, d0);
    g_assert_cmpint(precopy_info(fd, &pi), ==, 0);
    g_assert_cmpuint(pi.initial_bytes, ==, 0);
    g_assert_cmpuint(pi.dirty_bytes, >, 0);
    g_assert_cmpint(set_state(v.d, RUNNING, NULL), ==, 0);
    close(fd);
    g_assert_cmpuint(xfer_wait(&v), ==, DMAE_STATUS_DONE);
    g_assert_cmpint(memcmp(ram + XFER_SRC, ram + XFER_DST, XFER_LEN), ==, 0);
    xfer_teardown(&v, ram);
}

/*
 * Reports taken while the engine copies: each 4 KiB page of the
 * destination is reported exactly once over the reports, no page
 * outside it ever is, and what was reported is what DONE says moved.
 */
static void test_logging_exact_while_engine_runs(void)
{
    struct vfio_device_feature_dma_logging_range r = { 0, 16 * MiB };
    const uint64_t words = 16 * MiB / 4096 / 64;
    g_autofree uint64_t *seen = g_new0(uint64_t, words);
    g_autofree uint64_t *bm = g_new0(uint64_t, words);
    uint64_t pages = 0, done;
    uint8_t *ram;
    Dev v;

    ram = xfer_setup(&v, 6);
    g_assert_cmpint(log_start(v.d, 4096, &r, 1, NULL), ==, 0);
    xfer_start(&v);
    do {
        g_usleep(20000);
        done = rd(v.d, BAR0_OFF + DMAE_REG_DONE, 8);
        memset(bm, 0, words * 8);
        g_assert_cmpint(log_report(v.d, 0, 16 * MiB, 4096, bm), ==, 0);
        for (uint64_t i = 0; i < words; i++) {
            g_assert_cmpuint(seen[i] & bm[i], ==, 0);  /* once each */
            seen[i] |= bm[i];
            pages += __builtin_popcountll(bm[i]);
        }
        /* the engine may have moved on after DONE was read */
        g_assert_cmpuint(pages, >=, done / 4096);
    } while (rd(v.d, BAR0_OFF + DMAE_REG_STATUS, 4) == DMAE_STATUS_BUSY);
    memset(bm, 0, words * 8);
    g_assert_cmpint(log_report(v.d, 0, 16 * MiB, 4096, bm), ==, 0);
    for (uint64_t i = 0; i < words; i++) {
        seen[i] |= bm[i];
    }
    for (uint64_t p = 0; p < 16 * MiB / 4096; p++) {
        bool in_dst = p >= XFER_DST / 4096 &&
                      p < (XFER_DST + XFER_LEN) / 4096;

        g_assert_cmpint(!!(seen[p / 64] & 1ULL << (p % 64)), ==, in_dst);
    }
    g_assert_cmpint(log_stop(v.d), ==, 0);
    xfer_teardown(&v, ram);
}

static int msi_eventfd(int d)
{
    int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct {
        struct vfio_irq_set s;
        int32_t fd;
    } set = { { .argsz = sizeof(set), .flags = VFIO_IRQ_SET_DATA_EVENTFD |
                VFIO_IRQ_SET_ACTION_TRIGGER, .index = VFIO_PCI_MSI_IRQ_INDEX,
                .count = 1 }, efd };

    g_assert_cmpint(efd, >=, 0);
    g_assert_cmpint(xioctl(d, VFIO_DEVICE_SET_IRQS, &set), ==, 0);
    return efd;
}

/*
 * A stopped device raises no interrupt: a command that ends while it is
 * stopped leaves the interrupt pending, the saved state carries it, and
 * the resumed device raises it once it runs.
 */
static void test_pending_interrupt_carried(void)
{
    g_autoptr(GByteArray) b = NULL;
    uint64_t cnt;
    int efd, fd;
    Dev v;

    dev_open(&v, 1);
    wr(v.d, CFG_OFF + PCI_COMMAND, 2,
       PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    efd = msi_eventfd(v.d);
    g_assert_cmpint(set_state(v.d, STOP, NULL), ==, 0);
    wr(v.d, BAR0_OFF + DMAE_REG_CMD, 4, 7);         /* a bad command */
    g_assert_cmpuint(rd(v.d, BAR0_OFF + DMAE_REG_STATUS, 4), ==,
                     DMAE_STATUS_ERROR);
    g_assert_cmpint(read(efd, &cnt, 8), ==, -1);    /* nothing raised */
    g_assert_cmpint(set_state(v.d, STOP_COPY, &fd), ==, 0);
    b = read_all(fd);
    close(fd);
    g_assert_cmpint(xioctl(v.d, VFIO_DEVICE_RESET, NULL), ==, 0);
    close(efd);
    wr(v.d, CFG_OFF + PCI_COMMAND, 2,
       PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    efd = msi_eventfd(v.d);
    g_assert_cmpint(set_state(v.d, STOP, NULL), ==, 0);
    g_assert_cmpint(resume(v.d, b, STOP), ==, 0);
    g_assert_cmpint(read(efd, &cnt, 8), ==, -1);    /* still stopped */
    g_assert_cmpint(set_state(v.d, RUNNING, NULL), ==, 0);
    g_assert_cmpint(read(efd, &cnt, 8), ==, 8);
    g_assert_cmpuint(rd(v.d, BAR0_OFF + DMAE_REG_ERR_KIND, 4), ==,
                     DMAE_ERR_BAD_CMD);
    close(efd);
    dev_close(&v);
}

/* ---- exit ---- */

/* A process that exits holding a data_fd: STOP_COPY, the fd left open. */
static int leak_child(void)
{
    int fd;
    Dev v;

    dev_open(&v, 1);
    g_assert_cmpint(set_state(v.d, STOP_COPY, &fd), ==, 0);
    g_assert_cmpint(fd, >=, 0);
    return 0;
}

/*
 * At exit the data_fd closes with the process's other files (the
 * driver's release), and the report shows it was the exit that did.
 */
static void test_exit_report_releases_data_fd(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonParser) p = json_parser_new();
    g_auto(GStrv) env = g_get_environ();
    g_autofree char *rep = g_strdup_printf("%s/vsim-mig-report-%d.json",
                                           g_get_tmp_dir(), getpid());
    const char *argv[] = { self_exe, "--leak-child", NULL };
    JsonObject *r, *dev;
    int status;

    env = g_environ_unsetenv(env, "VFIO_SIM_CONTROL");
    env = g_environ_setenv(env, "VFIO_SIM_REPORT", rep, true);
    g_spawn_sync(NULL, (char **)argv, env, G_SPAWN_DEFAULT, NULL, NULL,
                 NULL, NULL, &status, &err);
    g_assert_no_error(err);
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    g_assert_true(json_parser_load_from_file(p, rep, &err));
    g_assert_no_error(err);
    unlink(rep);
    r = json_node_get_object(json_parser_get_root(p));
    dev = json_array_get_object_element(
        json_object_get_array_member(r, "devices"), 0);
    dev = json_object_get_object_member(dev, "migration");
    g_assert_cmpstr(json_object_get_string_member(dev, "state"), ==,
                    "STOP_COPY");
    g_assert_cmpint(json_object_get_int_member(dev, "data_fds"), ==, 1);
    g_assert_cmpint(json_object_get_int_member(
        json_object_get_object_member(r, "released_at_exit"), "data_fds"),
        ==, 1);
    g_assert_cmpint(json_object_get_int_member(
        json_object_get_object_member(r, "left_after_exit"), "data_fds"),
        ==, 0);
}

int main(int argc, char **argv)
{
    self_exe = argv[0];
    if (argc == 4 && !strcmp(argv[1], "--resume-child")) {
        return resume_child(argv[2], g_ascii_strtoull(argv[3], NULL, 10));
    }
    if (argc == 2 && !strcmp(argv[1], "--leak-child")) {
        return leak_child();
    }
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio-sim/vfio_ioctl_device_feature/flags-argsz-probe",
                    test_feature_checks);
    g_test_add_func("/vfio-sim/vfio_ioctl_device_feature_migration/"
                    "flags-per-device-and-enotty-without",
                    test_feature_flags_per_device);
    g_test_add_func("/vfio-sim/vfio_mig_get_next_state/"
                    "every-pair-takes-documented-arcs-shortest-path",
                    test_next_state_every_pair);
    g_test_add_func("/vfio-sim/vfio_mig_get_next_state/"
                    "unsupported-states-skipped-or-einval",
                    test_next_state_skips_unsupported);
    g_test_add_func("/vfio-sim/vfio_mig_get_next_state/"
                    "error-state-left-only-by-reset",
                    test_error_state_needs_reset);
    g_test_add_func("/vfio-sim/vfio_ioctl_device_feature_mig_device_state/"
                    "stop-copy-data-fd-read-to-eof",
                    test_data_fd_stop_copy);
    g_test_add_func("/vfio-sim/vfio_ioctl_device_feature_mig_device_state/"
                    "resume-restores-registers",
                    test_data_fd_round_trip);
    g_test_add_func("/vfio-sim/vfio_ioctl_device_feature_mig_device_state/"
                    "transfer-in-flight-finishes-after-resume",
                    test_transfer_in_flight_resumes);
    g_test_add_func("/vfio-sim/vfio_ioctl_device_feature_mig_device_state/"
                    "corrupt-or-truncated-state-fails-into-error",
                    test_resume_rejects_corrupt_and_truncated);
    g_test_add_func("/vfio-sim/vfio_mig_get_precopy_info/"
                    "initial-dirty-enomsg-and-stop-copy-continues",
                    test_precopy_info_and_enomsg);
    g_test_add_func("/vfio-sim/mig-fault/arc-data-fd-and-precopy-info",
                    test_fault_arc_and_data_fd);
    g_test_add_func("/vfio-sim/dma-engine/rate-runs-on-device-thread",
                    test_rate_runs_on_device_thread);
    g_test_add_func("/vfio-sim/vfio_ioctl_device_feature_mig_device_state/"
                    "stop-pauses-at-page-boundary-other-process-resumes",
                    test_stop_pauses_and_other_process_resumes);
    g_test_add_func("/vfio-sim/vfio_ioctl_device_feature_logging_start/"
                    "ranges-page-size-busy-and-enotty",
                    test_logging_start_checks);
    g_test_add_func("/vfio-sim/vfio_ioctl_device_feature_logging_report/"
                    "device-writes-reported-and-cleared",
                    test_logging_report_device_writes);
    g_test_add_func("/vfio-sim/vfio_mig_get_next_state/"
                    "engine-runs-in-p2p-and-precopy-states",
                    test_engine_runs_in_p2p_and_precopy);
    g_test_add_func("/vfio-sim/vfio_ioctl_device_feature_logging_report/"
                    "exact-pages-while-engine-runs",
                    test_logging_exact_while_engine_runs);
    g_test_add_func("/vfio-sim/vfio_ioctl_device_feature_mig_device_state/"
                    "pending-interrupt-carried-and-raised-when-running",
                    test_pending_interrupt_carried);
    g_test_add_func("/vfio-sim/exit_files/"
                    "exit-report-data-fd-released-at-exit",
                    test_exit_report_releases_data_fd);
    return g_test_run();
}
