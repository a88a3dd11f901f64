# Script mode (cmake -P): writes OUTPUT from TEMPLATE with OBSERVO_VERSION and the git revision
# of SOURCE_DIR ("unknown" outside a git checkout, e.g. a container build without .git).
execute_process(
  COMMAND git rev-parse --short=12 HEAD
  WORKING_DIRECTORY ${SOURCE_DIR}
  OUTPUT_VARIABLE OBSERVO_REVISION
  OUTPUT_STRIP_TRAILING_WHITESPACE
  ERROR_QUIET)
if(NOT OBSERVO_REVISION)
  set(OBSERVO_REVISION "unknown")
endif()
configure_file(${TEMPLATE} ${OUTPUT} @ONLY)  # leaves OUTPUT untouched when nothing changed
