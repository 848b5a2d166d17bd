# Portable kernels (plain C++, no ISA flags: they run on any x86-64), the argument checks
# shared by every vnni16 kernel, and the dispatcher (kernels/dispatch.*).
# Included by kernels/CMakeLists.txt into amxlab_kernels.
target_sources(amxlab_kernels PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/kernel_args.cpp
  ${CMAKE_CURRENT_LIST_DIR}/portable_kernels.cpp
  ${CMAKE_CURRENT_LIST_DIR}/portable_kquant.cpp
  ${CMAKE_CURRENT_LIST_DIR}/../dispatch.cpp
)
