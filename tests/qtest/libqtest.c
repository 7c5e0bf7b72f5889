/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * libqtest-style client for spapr-vfio.
 *
 * Process model as in QEMU's libqtest: the test listens on two UNIX
 * sockets in a private temporary directory, starts the binary with
 * options that make it connect to them, and talks qtest on one and QMP
 * on the other.  The child's stderr goes to a file in that directory so
 * a chatty child can never block on a full pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include "libqtest.h"

/* Payload per qtest command, well under the server's line limit. */
#define QTEST_CHUNK (1u << 20)

typedef struct LineReader {
    int fd;
    GString *buf;
} LineReader;

struct QTestState {
    pid_t pid;
    bool reaped;
    int status;
    char *tmpdir;
    char *qtest_path, *qmp_path, *stderr_path;
    LineReader qtest, qmp;
    GString *stderr_text;
    GQueue events;              /* JsonObject *, oldest first */
    /* "IRQ raise N" / "IRQ lower N" lines seen, by N */
    GHashTable *irq_level;      /* N -> 1 while raised */
    GHashTable *irq_raises;     /* N -> raises counted */
};

static const char *qtest_binary(void)
{
    const char *bin = g_getenv("QTEST_SPAPR_VFIO_BINARY");

#ifdef SPAPR_VFIO_DEFAULT_BINARY
    if (!bin) {
        bin = SPAPR_VFIO_DEFAULT_BINARY;
    }
#endif
    if (!bin) {
        g_error("QTEST_SPAPR_VFIO_BINARY is not set");
    }
    return bin;
}

const char *qtest_stderr(QTestState *s)
{
    g_autofree char *text = NULL;
    gsize len = 0;

    g_string_truncate(s->stderr_text, 0);
    if (g_file_get_contents(s->stderr_path, &text, &len, NULL)) {
        g_string_append_len(s->stderr_text, text, len);
    }
    return s->stderr_text->str;
}

/* A transport failure: report with the child's stderr and abort. */
static void G_GNUC_NORETURN G_GNUC_PRINTF(2, 3)
qtest_fail(QTestState *s, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "libqtest: %s\n--- spapr-vfio stderr ---\n%s---\n",
            msg, qtest_stderr(s));
    if (!s->reaped) {
        kill(s->pid, SIGKILL);
    }
    abort();
}

static int qtest_listen(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert(fd >= 0);
    g_assert(strlen(path) < sizeof(addr.sun_path));
    strcpy(addr.sun_path, path);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        listen(fd, 1) < 0) {
        g_error("libqtest: cannot listen on %s: %s", path,
                g_strerror(errno));
    }
    return fd;
}

/*
 * Accept the child's connection, noticing if it exits first (bad
 * options, a failed machine) instead of waiting forever.
 */
static int qtest_accept(QTestState *s, int listen_fd, const char *what)
{
    struct pollfd pfd = { .fd = listen_fd, .events = POLLIN };
    int fd;

    for (;;) {
        int r = poll(&pfd, 1, 100);

        if (r > 0) {
            break;
        }
        if (r < 0 && errno != EINTR) {
            g_error("libqtest: poll: %s", g_strerror(errno));
        }
        if (waitpid(s->pid, &s->status, WNOHANG) == s->pid) {
            s->reaped = true;
            qtest_fail(s, "spapr-vfio exited (status 0x%x) before "
                       "connecting its %s socket", s->status, what);
        }
    }
    fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
    g_assert(fd >= 0);
    return fd;
}

static void qtest_send(QTestState *s, int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            qtest_fail(s, "send failed: %s", g_strerror(errno));
        }
        data += n;
        len -= n;
    }
}

