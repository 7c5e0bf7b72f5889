/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The qtest server: the line protocol a test program (acting as the
 * guest kernel) uses to read and write guest memory, make hypercalls
 * and RTAS calls.  See docs/command-line.md and spec/qtest-qmp.md.
 */
#ifndef SYSTEM_QTEST_H
#define SYSTEM_QTEST_H

#include "qemu/osdep.h"
#include "qemu/error.h"
#include "system/chardev.h"

/* Serve qtest on @chr; log traffic to @logfile when not NULL. */
bool qtest_server_init(Chardev *chr, const char *logfile, Error **errp);
void qtest_server_cleanup(void);
/* Is a qtest server set up (QOM shows it as /machine/qtest)? */
bool qtest_server_active(void);

/*
 * Run one command line (without the newline) and return the reply
 * line (without the newline).  Exposed for in-process use.
 */
char *qtest_process_line(const char *line);

#endif
