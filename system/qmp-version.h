/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The version object QMP reports twice: in the greeting every session
 * starts with (monitor.c) and as query-version's reply
 * (qmp-commands.c).  One builder keeps the two from drifting apart.
 */
#ifndef SYSTEM_QMP_VERSION_H
#define SYSTEM_QMP_VERSION_H

#include "qapi/qmp.h"

/*
 * The QEMU release whose interfaces (QMP, qtest, command line) this
 * program implements; clients such as libvirt gate features on it.
 */
#define QMP_QEMU_MAJOR 7
#define QMP_QEMU_MINOR 2
#define QMP_QEMU_MICRO 0

/*
 * {"qemu": {"major", "minor", "micro"}, "package"}; caller owns it.
 * "package" names this program and its own version.
 */
static inline JsonObject *qmp_version_object(void)
{
    JsonObject *ret = json_object_new();
    JsonObject *qemu = json_object_new();

    json_object_set_int_member(qemu, "major", QMP_QEMU_MAJOR);
    json_object_set_int_member(qemu, "minor", QMP_QEMU_MINOR);
    json_object_set_int_member(qemu, "micro", QMP_QEMU_MICRO);
    json_object_set_object_member(ret, "qemu", qemu);
    json_object_set_string_member(ret, "package",
                                  "spapr-vfio " SPAPR_VFIO_VERSION);
    return ret;
}

#endif
