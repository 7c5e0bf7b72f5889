/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * qtest server: line framing, logging and the command table.
 *
 * Every input line gets exactly one reply line, whatever it contains:
 * a test that sends garbage still reads the reply to its next command.
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "exec/ram.h"
#include "sysemu/machine.h"
#include "hw/ppc/spapr_irq.h"
#include "system/qom.h"
#include "system/qtest.h"
#include "system/runstate.h"
#include "trace.h"

/*
 * Longest accepted line; longer ones get one FAIL and are skipped up to
 * the next newline.  4 MiB covers "write" of 2 MiB, and libqtest splits
 * larger buffers.
 */
#define QTEST_MAX_LINE      (4u << 20)
/* Largest read/b64read/write payload, so replies stay bounded too. */
#define QTEST_MAX_TRANSFER  (16u << 20)
#define QTEST_MAX_MEMSET    (1ull << 30)
#define QTEST_MAX_HCALL_ARGS 16
#define QTEST_HCALL_MAX_OUT 16
#define H_PARAMETER (-4)

typedef struct QTestServer {
    Chardev *chr;
    int irq_intercept;          /* -1 none, 0 in, 1 out */
    GString *line;
    bool skipping;              /* after an overlong line */
    FILE *log;
    gint64 log_start;
} QTestServer;

typedef void QTestHandler(char **argv, int argc, GString *reply);

typedef struct QTestCommand {
    const char *name;
    int min_args, max_args;
    QTestHandler *fn;
} QTestCommand;

static QTestServer *qtest;
static int64_t qtest_clock_ns;

#define MEMATTRS MEMTXATTRS_UNSPECIFIED

static bool qtest_parse_u64(const char *word, uint64_t *v, GString *reply)
{
    g_autofree char *esc = NULL;
    int64_t s;

    if (!qemu_strtou64(word, v)) {
        return true;
    }
    /* Negative values wrap, as C and QEMU's qtest treat them. */
    if (word[0] == '-' && !qemu_strtoi64(word, &s)) {
        *v = (uint64_t)s;
        return true;
    }
    esc = g_strescape(word, NULL);
    g_string_printf(reply, "FAIL invalid number '%.64s'", esc);
    return false;
}

static bool qtest_parse_size(const char *word, uint64_t max, uint64_t *v,
                             GString *reply)
{
    if (!qtest_parse_u64(word, v, reply)) {
        return false;
    }
    if (*v > max) {
        g_string_printf(reply, "FAIL size %" PRIu64 " too large "
                        "(at most %" PRIu64 ")", *v, max);
        return false;
    }
    return true;
}

static void qtest_cmd_read_n(char **argv, int argc, GString *reply)
{
    AddressSpace *as = &address_space_memory;
    uint64_t addr, val = 0;

    if (!qtest_parse_u64(argv[1], &addr, reply)) {
        return;
    }
    switch (argv[0][4]) {
    case 'b':
        val = address_space_ldub(as, addr, MEMATTRS, NULL);
        break;
    case 'w':
        val = address_space_lduw_be(as, addr, MEMATTRS, NULL);
        break;
    case 'l':
        val = address_space_ldl_be(as, addr, MEMATTRS, NULL);
        break;
    case 'q':
        val = address_space_ldq_be(as, addr, MEMATTRS, NULL);
        break;
    }
    g_string_printf(reply, "OK 0x%016" PRIx64, val);
}

static void qtest_cmd_write_n(char **argv, int argc, GString *reply)
{
    AddressSpace *as = &address_space_memory;
    uint64_t addr, val;

    if (!qtest_parse_u64(argv[1], &addr, reply) ||
        !qtest_parse_u64(argv[2], &val, reply)) {
        return;
    }
    switch (argv[0][5]) {
    case 'b':
        address_space_stb(as, addr, val, MEMATTRS, NULL);
        break;
    case 'w':
        address_space_stw_be(as, addr, val, MEMATTRS, NULL);
        break;
    case 'l':
        address_space_stl_be(as, addr, val, MEMATTRS, NULL);
        break;
    case 'q':
        address_space_stq_be(as, addr, val, MEMATTRS, NULL);
        break;
    }
    g_string_assign(reply, "OK");
}

