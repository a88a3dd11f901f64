# Warnings as errors for observo's own targets only (third-party headers come in as SYSTEM).
function(observo_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror -Wno-unused-parameter)
endfunction()
