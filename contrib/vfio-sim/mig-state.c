/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vfio-sim: the device migration state machine.
 *
 * A SET of MIG_DEVICE_STATE (device-feature.c) walks the arcs
 * vfio_mig_get_next_state() picks, one documented FSM arc at a time,
 * as a variant driver's set_state loop does.

 */
#include <errno.h>
#include <string.h>
#include "mig.h"

#define ST_ERROR        VFIO_DEVICE_STATE_ERROR
#define ST_STOP         VFIO_DEVICE_STATE_STOP
#define ST_RUNNING      VFIO_DEVICE_STATE_RUNNING
#define ST_STOP_COPY    VFIO_DEVICE_STATE_STOP_COPY
#define ST_RESUMING     VFIO_DEVICE_STATE_RESUMING
#define ST_RUNNING_P2P  VFIO_DEVICE_STATE_RUNNING_P2P
#define ST_PRE_COPY     VFIO_DEVICE_STATE_PRE_COPY
#define ST_PRE_COPY_P2P VFIO_DEVICE_STATE_PRE_COPY_P2P

static const char *const state_names[VSIM_MIG_NSTATES] = {
    [ST_ERROR] = "ERROR", [ST_STOP] = "STOP", [ST_RUNNING] = "RUNNING",
    [ST_STOP_COPY] = "STOP_COPY", [ST_RESUMING] = "RESUMING",
    [ST_RUNNING_P2P] = "RUNNING_P2P", [ST_PRE_COPY] = "PRE_COPY",
    [ST_PRE_COPY_P2P] = "PRE_COPY_P2P",
};

const char *vsim_mig_state_name(uint32_t state)
{
    return state < VSIM_MIG_NSTATES ? state_names[state] : "?";
}

int vsim_mig_state_from_name(const char *name)
{
    for (int i = 0; i < VSIM_MIG_NSTATES; i++) {
        if (name && !strcmp(state_names[i], name)) {
            return i;
        }
    }
    return -1;
}

/*
 * The VFIO_MIGRATION_* flags a state needs (vfio_mig_get_next_state's
 * state flags): ERROR needs every flag there is, so no device supports
 * it as a SET target or as a state to leave.
 */
static uint32_t state_needs(int s)
{
    switch (s) {
    case ST_RUNNING_P2P:
        return VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P;
    case ST_PRE_COPY:
        return VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_PRE_COPY;
    case ST_PRE_COPY_P2P:
        return VSIM_MIG_ALL;
    case ST_ERROR:
        return ~0u;
    default:
        return VFIO_MIGRATION_STOP_COPY;
    }
}

static bool supported(uint32_t flags, int s)
{
    return (state_needs(s) & flags) == state_needs(s);
}

/*
 * vfio_mig_get_next_state: the first arc from @cur towards @new on a
 * device that offers every optional state.  The arcs are those
 * <linux/vfio.h> documents (RUNNING <-> RUNNING_P2P <-> STOP, STOP <->
 * STOP_COPY, STOP <-> RESUMING, RUNNING <-> PRE_COPY, RUNNING_P2P <->
 * PRE_COPY_P2P, PRE_COPY <-> PRE_COPY_P2P, PRE_COPY_P2P -> STOP_COPY).
 * Each pair takes a shortest path; where two are equally short, the one
 * that keeps out of the PRE_COPY states (no data session opened or kept
 * on the way).  A state the device lacks is skipped by taking its own
 * next arc towards @new (RUNNING <-> STOP directly without P2P).
 */
