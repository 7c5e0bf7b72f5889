/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Helpers shared by the vfio-sim migration tests (test-migration.c,
 * test-dma-async.c, test-dirty-log.c): a device opened as a VMM opens
 * it, VFIO_DEVICE_FEATURE calls, the data_fd, and a rate-limited COPY.
 *
 * Devices (tests/vfio-sim/meson.build): 01.0 all of STOP_COPY|P2P|
 * PRE_COPY, 02.0 stop-copy only, 03.0 migration=off,dirty-log=off,
 * 04.0 p2p, 05.0 precopy, 06.0 all with rate=8m (asynchronous engine).
 */
#ifndef MIG_TEST_H
#define MIG_TEST_H

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

typedef struct Dev {
    int c, g, d;
    unsigned n;
    char bdf[16];
} Dev;

static inline void dev_open(Dev *v, unsigned n)
{
    v->n = n;
    snprintf(v->bdf, sizeof(v->bdf), "0001:00:%02x.0", n);
    v->c = setup_container(n, VFIO_SPAPR_TCE_v2_IOMMU, &v->g);
    v->d = xioctl(v->g, VFIO_GROUP_GET_DEVICE_FD, v->bdf);
    g_assert_cmpint(v->d, >=, 0);
}

static inline void dev_close(Dev *v)
{
    close(v->d);
    close(v->g);
    close(v->c);
}

/* VFIO_DEVICE_FEATURE with a payload; -errno or 0. */
static inline long feature(int d, uint32_t flags, void *data, size_t size)
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
static inline long set_state(int d, uint32_t state, int *fd)
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

static inline uint32_t get_state(int d)
{
    struct vfio_device_feature_mig_state m = { .data_fd = -2 };

    g_assert_cmpint(feature(d, VFIO_DEVICE_FEATURE_GET |
                            VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE,
                            &m, sizeof(m)), ==, 0);
    g_assert_cmpint(m.data_fd, ==, -1);
    return m.device_state;
}

static inline JsonObject *mig_json(const char *bdf)
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
static inline char *last_path(const char *bdf)
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

static inline void mig_fault(const char *bdf, const char *key, const char *val,
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

static inline uint64_t rd(int d, uint64_t off, unsigned size)
{
    uint64_t v = 0;

    g_assert_cmpint(pread(d, &v, size, off), ==, size);
    return GUINT64_FROM_LE(v);
}

static inline void wr(int d, uint64_t off, unsigned size, uint64_t v)
{
    v = GUINT64_TO_LE(v);
    g_assert_cmpint(pwrite(d, &v, size, off), ==, size);
}

/* Read a data_fd to its end (EOF); asserts each read succeeds. */
static inline GByteArray *read_all(int fd)
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
static inline GByteArray *save_state(int d)
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
static inline long resume(int d, GByteArray *b, uint32_t to)
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

static inline long precopy_info(int fd, struct vfio_precopy_info *pi)
{
    memset(pi, 0, sizeof(*pi));
    pi->argsz = sizeof(*pi);
    return xioctl(fd, VFIO_MIG_GET_PRECOPY_INFO, pi);
}

#define XFER_LEN    (4 * MiB)
#define XFER_SRC    0
#define XFER_DST    (8 * MiB)

static inline uint8_t *xfer_setup(Dev *v, unsigned n)
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

static inline void xfer_teardown(Dev *v, uint8_t *ram)
{
    g_assert_cmpint(unmap_dma(v->c, 0, 16 * MiB), ==, 0);
    g_assert_cmpint(unreg_mem(v->c, ram, 16 * MiB), ==, 0);
    dev_close(v);
    munmap(ram, 16 * MiB);
}

static inline void xfer_start(Dev *v)
{
    wr(v->d, BAR0_OFF + DMAE_REG_SRC, 8, XFER_SRC);
    wr(v->d, BAR0_OFF + DMAE_REG_DST, 8, XFER_DST);
    wr(v->d, BAR0_OFF + DMAE_REG_LEN, 8, XFER_LEN);
    wr(v->d, BAR0_OFF + DMAE_REG_CMD, 4, DMAE_CMD_COPY);
}

/* Poll STATUS until the engine is no longer busy (10 s at most). */
static inline uint32_t xfer_wait(Dev *v)
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
static inline uint64_t wait_progress(Dev *v, uint64_t from)
{
    uint64_t done = from;

    for (int i = 0; i < 5000 && done <= from; i++) {
        g_usleep(1000);
        done = rd(v->d, BAR0_OFF + DMAE_REG_DONE, 8);
    }
    g_assert_cmpuint(done, >, from);
    return done;
}

static inline long log_start(int d, uint64_t page, struct
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

static inline long log_stop(int d)
{
    return feature(d, VFIO_DEVICE_FEATURE_SET |
                   VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP, NULL, 0);
}

static inline long log_report(int d, uint64_t iova, uint64_t len, uint64_t page,
                       uint64_t *bitmap)
{
    struct vfio_device_feature_dma_logging_report r = {
        .iova = iova, .length = len, .page_size = page,
        .bitmap = (uintptr_t)bitmap,
    };
    return feature(d, VFIO_DEVICE_FEATURE_GET |
                   VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT, &r, sizeof(r));
}

static inline int msi_eventfd(int d)
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

#endif /* MIG_TEST_H */
