/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The interrupt controller as a guest sees it: RTAS xive calls, the
 * XICS presentation hcalls, INTx of an emulated device from its
 * register to "IRQ raise N" and back through H_XIRR / H_EOI, and the
 * qtest intercept itself.  MSI and MSI-X are in test-spapr-msi.c.
 */
#include <string.h>
#include <unistd.h>
#include <libfdt.h>
#include <sys/wait.h>
#include "libspapr-guest.h"

#define RAM         (512ULL << 20)
#define LSI0        0x1200              /* PHB 0, line A */
#define TESTDEV     "-device pci-testdev,addr=2"
#define REG_INTX    0x38
#define TIMEOUT_MS  5000

/* SIGTERM, and the process must exit 0 (sanitizer reports fail it). */
static void quit_clean(QTestState *qts)
{
    int status = qtest_quit(qts);

    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

typedef struct Fx {
    QTestState *qts;
    SpaprGuest *g;
    GuestDevice dev;
} Fx;

static void fx_start(Fx *fx, const char *args)
{
    fx->qts = qtest_init(args);
    fx->g = guest_new(fx->qts, RAM);
    if (strstr(args, "pci-testdev")) {
        g_assert_true(guest_find_device(fx->g, 0, 0x1b36, 0x0005, 0,
                                        &fx->dev));
    }
}

static void fx_stop(Fx *fx)
{
    guest_free(fx->g);
    quit_clean(fx->qts);
}

static void dev_writel(Fx *fx, unsigned reg, uint32_t val)
{
    qtest_writel(fx->qts, fx->dev.bar_cpu[0] + reg, GUINT32_SWAP_LE_BE(val));
}

/* set-xive then get-xive give back what was set; int-off/on keep it. */
static void test_xive_round_trip(void)
{
    Fx fx;
    uint32_t server = 9, prio = 9;

    fx_start(&fx, "");
    /* Sources start masked on server 0. */
    g_assert_cmpint(guest_get_xive(fx.g, LSI0, &server, &prio), ==, 0);
    g_assert_cmpuint(server, ==, 0);
    g_assert_cmpuint(prio, ==, 0xff);
    g_assert_cmpint(guest_set_xive(fx.g, LSI0, 0, 5), ==, 0);
    g_assert_cmpint(guest_get_xive(fx.g, LSI0, &server, &prio), ==, 0);
    g_assert_cmpuint(prio, ==, 5);
    g_assert_cmpint(guest_int_off(fx.g, LSI0), ==, 0);
    g_assert_cmpint(guest_get_xive(fx.g, LSI0, &server, &prio), ==, 0);
    g_assert_cmpuint(prio, ==, 0xff);
    /* Off twice, then on: the priority from before the first off. */
    g_assert_cmpint(guest_int_off(fx.g, LSI0), ==, 0);
    g_assert_cmpint(guest_int_on(fx.g, LSI0), ==, 0);
    g_assert_cmpint(guest_get_xive(fx.g, LSI0, &server, &prio), ==, 0);
    g_assert_cmpuint(prio, ==, 5);
    fx_stop(&fx);
}

/* Out-of-range and unused numbers, bad server or priority: -3. */
static void test_xive_bad_input(void)
{
    static const uint32_t bad[] = { 0, 2, 0xfff, 0x1100, 0x1300, 0x2000,
                                    0xffffffff };
    uint32_t server = 0, prio = 0, args[3] = { LSI0, 0, 5 }, rets[3];
    Fx fx;
    unsigned i;

    fx_start(&fx, "");
    g_assert_cmpint(guest_set_xive(fx.g, LSI0, 0, 7), ==, 0);
    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_cmpint(guest_set_xive(fx.g, bad[i], 0, 5), ==, -3);
        g_assert_cmpint(guest_get_xive(fx.g, bad[i], &server, &prio), ==,
                        -3);
        g_assert_cmpint(guest_int_off(fx.g, bad[i]), ==, -3);
        g_assert_cmpint(guest_int_on(fx.g, bad[i]), ==, -3);
    }
    g_assert_cmpint(guest_set_xive(fx.g, LSI0, 1, 5), ==, -3);
    g_assert_cmpint(guest_set_xive(fx.g, LSI0, 0, 0x100), ==, -3);
    /* Wrong argument or return counts. */
    g_assert_cmpint(guest_rtas(fx.g, "ibm,set-xive", 2, args, 1, rets), ==,
                    -3);
    g_assert_cmpint(guest_rtas(fx.g, "ibm,get-xive", 1, args, 2, rets), ==,
                    -3);
    g_assert_cmpint(guest_rtas(fx.g, "ibm,int-on", 2, args, 1, rets), ==,
                    -3);
    /* Nothing changed. */
    g_assert_cmpint(guest_get_xive(fx.g, LSI0, &server, &prio), ==, 0);
    g_assert_cmpuint(server, ==, 0);
    g_assert_cmpuint(prio, ==, 7);
    fx_stop(&fx);
}

