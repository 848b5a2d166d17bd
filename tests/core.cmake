amxlab_add_test(test_core LABEL fast
  SOURCES core/test_fp16.cpp core/test_cpu_features.cpp core/test_formats.cpp core/test_act_quant.cpp
  LIBS amxlab::kernels)
