/*
 * vfio-sim: the "dma-engine" device model.
 *
 * A command runs to completion inside the register write that starts it
 * (status reads BUSY from other threads meanwhile), then the device
 * raises its interrupt.  All memory access goes through vsim_dma_*, so
 * the IOMMU decides every byte.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <string.h>
#include <linux/pci_regs.h>
#include "vsim.h"
#include "dma-engine.h"

static uint64_t reg_get(VsimDevice *d, unsigned off, unsigned size)
{
    uint64_t v = 0;

    memcpy(&v, &d->regs[off], size);
    return GUINT64_FROM_LE(v);
}

static void reg_set(VsimDevice *d, unsigned off, unsigned size, uint64_t v)
{
    v = GUINT64_TO_LE(v);
    memcpy(&d->regs[off], &v, size);
}

static void dmae_reset(VsimDevice *d)
{
    memset(d->regs, 0, sizeof(d->regs));
    reg_set(d, DMAE_REG_ID, 4, DMAE_ID_VALUE);
    reg_set(d, DMAE_REG_VERSION, 4, 1);
}

typedef struct DmaeRun {
    VsimDmaError err;
    uint64_t err_iova;
    uint64_t done;
    uint64_t sum;
} DmaeRun;

static bool xlate(VsimDevice *d, DmaeRun *r, uint64_t iova, bool to_mem,
                  void **host, uint64_t *avail)
{
    r->err = vsim_dma_translate(d, iova, to_mem, host, avail);
    if (r->err) {
        r->err_iova = iova;
    }
    return !r->err;
}

static void run_copy(VsimDevice *d, DmaeRun *r, uint64_t src, uint64_t dst,
                     uint64_t len)
{
    while (r->done < len) {
        void *s, *t;
        uint64_t as, at;

        /* check both sides of the chunk before moving any byte of it */
        if (!xlate(d, r, src + r->done, false, &s, &as) ||
            !xlate(d, r, dst + r->done, true, &t, &at)) {
            return;
        }
        as = MIN(MIN(as, at), len - r->done);
        memmove(t, s, as);
        r->done += as;
    }
}

static void run_fill(VsimDevice *d, DmaeRun *r, uint64_t dst, uint64_t len,
                     uint64_t pattern)
{
    uint8_t pat[8];

    pattern = GUINT64_TO_LE(pattern);
    memcpy(pat, &pattern, sizeof(pat));
    while (r->done < len) {
        uint8_t *t;
        uint64_t at;

        if (!xlate(d, r, dst + r->done, true, (void **)&t, &at)) {
            return;
        }
        at = MIN(at, len - r->done);
        for (uint64_t i = 0; i < at; i++) {
            t[i] = pat[(r->done + i) & 7];
        }
        r->done += at;
    }
}

static void run_checksum(VsimDevice *d, DmaeRun *r, uint64_t src,
                         uint64_t len)
{
    r->sum = DMAE_FNV_OFFSET;
    while (r->done < len) {
        const uint8_t *s;
        uint64_t as;

        if (!xlate(d, r, src + r->done, false, (void **)&s, &as)) {
            return;
        }
        as = MIN(as, len - r->done);
        for (uint64_t i = 0; i < as; i++) {
            r->sum = (r->sum ^ s[i]) * DMAE_FNV_PRIME;
        }
        r->done += as;
    }
}

static void dmae_execute(VsimDevice *d)
{
    uint32_t cmd = reg_get(d, DMAE_REG_CMD, 4);
    uint64_t src = reg_get(d, DMAE_REG_SRC, 8);
    uint64_t dst = reg_get(d, DMAE_REG_DST, 8);
    uint64_t len = reg_get(d, DMAE_REG_LEN, 8);
    uint32_t kind;
    DmaeRun r = { 0 };

    reg_set(d, DMAE_REG_ERR_IOVA, 8, 0);
    reg_set(d, DMAE_REG_ERR_KIND, 4, DMAE_ERR_NONE);
    reg_set(d, DMAE_REG_DONE, 8, 0);
    if (cmd == DMAE_CMD_NOP) {
        reg_set(d, DMAE_REG_STATUS, 4, DMAE_STATUS_IDLE);
        return;
    }
    reg_set(d, DMAE_REG_STATUS, 4, DMAE_STATUS_BUSY);
    switch (cmd) {
    case DMAE_CMD_COPY:
        run_copy(d, &r, src, dst, len);
        kind = r.err;
        break;
    case DMAE_CMD_FILL:
        run_fill(d, &r, dst, len, reg_get(d, DMAE_REG_PATTERN, 8));
        kind = r.err;
        break;
    case DMAE_CMD_CHECKSUM:
        run_checksum(d, &r, src, len);
        kind = r.err;
        if (!r.err) {
            reg_set(d, DMAE_REG_RESULT, 8, r.sum);
        }
        break;
    default:
        kind = DMAE_ERR_BAD_CMD;
        break;
    }
    reg_set(d, DMAE_REG_DONE, 8, r.done);
    reg_set(d, DMAE_REG_ERR_KIND, 4, kind);
    reg_set(d, DMAE_REG_ERR_IOVA, 8, r.err_iova);
    reg_set(d, DMAE_REG_STATUS, 4,
            kind ? DMAE_STATUS_ERROR : DMAE_STATUS_DONE);
    vsim_device_signal(d);
}

