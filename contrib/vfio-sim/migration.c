/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vfio-sim: the migration data_fd and the device state it carries.
 *
 * A data_fd is a real fd (a memfd) in the simulator's fd table, read
 * and written through the interposed read()/write() as a driver's
 * stream file (stream_open: the file position means nothing).
 *
 * The stream is a sequence of records, each a header and a payload:
 *   u32 magic "VSMG", u16 version, u16 kind (1 pre-copy, 2 final),
 *   u32 vendor << 16 | device, u32 payload length,
 *   u64 FNV-1a 64 of the payload,
 * then the payload: the register file (256 bytes), config space
 * (256 bytes, of which the capabilities the device owns are restored),
 * the interrupt state (u32: INTx masked, completion pending) and the
 * engine's transfer state (VSIM_MIG_ENGINE_SIZE bytes).  Pre-copy
 * records are snapshots taken while the device runs; the final record,
 * written once the device is stopped, is the one a resume loads, and
 * it ends the stream.

 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <linux/pci_regs.h>
#include "mig.h"

#define MIG_MAGIC       0x474d5356u     /* "VSMG" little-endian */
#define MIG_VERSION     1
#define MIG_KIND_PRE    1
#define MIG_KIND_FINAL  2
#define MIG_HDR_SIZE    24
#define MIG_PAYLOAD     (256 + VSIM_CFG_SIZE + 8 + VSIM_MIG_ENGINE_SIZE)
#define MIG_RECORD      (MIG_HDR_SIZE + MIG_PAYLOAD)
#define MIG_RESUME_MAX  (1u << 20)      /* bytes a resume accepts */
#define MIG_CAP_START   0x40            /* config the device itself owns */

struct VsimMigFile {
    VsimDevice *dev;
    unsigned refs;              /* fds referring to it */
    bool saving;
    bool disabled;              /* session over: read/write ENODEV */
    bool final;                 /* final record queued: EOF after it */
    GByteArray *buf;            /* saving: queued; resuming: written */
    uint64_t pos;               /* saving: bytes of buf already read */
    uint64_t initial_end;       /* buf offset where the initial data ends */
    uint64_t eof_at;            /* truncating fault: stream ends here */
    uint8_t last[MIG_PAYLOAD];  /* payload of the last record queued */
};

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (size_t i = 0; i < n; i++) {
        h = (h ^ p[i]) * 0x100000001b3ULL;
    }
    return h;
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        p[i] = v >> (8 * i);
    }
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < n; i++) {
        v |= (uint64_t)p[i] << (8 * i);
    }
    return v;
}

static uint32_t model_id(VsimDevice *d)
{
    return (uint32_t)d->model->vendor << 16 | d->model->device;
}

static void payload(VsimDevice *d, uint8_t *p)
{
    VsimMig *m = vsim_mig(d);

    memcpy(p, d->regs, 256);
    memcpy(p + 256, d->config, VSIM_CFG_SIZE);
    put_le(p + 512, d->intx_masked | m->irq_pending << 1, 4);
    put_le(p + 516, 0, 4);
    vsim_dmae_save(d, p + 520);
}

static void queue_record(VsimMigFile *f, unsigned kind)
{
    uint8_t rec[MIG_RECORD];

    payload(f->dev, rec + MIG_HDR_SIZE);
    put_le(rec, MIG_MAGIC, 4);
    put_le(rec + 4, MIG_VERSION, 2);
    put_le(rec + 6, kind, 2);
    put_le(rec + 8, model_id(f->dev), 4);
    put_le(rec + 12, MIG_PAYLOAD, 4);
    put_le(rec + 16, fnv1a(rec + MIG_HDR_SIZE, MIG_PAYLOAD), 8);
    memcpy(f->last, rec + MIG_HDR_SIZE, MIG_PAYLOAD);
    g_byte_array_append(f->buf, rec, sizeof(rec));
}

/* Size of the data STOP_COPY produces (MIG_DATA_SIZE). */
uint64_t vsim_mig_state_size(VsimDevice *d)
{
    return MIG_RECORD;
}

VsimMigFile *vsim_mig_file_new(VsimDevice *d, bool saving, bool precopy)
{
    VsimMigFile *f = g_new0(VsimMigFile, 1);

    f->dev = d;
    f->saving = saving;
    f->buf = g_byte_array_new();
    f->eof_at = UINT64_MAX;
    if (saving) {
        queue_record(f, precopy ? MIG_KIND_PRE : MIG_KIND_FINAL);
        f->final = !precopy;
        f->initial_end = precopy ? f->buf->len : 0;
    }
    g_ptr_array_add(vsim_mig(d)->files, f);
    return f;
}

