/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * In-process machine fixture for the hw/ppc unit tests.
 */
#include "spapr-fixture.h"
#include "hw/qdev.h"

void fx_start(uint64_t ram_size, const char *const *devices)
{
    MachineOptions opts = { .ram_size = ram_size ? ram_size : FX_RAM_SIZE };
    Error *err = NULL;

    if (!machine_create(&opts, &err)) {
        g_error("machine_create: %s", error_get_pretty(err));
    }
    for (; devices && *devices; devices++) {
        if (!qdev_device_add_str(*devices, &err)) {
            g_error("-device %s: %s", *devices, error_get_pretty(err));
        }
    }
    if (!machine_creation_done(&err)) {
        g_error("machine_creation_done: %s", error_get_pretty(err));
    }
}

void fx_stop(void)
{
    machine_destroy();
}

void fx_write(hwaddr addr, const void *buf, hwaddr len)
{
    g_assert_cmpint(address_space_write(&address_space_memory, addr,
                                        MEMTXATTRS_UNSPECIFIED, buf, len),
                    ==, MEMTX_OK);
}

void fx_read(hwaddr addr, void *buf, hwaddr len)
{
    g_assert_cmpint(address_space_read(&address_space_memory, addr,
                                       MEMTXATTRS_UNSPECIFIED, buf, len),
                    ==, MEMTX_OK);
}

void fx_stq(hwaddr addr, uint64_t val)
{
    val = GUINT64_TO_BE(val);
    fx_write(addr, &val, 8);
}

uint64_t fx_ldq(hwaddr addr)
{
    uint64_t val;

    fx_read(addr, &val, 8);
    return GUINT64_FROM_BE(val);
}

int64_t fx_hcall(uint64_t opcode, unsigned nargs, const uint64_t *args,
                 uint64_t *out)
{
    uint64_t o[SPAPR_HCALL_MAX_OUT];
    unsigned nout = ARRAY_SIZE(o);
    int64_t ret = machine_hcall(opcode, args, nargs, o, &nout);

    if (out) {
        *out = nout ? o[0] : ~0ULL;
    }
    return ret;
}

int64_t fx_put_tce(uint32_t liobn, uint64_t ioba, uint64_t tce)
{
    uint64_t args[] = { liobn, ioba, tce };

    return fx_hcall(H_PUT_TCE, 3, args, NULL);
}

uint64_t fx_get_tce(uint32_t liobn, uint64_t ioba)
{
    uint64_t args[] = { liobn, ioba }, out;

    g_assert_cmpint(fx_hcall(H_GET_TCE, 2, args, &out), ==, H_SUCCESS);
    return out;
}

int32_t fx_rtas(const char *name, uint32_t nargs, const uint32_t *args,
                uint32_t nret, uint32_t *rets)
{
    uint32_t i, be;

    for (i = 0; i < nargs; i++) {
        be = GUINT32_TO_BE(args[i]);
        fx_write(FX_RTAS_ARGS + 4 * i, &be, 4);
    }
    /* Poison one word more than the caller gave, to catch overruns. */
    for (i = 0; i <= nret; i++) {
        be = GUINT32_TO_BE(FX_RET_POISON);
        fx_write(FX_RTAS_RETS + 4 * i, &be, 4);
    }
    g_assert_true(machine_rtas(name, nargs, FX_RTAS_ARGS, nret,
                               FX_RTAS_RETS));
    for (i = 0; i <= nret; i++) {
        fx_read(FX_RTAS_RETS + 4 * i, &be, 4);
        if (i < nret && rets) {
            rets[i] = GUINT32_FROM_BE(be);
        }
        if (i == nret) {
            g_assert_cmphex(GUINT32_FROM_BE(be), ==, FX_RET_POISON);
        }
    }
    return nret ? (int32_t)(rets ? rets[0] : 0) : 0;
}

int32_t fx_ddw_query(uint64_t buid, uint32_t *avail, uint32_t *pgmask)
{
    uint32_t args[] = { 0, buid >> 32, (uint32_t)buid }, rets[5];
    int32_t st = fx_rtas("ibm,query-pe-dma-window", 3, args, 5, rets);

    if (avail) {
        *avail = rets[1];
    }
    if (pgmask) {
        *pgmask = rets[3];
    }
    return st;
}

int32_t fx_ddw_create(uint64_t buid, uint32_t page_shift,
                      uint32_t window_shift, uint32_t *liobn,
                      uint64_t *addr)
{
    uint32_t args[] = { 0, buid >> 32, (uint32_t)buid, page_shift,
                        window_shift };
    uint32_t rets[4];
    int32_t st = fx_rtas("ibm,create-pe-dma-window", 5, args, 4, rets);

    if (liobn) {
        *liobn = rets[1];
    }
    if (addr) {
        *addr = (uint64_t)rets[2] << 32 | rets[3];
    }
    return st;
}

int32_t fx_ddw_remove(uint32_t liobn)
{
    uint32_t rets[1];

    return fx_rtas("ibm,remove-pe-dma-window", 1, &liobn, 1, rets);
}

int32_t fx_ddw_reset(uint64_t buid)
{
    uint32_t args[] = { 0, buid >> 32, (uint32_t)buid }, rets[1];

    return fx_rtas("ibm,reset-pe-dma-window", 3, args, 1, rets);
}

static void fx_notify(IOMMUNotifier *n, const IOMMUTLBEntry *entries,
                      unsigned count)
{
    FxNotifier *fn = container_of(n, FxNotifier, n);
    guint c = count;

    g_array_append_val(fn->batches, c);
    g_array_append_vals(fn->entries, entries, count);
}

void fx_notifier_register(FxNotifier *fn, IOMMUMemoryRegion *iommu,
                          IOMMUNotifierFlag flags)
{
    iommu_notifier_init(&fn->n, fx_notify, flags, 0, HWADDR_MAX, 0);
    fn->batches = g_array_new(FALSE, FALSE, sizeof(guint));
    fn->entries = g_array_new(FALSE, FALSE, sizeof(IOMMUTLBEntry));
    /* Keep the region alive past a window removal, as VFIO does. */
    fn->mr = IOMMU_MR_REGION(iommu);
    memory_region_ref(fn->mr);
    g_assert_cmpint(memory_region_register_iommu_notifier(
                        IOMMU_MR_REGION(iommu), &fn->n, &error_abort),
                    ==, 0);
}

void fx_notifier_unregister(FxNotifier *fn)
{
    memory_region_unregister_iommu_notifier(fn->mr, &fn->n);
    memory_region_unref(fn->mr);
    g_array_free(fn->batches, TRUE);
    g_array_free(fn->entries, TRUE);
}

void fx_notifier_clear(FxNotifier *fn)
{
    g_array_set_size(fn->batches, 0);
    g_array_set_size(fn->entries, 0);
}
