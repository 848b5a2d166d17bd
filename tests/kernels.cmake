# Production Q8_0 / Q4_0 / Q4_1 kernels (kernels/pack, kernels/generic, kernels/vnni),
# the dispatcher and the thread pool (harness/threading).
if(TARGET amxlab_threading)
  add_library(amxlab_gemm_tester STATIC ${CMAKE_CURRENT_LIST_DIR}/kernels/gemm_tester.cpp)
  target_include_directories(amxlab_gemm_tester PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(amxlab_gemm_tester PUBLIC amxlab::kernels amxlab::reference amxlab::threading
                        GTest::gtest)

  amxlab_add_test(kernels_test LABEL fast SHARD_WEIGHT 2
    SOURCES
      ${CMAKE_CURRENT_LIST_DIR}/kernels/test_pack.cpp
      ${CMAKE_CURRENT_LIST_DIR}/kernels/test_kquant_pack.cpp
      ${CMAKE_CURRENT_LIST_DIR}/kernels/test_quantize.cpp
      ${CMAKE_CURRENT_LIST_DIR}/kernels/test_kernels.cpp
      ${CMAKE_CURRENT_LIST_DIR}/kernels/test_plain_kernels.cpp
      ${CMAKE_CURRENT_LIST_DIR}/kernels/test_dispatch.cpp
      ${CMAKE_CURRENT_LIST_DIR}/kernels/test_avx2_dot.cpp
    LIBS amxlab_gemm_tester)
  # Every kernel on the ggml-quantised tensors and activations of tests/data/ggml.
  amxlab_add_test(ggml_file_kernels_test LABEL fast
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/kernels/test_ggml_file_kernels.cpp
    LIBS amxlab_gemm_tester amxlab::io)
  # The pool on its own (no oneDNN, no OpenMP): the binary the tsan preset builds.
  amxlab_add_test(thread_pool_test LABEL fast
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/kernels/test_thread_pool.cpp
    LIBS amxlab::threading)
  # Mixture-of-experts GEMM (kernels/moe): the routing matrix over every kernel set.
  amxlab_add_test(moe_test LABEL fast SHARD_WEIGHT 3
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/kernels/test_moe.cpp
    LIBS amxlab_gemm_tester amxlab::sweep)
  amxlab_add_test(kernels_long_test LABEL long
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/kernels/test_kernels_long.cpp
    LIBS amxlab_gemm_tester)

  # The portable path on an emulated CPU without AVX-512 (qemu-user -cpu Haswell): any
  # AVX-512 instruction leaking into it is a SIGILL. Not in the sanitizer build (ASan's
  # runtime under qemu-user is not what is being checked).
  if(NOT AMXLAB_SANITIZE AND NOT AMXLAB_TSAN)
    add_test(NAME qemu_portable COMMAND ${PROJECT_SOURCE_DIR}/scripts/qemu_portable_test.sh ${CMAKE_BINARY_DIR})
    # COST: started first (CTest runs the costliest first), beside the many short tests,
    # instead of last with one core idle for its ~2.5 minutes (CI's run of 2026-12-01).
    set_tests_properties(qemu_portable PROPERTIES LABELS fast SKIP_RETURN_CODE 77 TIMEOUT 600 COST 1000)
  endif()

  # A quick benchmark (not a test): GEMM / GEMV throughput against the roofline figures.
  # Sanitizer builds make the two benchmarks only on request (`--target`): nothing runs them there.
  set(bench_on_request "")
  if(AMXLAB_SANITIZE OR AMXLAB_TSAN)
    set(bench_on_request EXCLUDE_FROM_ALL)
  endif()
  add_executable(bench_kernels ${bench_on_request} ${CMAKE_CURRENT_LIST_DIR}/kernels/bench_kernels.cpp)
  target_include_directories(bench_kernels PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(bench_kernels PRIVATE amxlab::kernels amxlab::threading amxlab::reference
                        benchmark::benchmark)
  # Where a small call spends its time, and the pool's hand-off vs its spin budget.
  add_executable(bench_call_overhead ${bench_on_request} ${CMAKE_CURRENT_LIST_DIR}/kernels/bench_call_overhead.cpp)
  target_include_directories(bench_call_overhead PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(bench_call_overhead PRIVATE amxlab::kernels amxlab::threading amxlab::reference
                        benchmark::benchmark)
endif()
