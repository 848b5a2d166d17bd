# Mixture-of-experts GEMM (issue #13): expert-stacked packing and moe_gemm over the
# registry kernels. Portable code, no ISA flags. Included by kernels/CMakeLists.txt.
target_sources(amxlab_kernels PRIVATE ${CMAKE_CURRENT_LIST_DIR}/expert_pack.cpp ${CMAKE_CURRENT_LIST_DIR}/moe_gemm.cpp
  ${CMAKE_CURRENT_LIST_DIR}/moe_dispatch.cpp)
