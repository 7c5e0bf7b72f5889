/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Randomized end-to-end test of guest DMA through VFIO.
 *
 * A pseries guest (the driver model) issues a long run of random
 * operations against spapr-vfio under vfio-sim: H_PUT_TCE,
 * H_PUT_TCE_INDIRECT, H_STUFF_TCE, the four DDW RTAS calls and
 * dma-engine commands, a share of them invalid on purpose.  A plain
 * reference model of the guest's TCE tables predicts every return code
 * and every device access; after each step the test compares:
 *  - the machine's tables (H_GET_TCE) for the entries the step touched,
 *    plus random probes, and every entry at regular intervals;
 *  - the host IOMMU (vfio-sim "tces"): windows and mapped runs must be
 *    exactly the model's mapped entries translated to host addresses;
 *  - device DMA: status, fault kind, fault IOVA, bytes done, checksum,
 *    and guest RAM, which a shadow copy follows byte for byte.
 *
 * A second case plays the same operations with host faults mixed in:
 * MAP_DMA, UNMAP_DMA, TCE_CREATE and TCE_REMOVE made to fail (vfio-sim
 * fault injection) at a random later call, alone or two and three at
 * once.  The test learns after each step which armed fault fired and
 * what the container became (query-vfio), and holds the machine to
 * docs/vfio.md "Failures": a refused DDW create answers -1 and leaves
 * the guest's windows as they were; a MAP/UNMAP/REMOVE failure fails the
 * container (VFIO_DEVICE_FAILED), stops the device and clears the host
 * tables; a failed container stays failed until a reset, and a reset
 * brings it back unless the host refuses again.  While it is failed the
 * host is not compared exactly, but after every step no host TCE may
 * map what the guest does not map now (unless a double fault left host
 * TCEs behind and the device is stopped), the device must be stopped
 * and no DMA may reach memory.
 *
 * All randomness comes from one GRand.  The seed is printed at the
 * start and on failure; SPAPR_RANDOM_SEED=N replays a run exactly and
 * SPAPR_RANDOM_OPS=N sets its length (default 10000, 1000 with faults).
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include "vfio-e2e.h"

/* Map keys and values are 64-bit indices and TCEs stored in pointers. */
G_STATIC_ASSERT(sizeof(gpointer) >= sizeof(uint64_t));

#define RAM_SIZE            (256ULL << 20)
#define HOST_BDF            "0001:00:01.0"

/* The default PHB, as docs/pseries.md describes it. */
#define NR_WINDOWS          2
#define LIOBN(n)            (0x80000000U | (n))
#define DMA_WIN_ADDR        0ULL
#define DMA_WIN_SIZE        (1ULL << 30)
#define DMA64_WIN_ADDR      (1ULL << 59)
#define PHB_PGSIZES         ((1ULL << 12) | (1ULL << 16) | (1ULL << 21) | \
                             (1ULL << 24))
#define QUERY_PGMASK        0x107U
#define TCE_LIST_MAX        512

/* vfio-sim's fixed host window slots (docs/vfio-sim.md, "windows"). */
static const uint64_t host_slot_start[NR_WINDOWS] = { 0, 1ULL << 59 };

#define RTAS_SUCCESS        0
#define RTAS_HW_ERROR       (-1)
#define RTAS_PARAM_ERROR    (-3)

#define DMA_STATUS_DONE     2
#define DMA_STATUS_ERROR    3
#define DMA_ERR_NONE        0
#define DMA_ERR_NO_WINDOW   1
#define DMA_ERR_NO_MAPPING  2
#define DMA_ERR_PERMISSION  3
#define FNV_OFFSET          0xcbf29ce484222325ULL
#define FNV_PRIME           0x100000001b3ULL

/*
 * Shadowed guest RAM: every TCE that grants access points into one of
 * these, so everything the device may write is followed.  The size is a
 * multiple of the largest IOMMU page (16 MiB); the second region ends
 * at the top of RAM so that the last valid page is used too.
 */
#define SHADOW_SIZE         (16ULL << 20)
#define NR_SHADOWS          2

#define DEFAULT_OPS         10000
#define DEFAULT_FAULT_OPS   1000    /* each step checks every window */
#define HOT_ENTRIES         768     /* most entries come from the start */
#define MODEL_ENTRY_CAP     2048    /* keeps tables and checks small */
#define DMA_MAX_LEN         (12 * 1024)
#define PROBES_PER_STEP     4
#define SAMPLES_PER_STEP    16
#define FULL_CHECK_EVERY    500     /* every entry through H_GET_TCE */
#define RAM_CHECK_EVERY     1000    /* all shadowed RAM */
#define HISTORY             24

/* ------------------------------------------------------------ model */

typedef struct ModelWindow {
    bool enabled;
    unsigned page_shift;
    uint64_t bus_start;
    uint64_t nb;
    GTree *tces;            /* index -> TCE; entries that are not 0 */
    uint64_t mapped;        /* entries granting access (perm != 0) */
    unsigned host_shift;    /* page shift of its host window */
} ModelWindow;

typedef struct Model {
    ModelWindow win[NR_WINDOWS];
    uint64_t ram_size;
} Model;

static gint key_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
    uint64_t x = (uintptr_t)a, y = (uintptr_t)b;

    return x < y ? -1 : x > y;
}

static uint64_t win_size(const ModelWindow *w)
{
    return w->nb << w->page_shift;
}

static unsigned model_active(const Model *m)
{
    return m->win[0].enabled + m->win[1].enabled;
}

static uint64_t model_entries(const Model *m)
{
    return g_tree_nnodes(m->win[0].tces) + g_tree_nnodes(m->win[1].tces);
}

static uint64_t model_get(const ModelWindow *w, uint64_t idx)
{
    return (uintptr_t)g_tree_lookup(w->tces, (gpointer)(uintptr_t)idx);
}

static void model_set(ModelWindow *w, uint64_t idx, uint64_t tce)
{
    uint64_t old = model_get(w, idx);

    w->mapped -= (old & TCE_RW) != 0;
    w->mapped += (tce & TCE_RW) != 0;
    if (tce) {
        g_tree_replace(w->tces, (gpointer)(uintptr_t)idx,
                       (gpointer)(uintptr_t)tce);
    } else if (old) {
        g_tree_remove(w->tces, (gpointer)(uintptr_t)idx);
    }
}

static void model_enable(ModelWindow *w, unsigned page_shift,
                         uint64_t bus_start, uint64_t nb)
{
    g_assert(!w->enabled && !g_tree_nnodes(w->tces));
    w->enabled = true;
    w->page_shift = page_shift;
    w->bus_start = bus_start;
    w->nb = nb;
    w->mapped = 0;
    w->host_shift = 0;      /* learnt from the host when checked */
}

static void model_disable(ModelWindow *w)
{
    g_tree_destroy(w->tces);
    w->tces = g_tree_new_full(key_cmp, NULL, NULL, NULL);
    w->enabled = false;
    w->mapped = 0;
}

static void model_reset(Model *m)
{
    unsigned i;

    for (i = 0; i < NR_WINDOWS; i++) {
        model_disable(&m->win[i]);
    }
    model_enable(&m->win[0], 12, DMA_WIN_ADDR, DMA_WIN_SIZE >> 12);
}

static void model_init(Model *m, uint64_t ram_size)
{
    unsigned i;

    memset(m, 0, sizeof(*m));
    m->ram_size = ram_size;
    for (i = 0; i < NR_WINDOWS; i++) {
        m->win[i].tces = g_tree_new_full(key_cmp, NULL, NULL, NULL);
    }
    model_reset(m);
}

static void model_destroy(Model *m)
{
    unsigned i;

    for (i = 0; i < NR_WINDOWS; i++) {
        g_tree_destroy(m->win[i].tces);
    }
}

/* The enabled table a hcall names, or NULL (H_PARAMETER). */
static ModelWindow *model_table(Model *m, uint64_t liobn)
{
    unsigned i;

    for (i = 0; i < NR_WINDOWS; i++) {
        if (liobn == LIOBN(i) && m->win[i].enabled) {
            return &m->win[i];
        }
    }
    return NULL;
}

/* The index @ioba names, when it and @npages entries fit the table. */
static bool model_index(const ModelWindow *w, uint64_t ioba,
                        uint64_t npages, uint64_t *idx)
{
    uint64_t i;

    ioba &= ~((1ULL << w->page_shift) - 1);
    if (ioba < w->bus_start) {
        return false;
    }
    i = (ioba - w->bus_start) >> w->page_shift;
    if (i >= w->nb || npages > w->nb - i) {
        return false;
    }
    *idx = i;
    return true;
}

/* Aligned to the page; if it grants access, a page of guest RAM. */
static bool model_tce_valid(const Model *m, const ModelWindow *w,
                            uint64_t tce)
{
    uint64_t pgsz = 1ULL << w->page_shift;
    uint64_t addr = tce & ~TCE_RW;

    if (addr & (pgsz - 1)) {
        return false;
    }
    if (!(tce & TCE_RW)) {
        return true;
    }
    return pgsz <= m->ram_size && addr <= m->ram_size - pgsz;
}

static int64_t model_put(Model *m, uint64_t liobn, uint64_t ioba,
                         uint64_t tce)
{
    ModelWindow *w = model_table(m, liobn);
    uint64_t idx;

    if (!w || !model_index(w, ioba, 1, &idx) || !model_tce_valid(m, w, tce)) {
        return H_PARAMETER;
    }
    model_set(w, idx, tce);
    return H_SUCCESS;
}

static int64_t model_stuff(Model *m, uint64_t liobn, uint64_t ioba,
                           uint64_t tce, uint64_t npages)
{
    ModelWindow *w = model_table(m, liobn);
    uint64_t idx, i;

    /* Zero pages is a bad parameter (PAPR, QEMU 7.2). */
    if (!npages || !w || !model_index(w, ioba, npages, &idx) ||
        !model_tce_valid(m, w, tce)) {
        return H_PARAMETER;
    }
    if (tce) {
        for (i = 0; i < npages; i++) {
            model_set(w, idx + i, tce);
        }
    } else {
        /* Clearing may cover a whole window: visit only set entries. */
        g_autoptr(GArray) keys = g_array_new(false, false, sizeof(uint64_t));
        GTreeNode *n = g_tree_lower_bound(w->tces, (gpointer)(uintptr_t)idx);

        for (; n; n = g_tree_node_next(n)) {
            uint64_t k = (uintptr_t)g_tree_node_key(n);

            if (k - idx >= npages) {
                break;
            }
            g_array_append_val(keys, k);
        }
        for (i = 0; i < keys->len; i++) {
            model_set(w, g_array_index(keys, uint64_t, i), 0);
        }
    }
    return H_SUCCESS;
}

/*
 * @list_ok: the list lies in guest RAM.  Zero pages is a bad parameter
 * (PAPR, QEMU 7.2); entries before the first bad one are written.
 */
static int64_t model_indirect(Model *m, uint64_t liobn, uint64_t ioba,
                              uint64_t list_gpa, bool list_ok,
                              const uint64_t *tces, uint64_t npages)
{
    ModelWindow *w = model_table(m, liobn);
    uint64_t idx, i;

    if (!npages || npages > TCE_LIST_MAX || !w || (list_gpa & 0xfff) ||
        !model_index(w, ioba, npages, &idx) || !list_ok) {
        return H_PARAMETER;
    }
    for (i = 0; i < npages; i++) {
        if (!model_tce_valid(m, w, tces[i])) {
            return H_PARAMETER;
        }
        model_set(w, idx + i, tces[i]);
    }
    return H_SUCCESS;
}

/* Would [addr, last] meet an enabled window? */
static bool model_overlaps(const Model *m, uint64_t addr, uint64_t last)
{
    unsigned i;

    for (i = 0; i < NR_WINDOWS; i++) {
        const ModelWindow *w = &m->win[i];

        if (w->enabled && addr <= w->bus_start +
            ((w->nb << w->page_shift) - 1) && w->bus_start <= last) {
            return true;
        }
    }
    return false;
}

