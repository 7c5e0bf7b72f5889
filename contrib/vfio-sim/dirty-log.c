/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vfio-sim: device DMA logging (VFIO_DEVICE_FEATURE_DMA_LOGGING_*).
 *
 * The device records each page it writes, by IOVA, inside the ranges
 * DMA_LOGGING_START gave it, at the page size it chose; REPORT sets the
 * bits of the written pages in the user's bitmap (never clears one)
 * and clears them in the log.  The checks are vfio_main.c's
 * (vfio_ioctl_device_feature_logging_start / _stop / _report); the
 * page size choice and the "already started" answer are the driver's.

 */
#include <errno.h>
#include <string.h>
#include "mig.h"

#define LOG_MIN_SHIFT   12          /* the device tracks 4 KiB at least */
#define LOG_MAX_SHIFT   30          /* and 1 GiB at most */

typedef struct LogRange {
    uint64_t start, last;
} LogRange;

struct VsimDirtyLog {
    unsigned shift;             /* tracking page size */
    GArray *ranges;             /* LogRange */
    GHashTable *dirty;          /* page index (iova >> shift) set */
};

static bool pow2(uint64_t v)
{
    return v && !(v & (v - 1));
}

static void log_free(VsimDevice *d)
{
    if (d->dlog) {
        g_array_unref(d->dlog->ranges);
        g_hash_table_unref(d->dlog->dirty);
        g_clear_pointer(&d->dlog, g_free);
    }
}

/*
 * vfio_ioctl_device_feature_logging_start: SET only; num_ranges 1 up to
 * what fits in one kernel page (E2BIG beyond); every range aligned to
 * page_size and non-empty (EINVAL), not wrapping (EOVERFLOW), not
 * overlapping another (EINVAL).  vfio-sim also refuses a page_size that
 * is not a power of two of at least 4 KiB (EINVAL), as REPORT does; a
 * second START before STOP is EBUSY.  The chosen page size goes back.
 */
long vsim_dirty_log_start(VsimDevice *d, uint32_t flags, void *data,
                          size_t size)
{
    struct vfio_device_feature_dma_logging_control ctl;
    struct vfio_device_feature_dma_logging_range r;
    g_autoptr(GArray) ranges = NULL;
    uint64_t end, max = vsim_page_size() / sizeof(r);
    int ret = vsim_check_feature(flags, size, VFIO_DEVICE_FEATURE_SET,
                                 sizeof(ctl));
    unsigned shift;

    if (ret != 1) {
        return ret;
    }
    if (vsim_copy_from_user(&ctl, data, sizeof(ctl)) < 0) {
        return -EFAULT;
    }
    if (!ctl.num_ranges) {
        return -EINVAL;
    }
    if (ctl.num_ranges > max) {
        return -E2BIG;
    }
    if (!pow2(ctl.page_size) || ctl.page_size < (1ULL << LOG_MIN_SHIFT)) {
        return -EINVAL;
    }
    ranges = g_array_new(false, false, sizeof(LogRange));
    for (uint32_t i = 0; i < ctl.num_ranges; i++) {
        LogRange lr;

        if (vsim_copy_from_user(&r, (void *)(uintptr_t)ctl.ranges +
                                i * sizeof(r), sizeof(r)) < 0) {
            return -EFAULT;
        }
        if ((r.iova | r.length) & (ctl.page_size - 1) || !r.length) {
            return -EINVAL;
        }
        if (__builtin_add_overflow(r.iova, r.length, &end)) {
            return -EOVERFLOW;
        }
        lr = (LogRange) { r.iova, end - 1 };
        for (guint j = 0; j < ranges->len; j++) {
            LogRange *o = &g_array_index(ranges, LogRange, j);

            if (lr.start <= o->last && o->start <= lr.last) {
                return -EINVAL;
            }
        }
        g_array_append_val(ranges, lr);
    }
    if (d->dlog) {
        return -EBUSY;
    }
    shift = MIN((unsigned)__builtin_ctzll(ctl.page_size), LOG_MAX_SHIFT);
    ctl.page_size = 1ULL << shift;
    if (vsim_copy_to_user(data, &ctl, sizeof(ctl)) < 0) {
        return -EFAULT;
    }
    d->dlog = g_new0(VsimDirtyLog, 1);
    d->dlog->shift = shift;
    d->dlog->ranges = g_steal_pointer(&ranges);
    d->dlog->dirty = g_hash_table_new_full(g_int64_hash, g_int64_equal,
                                           g_free, NULL);
    return 0;
}

