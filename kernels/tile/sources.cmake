# The tile layer (issue #4): one tile API, a native AMX backend, the strict emulator,
# the Sapphire Rapids model and the validation against VNNI silicon.
# Included by kernels/CMakeLists.txt into the amxlab_kernels target.
set(_amxlab_tile_dir ${CMAKE_CURRENT_LIST_DIR})
target_sources(amxlab_kernels PRIVATE
  ${_amxlab_tile_dir}/emulator.cpp
  ${_amxlab_tile_dir}/sapphire_rapids_model.cpp
  ${_amxlab_tile_dir}/validate_vnni.cpp
  ${_amxlab_tile_dir}/validate_vnni_native.cpp
  ${_amxlab_tile_dir}/native_crosscheck.cpp
  ${_amxlab_tile_dir}/native_probes.cpp
  ${_amxlab_tile_dir}/selftest.cpp
)
# Native AMX translation unit (only runs after run_native()/require_amx_usable()).
set_source_files_properties(${_amxlab_tile_dir}/native_crosscheck.cpp ${_amxlab_tile_dir}/native_probes.cpp PROPERTIES
  COMPILE_OPTIONS "-mamx-tile;-mamx-int8;-mamx-bf16")
# Native VPDPBUSD / VDPBF16PS (only called when cpu_features() reports them).
set_source_files_properties(${_amxlab_tile_dir}/validate_vnni_native.cpp PROPERTIES
  COMPILE_OPTIONS "-mavx512f;-mavx512bw;-mavx512vl;-mavx512vnni;-mavx512bf16")
unset(_amxlab_tile_dir)