static int32_t model_create(Model *m, unsigned page_shift,
                            unsigned window_shift, uint32_t *liobn,
                            uint64_t *bus_start)
{
    ModelWindow *w = NULL;
    uint64_t addr, nb, size, last;
    unsigned i;

    if (page_shift > 63 || !(PHB_PGSIZES & (1ULL << page_shift)) ||
        window_shift < page_shift) {
        return RTAS_PARAM_ERROR;
    }
    for (i = 0; i < NR_WINDOWS && !w; i++) {
        if (!m->win[i].enabled) {
            w = &m->win[i];
            *liobn = LIOBN(i);
        }
    }
    if (!w) {
        return RTAS_HW_ERROR;
    }
    if (window_shift - page_shift > 63) {
        return RTAS_HW_ERROR;
    }
    nb = 1ULL << (window_shift - page_shift);
    if (nb > (UINT64_MAX >> page_shift)) {
        return RTAS_HW_ERROR;
    }
    size = nb << page_shift;
    last = size - 1;                    /* size 0 is the whole 2^64 */
    /*
     * dma_win_addr with no window active, else dma64_win_addr, unless
     * that meets the active window (a DDW the guest left there after
     * removing the default one): then dma_win_addr.  A window that
     * wraps or fits nowhere is refused.
     */
    addr = model_active(m) ? DMA64_WIN_ADDR : DMA_WIN_ADDR;
    if ((addr && !size) || addr + last < addr ||
        model_overlaps(m, addr, addr + last)) {
        addr = DMA_WIN_ADDR;
        if (!model_active(m) || model_overlaps(m, addr, addr + last)) {
            return RTAS_HW_ERROR;
        }
    }
    model_enable(w, page_shift, addr, nb);
    *bus_start = addr;
    return RTAS_SUCCESS;
}

static int32_t model_remove(Model *m, uint32_t liobn)
{
    ModelWindow *w = model_table(m, liobn);

    if (!w) {
        return RTAS_PARAM_ERROR;
    }
    model_disable(w);
    /* The last window gone brings the default back, unless it was it. */
    if (!model_active(m) && w != &m->win[0]) {
        model_reset(m);
    }
    return RTAS_SUCCESS;
}

/* The enabled window containing bus address @iova. */
static ModelWindow *model_window_at(Model *m, uint64_t iova)
{
    unsigned i;

    for (i = 0; i < NR_WINDOWS; i++) {
        ModelWindow *w = &m->win[i];

        if (w->enabled && iova >= w->bus_start &&
            (iova - w->bus_start) >> w->page_shift < w->nb) {
            return w;
        }
    }
    return NULL;
}

/* -------------------------------------------------------- test state */

typedef struct Shadow {
    uint64_t gpa;
    uint8_t *data;
} Shadow;

typedef struct Sample {
    unsigned win;
    uint64_t idx;
} Sample;

/* Host ioctls the fault case makes fail, and errnos each can return. */
typedef enum FaultIoctl {
    FAULT_MAP, FAULT_UNMAP, FAULT_CREATE, FAULT_REMOVE, NR_FAULTS
} FaultIoctl;

#define FAULT_BIT(f)        (1U << (f))
#define FAULTS_FAIL         (FAULT_BIT(FAULT_MAP) | FAULT_BIT(FAULT_UNMAP) | \
                             FAULT_BIT(FAULT_REMOVE))

static const struct {
    const char *ioctl;
    const char *name;
    const char *errnos[4];      /* docs: linux-vfio-spapr.md */
} fault_ioctl[NR_FAULTS] = {
    [FAULT_MAP] = { "VFIO_IOMMU_MAP_DMA", "MAP",
                    { "EINVAL", "EFAULT", "ENXIO", "EPERM" } },
    [FAULT_UNMAP] = { "VFIO_IOMMU_UNMAP_DMA", "UNMAP",
                      { "EINVAL", "ENXIO", "EPERM" } },
    [FAULT_CREATE] = { "VFIO_IOMMU_SPAPR_TCE_CREATE", "CREATE",
                       { "ENOMEM", "EINVAL", "ENOSPC" } },
    [FAULT_REMOVE] = { "VFIO_IOMMU_SPAPR_TCE_REMOVE", "REMOVE",
                       { "EINVAL" } },
};

/* A fault fires on call number @target of its ioctl (vfio-sim counts). */
typedef struct ArmedFault {
    bool armed;
    uint64_t target;
} ArmedFault;

/* What the step did, as far as recovery and failures are concerned. */
typedef enum OpKind {
    OP_OTHER, OP_CREATE, OP_REMOVE, OP_RESET, OP_SYSTEM_RESET,
} OpKind;

typedef struct Stats {
    unsigned put[2], indirect[2], stuff[2];     /* [0] ok, [1] error */
    unsigned query, create[2], remove[2], reset;
    unsigned dma[4];                            /* by fault kind */
    unsigned dma_ctl;
    uint64_t dma_bytes;
    /* the host-faults case */
    unsigned armed[NR_FAULTS], fired[NR_FAULTS];
    unsigned system_reset, host_refused_create;
    unsigned failures, recoveries, refused_recoveries;
    unsigned degraded_steps, degraded_dma, stale_episodes;
} Stats;

typedef struct RandomTest {
    guint32 seed;
    unsigned nops, step;
    GRand *rand;
    VsimMachine *m;
    VsimControl *ctl;
    SpaprGuest *g;
    GuestDevice dev;
    Model model;
    Shadow shadow[NR_SHADOWS];
    uint64_t list_gpa;          /* our own TCE list page */
    uint64_t ram_hpa;           /* host physical address of gpa 0 */
    GArray *samples;            /* entries the step touched */
    unsigned touched;           /* mask of windows the step touched */
    bool windows_changed;
    GString *op;                /* the current step, for the log */
    char *history[HISTORY];
    GChecksum *digest;          /* of the operation log */
    Stats stats;

    /* The host-faults case (docs/testing.md). */
    bool faults;
    bool verbose;               /* SPAPR_RANDOM_VERBOSE=1: log each step */
    ArmedFault armed[NR_FAULTS];
    unsigned fired;             /* faults that fired during this step */
    OpKind op_kind;
    /*
     * The container has failed: host tables are no longer compared with
     * the model; the device must be stopped.  Cleared when query-vfio
     * says "working" again after a reset.
     */
    bool degraded;
    unsigned episode_fired;     /* faults fired since it failed */
    /*
     * An UNMAP and a REMOVE failed in this episode: host TCEs may have
     * been left behind (docs/vfio.md), acceptable only while the device
     * is stopped.  Otherwise the host must map nothing the guest does
     * not map, whatever the device.
     */
    bool may_be_stale;
    uint64_t recoveries;        /* query-vfio's count */
} RandomTest;

static const char *test_path = "";

static char replay_msg[160];

/* A libqtest transport failure aborts too: still say how to replay. */
static void replay_on_abort(int sig)
{
    ssize_t n = write(STDOUT_FILENO, replay_msg, strlen(replay_msg));

    (void)n;
    signal(sig, SIG_DFL);
    raise(sig);
}

static void G_GNUC_PRINTF(3, 4) G_GNUC_NORETURN
test_failed(RandomTest *t, int line, const char *fmt, ...)
{
    g_autofree char *what = NULL;
    g_autofree char *msg = NULL;
    unsigned i;
    va_list ap;

    va_start(ap, fmt);
    what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_test_message("last operations (oldest first):");
    for (i = 0; i < HISTORY; i++) {
        const char *h = t->history[(t->step + 1 + i) % HISTORY];

        if (h) {
            g_test_message("  %s", h);
        }
    }
    g_test_message("step %u: %s", t->step, t->op->str);
    msg = g_strdup_printf("step %u: %s; replay with SPAPR_RANDOM_SEED=%u "
                          "(-p %s)", t->step, what, t->seed, test_path);
    g_test_message("%s", msg);
    g_assertion_message(G_LOG_DOMAIN, __FILE__, line, G_STRFUNC, msg);
    abort();    /* not reached: assertions are fatal here */
}

#define CHECK(t, cond, ...) \
    do { \
        if (!(cond)) { \
            test_failed(t, __LINE__, __VA_ARGS__); \
        } \
    } while (0)

static uint64_t rnd64(RandomTest *t)
{
    return (uint64_t)g_rand_int(t->rand) << 32 | g_rand_int(t->rand);
}

/* Uniform enough in [lo, hi). */
static uint64_t rnd_range(RandomTest *t, uint64_t lo, uint64_t hi)
{
    g_assert(hi > lo);
    return lo + rnd64(t) % (hi - lo);
}

static bool chance(RandomTest *t, unsigned percent)
{
    return g_rand_int_range(t->rand, 0, 100) < (gint32)percent;
}