static void qtest_cmd_read(char **argv, int argc, GString *reply)
{
    uint64_t addr, size, i;
    g_autofree uint8_t *data = NULL;

    if (!qtest_parse_u64(argv[1], &addr, reply) ||
        !qtest_parse_size(argv[2], QTEST_MAX_TRANSFER, &size, reply)) {
        return;
    }
    data = g_malloc(size ? size : 1);
    address_space_read(&address_space_memory, addr, MEMATTRS, data, size);
    g_string_assign(reply, "OK 0x");
    for (i = 0; i < size; i++) {
        g_string_append_printf(reply, "%02x", data[i]);
    }
}

static void qtest_cmd_write(char **argv, int argc, GString *reply)
{
    uint64_t addr, size, i;
    g_autofree uint8_t *data = NULL;
    const char *hex = argv[3];
    size_t hexlen;

    if (!qtest_parse_u64(argv[1], &addr, reply) ||
        !qtest_parse_size(argv[2], QTEST_MAX_TRANSFER, &size, reply)) {
        return;
    }
    if (hex[0] != '0' || (hex[1] != 'x' && hex[1] != 'X')) {
        g_string_assign(reply, "FAIL write: data must start with 0x");
        return;
    }
    hex += 2;
    hexlen = strlen(hex);
    data = g_malloc0(size ? size : 1);
    /* Short data is zero-filled; extra digits are ignored. */
    for (i = 0; i < size && 2 * i + 1 < hexlen; i++) {
        int hi = g_ascii_xdigit_value(hex[2 * i]);
        int lo = g_ascii_xdigit_value(hex[2 * i + 1]);

        if (hi < 0 || lo < 0) {
            g_string_assign(reply, "FAIL write: invalid hex data");
            return;
        }
        data[i] = hi << 4 | lo;
    }
    address_space_write(&address_space_memory, addr, MEMATTRS, data, size);
    g_string_assign(reply, "OK");
}

static void qtest_cmd_b64read(char **argv, int argc, GString *reply)
{
    uint64_t addr, size;
    g_autofree uint8_t *data = NULL;
    g_autofree char *b64 = NULL;

    if (!qtest_parse_u64(argv[1], &addr, reply) ||
        !qtest_parse_size(argv[2], QTEST_MAX_TRANSFER, &size, reply)) {
        return;
    }
    data = g_malloc(size ? size : 1);
    address_space_read(&address_space_memory, addr, MEMATTRS, data, size);
    b64 = g_base64_encode(data, size);
    g_string_printf(reply, "OK %s", b64);
}

static void qtest_cmd_b64write(char **argv, int argc, GString *reply)
{
    uint64_t addr, size;
    g_autofree uint8_t *data = NULL;
    g_autofree uint8_t *decoded = NULL;
    gsize len;

    if (!qtest_parse_u64(argv[1], &addr, reply) ||
        !qtest_parse_size(argv[2], QTEST_MAX_TRANSFER, &size, reply)) {
        return;
    }
    decoded = g_base64_decode(argv[3], &len);
    data = g_malloc0(size ? size : 1);
    memcpy(data, decoded, MIN(len, size));
    address_space_write(&address_space_memory, addr, MEMATTRS, data, size);
    g_string_assign(reply, "OK");
}

static void qtest_cmd_memset(char **argv, int argc, GString *reply)
{
    uint64_t addr, size, byte;

    if (!qtest_parse_u64(argv[1], &addr, reply) ||
        !qtest_parse_size(argv[2], QTEST_MAX_MEMSET, &size, reply) ||
        !qtest_parse_size(argv[3], 0xff, &byte, reply)) {
        return;
    }
    address_space_set(&address_space_memory, addr, byte, size, MEMATTRS);
    g_string_assign(reply, "OK");
}

