amxlab_add_test(test_golden LABEL fast SOURCES golden/test_golden.cpp LIBS amxlab::reference)
amxlab_add_test(test_ggml_vectors LABEL fast SOURCES golden/test_ggml_vectors.cpp
  LIBS amxlab::reference amxlab::io)
amxlab_add_test(test_golden_output_chunks LABEL fast SOURCES golden/test_output_chunks.cpp LIBS amxlab::reference)
