# oneDNN references, Google Benchmark timing and calibration.
amxlab_add_test(test_onednn_matmul LABEL fast SOURCES reference/test_onednn_matmul.cpp LIBS amxlab::reference)
amxlab_add_test(test_onednn_isa LABEL fast SOURCES reference/test_onednn_isa.cpp LIBS amxlab::reference)
if(TARGET amxlab_timing)
  amxlab_add_test(test_timing LABEL fast SOURCES timing/test_timing.cpp LIBS amxlab::timing)
endif()
if(TARGET amxlab_calibrate)
  amxlab_add_test(test_calibrate LABEL fast SOURCES timing/test_calibrate.cpp LIBS amxlab::calibrate)
endif()
