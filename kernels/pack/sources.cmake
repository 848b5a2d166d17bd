# Weight packing for the VNNI and portable kernels (kernels/pack/vnni_pack.*).
# Included by kernels/CMakeLists.txt into amxlab_kernels; portable code, no ISA flags.
target_sources(amxlab_kernels PRIVATE ${CMAKE_CURRENT_LIST_DIR}/vnni_pack.cpp ${CMAKE_CURRENT_LIST_DIR}/kquant_pack.cpp
  ${CMAKE_CURRENT_LIST_DIR}/kquant_nibble_pack.cpp ${CMAKE_CURRENT_LIST_DIR}/panel_pack.cpp)
