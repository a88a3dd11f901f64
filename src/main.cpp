// observo: one binary, daemon and CLI. Everything lives in libraries that the tests link too.
#include "cli/cli.h"

int main(int argc, char** argv) { return observo::cli::run(argc, argv); }