static void qtest_cmd_endianness(char **argv, int argc, GString *reply)
{
    g_string_assign(reply, "OK big");
}

static void qtest_cmd_rtas(char **argv, int argc, GString *reply)
{
    uint64_t nargs, args, nret, rets;

    if (!qtest_parse_size(argv[2], UINT32_MAX, &nargs, reply) ||
        !qtest_parse_u64(argv[3], &args, reply) ||
        !qtest_parse_size(argv[4], UINT32_MAX, &nret, reply) ||
        !qtest_parse_u64(argv[5], &rets, reply)) {
        return;
    }
    trace_qtest_rtas(argv[1], nargs, args, nret, rets);
    if (machine_rtas(argv[1], nargs, args, nret, rets)) {
        g_string_assign(reply, "OK 0");
    } else {
        g_string_printf(reply, "OK %" PRIu64, (uint64_t)(int64_t)H_PARAMETER);
    }
}

static void qtest_cmd_hcall(char **argv, int argc, GString *reply)
{
    uint64_t opcode, args[QTEST_MAX_HCALL_ARGS], out[QTEST_HCALL_MAX_OUT];
    unsigned nout = QTEST_HCALL_MAX_OUT, i;
    int64_t ret;

    if (!qtest_parse_u64(argv[1], &opcode, reply)) {
        return;
    }
    for (i = 2; i < argc; i++) {
        if (!qtest_parse_u64(argv[i], &args[i - 2], reply)) {
            return;
        }
    }
    ret = machine_hcall(opcode, args, argc - 2, out, &nout);
    trace_qtest_hcall(opcode, argc - 2, ret);
    g_string_printf(reply, "OK %" PRId64, ret);
    for (i = 0; i < nout && i < QTEST_HCALL_MAX_OUT; i++) {
        g_string_append_printf(reply, " 0x%" PRIx64, out[i]);
    }
}

static void qtest_cmd_clock_step(char **argv, int argc, GString *reply)
{
    uint64_t ns = 0;

    /* No timers here: without NS the next deadline is "now". */
    if (argc > 1 && !qtest_parse_u64(argv[1], &ns, reply)) {
        return;
    }
    qtest_clock_ns += ns;
    g_string_printf(reply, "OK %" PRIi64, qtest_clock_ns);
}

static void qtest_cmd_clock_set(char **argv, int argc, GString *reply)
{
    uint64_t ns;

    if (!qtest_parse_u64(argv[1], &ns, reply)) {
        return;
    }
    /* The clock never goes backwards, as in QEMU. */
    if ((int64_t)ns > qtest_clock_ns) {
        qtest_clock_ns = ns;
    }
    g_string_printf(reply, "OK %" PRIi64, qtest_clock_ns);
}

static void qtest_send_line(const char *text);

/* Asynchronous lines, as QEMU's qtest sends them. */
static void qtest_irq_observed(uint32_t irq, int level, void *opaque)
{
    g_autofree char *line = g_strdup_printf("IRQ %s %u",
                                            level ? "raise" : "lower", irq);

    if (qtest) {
        qtest_send_line(line);
    }
}

/*
 * The controller by its QOM path (any path qom-get accepts whose type
 * is the controller's), or by the partial path "ics" as QEMU resolves
 * a name that is unique in the tree.
 */
static bool qtest_irq_is_controller(const char *path)
{
    Error *err = NULL;
    JsonNode *type;
    bool ok;

    if (!spapr_irq_controller_present()) {
        return false;
    }
    if (!strcmp(path, TYPE_SPAPR_ICS)) {
        return true;
    }
    type = qom_get(path, "type", &err);
    if (!type) {
        error_free(err);
        return false;
    }
    ok = JSON_NODE_HOLDS_VALUE(type) &&
         json_node_get_value_type(type) == G_TYPE_STRING &&
         !strcmp(json_node_get_string(type), TYPE_SPAPR_ICS);
    json_node_unref(type);
    return ok;
}

