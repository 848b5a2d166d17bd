# The tile layer (kernels/tile): API, strict emulator, model, VNNI/AMX validation.
amxlab_add_test(tile_test LABEL fast
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/tile/test_tile_int8.cpp
    ${CMAKE_CURRENT_LIST_DIR}/tile/test_tile_checks.cpp
    ${CMAKE_CURRENT_LIST_DIR}/tile/test_tile_bf16.cpp
    ${CMAKE_CURRENT_LIST_DIR}/tile/test_tile_bf16_silicon.cpp
    ${CMAKE_CURRENT_LIST_DIR}/tile/test_tile_vnni.cpp
    ${CMAKE_CURRENT_LIST_DIR}/tile/test_tile_counters.cpp
    ${CMAKE_CURRENT_LIST_DIR}/tile/test_tile_native.cpp
    ${CMAKE_CURRENT_LIST_DIR}/tile/test_tile_demo.cpp
  LIBS amxlab::kernels)
