/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The main loop and shutdown requests (hw/core/runstate.c)
 * moved to hw/core/runstate.h;
 * this name stays for the files that include it.
 */
#include "hw/core/runstate.h"