/* Entering STOP_COPY from PRE_COPY: the final state follows. */
void vsim_mig_file_final(VsimMigFile *f)
{
    if (f && !f->final) {
        queue_record(f, MIG_KIND_FINAL);
        f->final = true;
    }
}

static void file_free(VsimMigFile *f)
{
    g_ptr_array_remove(vsim_mig(f->dev)->files, f);
    g_byte_array_unref(f->buf);
    g_free(f);
}

/* The session is over; the fd stays until the user closes it. */
void vsim_mig_file_disable(VsimMigFile *f)
{
    if (!f) {
        return;
    }
    f->disabled = true;
    if (!f->refs) {
        file_free(f);           /* never installed (a failed SET) */
    }
}

int vsim_mig_file_install(VsimMigFile *f)
{
    int fd = vsim_file_install(VSIM_FILE_MIG, f, O_CLOEXEC);

    if (fd < 0) {
        vsim_mig(f->dev)->file = NULL;
        vsim_mig_file_disable(f);
    }
    return fd;
}

void vsim_mig_file_get(VsimMigFile *f)
{
    f->refs++;
}

/*
 * The user closed an fd of the session.  The device keeps its own
 * reference while the session lasts (as a driver holds the file), so
 * the state written or still to be read stays until the next arc.
 */
void vsim_mig_file_put(VsimMigFile *f)
{
    if (!--f->refs && f->disabled) {
        file_free(f);
    }
}

/* The data_fds the user holds for @d (the exit report's leak check). */
unsigned vsim_mig_open_files(VsimDevice *d)
{
    unsigned n = 0;

    for (unsigned i = 0; d->mig && i < d->mig->files->len; i++) {
        n += ((VsimMigFile *)d->mig->files->pdata[i])->refs > 0;
    }
    return n;
}

/* Bytes queued, not yet read, inside the current (pre-copy) stream end. */
static uint64_t queued(VsimMigFile *f)
{
    return MIN((uint64_t)f->buf->len, f->eof_at) - MIN(f->pos, f->eof_at);
}

/* While the device runs in PRE_COPY, a changed state is new data. */
static bool precopy_dirty(VsimMigFile *f)
{
    uint8_t now[MIG_PAYLOAD];

    if (f->final) {
        return false;
    }
    payload(f->dev, now);
    return memcmp(now, f->last, MIG_PAYLOAD) != 0;
}

static bool fd_fault(VsimMigFile *f, VsimMigFdOp op, VsimMigFdFault *out)
{
    VsimMigFdFault *ft = &vsim_mig(f->dev)->fd_fault[op];

    if (!ft->nth || --ft->nth) {
        return false;
    }
    *out = *ft;
    return true;
}

/*
 * read() of a saving session: the queued bytes, then in PRE_COPY a
 * fresh record if the device changed since the last one, else ENOMSG
 * (the uapi's temporary end of stream); after the final record, 0.
 */
static ssize_t save_read(VsimMigFile *f, uint8_t *buf, size_t n)
{
    VsimMigFdFault ft;
    uint64_t avail;

    if (fd_fault(f, VSIM_MIG_FD_READ, &ft)) {
        if (ft.err) {
            return -ft.err;
        }
        if (ft.truncate) {
            f->eof_at = f->pos + ft.short_len;
        } else {
            n = MIN(n, ft.short_len);
        }
    }
    if (!queued(f) && f->eof_at == UINT64_MAX && precopy_dirty(f)) {
        queue_record(f, MIG_KIND_PRE);
    }
    avail = queued(f);
    if (!avail) {
        return f->final || f->eof_at != UINT64_MAX ? 0 : -ENOMSG;
    }
    n = MIN(n, avail);
    if (vsim_copy_to_user(buf, f->buf->data + f->pos, n) < 0) {
        return -EFAULT;
    }
    f->pos += n;
    return n;
}

