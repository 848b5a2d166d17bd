# AMX tile GEMM kernels (kernels/amx) and their packing (kernels/pack/amx_pack.*).
amxlab_add_test(amx_test LABEL fast
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/amx/test_amx_pack.cpp
    ${CMAKE_CURRENT_LIST_DIR}/amx/test_amx_gemm.cpp
    ${CMAKE_CURRENT_LIST_DIR}/amx/test_amx_native.cpp
    ${CMAKE_CURRENT_LIST_DIR}/amx/test_amx_model.cpp
    ${CMAKE_CURRENT_LIST_DIR}/amx/test_amx_vector_steps.cpp
    ${CMAKE_CURRENT_LIST_DIR}/amx/amx_permission_env.cpp
  LIBS amxlab::kernels amxlab::reference)
# Its own process: nothing may ask for AMX permission before the test does.
amxlab_add_test(amx_permission_test LABEL fast
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/amx/test_amx_permission.cpp
  LIBS amxlab::kernels amxlab::reference)
amxlab_add_test(amx_long_test LABEL long
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/amx/test_amx_long.cpp ${CMAKE_CURRENT_LIST_DIR}/amx/amx_permission_env.cpp
  LIBS amxlab::kernels amxlab::reference)