static const uint8_t next_arc[VSIM_MIG_NSTATES][VSIM_MIG_NSTATES] = {
    [ST_STOP] = {
        [ST_STOP] = ST_STOP, [ST_RUNNING] = ST_RUNNING_P2P,
        [ST_STOP_COPY] = ST_STOP_COPY, [ST_RESUMING] = ST_RESUMING,
        [ST_RUNNING_P2P] = ST_RUNNING_P2P, [ST_PRE_COPY] = ST_RUNNING_P2P,
        [ST_PRE_COPY_P2P] = ST_RUNNING_P2P, [ST_ERROR] = ST_ERROR,
    },
    [ST_RUNNING] = {
        [ST_STOP] = ST_RUNNING_P2P, [ST_RUNNING] = ST_RUNNING,
        [ST_STOP_COPY] = ST_RUNNING_P2P, [ST_RESUMING] = ST_RUNNING_P2P,
        [ST_RUNNING_P2P] = ST_RUNNING_P2P, [ST_PRE_COPY] = ST_PRE_COPY,
        [ST_PRE_COPY_P2P] = ST_RUNNING_P2P, [ST_ERROR] = ST_ERROR,
    },
    [ST_STOP_COPY] = {
        [ST_STOP] = ST_STOP, [ST_RUNNING] = ST_STOP,
        [ST_STOP_COPY] = ST_STOP_COPY, [ST_RESUMING] = ST_STOP,
        [ST_RUNNING_P2P] = ST_STOP, [ST_PRE_COPY] = ST_STOP,
        [ST_PRE_COPY_P2P] = ST_STOP, [ST_ERROR] = ST_ERROR,
    },
    [ST_RESUMING] = {
        [ST_STOP] = ST_STOP, [ST_RUNNING] = ST_STOP,
        [ST_STOP_COPY] = ST_STOP, [ST_RESUMING] = ST_RESUMING,
        [ST_RUNNING_P2P] = ST_STOP, [ST_PRE_COPY] = ST_STOP,
        [ST_PRE_COPY_P2P] = ST_STOP, [ST_ERROR] = ST_ERROR,
    },
    [ST_RUNNING_P2P] = {
        [ST_STOP] = ST_STOP, [ST_RUNNING] = ST_RUNNING,
        [ST_STOP_COPY] = ST_STOP, [ST_RESUMING] = ST_STOP,
        [ST_RUNNING_P2P] = ST_RUNNING_P2P, [ST_PRE_COPY] = ST_RUNNING,
        [ST_PRE_COPY_P2P] = ST_PRE_COPY_P2P, [ST_ERROR] = ST_ERROR,
    },
    [ST_PRE_COPY] = {
        [ST_STOP] = ST_RUNNING, [ST_RUNNING] = ST_RUNNING,
        [ST_STOP_COPY] = ST_PRE_COPY_P2P, [ST_RESUMING] = ST_RUNNING,
        [ST_RUNNING_P2P] = ST_RUNNING, [ST_PRE_COPY] = ST_PRE_COPY,
        [ST_PRE_COPY_P2P] = ST_PRE_COPY_P2P, [ST_ERROR] = ST_ERROR,
    },
    [ST_PRE_COPY_P2P] = {
        [ST_STOP] = ST_RUNNING_P2P, [ST_RUNNING] = ST_RUNNING_P2P,
        [ST_STOP_COPY] = ST_STOP_COPY, [ST_RESUMING] = ST_RUNNING_P2P,
        [ST_RUNNING_P2P] = ST_RUNNING_P2P, [ST_PRE_COPY] = ST_PRE_COPY,
        [ST_PRE_COPY_P2P] = ST_PRE_COPY_P2P, [ST_ERROR] = ST_ERROR,
    },
    /* ERROR row: all ERROR (zero) */
};

/* vfio_mig_get_next_state: 0 and *next, or -EINVAL. */
static int get_next_state(uint32_t flags, int cur, int new, int *next)
{
    if (cur < 0 || cur >= VSIM_MIG_NSTATES || !supported(flags, cur) ||
        new < 0 || new >= VSIM_MIG_NSTATES || !supported(flags, new)) {
        return -EINVAL;
    }
    *next = next_arc[cur][new];
    while (!supported(flags, *next)) {
        *next = next_arc[*next][new];
    }
    return *next == ST_ERROR ? -EINVAL : 0;
}

VsimMig *vsim_mig(VsimDevice *d)
{
    if (!d->mig) {
        d->mig = g_new0(VsimMig, 1);
        d->mig->flags = VSIM_MIG_ALL;
        d->mig->dirty_log = true;
        d->mig->state = ST_RUNNING;
        d->mig->files = g_ptr_array_new();
    }
    return d->mig;
}

static bool is_running(int s)
{
    return s == ST_RUNNING || s == ST_RUNNING_P2P || s == ST_PRE_COPY ||
           s == ST_PRE_COPY_P2P;
}

