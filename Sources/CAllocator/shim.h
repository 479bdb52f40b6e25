#ifndef RELKIT_CALLOCATOR_SHIM_H
#define RELKIT_CALLOCATOR_SHIM_H
#ifdef __GLIBC__
#include <malloc.h>
#endif

/* glibc's malloc: heaps grown 4 MiB at a time and not handed back (see relkit's ProcessMemory).
   Other C libraries (macOS, musl) have no mallopt: their allocator is left as it is. */
static inline void relkit_configure_malloc(void) {
#ifdef __GLIBC__
    mallopt(M_TOP_PAD, 4 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
}
#endif
