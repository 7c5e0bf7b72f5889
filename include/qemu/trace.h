/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Trace runtime.  Events are declared in each layer's trace-events
 * file; the layer's generated header "trace.h" has one trace_<name>()
 * per event.
 */
#ifndef QEMU_TRACE_H
#define QEMU_TRACE_H

#include <stdbool.h>
#include <stdio.h>
#include "qemu/osdep.h"

typedef struct Error Error;

/*
 * The events of one layer (one trace-events file): the generated
 * trace.c registers its group from a constructor.
 */
typedef struct TraceEventGroup {
    const char *name;
    const char *const *names;
    unsigned char *state;   /* one byte per event: nonzero when enabled */
    unsigned count;
    struct TraceEventGroup *next;
} TraceEventGroup;

void trace_event_group_register(TraceEventGroup *group);
void trace_event_emit(const char *name, const char *fmt, ...)
    QEMU_PRINTF(2, 3);

/*
 * Enable (or, with a leading '-', disable) every event whose name
 * matches the glob @pattern.  Returns the number of events changed.
 */
unsigned trace_enable_pattern(const char *pattern);
/* One pattern per line; '#' starts a comment. */
bool trace_enable_events_file(const char *path, Error **errp);
/* Where enabled events go; NULL or "" means stderr. */
bool trace_set_logfile(const char *path, Error **errp);
/*
 * Parse the argument of -trace: "PATTERN", "enable=PATTERN",
 * "events=FILE", "file=LOGFILE", comma-separated.
 */
bool trace_opt_parse(const char *optarg, Error **errp);
bool trace_event_is_enabled(const char *name);
bool trace_event_exists(const char *name);
/* Call @fn for every known event, with its name and whether it is on. */
void trace_event_foreach(void (*fn)(const char *name, bool enabled,
                                    void *opaque), void *opaque);
/* Names of known events matching @pattern, for "-trace help". */
void trace_list_events(FILE *out, const char *pattern);

#endif