/* One line without its terminator ("\n" or "\r\n"); g_free it. */
static char *qtest_read_line(QTestState *s, LineReader *rd)
{
    for (;;) {
        char *nl = memchr(rd->buf->str, '\n', rd->buf->len);
        char tmp[65536];
        ssize_t n;

        if (nl) {
            size_t len = nl - rd->buf->str;
            char *line = g_strndup(rd->buf->str, len);

            g_string_erase(rd->buf, 0, len + 1);
            if (len && line[len - 1] == '\r') {
                line[len - 1] = '\0';
            }
            return line;
        }
        n = read(rd->fd, tmp, sizeof(tmp));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            qtest_fail(s, "connection closed by spapr-vfio");
        }
        g_string_append_len(rd->buf, tmp, n);
    }
}

static JsonObject *qtest_qmp_read_object(QTestState *s)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autofree char *line = qtest_read_line(s, &s->qmp);
    g_autoptr(GError) err = NULL;
    JsonNode *root;

    if (!json_parser_load_from_data(parser, line, -1, &err)) {
        qtest_fail(s, "bad QMP output '%s': %s", line, err->message);
    }
    root = json_parser_get_root(parser);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
        qtest_fail(s, "QMP output is not an object: '%s'", line);
    }
    return json_object_ref(json_node_get_object(root));
}

JsonObject *qtest_qmp_receive(QTestState *s)
{
    for (;;) {
        JsonObject *obj = qtest_qmp_read_object(s);

        if (!json_object_has_member(obj, "event")) {
            return obj;
        }
        g_queue_push_tail(&s->events, obj);
    }
}

void qtest_qmp_send_raw(QTestState *s, const char *data, size_t len)
{
    qtest_send(s, s->qmp.fd, data, len);
}

static JsonObject *qtest_vqmp(QTestState *s, const char *fmt, va_list ap)
{
    g_autofree char *text = g_strdup_vprintf(fmt, ap);

    qtest_send(s, s->qmp.fd, text, strlen(text));
    return qtest_qmp_receive(s);
}

JsonObject *qtest_qmp(QTestState *s, const char *fmt, ...)
{
    JsonObject *reply;
    va_list ap;

    va_start(ap, fmt);
    reply = qtest_vqmp(s, fmt, ap);
    va_end(ap);
    return reply;
}

const char *qtest_qmp_error_desc(JsonObject *reply)
{
    JsonObject *err;

    if (!json_object_has_member(reply, "error")) {
        return NULL;
    }
    err = json_object_get_object_member(reply, "error");
    return err ? json_object_get_string_member(err, "desc") : NULL;
}

void qtest_qmp_assert_success(QTestState *s, const char *fmt, ...)
{
    JsonObject *reply;
    va_list ap;

    va_start(ap, fmt);
    reply = qtest_vqmp(s, fmt, ap);
    va_end(ap);
    if (qtest_qmp_error_desc(reply)) {
        g_error("QMP command failed: %s", qtest_qmp_error_desc(reply));
    }
    g_assert_true(json_object_has_member(reply, "return"));
    json_object_unref(reply);
}

void qtest_qmp_assert_error(QTestState *s, const char *needle,
                            const char *fmt, ...)
{
    JsonObject *reply;
    const char *desc;
    va_list ap;

    va_start(ap, fmt);
    reply = qtest_vqmp(s, fmt, ap);
    va_end(ap);
    desc = qtest_qmp_error_desc(reply);
    if (!desc || !strstr(desc, needle)) {
        g_error("expected a QMP error mentioning '%s', got: %s", needle,
                desc ? desc : "success");
    }
    json_object_unref(reply);
}

char *qtest_migration_wait_end(QTestState *s)
{
    for (;;) {
        g_autoptr(JsonObject) ev = qtest_qmp_eventwait(s, "MIGRATION");
        const char *st = json_object_get_string_member(
            json_object_get_object_member(ev, "data"), "status");

        if (strcmp(st, "setup") && strcmp(st, "active")) {
            return g_strdup(st);
        }
    }
}

