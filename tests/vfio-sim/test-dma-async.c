/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * vfio-sim conformance: the dma-engine with rate= runs on its own
 * thread; migration STOP parks it at a page boundary and another
 * process resumes it.
 */
#include "mig-test.h"

/*
 * With rate= the CMD write only starts the command: STATUS is BUSY,
 * DONE and CUR_IOVA move on as the device's thread copies, and the
 * command ends DONE with every byte copied.
 */
static void test_rate_runs_on_device_thread(void)
{
    uint64_t done, last = 0;
    bool moved = false;
    uint8_t *ram;
    Dev v;

    ram = xfer_setup(&v, 6);
    xfer_start(&v);
    g_assert_cmpuint(rd(v.d, BAR0_OFF + DMAE_REG_STATUS, 4), ==,
                     DMAE_STATUS_BUSY);
    g_assert_cmpuint(rd(v.d, BAR0_OFF + DMAE_REG_DONE, 8), <, XFER_LEN);
    while (rd(v.d, BAR0_OFF + DMAE_REG_STATUS, 4) == DMAE_STATUS_BUSY) {
        done = rd(v.d, BAR0_OFF + DMAE_REG_DONE, 8);
        g_assert_cmpuint(done, >=, last);
        moved |= done > 0 && done < XFER_LEN;
        last = done;
        g_usleep(2000);
    }
    g_assert_true(moved);
    g_assert_cmpuint(rd(v.d, BAR0_OFF + DMAE_REG_STATUS, 4), ==,
                     DMAE_STATUS_DONE);
    g_assert_cmpuint(rd(v.d, BAR0_OFF + DMAE_REG_DONE, 8), ==, XFER_LEN);
    g_assert_cmpuint(rd(v.d, BAR0_OFF + DMAE_REG_CUR_IOVA, 8), ==,
                     XFER_DST + XFER_LEN);
    g_assert_cmpint(memcmp(ram + XFER_SRC, ram + XFER_DST, XFER_LEN), ==, 0);
    xfer_teardown(&v, ram);
}

static const char *self_exe;

/*
 * STOP parks the engine at a page boundary and nothing moves after it;
 * the state saved then carries the transfer, and another process (its
 * own simulated host) that resumes it finishes exactly the rest.
 */
static void test_stop_pauses_and_other_process_resumes(void)
{
    g_autoptr(GByteArray) b = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *path = NULL, *done_s = NULL;
    g_auto(GStrv) env = g_get_environ();
    uint64_t done;
    uint8_t *ram;
    int fd, status;
    Dev v;

    ram = xfer_setup(&v, 6);
    xfer_start(&v);
    wait_progress(&v, 0);
    g_assert_cmpint(set_state(v.d, STOP, NULL), ==, 0);
    done = rd(v.d, BAR0_OFF + DMAE_REG_DONE, 8);
    g_assert_cmpuint(done, >, 0);
    g_assert_cmpuint(done, <, XFER_LEN);
    g_assert_cmpuint(done % 4096, ==, 0);
    g_assert_cmpuint(rd(v.d, BAR0_OFF + DMAE_REG_CUR_IOVA, 8), ==,
                     XFER_DST + done);
    g_usleep(50000);
    g_assert_cmpuint(rd(v.d, BAR0_OFF + DMAE_REG_DONE, 8), ==, done);
    g_assert_cmpuint(ram[XFER_DST + done], ==, 0);
    g_assert_cmpint(memcmp(ram + XFER_SRC, ram + XFER_DST, done), ==, 0);
    g_assert_cmpint(set_state(v.d, STOP_COPY, &fd), ==, 0);
    b = read_all(fd);
    close(fd);

    path = g_strdup_printf("%s/vsim-mig-state-%d", g_get_tmp_dir(),
                           getpid());
    g_assert_true(g_file_set_contents(path, (char *)b->data, b->len, NULL));
    done_s = g_strdup_printf("%" G_GUINT64_FORMAT, done);
    env = g_environ_unsetenv(env, "VFIO_SIM_CONTROL");
    {
        const char *argv[] = { self_exe, "--resume-child", path, done_s,
                               NULL };

        g_spawn_sync(NULL, (char **)argv, env, G_SPAWN_DEFAULT, NULL, NULL,
                     NULL, NULL, &status, &err);
    }
    g_assert_no_error(err);
    unlink(path);
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    /* the source, stopped, never moved again */
    g_assert_cmpuint(ram[XFER_DST + done], ==, 0);
    g_assert_cmpint(xioctl(v.d, VFIO_DEVICE_RESET, NULL), ==, 0);
    xfer_teardown(&v, ram);
}

