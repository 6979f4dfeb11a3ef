/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The launcher's CI report: what the shim denied while one command ran,
 * read back from the denial log (shim/log.c writes it), as a JSON report
 * for tools and a short summary for people.
 */
#ifndef BENEATH_LAUNCHER_REPORT_H
#define BENEATH_LAUNCHER_REPORT_H

#include <stdio.h>
#include <sys/types.h>

struct report_run {
	char *const *argv;      /* the command as run, NULL-terminated */
	int wait_status;        /* from waitpid() */
};

/*
 * Read the records appended to LOG from byte offset START; write the JSON
 * report to REPORT (NULL: none); print the human summary to SUMMARY (NULL:
 * none). RUN may be NULL: the report then has an empty command and null
 * exit status and signal.
 *
 * Lines that are not a well-formed record (cut by a crashed writer, too
 * long, not JSON, a key missing) are counted as malformed_lines, never
 * fatal. The report is written to REPORT.tmp and renamed over REPORT, so
 * REPORT is never half-written.
 *
 * Returns the number of records (denied + would-deny), or -errno:
 *   -EINVAL   START is negative
 *   -ENOMEM   out of memory
 *   any error of fopen(), fseeko() or getline() on LOG: nothing is
 *             written or printed
 *   any error of open(), write(), fsync(), close() or rename() on the
 *             report: REPORT is left as it was, REPORT.tmp is removed,
 *             and the summary is still printed (without "-> REPORT")
 */
long report_write(const char *log, off_t start, const char *report, FILE *summary,
                  const struct report_run *run);

#endif