JsonObject *qtest_qmp_eventwait(QTestState *s, const char *name)
{
    GList *l;

    for (l = s->events.head; l; l = l->next) {
        JsonObject *ev = l->data;

        if (!strcmp(json_object_get_string_member(ev, "event"), name)) {
            g_queue_delete_link(&s->events, l);
            return ev;
        }
    }
    for (;;) {
        JsonObject *obj = qtest_qmp_read_object(s);

        if (json_object_has_member(obj, "event") &&
            !strcmp(json_object_get_string_member(obj, "event"), name)) {
            return obj;
        }
        if (!json_object_has_member(obj, "event")) {
            qtest_fail(s, "unexpected QMP reply while waiting for %s",
                       name);
        }
        g_queue_push_tail(&s->events, obj);
    }
}

static char *qtest_crlf_to_lf(const char *text)
{
    g_auto(GStrv) lines = g_strsplit(text, "\r\n", -1);

    return g_strjoinv("\n", lines);
}

char *qtest_hmp(QTestState *s, const char *fmt, ...)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    g_autoptr(JsonNode) root = NULL;
    g_autoptr(JsonObject) reply = NULL;
    g_autofree char *cmdline = NULL;
    g_autofree char *text = NULL;
    const char *desc;
    va_list ap;

    va_start(ap, fmt);
    cmdline = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    /* Build the request so the command line is escaped properly. */
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "execute");
    json_builder_add_string_value(b, "human-monitor-command");
    json_builder_set_member_name(b, "arguments");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "command-line");
    json_builder_add_string_value(b, cmdline);
    json_builder_end_object(b);
    json_builder_end_object(b);
    root = json_builder_get_root(b);
    text = json_to_string(root, FALSE);
    qtest_send(s, s->qmp.fd, text, strlen(text));
    reply = qtest_qmp_receive(s);
    desc = qtest_qmp_error_desc(reply);
    if (desc) {
        qtest_fail(s, "human-monitor-command '%s' failed: %s", cmdline,
                   desc);
    }
    /* The monitor ends lines in CR LF, as QEMU's; tests match on LF. */
    return qtest_crlf_to_lf(json_object_get_string_member(reply, "return"));
}

/* ------------------------------------------------------ interrupts */

static char *G_GNUC_PRINTF(2, 3) qtest_ok(QTestState *s, const char *fmt,
                                          ...);

static void qtest_irq_tables(QTestState *s)
{
    if (!s->irq_level) {
        s->irq_level = g_hash_table_new(g_direct_hash, g_direct_equal);
        s->irq_raises = g_hash_table_new(g_direct_hash, g_direct_equal);
    }
}

/* An asynchronous "IRQ raise|lower N" line: recorded, true; else false. */
static bool qtest_irq_line(QTestState *s, const char *line)
{
    bool raise;
    char *end;
    unsigned long n;

    if (g_str_has_prefix(line, "IRQ raise ")) {
        raise = true;
    } else if (g_str_has_prefix(line, "IRQ lower ")) {
        raise = false;
    } else {
        return false;
    }
    n = strtoul(line + 10, &end, 10);
    if (*end) {
        qtest_fail(s, "bad asynchronous line '%s'", line);
    }
    qtest_irq_tables(s);
    g_hash_table_insert(s->irq_level, GUINT_TO_POINTER(n),
                        GUINT_TO_POINTER(raise));
    if (raise) {
        gpointer old = g_hash_table_lookup(s->irq_raises,
                                           GUINT_TO_POINTER(n));
        unsigned c = GPOINTER_TO_UINT(old);

        g_hash_table_insert(s->irq_raises, GUINT_TO_POINTER(n),
                            GUINT_TO_POINTER(c + 1));
    }
    return true;
}

/* The reply to a command: asynchronous IRQ lines before it are taken. */
static char *qtest_read_reply(QTestState *s)
{
    for (;;) {
        char *line = qtest_read_line(s, &s->qtest);

        if (!qtest_irq_line(s, line)) {
            return line;
        }
        g_free(line);
    }
}

void qtest_irq_intercept_out(QTestState *s, const char *qom_path)
{
    g_free(qtest_ok(s, "irq_intercept_out %s", qom_path));
}