/*
 * INTx: the device's level is the LSI's; H_XIRR takes it, H_EOI of a
 * source still asserted presents it again, and lowering ends it.
 */
static void test_intx_xirr_eoi(void)
{
    uint64_t xirr = 0;
    uint32_t irq;
    Fx fx;

    fx_start(&fx, TESTDEV);
    irq = guest_intx_irq(fx.g, &fx.dev);
    g_assert_cmpuint(irq, ==, LSI0 + 2);       /* slot 2, pin A */
    guest_irq_intercept(fx.g);
    g_assert_cmpint(guest_cppr(fx.g, 0xff), ==, 0);
    g_assert_cmpint(guest_irq_unmask(fx.g, irq), ==, 0);

    dev_writel(&fx, REG_INTX, 1);
    g_assert_true(guest_wait_irq(fx.g, irq, 1, TIMEOUT_MS));
    g_assert_true(qtest_get_irq(fx.qts, irq));
    g_assert_cmpint(guest_xirr(fx.g, &xirr), ==, 0);
    g_assert_cmphex(xirr, ==, 0xff000000ULL | irq);
    /* In service: nothing more to take until the EOI. */
    g_assert_cmpint(guest_xirr(fx.g, &xirr), ==, 0);
    g_assert_cmphex(xirr, ==, (uint64_t)GUEST_IRQ_PRIORITY << 24);
    g_assert_cmpint(guest_eoi(fx.g, 0xff000000ULL | irq), ==, 0);
    /* Still asserted: presented again. */
    g_assert_cmpint(guest_xirr(fx.g, &xirr), ==, 0);
    g_assert_cmphex(xirr, ==, 0xff000000ULL | irq);
    dev_writel(&fx, REG_INTX, 0);
    g_assert_false(qtest_get_irq(fx.qts, irq));
    g_assert_cmpint(guest_eoi(fx.g, 0xff000000ULL | irq), ==, 0);
    g_assert_cmpint(guest_xirr(fx.g, &xirr), ==, 0);
    g_assert_cmphex(xirr, ==, 0xff000000ULL);
    g_assert_cmpuint(guest_irq_count(fx.g, irq), ==, 1);
    fx_stop(&fx);
}

/* A masked LSI does not reach the ICP; unmasked while high it does. */
static void test_intx_masked_then_unmasked(void)
{
    uint64_t xirr = 0;
    uint32_t irq;
    Fx fx;

    fx_start(&fx, TESTDEV);
    irq = guest_intx_irq(fx.g, &fx.dev);
    guest_irq_intercept(fx.g);
    g_assert_cmpint(guest_cppr(fx.g, 0xff), ==, 0);
    dev_writel(&fx, REG_INTX, 1);
    g_assert_false(qtest_get_irq(fx.qts, irq));
    g_assert_cmpint(guest_xirr(fx.g, &xirr), ==, 0);
    g_assert_cmphex(xirr & 0xffffff, ==, 0);
    g_assert_cmpint(guest_irq_unmask(fx.g, irq), ==, 0);
    g_assert_true(qtest_get_irq(fx.qts, irq));
    g_assert_cmpint(guest_xirr(fx.g, &xirr), ==, 0);
    g_assert_cmphex(xirr & 0xffffff, ==, irq);
    /* Masked again while high: the line goes low at the controller. */
    g_assert_cmpint(guest_int_off(fx.g, irq), ==, 0);
    g_assert_false(qtest_get_irq(fx.qts, irq));
    fx_stop(&fx);
}