static void qtest_cmd_irq_intercept(char **argv, int argc, GString *reply)
{
    bool out = !strcmp(argv[0], "irq_intercept_out");

    if (!qtest_irq_is_controller(argv[1])) {
        g_string_assign(reply, "FAIL Unknown device");
        return;
    }
    if (qtest->irq_intercept >= 0) {
        /* One intercept per session, as QEMU allows. */
        g_string_assign(reply, qtest->irq_intercept == out ? "OK" :
                        "FAIL IRQ intercept already enabled");
        return;
    }
    qtest->irq_intercept = out;
    spapr_irq_set_observer(out, qtest_irq_observed, NULL);
    g_string_assign(reply, "OK");
}

static void qtest_cmd_set_irq_in(char **argv, int argc, GString *reply)
{
    g_autofree char *esc = g_strescape(argv[1], NULL);

    g_string_printf(reply, "FAIL no interrupt line at '%.64s'", esc);
}

static const QTestCommand qtest_commands[] = {
    { "readb", 1, 1, qtest_cmd_read_n },
    { "readw", 1, 1, qtest_cmd_read_n },
    { "readl", 1, 1, qtest_cmd_read_n },
    { "readq", 1, 1, qtest_cmd_read_n },
    { "writeb", 2, 2, qtest_cmd_write_n },
    { "writew", 2, 2, qtest_cmd_write_n },
    { "writel", 2, 2, qtest_cmd_write_n },
    { "writeq", 2, 2, qtest_cmd_write_n },
    { "read", 2, 2, qtest_cmd_read },
    { "write", 3, 3, qtest_cmd_write },
    { "b64read", 2, 2, qtest_cmd_b64read },
    { "b64write", 3, 3, qtest_cmd_b64write },
    { "memset", 3, 3, qtest_cmd_memset },
    { "endianness", 0, 0, qtest_cmd_endianness },
    { "rtas", 5, 5, qtest_cmd_rtas },
    { "hcall", 1, 1 + QTEST_MAX_HCALL_ARGS, qtest_cmd_hcall },
    { "clock_step", 0, 1, qtest_cmd_clock_step },
    { "clock_set", 1, 1, qtest_cmd_clock_set },
    { "irq_intercept_in", 1, 1, qtest_cmd_irq_intercept },
    { "irq_intercept_out", 1, 1, qtest_cmd_irq_intercept },
    { "set_irq_in", 4, 4, qtest_cmd_set_irq_in },
};

char *qtest_process_line(const char *line)
{
    g_autoptr(GString) reply = g_string_new(NULL);
    g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func(g_free);
    g_auto(GStrv) split = g_strsplit(line, " ", -1);
    g_autofree char *esc = NULL;
    char **w;
    unsigned i;

    for (w = split; *w; w++) {
        if (**w) {
            g_ptr_array_add(words, g_strdup(*w));
        }
    }
    if (!words->len) {
        return g_strdup("FAIL empty command");
    }
    g_ptr_array_add(words, NULL);
    for (i = 0; i < ARRAY_SIZE(qtest_commands); i++) {
        const QTestCommand *cmd = &qtest_commands[i];
        int argc = words->len - 2;

        if (strcmp(cmd->name, words->pdata[0])) {
            continue;
        }
        if (argc < cmd->min_args || argc > cmd->max_args) {
            g_string_printf(reply, "FAIL %s: wrong number of arguments "
                            "(%d)", cmd->name, argc);
        } else {
            cmd->fn((char **)words->pdata, argc + 1, reply);
        }
        return g_string_free(g_steal_pointer(&reply), FALSE);
    }
    esc = g_strescape(words->pdata[0], NULL);
    return g_strdup_printf("FAIL Unknown command '%.64s'", esc);
}

