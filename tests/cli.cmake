if(TARGET amxlab_runner)
  amxlab_add_test(test_cli_sweep LABEL fast SHARD_WEIGHT 2 SOURCES cli/test_cli_sweep.cpp LIBS amxlab::io amxlab::reference nlohmann_json::nlohmann_json)
  target_compile_definitions(test_cli_sweep PRIVATE AMXLAB_BINARY="$<TARGET_FILE:amxlab>"
                                                   AMXLAB_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_dependencies(test_cli_sweep amxlab)
  amxlab_add_test(test_cli_numa LABEL fast SOURCES cli/test_cli_numa.cpp LIBS nlohmann_json::nlohmann_json)
  target_compile_definitions(test_cli_numa PRIVATE AMXLAB_BINARY="$<TARGET_FILE:amxlab>")
  add_dependencies(test_cli_numa amxlab)
endif()
# What scripts read from `amxlab info` and `amxlab tile-selftest --out`.
amxlab_add_test(test_cli_info LABEL fast SOURCES cli/test_cli_info.cpp LIBS nlohmann_json::nlohmann_json)
target_compile_definitions(test_cli_info PRIVATE AMXLAB_BINARY="$<TARGET_FILE:amxlab>")
add_dependencies(test_cli_info amxlab)
# Strings read from files (GGUF, batch, results, calibration) reach the terminal escaped.
if(TARGET amxlab_runner)
  amxlab_add_test(test_cli_escaping LABEL fast SOURCES cli/test_cli_escaping.cpp
                  LIBS amxlab::io amxlab::sweep nlohmann_json::nlohmann_json)
  target_compile_definitions(test_cli_escaping PRIVATE AMXLAB_BINARY="$<TARGET_FILE:amxlab>")
  add_dependencies(test_cli_escaping amxlab)
endif()
# compare's outcomes and exit codes, merge and --resume refusing files of another sweep.
if(TARGET amxlab_runner)
  amxlab_add_test(test_cli_results LABEL fast SOURCES cli/test_cli_results.cpp LIBS nlohmann_json::nlohmann_json)
  target_compile_definitions(test_cli_results PRIVATE AMXLAB_BINARY="$<TARGET_FILE:amxlab>")
  add_dependencies(test_cli_results amxlab)
endif()
