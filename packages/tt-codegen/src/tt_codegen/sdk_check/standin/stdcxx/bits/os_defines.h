// sdk-check stand-in: the host libstdc++ os_defines.h pulls in glibc's <features.h>; a bare
// rv32 target has none, so this is empty on purpose.
#pragma once
