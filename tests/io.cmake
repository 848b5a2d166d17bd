# harness/io: GGUF reader and .npy reader/writer.
amxlab_add_test(test_gguf_reader LABEL fast
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/io/test_gguf_reader.cpp
  LIBS amxlab::io)
amxlab_add_test(test_npy LABEL fast
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/io/test_npy.cpp
  LIBS amxlab::io)
