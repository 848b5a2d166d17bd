# Compiles through ccache when it is installed (bootstrap.sh installs it; -DAMXLAB_CCACHE=OFF
# or a CMAKE_CXX_COMPILER_LAUNCHER of your own turns this off).
#
# Why: the same sources are compiled in several folders - build/release, the base
# revisions of scripts/ab.sh (build/ab/worktree/build/release), the throwaway clone of
# the `ab_revisions` test - and each was a full build (~2.5 minutes on 2 cores). ccache
# is told that paths under this source folder are relative to it (CCACHE_BASEDIR), so a
# translation unit with the same text and flags in another checkout, built in the same
# place relative to its sources, is a cache hit. What still differs between checkouts
# keeps them apart: a -D holding an absolute path (AMXLAB_SOURCE_DIR in the CLI) is
# hashed as written, and with -g (debug, asan, tsan) ccache also hashes the build folder,
# so debug information never names another checkout's files. A fresh machine starts
# with an empty cache: CI's build from nothing is one.
option(AMXLAB_CCACHE "Compile through ccache when it is installed" ON)
if(AMXLAB_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  find_program(AMXLAB_CCACHE_PROGRAM ccache)
  if(AMXLAB_CCACHE_PROGRAM)
    set(CMAKE_CXX_COMPILER_LAUNCHER ${CMAKE_COMMAND} -E env CCACHE_BASEDIR=${PROJECT_SOURCE_DIR}
                                    ${AMXLAB_CCACHE_PROGRAM})
    message(STATUS "amxlab: compiling through ${AMXLAB_CCACHE_PROGRAM} (AMXLAB_CCACHE=OFF turns it off)")
  endif()
endif()
