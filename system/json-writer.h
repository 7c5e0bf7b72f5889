/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The JSON writer (qapi/json-writer.c)
 * moved to qapi/json-writer.h;
 * this name stays for the files that include it.
 */
#include "qapi/json-writer.h"
