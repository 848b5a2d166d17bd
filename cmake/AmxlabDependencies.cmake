# Every external dependency, found once, each failure naming the Debian package
# that provides it (scripts/bootstrap.sh installs them all).
find_package(PkgConfig)

macro(amxlab_require_package found pkg what)
  if(NOT ${found})
    message(FATAL_ERROR "amxlab: ${what} not found. Install the Debian package '${pkg}' "
                        "(or run scripts/bootstrap.sh).")
  endif()
endmacro()

find_package(Threads REQUIRED)

find_package(fmt CONFIG QUIET)
amxlab_require_package(fmt_FOUND libfmt-dev "fmt")

find_package(nlohmann_json CONFIG QUIET)
amxlab_require_package(nlohmann_json_FOUND nlohmann-json3-dev "nlohmann_json")

find_package(CLI11 CONFIG QUIET)
amxlab_require_package(CLI11_FOUND libcli11-dev "CLI11")

find_package(dnnl CONFIG QUIET)
amxlab_require_package(dnnl_FOUND "libdnnl-dev ocl-icd-opencl-dev" "oneDNN (dnnl)")

find_package(benchmark CONFIG QUIET)
amxlab_require_package(benchmark_FOUND libbenchmark-dev "Google Benchmark")

if(NOT PKG_CONFIG_FOUND)
  message(FATAL_ERROR "amxlab: pkg-config not found. Install the Debian package 'pkg-config'.")
endif()
pkg_check_modules(HWLOC QUIET IMPORTED_TARGET hwloc)
amxlab_require_package(HWLOC_FOUND libhwloc-dev "hwloc")
pkg_check_modules(NUMA QUIET IMPORTED_TARGET numa)
amxlab_require_package(NUMA_FOUND libnuma-dev "libnuma")

if(AMXLAB_BUILD_TESTS)
  find_package(GTest CONFIG QUIET)
  if(NOT GTest_FOUND)
    find_package(GTest QUIET)
  endif()
  amxlab_require_package(GTest_FOUND libgtest-dev "GoogleTest")
endif()
