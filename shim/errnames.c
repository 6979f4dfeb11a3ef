/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * errno names, both ways: BENEATH_ERRNO=EPERM and the shim's log lines.
 *
 * glibc has no name-to-value lookup at all, and strerrorname_np() (2.32+)
 * would tie the value-to-name direction to the libc we happen to run on;
 * one table keeps both directions in agreement. It holds every E* name
 * that <errno.h> defines on x86_64 Linux with glibc 2.36, generated once
 * with
 *
 *   echo '#include <errno.h>' | gcc -E -dM - | grep -E '^#define E[A-Z0-9]+ '
 *
 * The values are the macros themselves, not numbers, so the table stays
 * right on an architecture that numbers errnos differently.
 *
 * Names sit in fixed arrays rather than behind pointers: a const table of
 * pointers would need relocations at load time, which a preload shim that
 * every process maps is better off without.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

struct errno_entry {
	char name[16];  /* the longest, ENOTRECOVERABLE, is 15 */
	int value;
};

/* By value; aliases come last so that a forward scan for a value meets
 * the primary name first. */
static const struct errno_entry errno_table[] = {
	{ "EPERM", EPERM },
	{ "ENOENT", ENOENT },
	{ "ESRCH", ESRCH },
	{ "EINTR", EINTR },
	{ "EIO", EIO },
	{ "ENXIO", ENXIO },
	{ "E2BIG", E2BIG },
	{ "ENOEXEC", ENOEXEC },
	{ "EBADF", EBADF },
	{ "ECHILD", ECHILD },
	{ "EAGAIN", EAGAIN },
	{ "ENOMEM", ENOMEM },
	{ "EACCES", EACCES },
	{ "EFAULT", EFAULT },
	{ "ENOTBLK", ENOTBLK },
	{ "EBUSY", EBUSY },
	{ "EEXIST", EEXIST },
	{ "EXDEV", EXDEV },
	{ "ENODEV", ENODEV },
	{ "ENOTDIR", ENOTDIR },
	{ "EISDIR", EISDIR },
	{ "EINVAL", EINVAL },
	{ "ENFILE", ENFILE },
	{ "EMFILE", EMFILE },
	{ "ENOTTY", ENOTTY },
	{ "ETXTBSY", ETXTBSY },
	{ "EFBIG", EFBIG },
	{ "ENOSPC", ENOSPC },
	{ "ESPIPE", ESPIPE },
	{ "EROFS", EROFS },
	{ "EMLINK", EMLINK },
	{ "EPIPE", EPIPE },
	{ "EDOM", EDOM },
	{ "ERANGE", ERANGE },
	{ "EDEADLK", EDEADLK },
	{ "ENAMETOOLONG", ENAMETOOLONG },
	{ "ENOLCK", ENOLCK },
	{ "ENOSYS", ENOSYS },
	{ "ENOTEMPTY", ENOTEMPTY },
	{ "ELOOP", ELOOP },
	{ "ENOMSG", ENOMSG },
	{ "EIDRM", EIDRM },
	{ "ECHRNG", ECHRNG },
	{ "EL2NSYNC", EL2NSYNC },
	{ "EL3HLT", EL3HLT },
	{ "EL3RST", EL3RST },
	{ "ELNRNG", ELNRNG },
	{ "EUNATCH", EUNATCH },
	{ "ENOCSI", ENOCSI },
	{ "EL2HLT", EL2HLT },
	{ "EBADE", EBADE },
	{ "EBADR", EBADR },
	{ "EXFULL", EXFULL },
	{ "ENOANO", ENOANO },
	{ "EBADRQC", EBADRQC },
	{ "EBADSLT", EBADSLT },
	{ "EBFONT", EBFONT },
	{ "ENOSTR", ENOSTR },
	{ "ENODATA", ENODATA },
	{ "ETIME", ETIME },
	{ "ENOSR", ENOSR },
	{ "ENONET", ENONET },
	{ "ENOPKG", ENOPKG },
	{ "EREMOTE", EREMOTE },
	{ "ENOLINK", ENOLINK },
	{ "EADV", EADV },
	{ "ESRMNT", ESRMNT },
	{ "ECOMM", ECOMM },
	{ "EPROTO", EPROTO },
	{ "EMULTIHOP", EMULTIHOP },
	{ "EDOTDOT", EDOTDOT },
	{ "EBADMSG", EBADMSG },
	{ "EOVERFLOW", EOVERFLOW },
	{ "ENOTUNIQ", ENOTUNIQ },
	{ "EBADFD", EBADFD },
	{ "EREMCHG", EREMCHG },
	{ "ELIBACC", ELIBACC },
	{ "ELIBBAD", ELIBBAD },
	{ "ELIBSCN", ELIBSCN },
	{ "ELIBMAX", ELIBMAX },
	{ "ELIBEXEC", ELIBEXEC },
	{ "EILSEQ", EILSEQ },
	{ "ERESTART", ERESTART },
	{ "ESTRPIPE", ESTRPIPE },
	{ "EUSERS", EUSERS },
	{ "ENOTSOCK", ENOTSOCK },
	{ "EDESTADDRREQ", EDESTADDRREQ },
	{ "EMSGSIZE", EMSGSIZE },
	{ "EPROTOTYPE", EPROTOTYPE },
	{ "ENOPROTOOPT", ENOPROTOOPT },
	{ "EPROTONOSUPPORT", EPROTONOSUPPORT },
	{ "ESOCKTNOSUPPORT", ESOCKTNOSUPPORT },
	{ "EOPNOTSUPP", EOPNOTSUPP },
	{ "EPFNOSUPPORT", EPFNOSUPPORT },
	{ "EAFNOSUPPORT", EAFNOSUPPORT },
	{ "EADDRINUSE", EADDRINUSE },
	{ "EADDRNOTAVAIL", EADDRNOTAVAIL },
	{ "ENETDOWN", ENETDOWN },
	{ "ENETUNREACH", ENETUNREACH },
	{ "ENETRESET", ENETRESET },
	{ "ECONNABORTED", ECONNABORTED },
	{ "ECONNRESET", ECONNRESET },
	{ "ENOBUFS", ENOBUFS },
	{ "EISCONN", EISCONN },
	{ "ENOTCONN", ENOTCONN },
	{ "ESHUTDOWN", ESHUTDOWN },
	{ "ETOOMANYREFS", ETOOMANYREFS },
	{ "ETIMEDOUT", ETIMEDOUT },
	{ "ECONNREFUSED", ECONNREFUSED },
	{ "EHOSTDOWN", EHOSTDOWN },
	{ "EHOSTUNREACH", EHOSTUNREACH },
	{ "EALREADY", EALREADY },
	{ "EINPROGRESS", EINPROGRESS },
	{ "ESTALE", ESTALE },
	{ "EUCLEAN", EUCLEAN },
	{ "ENOTNAM", ENOTNAM },
	{ "ENAVAIL", ENAVAIL },
	{ "EISNAM", EISNAM },
	{ "EREMOTEIO", EREMOTEIO },
	{ "EDQUOT", EDQUOT },
	{ "ENOMEDIUM", ENOMEDIUM },
	{ "EMEDIUMTYPE", EMEDIUMTYPE },
	{ "ECANCELED", ECANCELED },
	{ "ENOKEY", ENOKEY },
	{ "EKEYEXPIRED", EKEYEXPIRED },
	{ "EKEYREVOKED", EKEYREVOKED },
	{ "EKEYREJECTED", EKEYREJECTED },
	{ "EOWNERDEAD", EOWNERDEAD },
	{ "ENOTRECOVERABLE", ENOTRECOVERABLE },
	{ "ERFKILL", ERFKILL },
	{ "EHWPOISON", EHWPOISON },
	/* Aliases: x86_64 gives them the value of a primary name above. */
	{ "EWOULDBLOCK", EWOULDBLOCK },   /* EAGAIN */
	{ "EDEADLOCK", EDEADLOCK },       /* EDEADLK */
	{ "ENOTSUP", ENOTSUP },           /* EOPNOTSUPP */
};

int shim_errno_from_name(const char *name)
{
	size_t i;

	if (!name)
		return -1;
	for (i = 0; i < sizeof(errno_table) / sizeof(errno_table[0]); i++)
		if (strcmp(errno_table[i].name, name) == 0)
			return errno_table[i].value;
	return -1;
}

const char *shim_errno_name(int e)
{
	size_t i;

	for (i = 0; i < sizeof(errno_table) / sizeof(errno_table[0]); i++)
		if (errno_table[i].value == e)
			return errno_table[i].name;
	return NULL;
}
