# AMX tile GEMM kernels (issue #6): Q8_0 / Q4_0 / Q4_1, native and emulated, and their
# packing (kernels/pack/amx_pack.*). Included by kernels/CMakeLists.txt into amxlab_kernels.
set(_amxlab_amx_dir ${CMAKE_CURRENT_LIST_DIR})
target_sources(amxlab_kernels PRIVATE
  ${_amxlab_amx_dir}/../pack/amx_pack.cpp
  ${_amxlab_amx_dir}/amx_common.cpp
  ${_amxlab_amx_dir}/amx_gemm_emulated.cpp
  ${_amxlab_amx_dir}/amx_gemm_native.cpp
  ${_amxlab_amx_dir}/amx_vector_avx512.cpp
  ${_amxlab_amx_dir}/amx_vector_avx2.cpp
)
# Native tile code: only reached through run_native() (AMX usable, permission granted).
# The vector steps (epilogue, K-quant folds) live in their own units, one per width
# (amx_vector_steps.h), so no library template instantiated here is built for AVX-512.
set_source_files_properties(${_amxlab_amx_dir}/amx_gemm_native.cpp PROPERTIES
  COMPILE_OPTIONS "-mamx-tile;-mamx-int8;-mamx-bf16")
set_source_files_properties(${_amxlab_amx_dir}/amx_vector_avx512.cpp PROPERTIES
  COMPILE_OPTIONS "-mavx512f;-mavx512bw;-mavx512vl;-mavx512vnni;-mavx2;-mfma;-mf16c")
set_source_files_properties(${_amxlab_amx_dir}/amx_vector_avx2.cpp PROPERTIES
  COMPILE_OPTIONS "-mavx2;-mfma;-mf16c")
unset(_amxlab_amx_dir)
