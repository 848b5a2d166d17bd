amxlab_add_test(test_harness_sweep LABEL fast
  SOURCES harness/test_case_descriptor.cpp harness/test_compare.cpp
  LIBS amxlab::sweep)
# Model inventories, manifests, recipes and the projection (harness/model).
amxlab_add_test(test_model LABEL fast
  SOURCES harness/test_model.cpp
  LIBS amxlab::model amxlab::io)
target_compile_definitions(test_model PRIVATE AMXLAB_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
# Kernels under test (harness/runner): the cold timing's copies of packed weights.
if(TARGET amxlab::runner)
  amxlab_add_test(test_kernel_under_test LABEL fast
    SOURCES harness/test_kernel_under_test.cpp
    LIBS amxlab::runner)
endif()
