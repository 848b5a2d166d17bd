# Plain-type GEMMs (raw int8, bf16, f16, f32) over the panel32 layout. Included by
# kernels/CMakeLists.txt into amxlab_kernels. ISA flags per file: each AVX-512 translation
# unit gets exactly the instruction sets of its operations (plain_raw.h).
set(_amxlab_plain_dir ${CMAKE_CURRENT_LIST_DIR})
target_sources(amxlab_kernels PRIVATE
  ${_amxlab_plain_dir}/plain_kernels.cpp
  ${_amxlab_plain_dir}/portable_panel_gemm.cpp
  ${_amxlab_plain_dir}/avx512_panel_f32.cpp
  ${_amxlab_plain_dir}/avx512_panel_int8.cpp
  ${_amxlab_plain_dir}/avx512_panel_bf16.cpp
  ${_amxlab_plain_dir}/avx2_panel_gemm.cpp
)
set_source_files_properties(${_amxlab_plain_dir}/avx512_panel_f32.cpp
  PROPERTIES COMPILE_OPTIONS "-mavx512f;-mavx512bw;-mavx512vl;-mavx2;-mfma;-mf16c")
set_source_files_properties(${_amxlab_plain_dir}/avx512_panel_int8.cpp
  PROPERTIES COMPILE_OPTIONS "-mavx512f;-mavx512bw;-mavx512vl;-mavx512vnni;-mavx2;-mfma;-mf16c")
set_source_files_properties(${_amxlab_plain_dir}/avx512_panel_bf16.cpp
  PROPERTIES COMPILE_OPTIONS "-mavx512f;-mavx512bw;-mavx512vl;-mavx512bf16;-mavx2;-mfma;-mf16c")
set_source_files_properties(${_amxlab_plain_dir}/avx2_panel_gemm.cpp
  PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma;-mf16c")
unset(_amxlab_plain_dir)
