/*
 * Trace runtime.  Events are declared in trace-events files; the
 * generated header "trace.h" has one trace_<name>() per event.
 */
#ifndef QEMU_TRACE_H
#define QEMU_TRACE_H

#include <stdbool.h>
#include <stdio.h>
#include "qemu/osdep.h"

typedef struct Error Error;

/* One byte per event: nonzero when enabled (read on the fast path). */
extern unsigned char trace_event_state[];
extern const unsigned trace_event_count;
extern const char *const trace_event_names[];

void trace_event_emit(unsigned id, const char *fmt, ...) QEMU_PRINTF(2, 3);

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
/* Names of known events matching @pattern, for "-trace help". */
void trace_list_events(FILE *out, const char *pattern);

#endif
