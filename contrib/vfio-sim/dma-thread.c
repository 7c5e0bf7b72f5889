/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vfio-sim: the dma-engine's own thread, for a device given a rate.
 *
 * VFIO_SIM_DEVICES "...,rate=BYTES_PER_SEC" (size suffixes: 64m) makes
 * the engine asynchronous as hardware is: a CMD write only starts the
 * command, and this thread moves it on, chunk by chunk under the
 * simulator's lock, at that rate; the guest polls STATUS (BUSY, then
 * DONE or ERROR) and the progress registers.  Between chunks the
 * engine stands at a page boundary, so a migration STOP taken under the
 * lock finds it there.  Without a rate there is no thread: the command
 * runs inside the CMD write, as before.

 */
#include <pthread.h>
#include <time.h>
#include "mig.h"

typedef struct DmaeThread {
    VsimDevice *dev;
    uint64_t rate;              /* bytes per second; 0: unlimited */
    pthread_t tid;
    bool started;
    pthread_mutex_t mu;         /* guards wake, around the condition */
    pthread_cond_t cond;
    bool wake;
    uint64_t t0_ns;             /* start of the current pacing period */
    uint64_t moved;             /* bytes moved since t0_ns */
} DmaeThread;

static GHashTable *threads;     /* VsimDevice* -> DmaeThread*, lock held */

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static DmaeThread *thread_of(VsimDevice *d)
{
    return threads ? g_hash_table_lookup(threads, d) : NULL;
}

/* "rate=" of a device (config.c, through vsim_mig_option). */
bool vsim_dmae_set_rate(VsimDevice *d, const char *val)
{
    DmaeThread *t;
    uint64_t rate;

    if (!vsim_parse_size(val, &rate)) {
        return false;
    }
    if (!threads) {
        threads = g_hash_table_new(NULL, NULL);
    }
    t = thread_of(d);
    if (!t) {
        t = g_new0(DmaeThread, 1);
        t->dev = d;
        pthread_mutex_init(&t->mu, NULL);
        pthread_cond_init(&t->cond, NULL);
        g_hash_table_insert(threads, d, t);
    }
    t->rate = rate;
    return true;
}

uint64_t vsim_dmae_rate(VsimDevice *d)
{
    DmaeThread *t = thread_of(d);

    return t ? t->rate : 0;
}

/* Sleep until woken or @ns pass (0: until woken). */
static void nap(DmaeThread *t, uint64_t ns)
{
    pthread_mutex_lock(&t->mu);
    if (!t->wake) {
        if (ns) {
            struct timespec ts;
            uint64_t until;

            clock_gettime(CLOCK_REALTIME, &ts);
            until = ts.tv_sec * 1000000000ULL + ts.tv_nsec + ns;
            ts.tv_sec = until / 1000000000ULL;
            ts.tv_nsec = until % 1000000000ULL;
            pthread_cond_timedwait(&t->cond, &t->mu, &ts);
        } else {
            pthread_cond_wait(&t->cond, &t->mu);
        }
    }
    t->wake = false;
    pthread_mutex_unlock(&t->mu);
}

/*
 * The device's engine: while a command is active and the device runs,
 * move the bytes the rate allows since the period began (at least one
 * chunk), then sleep until the rate allows more.
 */
static void *engine_main(void *opaque)
{
    DmaeThread *t = opaque;

    for (;;) {
        uint64_t sleep_ns = 0, allowed;

        vsim_lock();
        if (vsim_dmae_active(t->dev) && vsim_mig_is_running(t->dev)) {
            allowed = (now_ns() - t->t0_ns) * (double)t->rate / 1e9;
            if (allowed > t->moved) {
                t->moved += dmae_advance(t->dev, allowed - t->moved);
            }
            sleep_ns = (t->moved - MIN(allowed, t->moved)) * 1e9 / t->rate;
            sleep_ns = MAX(sleep_ns, 100000);       /* 0.1 ms at least */
            if (!vsim_dmae_active(t->dev)) {
                sleep_ns = 0;
            }
        }
        vsim_unlock();
        nap(t, sleep_ns);
    }
    return NULL;
}

/*
 * A command was accepted or the device runs again: with a rate, hand
 * the work to the device's thread (a new pacing period) and say so;
 * without one, false (the caller runs it to completion itself).
 */
bool vsim_dmae_thread_start(VsimDevice *d)
{
    DmaeThread *t = thread_of(d);

    if (!t || !t->rate) {
        return false;
    }
    t->t0_ns = now_ns();
    t->moved = 0;
    if (!t->started) {
        pthread_attr_t attr;

        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        t->started = pthread_create(&t->tid, &attr, engine_main, t) == 0;
        pthread_attr_destroy(&attr);
        if (!t->started) {
            return false;       /* no thread: run it synchronously */
        }
    }
    pthread_mutex_lock(&t->mu);
    t->wake = true;
    pthread_cond_signal(&t->cond);
    pthread_mutex_unlock(&t->mu);
    return true;
}
