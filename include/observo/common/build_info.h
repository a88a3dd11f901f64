// The version and git revision this binary was built from.
#pragma once

#include <string_view>

namespace observo {
std::string_view version();
std::string_view revision();
}  // namespace observo
