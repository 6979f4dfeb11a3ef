/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The denial log: one JSON object per line, written with one write(2) so
 * that the records of a whole process tree sharing an O_APPEND file never
 * interleave. No stdio and no malloc: it runs inside any libc call of any
 * program, signal handlers included.
 */
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#include "shim.h"

#define LOG_MAX 8192

struct out {
	char *buf;
	size_t len, size;
};

static void add(struct out *o, const char *s, size_t n)
{
	if (n > o->size - o->len)
		n = o->size - o->len;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void adds(struct out *o, const char *s)
{
	add(o, s, strlen(s));
}

static void addu(struct out *o, unsigned long long v, int width)
{
	char d[24];
	int n = 0;

	do
		d[n++] = (char)('0' + v % 10);
	while ((v /= 10) > 0 || n < width);
	while (n)
		add(o, &d[--n], 1);
}

/* Length of the valid UTF-8 sequence at S (2 to 4), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;

	if (s[0] >= 0xf5 || (s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* A JSON string. Valid UTF-8 is kept; other bytes that are not printable
 * ASCII become \u00XX, so the line stays valid JSON whatever the path
 * holds; LIMIT keeps room for the fields after it. */
static void addq(struct out *o, const char *s, size_t limit)
{
	static const char hex[] = "0123456789abcdef";
	size_t stop = o->len + limit < o->size ? o->len + limit : o->size;

	add(o, "\"", 1);
	for (; s && *s && o->len + 6 < stop; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			add(o, e, 2);
		} else if (c >= 0x80 && utf8_len((const unsigned char *)s)) {
			size_t n = utf8_len((const unsigned char *)s);
			add(o, s, n);
			s += n - 1;
		} else if (c < 0x20 || c >= 0x7f) {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			add(o, e, 6);
		} else {
			add(o, (const char *)&c, 1);
		}
	}
	add(o, "\"", 1);
}

/* UTC civil time from days since the epoch (Howard Hinnant's algorithm):
 * gmtime_r is not async-signal-safe. */
static void add_time(struct out *o)
{
	struct timespec ts;
	long long days, secs, z, era, doe, yoe, y, doy, mp, d, m;

	clock_gettime(CLOCK_REALTIME, &ts);
	days = ts.tv_sec / 86400;
	secs = ts.tv_sec % 86400;
	z = days + 719468;
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	add(o, "\"", 1);
	addu(o, (unsigned long long)y, 4);
	add(o, "-", 1);
	addu(o, (unsigned long long)m, 2);
	add(o, "-", 1);
	addu(o, (unsigned long long)d, 2);
	add(o, "T", 1);
	addu(o, (unsigned long long)(secs / 3600), 2);
	add(o, ":", 1);
	addu(o, (unsigned long long)(secs / 60 % 60), 2);
	add(o, ":", 1);
	addu(o, (unsigned long long)(secs % 60), 2);
	add(o, ".", 1);
	addu(o, (unsigned long long)(ts.tv_nsec / 1000000), 3);
	add(o, "Z\"", 2);
}

static const char *const reasons[] = {
	[R_ESCAPE] = "escape", [R_READ_ONLY] = "read-only", [R_OUTSIDE] = "outside",
	[R_SYMLINK] = "symlink", [R_OWNER] = "owner", [R_UNCHECKED] = "unchecked",
};

void shim_log(const char *call, const char *path, const char *root,
              enum shim_reason reason, int err, bool audit)
{
	char buf[LOG_MAX];
	struct out o = { buf, 0, sizeof(buf) - 1 };
	const char *ename = shim_errno_name(err);

	if (shim.log_fd < 0)
		return;
	adds(&o, "{\"time\":");
	add_time(&o);
	adds(&o, ",\"pid\":");
	addu(&o, (unsigned long long)bsys_call1(SYS_getpid, 0), 1);
	adds(&o, ",\"exe\":");
	addq(&o, shim.exe, 1024);
	adds(&o, ",\"call\":");
	addq(&o, call, 64);
	adds(&o, ",\"path\":");
	addq(&o, path, 4096);
	adds(&o, ",\"root\":");
	addq(&o, root, 1024);
	adds(&o, ",\"verdict\":\"");
	adds(&o, audit ? "would-deny" : "denied");
	adds(&o, "\",\"reason\":\"");
	adds(&o, reasons[reason]);
	adds(&o, "\",\"errno\":\"");
	adds(&o, ename ? ename : "?");
	adds(&o, "\"}");
	buf[o.len++] = '\n';
	bsys_call3(SYS_write, shim.log_fd, (long)buf, (long)o.len);
}
