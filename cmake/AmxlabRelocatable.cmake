# Executables that still run when copied, with the shared libraries they need, into one
# folder on another machine (scripts/bundle_build.sh; the AMX hardware check runs such a
# bundle where nothing can be installed).
#
# RPATH $ORIGIN: the loader looks beside the executable first. In the build tree no
# library sits there, so the system's are used as before.
#
# --disable-new-dtags writes DT_RPATH instead of DT_RUNPATH, because only DT_RPATH is
# also searched for the libraries' own dependencies (libdnnl -> libgomp, libOpenCL;
# hwloc -> libudev): a RUNPATH applies to the executable's direct needs only, and the
# Debian libraries carry no path of their own. DT_RPATH also wins over LD_LIBRARY_PATH,
# so a bundle never mixes its libraries with a host's.
set(CMAKE_BUILD_RPATH "$ORIGIN")
add_link_options($<$<STREQUAL:$<TARGET_PROPERTY:TYPE>,EXECUTABLE>:LINKER:--disable-new-dtags>)
