/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The qdev core's internals (hw/core/qdev.c)
 * moved to hw/core/qdev-internal.h;
 * this name stays for the files that include it.
 */
#include "hw/core/qdev-internal.h"
