/*
 * The version object QMP reports twice: in the greeting every session
 * starts with (monitor.c) and as query-version's reply
 * (qmp-commands.c).  One builder keeps the two from drifting apart.
 */
#ifndef SYSTEM_QMP_VERSION_H
#define SYSTEM_QMP_VERSION_H

#include "qapi/qmp.h"

/* {"qemu": {"major", "minor", "micro"}, "package"}; caller owns it. */
static inline JsonObject *qmp_version_object(void)
{
    JsonObject *ret = json_object_new();
    JsonObject *qemu = json_object_new();
    unsigned major = 0, minor = 0, micro = 0;

    sscanf(SPAPR_VFIO_VERSION, "%u.%u.%u", &major, &minor, &micro);
    json_object_set_int_member(qemu, "major", major);
    json_object_set_int_member(qemu, "minor", minor);
    json_object_set_int_member(qemu, "micro", micro);
    json_object_set_object_member(ret, "qemu", qemu);
    json_object_set_string_member(ret, "package",
                                  "spapr-vfio " SPAPR_VFIO_VERSION);
    return ret;
}

#endif