void qtest_irq_intercept_in(QTestState *s, const char *qom_path)
{
    g_free(qtest_ok(s, "irq_intercept_in %s", qom_path));
}

bool qtest_get_irq(QTestState *s, int num)
{
    /* A no-op round trip: every line sent before it is read. */
    g_free(qtest_ok(s, "endianness"));
    qtest_irq_tables(s);
    return GPOINTER_TO_UINT(g_hash_table_lookup(s->irq_level,
                                                GUINT_TO_POINTER(num)));
}

unsigned qtest_irq_count(QTestState *s, int num)
{
    g_free(qtest_ok(s, "endianness"));
    qtest_irq_tables(s);
    return GPOINTER_TO_UINT(g_hash_table_lookup(s->irq_raises,
                                                GUINT_TO_POINTER(num)));
}

bool qtest_irq_wait(QTestState *s, int num, unsigned count, int timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + timeout_ms * 1000LL;

    if (qtest_irq_count(s, num) >= count) {
        return true;
    }
    for (;;) {
        struct pollfd pfd = { .fd = s->qtest.fd, .events = POLLIN };
        gint64 left = deadline - g_get_monotonic_time();
        char *nl;
        char tmp[4096];
        ssize_t n;

        /* Whole lines already read: all must be IRQ lines here. */
        while ((nl = memchr(s->qtest.buf->str, '\n', s->qtest.buf->len))) {
            g_autofree char *line = qtest_read_line(s, &s->qtest);

            if (!qtest_irq_line(s, line)) {
                qtest_fail(s, "unexpected line '%s' while waiting for "
                           "IRQ %d", line, num);
            }
        }
        if (GPOINTER_TO_UINT(g_hash_table_lookup(s->irq_raises,
                                GUINT_TO_POINTER(num))) >= count) {
            return true;
        }
        if (left <= 0) {
            return false;
        }
        if (poll(&pfd, 1, (int)MIN(left / 1000 + 1, 1000)) <= 0) {
            continue;
        }
        n = read(s->qtest.fd, tmp, sizeof(tmp));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            qtest_fail(s, "connection closed by spapr-vfio");
        }
        g_string_append_len(s->qtest.buf, tmp, n);
    }
}

char *qtest_command(QTestState *s, const char *fmt, ...)
{
    g_autofree char *line = NULL;
    va_list ap;

    va_start(ap, fmt);
    line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qtest_send(s, s->qtest.fd, line, strlen(line));
    qtest_send(s, s->qtest.fd, "\n", 1);
    return qtest_read_reply(s);
}

/* Send a command that must succeed; returns what follows "OK". */
static char *G_GNUC_PRINTF(2, 3) qtest_ok(QTestState *s, const char *fmt,
                                          ...)
{
    g_autofree char *line = NULL;
    char *reply;
    va_list ap;

    va_start(ap, fmt);
    line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    reply = qtest_command(s, "%s", line);
    if (strcmp(reply, "OK") && !g_str_has_prefix(reply, "OK ")) {
        qtest_fail(s, "'%.200s' failed: %s", line, reply);
    }
    {
        size_t skip = reply[2] == ' ' ? 3 : 2;

        memmove(reply, reply + skip, strlen(reply + skip) + 1);
    }
    return reply;
}

static uint64_t qtest_ok_u64(QTestState *s, const char *cmd, uint64_t addr)
{
    g_autofree char *val = qtest_ok(s, "%s 0x%" PRIx64, cmd, addr);

    return g_ascii_strtoull(val, NULL, 0);
}

uint8_t qtest_readb(QTestState *s, uint64_t addr)
{
    return qtest_ok_u64(s, "readb", addr);
}

uint16_t qtest_readw(QTestState *s, uint64_t addr)
{
    return qtest_ok_u64(s, "readw", addr);
}

uint32_t qtest_readl(QTestState *s, uint64_t addr)
{
    return qtest_ok_u64(s, "readl", addr);
}

