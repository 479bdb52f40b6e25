#ifndef RELKIT_CYAML_SHIM_H
#define RELKIT_CYAML_SHIM_H
/* libyaml, the C parser that Yams wraps too; relkit reads compose files with its events. */
#include <yaml.h>
#endif
