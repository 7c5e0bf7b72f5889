/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * "key=value,key=value" option strings, as -device, -object, -machine,
 * -m, -chardev and friends take them.
 */
#ifndef SYSTEM_KEYVAL_H
#define SYSTEM_KEYVAL_H

#include "qemu/osdep.h"
#include "qemu/error.h"

/*
 * Parse @str into a new table of g_strdup'ed keys and values.
 *
 * ",," stands for a literal comma inside a value.  When @implied_key is
 * not NULL, a first element without '=' is the value of that key
 * ("pseries,dumpdtb=f" -> type=pseries).  Any other element without '='
 * is a flag: "server" means server=on, "help" and "?" mean help=on.
 * A key given twice keeps the last value, as QEMU does.
 */
GHashTable *keyval_parse(const char *str, const char *implied_key,
                         Error **errp);

/*
 * As keyval_parse, or, when @str starts with '{', QEMU's JSON form of
 * -device and -object: an object whose members are strings, integers
 * or booleans ({"driver": "pci-testdev", "id": "td", "addr": "5"}).
 */
GHashTable *keyval_parse_any(const char *str, const char *implied_key,
                             Error **errp);

/* Remove @key from @opts; return its value (g_free it) or NULL. */
char *keyval_take(GHashTable *opts, const char *key);

/* Keys of @opts sorted, so messages and side effects are repeatable. */
GList *keyval_sorted_keys(GHashTable *opts);

/* Is help=on present (from "help" or "?")? */
bool keyval_wants_help(GHashTable *opts);

#endif
