/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The libc functions behind the wrappers, looked up once each. dlsym may
 * allocate, and an allocator (jemalloc, ASan's) may open files while it
 * does: that call comes back into a wrapper on the same thread, which
 * then gets NULL here and makes the raw system call instead.
 */
#include <dlfcn.h>

#include "shim.h"

static __thread int in_dlsym __attribute__((tls_model("initial-exec")));

void *shim_real(_Atomic(void *) *cache, const char *name, const char *version)
{
	void *p = atomic_load_explicit(cache, memory_order_acquire);
	int saved;

	if (likely(p != NULL))
		return p;
	if (in_dlsym)
		return NULL;
	saved = errno;
	in_dlsym = 1;
	p = version ? dlvsym(RTLD_NEXT, name, version) : dlsym(RTLD_NEXT, name);
	in_dlsym = 0;
	errno = saved;
	if (p)
		atomic_store_explicit(cache, p, memory_order_release);
	return p;
}
