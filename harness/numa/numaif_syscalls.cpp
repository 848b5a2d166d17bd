// Used only by the static VM test binary when libnuma.a is missing: the three numaif.h
// functions amxlab::numa calls, as direct system calls (same prototypes as libnuma's).
#include <numaif.h>
#include <sys/syscall.h>
#include <unistd.h>

extern "C" {

long mbind(void* start, unsigned long len, int mode, const unsigned long* nmask, unsigned long maxnode,
           unsigned flags) {
  return syscall(SYS_mbind, start, len, mode, nmask, maxnode, flags);
}

long move_pages(int pid, unsigned long count, void** pages, const int* nodes, int* status, int flags) {
  return syscall(SYS_move_pages, pid, count, pages, nodes, status, flags);
}

long get_mempolicy(int* policy, unsigned long* nmask, unsigned long maxnode, void* addr, unsigned flags) {
  return syscall(SYS_get_mempolicy, policy, nmask, maxnode, addr, flags);
}

}  // extern "C"
