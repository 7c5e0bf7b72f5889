/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vfio-sim conformance: VFIO migration v2 of the simulated device
 * (VFIO_DEVICE_FEATURE, the migration FSM, the data_fd, faults).  Each
 * test name carries the kernel function whose behaviour it proves.
 */
#include "mig-test.h"

static const char *self_exe;

static const char *const names[NSTATES] = {
    "ERROR", "STOP", "RUNNING", "STOP_COPY", "RESUMING", "RUNNING_P2P",
    "PRE_COPY", "PRE_COPY_P2P",
};

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
    struct vfio_device_feature_migration mf = { 0 };
    struct vfio_device_feature_mig_data_size ds = { 0 };
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
    struct vfio_device_feature_mig_data_size ds = { 0 };
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
 * stream_open: a data_fd has no file position.  pread and pwrite are
 * ESPIPE whatever the fd's access mode (ksys_pread64/ksys_pwrite64
 * check FMODE_PREAD/FMODE_PWRITE first) and move no data.
 */
static void test_data_fd_is_a_stream(void)
{
    g_autoptr(GByteArray) b = NULL;
    g_autoptr(GByteArray) whole = NULL;
    uint8_t buf[16];
    int fd;
    Dev v;

    dev_open(&v, 1);
    whole = save_state(v.d);
    g_assert_cmpint(set_state(v.d, STOP_COPY, &fd), ==, 0);
    g_assert_cmpint(pread(fd, buf, sizeof(buf), 0), ==, -1);
    g_assert_cmpint(errno, ==, ESPIPE);
    g_assert_cmpint(pwrite(fd, buf, sizeof(buf), 0), ==, -1);
    g_assert_cmpint(errno, ==, ESPIPE);
    /* nothing was consumed: read gets the whole stream */
    b = read_all(fd);
    g_assert_cmpuint(b->len, ==, whole->len);
    close(fd);
    g_assert_cmpint(set_state(v.d, RUNNING, NULL), ==, 0);

    g_assert_cmpint(set_state(v.d, RESUMING, &fd), ==, 0);
    g_assert_cmpint(pwrite(fd, whole->data, whole->len, 0), ==, -1);
    g_assert_cmpint(errno, ==, ESPIPE);
    g_assert_cmpint(write(fd, whole->data, whole->len), ==, whole->len);
    g_assert_cmpint(set_state(v.d, RUNNING, NULL), ==, 0);
    close(fd);
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

/* A bad device option stops the process at start, naming it. */
static void test_bad_device_option_named(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *errout = NULL;
    g_auto(GStrv) env = g_get_environ();
    const char *argv[] = { self_exe, "--leak-child", NULL };
    int status;

    env = g_environ_unsetenv(env, "VFIO_SIM_CONTROL");
    env = g_environ_setenv(env, "VFIO_SIM_DEVICES",
                           "0001:00:01.0=dma-engine@1,migration=fast", true);
    g_spawn_sync(NULL, (char **)argv, env, G_SPAWN_DEFAULT, NULL, NULL,
                 NULL, &errout, &status, &err);
    g_assert_no_error(err);
    g_assert_false(g_spawn_check_wait_status(status, NULL));
    g_assert_nonnull(strstr(errout, "migration=fast: bad device option"));
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
    g_test_add_func("/vfio-sim/stream_open/data-fd-pread-pwrite-espipe",
                    test_data_fd_is_a_stream);
    g_test_add_func("/vfio-sim/mig-fault/arc-data-fd-and-precopy-info",
                    test_fault_arc_and_data_fd);
    g_test_add_func("/vfio-sim/vfio_ioctl_device_feature_mig_device_state/"
                    "pending-interrupt-carried-and-raised-when-running",
                    test_pending_interrupt_carried);
    g_test_add_func("/vfio-sim/config/bad-device-option-named",
                    test_bad_device_option_named);
    g_test_add_func("/vfio-sim/exit_files/"
                    "exit-report-data-fd-released-at-exit",
                    test_exit_report_releases_data_fd);
    return g_test_run();
}
