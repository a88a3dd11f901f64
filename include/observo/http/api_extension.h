// The one way the application adds routes to the HTTP layer without the HTTP layer depending
// on it: an ApiExtension installed in the AppContext sees every request after the auth check
// and before the builtin route table, and either answers it or declines. The Pixie REST routes
// (/api/v1/query, /api/v1/export, ...) are installed this way by `observo server`, so
// observo_http never links a source library.
#pragma once

#include <optional>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace observo::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

struct ExtensionAnswer {
  Response response;
  std::string_view handler;  // handler label for self-metrics: a string literal, never the path
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
