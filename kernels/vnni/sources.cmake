# AVX-512 VNNI and AVX-VNNI kernels over the vnni16 layout (kernels/pack/vnni_pack.h).
# Included by kernels/CMakeLists.txt into amxlab_kernels. ISA flags are set per file,
# never for the library: vnni_kernels.cpp (checks, errors, scratch, registry lines) is
# portable and calls the ISA translation units only after isa_supported() said yes.
set(_amxlab_vnni_dir ${CMAKE_CURRENT_LIST_DIR})
target_sources(amxlab_kernels PRIVATE
  ${_amxlab_vnni_dir}/vnni_kernels.cpp
  ${_amxlab_vnni_dir}/kquant_kernels.cpp
  ${_amxlab_vnni_dir}/avx512_gemm.cpp
  ${_amxlab_vnni_dir}/avx512ext_gemv.cpp
  ${_amxlab_vnni_dir}/avx512_quantize.cpp
  ${_amxlab_vnni_dir}/avxvnni_gemm.cpp
  ${_amxlab_vnni_dir}/avx512_kquant.cpp
  ${_amxlab_vnni_dir}/avx512_kqn_gemv.cpp
  ${_amxlab_vnni_dir}/avx512ext_kqn_gemv.cpp
  ${_amxlab_vnni_dir}/avxvnni_kquant.cpp
  ${_amxlab_vnni_dir}/avxvnni_kqn_gemv.cpp
  ${_amxlab_vnni_dir}/avxvnni_evex.cpp
  ${_amxlab_vnni_dir}/avx2_kernels.cpp
  ${_amxlab_vnni_dir}/avx2_quantize.cpp
)
set_source_files_properties(
  ${_amxlab_vnni_dir}/avx512_gemm.cpp
  ${_amxlab_vnni_dir}/avx512_quantize.cpp
  ${_amxlab_vnni_dir}/avx512_kquant.cpp
  ${_amxlab_vnni_dir}/avx512_kqn_gemv.cpp
  PROPERTIES COMPILE_OPTIONS "-mavx512f;-mavx512bw;-mavx512vl;-mavx512vnni;-mavx2;-mfma;-mf16c")
# The same AVX-512 level with the byte-shuffle extensions (kIsaAvx512Vbmi, kIsaGfni).
set_source_files_properties(
  ${_amxlab_vnni_dir}/avx512ext_gemv.cpp
  ${_amxlab_vnni_dir}/avx512ext_kqn_gemv.cpp
  PROPERTIES COMPILE_OPTIONS "-mavx512f;-mavx512bw;-mavx512vl;-mavx512vnni;-mavx2;-mfma;-mf16c;-mavx512vbmi;-mgfni")
set_source_files_properties(
  ${_amxlab_vnni_dir}/avxvnni_gemm.cpp
  ${_amxlab_vnni_dir}/avxvnni_kquant.cpp
  ${_amxlab_vnni_dir}/avxvnni_kqn_gemv.cpp
  PROPERTIES COMPILE_OPTIONS "-mavx2;-mavxvnni;-mfma;-mf16c")
# The AVX-VNNI bodies with EVEX VPDPBUSD (the *__avxvnni_evex stand-ins, avxvnni_dot.h).
set_source_files_properties(
  ${_amxlab_vnni_dir}/avxvnni_evex.cpp
  PROPERTIES COMPILE_OPTIONS "-mavx512f;-mavx512bw;-mavx512vl;-mavx512vnni;-mavx2;-mfma;-mf16c")
# The 256-bit bodies with the plain AVX2 dot (the *__avx2 kernels): no VNNI, no AVX-512.
set_source_files_properties(
  ${_amxlab_vnni_dir}/avx2_kernels.cpp
  ${_amxlab_vnni_dir}/avx2_quantize.cpp
  PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma;-mf16c")
unset(_amxlab_vnni_dir)
