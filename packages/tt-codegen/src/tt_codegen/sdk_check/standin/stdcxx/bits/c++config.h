// sdk-check stand-in: the host libstdc++ configuration minus the features a bare rv32 target
// lacks (threads, futexes, TLS, sleeping).
#include_next <bits/c++config.h>
#undef _GLIBCXX_HAVE_LINUX_FUTEX
#undef _GLIBCXX_HAS_GTHREADS
#undef _GLIBCXX_USE_PTHREAD_RWLOCK_T
#undef _GLIBCXX_HAVE_TLS
#undef _GLIBCXX_USE_NANOSLEEP
#undef _GLIBCXX_USE_SCHED_YIELD
