/*
 * vfio-sim: the "dma-engine" device model.
 *
 * With the default (unlimited) rate a command runs to completion inside
 * the register write that starts it; with rate= set it runs on the
 * device's own thread (dma-thread.c) and the guest polls STATUS.  It
 * ends in dmae_complete(), which raises the interrupt.  All memory
 * access goes through vsim_dma_*, so the IOMMU decides every byte.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <linux/pci_regs.h>
#include "vsim.h"
#include "mig.h"
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

/*
 * The engine works through a transfer one chunk at a time: a chunk
 * ends at the end of an IOMMU page on either side (or at LEN), so
 * between two chunks the engine stands exactly at a page boundary.
 * Progress lives in the register file (DONE, CUR_IOVA, and the
 * internal ACTIVE and SUM registers), so a saved register file holds
 * the transfer exactly where it stopped.
 */
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

/* One chunk of the current command; false when it faulted. */
static bool chunk(VsimDevice *d, DmaeRun *r, uint32_t cmd, uint64_t len)
{
    uint64_t src = reg_get(d, DMAE_REG_SRC, 8) + r->done;
    uint64_t dst = reg_get(d, DMAE_REG_DST, 8) + r->done;
    uint64_t pattern = GUINT64_TO_LE(reg_get(d, DMAE_REG_PATTERN, 8));
    const uint8_t *pat = (const uint8_t *)&pattern;
    uint8_t *s, *t;
    uint64_t as, at;

    switch (cmd) {
    case DMAE_CMD_COPY:
        /* check both sides of the chunk before moving any byte of it */
        if (!xlate(d, r, src, false, (void **)&s, &as) ||
            !xlate(d, r, dst, true, (void **)&t, &at)) {
            return false;
        }
        as = MIN(MIN(as, at), len - r->done);
        memmove(t, s, as);
        vsim_dirty_log_write(d, dst, as);
        break;
    case DMAE_CMD_FILL:
        if (!xlate(d, r, dst, true, (void **)&t, &as)) {
            return false;
        }
        as = MIN(as, len - r->done);
        for (uint64_t i = 0; i < as; i++) {
            t[i] = pat[(r->done + i) & 7];
        }
        vsim_dirty_log_write(d, dst, as);
        break;
    default:    /* CHECKSUM */
        if (!xlate(d, r, src, false, (void **)&s, &as)) {
            return false;
        }
        as = MIN(as, len - r->done);
        for (uint64_t i = 0; i < as; i++) {
            r->sum = (r->sum ^ s[i]) * DMAE_FNV_PRIME;
        }
        break;
    }
    r->done += as;
    return true;
}

/*
 * The one place a command ends, successful or not: result registers,
 * STATUS, and the interrupt (held while the device is stopped for
 * migration, and raised when it runs again).  Called with the lock.
 */
void dmae_complete(VsimDevice *d, uint32_t kind, uint64_t err_iova)
{
    reg_set(d, DMAE_REG_INT_ACTIVE, 4, 0);
    if (reg_get(d, DMAE_REG_CMD, 4) == DMAE_CMD_CHECKSUM && !kind) {
        reg_set(d, DMAE_REG_RESULT, 8, reg_get(d, DMAE_REG_INT_SUM, 8));
    }
    reg_set(d, DMAE_REG_ERR_KIND, 4, kind);
    reg_set(d, DMAE_REG_ERR_IOVA, 8, err_iova);
    reg_set(d, DMAE_REG_STATUS, 4,
            kind ? DMAE_STATUS_ERROR : DMAE_STATUS_DONE);
    if (vsim_mig_is_running(d)) {
        vsim_device_signal(d);
    } else {
        vsim_mig(d)->irq_pending = true;
    }
}

/*
 * Move the active command on by up to @budget bytes (whole chunks, at
 * least one), unless the device is stopped.  Returns the bytes moved.
 */
uint64_t dmae_advance(VsimDevice *d, uint64_t budget)
{
    uint32_t cmd = reg_get(d, DMAE_REG_CMD, 4);
    uint64_t len = reg_get(d, DMAE_REG_LEN, 8);
    DmaeRun r = {
        .done = reg_get(d, DMAE_REG_DONE, 8),
        .sum = reg_get(d, DMAE_REG_INT_SUM, 8),
    };
    uint64_t start = r.done;
    bool ok = true;

    if (!reg_get(d, DMAE_REG_INT_ACTIVE, 4) || !vsim_mig_is_running(d)) {
        return 0;
    }
    while (r.done < len && r.done - start < budget) {
        ok = chunk(d, &r, cmd, len);
        if (!ok) {
            break;
        }
    }
    reg_set(d, DMAE_REG_DONE, 8, r.done);
    reg_set(d, DMAE_REG_INT_SUM, 8, r.sum);
    reg_set(d, DMAE_REG_CUR_IOVA, 8,
            reg_get(d, cmd == DMAE_CMD_CHECKSUM ? DMAE_REG_SRC
                                                 : DMAE_REG_DST, 8) + r.done);
    if (!ok) {
        dmae_complete(d, r.err, r.err_iova);
    } else if (r.done >= len) {
        dmae_complete(d, DMAE_ERR_NONE, 0);
    }
    return r.done - start;
}