static void op_log(RandomTest *t, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void op_log(RandomTest *t, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_string_append_vprintf(t->op, fmt, ap);
    va_end(ap);
}

static void sample(RandomTest *t, const ModelWindow *w, uint64_t idx)
{
    Sample s = { w == &t->model.win[1], idx };

    g_array_append_val(t->samples, s);
}

/* The in-window part of [idx, idx + n): ends, plus a few inside. */
static void sample_range(RandomTest *t, const ModelWindow *w, uint64_t idx,
                         uint64_t n)
{
    unsigned i;

    if (idx >= w->nb || !n) {
        return;
    }
    n = MIN(n, w->nb - idx);
    sample(t, w, idx);
    sample(t, w, idx + n - 1);
    for (i = 0; i < SAMPLES_PER_STEP - 2 && n > 2; i++) {
        sample(t, w, idx + rnd_range(t, 1, n - 1));
    }
}

/* ------------------------------------------------------------ checks */

static uint8_t *shadow_ptr(RandomTest *t, uint64_t gpa, uint64_t len)
{
    unsigned i;

    for (i = 0; i < NR_SHADOWS; i++) {
        Shadow *s = &t->shadow[i];

        if (gpa >= s->gpa && gpa - s->gpa <= SHADOW_SIZE &&
            len <= SHADOW_SIZE - (gpa - s->gpa)) {
            return s->data + (gpa - s->gpa);
        }
    }
    return NULL;
}

static void check_entry(RandomTest *t, unsigned wi, uint64_t idx)
{
    ModelWindow *w = &t->model.win[wi];
    uint64_t pgsz = 1ULL << w->page_shift;
    uint64_t ioba = w->bus_start + (idx << w->page_shift);
    uint64_t val = ~0ULL;
    int64_t ret;

    /* Any byte of the page names the entry. */
    ret = guest_get_tce(t->g, LIOBN(wi), ioba + rnd_range(t, 0, pgsz),
                        &val);
    CHECK(t, ret == H_SUCCESS, "H_GET_TCE liobn 0x%x index 0x%" PRIx64
          " returned %" PRId64, LIOBN(wi), idx, ret);
    CHECK(t, val == model_get(w, idx), "H_GET_TCE liobn 0x%x index 0x%"
          PRIx64 ": machine has 0x%" PRIx64 ", model 0x%" PRIx64,
          LIOBN(wi), idx, val, model_get(w, idx));
}

/* Disabled tables do not exist for the hcalls. */
static void check_tables(RandomTest *t)
{
    unsigned i;

    for (i = 0; i < NR_WINDOWS; i++) {
        ModelWindow *w = &t->model.win[i];
        uint64_t val;
        int64_t ret;

        if (w->enabled) {
            check_entry(t, i, rnd_range(t, 0, w->nb));
            continue;
        }
        ret = guest_get_tce(t->g, LIOBN(i), host_slot_start[i], &val);
        CHECK(t, ret == H_PARAMETER, "H_GET_TCE on disabled liobn 0x%x "
              "returned %" PRId64, LIOBN(i), ret);
    }
}

typedef struct HostRun {
    uint64_t iova, hpa, len;
    unsigned perm;
} HostRun;

static void runs_add(GArray *runs, uint64_t iova, uint64_t hpa,
                     uint64_t len, unsigned perm)
{
    HostRun r = { iova, hpa, len, perm };

    if (runs->len) {
        HostRun *last = &g_array_index(runs, HostRun, runs->len - 1);

        if (last->iova + last->len == iova && last->hpa + last->len == hpa &&
            last->perm == perm) {
            last->len += len;
            return;
        }
    }
    g_array_append_val(runs, r);
}

static unsigned perm_bits(const char *perm)
{
    return (strchr(perm, 'r') ? TCE_READ : 0) |
           (strchr(perm, 'w') ? TCE_WRITE : 0);
}

/* PCI_COMMAND_MASTER in the device's own COMMAND register. */
#define PCI_COMMAND_MASTER  0x4

/*
 * Is the device stopped: Bus Master off in its own config space, as
 * vfio-sim sees it (not the machine's emulated copy)?  A stopped device
 * cannot reach a stale host TCE, so the no-stale check accepts it.
 */
static bool device_stopped(RandomTest *t)
{
    g_autoptr(GError) err = NULL;
    JsonObject *o = vsim_control_device(t->ctl, HOST_BDF, &err);
    bool stopped;

    CHECK(t, o, "vfio-sim device %s: %s", HOST_BDF,
          err ? err->message : "?");
    stopped = !(json_object_get_int_member(o, "command") &
                PCI_COMMAND_MASTER);
    json_object_unref(o);
    return stopped;
}

/*
 * Permissions a guest TCE lets the host grant: its own, plus READ with
 * WRITE (a host IOMMU may make a write-only mapping readable, PowerNV
 * does).
 */
static unsigned host_perm_allowed(uint64_t tce)
{
    return (tce & TCE_RW) | (tce & TCE_WRITE ? TCE_READ : 0);
}

/*
 * No stale host TCE: every page host window @slot maps (@o, from the
 * "tces" control command) is one the guest maps now in @w, to the same
 * RAM, with no permission the guest did not grant.  Unlike the exact
 * comparison this holds whatever the host did, faults included: a host
 * may miss a mapping (a failed MAP) but must never keep one the guest
 * removed.  Walks guest pages, not host pages.  On violation returns
 * false with the first bad IOVA in *@bad.
 */
static bool host_maps_only_guest_mappings(RandomTest *t, const ModelWindow *w,
                                          JsonObject *o, uint64_t *bad)
{
    JsonArray *entries = json_object_get_array_member(o, "entries");
    unsigned hshift = json_object_get_int_member(o, "page_shift");
    unsigned i;

    for (i = 0; i < json_array_get_length(entries); i++) {
        JsonObject *e = json_array_get_object_element(entries, i);
        uint64_t iova = json_object_get_int_member(e, "iova");
        uint64_t hpa = json_object_get_int_member(e, "hpa");
        uint64_t end = iova + (json_object_get_int_member(e, "pages") <<
                               hshift);
        unsigned perm = perm_bits(json_object_get_string_member(e,
                                                                "perm"));

        while (iova < end) {
            uint64_t pgsz, off, tce, n;

            if (!w || iova < w->bus_start ||
                (iova - w->bus_start) >> w->page_shift >= w->nb) {
                *bad = iova;
                return false;
            }
            pgsz = 1ULL << w->page_shift;
            off = iova - w->bus_start;
            tce = model_get(w, off >> w->page_shift);
            if (!(tce & TCE_RW) || (perm & ~host_perm_allowed(tce)) ||
                hpa != t->ram_hpa + (tce & ~TCE_RW) + (off & (pgsz - 1))) {
                *bad = iova;
                return false;
            }
            n = MIN(pgsz - (off & (pgsz - 1)), end - iova);
            iova += n;
            hpa += n;
        }
    }
    return true;
}

static void check_host_window(RandomTest *t, unsigned slot)
{
    ModelWindow *w = model_window_at(&t->model, host_slot_start[slot]);
    g_autoptr(GError) err = NULL;
    g_autoptr(GArray) want = g_array_new(false, false, sizeof(HostRun));
    g_autoptr(GArray) have = g_array_new(false, false, sizeof(HostRun));
    JsonObject *o;
    JsonArray *entries;
    GTreeNode *n;
    uint64_t start, size, mapped;
    unsigned i, hshift;

    if (w && w->bus_start != host_slot_start[slot]) {
        w = NULL;   /* a window elsewhere cannot be in this slot */
    }
    o = vsim_control_tces(t->ctl, 0, slot, &err);
    if (o) {
        uint64_t bad = 0;
        bool only_guest = host_maps_only_guest_mappings(t, w, o, &bad);

        /* A failed container's host tables were cleared (vfio.md). */
        CHECK(t, only_guest || !t->degraded || t->may_be_stale,
              "stale host TCE in a failed container: host window slot %u "
              "maps iova 0x%" PRIx64 ", which the guest does not map there "
              "(to that page, with that permission), though no double "
              "fault kept the host from clearing its tables", slot, bad);
        CHECK(t, only_guest || device_stopped(t), "stale host TCE: host "
              "window slot %u maps iova 0x%" PRIx64 ", which the guest does "
              "not map there (to that page, with that permission), and the "
              "device is not stopped", slot, bad);
    }
    if (t->degraded) {
        /*
         * Not compared exactly: the host may miss what the guest maps.
         * Its page size still tells how far a device access goes.
         */
        if (o && w && json_object_get_int_member(o, "start") ==
            (gint64)w->bus_start &&
            (uint64_t)json_object_get_int_member(o, "size") == win_size(w)) {
            w->host_shift = json_object_get_int_member(o, "page_shift");
        }
        if (o) {
            json_object_unref(o);
        }
        return;
    }
    if (!w) {
        CHECK(t, !o, "host window slot %u exists, the guest has no window "
              "at 0x%" PRIx64, slot, host_slot_start[slot]);
        return;
    }
    CHECK(t, o, "guest window 0x%" PRIx64 "+0x%" PRIx64 " has no host "
          "window: %s", w->bus_start, win_size(w),
          err ? err->message : "?");
    start = json_object_get_int_member(o, "start");
    size = json_object_get_int_member(o, "size");
    hshift = json_object_get_int_member(o, "page_shift");
    mapped = json_object_get_int_member(o, "mapped");
    CHECK(t, start == w->bus_start && size == win_size(w) &&
          hshift >= 12 && hshift <= w->page_shift,
          "host window slot %u is 0x%" PRIx64 "+0x%" PRIx64 " (page shift "
          "%u), guest window 0x%" PRIx64 "+0x%" PRIx64 " (page shift %u)",
          slot, start, size, hshift, w->bus_start, win_size(w),
          w->page_shift);
    w->host_shift = hshift;

    for (n = g_tree_node_first(w->tces); n; n = g_tree_node_next(n)) {
        uint64_t idx = (uintptr_t)g_tree_node_key(n);
        uint64_t tce = (uintptr_t)g_tree_node_value(n);

        if (tce & TCE_RW) {
            /* the host maps WRITE as READ|WRITE, as PowerNV does */
            runs_add(want, w->bus_start + (idx << w->page_shift),
                     t->ram_hpa + (tce & ~TCE_RW), 1ULL << w->page_shift,
                     host_perm_allowed(tce));
        }
    }
    entries = json_object_get_array_member(o, "entries");
    for (i = 0; i < json_array_get_length(entries); i++) {
        JsonObject *e = json_array_get_object_element(entries, i);

        runs_add(have, json_object_get_int_member(e, "iova"),
                 json_object_get_int_member(e, "hpa"),
                 json_object_get_int_member(e, "pages") << hshift,
                 perm_bits(json_object_get_string_member(e, "perm")));
    }
    for (i = 0; i < MAX(want->len, have->len); i++) {
        HostRun *a = i < want->len ? &g_array_index(want, HostRun, i) : NULL;
        HostRun *b = i < have->len ? &g_array_index(have, HostRun, i) : NULL;

        CHECK(t, a && b && a->iova == b->iova && a->hpa == b->hpa &&
              a->len == b->len && a->perm == b->perm,
              "host window slot %u, run %u: host has %s 0x%" PRIx64
              "+0x%" PRIx64 " -> hpa 0x%" PRIx64 " perm %u, model has %s "
              "0x%" PRIx64 "+0x%" PRIx64 " -> hpa 0x%" PRIx64 " perm %u "
              "(%u host runs, %u expected)", slot, i,
              b ? "" : "nothing:", b ? b->iova : 0, b ? b->len : 0,
              b ? b->hpa : 0, b ? b->perm : 0, a ? "" : "nothing:",
              a ? a->iova : 0, a ? a->len : 0, a ? a->hpa : 0,
              a ? a->perm : 0, have->len, want->len);
    }
    CHECK(t, mapped == w->mapped << (w->page_shift - hshift),
          "host window slot %u maps %" PRIu64 " pages, model %" PRIu64,
          slot, mapped, w->mapped << (w->page_shift - hshift));
    json_object_unref(o);
}

static void check_host(RandomTest *t, unsigned slot_mask)
{
    unsigned i;

    for (i = 0; i < NR_WINDOWS; i++) {
        if (slot_mask & (1U << i)) {
            check_host_window(t, i);
        }
    }
}

static void check_ram(RandomTest *t, uint64_t gpa, uint64_t len)
{
    g_autofree uint8_t *buf = g_malloc(len);
    uint8_t *want = shadow_ptr(t, gpa, len);
    uint64_t i;

    g_assert(want);
    qtest_bufread(t->m->qts, gpa, buf, len);
    for (i = 0; i < len && buf[i] == want[i]; i++) {
        continue;
    }
    CHECK(t, i == len, "guest RAM at 0x%" PRIx64 " is 0x%02x, expected "
          "0x%02x", gpa + i, i < len ? buf[i] : 0, i < len ? want[i] : 0);
}

static void check_all_ram(RandomTest *t)
{
    unsigned i;

    for (i = 0; i < NR_SHADOWS; i++) {
        check_ram(t, t->shadow[i].gpa, SHADOW_SIZE);
    }
}

/* Every entry the model holds, through H_GET_TCE. */
static void check_all_entries(RandomTest *t)
{
    unsigned i;

    for (i = 0; i < NR_WINDOWS; i++) {
        GTreeNode *n;

        for (n = g_tree_node_first(t->model.win[i].tces); n;
             n = g_tree_node_next(n)) {
            check_entry(t, i, (uintptr_t)g_tree_node_key(n));
        }
    }
}

/* The host address of guest RAM: vfio-sim's region of RAM_SIZE bytes. */
static uint64_t find_ram_hpa(RandomTest *t)
{
    g_autoptr(JsonObject) st = vsim_machine_state(t->m);
    JsonArray *regions = json_object_get_array_member(st, "regions");
    uint64_t hpa = 0;
    unsigned i, found = 0;

    for (i = 0; i < json_array_get_length(regions); i++) {
        JsonObject *r = json_array_get_object_element(regions, i);

        if ((uint64_t)json_object_get_int_member(r, "size") == RAM_SIZE) {
            hpa = json_object_get_int_member(r, "hpa");
            found++;
        }
    }
    CHECK(t, found == 1, "%u preregistered regions of guest RAM's size",
          found);
    return hpa;
}

/* -------------------------------------------------------- generators */

static const ModelWindow *pick_window(RandomTest *t)
{
    unsigned n = model_active(&t->model);
    unsigned i, k;

    if (!n) {
        return NULL;
    }
    k = g_rand_int_range(t->rand, 0, n);
    for (i = 0; i < NR_WINDOWS; i++) {
        if (t->model.win[i].enabled && !k--) {
            return &t->model.win[i];
        }
    }
    g_assert_not_reached();
}

static uint32_t window_liobn(RandomTest *t, const ModelWindow *w)
{
    return LIOBN(w == &t->model.win[1]);
}

/* Mostly the first entries (so that writes meet), the end, anywhere. */
static uint64_t pick_index(RandomTest *t, const ModelWindow *w)
{
    unsigned r = g_rand_int_range(t->rand, 0, 100);

    if (r < 75) {
        return rnd_range(t, 0, MIN(w->nb, HOT_ENTRIES));
    } else if (r < 88) {
        return w->nb - 1 - rnd_range(t, 0, MIN(w->nb, 32));
    }
    return rnd_range(t, 0, w->nb);
}

static const Shadow *pick_shadow(RandomTest *t)
{
    return &t->shadow[chance(t, 85) ? 0 : 1];
}

/* A page of @s; in the top region often the last page of RAM. */
static uint64_t pick_page_in(RandomTest *t, const Shadow *s,
                             unsigned page_shift)
{
    uint64_t pages = SHADOW_SIZE >> page_shift;

    if (s == &t->shadow[NR_SHADOWS - 1] && chance(t, 50)) {
        return s->gpa + SHADOW_SIZE - (1ULL << page_shift);
    }
    return s->gpa + (rnd_range(t, 0, pages) << page_shift);
}

static uint64_t pick_page(RandomTest *t, unsigned page_shift)
{
    return pick_page_in(t, pick_shadow(t), page_shift);
}

static uint64_t pick_perm(RandomTest *t)
{
    return g_rand_int_range(t->rand, 1, 4);
}

/*
 * A valid TCE: a clear, an address without permission (which maps
 * nothing, whatever it points at) or a mapping of shadowed RAM.
 */
static uint64_t pick_tce(RandomTest *t, const ModelWindow *w)
{
    unsigned r = g_rand_int_range(t->rand, 0, 100);

    if (r < 22 || model_entries(&t->model) >= MODEL_ENTRY_CAP) {
        return 0;
    } else if (r < 30) {
        return rnd_range(t, 1, 1ULL << (50 - w->page_shift)) <<
               w->page_shift;
    }
    return pick_page(t, w->page_shift) | pick_perm(t);
}

/* A TCE the machine must refuse: misaligned, or not guest RAM. */
static uint64_t pick_bad_tce(RandomTest *t, const ModelWindow *w)
{
    uint64_t pgsz = 1ULL << w->page_shift;

    switch (g_rand_int_range(t->rand, 0, 4)) {
    case 0:     /* misaligned, even without permission */
        return (pick_page(t, w->page_shift) +
                4 * rnd_range(t, 1, pgsz / 4)) |
               g_rand_int_range(t->rand, 0, 4);
    case 1:     /* just past the end of RAM */
        return (t->model.ram_size + rnd_range(t, 0, 4) * pgsz) |
               pick_perm(t);
    case 2:     /* far beyond RAM */
        return (1ULL << 40) | pick_perm(t);
    default:    /* the top of the address space */
        return (~0ULL << 52) | pick_perm(t);
    }
}

/* A LIOBN no enabled table has. */
static uint64_t pick_bad_liobn(RandomTest *t)
{
    static const uint64_t unknown[] = {
        0x80000002, 0x80000100, 0x7fffffff, 0, 0x180000000ULL,
    };
    unsigned i;

    for (i = 0; i < NR_WINDOWS; i++) {
        if (!t->model.win[i].enabled && chance(t, 50)) {
            return LIOBN(i);
        }
    }
    return unknown[g_rand_int_range(t->rand, 0, G_N_ELEMENTS(unknown))];
}

/* A bus address outside @w: past its end, before it, far away. */
static uint64_t pick_bad_ioba(RandomTest *t, const ModelWindow *w)
{
    uint64_t pgsz = 1ULL << w->page_shift;

    switch (g_rand_int_range(t->rand, 0, 3)) {
    case 0:
        return w->bus_start + win_size(w) + rnd_range(t, 0, 4) * pgsz;
    case 1:
        if (w->bus_start) {
            return w->bus_start - rnd_range(t, 1, 4) * pgsz;
        }
        /* fall through */
    default:
        return ~0ULL - rnd_range(t, 0, pgsz);
    }
}

/* -------------------------------------------------------------- hcalls */

/* A refused hcall must have changed nothing: look at every window. */
static void refused(RandomTest *t, int64_t ret)
{
    if (ret != H_SUCCESS) {
        t->touched = (1U << NR_WINDOWS) - 1;
    }
}

static int64_t do_put(RandomTest *t, uint64_t liobn, uint64_t ioba,
                      uint64_t tce)
{
    uint64_t args[] = { liobn, ioba, tce };

    if (liobn <= UINT32_MAX) {
        return guest_put_tce(t->g, liobn, ioba, tce);
    }
    return qtest_hcall(t->m->qts, H_PUT_TCE, 3, args, 0, NULL);
}

static int64_t do_stuff(RandomTest *t, uint64_t liobn, uint64_t ioba,
                        uint64_t tce, uint64_t npages)
{
    uint64_t args[] = { liobn, ioba, tce, npages };

    if (liobn <= UINT32_MAX) {
        return guest_stuff_tce(t->g, liobn, ioba, tce, npages);
    }
    return qtest_hcall(t->m->qts, H_STUFF_TCE, 4, args, 0, NULL);
}

static void op_put(RandomTest *t)
{
    const ModelWindow *w = pick_window(t);
    uint64_t liobn, ioba, tce, idx;
    int64_t want, ret;

    if (!w || chance(t, 5)) {
        liobn = pick_bad_liobn(t);
        ioba = rnd_range(t, 0, 1ULL << 20);
        tce = pick_page(t, 12) | TCE_RW;
    } else {
        liobn = window_liobn(t, w);
        idx = pick_index(t, w);
        ioba = w->bus_start + (idx << w->page_shift) +
               rnd_range(t, 0, 1ULL << w->page_shift);
        tce = pick_tce(t, w);
        if (chance(t, 6)) {
            ioba = pick_bad_ioba(t, w);
        } else if (chance(t, 8)) {
            tce = pick_bad_tce(t, w);
        }
        sample(t, w, idx);
        t->touched |= 1U << (w->bus_start != host_slot_start[0]);
    }
    op_log(t, "H_PUT_TCE liobn 0x%" PRIx64 " ioba 0x%" PRIx64 " tce 0x%"
           PRIx64, liobn, ioba, tce);
    want = model_put(&t->model, liobn, ioba, tce);
    ret = do_put(t, liobn, ioba, tce);
    op_log(t, " -> %" PRId64, ret);
    CHECK(t, ret == want, "H_PUT_TCE returned %" PRId64 ", expected %"
          PRId64, ret, want);
    t->stats.put[ret != H_SUCCESS]++;
    refused(t, ret);
}

static void op_stuff(RandomTest *t)
{
    const ModelWindow *w = pick_window(t);
    uint64_t liobn, ioba, tce, npages, idx = 0;
    int64_t want, ret;

    if (!w || chance(t, 5)) {
        liobn = pick_bad_liobn(t);
        ioba = 0;
        tce = 0;
        npages = rnd_range(t, 0, 64);
    } else {
        unsigned r = g_rand_int_range(t->rand, 0, 100);

        liobn = window_liobn(t, w);
        idx = pick_index(t, w);
        ioba = w->bus_start + (idx << w->page_shift);
        tce = pick_tce(t, w);
        if (r < 10) {               /* more entries than are left */
            npages = w->nb - idx + rnd_range(t, 1, 1ULL << 20);
        } else if (r < 16) {
            ioba = pick_bad_ioba(t, w);
            npages = 1;
        } else if (r < 24) {
            tce = pick_bad_tce(t, w);
            npages = rnd_range(t, 1, MIN(w->nb - idx, 64) + 1);
        } else if (!tce && r < 40) {    /* clear to the end, or all */
            if (chance(t, 30)) {
                idx = 0;
                ioba = w->bus_start;
            }
            npages = w->nb - idx;
        } else if (!tce || !(tce & TCE_RW)) {
            npages = rnd_range(t, 0, MIN(w->nb - idx, 1024) + 1);
        } else {
            npages = rnd_range(t, 0, MIN(w->nb - idx, 64) + 1);
        }
        /* A valueless TCE still fills the model: keep that small. */
        if (tce && !(tce & TCE_RW)) {
            npages = MIN(npages, 64);
        }
        sample_range(t, w, idx, npages);
        t->touched |= 1U << (w->bus_start != host_slot_start[0]);
    }
    op_log(t, "H_STUFF_TCE liobn 0x%" PRIx64 " ioba 0x%" PRIx64 " tce 0x%"
           PRIx64 " npages 0x%" PRIx64, liobn, ioba, tce, npages);
    want = model_stuff(&t->model, liobn, ioba, tce, npages);
    ret = do_stuff(t, liobn, ioba, tce, npages);
    op_log(t, " -> %" PRId64, ret);
    CHECK(t, ret == want, "H_STUFF_TCE returned %" PRId64 ", expected %"
          PRId64, ret, want);
    t->stats.stuff[ret != H_SUCCESS]++;
    refused(t, ret);
}

/* A list: direct-map style, random, all clear, or with one bad entry. */
static void fill_list(RandomTest *t, const ModelWindow *w, uint64_t *tces,
                      unsigned n)
{
    uint64_t pgsz = 1ULL << w->page_shift;
    unsigned r = g_rand_int_range(t->rand, 0, 100);
    unsigned i;

    if (r < 40 && model_entries(&t->model) < MODEL_ENTRY_CAP) {
        const Shadow *s = pick_shadow(t);
        uint64_t off = pick_page_in(t, s, w->page_shift) - s->gpa;
        uint64_t perm = chance(t, 70) ? TCE_RW : pick_perm(t);

        /* Consecutive pages, wrapping inside the shadowed region. */
        for (i = 0; i < n; i++) {
            tces[i] = (s->gpa + (off + i * pgsz) % SHADOW_SIZE) | perm;
        }
    } else if (r < 80) {
        for (i = 0; i < n; i++) {
            tces[i] = pick_tce(t, w);
        }
    } else {
        for (i = 0; i < n; i++) {
            tces[i] = 0;
        }
    }
    if (n && chance(t, 12)) {
        tces[rnd_range(t, 0, n)] = pick_bad_tce(t, w);
    }
}

static void op_indirect(RandomTest *t)
{
    const ModelWindow *w = pick_window(t);
    uint64_t tces[TCE_LIST_MAX * 2] = { 0 };
    uint64_t liobn, ioba, npages, list = t->list_gpa, idx = 0;
    bool raw = false, list_ok = true;
    unsigned r = g_rand_int_range(t->rand, 0, 100);
    int64_t want, ret;

    if (!w || r < 4) {
        liobn = pick_bad_liobn(t);
        ioba = 0;
        npages = 1;
        tces[0] = pick_page(t, 12) | TCE_RW;
    } else {
        liobn = window_liobn(t, w);
        idx = pick_index(t, w);
        ioba = w->bus_start + (idx << w->page_shift);
        npages = chance(t, 30) ? TCE_LIST_MAX
                               : rnd_range(t, 1, TCE_LIST_MAX + 1);
        if (!chance(t, 10)) {
            npages = MIN(npages, w->nb - idx);
        }
        if (r < 9) {                /* more than one list page holds */
            npages = rnd_range(t, TCE_LIST_MAX + 1, TCE_LIST_MAX * 2 + 1);
            raw = true;
        } else if (r < 13) {        /* list not 4 KiB aligned */
            list += 8 * rnd_range(t, 1, 512);
            raw = true;
        } else if (r < 17) {        /* list beyond RAM */
            list = t->model.ram_size + (rnd_range(t, 0, 16) << 12);
            list_ok = false;
            raw = true;
        } else if (r < 20) {
            npages = 0;
            raw = true;
        } else if (r < 24) {
            ioba = pick_bad_ioba(t, w);
        }
        fill_list(t, w, tces, MIN(npages, TCE_LIST_MAX * 2));
        sample_range(t, w, idx, npages);
        t->touched |= 1U << (w->bus_start != host_slot_start[0]);
    }
    op_log(t, "H_PUT_TCE_INDIRECT%s liobn 0x%" PRIx64 " ioba 0x%" PRIx64
           " list 0x%" PRIx64 " npages %" PRIu64 " [0]=0x%" PRIx64,
           raw ? " (raw)" : "", liobn, ioba, list, npages, tces[0]);
    want = model_indirect(&t->model, liobn, ioba, list, list_ok, tces,
                          npages);
    if (raw || liobn > UINT32_MAX) {
        uint64_t args[] = { liobn, ioba, list, npages };
        uint64_t be[TCE_LIST_MAX];
        unsigned i;

        /* Our list page holds the first 512; a list past RAM nothing. */
        for (i = 0; i < MIN(npages, TCE_LIST_MAX); i++) {
            be[i] = GUINT64_TO_BE(tces[i]);
        }
        qtest_memwrite(t->m->qts, t->list_gpa, be,
                       MIN(npages, TCE_LIST_MAX) * sizeof(be[0]));
        ret = qtest_hcall(t->m->qts, H_PUT_TCE_INDIRECT, 4, args, 0, NULL);
    } else {
        ret = guest_put_tce_indirect(t->g, liobn, ioba, tces, npages);
    }
    op_log(t, " -> %" PRId64, ret);
    CHECK(t, ret == want, "H_PUT_TCE_INDIRECT returned %" PRId64
          ", expected %" PRId64, ret, want);
    t->stats.indirect[ret != H_SUCCESS]++;
    refused(t, ret);
}

/* -------------------------------------------------------- host faults */

/* Which armed faults have fired: vfio-sim's call counters tell. */
static void fault_poll_state(RandomTest *t, JsonObject *st)
{
    unsigned f;

    for (f = 0; f < NR_FAULTS; f++) {
        if (t->armed[f].armed &&
            vt_ioctl_calls(st, fault_ioctl[f].ioctl) >= t->armed[f].target) {
            t->armed[f].armed = false;
            t->fired |= FAULT_BIT(f);
            t->stats.fired[f]++;
            op_log(t, " [%s fault fired]", fault_ioctl[f].name);
        }
    }
}

static void fault_poll(RandomTest *t)
{
    g_autoptr(JsonObject) st = NULL;
    unsigned f;

    for (f = 0; f < NR_FAULTS && !t->armed[f].armed; f++) {
        continue;
    }
    if (f < NR_FAULTS) {
        st = vsim_machine_state(t->m);
        fault_poll_state(t, st);
    }
}

/* Make the @nth next call of @f fail, with an errno the kernel uses. */
static void fault_arm(RandomTest *t, JsonObject *st, FaultIoctl f,
                      unsigned nth)
{
    const char *const *errnos = fault_ioctl[f].errnos;
    unsigned n = 0;
    const char *err;

    while (n < G_N_ELEMENTS(fault_ioctl[f].errnos) && errnos[n]) {
        n++;
    }
    err = errnos[g_rand_int_range(t->rand, 0, n)];
    vt_fault_nth(t->m, fault_ioctl[f].ioctl, nth, err);
    t->armed[f].armed = true;
    t->armed[f].target = vt_ioctl_calls(st, fault_ioctl[f].ioctl) + nth;
    t->stats.armed[f]++;
    op_log(t, " %s#%u=%s", fault_ioctl[f].name, nth, err);
}

/*
 * Arm host faults: one ioctl failing at one of its next calls, or the
 * double and triple faults of docs/vfio.md: a MAP failing and the UNMAP
 * that should clear the tables failing too (the window is then
 * removed), and that REMOVE failing as well (host TCEs stay; the device
 * must stay stopped).
 */
static void op_fault(RandomTest *t)
{
    g_autoptr(JsonObject) st = vsim_machine_state(t->m);
    unsigned r = g_rand_int_range(t->rand, 0, 100);

    op_log(t, "host fault");
    if (r < 28) {
        fault_arm(t, st, FAULT_MAP, g_rand_int_range(t->rand, 1, 9));
    } else if (r < 46) {
        fault_arm(t, st, FAULT_UNMAP, g_rand_int_range(t->rand, 1, 9));
    } else if (r < 60) {
        fault_arm(t, st, FAULT_CREATE, g_rand_int_range(t->rand, 1, 5));
    } else if (r < 72) {
        fault_arm(t, st, FAULT_REMOVE, g_rand_int_range(t->rand, 1, 5));
    } else {
        fault_arm(t, st, FAULT_MAP, g_rand_int_range(t->rand, 1, 4));
        fault_arm(t, st, FAULT_UNMAP, 1);
        if (r >= 88) {
            fault_arm(t, st, FAULT_REMOVE, 1);
        }
    }
}

/* The only container, as query-vfio shows it (@reply keeps it alive). */
static JsonObject *query_container(RandomTest *t, JsonObject **reply)
{
    JsonArray *list = vt_query_vfio(t->m, reply);

    CHECK(t, json_array_get_length(list) == 1, "query-vfio lists %u "
          "containers", json_array_get_length(list));
    return json_array_get_object_element(list, 0);
}

static bool step_resets_dma(RandomTest *t)
{
    return t->op_kind == OP_RESET || t->op_kind == OP_SYSTEM_RESET;
}

/* Does query-vfio's last-error name an ioctl that failed in @mask? */
static bool error_names_fault(const char *last_error, unsigned mask)
{
    unsigned f;

    for (f = 0; f < NR_FAULTS; f++) {
        if ((mask & FAULT_BIT(f)) && last_error &&
            strstr(last_error, fault_ioctl[f].ioctl)) {
            return true;
        }
    }
    return false;
}

/* A new failure was reported to management: VFIO_DEVICE_FAILED. */
static void expect_failed_event(RandomTest *t)
{
    g_autoptr(JsonObject) ev = qtest_qmp_eventwait(t->m->qts,
                                                   "VFIO_DEVICE_FAILED");
    JsonObject *data = json_object_get_object_member(ev, "data");
    const char *host = json_object_get_string_member(data, "host");

    CHECK(t, host && strstr(host, HOST_BDF), "VFIO_DEVICE_FAILED names "
          "host '%s', not %s", host ? host : "", HOST_BDF);
}

/*
 * After a step of the fault case: learn which faults fired and what the
 * container is now, check that against docs/vfio.md "Failures", and
 * switch the model between exact and degraded.
 */
/* Is there a window at @start+@size in @windows (host or query-vfio)? */
static bool window_listed(JsonArray *windows, uint64_t start, uint64_t size)
{
    unsigned i;

    for (i = 0; i < json_array_get_length(windows); i++) {
        JsonObject *w = json_array_get_object_element(windows, i);

        if ((uint64_t)json_object_get_int_member(w, "start") == start &&
            (uint64_t)json_object_get_int_member(w, "size") == size) {
            return true;
        }
    }
    return false;
}

/*
 * The machine knows exactly the windows the host has (query-vfio's
 * "windows" are its host windows).  A window it forgot would never be
 * removed or mirrored again, and would stand in the way of every later
 * recovery: the host places windows in the first free slot.
 */
static void check_host_windows_known(RandomTest *t, JsonObject *st,
                                     JsonObject *qc)
{
    JsonArray *host = vt_windows(vt_only_container(st));
    JsonArray *known = json_object_get_array_member(qc, "windows");
    unsigned i;

    for (i = 0; i < json_array_get_length(known); i++) {
        JsonObject *w = json_array_get_object_element(known, i);
        uint64_t start = json_object_get_int_member(w, "start");
        uint64_t size = json_object_get_int_member(w, "size");

        CHECK(t, window_listed(host, start, size), "query-vfio lists host "
              "window 0x%" PRIx64 "+0x%" PRIx64 ", which the host does not "
              "have", start, size);
    }
    for (i = 0; i < json_array_get_length(host); i++) {
        JsonObject *w = json_array_get_object_element(host, i);
        uint64_t start = json_object_get_int_member(w, "start");
        uint64_t size = json_object_get_int_member(w, "size");

        if (window_listed(known, start, size)) {
            continue;
        }
        /* A window the machine forgot could never be removed again. */
        CHECK(t, false, "the host has window 0x%" PRIx64 "+0x%" PRIx64
              " that the machine has forgotten (not in query-vfio)", start,
              size);
    }
}

static void faults_observe(RandomTest *t)
{
    g_autoptr(JsonObject) reply = NULL;
    g_autoptr(JsonObject) st = vsim_machine_state(t->m);
    JsonObject *c;
    const char *state, *last_error;
    uint64_t recoveries;
    bool failed, recovered;

    fault_poll_state(t, st);
    c = query_container(t, &reply);
    check_host_windows_known(t, st, c);
    state = json_object_get_string_member(c, "state");
    last_error = json_object_get_string_member_with_default(c, "last-error",
                                                            NULL);
    recoveries = json_object_get_int_member(c, "recoveries");
    failed = !g_strcmp0(state, "failed");
    CHECK(t, failed || !g_strcmp0(state, "working"), "query-vfio state '%s'",
          state ? state : "");
    CHECK(t, recoveries >= t->recoveries, "query-vfio recoveries went from "
          "%" PRIu64 " to %" PRIu64, t->recoveries, recoveries);
    recovered = recoveries > t->recoveries;
    CHECK(t, !recovered || step_resets_dma(t), "the container recovered "
          "without a reset");

    if (!t->degraded) {
        /* Failed now, or failed and recovered within this reset. */
        bool fails = failed || recovered;

        CHECK(t, !fails || t->fired, "the container failed (%s) with no "
              "host fault", last_error ? last_error : "no last-error");
        CHECK(t, !fails || t->op_kind != OP_CREATE ||
              (t->fired & FAULTS_FAIL), "a DDW create the host refused "
              "failed the container: %s", last_error ? last_error : "");
        CHECK(t, fails || !(t->fired & FAULTS_FAIL), "a host %s failure "
              "left the container working", (t->fired &
              FAULT_BIT(FAULT_MAP)) ? "MAP_DMA" : (t->fired &
              FAULT_BIT(FAULT_UNMAP)) ? "UNMAP_DMA" : "TCE_REMOVE");
        if (recovered && !failed) {
            op_log(t, " [container failed and recovered]");
        }
        if (fails) {
            /*
             * last-error is the latest failure: in a reset that may be a
             * consequence (a default window overlapping the host window
             * whose REMOVE failed) rather than the fault itself.
             */
            CHECK(t, last_error && (step_resets_dma(t) ||
                  error_names_fault(last_error, t->fired)), "last-error "
                  "'%s' names none of the ioctls that failed",
                  last_error ? last_error : "");
            expect_failed_event(t);
            t->stats.failures++;
        }
        if (failed) {
            op_log(t, " [container failed]");
        }
        if (failed) {
            t->degraded = true;
            t->episode_fired = 0;
        }
    } else if (!failed) {
        CHECK(t, recovered, "the failed container works again, but "
              "query-vfio counts no recovery");
        t->stats.recoveries++;
        op_log(t, " [recovered]");
    } else if (step_resets_dma(t)) {
        /* A reset tries again; only the host refusing keeps it failed. */
        CHECK(t, t->fired, "a reset did not bring "
              "the failed container back, and no host fault fired: %s",
              last_error ? last_error : "no last-error");
        t->stats.refused_recoveries++;
        op_log(t, " [still failed]");
    }
    if (t->degraded && !failed) {
        t->degraded = false;
        t->may_be_stale = false;
        t->windows_changed = true;
    }
    if (t->degraded) {
        bool was_stale = t->may_be_stale;

        t->episode_fired |= t->fired;
        t->may_be_stale = (t->episode_fired & FAULT_BIT(FAULT_UNMAP)) &&
                          (t->episode_fired & FAULT_BIT(FAULT_REMOVE));
        t->stats.stale_episodes += t->may_be_stale && !was_stale;
        t->stats.degraded_steps++;
    }
    if (step_resets_dma(t) || recovered) {
        /* Guest RAM may have been registered with the host again. */
        t->ram_hpa = find_ram_hpa(t);
    }
    t->recoveries = recoveries;
}

/* ---------------------------------------------------------------- DDW */

static void op_query(RandomTest *t)
{
    uint32_t avail = ~0U, pgmask = ~0U;
    int32_t ret = guest_ddw_query(t->g, &t->dev, &avail, &pgmask);

    op_log(t, "query -> %d avail %u mask 0x%x", ret, avail, pgmask);
    /*
     * A failed container may still hold a host window the guest removed
     * (its REMOVE failed): the device then cannot take another window.
     */
    CHECK(t, ret == RTAS_SUCCESS && (avail == 2 - model_active(&t->model) ||
          (t->degraded && !avail)) && pgmask == QUERY_PGMASK,
          "query returned %d, %u windows available, mask 0x%x; expected 0, "
          "%u, 0x%x", ret, avail, pgmask, 2 - model_active(&t->model),
          QUERY_PGMASK);
    t->stats.query++;
}

static void op_create(RandomTest *t)
{
    static const unsigned shifts[] = { 12, 16, 21, 24 };
    static const unsigned bad_shifts[] = { 13, 20, 25, 30, 34, 64, 99 };
    unsigned r = g_rand_int_range(t->rand, 0, 100);
    unsigned ps = shifts[g_rand_int_range(t->rand, 0, 4)];
    unsigned ws = rnd_range(t, ps, MIN(ps + 15, 29));
    GuestWindow out = { 0 };
    uint32_t liobn = 0;
    uint64_t bus = 0;
    int32_t want, ret;

    if (r < 70) {
        /* valid: the shifts above */
    } else if (r < 80) {
        ps = bad_shifts[g_rand_int_range(t->rand, 0, 7)];
        ws = 30;
    } else if (r < 88) {
        ws = ps - rnd_range(t, 1, 4);
    } else if (r < 94 || model_active(&t->model) != 1) {
        ps = 12;        /* 2^64 entries: too large */
        ws = 76;
    } else {
        ps = 12;        /* a 2^64-byte window at dma64_win_addr */
        ws = 64;
    }
    op_log(t, "create page_shift %u window_shift %u", ps, ws);
    want = model_create(&t->model, ps, ws, &liobn, &bus);
    ret = guest_ddw_create(t->g, &t->dev, ps, ws, &out);
    op_log(t, " -> %d liobn 0x%x at 0x%" PRIx64, ret, out.liobn,
           out.bus_start);
    t->op_kind = OP_CREATE;
    if (t->faults && want == RTAS_SUCCESS && ret == RTAS_HW_ERROR) {
        /*
         * The host refused the window (TCE_CREATE failed; or a failed
         * container still holds a window there): -1, and the guest's
         * windows are exactly as before.
         */
        fault_poll(t);
        if (t->degraded || (t->fired & FAULT_BIT(FAULT_CREATE))) {
            model_disable(&t->model.win[liobn == LIOBN(1)]);
            want = ret;
            t->windows_changed = true;
            t->stats.host_refused_create++;
            op_log(t, " (host refused)");
        }
    }
    CHECK(t, ret == want, "create returned %d, expected %d", ret, want);
    if (ret == RTAS_SUCCESS) {
        CHECK(t, out.liobn == liobn && out.bus_start == bus,
              "created liobn 0x%x at 0x%" PRIx64 ", expected 0x%x at 0x%"
              PRIx64, out.liobn, out.bus_start, liobn, bus);
        t->windows_changed = true;
    }
    t->stats.create[ret != RTAS_SUCCESS]++;
}

static void op_remove(RandomTest *t)
{
    const ModelWindow *w = pick_window(t);
    uint32_t liobn;
    int32_t want, ret;

    if (w && chance(t, 65)) {
        liobn = window_liobn(t, w);
    } else {
        liobn = pick_bad_liobn(t);
    }
    op_log(t, "remove liobn 0x%x", liobn);
    want = model_remove(&t->model, liobn);
    ret = guest_ddw_remove(t->g, liobn);
    op_log(t, " -> %d", ret);
    t->op_kind = OP_REMOVE;
    CHECK(t, ret == want, "remove returned %d, expected %d", ret, want);
    t->windows_changed |= ret == RTAS_SUCCESS;
    t->stats.remove[ret != RTAS_SUCCESS]++;
}

static void op_reset(RandomTest *t)
{
    int32_t ret;

    op_log(t, "reset");
    model_reset(&t->model);
    ret = guest_ddw_reset(t->g, &t->dev);
    op_log(t, " -> %d", ret);
    CHECK(t, ret == RTAS_SUCCESS, "reset returned %d", ret);
    t->windows_changed = true;
    t->op_kind = OP_RESET;
    t->stats.reset++;
}

/*
 * system_reset: the PHB goes back to its default window (and a failed
 * container tries to recover), the device loses memory decoding and bus
 * mastering; a new guest finds the device again and enables them.
 * Guest RAM is kept.
 */
static void op_system_reset(RandomTest *t)
{
    g_autoptr(JsonObject) reply = NULL;
    g_autoptr(JsonObject) ev = NULL;
    GuestWindow dw;

    op_log(t, "system_reset");
    reply = qtest_qmp(t->m->qts, "{'execute': 'system_reset'}");
    CHECK(t, !qtest_qmp_error_desc(reply), "system_reset: %s",
          qtest_qmp_error_desc(reply));
    ev = qtest_qmp_eventwait(t->m->qts, "RESET");
    model_reset(&t->model);
    guest_free(t->g);
    t->g = guest_new(t->m->qts, RAM_SIZE);
    CHECK(t, guest_find_device(t->g, 0, DMA_ENGINE_VENDOR,
                               DMA_ENGINE_DEVICE, 0, &t->dev),
          "the device is gone after system_reset");
    dw = guest_default_window(t->g, &t->dev);
    CHECK(t, dw.liobn == LIOBN(0) && dw.bus_start == DMA_WIN_ADDR &&
          dw.size == DMA_WIN_SIZE, "default window after system_reset: "
          "liobn 0x%x at 0x%" PRIx64 "+0x%" PRIx64, dw.liobn, dw.bus_start,
          dw.size);
    t->windows_changed = true;
    t->op_kind = OP_SYSTEM_RESET;
    t->stats.system_reset++;
}

/* ---------------------------------------------------------------- DMA */

typedef enum DmaOp { DMA_COPY, DMA_FILL, DMA_CHECKSUM } DmaOp;

typedef struct DmaPredict {
    uint32_t kind;
    uint64_t err_iova;
    uint64_t done;
    uint64_t sum;
} DmaPredict;

/*
 * One side of a device access at @iova: the fault it takes, or the
 * shadow bytes it reaches, with *chunk cut at the end of the host
 * IOMMU page (the engine moves at most that much per step).
 */
static bool dma_side(RandomTest *t, uint64_t iova, bool write,
                     uint8_t **ptr, uint64_t *chunk, DmaPredict *p)
{
    ModelWindow *w = model_window_at(&t->model, iova);
    uint64_t off, tce, hpg, gpa;

    p->err_iova = iova;
    if (!w) {
        p->kind = DMA_ERR_NO_WINDOW;
        return false;
    }
    off = iova - w->bus_start;
    tce = model_get(w, off >> w->page_shift);
    if (!(tce & TCE_RW)) {
        p->kind = DMA_ERR_NO_MAPPING;
        return false;
    }
    /* a device may read what it may write: the host forces READ */
    if (!(host_perm_allowed(tce) & (write ? TCE_WRITE : TCE_READ))) {
        p->kind = DMA_ERR_PERMISSION;
        return false;
    }
    /*
     * A failed container's host window may be gone: what the device did
     * there (nothing, as it is stopped) is cut at the guest's pages.
     */
    CHECK(t, w->host_shift || t->degraded, "no host page size known for "
          "window 0x%" PRIx64, w->bus_start);
    hpg = 1ULL << (w->host_shift ? w->host_shift : w->page_shift);
    *chunk = MIN(*chunk, hpg - (off & (hpg - 1)));
    gpa = (tce & ~TCE_RW) + (off & ((1ULL << w->page_shift) - 1));
    *ptr = shadow_ptr(t, gpa, *chunk);
    g_assert(*ptr);     /* the generator maps shadowed RAM only */
    return true;
}

/* What the engine must do, done to the shadow as it goes. */
static void dma_predict(RandomTest *t, DmaOp op, uint64_t src, uint64_t dst,
                        uint64_t len, uint64_t pattern, DmaPredict *p)
{
    uint8_t pat[8];
    unsigned i;

    for (i = 0; i < 8; i++) {
        pat[i] = pattern >> (8 * i);
    }
    memset(p, 0, sizeof(*p));
    p->sum = FNV_OFFSET;
    while (p->done < len) {
        uint64_t chunk = len - p->done, j;
        uint8_t *s = NULL, *d = NULL;

        if (op != DMA_FILL &&
            !dma_side(t, src + p->done, false, &s, &chunk, p)) {
            return;
        }
        if (op != DMA_CHECKSUM &&
            !dma_side(t, dst + p->done, true, &d, &chunk, p)) {
            return;
        }
        switch (op) {
        case DMA_COPY:
            memmove(d, s, chunk);
            break;
        case DMA_FILL:
            for (j = 0; j < chunk; j++) {
                d[j] = pat[(p->done + j) & 7];
            }
            break;
        case DMA_CHECKSUM:
            for (j = 0; j < chunk; j++) {
                p->sum = (p->sum ^ s[j]) * FNV_PRIME;
            }
            break;
        }
        p->done += chunk;
    }
    p->err_iova = 0;
}

/* Mostly a mapped page; also any entry, a window's edge, no window. */
static uint64_t pick_dma_iova(RandomTest *t)
{
    const ModelWindow *w = pick_window(t);
    unsigned r = g_rand_int_range(t->rand, 0, 100);
    static const uint64_t nowhere[] = {
        DMA_WIN_SIZE, 1ULL << 40, DMA64_WIN_ADDR - 0x1000, 1ULL << 62,
    };

    if (w && r < 60 && g_tree_nnodes(w->tces)) {
        unsigned k = g_rand_int_range(t->rand, 0, g_tree_nnodes(w->tces));
        GTreeNode *n = g_tree_node_first(w->tces);

        while (k--) {
            n = g_tree_node_next(n);
        }
        return w->bus_start +
               ((uintptr_t)g_tree_node_key(n) << w->page_shift) +
               rnd_range(t, 0, 1ULL << w->page_shift);
    } else if (w && r < 85) {
        return w->bus_start + (pick_index(t, w) << w->page_shift) +
               rnd_range(t, 0, 1ULL << w->page_shift);
    } else if (w && r < 93) {
        return w->bus_start + win_size(w) - rnd_range(t, 1, 256);
    }
    return nowhere[g_rand_int_range(t->rand, 0, G_N_ELEMENTS(nowhere))] +
           rnd_range(t, 0, 0x1000);
}

static uint64_t pick_dma_len(RandomTest *t)
{
    unsigned r = g_rand_int_range(t->rand, 0, 100);

    if (r < 8) {
        return rnd_range(t, 0, 9);
    } else if (r < 45) {
        return rnd_range(t, 1, 257);
    } else if (r < 85) {
        return rnd_range(t, 1, 4097);
    }
    return rnd_range(t, 1, DMA_MAX_LEN + 1);
}

static const char *const dma_op_name[] = { "copy", "fill", "checksum" };
static const char *const dma_err_name[] = {
    "none", "no-window", "no-mapping", "permission", "bad-command",
    "bus-master",
};

/* The engine's outcome through the control channel, as a DmaResult. */
static DmaResult dma_by_control(RandomTest *t, DmaOp op, uint64_t src,
                                uint64_t dst, uint64_t len, uint64_t pattern)
{
    g_autoptr(GError) err = NULL;
    DmaResult res = { 0 };
    const char *e;
    JsonObject *o;
    unsigned i;

    o = vsim_control_dma(t->ctl, HOST_BDF, dma_op_name[op], src, dst, len,
                         pattern, &err);
    CHECK(t, o, "control dma: %s", err ? err->message : "?");
    res.status = !g_strcmp0(json_object_get_string_member(o, "status"),
                            "done") ? DMA_STATUS_DONE : DMA_STATUS_ERROR;
    res.done = json_object_get_int_member(o, "done");
    res.result = vsim_control_dma_result(o);
    res.err_iova = json_object_get_int_member(o, "error_iova");
    e = json_object_get_string_member(o, "error");
    res.err_kind = ~0U;
    for (i = 0; i < G_N_ELEMENTS(dma_err_name); i++) {
        if (!g_strcmp0(e, dma_err_name[i])) {
            res.err_kind = i;
        }
    }
    json_object_unref(o);
    t->stats.dma_ctl++;
    return res;
}

/* Guest RAM the write side of [dst, dst + len) maps to must match. */
static void check_dma_target(RandomTest *t, uint64_t dst, uint64_t len)
{
    uint64_t done = 0;

    while (done < len) {
        ModelWindow *w = model_window_at(&t->model, dst + done);
        uint64_t off, tce, pgsz, n;

        if (!w) {
            return;     /* the rest cannot be written */
        }
        pgsz = 1ULL << w->page_shift;
        off = dst + done - w->bus_start;
        n = MIN(pgsz - (off & (pgsz - 1)), len - done);
        tce = model_get(w, off >> w->page_shift);
        if (tce & TCE_RW) {
            check_ram(t, (tce & ~TCE_RW) + (off & (pgsz - 1)), n);
        }
        done += n;
    }
}

static bool dma_err_known(uint32_t kind)
{
    return kind == DMA_ERR_NO_WINDOW || kind == DMA_ERR_NO_MAPPING ||
           kind == DMA_ERR_PERMISSION || kind == VT_ERR_BUS_MASTER;
}

/*
 * A DMA while the container is failed: the host no longer follows the
 * guest, so the outcome is not predicted exactly.  Whatever the device
 * did must be what the guest allows (the shadow follows the bytes it
 * did); and as the device is stopped, any access fails at once.
 */
static void dma_check_failed_container(RandomTest *t, DmaOp op, uint64_t src,
                                       uint64_t dst, uint64_t len,
                                       uint64_t pattern, DmaResult res)
{
    DmaPredict p;

    CHECK(t, res.done <= len && (res.status == DMA_STATUS_DONE ||
          (res.status == DMA_STATUS_ERROR && dma_err_known(res.err_kind))),
          "dma %s with the container failed: status %u, fault %u, done 0x%"
          PRIx64 " of 0x%" PRIx64, dma_op_name[op], res.status,
          res.err_kind, res.done, len);
    dma_predict(t, op, src, dst, res.done, pattern, &p);
    CHECK(t, !p.kind, "dma %s with the container failed: the device did "
          "0x%" PRIx64 " bytes, but the guest does not let it (fault %u at "
          "0x%" PRIx64 ")", dma_op_name[op], res.done, p.kind, p.err_iova);
    CHECK(t, !res.done && (res.status == DMA_STATUS_ERROR || !len),
          "dma %s with the container failed: status %u after 0x%" PRIx64
          " of 0x%" PRIx64 " bytes; a stopped device does no DMA",
          dma_op_name[op], res.status, res.done, len);
    if (op == DMA_CHECKSUM && res.status == DMA_STATUS_DONE) {
        CHECK(t, res.result == p.sum, "checksum 0x%" PRIx64 ", expected 0x%"
              PRIx64, res.result, p.sum);
    }
    t->stats.degraded_dma++;
}

static void op_dma(RandomTest *t)
{
    DmaOp op = g_rand_int_range(t->rand, 0, 3);
    uint64_t src = pick_dma_iova(t);
    uint64_t dst = chance(t, 15) ? src + rnd_range(t, 0, 512) - 256
                                 : pick_dma_iova(t);
    uint64_t len = pick_dma_len(t);
    uint64_t pattern = rnd64(t);
    bool by_control = chance(t, 10);
    DmaPredict p;
    DmaResult res;

    op_log(t, "dma %s%s src 0x%" PRIx64 " dst 0x%" PRIx64 " len 0x%"
           PRIx64, dma_op_name[op], by_control ? " (control)" : "",
           src, dst, len);
    if (!t->degraded) {
        dma_predict(t, op, src, dst, len, pattern, &p);
    }
    if (by_control) {
        res = dma_by_control(t, op, src, dst, len, pattern);
    } else if (op == DMA_COPY) {
        res = dma_engine_copy(t->g, &t->dev, src, dst, len);
    } else if (op == DMA_FILL) {
        res = dma_engine_fill(t->g, &t->dev, dst, len, pattern);
    } else {
        res = dma_engine_checksum(t->g, &t->dev, src, len);
    }
    op_log(t, " -> status %u kind %u at 0x%" PRIx64 " done 0x%" PRIx64,
           res.status, res.err_kind, res.err_iova, res.done);
    if (t->degraded) {
        dma_check_failed_container(t, op, src, dst, len, pattern, res);
        if (op != DMA_CHECKSUM) {
            check_dma_target(t, dst, len);
        }
        return;
    }
    CHECK(t, res.status == (p.kind ? DMA_STATUS_ERROR : DMA_STATUS_DONE) &&
          res.err_kind == p.kind && res.err_iova == p.err_iova &&
          res.done == p.done, "dma %s: status %u, fault %u at 0x%" PRIx64
          ", done 0x%" PRIx64 "; expected fault %u at 0x%" PRIx64
          ", done 0x%" PRIx64, dma_op_name[op], res.status, res.err_kind,
          res.err_iova, res.done, p.kind, p.err_iova, p.done);
    if (op == DMA_CHECKSUM && !p.kind) {
        CHECK(t, res.result == p.sum, "checksum 0x%" PRIx64 ", expected 0x%"
              PRIx64, res.result, p.sum);
    }
    if (op != DMA_CHECKSUM) {
        check_dma_target(t, dst, len);
    }
    t->stats.dma[p.kind]++;
    t->stats.dma_bytes += p.done;
}

/* --------------------------------------------------------------- run */

/*
 * The fault case's mix: fewer DMA commands, host faults armed now and
 * then, and resets often enough that failed periods end.
 */
static void step_op_with_faults(RandomTest *t, unsigned r)
{
    /* A guest whose device stopped working resets it before long. */
    if (t->degraded && chance(t, 8)) {
        r = 95;
    }
    if (r < 20) {
        op_put(t);
    } else if (r < 33) {
        op_indirect(t);
    } else if (r < 44) {
        op_stuff(t);
    } else if (r < 78) {
        op_dma(t);
    } else if (r < 80) {
        op_query(t);
    } else if (r < 85) {
        op_create(t);
    } else if (r < 89) {
        op_remove(t);
    } else if (r < 95) {
        op_fault(t);
    } else if (r < 99) {
        op_reset(t);
    } else {
        op_system_reset(t);
    }
}

static void step(RandomTest *t)
{
    unsigned r = g_rand_int_range(t->rand, 0, 100);
    unsigned i;

    g_string_truncate(t->op, 0);
    g_array_set_size(t->samples, 0);
    t->touched = 0;
    t->windows_changed = false;
    t->fired = 0;
    t->op_kind = OP_OTHER;

    if (!model_active(&t->model) && r < 30) {
        /* Like a guest that removed its last window: make a new one. */
        if (r < 25) {
            op_create(t);
        } else {
            op_reset(t);
        }
    } else if (t->faults) {
        step_op_with_faults(t, r);
    } else if (r < 22) {
        op_put(t);
    } else if (r < 36) {
        op_indirect(t);
    } else if (r < 48) {
        op_stuff(t);
    } else if (r < 90) {
        op_dma(t);
    } else if (r < 92) {
        op_query(t);
    } else if (r < 96) {
        op_create(t);
    } else if (r < 99) {
        op_remove(t);
    } else {
        op_reset(t);
    }
    if (t->faults) {
        faults_observe(t);
    }
    g_checksum_update(t->digest, (const guchar *)t->op->str, t->op->len);
    g_free(t->history[t->step % HISTORY]);
    t->history[t->step % HISTORY] = g_strdup_printf("%u: %s", t->step,
                                                    t->op->str);
    if (t->verbose) {
        g_test_message("%s", t->history[t->step % HISTORY]);
    }

    /* The machine's tables where the step wrote, and a few probes. */
    for (i = 0; i < t->samples->len; i++) {
        Sample *s = &g_array_index(t->samples, Sample, i);

        check_entry(t, s->win, s->idx);
    }
    for (i = 0; i < PROBES_PER_STEP; i++) {
        const ModelWindow *w = pick_window(t);

        if (w) {
            check_entry(t, w == &t->model.win[1], pick_index(t, w));
        }
    }
    if (t->faults) {
        /* Every window after every step: faults hit anywhere. */
        CHECK(t, !t->degraded || device_stopped(t), "the container failed "
              "but the device still has bus mastering on");
        if (t->windows_changed) {
            check_tables(t);
        }
        check_host(t, (1U << NR_WINDOWS) - 1);
    } else if (t->windows_changed) {
        check_tables(t);
        check_host(t, (1U << NR_WINDOWS) - 1);
    } else {
        check_host(t, t->touched);
    }
    if ((t->step + 1) % FULL_CHECK_EVERY == 0) {
        check_all_entries(t);
        check_host(t, (1U << NR_WINDOWS) - 1);
        CHECK(t, find_ram_hpa(t) == t->ram_hpa, "guest RAM moved in the "
              "host");
    }
    if ((t->step + 1) % RAM_CHECK_EVERY == 0) {
        check_all_ram(t);
    }
}

static unsigned env_uint(const char *name, unsigned dflt)
{
    const char *s = g_getenv(name);
    guint64 v;

    if (!s || !*s) {
        return dflt;
    }
    if (!g_ascii_string_to_unsigned(s, 10, 0, G_MAXUINT32, &v, NULL)) {
        g_error("%s=%s: not a number", name, s);
    }
    return v;
}

static RandomTest *random_test_start(guint32 seed, unsigned nops,
                                     bool faults)
{
    RandomTest *t = g_new0(RandomTest, 1);
    GuestWindow dw;
    unsigned i;

    t->seed = seed;
    t->nops = nops;
    t->faults = faults;
    t->verbose = env_uint("SPAPR_RANDOM_VERBOSE", 0);
    t->rand = g_rand_new_with_seed(seed);
    t->op = g_string_new(NULL);
    t->samples = g_array_new(false, false, sizeof(Sample));
    t->digest = g_checksum_new(G_CHECKSUM_SHA256);
    snprintf(replay_msg, sizeof(replay_msg),
             "# replay with SPAPR_RANDOM_SEED=%u -p %s\n", seed,
             test_path);
    signal(SIGABRT, replay_on_abort);

    t->m = vsim_machine_start(HOST_BDF "=dma-engine@1", "memlock=unlimited",
                              "-m %" PRIu64 "M -device vfio-pci,host="
                              HOST_BDF, (uint64_t)(RAM_SIZE >> 20));
    t->ctl = vsim_machine_control(t->m);
    g_assert_nonnull(t->ctl);
    t->g = guest_new(t->m->qts, RAM_SIZE);
    g_assert_true(guest_find_device(t->g, 0, DMA_ENGINE_VENDOR,
                                    DMA_ENGINE_DEVICE, 0, &t->dev));
    model_init(&t->model, RAM_SIZE);
    dw = guest_default_window(t->g, &t->dev);
    g_assert_cmphex(dw.liobn, ==, LIOBN(0));
    g_assert_cmphex(dw.bus_start, ==, DMA_WIN_ADDR);
    g_assert_cmphex(dw.size, ==, DMA_WIN_SIZE);

    t->shadow[0].gpa = guest_alloc(t->g, SHADOW_SIZE, SHADOW_SIZE);
    t->shadow[1].gpa = RAM_SIZE - SHADOW_SIZE;
    t->list_gpa = guest_alloc(t->g, 0x1000, 0x1000);
    g_assert_cmphex(t->shadow[0].gpa + SHADOW_SIZE, <=, t->shadow[1].gpa);
    g_assert_cmphex(t->list_gpa + 0x1000, <=, t->shadow[1].gpa);
    for (i = 0; i < NR_SHADOWS; i++) {
        uint32_t *d = g_malloc(SHADOW_SIZE);
        uint64_t j;

        for (j = 0; j < SHADOW_SIZE / 4; j++) {
            d[j] = g_rand_int(t->rand);
        }
        t->shadow[i].data = (uint8_t *)d;
        qtest_bufwrite(t->m->qts, t->shadow[i].gpa, d, SHADOW_SIZE);
    }
    t->ram_hpa = find_ram_hpa(t);
    check_tables(t);
    check_host(t, (1U << NR_WINDOWS) - 1);
    return t;
}

/*
 * End of the fault case: no fault may fire while the machine quits.  A
 * failed container is either recovered by a last reset, so that the end
 * is checked exactly, or left failed, so that quitting with a failed
 * (perhaps stale) container is checked to leave the host clean too.
 */
static void faults_finish(RandomTest *t)
{
    unsigned f;

    for (f = 0; f < NR_FAULTS; f++) {
        if (t->armed[f].armed) {
            vt_fault_nth(t->m, fault_ioctl[f].ioctl, G_MAXUINT, "EIO");
            t->armed[f].armed = false;
        }
    }
    if (!t->degraded || chance(t, 50)) {
        g_test_message("quitting with the container %s",
                       t->degraded ? "failed" : "working");
        return;
    }
    g_string_truncate(t->op, 0);
    t->fired = 0;
    op_reset(t);
    faults_observe(t);
    CHECK(t, !t->degraded, "the last reset did not recover the container");
    check_tables(t);
    g_test_message("recovered the container, then quitting");
}

static void random_test_finish(RandomTest *t)
{
    JsonObject *report;
    unsigned i;

    if (t->faults) {
        faults_finish(t);
    }
    /* Everything once more, then the host must be left clean. */
    check_all_entries(t);
    check_host(t, (1U << NR_WINDOWS) - 1);
    check_all_ram(t);
    guest_free(t->g);
    report = vsim_machine_quit(t->m);
    vsim_report_assert_clean(report);
    json_object_unref(report);

    signal(SIGABRT, SIG_DFL);
    for (i = 0; i < HISTORY; i++) {
        g_free(t->history[i]);
    }
    for (i = 0; i < NR_SHADOWS; i++) {
        g_free(t->shadow[i].data);
    }
    model_destroy(&t->model);
    g_checksum_free(t->digest);
    g_array_unref(t->samples);
    g_string_free(t->op, true);
    g_rand_free(t->rand);
    g_free(t);
}

static void random_test_run(RandomTest *t)
{
    for (t->step = 0; t->step < t->nops; t->step++) {
        step(t);
    }
}

static void report_stats(RandomTest *t)
{
    Stats *s = &t->stats;

    g_test_message("H_PUT_TCE %u ok / %u refused, INDIRECT %u / %u, "
                   "STUFF %u / %u", s->put[0], s->put[1], s->indirect[0],
                   s->indirect[1], s->stuff[0], s->stuff[1]);
    g_test_message("DDW: query %u, create %u ok / %u refused, remove %u / "
                   "%u, reset %u", s->query, s->create[0], s->create[1],
                   s->remove[0], s->remove[1], s->reset);
    g_test_message("DMA: %u done, %u no-window, %u no-mapping, %u "
                   "permission (%u through the control channel), %" PRIu64
                   " bytes", s->dma[0], s->dma[1], s->dma[2], s->dma[3],
                   s->dma_ctl, s->dma_bytes);
    if (!t->faults) {
        return;
    }
    g_test_message("host faults armed/fired: MAP %u/%u, UNMAP %u/%u, "
                   "CREATE %u/%u, REMOVE %u/%u", s->armed[FAULT_MAP],
                   s->fired[FAULT_MAP], s->armed[FAULT_UNMAP],
                   s->fired[FAULT_UNMAP], s->armed[FAULT_CREATE],
                   s->fired[FAULT_CREATE], s->armed[FAULT_REMOVE],
                   s->fired[FAULT_REMOVE]);
    g_test_message("container: %u failures (%u with host TCEs possibly "
                   "left), %u recoveries, %u resets refused by the host; "
                   "%u DDW creates refused by the host; %u system_reset; "
                   "%u steps failed, %u DMA commands while failed",
                   s->failures, s->stale_episodes, s->recoveries,
                   s->refused_recoveries, s->host_refused_create,
                   s->system_reset, s->degraded_steps, s->degraded_dma);
}

static void run_random_case(const char *path, bool faults,
                            unsigned default_ops)
{
    guint32 seed = env_uint("SPAPR_RANDOM_SEED", g_random_int());
    unsigned nops = env_uint("SPAPR_RANDOM_OPS", default_ops);
    RandomTest *t;
    gint64 t0 = g_get_monotonic_time();

    test_path = path;
    g_test_message("seed %u, %u operations%s (replay with "
                   "SPAPR_RANDOM_SEED=%u -p %s)", seed, nops,
                   faults ? " with host faults" : "", seed, path);
    t = random_test_start(seed, nops, faults);
    random_test_run(t);
    report_stats(t);
    random_test_finish(t);
    g_test_message("%u operations in %.1f s", nops,
                   (g_get_monotonic_time() - t0) / 1e6);
}

/*
 * The main test: random operations, valid and invalid, each checked
 * against the reference model in the machine, the host and guest RAM.
 */
static void test_random_ops_match_model(void)
{
    run_random_case("/vfio/random/ops-match-reference-model", false,
                    DEFAULT_OPS);
}

/*
 * The same with host faults: MAP/UNMAP/CREATE/REMOVE failing at random
 * points, alone or together.  After every step every host TCE is one the
 * guest maps now (or the device is stopped), a failed container has its
 * device stopped and does no DMA, and a reset brings it back.
 */
static void test_random_ops_with_host_faults(void)
{
    run_random_case("/vfio/random/host-faults", true, DEFAULT_FAULT_OPS);
}

/*
 * A seed names one sequence of operations: two machines driven with the
 * same seed see the same operations and results (so a failure replays),
 * host faults and what they did included.
 */
static void test_same_seed_same_operations(void)
{
    guint32 seed = env_uint("SPAPR_RANDOM_SEED", g_random_int());
    unsigned run, faults;

    test_path = "/vfio/random/same-seed-same-operations";
    g_test_message("seed %u (replay with SPAPR_RANDOM_SEED=%u)", seed,
                   seed);
    for (faults = 0; faults < 2; faults++) {
        g_autofree char *first = NULL;

        for (run = 0; run < 2; run++) {
            RandomTest *t = random_test_start(seed, faults ? 150 : 300,
                                              faults);

            random_test_run(t);
            if (!first) {
                first = g_strdup(g_checksum_get_string(t->digest));
            } else {
                g_assert_cmpstr(g_checksum_get_string(t->digest), ==,
                                first);
            }
            random_test_finish(t);
        }
    }
}

/* A "tces" reply of one host window holding @n runs. */
static JsonObject *host_tces(unsigned page_shift, const HostRun *runs,
                             unsigned n)
{
    JsonObject *o = json_object_new();
    JsonArray *a = json_array_new();
    unsigned i;

    json_object_set_int_member(o, "page_shift", page_shift);
    for (i = 0; i < n; i++) {
        JsonObject *e = json_object_new();

        json_object_set_int_member(e, "iova", runs[i].iova);
        json_object_set_int_member(e, "hpa", runs[i].hpa);
        json_object_set_int_member(e, "pages", runs[i].len >> page_shift);
        json_object_set_string_member(e, "perm",
                                      runs[i].perm == TCE_RW ? "rw" :
                                      runs[i].perm == TCE_READ ? "r" : "w");
        json_array_add_object_element(a, e);
    }
    json_object_set_array_member(o, "entries", a);
    return o;
}

/*
 * The no-stale checker on made-up host state, so it is known to catch
 * each kind of stale entry: unmapped by the guest, another page, more
 * permission, outside any window; and to accept a host that maps less
 * than the guest, a write-only TCE made readable, and host pages
 * smaller than the guest's.
 */
static void test_no_stale_checker_catches_stale_entries(void)
{
    const uint64_t hpa0 = 0x7f0000000000ULL, BIG = 0x10000;
    static const struct {
        HostRun run;
        unsigned host_shift;
        bool ok;
        uint64_t bad;
    } cases[] = {
        { { 0x0, 0, 0, TCE_RW }, 12, true, 0 },             /* nothing */
        { { 0x1000, 0x200000, 0x2000, TCE_RW }, 12, true, 0 },
        { { 0x1000, 0x200000, 0x1000, TCE_READ }, 12, true, 0 },
        { { 0x3000, 0x300000, 0x1000, TCE_RW }, 12, true, 0 }, /* W -> RW */
        { { 0x1000, 0x200000, 0x3000, TCE_RW }, 12, false, 0x3000 },
        { { 0x2000, 0x200000, 0x1000, TCE_RW }, 12, false, 0x2000 },
        { { 0x4000, 0x400000, 0x1000, TCE_RW }, 12, false, 0x4000 },
        { { 0x5000, 0x500000, 0x1000, TCE_RW }, 12, false, 0x5000 },
        { { 1ULL << 30, 0, 0x1000, TCE_RW }, 12, false, 1ULL << 30 },
        /* 64 KiB guest pages in the second window, 4 KiB host pages */
        { { DMA64_WIN_ADDR + BIG + 0x3000, 0x813000, 0x2000, TCE_RW },
          12, true, 0 },
        { { DMA64_WIN_ADDR + BIG + 0xf000, 0x81f000, 0x2000, TCE_RW },
          12, false, DMA64_WIN_ADDR + 2 * BIG },
    };
    RandomTest t = { .ram_hpa = hpa0 };
    unsigned i;

    model_init(&t.model, RAM_SIZE);
    model_set(&t.model.win[0], 1, 0x200000 | TCE_RW);
    model_set(&t.model.win[0], 2, 0x201000 | TCE_RW);
    model_set(&t.model.win[0], 3, 0x300000 | TCE_WRITE);
    model_set(&t.model.win[0], 4, 0x400000);     /* grants nothing */
    model_set(&t.model.win[0], 5, 0x500000 | TCE_READ);
    model_enable(&t.model.win[1], 16, DMA64_WIN_ADDR, 16);
    model_set(&t.model.win[1], 1, 0x810000 | TCE_RW);
    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        HostRun r = cases[i].run;
        const ModelWindow *w = model_window_at(&t.model, r.iova);
        g_autoptr(JsonObject) o = NULL;
        uint64_t bad = 0;

        r.hpa += hpa0;
        o = host_tces(cases[i].host_shift, &r, r.len ? 1 : 0);
        if (!w) {
            w = &t.model.win[0];    /* the slot's window, not this IOVA */
        }
        g_assert_cmpint(host_maps_only_guest_mappings(&t, w, o, &bad), ==,
                        cases[i].ok);
        if (!cases[i].ok) {
            g_assert_cmphex(bad, ==, cases[i].bad);
        }
        /* and with no guest window at all, any entry is stale */
        g_assert_cmpint(host_maps_only_guest_mappings(&t, NULL, o, &bad),
                        ==, !r.len);
    }
    model_destroy(&t.model);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio/random/no-stale-checker-catches-stale-entries",
                    test_no_stale_checker_catches_stale_entries);
    g_test_add_func("/vfio/random/ops-match-reference-model",
                    test_random_ops_match_model);
    g_test_add_func("/vfio/random/host-faults",
                    test_random_ops_with_host_faults);
    g_test_add_func("/vfio/random/same-seed-same-operations",
                    test_same_seed_same_operations);
    return g_test_run();
}
