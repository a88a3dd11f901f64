# Version and git revision for observo_connector_build_info and `observo version`.
execute_process(
  COMMAND git rev-parse --short=12 HEAD
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
  OUTPUT_VARIABLE OBSERVO_REVISION
  OUTPUT_STRIP_TRAILING_WHITESPACE
  ERROR_QUIET)
if(NOT OBSERVO_REVISION)
  set(OBSERVO_REVISION "unknown")
endif()
set(OBSERVO_VERSION ${PROJECT_VERSION})
