// sdk-check stand-in: single-threaded gthreads for a bare rv32 target.
#include <bits/gthr-single.h>
