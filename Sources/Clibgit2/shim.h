#ifndef RELKIT_CLIBGIT2_SHIM_H
#define RELKIT_CLIBGIT2_SHIM_H
#include <git2.h>
#endif
