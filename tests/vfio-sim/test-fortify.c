/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vfio-sim conformance: a client built with -O2 -D_FORTIFY_SOURCE=2
 * reaches the simulated host through glibc's checked entries
 * (__open64_2, __openat64_2, __read_chk, __pread64_chk, __readlink_chk,
 * __readlinkat_chk, __realpath_chk and their non-64 twins), exactly as
 * it would reach the kernel's vfio_pci_core_read/vfio_pci_core_write
 * (config space through vfio_pci_config_rw, BARs through
 * vfio_pci_bar_rw) and the vfio_group_fops open.  The checks themselves
 * still fire: an oversized read aborts in __chk_fail as glibc does.
 */
#include <signal.h>
#include <sys/wait.h>
#include "vsim-test.h"
#include "dma-engine.h"

/* Run a client under vfio-sim-run; its stdout as a KEY -> VALUE table. */
static GHashTable *run_client(const char *client, const char *mode,
                              int *status)
{
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) env = g_get_environ();
    g_autofree char *out = NULL, *errout = NULL;
    g_auto(GStrv) lines = NULL;
    const char *argv[] = {
        g_getenv("VFIO_SIM_RUN"), "--device", BDF0 "=dma-engine@1", "--",
        client, BDF0, mode, NULL,
    };
    GHashTable *kv = g_hash_table_new_full(g_str_hash, g_str_equal,
                                           g_free, g_free);

    g_assert_nonnull(argv[0]);
    /*
     * The launcher preloads the library itself, as a user would run it;
     * anything else preloaded (a sanitizer runtime) stays first.
     */
    {
        const char *pre = g_environ_getenv(env, "LD_PRELOAD");
        g_auto(GStrv) parts = g_strsplit(pre ? pre : "", ":", -1);
        g_autoptr(GPtrArray) keep = g_ptr_array_new();
        g_autofree char *joined = NULL;

        for (char **p = parts; *p; p++) {
            if (**p && !strstr(*p, "libvfio-sim")) {
                g_ptr_array_add(keep, *p);
            }
        }
        g_ptr_array_add(keep, NULL);
        joined = g_strjoinv(":", (char **)keep->pdata);
        env = g_environ_setenv(env, "LD_PRELOAD", joined, true);
    }
    env = g_environ_unsetenv(env, "VFIO_SIM_DEVICES");
    env = g_environ_unsetenv(env, "VFIO_SIM_CONTROL");
    g_spawn_sync(NULL, (char **)argv, env, G_SPAWN_DEFAULT, NULL, NULL,
                 &out, &errout, status, &err);
    g_assert_no_error(err);
    if (errout && *errout) {
        g_test_message("%s stderr: %s", client, errout);
    }
    lines = g_strsplit(out, "\n", -1);
    for (char **l = lines; *l; l++) {
        char *eq = strchr(*l, '=');

        if (eq) {
            g_hash_table_insert(kv, g_strndup(*l, eq - *l),
                                g_strdup(eq + 1));
        }
    }
    return kv;
}

static void check_walk(const char *client_env)
{
    const char *client = g_getenv(client_env);
    g_autoptr(GHashTable) kv = NULL;
    g_autofree char *vendor = g_strdup_printf("0x%04x", DMAE_VENDOR_ID);
    g_autofree char *device = g_strdup_printf("0x%04x", DMAE_DEVICE_ID);
    g_autofree char *id = g_strdup_printf("0x%08x", DMAE_ID_VALUE);
    int status;

    g_assert_nonnull(client);
    kv = run_client(client, NULL, &status);
    g_assert_null(g_hash_table_lookup(kv, "error"));
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    g_assert_cmpstr(g_hash_table_lookup(kv, "group_link"), ==,
                    "/sys/kernel/iommu_groups/1");
    g_assert_cmpstr(g_hash_table_lookup(kv, "readlinkat"), ==,
                    g_hash_table_lookup(kv, "readlink"));
    g_assert_cmpstr(g_hash_table_lookup(kv, "other_read"), ==, "4");
    g_assert_cmpstr(g_hash_table_lookup(kv, "other_magic"), ==, "ELF");
    g_assert_cmpstr(g_hash_table_lookup(kv, "vendor"), ==, vendor);
    g_assert_cmpstr(g_hash_table_lookup(kv, "device"), ==, device);
    g_assert_cmpstr(g_hash_table_lookup(kv, "command"), ==, "0x0002");
    g_assert_cmpstr(g_hash_table_lookup(kv, "bar0_id"), ==, id);
    g_assert_cmpstr(g_hash_table_lookup(kv, "bar0_src"), ==,
                    "0x1122334455667788");
    g_assert_cmpstr(g_hash_table_lookup(kv, "bar2_mmap"), ==, "fortified");
    g_assert_cmpstr(g_hash_table_lookup(kv, "bar2_pread"), ==, "via-mmap");
    g_assert_cmpstr(g_hash_table_lookup(kv, "done"), ==, "1");
}

/* _FILE_OFFSET_BITS=64, as QEMU: __open64_2, __pread64_chk, ... */
static void test_fortified_client_64(void)
{
    check_walk("FORTIFY_VMM64");
}

/* the plain names: __open_2, __pread_chk, __openat_2 */
static void test_fortified_client_32(void)
{
    check_walk("FORTIFY_VMM32");
}

/* __pread64_chk with nbytes > buflen aborts before touching the fd */
static void test_fortify_check_still_aborts(void)
{
    g_autoptr(GHashTable) kv = NULL;
    int status;

    kv = run_client(g_getenv("FORTIFY_VMM64"), "overflow", &status);
    g_assert_true(WIFSIGNALED(status));
    g_assert_cmpint(WTERMSIG(status), ==, SIGABRT);
    g_assert_null(g_hash_table_lookup(kv, "overflow_returned"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio-sim/fortify/client-64-open64_2-pread64_chk",
                    test_fortified_client_64);
    g_test_add_func("/vfio-sim/fortify/client-32-open_2-pread_chk",
                    test_fortified_client_32);
    g_test_add_func("/vfio-sim/fortify/pread_chk-overflow-aborts",
                    test_fortify_check_still_aborts);
    return g_test_run();
}