static ssize_t resume_write(VsimMigFile *f, const uint8_t *buf, size_t n)
{
    VsimMigFdFault ft;
    uint8_t tmp[4096];
    size_t done = 0;

    if (fd_fault(f, VSIM_MIG_FD_WRITE, &ft) && ft.err) {
        return -ft.err;
    }
    if (f->buf->len + n > MIG_RESUME_MAX) {
        return -ENOSPC;
    }
    while (done < n) {
        size_t c = MIN(n - done, sizeof(tmp));

        if (vsim_copy_from_user(tmp, buf + done, c) < 0) {
            return done ? (ssize_t)done : -EFAULT;
        }
        g_byte_array_append(f->buf, tmp, c);
        done += c;
    }
    return n;
}

/* read()/write() on a data_fd (fdtable.c); a saving fd is read-only. */
ssize_t vsim_mig_file_rw(VsimMigFile *f, void *buf, size_t n,
                         bool is_write)
{
    if (is_write != !f->saving) {
        return -EBADF;
    }
    if (f->disabled) {
        return -ENODEV;
    }
    return is_write ? resume_write(f, buf, n) : save_read(f, buf, n);
}

/*
 * VFIO_MIG_GET_PRECOPY_INFO on the data_fd: only in the PRE_COPY states
 * (EINVAL otherwise).  initial_bytes is what remains of the first
 * snapshot, dirty_bytes what the device changed since (a new record's
 * size) plus what is queued beyond the initial data.
 */
long vsim_mig_file_ioctl(VsimMigFile *f, unsigned long req, void *arg)
{
    struct vfio_precopy_info info;
    VsimMig *m = vsim_mig(f->dev);
    VsimMigFdFault ft;
    uint64_t left;

    if (req != VFIO_MIG_GET_PRECOPY_INFO) {
        return -ENOTTY;
    }
    GET_ARG(info, arg, struct vfio_precopy_info, dirty_bytes);
    if (f->disabled || m->file != f ||
        (m->state != VFIO_DEVICE_STATE_PRE_COPY &&
         m->state != VFIO_DEVICE_STATE_PRE_COPY_P2P)) {
        return -EINVAL;
    }
    if (fd_fault(f, VSIM_MIG_FD_PRECOPY_INFO, &ft) && ft.err) {
        return -ft.err;
    }
    left = queued(f);
    info.flags = 0;
    info.initial_bytes = f->pos < f->initial_end
                         ? f->initial_end - f->pos : 0;
    info.dirty_bytes = left - info.initial_bytes;
    if (!left && precopy_dirty(f)) {
        info.dirty_bytes += MIG_RECORD;
    }
    return vsim_copy_to_user(arg, &info,
                             MINSZ(struct vfio_precopy_info, dirty_bytes));
}

/*
 * RESUMING -> STOP: every record whole, of this version and model, its
 * checksum right; the last one final and nothing after it.  Only then
 * does the device take the final state: registers, its capabilities in
 * config space, interrupt state and the engine's transfer.
 */
int vsim_mig_file_load(VsimMigFile *f)
{
    VsimDevice *d = f->dev;
    const uint8_t *p = f->buf->data, *fin = NULL;
    uint64_t off = 0, len = f->buf->len;
    uint32_t irq;

    while (off < len) {
        const uint8_t *h = p + off;
        uint32_t plen;

        if (fin || len - off < MIG_HDR_SIZE ||
            get_le(h, 4) != MIG_MAGIC || get_le(h + 4, 2) != MIG_VERSION ||
            get_le(h + 8, 4) != model_id(d)) {
            return -EINVAL;
        }
        plen = get_le(h + 12, 4);
        if (plen != MIG_PAYLOAD || len - off - MIG_HDR_SIZE < plen ||
            fnv1a(h + MIG_HDR_SIZE, plen) != get_le(h + 16, 8)) {
            return -EINVAL;
        }
        if (get_le(h + 6, 2) == MIG_KIND_FINAL) {
            fin = h + MIG_HDR_SIZE;
        } else if (get_le(h + 6, 2) != MIG_KIND_PRE) {
            return -EINVAL;
        }
        off += MIG_HDR_SIZE + plen;
    }
    if (!fin) {
        return -EINVAL;
    }
    irq = get_le(fin + 512, 4);
    memcpy(d->regs, fin, 256);
    if (!vsim_dmae_load(d, fin + 520)) {
        return -EINVAL;
    }
    memcpy(d->config + MIG_CAP_START, fin + 256 + MIG_CAP_START,
           VSIM_CFG_SIZE - MIG_CAP_START);
    d->intx_masked = irq & 1;
    vsim_mig(d)->irq_pending = irq & 2;
    return 0;
}
