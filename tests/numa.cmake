# NUMA placement (harness/numa, issue #7): the planner on hwloc synthetic topologies, the
# policies and the page verification on this machine, and the real two-node test in a
# QEMU VM (scripts/numa_vm/run.sh; prints SKIPPED where QEMU or a kernel image is missing).
if(TARGET amxlab_numa)
  amxlab_add_test(numa_test LABEL fast
    SOURCES
      ${CMAKE_CURRENT_LIST_DIR}/numa/test_planner.cpp
      ${CMAKE_CURRENT_LIST_DIR}/numa/test_placement_plan.cpp
      ${CMAKE_CURRENT_LIST_DIR}/numa/test_verify.cpp
      ${CMAKE_CURRENT_LIST_DIR}/numa/test_this_machine.cpp
      ${CMAKE_CURRENT_LIST_DIR}/numa/test_sysfs_topology.cpp
    LIBS amxlab::numa)
endif()

if(TARGET numa_vm_test)
  add_test(NAME numa_vm
           COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/numa_vm/run.sh --binary $<TARGET_FILE:numa_vm_test>)
  set_tests_properties(numa_vm PROPERTIES LABELS fast TIMEOUT 300 SKIP_RETURN_CODE 77)
endif()