/* Interrupt Disable in the command register keeps INTx off the bus. */
static void test_intx_disable_bit(void)
{
    uint32_t irq, cmd = 0;
    Fx fx;

    fx_start(&fx, TESTDEV);
    irq = guest_intx_irq(fx.g, &fx.dev);
    guest_irq_intercept(fx.g);
    g_assert_cmpint(guest_irq_unmask(fx.g, irq), ==, 0);
    g_assert_true(guest_config_read(fx.g, fx.dev.buid, fx.dev.config_addr,
                                    4, 2, &cmd));
    g_assert_true(guest_config_write(fx.g, fx.dev.buid, fx.dev.config_addr,
                                     4, 2, cmd | 0x400));
    dev_writel(&fx, REG_INTX, 1);
    g_assert_false(qtest_get_irq(fx.qts, irq));
    g_assert_true(guest_config_write(fx.g, fx.dev.buid, fx.dev.config_addr,
                                     4, 2, cmd));
    g_assert_true(qtest_get_irq(fx.qts, irq));
    fx_stop(&fx);
}

/* CPPR filters by priority; a lower CPPR sends back what is pending. */
static void test_cppr_priority(void)
{
    uint64_t xirr = 0;
    uint32_t irq;
    Fx fx;

    fx_start(&fx, TESTDEV);
    irq = guest_intx_irq(fx.g, &fx.dev);
    g_assert_cmpint(guest_irq_unmask(fx.g, irq), ==, 0);
    /* After reset CPPR is 0: nothing is more favoured. */
    dev_writel(&fx, REG_INTX, 1);
    g_assert_cmpint(guest_xirr(fx.g, &xirr), ==, 0);
    g_assert_cmphex(xirr, ==, 0);
    g_assert_cmpint(guest_cppr(fx.g, GUEST_IRQ_PRIORITY), ==, 0);
    g_assert_cmpint(guest_xirr(fx.g, &xirr), ==, 0);
    g_assert_cmphex(xirr, ==, (uint64_t)GUEST_IRQ_PRIORITY << 24);
    g_assert_cmpint(guest_cppr(fx.g, GUEST_IRQ_PRIORITY + 1), ==, 0);
    g_assert_cmpint(guest_xirr(fx.g, &xirr), ==, 0);
    g_assert_cmphex(xirr, ==, (uint64_t)(GUEST_IRQ_PRIORITY + 1) << 24 | irq);
    /* Bad values: H_PARAMETER, CPPR unchanged. */
    g_assert_cmpint(guest_cppr(fx.g, 0x100), ==, H_PARAMETER);
    g_assert_cmpint(guest_eoi(fx.g, 0xff000000ULL | 0x1fff), ==,
                    H_PARAMETER);
    fx_stop(&fx);
}

/* H_IPI: MFRR below CPPR presents source 2. */
static void test_ipi(void)
{
    uint64_t xirr = 0, args[2] = { 0, 4 };
    Fx fx;

    fx_start(&fx, "");
    g_assert_cmpint(guest_cppr(fx.g, 0xff), ==, 0);
    g_assert_cmpint(qtest_hcall(fx.qts, H_IPI, 2, args, 0, NULL), ==, 0);
    g_assert_cmpint(guest_xirr(fx.g, &xirr), ==, 0);
    g_assert_cmphex(xirr, ==, 0xff000002ULL);
    args[1] = 0xff;
    g_assert_cmpint(qtest_hcall(fx.qts, H_IPI, 2, args, 0, NULL), ==, 0);
    g_assert_cmpint(guest_eoi(fx.g, 0xff000002ULL), ==, 0);
    g_assert_cmpint(guest_xirr(fx.g, &xirr), ==, 0);
    g_assert_cmphex(xirr, ==, 0xff000000ULL);
    args[0] = 1;        /* no such server */
    g_assert_cmpint(qtest_hcall(fx.qts, H_IPI, 2, args, 0, NULL), ==,
                    H_PARAMETER);
    fx_stop(&fx);
}