/* vfio_ioctl_device_feature_logging_stop: SET only; not started is 0. */
long vsim_dirty_log_stop(VsimDevice *d, uint32_t flags, void *data,
                         size_t size)
{
    int ret = vsim_check_feature(flags, size, VFIO_DEVICE_FEATURE_SET, 0);

    if (ret != 1) {
        return ret;
    }
    log_free(d);
    return 0;
}

/*
 * vfio_ioctl_device_feature_logging_report: GET only; page_size a power
 * of two of at least 4 KiB (EINVAL), iova + length not wrapping
 * (EOVERFLOW); logging must be on (the driver's EINVAL).  Each logged
 * page in the range sets the bits of every report page it touches;
 * the log forgets the pages of the range.
 */
long vsim_dirty_log_report(VsimDevice *d, uint32_t flags, void *data,
                           size_t size)
{
    struct vfio_device_feature_dma_logging_report rep;
    VsimDirtyLog *l = d->dlog;
    g_autoptr(GArray) hits = NULL;
    GHashTableIter it;
    uint64_t end, *key;
    int ret = vsim_check_feature(flags, size, VFIO_DEVICE_FEATURE_GET,
                                 sizeof(rep));

    if (ret != 1) {
        return ret;
    }
    if (vsim_copy_from_user(&rep, data, sizeof(rep)) < 0) {
        return -EFAULT;
    }
    if (!pow2(rep.page_size) || rep.page_size < (1ULL << LOG_MIN_SHIFT)) {
        return -EINVAL;
    }
    if (__builtin_add_overflow(rep.iova, rep.length, &end)) {
        return -EOVERFLOW;
    }
    if (!l) {
        return -EINVAL;
    }
    hits = g_array_new(false, false, sizeof(uint64_t));
    g_hash_table_iter_init(&it, l->dirty);
    while (g_hash_table_iter_next(&it, (gpointer *)&key, NULL)) {
        uint64_t a = *key << l->shift, b = a + (1ULL << l->shift) - 1;

        if (b < rep.iova || a >= end) {
            continue;
        }
        a = MAX(a, rep.iova);
        b = MIN(b, end - 1);
        for (uint64_t p = (a - rep.iova) / rep.page_size;
             p <= (b - rep.iova) / rep.page_size; p++) {
            uint64_t word, *uw = (uint64_t *)(uintptr_t)rep.bitmap + p / 64;

            if (vsim_copy_from_user(&word, uw, sizeof(word)) < 0) {
                return -EFAULT;
            }
            word |= 1ULL << (p % 64);
            if (vsim_copy_to_user(uw, &word, sizeof(word)) < 0) {
                return -EFAULT;
            }
        }
        g_array_append_val(hits, *key);
    }
    for (guint i = 0; i < hits->len; i++) {
        uint64_t k = g_array_index(hits, uint64_t, i);
        uint64_t a = k << l->shift, b = a + (1ULL << l->shift) - 1;

        /* a tracked page wholly inside the report is clean again */
        if (a >= rep.iova && b <= end - 1) {
            g_hash_table_remove(l->dirty, &k);
        }
    }
    return 0;
}

/* The device fd's last close stops logging, as the driver's close. */
void vsim_dirty_log_close(VsimDevice *d)
{
    log_free(d);
}

/* The device wrote [iova, iova + len): log its pages inside a range. */
void vsim_dirty_log_write(VsimDevice *d, uint64_t iova, uint64_t len)
{
    VsimDirtyLog *l = d->dlog;

    if (!l || !len) {
        return;
    }
    for (guint j = 0; j < l->ranges->len; j++) {
        LogRange *r = &g_array_index(l->ranges, LogRange, j);
        uint64_t a = MAX(iova, r->start), b = MIN(iova + len - 1, r->last);

        for (uint64_t p = a >> l->shift; a <= b && p <= b >> l->shift;
             p++) {
            if (!g_hash_table_contains(l->dirty, &p)) {
                g_hash_table_add(l->dirty, g_memdup2(&p, sizeof(p)));
            }
        }
    }
}

JsonObject *vsim_dirty_log_json(VsimDevice *d)
{
    JsonObject *o = json_object_new();

    json_object_set_boolean_member(o, "started", d->dlog != NULL);
    if (d->dlog) {
        json_object_set_int_member(o, "page_size", 1ULL << d->dlog->shift);
        json_object_set_int_member(o, "ranges", d->dlog->ranges->len);
        json_object_set_int_member(o, "dirty_pages",
                                   g_hash_table_size(d->dlog->dirty));
    }
    return o;
}