uint64_t qtest_readq(QTestState *s, uint64_t addr)
{
    return qtest_ok_u64(s, "readq", addr);
}

static void qtest_write_n(QTestState *s, const char *cmd, uint64_t addr,
                          uint64_t value)
{
    g_free(qtest_ok(s, "%s 0x%" PRIx64 " 0x%" PRIx64, cmd, addr, value));
}

void qtest_writeb(QTestState *s, uint64_t addr, uint8_t value)
{
    qtest_write_n(s, "writeb", addr, value);
}

void qtest_writew(QTestState *s, uint64_t addr, uint16_t value)
{
    qtest_write_n(s, "writew", addr, value);
}

void qtest_writel(QTestState *s, uint64_t addr, uint32_t value)
{
    qtest_write_n(s, "writel", addr, value);
}

void qtest_writeq(QTestState *s, uint64_t addr, uint64_t value)
{
    qtest_write_n(s, "writeq", addr, value);
}

void qtest_memread(QTestState *s, uint64_t addr, void *data, size_t size)
{
    uint8_t *p = data;

    while (size) {
        size_t n = MIN(size, QTEST_CHUNK), i;
        g_autofree char *hex = qtest_ok(s, "read 0x%" PRIx64 " 0x%zx",
                                        addr, n);

        if (strlen(hex) != 2 + 2 * n || strncmp(hex, "0x", 2)) {
            qtest_fail(s, "bad read reply '%.80s'", hex);
        }
        for (i = 0; i < n; i++) {
            p[i] = g_ascii_xdigit_value(hex[2 + 2 * i]) << 4 |
                   g_ascii_xdigit_value(hex[3 + 2 * i]);
        }
        addr += n;
        p += n;
        size -= n;
    }
}

void qtest_memwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size)
{
    const uint8_t *p = data;

    while (size) {
        size_t n = MIN(size, QTEST_CHUNK), i;
        g_autoptr(GString) hex = g_string_sized_new(2 * n + 2);

        for (i = 0; i < n; i++) {
            g_string_append_printf(hex, "%02x", p[i]);
        }
        g_free(qtest_ok(s, "write 0x%" PRIx64 " 0x%zx 0x%s", addr, n,
                        hex->str));
        addr += n;
        p += n;
        size -= n;
    }
}

void qtest_bufread(QTestState *s, uint64_t addr, void *data, size_t size)
{
    uint8_t *p = data;

    while (size) {
        size_t n = MIN(size, QTEST_CHUNK);
        g_autofree char *b64 = qtest_ok(s, "b64read 0x%" PRIx64 " 0x%zx",
                                        addr, n);
        g_autofree uint8_t *bytes = NULL;
        gsize len;

        bytes = g_base64_decode(b64, &len);
        if (len != n) {
            qtest_fail(s, "b64read returned %zu bytes, not %zu",
                       (size_t)len, n);
        }
        memcpy(p, bytes, n);
        addr += n;
        p += n;
        size -= n;
    }
}

void qtest_bufwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size)
{
    const uint8_t *p = data;

    while (size) {
        size_t n = MIN(size, QTEST_CHUNK);
        g_autofree char *b64 = g_base64_encode(p, n);

        g_free(qtest_ok(s, "b64write 0x%" PRIx64 " 0x%zx %s", addr, n,
                        b64));
        addr += n;
        p += n;
        size -= n;
    }
}

void qtest_memset(QTestState *s, uint64_t addr, uint8_t patt, size_t size)
{
    while (size) {
        size_t n = MIN(size, (size_t)1 << 30);

        g_free(qtest_ok(s, "memset 0x%" PRIx64 " 0x%zx 0x%02x", addr, n,
                        patt));
        addr += n;
        size -= n;
    }
}