/* The intercept answers as QEMU's: unknown device, second controller. */
static void test_intercept_replies(void)
{
    g_autofree char *path = NULL;
    g_autofree char *r1 = NULL, *r2 = NULL, *r3 = NULL, *r4 = NULL;
    Fx fx;

    fx_start(&fx, "");
    path = guest_irq_controller_path(fx.g);
    r1 = qtest_command(fx.qts, "irq_intercept_out /machine/nothing");
    g_assert_cmpstr(r1, ==, "FAIL Unknown device");
    r2 = qtest_command(fx.qts, "irq_intercept_out %s", path);
    g_assert_cmpstr(r2, ==, "OK");
    r3 = qtest_command(fx.qts, "irq_intercept_out %s", path);
    g_assert_cmpstr(r3, ==, "OK");
    r4 = qtest_command(fx.qts, "irq_intercept_in %s", path);
    g_assert_cmpstr(r4, ==, "FAIL IRQ intercept already enabled");
    fx_stop(&fx);
}

/* irq_intercept_in shows inputs, masked or not. */
static void test_intercept_in_sees_masked_input(void)
{
    uint32_t irq;
    Fx fx;

    fx_start(&fx, TESTDEV);
    irq = guest_intx_irq(fx.g, &fx.dev);
    qtest_irq_intercept_in(fx.qts, "ics");
    dev_writel(&fx, REG_INTX, 1);
    g_assert_true(qtest_get_irq(fx.qts, irq));
    dev_writel(&fx, REG_INTX, 0);
    g_assert_false(qtest_get_irq(fx.qts, irq));
    g_assert_cmpuint(qtest_irq_count(fx.qts, irq), ==, 1);
    fx_stop(&fx);
}

/* The source in query-spapr-irq's list (json_object_unref it). */
static JsonObject *query_source(Fx *fx, uint32_t irq)
{
    JsonObject *reply = qtest_qmp(fx->qts, "{'execute': "
                                  "'query-spapr-irq'}");
    JsonArray *list = json_object_get_array_member(reply, "return");
    JsonObject *found = NULL;
    unsigned i;

    for (i = 0; i < json_array_get_length(list); i++) {
        JsonObject *o = json_array_get_object_element(list, i);

        if (json_object_get_int_member(o, "irq") == irq) {
            found = json_object_ref(o);
        }
    }
    json_object_unref(reply);
    g_assert_nonnull(found);
    return found;
}

/* query-spapr-irq, x-query-irq and info irq show state and counts. */
static void test_query_commands(void)
{
    g_autofree char *hmp = NULL, *stat = NULL;
    JsonObject *src, *reply;
    const char *text;
    uint32_t irq;
    Fx fx;

    fx_start(&fx, TESTDEV);
    irq = guest_intx_irq(fx.g, &fx.dev);
    src = query_source(&fx, irq);
    g_assert_cmpstr(json_object_get_string_member(src, "type"), ==, "lsi");
    g_assert_true(json_object_get_boolean_member(src, "masked"));
    g_assert_cmpint(json_object_get_int_member(src, "count"), ==, 0);
    json_object_unref(src);

    g_assert_cmpint(guest_set_xive(fx.g, irq, 0, 3), ==, 0);
    dev_writel(&fx, REG_INTX, 1);
    src = query_source(&fx, irq);
    g_assert_false(json_object_get_boolean_member(src, "masked"));
    g_assert_cmpint(json_object_get_int_member(src, "priority"), ==, 3);
    g_assert_true(json_object_get_boolean_member(src, "asserted"));
    g_assert_cmpint(json_object_get_int_member(src, "count"), ==, 1);
    json_object_unref(src);

    stat = g_strdup_printf("%5u: 1\n", irq);
    reply = qtest_qmp(fx.qts, "{'execute': 'x-query-irq'}");
    text = json_object_get_string_member(
        json_object_get_object_member(reply, "return"),
        "human-readable-text");
    g_assert_nonnull(strstr(text, "IRQ statistics for ics:\n"));
    g_assert_nonnull(strstr(text, stat));
    json_object_unref(reply);
    hmp = qtest_hmp(fx.qts, "info irq");
    g_assert_nonnull(strstr(hmp, stat));
    fx_stop(&fx);
}

