/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vfio-sim-run: run a program on the simulated sPAPR VFIO host.
 *
 *   vfio-sim-run [--device BDF=MODEL@GROUP]... [--host KEY=VAL,...]
 *                [--control PATH] [--report PATH] [--sysfs DIR] -- CMD...
 *
 * Fills in the VFIO_SIM_* variables, builds a sysfs-like directory with
 * <DIR>/<BDF>/iommu_group -> ../iommu_groups/<N> for sysfsdev= use
 * (exported as VFIO_SIM_SYSFS), appends libvfio-sim.so to LD_PRELOAD
 * (after existing entries: a sanitizer runtime must stay first) and
 * execs CMD in this process.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>

/* Where "meson install" puts the library (set by meson.build). */
#ifndef VSIM_LIB_INSTALL_PATH
#define VSIM_LIB_INSTALL_PATH "libvfio-sim.so"
#endif

/*
 * $VFIO_SIM_LIB, else the library beside the program (the build tree:
 * /proc/self/exe resolves build/vfio-sim-run to contrib/vfio-sim/),
 * else the installed one.
 */
static char *find_library(void)
{
    g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
    const char *env = g_getenv("VFIO_SIM_LIB");
    char *p;

    if (env && *env) {
        return g_strdup(env);
    }
    if (exe) {
        g_autofree char *dir = g_path_get_dirname(exe);

        p = g_build_filename(dir, "libvfio-sim.so", NULL);
        if (g_file_test(p, G_FILE_TEST_EXISTS)) {
            return p;
        }
        g_free(p);
    }
    return g_strdup(VSIM_LIB_INSTALL_PATH);
}

/* <dir>/<bdf>/iommu_group -> ../iommu_groups/<group>, dirs made real */
static bool make_sysfs(const char *dir, char **devices, GError **errp)
{
    for (char **d = devices; d && *d; d++) {
        char *eq = strchr(*d, '='), *at = strrchr(*d, '@');
        g_autofree char *bdf = NULL, *bdir = NULL, *gdir = NULL;
        g_autofree char *link = NULL, *target = NULL;

        if (!eq || !at || at < eq) {
            g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "bad --device '%s' (want BDF=MODEL@GROUP)", *d);
            return false;
        }
        bdf = g_ascii_strdown(*d, eq - *d);
        bdir = g_build_filename(dir, bdf, NULL);
        gdir = g_build_filename(dir, "iommu_groups", at + 1, NULL);
        link = g_build_filename(bdir, "iommu_group", NULL);
        target = g_build_filename("..", "iommu_groups", at + 1, NULL);
        if (g_mkdir_with_parents(bdir, 0755) < 0 ||
            g_mkdir_with_parents(gdir, 0755) < 0 ||
            ((unlink(link) < 0 && errno != ENOENT) ||
             symlink(target, link) < 0)) {
            g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno),
                        "%s: %s", link, g_strerror(errno));
            return false;
        }
    }
    return true;
}

int main(int argc, char **argv)
{
    g_auto(GStrv) devices = NULL;
    g_autofree char *host = NULL, *control = NULL, *report = NULL;
    g_autofree char *sysfs = NULL, *lib = NULL, *preload = NULL;
    g_autoptr(GOptionContext) ctx = NULL;
    g_autoptr(GError) err = NULL;
    bool own_sysfs = false;
    GOptionEntry entries[] = {
        { "device", 'd', 0, G_OPTION_ARG_STRING_ARRAY, &devices,
          "simulated device (repeatable)", "BDF=MODEL@GROUP" },
        { "host", 'H', 0, G_OPTION_ARG_STRING, &host,
          "host IOMMU settings (VFIO_SIM_HOST)", "KEY=VAL,..." },
        { "control", 'c', 0, G_OPTION_ARG_FILENAME, &control,
          "control socket path", "PATH" },
        { "report", 'r', 0, G_OPTION_ARG_FILENAME, &report,
          "write the final state (JSON) here at exit", "PATH" },
        { "sysfs", 's', 0, G_OPTION_ARG_FILENAME, &sysfs,
          "sysfs-like directory to create (default: a temporary one)",
          "DIR" },
        { NULL }
    };
    const char *old;

    ctx = g_option_context_new("-- CMD [ARGS...]");
    g_option_context_set_summary(ctx,
        "Run CMD with libvfio-sim.so preloaded: a simulated sPAPR TCE\n"
        "VFIO host with simulated PCI devices (see docs/vfio-sim.md).");
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, "vfio-sim-run: %s\n", err->message);
        return 2;
    }
    /* GOption leaves "--" in place when it ends the options */
    if (argc > 1 && !strcmp(argv[1], "--")) {
        argv++;
        argc--;
    }
    if (argc < 2) {
        fprintf(stderr, "vfio-sim-run: no command (see --help)\n");
        return 2;
    }
    if (devices && *devices) {
        g_autofree char *joined = g_strjoinv(",", devices);

        g_setenv("VFIO_SIM_DEVICES", joined, true);
    } else {
        const char *dflt = g_getenv("VFIO_SIM_DEVICES");

        g_strfreev(devices);
        devices = g_strsplit(dflt ? dflt : "0001:00:01.0=dma-engine@1",
                             ",", -1);
    }
    if (host) {
        g_setenv("VFIO_SIM_HOST", host, true);
    }
    if (control) {
        g_setenv("VFIO_SIM_CONTROL", control, true);
    }
    if (report) {
        g_setenv("VFIO_SIM_REPORT", report, true);
    }
    if (!sysfs) {
        sysfs = g_dir_make_tmp("vfio-sim-sysfs-XXXXXX", &err);
        if (!sysfs) {
            fprintf(stderr, "vfio-sim-run: %s\n", err->message);
            return 1;
        }
        own_sysfs = true;
    }
    if (!make_sysfs(sysfs, devices, &err)) {
        fprintf(stderr, "vfio-sim-run: %s\n", err->message);
        return 1;
    }
    g_setenv("VFIO_SIM_SYSFS", sysfs, true);
    if (own_sysfs) {
        /* exec keeps our pid: the library removes the directory when
         * this very process exits */
        g_autofree char *pid = g_strdup_printf("%d", (int)getpid());

        g_setenv("VFIO_SIM_SYSFS_OWNER", pid, true);
    }
    lib = find_library();
    old = g_getenv("LD_PRELOAD");
    preload = old && *old ? g_strconcat(old, ":", lib, NULL) : g_strdup(lib);
    g_setenv("LD_PRELOAD", preload, true);
    execvp(argv[1], argv + 1);
    fprintf(stderr, "vfio-sim-run: %s: %s\n", argv[1], strerror(errno));
    return 127;
}