int64_t qtest_hcall(QTestState *s, uint64_t opcode, unsigned nargs,
                    const uint64_t *args, unsigned nout, uint64_t *out)
{
    g_autoptr(GString) cmd = g_string_new(NULL);
    g_autofree char *reply = NULL;
    g_auto(GStrv) words = NULL;
    unsigned i, n;

    g_string_printf(cmd, "hcall 0x%" PRIx64, opcode);
    for (i = 0; i < nargs; i++) {
        g_string_append_printf(cmd, " 0x%" PRIx64, args[i]);
    }
    reply = qtest_ok(s, "%s", cmd->str);
    words = g_strsplit(reply, " ", -1);
    n = g_strv_length(words);
    if (!n) {
        qtest_fail(s, "hcall: empty reply");
    }
    for (i = 0; i < nout; i++) {
        out[i] = i + 1 < n ? g_ascii_strtoull(words[i + 1], NULL, 0) : 0;
    }
    return g_ascii_strtoll(words[0], NULL, 10);
}

uint64_t qtest_rtas_call(QTestState *s, const char *name,
                         uint32_t nargs, const uint32_t *args,
                         uint32_t nret, uint32_t *rets, uint64_t buf)
{
    uint64_t rets_addr = buf + 4ull * nargs;
    g_autofree char *reply = NULL;
    uint32_t i;

    for (i = 0; i < nargs; i++) {
        qtest_writel(s, buf + 4ull * i, args[i]);
    }
    reply = qtest_ok(s, "rtas %s %u 0x%" PRIx64 " %u 0x%" PRIx64, name,
                     nargs, buf, nret, rets_addr);
    for (i = 0; i < nret; i++) {
        rets[i] = qtest_readl(s, rets_addr + 4ull * i);
    }
    return g_ascii_strtoull(reply, NULL, 0);
}

