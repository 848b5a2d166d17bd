# Scripts: the relocatable bundle (scripts/bundle_build.sh) and the AMX hardware check's
# quick path, run from a moved copy of the bundle. Not in the sanitizer builds: the bundle
# is a release artefact, and the check runs amxlab sweeps.
if(NOT AMXLAB_SANITIZE AND NOT AMXLAB_TSAN AND TARGET amxlab_runner AND TARGET kernels_test)
  add_test(NAME amx_hardware_check_bundle
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/scripts/test_amx_hardware_check.sh ${CMAKE_BINARY_DIR})
  set_tests_properties(amx_hardware_check_bundle PROPERTIES LABELS fast TIMEOUT 120)
endif()

# The fleet sweep on a real single-node Slurm (issue #15): munge, slurmctld and slurmd on
# localhost from a generated configuration, a job array, a cancelled and resubmitted
# task, merges. Skipped (77, with the reason) where Slurm is missing or cannot start.
if(NOT AMXLAB_SANITIZE AND NOT AMXLAB_TSAN AND TARGET amxlab_runner)
  add_test(NAME slurm_sweep
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/scripts/test_slurm_sweep.sh ${CMAKE_BINARY_DIR})
  set_tests_properties(slurm_sweep PROPERTIES LABELS fast SKIP_RETURN_CODE 77 TIMEOUT 240 RUN_SERIAL TRUE)
endif()

# kernels/ADDING_A_KERNEL.md: every file, amxlab command, flag and kernel it names exists.
if(TARGET amxlab_runner)
  add_test(NAME guide_references
           COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/scripts/test_guide_references.py ${PROJECT_SOURCE_DIR}
                   $<TARGET_FILE:amxlab>)
  set_tests_properties(guide_references PROPERTIES LABELS fast TIMEOUT 60)
endif()

# Every tracked C++ file clang-formatted (scripts/lint.sh --format-only: .clang-format,
# clang-format-19 from scripts/bootstrap.sh). Skipped (77) outside a git checkout, whose
# file list lint.sh takes from git, or without clang-format-19.
add_test(NAME clang_format COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/scripts/test_clang_format.sh ${PROJECT_SOURCE_DIR})
set_tests_properties(clang_format PROPERTIES LABELS fast SKIP_RETURN_CODE 77 TIMEOUT 120)

# scripts/targets_report.py's verdicts on hand-made results files, and every target's case
# among those `scripts/targets.sh --list` makes (amxlab bench --list: nothing timed).
if(TARGET amxlab_runner)
  add_test(NAME targets_report COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/scripts/test_targets_report.py
                                       ${PROJECT_SOURCE_DIR} $<TARGET_FILE:amxlab>)
  set_tests_properties(targets_report PROPERTIES LABELS fast TIMEOUT 60)
endif()

# scripts/ab_report.py's verdicts on hand-made turns (no build): slowdown, moved bit,
# failure, a kernel new in B, the interleaving check, split-cases.
add_test(NAME ab_report COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/scripts/test_ab_report.py ${PROJECT_SOURCE_DIR})
set_tests_properties(ab_report PROPERTIES LABELS fast TIMEOUT 60)

# scripts/ab.sh on revisions made in a throwaway clone (issue #16): two full builds of
# amxlab, then incremental ones; label long (about 6 minutes on 2 cores).
if(NOT AMXLAB_SANITIZE AND NOT AMXLAB_TSAN AND TARGET amxlab_runner)
  add_test(NAME ab_revisions COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/scripts/test_ab.sh)
  set_tests_properties(ab_revisions PROPERTIES LABELS long SKIP_RETURN_CODE 77 TIMEOUT 1500 RUN_SERIAL TRUE)
endif()

# scripts/ceiling_rounds.sh: two rounds of calibrate + bench on a small case, the summary
# and each round's bench reading that round's ceilings (about 20 s: label long).
if(NOT AMXLAB_SANITIZE AND NOT AMXLAB_TSAN AND TARGET amxlab_runner)
  add_test(NAME ceiling_rounds COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/scripts/test_ceiling_rounds.sh $<TARGET_FILE:amxlab>)
  set_tests_properties(ceiling_rounds PROPERTIES LABELS long TIMEOUT 300 RUN_SERIAL TRUE)
endif()
# The tracked files stay small enough to travel to an AMX machine with the bundle.
add_test(NAME repo_size COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/scripts/test_repo_size.sh ${PROJECT_SOURCE_DIR})
set_tests_properties(repo_size PROPERTIES LABELS fast SKIP_RETURN_CODE 77 TIMEOUT 60)
# scripts/bootstrap.sh against fake apt tools: an offered optional package is installed, one
# with no candidate is reported (the pipefail + grep -q SIGPIPE trap).
add_test(NAME bootstrap_packages COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/scripts/test_bootstrap.sh ${PROJECT_SOURCE_DIR})
set_tests_properties(bootstrap_packages PROPERTIES LABELS fast TIMEOUT 60)
# harness/inputs/q4_K_M_layer.txt through `amxlab check --batch` (issue #11's mixed-layer
# batch file; ~50 s: label long).
if(NOT AMXLAB_SANITIZE AND NOT AMXLAB_TSAN AND TARGET amxlab_runner)
  add_test(NAME batch_q4_K_M_layer
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/scripts/test_batch_q4_K_M.sh $<TARGET_FILE:amxlab> ${PROJECT_SOURCE_DIR})
  set_tests_properties(batch_q4_K_M_layer PROPERTIES LABELS long TIMEOUT 600)
endif()
