/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The beneath launcher's pieces (shim/launcher/). */
#ifndef BENEATH_LAUNCHER_H
#define BENEATH_LAUNCHER_H

#include <stdbool.h>
#include <stddef.h>

/* The absolute path of libbeneath-preload.so into OUT: 0, or -1 when
 * there is none to be found (locate.c). */
int locate_preload(char *out, size_t size);

#endif /* BENEATH_LAUNCHER_H */