static void qtest_spawn(QTestState *s, const char *extra_args, char **envp)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *qtest_opt = g_strdup_printf("unix:%s", s->qtest_path);
    g_autofree char *qmp_opt = g_strdup_printf("socket,path=%s,id=char0",
                                               s->qmp_path);
    g_auto(GStrv) extra = NULL;
    g_autoptr(GError) err = NULL;
    const char *log = g_getenv("QTEST_LOG") ? "/dev/fd/2" : "/dev/null";
    int i, n = 0;
    const char *fixed[] = {
        "-qtest", qtest_opt, "-qtest-log", log, "-chardev", qmp_opt,
        "-mon", "chardev=char0,mode=control", "-display", "none",
    };

    g_ptr_array_add(argv, g_strdup(qtest_binary()));
    for (i = 0; i < (int)G_N_ELEMENTS(fixed); i++) {
        g_ptr_array_add(argv, g_strdup(fixed[i]));
    }
    /* Quotes work as they would through libqtest's shell. */
    if (extra_args && *extra_args &&
        !g_shell_parse_argv(extra_args, &n, &extra, &err)) {
        g_error("libqtest: bad arguments '%s': %s", extra_args,
                err->message);
    }
    for (i = 0; i < n; i++) {
        g_ptr_array_add(argv, g_strdup(extra[i]));
    }
    g_ptr_array_add(argv, g_strdup("-accel"));
    g_ptr_array_add(argv, g_strdup("qtest"));
    g_ptr_array_add(argv, NULL);

    s->pid = fork();
    g_assert(s->pid >= 0);
    if (!s->pid) {
        int fd = open(s->stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

        /* Never outlive the test, even if it crashes. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (fd >= 0) {
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
        for (i = 0; envp && envp[i]; i++) {
            putenv(envp[i]);
        }
        execv(argv->pdata[0], (char **)argv->pdata);
        fprintf(stderr, "libqtest: exec %s: %s\n", (char *)argv->pdata[0],
                strerror(errno));
        _exit(127);
    }
}

QTestState *qtest_init_env(const char *extra_args, char **envp)
{
    QTestState *s = g_new0(QTestState, 1);
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonObject) greeting = NULL;
    g_autoptr(JsonObject) reply = NULL;
    g_autofree char *endian = NULL;
    int qtest_listen_fd, qmp_listen_fd;

    s->tmpdir = g_dir_make_tmp("spapr-vfio-qtest-XXXXXX", &err);
    if (!s->tmpdir) {
        g_error("libqtest: %s", err->message);
    }
    s->qtest_path = g_build_filename(s->tmpdir, "qtest.sock", NULL);
    s->qmp_path = g_build_filename(s->tmpdir, "qmp.sock", NULL);
    s->stderr_path = g_build_filename(s->tmpdir, "stderr.log", NULL);
    s->stderr_text = g_string_new(NULL);
    g_queue_init(&s->events);
    qtest_listen_fd = qtest_listen(s->qtest_path);
    qmp_listen_fd = qtest_listen(s->qmp_path);

    qtest_spawn(s, extra_args, envp);
    s->qmp.fd = qtest_accept(s, qmp_listen_fd, "QMP");
    s->qtest.fd = qtest_accept(s, qtest_listen_fd, "qtest");
    s->qmp.buf = g_string_new(NULL);
    s->qtest.buf = g_string_new(NULL);
    close(qtest_listen_fd);
    close(qmp_listen_fd);

    endian = qtest_command(s, "endianness");
    if (strcmp(endian, "OK big")) {
        qtest_fail(s, "unexpected endianness reply '%s'", endian);
    }
    greeting = qtest_qmp_receive(s);
    if (!json_object_has_member(greeting, "QMP")) {
        qtest_fail(s, "no QMP greeting");
    }
    reply = qtest_qmp(s, "{\"execute\": \"qmp_capabilities\"}");
    if (qtest_qmp_error_desc(reply)) {
        qtest_fail(s, "qmp_capabilities: %s", qtest_qmp_error_desc(reply));
    }
    return s;
}

QTestState *qtest_init(const char *extra_args)
{
    return qtest_init_env(extra_args, NULL);
}

QTestState *qtest_initf(const char *fmt, ...)
{
    g_autofree char *args = NULL;
    va_list ap;

    va_start(ap, fmt);
    args = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return qtest_init(args);
}

pid_t qtest_pid(QTestState *s)
{
    return s->pid;
}

static int qtest_wait_and_free(QTestState *s)
{
    int status;

    while (!s->reaped && waitpid(s->pid, &s->status, 0) < 0) {
        g_assert(errno == EINTR);
    }
    status = s->status;
    if (!WIFEXITED(status) || WEXITSTATUS(status)) {
        /* Show why (sanitizer reports, errors) next to the failure. */
        fprintf(stderr, "libqtest: spapr-vfio ended with status 0x%x\n"
                "--- spapr-vfio stderr ---\n%s---\n", status,
                qtest_stderr(s));
    }
    close(s->qtest.fd);
    close(s->qmp.fd);
    g_string_free(s->qtest.buf, TRUE);
    g_string_free(s->qmp.buf, TRUE);
    g_queue_clear_full(&s->events, (GDestroyNotify)json_object_unref);
    if (s->irq_level) {
        g_hash_table_unref(s->irq_level);
        g_hash_table_unref(s->irq_raises);
    }
    unlink(s->qtest_path);
    unlink(s->qmp_path);
    unlink(s->stderr_path);
    rmdir(s->tmpdir);
    g_free(s->qtest_path);
    g_free(s->qmp_path);
    g_free(s->stderr_path);
    g_free(s->tmpdir);
    g_string_free(s->stderr_text, TRUE);
    g_free(s);
    return status;
}

int qtest_wait_exit(QTestState *s)
{
    return qtest_wait_and_free(s);
}

int qtest_quit(QTestState *s)
{
    kill(s->pid, SIGTERM);
    return qtest_wait_and_free(s);
}

int qtest_quit_qmp(QTestState *s)
{
    const char *quit = "{\"execute\": \"quit\"}";
    g_autoptr(JsonObject) reply = NULL;

    qtest_send(s, s->qmp.fd, quit, strlen(quit));
    reply = qtest_qmp_receive(s);
    if (qtest_qmp_error_desc(reply)) {
        qtest_fail(s, "quit: %s", qtest_qmp_error_desc(reply));
    }
    return qtest_wait_and_free(s);
}

