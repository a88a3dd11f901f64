# Version and git revision for observo_connector_build_info and `observo version`.
# The revision is read at every build, not only when CMake configures, so a binary built after
# a new commit names that commit. WriteBuildInfo.cmake rewrites the generated file only when the
# revision changed, so an unchanged tree relinks nothing.
set(OBSERVO_VERSION ${PROJECT_VERSION})
set(OBSERVO_BUILD_INFO_CPP ${CMAKE_BINARY_DIR}/src/generated/build_info.cpp)

# observo_build_info(target): keeps target's generated build_info.cpp current.
function(observo_build_info target)
  set(command ${CMAKE_COMMAND}
    -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
    -DTEMPLATE=${PROJECT_SOURCE_DIR}/src/common/build_info.cpp.in
    -DOUTPUT=${OBSERVO_BUILD_INFO_CPP}
    -DOBSERVO_VERSION=${OBSERVO_VERSION}
    -P ${PROJECT_SOURCE_DIR}/cmake/WriteBuildInfo.cmake)
  execute_process(COMMAND ${command})  # the first configure: the file exists before any build
  add_custom_target(observo_build_info COMMAND ${command} BYPRODUCTS ${OBSERVO_BUILD_INFO_CPP}
    COMMENT "Reading the git revision")
  add_dependencies(${target} observo_build_info)
  target_sources(${target} PRIVATE ${OBSERVO_BUILD_INFO_CPP})
endfunction()
