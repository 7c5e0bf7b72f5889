/*
 * vfio-sim: register map of the dma-engine model (BAR0, little-endian).
 * docs/vfio-sim.md documents the same map for guest-side code.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef VSIM_DMA_ENGINE_H
#define VSIM_DMA_ENGINE_H

#define DMAE_VENDOR_ID      0x5653  /* "VS" */
#define DMAE_DEVICE_ID      0x0d4a
#define DMAE_CLASS          0x088000    /* system peripheral, other */
#define DMAE_BAR0_SIZE      0x1000      /* registers, trapped */
#define DMAE_BAR2_SIZE      0x10000     /* scratch RAM, mmap-able */

#define DMAE_REG_ID         0x00    /* u32 RO: DMAE_ID_VALUE */
#define DMAE_REG_VERSION    0x04    /* u32 RO: 1 */
#define DMAE_REG_SRC        0x08    /* u64 RW: source IOVA */
#define DMAE_REG_DST        0x10    /* u64 RW: destination IOVA */
#define DMAE_REG_LEN        0x18    /* u64 RW: bytes */
#define DMAE_REG_PATTERN    0x20    /* u64 RW: fill pattern */
#define DMAE_REG_CMD        0x28    /* u32 RW: writing starts a command */
#define DMAE_REG_STATUS     0x2c    /* u32 RO */
#define DMAE_REG_RESULT     0x30    /* u64 RO: checksum */
#define DMAE_REG_ERR_IOVA   0x38    /* u64 RO: faulting bus address */
#define DMAE_REG_ERR_KIND   0x40    /* u32 RO */
#define DMAE_REG_DONE       0x48    /* u64 RO: bytes completed (live) */
#define DMAE_REG_CUR_IOVA   0x50    /* u64 RO: next IOVA the engine uses */
#define DMAE_REG_END        0x58

/*
 * Internal registers: part of the device's state (and of its saved
 * migration state), not visible through BAR0 (they read as 0).
 */
#define DMAE_REG_INT_ACTIVE 0x80    /* u32: 1 while a command is in flight */
#define DMAE_REG_INT_SUM    0x88    /* u64: running checksum */

#define DMAE_ID_VALUE       0x454d4144u     /* "DAME" as LE bytes */

#define DMAE_CMD_NOP        0   /* back to idle, errors cleared */
#define DMAE_CMD_COPY       1   /* LEN bytes SRC -> DST */
#define DMAE_CMD_FILL       2   /* DST[i] = byte (i % 8) of PATTERN (LE) */
#define DMAE_CMD_CHECKSUM   3   /* RESULT = FNV-1a 64 of LEN bytes at SRC */

#define DMAE_STATUS_IDLE    0
#define DMAE_STATUS_BUSY    1
#define DMAE_STATUS_DONE    2
#define DMAE_STATUS_ERROR   3

/* ERR_KIND: VsimDmaError values, plus a bad command */
#define DMAE_ERR_NONE       0
#define DMAE_ERR_NO_WINDOW  1
#define DMAE_ERR_NO_MAPPING 2
#define DMAE_ERR_PERMISSION 3
#define DMAE_ERR_BAD_CMD    4
#define DMAE_ERR_BUS_MASTER 5   /* COMMAND has Bus Master clear */

#define DMAE_FNV_OFFSET     0xcbf29ce484222325ULL
#define DMAE_FNV_PRIME      0x100000001b3ULL

#endif /* VSIM_DMA_ENGINE_H */