bool vsim_dmae_active(VsimDevice *d)
{
    return reg_get(d, DMAE_REG_INT_ACTIVE, 4) != 0;
}

/* A write to CMD: check and accept the command, then run it. */
static void dmae_execute(VsimDevice *d)
{
    uint32_t cmd = reg_get(d, DMAE_REG_CMD, 4);

    reg_set(d, DMAE_REG_ERR_IOVA, 8, 0);
    reg_set(d, DMAE_REG_ERR_KIND, 4, DMAE_ERR_NONE);
    reg_set(d, DMAE_REG_DONE, 8, 0);
    reg_set(d, DMAE_REG_INT_ACTIVE, 4, 0);
    if (cmd == DMAE_CMD_NOP) {
        reg_set(d, DMAE_REG_STATUS, 4, DMAE_STATUS_IDLE);
        return;
    }
    if (cmd > DMAE_CMD_CHECKSUM) {
        dmae_complete(d, DMAE_ERR_BAD_CMD, 0);
        return;
    }
    reg_set(d, DMAE_REG_STATUS, 4, DMAE_STATUS_BUSY);
    reg_set(d, DMAE_REG_INT_SUM, 8, DMAE_FNV_OFFSET);
    reg_set(d, DMAE_REG_CUR_IOVA, 8,
            reg_get(d, cmd == DMAE_CMD_CHECKSUM ? DMAE_REG_SRC
                                                 : DMAE_REG_DST, 8));
    reg_set(d, DMAE_REG_INT_ACTIVE, 4, 1);
    if (!vsim_dmae_thread_start(d)) {
        dmae_advance(d, UINT64_MAX);    /* unlimited rate: done here */
    }
}

/* ---- migration: the engine's part of the device state ---- */

#define DMAE_MIG_VERSION 1

void vsim_dmae_save(VsimDevice *d, uint8_t out[VSIM_MIG_ENGINE_SIZE])
{
    memset(out, 0, VSIM_MIG_ENGINE_SIZE);
    out[0] = DMAE_MIG_VERSION;
}

/* A loaded register file must describe a transfer the engine can run. */
bool vsim_dmae_load(VsimDevice *d, const uint8_t in[VSIM_MIG_ENGINE_SIZE])
{
    if (in[0] != DMAE_MIG_VERSION ||
        reg_get(d, DMAE_REG_ID, 4) != DMAE_ID_VALUE ||
        reg_get(d, DMAE_REG_STATUS, 4) > DMAE_STATUS_ERROR) {
        return false;
    }
    if (reg_get(d, DMAE_REG_INT_ACTIVE, 4)) {
        return reg_get(d, DMAE_REG_STATUS, 4) == DMAE_STATUS_BUSY &&
               reg_get(d, DMAE_REG_CMD, 4) >= DMAE_CMD_COPY &&
               reg_get(d, DMAE_REG_CMD, 4) <= DMAE_CMD_CHECKSUM &&
               reg_get(d, DMAE_REG_DONE, 8) <= reg_get(d, DMAE_REG_LEN, 8);
    }
    return true;
}

/*
 * Stopping (STOP, STOP_COPY): the engine moves only under the lock the
 * caller holds, one chunk at a time, so it already stands at a page
 * boundary; vsim_mig_is_running() keeps it there.
 */
void vsim_dmae_pause(VsimDevice *d)
{
}

/* Running again: a held completion interrupt goes out, work goes on. */
void vsim_dmae_resume(VsimDevice *d)
{
    VsimMig *m = vsim_mig(d);

    if (m->irq_pending) {
        m->irq_pending = false;
        vsim_device_signal(d);
    }
    if (!vsim_dmae_thread_start(d)) {
        dmae_advance(d, UINT64_MAX);
    }
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

    /* a command in flight owns its registers until it ends */
    if (vsim_dmae_active(d)) {
        return;
    }
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
    g_autofree char *hex = NULL;
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
    dmae_execute(d);            /* with a rate, the reply says busy */

    o = json_object_new();
    json_object_set_string_member(o, "status",
        status[reg_get(d, DMAE_REG_STATUS, 4) & 3]);
    json_object_set_int_member(o, "done", reg_get(d, DMAE_REG_DONE, 8));
    /*
     * JSON integers here are signed 64-bit: "result" keeps the checksum's
     * bits as one (negative from 2^63), "result_hex" spells it unsigned.
     */
    json_object_set_int_member(o, "result", reg_get(d, DMAE_REG_RESULT, 8));
    hex = g_strdup_printf("0x%016" PRIx64, reg_get(d, DMAE_REG_RESULT, 8));
    json_object_set_string_member(o, "result_hex", hex);
    json_object_set_string_member(o, "error",
        reg_get(d, DMAE_REG_ERR_KIND, 4) == DMAE_ERR_BAD_CMD ? "bad-command"
        : vsim_dma_error_name(reg_get(d, DMAE_REG_ERR_KIND, 4)));
    json_object_set_int_member(o, "error_iova",
                               reg_get(d, DMAE_REG_ERR_IOVA, 8));
    return o;
}