/* The destination process: resume, run, check only the rest moved. */
static int resume_child(const char *path, uint64_t done)
{
    g_autofree char *data = NULL;
    GByteArray *b;
    gsize len;
    uint8_t *ram;
    Dev v;

    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    b = g_byte_array_new_take((guint8 *)g_steal_pointer(&data), len);
    ram = xfer_setup(&v, 6);
    g_assert_cmpint(resume(v.d, b, RUNNING), ==, 0);
    g_assert_cmpuint(xfer_wait(&v), ==, DMAE_STATUS_DONE);
    g_assert_cmpuint(rd(v.d, BAR0_OFF + DMAE_REG_DONE, 8), ==, XFER_LEN);
    for (uint64_t i = 0; i < done; i++) {
        g_assert_cmpuint(ram[XFER_DST + i], ==, 0);
    }
    g_assert_cmpint(memcmp(ram + XFER_SRC + done, ram + XFER_DST + done,
                           XFER_LEN - done), ==, 0);
    g_byte_array_unref(b);
    xfer_teardown(&v, ram);
    return 0;
}

/*
 * The P2P and PRE_COPY states keep the engine running (it does no
 * peer-to-peer DMA), and a running transfer makes pre-copy data dirty.
 */
static void test_engine_runs_in_p2p_and_precopy(void)
{
    struct vfio_precopy_info pi;
    uint8_t buf[4096];
    uint64_t d0;
    uint8_t *ram;
    int fd;
    Dev v;

    ram = xfer_setup(&v, 6);
    xfer_start(&v);
    g_assert_cmpint(set_state(v.d, RUNNING_P2P, NULL), ==, 0);
    d0 = rd(v.d, BAR0_OFF + DMAE_REG_DONE, 8);
    d0 = wait_progress(&v, d0);
    g_assert_cmpint(set_state(v.d, PRE_COPY_P2P, &fd), ==, 0);
    while (read(fd, buf, sizeof(buf)) > 0) {
        /* the initial snapshot */
    }
    wait_progress(&v, d0);
    g_assert_cmpint(precopy_info(fd, &pi), ==, 0);
    g_assert_cmpuint(pi.initial_bytes, ==, 0);
    g_assert_cmpuint(pi.dirty_bytes, >, 0);
    g_assert_cmpint(set_state(v.d, RUNNING, NULL), ==, 0);
    close(fd);
    g_assert_cmpuint(xfer_wait(&v), ==, DMAE_STATUS_DONE);
    g_assert_cmpint(memcmp(ram + XFER_SRC, ram + XFER_DST, XFER_LEN), ==, 0);
    xfer_teardown(&v, ram);
}

int main(int argc, char **argv)
{
    self_exe = argv[0];
    if (argc == 4 && !strcmp(argv[1], "--resume-child")) {
        return resume_child(argv[2], g_ascii_strtoull(argv[3], NULL, 10));
    }
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio-sim/dma-engine/rate-runs-on-device-thread",
                    test_rate_runs_on_device_thread);
    g_test_add_func("/vfio-sim/vfio_ioctl_device_feature_mig_device_state/"
                    "stop-pauses-at-page-boundary-other-process-resumes",
                    test_stop_pauses_and_other_process_resumes);
    g_test_add_func("/vfio-sim/vfio_mig_get_next_state/"
                    "engine-runs-in-p2p-and-precopy-states",
                    test_engine_runs_in_p2p_and_precopy);
    return g_test_run();
}
