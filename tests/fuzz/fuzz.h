/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the libFuzzer targets in tests/fuzz/ share: failing loudly (a
 * failed check prints what disagreed and aborts, which libFuzzer turns
 * into a crash-* reproducer), and the deliberately broken reference
 * (BENEATH_FUZZ_MUTANT=1) with which tests/test-fuzz.sh shows that each
 * target's checks can fail at all.
 *
 * Everything is static: each target includes this header once.
 */
#ifndef BENEATH_FUZZ_H
#define BENEATH_FUZZ_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* BENEATH_FUZZ_MUTANT=1: the target's reference makes one documented
 * mistake, so that the seed corpus must report a disagreement. */
static bool fuzz_mutant;

static void fuzz_init_common(void)
{
	const char *m = getenv("BENEATH_FUZZ_MUTANT");

	fuzz_mutant = m && strcmp(m, "1") == 0;
}

/* A hook that prints the input being checked in readable form, set by
 * each target; called once before aborting. */
static void (*fuzz_describe)(void);

static __attribute__((noreturn, format(printf, 3, 4)))
void fuzz_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "\nDISAGREEMENT (%s:%d): ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (fuzz_describe)
		fuzz_describe();
	fflush(stderr);
	abort();
}

#define FAIL(...) fuzz_fail(__FILE__, __LINE__, __VA_ARGS__)

/* CHECK(cond, fmt, ...): cond must hold. */
#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "\ncheck failed: %s", #cond);          \
			FAIL(__VA_ARGS__);                                     \
		}                                                              \
	} while (0)

/* Print N bytes of S with C escapes, for reports; a long one is cut
 * (the reproducer file has it whole). */
static __attribute__((unused)) void fuzz_put_escaped(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i == 160 && n > 200) {
			fprintf(f, "...(%zu bytes)...", n - 190);
			i = n - 30;
		}
		unsigned char c = (unsigned char)s[i];

		if (c == '\\' || c == '"')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

/* The input cut into lines at '\n' (and at NUL bytes, which no path or
 * environment string can hold): calls FN for each, with its length. */
static __attribute__((unused)) void fuzz_lines(const uint8_t *data, size_t size,
                       void (*fn)(const char *line, size_t len, void *arg), void *arg)
{
	size_t s = 0;

	for (size_t i = 0; i <= size; i++) {
		if (i == size || data[i] == '\n' || data[i] == '\0') {
			fn((const char *)data + s, i - s, arg);
			s = i + 1;
		}
	}
}

#endif /* BENEATH_FUZZ_H */
