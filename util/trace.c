/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Trace runtime: pattern matching, output, -trace option.
 */
#include "qemu/osdep.h"
#include "qemu/error.h"
#include "qemu/trace.h"
#include <sys/time.h>

static FILE *trace_out;
static GMutex trace_lock;
/* Written by constructors only (before main), read afterwards. */
static TraceEventGroup *trace_groups;

void trace_event_group_register(TraceEventGroup *group)
{
    group->next = trace_groups;
    trace_groups = group;
}

void trace_event_emit(const char *name, const char *fmt, ...)
{
    va_list ap;
    struct timeval tv;
    FILE *out;

    gettimeofday(&tv, NULL);
    g_mutex_lock(&trace_lock);
    out = trace_out ? trace_out : stderr;
    fprintf(out, "%d@%lld.%06ld:%s ", (int)getpid(),
            (long long)tv.tv_sec, (long)tv.tv_usec, name);
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    fputc('\n', out);
    fflush(out);
    g_mutex_unlock(&trace_lock);
}

unsigned trace_enable_pattern(const char *pattern)
{
    bool enable = true;
    unsigned i, n = 0;
    GPatternSpec *spec;
    TraceEventGroup *g;

    if (*pattern == '-') {
        enable = false;
        pattern++;
    }
    spec = g_pattern_spec_new(pattern);
    for (g = trace_groups; g; g = g->next) {
        for (i = 0; i < g->count; i++) {
            if (g_pattern_spec_match_string(spec, g->names[i])) {
                g->state[i] = enable;
                n++;
            }
        }
    }
    g_pattern_spec_free(spec);
    return n;
}

bool trace_event_exists(const char *name)
{
    TraceEventGroup *g;
    unsigned i;

    for (g = trace_groups; g; g = g->next) {
        for (i = 0; i < g->count; i++) {
            if (!strcmp(g->names[i], name)) {
                return true;
            }
        }
    }
    return false;
}

void trace_event_foreach(void (*fn)(const char *name, bool enabled,
                                    void *opaque), void *opaque)
{
    TraceEventGroup *g;
    unsigned i;

    for (g = trace_groups; g; g = g->next) {
        for (i = 0; i < g->count; i++) {
            fn(g->names[i], g->state[i], opaque);
        }
    }
}

bool trace_event_is_enabled(const char *name)
{
    TraceEventGroup *g;
    unsigned i;

    for (g = trace_groups; g; g = g->next) {
        for (i = 0; i < g->count; i++) {
            if (!strcmp(g->names[i], name)) {
                return g->state[i];
            }
        }
    }
    return false;
}

/* Enable @pattern; warn (naming @where) when it matches no event. */
static void trace_enable_checked(const char *where, const char *pattern)
{
    if (!trace_enable_pattern(pattern)) {
        warn_report("%s: no trace event matches '%s' (-trace help lists "
                    "them)", where, pattern);
    }
}

bool trace_enable_events_file(const char *path, Error **errp)
{
    g_autofree char *text = NULL;
    g_autoptr(GError) gerr = NULL;
    g_auto(GStrv) lines = NULL;
    unsigned i;

    if (!g_file_get_contents(path, &text, NULL, &gerr)) {
        /* The caller names the option; GLib's text names the file. */
        error_setg(errp, "%s", gerr->message);
        return false;
    }
    lines = g_strsplit(text, "\n", -1);
    for (i = 0; lines[i]; i++) {
        char *line = g_strstrip(lines[i]);

        if (*line && *line != '#') {
            g_autofree char *where = g_strdup_printf("-trace events=%s:%u",
                                                     path, i + 1);

            trace_enable_checked(where, line);
        }
    }
    return true;
}

bool trace_set_logfile(const char *path, Error **errp)
{
    FILE *f = NULL;

    if (path && *path) {
        f = fopen(path, "a");
        if (!f) {
            error_setg_errno(errp, errno, "cannot open trace log '%s'", path);
            return false;
        }
        setvbuf(f, NULL, _IOLBF, 0);
    }
    g_mutex_lock(&trace_lock);
    if (trace_out) {
        fclose(trace_out);
    }
    trace_out = f;
    g_mutex_unlock(&trace_lock);
    return true;
}

/*
 * Split an option argument at single commas; ",," stands for a comma
 * inside a value, as in every other option (-device, -object, ...).
 */
static GPtrArray *trace_opt_split(const char *arg)
{
    GPtrArray *parts = g_ptr_array_new_with_free_func(g_free);
    GString *cur = g_string_new(NULL);
    const char *p;

    for (p = arg; *p; p++) {
        if (*p != ',') {
            g_string_append_c(cur, *p);
        } else if (p[1] == ',') {
            g_string_append_c(cur, ',');
            p++;
        } else {
            g_ptr_array_add(parts, g_string_free(cur, FALSE));
            cur = g_string_new(NULL);
        }
    }
    g_ptr_array_add(parts, g_string_free(cur, FALSE));
    return parts;
}

bool trace_opt_parse(const char *optarg, Error **errp)
{
    g_autoptr(GPtrArray) parts = trace_opt_split(optarg);
    unsigned i;

    for (i = 0; i < parts->len; i++) {
        const char *p = g_ptr_array_index(parts, i);

        if (!*p) {
            continue;
        }
        if (g_str_has_prefix(p, "events=")) {
            if (!trace_enable_events_file(p + 7, errp)) {
                return false;
            }
        } else if (g_str_has_prefix(p, "file=")) {
            if (!trace_set_logfile(p + 5, errp)) {
                return false;
            }
        } else if (g_str_has_prefix(p, "enable=")) {
            trace_enable_checked("-trace", p + 7);
        } else if (strchr(p, '=')) {
            error_setg(errp, "unknown parameter '%.*s' (expected enable=, "
                       "events= or file=)", (int)(strchr(p, '=') - p), p);
            return false;
        } else {
            trace_enable_checked("-trace", p);
        }
    }
    return true;
}

static gint trace_name_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void trace_list_events(FILE *out, const char *pattern)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    TraceEventGroup *g;
    unsigned i;

    for (g = trace_groups; g; g = g->next) {
        for (i = 0; i < g->count; i++) {
            if (!pattern || g_pattern_match_simple(pattern, g->names[i])) {
                g_ptr_array_add(names, (gpointer)g->names[i]);
            }
        }
    }
    /* Sorted: the list does not depend on the link order of layers. */
    g_ptr_array_sort(names, trace_name_cmp);
    for (i = 0; i < names->len; i++) {
        fprintf(out, "%s\n", (const char *)names->pdata[i]);
    }
}
