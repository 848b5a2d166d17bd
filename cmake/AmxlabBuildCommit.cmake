# Run at build time (cmake -P), not at configure time: writes OUT, a header with the
# source tree's commit, "+dirty" when tracked files differ from it, only when that
# changed, so a binary built after a commit or an edit says which source it came from
# (results record it; `amxlab merge` and `--resume` compare it).
#   cmake -DSRC=<source dir> -DOUT=<header> -P AmxlabBuildCommit.cmake
execute_process(COMMAND git rev-parse --short=12 HEAD
                WORKING_DIRECTORY ${SRC}
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE
                RESULT_VARIABLE rc ERROR_QUIET)
if(NOT rc EQUAL 0 OR NOT commit)
  set(commit "unknown")
else()
  execute_process(COMMAND git diff --quiet HEAD --
                  WORKING_DIRECTORY ${SRC}
                  RESULT_VARIABLE dirty ERROR_QUIET)
  if(dirty EQUAL 1)
    string(APPEND commit "+dirty")
  endif()
endif()
set(text "// Generated at build time by cmake/AmxlabBuildCommit.cmake.\n#pragma once\n\nnamespace amxlab::build {\ninline constexpr const char* kCommit = \"${commit}\";\n}  // namespace amxlab::build\n")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
else()
  set(old "")
endif()
if(NOT old STREQUAL text)
  file(WRITE ${OUT} "${text}")
endif()