static uint32_t fdt_cell(const void *fdt, int off, const char *name,
                         unsigned i)
{
    int len = 0;
    const fdt32_t *p = fdt_getprop(fdt, off, name, &len);

    g_assert_nonnull(p);
    g_assert_cmpint(len, >=, 4 * (i + 1));
    return fdt32_to_cpu(p[i]);
}

/* The tree a pseries guest reads: XICS node, PHB interrupt-map, MSI. */
static void test_device_tree(void)
{
    g_autofree char *dir = g_dir_make_tmp("irq-dtb-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "dtb", NULL);
    g_autofree char *fdt = NULL;
    const uint32_t *map;
    const char *str;
    int off, len = 0, i, found = 0;
    Fx fx;

    fx_start(&fx, TESTDEV);
    qtest_qmp_assert_success(fx.qts, "{'execute': 'dumpdtb', 'arguments': "
                             "{'filename': '%s'}}", path);
    g_assert_true(g_file_get_contents(path, &fdt, NULL, NULL));
    unlink(path);
    rmdir(dir);

    off = fdt_path_offset(fdt, "/interrupt-controller");
    g_assert_cmpint(off, >=, 0);
    g_assert_nonnull(fdt_getprop(fdt, off, "interrupt-controller", NULL));
    g_assert_cmpint(fdt_node_check_compatible(fdt, off, "IBM,ppc-xicp"), ==,
                    0);
    g_assert_cmpint(fdt_node_check_compatible(fdt, off, "IBM,ppc-xics"), ==,
                    0);
    g_assert_cmpuint(fdt_cell(fdt, off, "#interrupt-cells", 0), ==, 2);
    g_assert_cmpuint(fdt_cell(fdt, off, "ibm,interrupt-server-ranges", 0),
                     ==, 0);
    g_assert_cmpuint(fdt_cell(fdt, off, "ibm,interrupt-server-ranges", 1),
                     ==, 1);
    g_assert_cmpuint(fdt_get_phandle(fdt, off), ==, 0x1111);

    off = fdt_path_offset(fdt, "/rtas");
    str = fdt_getprop(fdt, off, "ibm,hypertas-functions", &len);
    g_assert_nonnull(str);
    for (i = 0; i < len; i += strlen(str + i) + 1) {
        found |= !strcmp(str + i, "hcall-interrupt");
    }
    g_assert_true(found);
    g_assert_nonnull(fdt_getprop(fdt, off, "ibm,set-xive", NULL));
    g_assert_nonnull(fdt_getprop(fdt, off, "ibm,change-msi", NULL));
    g_assert_nonnull(fdt_getprop(fdt, off,
                                 "ibm,query-interrupt-source-number", NULL));

    off = fdt_path_offset(fdt, "/pci@800000020000000");
    g_assert_cmpint(off, >=, 0);
    g_assert_cmpuint(fdt_cell(fdt, off, "interrupt-map-mask", 0), ==,
                     0xf800);
    g_assert_cmpuint(fdt_cell(fdt, off, "interrupt-map-mask", 3), ==, 7);
    g_assert_cmpuint(fdt_cell(fdt, off, "ibm,pe-total-#msi", 0), >, 0);
    map = fdt_getprop(fdt, off, "interrupt-map", &len);
    g_assert_nonnull(map);
    g_assert_cmpint(len, ==, 32 * 4 * 7 * 4);
    /* Slot 2, pin A: the LSI the device's INTx reaches, level. */
    map += (2 * 4 + 0) * 7;
    g_assert_cmphex(fdt32_to_cpu(map[0]), ==, 2 << 11);
    g_assert_cmpuint(fdt32_to_cpu(map[3]), ==, 1);
    g_assert_cmphex(fdt32_to_cpu(map[4]), ==, 0x1111);
    g_assert_cmphex(fdt32_to_cpu(map[5]), ==,
                    guest_intx_irq(fx.g, &fx.dev));
    g_assert_cmpuint(fdt32_to_cpu(map[6]), ==, 1);

    off = fdt_path_offset(fdt, "/pci@800000020000000/pci1b36,5@2");
    g_assert_cmpint(off, >=, 0);
    g_assert_cmpuint(fdt_cell(fdt, off, "interrupts", 0), ==, 1);
    g_assert_cmpuint(fdt_cell(fdt, off, "ibm,req#msi", 0), ==, 4);
    g_assert_cmpuint(fdt_cell(fdt, off, "ibm,req#msi-x", 0), ==, 8);
    fx_stop(&fx);
}

/* Random arguments to every interrupt call: answers, never a crash. */
static void test_random_calls_survive(void)
{
    static const char *const calls[] = {
        "ibm,set-xive", "ibm,get-xive", "ibm,int-off", "ibm,int-on",
        "ibm,change-msi", "ibm,query-interrupt-source-number",
    };
    static const uint64_t hcalls[] = { H_XIRR, H_EOI, H_CPPR, H_IPI };
    GRand *r = g_rand_new_with_seed(12);
    uint32_t irqs[8], args[8], rets[8];
    uint64_t hargs[4], xirr;
    unsigned i, j;
    Fx fx;

    fx_start(&fx, TESTDEV);
    g_assert_cmpint(guest_enable_msix(fx.g, &fx.dev, 8, irqs), ==, 8);
    guest_irq_intercept(fx.g);
    for (i = 0; i < 400; i++) {
        for (j = 0; j < G_N_ELEMENTS(args); j++) {
            /* Mostly numbers near the interesting ones. */
            switch (g_rand_int_range(r, 0, 4)) {
            case 0:
                args[j] = irqs[0] + g_rand_int_range(r, -4, 12);
                break;
            case 1:
                args[j] = g_rand_int_range(r, 0, 6);
                break;
            case 2:
                args[j] = j == 0 ? fx.dev.config_addr
                                 : (uint32_t)(fx.dev.buid >> (j == 1 ? 32
                                                                     : 0));
                break;
            default:
                args[j] = g_rand_int(r);
            }
            hargs[j % 4] = args[j] | (g_rand_boolean(r) ? 0 :
                                      (uint64_t)g_rand_int(r) << 32);
        }
        if (g_rand_boolean(r)) {
            guest_rtas(fx.g, calls[g_rand_int_range(r, 0, 6)],
                       g_rand_int_range(r, 0, 7), args,
                       g_rand_int_range(r, 1, 5), rets);
        } else {
            qtest_hcall(fx.qts, hcalls[g_rand_int_range(r, 0, 4)],
                        g_rand_int_range(r, 0, 3), hargs, 1, &xirr);
        }
        if (g_rand_int_range(r, 0, 8) == 0) {
            dev_writel(&fx, 0x34, g_rand_int_range(r, 0, 10));
        }
    }
    g_rand_free(r);
    /* Still serving: a plain call answers. */
    g_assert_cmpint(guest_set_xive(fx.g, LSI0, 0, 5), ==, 0);
    fx_stop(&fx);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/spapr/irq/xive-round-trip", test_xive_round_trip);
    g_test_add_func("/spapr/irq/xive-bad-input-changes-nothing",
                   test_xive_bad_input);
    g_test_add_func("/spapr/irq/intx-xirr-eoi-represents",
                   test_intx_xirr_eoi);
    g_test_add_func("/spapr/irq/intx-masked-arrives-on-unmask",
                   test_intx_masked_then_unmasked);
    g_test_add_func("/spapr/irq/intx-disable-bit", test_intx_disable_bit);
    g_test_add_func("/spapr/irq/cppr-priority", test_cppr_priority);
    g_test_add_func("/spapr/irq/ipi", test_ipi);
    g_test_add_func("/spapr/irq/intercept-replies", test_intercept_replies);
    g_test_add_func("/spapr/irq/intercept-in-sees-masked-input",
                   test_intercept_in_sees_masked_input);
    g_test_add_func("/spapr/irq/query-commands", test_query_commands);
    g_test_add_func("/spapr/irq/device-tree", test_device_tree);
    g_test_add_func("/spapr/irq/random-calls-survive",
                    test_random_calls_survive);
    return g_test_run();
}