/*
 * QEMU 7.2's libqtest start-up, step for step, for the compatibility
 * suite (tests/qtest/compat): sockets named qtest-PID.sock/.qmp in
 * $TMPDIR, the binary started through "/bin/sh -c exec ..." with the
 * exact option line QEMU's client passes, the qtest socket accepted
 * before the QMP one, "endianness", the greeting, then
 * { 'execute': 'qmp_capabilities' } written with single quotes as
 * QEMU's client writes it.  The greeting is kept for inspection.
 */
QTestState *qtest_init_qemu_style(const char *binary, const char *extra,
                                  JsonObject **greeting)
{
    QTestState *s = g_new0(QTestState, 1);
    const char *tmp = g_getenv("TMPDIR") ?: "/tmp";
    g_autoptr(JsonObject) reply = NULL;
    g_autofree char *endian = NULL;
    g_autofree char *cmd = NULL;
    g_autoptr(GError) err = NULL;
    int qtest_listen_fd, qmp_listen_fd;
    JsonObject *hello;

    s->tmpdir = g_dir_make_tmp("spapr-vfio-compat-XXXXXX", &err);
    g_assert_nonnull(s->tmpdir);
    s->qtest_path = g_strdup_printf("%s/qtest-%d.sock", tmp, getpid());
    s->qmp_path = g_strdup_printf("%s/qtest-%d.qmp", tmp, getpid());
    s->stderr_path = g_build_filename(s->tmpdir, "stderr.log", NULL);
    s->stderr_text = g_string_new(NULL);
    g_queue_init(&s->events);
    unlink(s->qtest_path);
    unlink(s->qmp_path);
    qtest_listen_fd = qtest_listen(s->qtest_path);
    qmp_listen_fd = qtest_listen(s->qmp_path);

    cmd = g_strdup_printf("exec %s -qtest unix:%s -qtest-log %s "
                          "-chardev socket,path=%s,id=char0 "
                          "-mon chardev=char0,mode=control "
                          "-display none %s -accel qtest", binary,
                          s->qtest_path,
                          g_getenv("QTEST_LOG") ? "/dev/fd/2" : "/dev/null",
                          s->qmp_path, extra ? extra : "");
    s->pid = fork();
    g_assert(s->pid >= 0);
    if (!s->pid) {
        int fd = open(s->stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (fd >= 0) {
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
        setenv("QEMU_AUDIO_DRV", "none", 1);
        execlp("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    s->qtest.fd = qtest_accept(s, qtest_listen_fd, "qtest");
    s->qmp.fd = qtest_accept(s, qmp_listen_fd, "QMP");
    s->qmp.buf = g_string_new(NULL);
    s->qtest.buf = g_string_new(NULL);
    close(qtest_listen_fd);
    close(qmp_listen_fd);
    unlink(s->qtest_path);
    unlink(s->qmp_path);

    endian = qtest_command(s, "endianness");
    if (strcmp(endian, "OK big")) {
        qtest_fail(s, "unexpected endianness reply '%s'", endian);
    }
    hello = qtest_qmp_receive(s);
    if (!json_object_has_member(hello, "QMP")) {
        qtest_fail(s, "no QMP greeting");
    }
    if (greeting) {
        *greeting = hello;
    } else {
        json_object_unref(hello);
    }
    reply = qtest_qmp(s, "{ 'execute': 'qmp_capabilities' }");
    if (qtest_qmp_error_desc(reply)) {
        qtest_fail(s, "qmp_capabilities: %s", qtest_qmp_error_desc(reply));
    }
    return s;
}

/* The next QMP object as it comes, event or reply (for order tests). */
JsonObject *qtest_qmp_eventwait_or_reply(QTestState *s)
{
    return qtest_qmp_read_object(s);
}
