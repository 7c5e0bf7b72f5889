/*
 * vfio-sim: process-wide state, its lock, start-up and exit.
 *
 * Start-up is lazy: the simulator initialises the first time a program
 * touches one of its paths, so programs that never use VFIO (a shell or
 * "timeout" wrapping the VMM, which inherit LD_PRELOAD) pay nothing,
 * write no report and leave the control socket to the process that
 * really uses the host.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "vsim.h"

VsimState vsim;

static pthread_mutex_t vsim_mutex = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static pthread_once_t vsim_once = PTHREAD_ONCE_INIT;
static bool vsim_ready;

void vsim_lock(void)
{
    pthread_mutex_lock(&vsim_mutex);
}

void vsim_unlock(void)
{
    pthread_mutex_unlock(&vsim_mutex);
}

static void vsim_do_init(void)
{
    g_autoptr(GError) err = NULL;
    const char *ctl = getenv("VFIO_SIM_CONTROL");

    vsim_libc_resolve();
    vsim.containers = g_ptr_array_new();
    vsim.pins = g_ptr_array_new();
    vsim.v1_pins = g_hash_table_new(g_int64_hash, g_int64_equal);
    vsim.devices = g_ptr_array_new();
    /* simulated host RAM starts away from 0 so a zero TCE is never valid */
    vsim.next_hpa = 1ULL << 40;
    vsim.next_container_id = 1;
    vsim.sysfs_dir = g_strdup(getenv("VFIO_SIM_SYSFS"));

    /* A misconfigured host would make every later failure misleading. */
    if (!vsim_parse_host(&vsim.host, getenv("VFIO_SIM_HOST"), &err) ||
        !vsim_parse_devices(getenv("VFIO_SIM_DEVICES"), &err)) {
        fprintf(stderr, "vfio-sim: %s\n", err->message);
        exit(1);
    }
    if (ctl && *ctl) {
        vsim_control_start(ctl);
    }
    vsim_ready = true;
}

/* Make the simulator ready; false only while it is still starting. */
bool vsim_init(void)
{
    pthread_once(&vsim_once, vsim_do_init);
    return vsim_ready;
}

/* What the kernel would still hold for this process. */
typedef struct VsimHeld {
    uint64_t containers, windows, regions, v1_pages, locked;
    uint64_t data_fds;          /* migration data_fds still open */
} VsimHeld;

static VsimHeld held_now(void)
{
    VsimHeld h = {
        .containers = vsim.containers->len,
        .locked = vsim.locked,
    };

    for (unsigned i = 0; i < vsim.containers->len; i++) {
        VsimContainer *c = vsim.containers->pdata[i];

        for (int s = 0; s < VSIM_MAX_SLOTS; s++) {
            h.windows += c->win[s].present;
        }
    }
    for (unsigned i = 0; i < vsim.pins->len; i++) {
        VsimPin *p = vsim.pins->pdata[i];

        h.regions += p->kind == VSIM_PIN_PREREG;
        h.v1_pages += p->kind == VSIM_PIN_V1;
    }
    for (unsigned i = 0; i < vsim.devices->len; i++) {
        h.data_fds += vsim_mig_open_files(vsim.devices->pdata[i]);
    }
    return h;
}

static JsonObject *held_json(const VsimHeld *h)
{
    JsonObject *o = json_object_new();

    json_object_set_int_member(o, "containers", h->containers);
    json_object_set_int_member(o, "windows", h->windows);
    json_object_set_int_member(o, "regions", h->regions);
    json_object_set_int_member(o, "v1_pinned_pages", h->v1_pages);
    json_object_set_int_member(o, "locked_bytes", h->locked);
    json_object_set_int_member(o, "data_fds", h->data_fds);
    return o;
}

/*
 * The process is exiting: the kernel closes its fds, which releases its
 * containers (tce_iommu_release: windows cleared and freed, regions
 * unregistered, their charge returned), then its mm goes and with it any
 * orphaned region (mm_iommu_cleanup).  Done here for real on our objects,
 * so the report can tell what the process released itself from what
 * only its exit did, and prove nothing survives even that.  Our fds
 * become plain memfds: a close() after this is an ordinary close.
 */
static void release_at_exit(void)
{
    for (int fd = 0; fd < 65536; fd++) {    /* fdtable.c's VSIM_MAX_FD */
        if (vsim_file_lookup(fd)) {
            vsim_file_close(fd);
        }
    }
    vsim_pins_release_all();
}

static void write_report(const char *path)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autoptr(GError) err = NULL;
    VsimHeld before, after, released;
    JsonNode *root;
    JsonObject *o;

    vsim_lock();
    root = vsim_state_json();
    before = held_now();
    release_at_exit();
    after = held_now();
    vsim_unlock();
    released = (VsimHeld) {
        .containers = before.containers - after.containers,
        .windows = before.windows - after.windows,
        .regions = before.regions - after.regions,
        .v1_pages = before.v1_pages - after.v1_pages,
        .locked = before.locked - after.locked,
        .data_fds = before.data_fds - after.data_fds,
    };
    o = json_node_get_object(root);
    json_object_set_object_member(o, "released_at_exit",
                                  held_json(&released));
    json_object_set_object_member(o, "left_after_exit", held_json(&after));
    json_generator_set_root(gen, root);
    json_generator_set_pretty(gen, true);
    if (!json_generator_to_file(gen, path, &err)) {
        fprintf(stderr, "vfio-sim: cannot write report %s: %s\n",
                path, err->message);
    }
    json_node_unref(root);
}

static void remove_sysfs_dir(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    /* only what vfio-sim-run creates: <BDF>/iommu_group, iommu_groups/N */
    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *sub = g_build_filename(dir, name, NULL);
        g_autoptr(GDir) sd = g_dir_open(sub, 0, NULL);
        const char *n2;

        while (sd && (n2 = g_dir_read_name(sd))) {
            g_autofree char *leaf = g_build_filename(sub, n2, NULL);

            (void)remove(leaf);
        }
        remove(sub);
    }
    remove(dir);
}

static void __attribute__((destructor)) vsim_exit(void)
{
    const char *report = getenv("VFIO_SIM_REPORT");
    const char *owner = getenv("VFIO_SIM_SYSFS_OWNER");
    const char *sysfs = getenv("VFIO_SIM_SYSFS");

    if (vsim_ready) {
        vsim_control_stop();
        if (report && *report && vsim.used) {
            write_report(report);
        }
    }
    if (owner && sysfs && atoi(owner) == getpid()) {
        remove_sysfs_dir(sysfs);
    }
}
