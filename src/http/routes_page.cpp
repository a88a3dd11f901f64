// GET /: a small HTML page for people who open observo in a browser: version, uptime, each
// source's state, and a link to every endpoint. Every dynamic value is HTML-escaped (source
// names and error texts come from the outside world).
#include <chrono>

#include <fmt/format.h>

#include "http/responses.h"
#include "http/routes.h"
#include "http/time_format.h"
#include "observo/common/build_info.h"

namespace observo::http {

namespace bhttp = boost::beast::http;

namespace {

struct Link {
  std::string_view href;
  std::string_view text;
};

constexpr Link kLinks[] = {
    {"/metrics", "Metrics (Prometheus / OpenMetrics, negotiated)"},
    {"/metrics?format=openmetrics", "Metrics as OpenMetrics"},
    {"/metrics?format=json", "Metrics as JSON"},
    {"/metrics?format=csv", "Metrics as CSV"},
    {"/health", "Health (JSON)"},
    {"/ready", "Readiness (JSON)"},
    {"/api/v1/metrics", "API: metrics"},
    {"/api/v1/sources", "API: sources (JSON)"},
};

std::string time_or_dash(const std::optional<std::chrono::system_clock::time_point>& time) {
  return time ? format_rfc3339(*time) : "-";
}

void append_sources(std::string& out, const std::vector<SourceStatus>& sources) {
  if (sources.empty()) {
    out += "<p>No sources declared.</p>\n";
    return;
  }
  out +=
      "<table>\n<tr><th>source</th><th>enabled</th><th>state</th><th>collections</th>"
      "<th>last success</th><th>last error</th></tr>\n";
  for (const auto& status : sources) {
    const char* state = !status.enabled ? "disabled" : (status.up ? "up" : "down");
    out += fmt::format(
        "<tr><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "</tr>\n",
        html_escape(status.name), status.enabled ? "yes" : "no", state, state, status.collections,
        time_or_dash(status.last_success),
        status.last_error.empty() ? std::string("-") : html_escape(status.last_error));
  }
  out += "</table>\n";
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

Response index_route(AppContext& context, const Request&, const Target&) {
  const auto now = std::chrono::system_clock::now();
  const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(now - context.start_time);
  std::string page;
  page.reserve(4096);
  page +=
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>observo</title>\n<style>\n"
      "body{font-family:sans-serif;margin:2em;color:#222}"
      "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;"
      "text-align:left}.up{color:#080}.down{color:#b00}.disabled{color:#888}\n"
      "</style>\n</head>\n<body>\n<h1>observo</h1>\n";
  page += fmt::format("<p>Version {} (revision {}), up {}, started {}.</p>\n",
                      html_escape(version()), html_escape(revision()), format_duration(uptime),
                      format_rfc3339(context.start_time));
  page += fmt::format("<p>Ready: {}.</p>\n", context.ready.load() ? "yes" : "no");
  page += "<h2>Sources</h2>\n";
  append_sources(page, context.sources.list());
  page += "<h2>Endpoints</h2>\n<ul>\n";
  for (const auto& link : kLinks) {
    page += fmt::format("<li><a href=\"{}\">{}</a> <code>{}</code></li>\n", html_escape(link.href),
                        html_escape(link.text), html_escape(link.href));
  }
  page += "</ul>\n</body>\n</html>\n";
  Response response = text_response(bhttp::status::ok, std::move(page), kHtmlContentType);
  response.set(bhttp::field::cache_control, "no-store");
  return response;
}

}  // namespace observo::http
