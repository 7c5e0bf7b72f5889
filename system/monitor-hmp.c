/*
 * The human monitor (HMP) on a chardev: -monitor DEV and
 * -mon chardev=ID,mode=readline.  A line editor in the smallest sense:
 * a banner and a "(qemu) " prompt, one command per line (CR, LF or
 * CR LF), terminal escape sequences and other control bytes dropped.
 * Commands run through hmp_execute(), as human-monitor-command does;
 * output lines end in CR LF, as QEMU's.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "system/qmp-internal.h"
#include "system/qmp-version.h"

#define HMP_MAX_LINE 4096

typedef struct HmpMonitor {
    Chardev *chr;
    GString *line;
    bool after_cr;          /* a CR ended the last line: skip one LF */
    int escape;             /* 0, or inside ESC [ ... (1: ESC, 2: CSI) */
    bool too_long;
} HmpMonitor;

static GList *hmp_monitors;

/* @text with every lone LF written as CR LF. */
static void hmp_send(HmpMonitor *mon, const char *text)
{
    g_autoptr(GString) out = g_string_new(NULL);
    const char *p;

    for (p = text; *p; p++) {
        if (*p == '\n' && (p == text || p[-1] != '\r')) {
            g_string_append_c(out, '\r');
        }
        g_string_append_c(out, *p);
    }
    chardev_write(mon->chr, out->str, out->len);
}

static void hmp_prompt(HmpMonitor *mon)
{
    hmp_send(mon, "(qemu) ");
}

static void hmp_run_line(HmpMonitor *mon)
{
    g_autofree char *out = NULL;
    Error *err = NULL;

    if (mon->too_long) {
        hmp_send(mon, "Error: command line too long\n");
    } else {
        out = hmp_execute(mon->line->str, &err);
        if (err) {
            g_autofree char *msg = g_strdup_printf("Error: %s\r\n",
                                                   error_get_pretty(err));

            hmp_send(mon, msg);
            error_free(err);
        } else if (out) {
            hmp_send(mon, out);
        }
    }
    g_string_truncate(mon->line, 0);
    mon->too_long = false;
    hmp_prompt(mon);
    /* Events the command caused (device_del, system_reset) go out now. */
    qmp_send_held_events();
}

static void hmp_opened(void *opaque)
{
    HmpMonitor *mon = opaque;
    g_autofree char *banner = g_strdup_printf(
        "QEMU %d.%d.%d monitor - type 'help' for more information\n",
        QMP_QEMU_MAJOR, QMP_QEMU_MINOR, QMP_QEMU_MICRO);

    g_string_truncate(mon->line, 0);
    mon->after_cr = mon->too_long = false;
    mon->escape = 0;
    hmp_send(mon, banner);
    hmp_prompt(mon);
}

static void hmp_byte(HmpMonitor *mon, uint8_t c)
{
    bool after_cr = mon->after_cr;

    mon->after_cr = false;
    if (mon->escape == 1) {
        mon->escape = c == '[' ? 2 : 0;
        return;
    }
    if (mon->escape == 2) {
        /* Parameters and intermediates until the final byte. */
        if (c >= 0x40 && c <= 0x7e) {
            mon->escape = 0;
        }
        return;
    }
    if (c == 0x1b) {
        mon->escape = 1;
    } else if (c == '\r' || (c == '\n' && !after_cr)) {
        mon->after_cr = c == '\r';
        hmp_run_line(mon);
    } else if (c >= 0x20 || c == '\t') {
        if (mon->line->len >= HMP_MAX_LINE) {
            mon->too_long = true;
        } else {
            g_string_append_c(mon->line, c);
        }
    }
}

static void hmp_read(void *opaque, const uint8_t *buf, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        hmp_byte(opaque, buf[i]);
    }
}

static void hmp_closed(void *opaque)
{
    HmpMonitor *mon = opaque;

    g_string_truncate(mon->line, 0);
}

static const ChardevHandlers hmp_handlers = {
    .opened = hmp_opened,
    .read = hmp_read,
    .closed = hmp_closed,
};

bool monitor_new_hmp(Chardev *chr, Error **errp)
{
    HmpMonitor *mon = g_new0(HmpMonitor, 1);

    if (!chardev_attach(chr, &hmp_handlers, mon, errp)) {
        g_free(mon);
        return false;
    }
    mon->chr = chr;
    mon->line = g_string_new(NULL);
    hmp_monitors = g_list_append(hmp_monitors, mon);
    return true;
}

static void hmp_monitor_free(gpointer p)
{
    HmpMonitor *mon = p;

    g_string_free(mon->line, TRUE);
    g_free(mon);
}

void monitor_hmp_cleanup_all(void)
{
    g_list_free_full(g_steal_pointer(&hmp_monitors), hmp_monitor_free);
}