static bool is_saving(int s)
{
    return s == ST_PRE_COPY || s == ST_PRE_COPY_P2P || s == ST_STOP_COPY;
}

/*
 * Whether the device may operate: DMA and interrupts stop in STOP,
 * STOP_COPY, RESUMING and ERROR.  The P2P states keep it running: the
 * dma-engine never does peer-to-peer DMA, which is all they forbid.
 */
bool vsim_mig_is_running(VsimDevice *d)
{
    return !d->mig || is_running(d->mig->state);
}

static bool arc_fault_fires(VsimMig *m, int cur, int next)
{
    VsimMigFault *f = &m->arc_fault;

    if (!f->nth || (f->from >= 0 && f->from != cur) || f->to != next) {
        return false;
    }
    return --f->nth == 0;
}

/*
 * One FSM arc, as a driver's step function does it.  Returns a new data
 * session (saving or resuming) when the arc opens one, NULL when not,
 * or sets *err.  The STOP arcs park the engine at a page boundary
 * before the state is taken, so the saved state is where it stopped.
 */
static VsimMigFile *step(VsimDevice *d, int cur, int next, int *err)
{
    VsimMig *m = d->mig;
    VsimMigFile *nf = NULL;

    *err = 0;
    if (arc_fault_fires(m, cur, next)) {
        *err = -m->arc_fault.err;
        if (m->arc_fault.to_error) {
            m->state = ST_ERROR;
        }
        return NULL;
    }
    if (is_running(cur) && !is_running(next)) {
        vsim_dmae_pause(d);
    }
    if (cur == ST_RESUMING) {
        /*
         * Leaving RESUMING: the driver checks and takes in what was
         * written; incomplete or inconsistent data fails the SET and
         * the device is left in ERROR (it holds no valid state).
         */
        *err = m->file ? vsim_mig_file_load(m->file) : -EINVAL;
        vsim_mig_file_disable(m->file);
        m->file = NULL;
        if (*err) {
            m->state = ST_ERROR;
            return NULL;
        }
    }
    if (is_saving(cur) && !is_saving(next)) {
        vsim_mig_file_disable(m->file);
        m->file = NULL;
    }
    if (next == ST_RESUMING) {
        nf = m->file = vsim_mig_file_new(d, false, false);
    } else if (!is_saving(cur) && is_saving(next)) {
        nf = m->file = vsim_mig_file_new(d, true, next != ST_STOP_COPY);
    } else if (is_saving(cur) && next == ST_STOP_COPY) {
        /* PRE_COPY(_P2P) -> STOP_COPY: the same data_fd continues */
        vsim_mig_file_final(m->file);
    }
    return nf;
}

/*
 * A driver's migration_set_state: walk arc by arc; a failed arc leaves
 * the state where the last good arc put it (or ERROR if the arc says
 * so).  A data session may only be opened by the final arc.
 */
int vsim_mig_set_state(VsimDevice *d, int new, VsimMigFile **out)
{
    VsimMig *m = d->mig;
    VsimMigFile *f = NULL;
    int next, err;

    m->path_len = 0;
    m->path[m->path_len++] = m->state;
    while ((int)m->state != new) {
        err = get_next_state(m->flags, m->state, new, &next);
        if (err) {
            return err;
        }
        f = step(d, m->state, next, &err);
        if (err) {
            return err;
        }
        if (!is_running(m->state) && is_running(next)) {
            m->state = next;
            vsim_dmae_resume(d);        /* runs again: work goes on */
        }
        m->state = next;
        m->path[m->path_len++] = next;
        if (f && next != new) {
            vsim_mig_file_disable(f);
            return -EINVAL;
        }
    }
    *out = f;
    return 0;
}

/* VFIO_DEVICE_RESET or the last close: back to RUNNING, sessions end. */
void vsim_mig_reset(VsimDevice *d)
{
    VsimMig *m = d->mig;

    if (!m) {
        return;
    }
    if (m->file) {
        vsim_mig_file_disable(m->file);
        m->file = NULL;
    }
    m->state = ST_RUNNING;
    m->irq_pending = false;
}
