// gzip decompression with a size cap, for bodies that come from the network (scraped pages,
// compressed requests): a small compressed body can expand a thousandfold, so the output is
// bounded before it is allocated, never after.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "observo/common/result.h"

namespace observo::common {

// Inflates gzip (RFC 1952) or zlib (RFC 1950) data; fails when it is malformed, truncated, or
// would be longer than `max_bytes`.
Result<std::string> gunzip(std::string_view data, std::size_t max_bytes);

}  // namespace observo::common