static void qtest_log(char dir, const char *text)
{
    gint64 t;

    if (!qtest->log) {
        return;
    }
    t = g_get_monotonic_time() - qtest->log_start;
    fprintf(qtest->log, "[%c +%" PRId64 ".%06" PRId64 "] %s\n", dir,
            t / G_USEC_PER_SEC, t % G_USEC_PER_SEC, text);
    fflush(qtest->log);
}

static void qtest_send_line(const char *text)
{
    g_autofree char *line = g_strconcat(text, "\n", NULL);

    qtest_log('S', text);
    chardev_write(qtest->chr, line, strlen(line));
}

static void qtest_reply(const char *text)
{
    qtest_send_line(text);
}

static void qtest_handle_line(char *line, size_t len)
{
    g_autofree char *reply = NULL;

    if (len && line[len - 1] == '\r') {
        line[--len] = '\0';
    }
    qtest_log('R', line);
    trace_qtest_command(len > 80 ? "(long line)" : line);
    reply = qtest_process_line(line);
    qtest_reply(reply);
}

static void qtest_read(void *opaque, const uint8_t *buf, size_t len)
{
    while (len) {
        const uint8_t *nl = memchr(buf, '\n', len);
        size_t chunk = nl ? (size_t)(nl - buf) : len;

        if (qtest->skipping) {
            /* Drop the rest of an overlong line. */
        } else if (qtest->line->len + chunk > QTEST_MAX_LINE) {
            g_string_truncate(qtest->line, 0);
            qtest->skipping = true;
            qtest_reply("FAIL line too long");
        } else {
            g_string_append_len(qtest->line, (const char *)buf, chunk);
        }
        if (!nl) {
            return;
        }
        if (!qtest->skipping) {
            qtest_handle_line(qtest->line->str, qtest->line->len);
        }
        qtest->skipping = false;
        g_string_truncate(qtest->line, 0);
        buf = nl + 1;
        len -= chunk + 1;
    }
}

static void qtest_opened(void *opaque)
{
    g_string_truncate(qtest->line, 0);
    qtest->skipping = false;
    qtest_log('I', "qtest connection opened");
}

static void qtest_closed(void *opaque)
{
    qtest_log('I', "qtest connection closed");
    /*
     * The test program is the guest: when it goes away (or stdin ends)
     * there is nothing left to run.  A server socket waits for the next.
     */
    if (!chardev_is_server(qtest->chr)) {
        qemu_system_shutdown_request("host-qtest-closed");
    }
}

static const ChardevHandlers qtest_handlers = {
    .opened = qtest_opened,
    .read = qtest_read,
    .closed = qtest_closed,
};

bool qtest_server_active(void)
{
    return qtest != NULL;
}

bool qtest_server_init(Chardev *chr, const char *logfile, Error **errp)
{
    FILE *log = NULL;

    g_assert(!qtest);
    if (logfile) {
        log = fopen(logfile, "a");
        if (!log) {
            error_setg_errno(errp, errno, "cannot open qtest log '%s'",
                             logfile);
            return false;
        }
    }
    qtest = g_new0(QTestServer, 1);
    qtest->irq_intercept = -1;
    if (!chardev_attach(chr, &qtest_handlers, NULL, errp)) {
        g_free(qtest);
        qtest = NULL;
        if (log) {
            fclose(log);
        }
        return false;
    }
    qtest->chr = chr;
    qtest->line = g_string_new(NULL);
    qtest->log = log;
    qtest->log_start = g_get_monotonic_time();
    return true;
}

void qtest_server_cleanup(void)
{
    if (!qtest) {
        return;
    }
    if (qtest->irq_intercept >= 0) {
        spapr_irq_set_observer(qtest->irq_intercept, NULL, NULL);
    }
    if (qtest->log) {
        fclose(qtest->log);
    }
    g_string_free(qtest->line, TRUE);
    g_clear_pointer(&qtest, g_free);
}
