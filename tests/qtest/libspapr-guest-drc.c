/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The guest model's side of PAPR dynamic reconfiguration (DRC), as a
 * pseries Linux guest does it: fetch a hotplug event (check-exception
 * or event-scan), then for an add acquire the connector (allocation
 * usable for an LMB, unisolate) and, for a PCI slot, read the device's
 * nodes with ibm,configure-connector; for a remove stop using the
 * device, isolate the connector and, for an LMB, give it back
 * (allocation unusable).
 *
 * Low RAM the model keeps (below GUEST_RESERVED): the configure-
 * connector work area and the event buffer.
 */
#include <string.h>
#include "libspapr-guest.h"

#define GUEST_DRC_WORK_AREA     UINT64_C(0x4000)    /* 4 KiB */
#define GUEST_DRC_EVENT_BUF     UINT64_C(0x5000)    /* 2 KiB */
#define GUEST_DRC_EVENT_LEN     2048

#define RTAS_EVENT_CLASS_HOTPLUG    0x10000000U
#define RTAS_LOG_TYPE_HOTPLUG       0xe5
#define PSERIES_SECTION_HOTPLUG     0x4850  /* "HP" */

static uint32_t be32_at(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static uint16_t be16_at(const uint8_t *p)
{
    return p[0] << 8 | p[1];
}

/*
 * As Linux finds a section of a version 6 log: check the extended
 * header (platform event format, company IBM), then walk the sections
 * by their lengths.
 */
static bool guest_drc_parse_event(const uint8_t *log, size_t len,
                                  GuestHotplugEvent *ev)
{
    uint32_t ext_len;
    size_t off, end;

    if (len < 8 + 16 || (log[0] != 6) || log[3] != RTAS_LOG_TYPE_HOTPLUG) {
        return false;
    }
    ext_len = be32_at(log + 4);
    if (ext_len < 16 || (log[8 + 2] & 0x0f) != 0x0e ||
        be32_at(log + 8 + 12) != 0x49424d00) {
        return false;
    }
    end = MIN(len, 8 + (size_t)ext_len);
    for (off = 8 + 16; off + 8 <= end;) {
        uint16_t id = be16_at(log + off);
        uint16_t slen = be16_at(log + off + 2);

        if (slen < 8) {
            return false;
        }
        if (id == PSERIES_SECTION_HOTPLUG && off + 16 <= end) {
            const uint8_t *hp = log + off + 8;

            memset(ev, 0, sizeof(*ev));
            ev->type = hp[0];
            ev->action = hp[1];
            ev->id_type = hp[2];
            if (ev->id_type == GUEST_HP_ID_DRC_COUNT_INDEXED) {
                if (off + 20 > end) {
                    return false;
                }
                ev->count = be32_at(hp + 4);
                ev->index = be32_at(hp + 8);
            } else if (ev->id_type == GUEST_HP_ID_DRC_COUNT) {
                ev->count = be32_at(hp + 4);
            } else {
                ev->count = 1;
                ev->index = be32_at(hp + 4);
            }
            return true;
        }
        off += slen;
    }
    return false;
}

int32_t guest_drc_fetch_event(SpaprGuest *g, bool event_scan,
                              GuestHotplugEvent *ev)
{
    QTestState *qts = guest_qts(g);
    uint8_t log[GUEST_DRC_EVENT_LEN];
    uint32_t rets[1];
    int32_t status;

    qtest_memset(qts, GUEST_DRC_EVENT_BUF, 0, GUEST_DRC_EVENT_LEN);
    if (event_scan) {
        uint32_t args[4] = { RTAS_EVENT_CLASS_HOTPLUG, 0,
                             GUEST_DRC_EVENT_BUF, GUEST_DRC_EVENT_LEN };

        status = guest_rtas(g, "event-scan", 4, args, 1, rets);
    } else {
        /* vector and source: the hotplug interrupt, none here */
        uint32_t args[6] = { 0, 0, RTAS_EVENT_CLASS_HOTPLUG, 0,
                             GUEST_DRC_EVENT_BUF, GUEST_DRC_EVENT_LEN };

        status = guest_rtas(g, "check-exception", 6, args, 1, rets);
    }
    if (status != 0) {
        return status;
    }
    qtest_memread(qts, GUEST_DRC_EVENT_BUF, log, sizeof(log));
    g_assert_true(guest_drc_parse_event(log, sizeof(log), ev));
    return 0;
}

int32_t guest_drc_set_indicator(SpaprGuest *g, uint32_t type,
                                uint32_t index, uint32_t value)
{
    uint32_t args[3] = { type, index, value }, rets[1];

    return guest_rtas(g, "set-indicator", 3, args, 1, rets);
}

int32_t guest_drc_get_sensor(SpaprGuest *g, uint32_t type, uint32_t index,
                             uint32_t *state)
{
    uint32_t args[2] = { type, index }, rets[2] = { 0, 0 };
    int32_t status = guest_rtas(g, "get-sensor-state", 2, args, 2, rets);

    if (state) {
        *state = status == 0 ? rets[1] : 0;
    }
    return status;
}

int32_t guest_drc_configure(SpaprGuest *g, uint32_t index,
                            GuestDrcNode *node)
{
    QTestState *qts = guest_qts(g);
    uint32_t args[2] = { GUEST_DRC_WORK_AREA, 0 }, rets[1];
    unsigned depth = 0;

    if (node) {
        memset(node, 0, sizeof(*node));
    }
    qtest_memset(qts, GUEST_DRC_WORK_AREA, 0, 4096);
    qtest_writel(qts, GUEST_DRC_WORK_AREA, index);
    for (;;) {
        int32_t status = guest_rtas(g, "ibm,configure-connector", 2, args,
                                    1, rets);
        char name[256] = "";
        uint32_t off, len;

        switch (status) {
        case GUEST_CC_NEXT_CHILD:
            off = qtest_readl(qts, GUEST_DRC_WORK_AREA + 8);
            g_assert_cmpuint(off, <, 4096 - sizeof(name));
            qtest_memread(qts, GUEST_DRC_WORK_AREA + off, name,
                          sizeof(name) - 1);
            if (node && depth == 0) {
                g_strlcpy(node->name, name, sizeof(node->name));
            }
            depth++;
            break;
        case GUEST_CC_NEXT_PROPERTY:
            off = qtest_readl(qts, GUEST_DRC_WORK_AREA + 8);
            len = qtest_readl(qts, GUEST_DRC_WORK_AREA + 12);
            g_assert_cmpuint(off, <, 4096 - sizeof(name));
            qtest_memread(qts, GUEST_DRC_WORK_AREA + off, name,
                          sizeof(name) - 1);
            if (node && depth == 1) {
                node->nprops++;
                if (!strcmp(name, "ibm,my-drc-index") && len == 4) {
                    node->my_drc_index = qtest_readl(qts,
                        GUEST_DRC_WORK_AREA +
                        qtest_readl(qts, GUEST_DRC_WORK_AREA + 16));
                }
            }
            break;
        case GUEST_CC_PREV_PARENT:
            g_assert_cmpuint(depth, >, 1);
            depth--;
            break;
        case GUEST_CC_NEXT_SIBLING:
            break;
        default:
            /* 0: done; anything else: the error, as Linux gives up */
            return status;
        }
    }
}

/*
 * A PCI slot is a physical connector: drmgr only unisolates / isolates
 * it (and powers it); allocation is for logical ones such as LMBs.
 */
static bool guest_drc_is_physical(uint32_t index)
{
    return index >> 28 == GUEST_DRC_PCI_INDEX(0, 0) >> 28;
}

int32_t guest_drc_acquire(SpaprGuest *g, uint32_t index, bool configure,
                          GuestDrcNode *node)
{
    bool logical = !guest_drc_is_physical(index);
    int32_t status;

    if (logical) {
        status = guest_drc_set_indicator(g, GUEST_DRC_ALLOCATION_STATE,
                                         index, GUEST_DRC_USABLE);
        if (status) {
            return status;
        }
    }
    status = guest_drc_set_indicator(g, GUEST_DRC_ISOLATION_STATE, index,
                                     GUEST_DRC_UNISOLATE);
    if (status) {
        /* Linux gives the connector back when it cannot unisolate. */
        if (logical) {
            guest_drc_set_indicator(g, GUEST_DRC_ALLOCATION_STATE, index,
                                    GUEST_DRC_UNUSABLE);
        }
        return status;
    }
    return configure ? guest_drc_configure(g, index, node) : 0;
}

int32_t guest_drc_release(SpaprGuest *g, uint32_t index)
{
    int32_t status;

    status = guest_drc_set_indicator(g, GUEST_DRC_ISOLATION_STATE, index,
                                     GUEST_DRC_ISOLATE);
    if (status || guest_drc_is_physical(index)) {
        return status;
    }
    status = guest_drc_set_indicator(g, GUEST_DRC_ALLOCATION_STATE, index,
                                     GUEST_DRC_UNUSABLE);
    if (status) {
        /* As Linux: back to unisolated, the device stays usable. */
        guest_drc_set_indicator(g, GUEST_DRC_ISOLATION_STATE, index,
                                GUEST_DRC_UNISOLATE);
    }
    return status;
}

/* The connectors an event names, first index and count. */
static void guest_drc_event_range(const GuestHotplugEvent *ev,
                                  uint32_t *first, uint32_t *count)
{
    *first = ev->index;
    *count = ev->id_type == GUEST_HP_ID_DRC_INDEX ? 1 : ev->count;
}

int32_t guest_drc_handle_event(SpaprGuest *g, const GuestHotplugEvent *ev)
{
    uint32_t first, count, i;

    guest_drc_event_range(ev, &first, &count);
    for (i = 0; i < count; i++) {
        int32_t status;

        if (ev->action == GUEST_HP_ACTION_ADD) {
            status = guest_drc_acquire(g, first + i,
                                       ev->type == GUEST_HP_TYPE_PCI, NULL);
        } else {
            status = guest_drc_release(g, first + i);
        }
        if (status) {
            return status;
        }
    }
    return 0;
}

unsigned guest_drc_handle_events(SpaprGuest *g)
{
    GuestHotplugEvent ev;
    unsigned n = 0;

    while (guest_drc_fetch_event(g, false, &ev) == 0) {
        g_assert_cmpint(guest_drc_handle_event(g, &ev), ==, 0);
        n++;
    }
    return n;
}
