/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * -readconfig FILE: QEMU's configuration file, for the sections this
 * machine has.  Each section is the option of the same meaning:
 *
 *     # a comment
 *     [machine]
 *       type = "pseries"
 *     [device "td"]
 *       driver = "pci-testdev"
 *
 * [machine], [memory] (-m), [object "ID"], [device "ID"],
 * [chardev "ID"], [mon], [name], [smp-opts], [rtc], [boot-opts],
 * [msg], [overcommit], [accel], [global].  Sections run in file order,
 * at the place -readconfig has on the command line; an error names
 * FILE:LINE of the section (or line) at fault.
 */
#include "qemu/osdep.h"
#include "system/vl.h"

/* Section -> option; @id_key: what "[section "ID"]" sets. */
static const struct {
    const char *group, *option, *id_key;
} vl_config_groups[] = {
    { "machine", "machine", NULL }, { "memory", "m", NULL },
    { "object", "object", "id" }, { "device", "device", "id" },
    { "chardev", "chardev", "id" }, { "mon", "mon", "id" },
    { "name", "name", NULL }, { "smp-opts", "smp", NULL },
    { "rtc", "rtc", NULL }, { "boot-opts", "boot", NULL },
    { "msg", "msg", NULL }, { "overcommit", "overcommit", NULL },
    { "accel", "accel", NULL }, { "global", "global", NULL },
};

typedef struct VLSection {
    int group;                  /* index in vl_config_groups, -1: none */
    int line;
    GString *opts;              /* KEY=VALUE,... with commas doubled */
} VLSection;

static void vl_section_add(VLSection *s, const char *key, const char *value)
{
    const char *p;

    if (s->opts->len) {
        g_string_append_c(s->opts, ',');
    }
    g_string_append_printf(s->opts, "%s=", key);
    for (p = value; *p; p++) {
        g_string_append_c(s->opts, *p);
        if (*p == ',') {
            g_string_append_c(s->opts, ',');
        }
    }
}

/* Run the finished section as its option. */
static void vl_section_flush(VLSection *s, const char *path,
                             VLConfigOptionFunc *run, VLConfig *cfg)
{
    if (s->group >= 0) {
        vl_config_location(path, s->line);
        run(cfg, vl_config_groups[s->group].option, s->opts->str);
        vl_config_location(NULL, 0);
    }
    s->group = -1;
    g_string_truncate(s->opts, 0);
}

static bool vl_config_header(VLSection *s, const char *line, int lineno,
                             Error **errp)
{
    g_autoptr(GMatchInfo) m = NULL;
    g_autoptr(GRegex) re = g_regex_new("^\\[([a-z-]+)(\\s+\"([^\"]*)\")?"
                                       "\\]$", 0, 0, NULL);
    g_autofree char *group = NULL, *id = NULL;
    unsigned i;

    if (!g_regex_match(re, line, 0, &m)) {
        error_setg(errp, "%d: invalid section header '%s'", lineno, line);
        return false;
    }
    group = g_match_info_fetch(m, 1);
    id = g_match_info_fetch(m, 3);
    for (i = 0; i < G_N_ELEMENTS(vl_config_groups); i++) {
        if (!strcmp(vl_config_groups[i].group, group)) {
            break;
        }
    }
    if (i == G_N_ELEMENTS(vl_config_groups)) {
        error_setg(errp, "%d: there is no option group '%s' (this machine "
                   "reads: machine, memory, object, device, chardev, mon, "
                   "name, smp-opts, rtc, boot-opts, msg, overcommit, "
                   "accel, global)", lineno, group);
        return false;
    }
    s->group = i;
    s->line = lineno;
    if (id && *id) {
        if (!vl_config_groups[i].id_key) {
            error_setg(errp, "%d: section [%s] takes no id", lineno, group);
            return false;
        }
        vl_section_add(s, vl_config_groups[i].id_key, id);
    }
    return true;
}

static bool vl_config_line(VLSection *s, const char *line, int lineno,
                           Error **errp)
{
    g_autoptr(GMatchInfo) m = NULL;
    g_autoptr(GRegex) re = g_regex_new("^([A-Za-z0-9_.-]+)\\s*=\\s*"
                                       "\"([^\"]*)\"$", 0, 0, NULL);
    g_autofree char *key = NULL, *value = NULL;

    if (!g_regex_match(re, line, 0, &m)) {
        error_setg(errp, "%d: parse error: expected KEY = \"VALUE\", got "
                   "'%s'", lineno, line);
        return false;
    }
    if (s->group < 0) {
        error_setg(errp, "%d: '%s' is outside any [section]", lineno, line);
        return false;
    }
    key = g_match_info_fetch(m, 1);
    value = g_match_info_fetch(m, 2);
    vl_section_add(s, key, value);
    return true;
}

bool vl_readconfig(VLConfig *cfg, const char *path, VLConfigOptionFunc *run,
                   Error **errp)
{
    g_autofree char *text = NULL;
    g_autoptr(GError) gerr = NULL;
    g_auto(GStrv) lines = NULL;
    VLSection s = { .group = -1 };
    bool ok = true;
    int i;

    if (!g_file_get_contents(path, &text, NULL, &gerr)) {
        error_setg(errp, "cannot read the file: %s", gerr->message);
        return false;
    }
    s.opts = g_string_new(NULL);
    lines = g_strsplit(text, "\n", -1);
    for (i = 0; ok && lines[i]; i++) {
        char *line = g_strstrip(lines[i]);

        if (!*line || *line == '#') {
            continue;
        }
        if (*line == '[') {
            vl_section_flush(&s, path, run, cfg);
            ok = vl_config_header(&s, line, i + 1, errp);
        } else {
            ok = vl_config_line(&s, line, i + 1, errp);
        }
    }
    if (ok) {
        vl_section_flush(&s, path, run, cfg);
    } else {
        error_prepend(errp, "%s:", path);
    }
    g_string_free(s.opts, TRUE);
    return ok;
}
