amxlab_add_test(test_harness_sweep LABEL fast
  SOURCES harness/test_case_descriptor.cpp harness/test_compare.cpp
  LIBS amxlab::sweep)
