/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* openat2(2) definitions for C libraries and headers that predate them. */
#ifndef BENEATH_OPENAT2_COMPAT_H
#define BENEATH_OPENAT2_COMPAT_H

#include <stdint.h>
#include <sys/syscall.h>

#ifdef HAVE_LINUX_OPENAT2_H
#include <linux/openat2.h>
#else
struct open_how {
	uint64_t flags;
	uint64_t mode;
	uint64_t resolve;
};
#define RESOLVE_NO_XDEV       0x01
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS   0x04
#define RESOLVE_BENEATH       0x08
#define RESOLVE_IN_ROOT       0x10
#endif

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

#endif
