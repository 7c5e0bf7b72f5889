/*
 * vfio-sim benchmarks: the costs the simulated host adds to a VMM.
 *
 *   REGISTER_MEMORY of 4 GiB vs plain mlock of 4 GiB   (goal <= 1.2x)
 *   one MAP_DMA of 1 GiB at 64 KiB pages                (goal <= 5 ms)
 *   memory of an empty 2^40-byte window, 64 KiB pages   (goal <= 1 MiB)
 *   dma-engine copy of 256 MiB through the IOMMU vs memcpy
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include "vsim-test.h"
#include "dma-engine.h"

#define DDW (1ULL << 59)

static double now(void)
{
    return g_get_monotonic_time() / 1e6;
}

static void *fresh(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    g_assert(p != MAP_FAILED);
    return p;
}

static uint64_t size_from_env(const char *name, uint64_t dflt)
{
    const char *v = g_getenv(name);

    return v ? g_ascii_strtoull(v, NULL, 0) : dflt;
}

int main(void)
{
    uint64_t reg_size = size_from_env("VSIM_BENCH_REGISTER", 4 * GiB);
    uint64_t dma_size = 256 * MiB;
    int g, c = setup_container(1, VFIO_SPAPR_TCE_v2_IOMMU, &g);
    void *a, *b;
    double t0, t_mlock, t_reg, t_map, t_dma, t_cpy;
    int64_t table;
    int d;

    /* 1. pinning cost: plain mlock, then REGISTER, on fresh memory; the
     * first mlock only warms the host (page reclaim, compaction) */
    for (int i = 0; i < 2; i++) {
        a = fresh(reg_size);
        t0 = now();
        g_assert_cmpint(mlock(a, reg_size), ==, 0);
        t_mlock = now() - t0;
        munlock(a, reg_size);
        munmap(a, reg_size);
    }
    a = alloc_aligned(reg_size, 64 * KiB);
    t0 = now();
    g_assert_cmpint(reg_mem(c, a, reg_size), ==, 0);
    t_reg = now() - t0;
    printf("REGISTER_MEMORY %llu MiB: %.3f s, mlock: %.3f s, ratio %.2fx "
           "(goal <= 1.2x)\n", (unsigned long long)(reg_size / MiB), t_reg,
           t_mlock, t_reg / t_mlock);

    /* 2. an empty 2^40 window, then one MAP_DMA of 1 GiB in it */
    g_assert_cmpint(tce_create(c, 16, 1ULL << 40, 4, NULL), ==, 0);
    {
        g_autoptr(JsonObject) w = tces(0, 1);

        table = json_object_get_int_member(w, "table_bytes");
        printf("empty 2^40-byte window at 64 KiB pages: %lld bytes "
               "(goal <= 1 MiB)\n", (long long)table);
    }
    t0 = now();
    g_assert_cmpint(map_dma(c, a, DDW, MIN(GiB, reg_size), RW), ==, 0);
    t_map = now() - t0;
    printf("MAP_DMA 1 GiB at 64 KiB pages: %.3f ms (goal <= 5 ms)\n",
           t_map * 1e3);
    g_assert_cmpint(unmap_dma(c, DDW, MIN(GiB, reg_size)), ==, 0);

    /* 3. DMA copy bandwidth through the IOMMU */
    g_assert_cmpint(map_dma(c, a, DDW, 2 * dma_size, RW), ==, 0);
    d = xioctl(g, VFIO_GROUP_GET_DEVICE_FD, BDF0);
    g_assert_cmpint(d, >=, 0);
    {
        uint64_t regs[] = { DDW, DDW + dma_size, dma_size, 0 };
        uint32_t cmd = DMAE_CMD_COPY, st = 0;

        g_assert_cmpint(pwrite(d, regs, sizeof(regs), DMAE_REG_SRC), ==,
                        sizeof(regs));
        t0 = now();
        g_assert_cmpint(pwrite(d, &cmd, 4, DMAE_REG_CMD), ==, 4);
        t_dma = now() - t0;
        g_assert_cmpint(pread(d, &st, 4, DMAE_REG_STATUS), ==, 4);
        g_assert_cmpint(st, ==, DMAE_STATUS_DONE);
    }
    b = a;
    t0 = now();
    memcpy((uint8_t *)b + dma_size, b, dma_size);
    t_cpy = now() - t0;
    printf("DMA copy 256 MiB through the IOMMU: %.0f MiB/s, memcpy: "
           "%.0f MiB/s (%.2fx)\n", 256 / t_dma, 256 / t_cpy, t_dma / t_cpy);
    close(d);
    close(g);
    close(c);
    munmap(a, reg_size);
    return table <= (int64_t)MiB ? 0 : 1;
}
