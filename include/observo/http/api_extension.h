// The one way the application adds routes to the HTTP layer without the HTTP layer depending
// on it: an ApiExtension installed in the AppContext sees every request after the auth check
// and before the builtin route table, and either answers it or declines. The Pixie REST routes
// (/api/v1/query, /api/v1/export, ...) are installed this way by `observo server`, so
// observo_http never links a source library.
#pragma once

#include <functional>
#include <optional>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "observo/common/result.h"

namespace observo::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

// Writes one piece of a streamed body; an error means the client is gone (or too slow), and the
// producer should stop.
using BodyWriter = std::function<Result<void>(std::string_view)>;

// A body produced while it is sent, so that a large result never sits in memory whole. The
// server calls it on the connection's thread (it may block) with a writer; the first write
// sends the headers of the answer's `response` (chunked for HTTP/1.1, close-delimited for 1.0).
// It returns nullopt when the body is complete, or an error response: sent as the answer when
// nothing was written yet, else the connection is closed without the last chunk, so that the
// client sees a truncated transfer.
using StreamBody = std::function<std::optional<Response>(const BodyWriter& write)>;

struct ExtensionAnswer {
  Response response;
  std::string_view handler;  // handler label for self-metrics: a string literal, never the path
  StreamBody stream = {};    // set: the body comes from here, `response` gives status and headers
};

// Thread safety: handle() runs on the server's threads, many at once. It must not throw (the
// router turns a throw into a 500 anyway). It may block for the duration of an upstream call.
class ApiExtension {
 public:
  virtual ~ApiExtension() = default;
  // nullopt: not one of this extension's routes; the builtin routes (or 404) answer instead.
  virtual std::optional<ExtensionAnswer> handle(const Request& request) = 0;
};

}  // namespace observo::http
