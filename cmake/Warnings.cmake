# Warnings as errors for observo's own targets only (third-party headers come in as SYSTEM).
# -Wno-restrict: GCC 12 reports false positives for `"literal" + std::string` at -O2/-O3
# (GCC bug 105329), which would fail Release builds of correct code.
function(observo_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror -Wno-unused-parameter
    $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>)
endfunction()