static uint64_t dmae_bar_read(VsimDevice *d, int bar, uint64_t off,
                              void *buf, uint64_t len)
{
    uint8_t *b = buf;

    for (uint64_t i = 0; i < len; i++) {
        b[i] = off + i < DMAE_REG_END ? d->regs[off + i] : 0;
    }
    return len;
}

static void dmae_bar_write(VsimDevice *d, int bar, uint64_t off,
                           const void *buf, uint64_t len)
{
    const uint8_t *b = buf;
    bool go = false;

    for (uint64_t i = 0; i < len; i++) {
        uint64_t o = off + i;

        /* SRC..CMD are writable; everything else reads as the device
         * says */
        if (o >= DMAE_REG_SRC && o < DMAE_REG_CMD + 4) {
            d->regs[o] = b[i];
            go |= o >= DMAE_REG_CMD;
        }
    }
    if (go) {
        vsim_device_lower_intx(d);  /* a new command ends the last one */
        dmae_execute(d);
    }
}

#define DMAE_MODEL                                                      \
    .vendor = DMAE_VENDOR_ID,                                           \
    .device = DMAE_DEVICE_ID,                                           \
    .class_code = DMAE_CLASS,                                           \
    .bar_size = { [0] = DMAE_BAR0_SIZE, [2] = DMAE_BAR2_SIZE },         \
    .bar_flags = {                                                      \
        [0] = PCI_BASE_ADDRESS_SPACE_MEMORY,                            \
        [2] = PCI_BASE_ADDRESS_MEM_TYPE_64 |                            \
              PCI_BASE_ADDRESS_MEM_PREFETCH,                            \
    },                                                                  \
    .mmap_bar = 2,                                                      \
    .reset = dmae_reset,                                                \
    .bar_read = dmae_bar_read,                                          \
    .bar_write = dmae_bar_write

#define DMAE_MSIX                                                       \
    .msix_vectors = DMAE_MSIX_VECTORS,                                  \
    .msix_bar = 2,                                                      \
    .msix_table = DMAE_MSIX_TABLE,                                      \
    .msix_pba = DMAE_MSIX_PBA

/* Conventional PCI: no Express capability, no AER, no ERR interrupt. */
const VsimModel vsim_dma_engine_model = {
    .name = "dma-engine",
    DMAE_MODEL,
    DMAE_MSIX,
};

/* The same engine as a PCI Express endpoint. */
const VsimModel vsim_dma_engine_pcie_model = {
    .name = "dma-engine-pcie",
    DMAE_MODEL,
    DMAE_MSIX,
    .pcie = true,
};

/* The same engine with INTx only: no MSI or MSI-X capability. */
const VsimModel vsim_dma_engine_intx_model = {
    .name = "dma-engine-intx",
    DMAE_MODEL,
    .intx_only = true,
};

/* The control channel's "dma" request: program the registers and go. */
JsonObject *vsim_dma_engine_run(VsimDevice *d, const char *op,
                                uint64_t src, uint64_t dst, uint64_t len,
                                uint64_t pattern, GError **errp)
{
    static const char *ops[] = { "nop", "copy", "fill", "checksum" };
    static const char *status[] = { "idle", "busy", "done", "error" };
    JsonObject *o;
    int cmd = -1;

    if (d->model->reset != dmae_reset) {
        g_set_error(errp, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "%s is not a dma-engine", d->bdf);
        return NULL;
    }
    for (unsigned i = 0; i < G_N_ELEMENTS(ops); i++) {
        if (!g_strcmp0(op, ops[i])) {
            cmd = i;
        }
    }
    if (cmd < 0) {
        g_set_error(errp, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "unknown dma op '%s'", op ? op : "");
        return NULL;
    }
    reg_set(d, DMAE_REG_SRC, 8, src);
    reg_set(d, DMAE_REG_DST, 8, dst);
    reg_set(d, DMAE_REG_LEN, 8, len);
    reg_set(d, DMAE_REG_PATTERN, 8, pattern);
    reg_set(d, DMAE_REG_CMD, 4, cmd);
    vsim_device_lower_intx(d);
    dmae_execute(d);

    o = json_object_new();
    json_object_set_string_member(o, "status",
        status[reg_get(d, DMAE_REG_STATUS, 4) & 3]);
    json_object_set_int_member(o, "done", reg_get(d, DMAE_REG_DONE, 8));
    json_object_set_int_member(o, "result", reg_get(d, DMAE_REG_RESULT, 8));
    json_object_set_string_member(o, "error",
        reg_get(d, DMAE_REG_ERR_KIND, 4) == DMAE_ERR_BAD_CMD ? "bad-command"
        : vsim_dma_error_name(reg_get(d, DMAE_REG_ERR_KIND, 4)));
    json_object_set_int_member(o, "error_iova",
                               reg_get(d, DMAE_REG_ERR_IOVA, 8));
    return o;
}
