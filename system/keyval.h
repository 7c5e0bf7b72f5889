/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The key=value parser (util/keyval.c)
 * moved to qemu/keyval.h;
 * this name stays for the files that include it.
 */
#include "qemu/keyval.h"
