// Prometheus text 0.0.4 and OpenMetrics 1.0 text: the same line grammar with different
// metadata rules (family names of counters, HELP escaping, canonical `le`, `# EOF`), so one
// writer serves both. Written for the scrape path: each line is written through a raw pointer
// into room reserved for it, label blocks of histogram and summary series are rendered once
// per series and `le` strings once per bucket layout.
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/encoders/escape.h"
#include "metrics/encoders/number.h"
#include "metrics/encoders/output_buffer.h"
#include "metrics/encoders/sample_lines.h"
#include "observo/metrics/encoder.h"

namespace observo::metrics {
namespace {

using detail::put;

enum class Dialect { kPrometheus, kOpenMetrics };

constexpr std::string_view kTotalSuffix = "_total";
// Room for the fixed parts of a line: braces, space, newline, and a label's `="",`.
constexpr std::size_t kLineOverhead = 8;
constexpr std::size_t kLabelOverhead = 4;

std::size_t label_block_bound(const Labels& labels) {
  std::size_t bound = detail::kEscapeSlack;
  for (const Label& label : labels) {
    bound += label.name.size() + detail::kTextExpansion * label.value.size() + kLabelOverhead;
  }
  return bound;
}

// `a="x",b="y"` without braces, leaving out a label named `skip` (shadowed by le/quantile).
char* write_label_block(char* p, const Labels& labels, std::string_view skip) {
  bool first = true;
  for (const Label& label : labels) {
    if (!skip.empty() && label.name == skip) continue;
    if (!first) *p++ = ',';
    first = false;
    p = put(p, label.name);
    *p++ = '=';
    *p++ = '"';
    p = detail::write_label_value(p, label.value);
    *p++ = '"';
  }
  return p;
}

char* write_bound(char* p, Dialect dialect, double bound) {
  return dialect == Dialect::kOpenMetrics ? detail::write_canonical_float(p, bound)
                                          : detail::write_number(p, bound);
}

void append_bound(std::string& out, Dialect dialect, double bound) {
  char buffer[detail::kMaxNumberLength];
  out.append(buffer, write_bound(buffer, dialect, bound));
}

// Formatted `le` values of the last bucket layout seen; the series of a family almost always
// share one layout, so each bound is formatted once per family instead of once per line.
class BoundCache {
 public:
  explicit BoundCache(Dialect dialect) : dialect_(dialect) {}

  void prepare(const std::vector<Bucket>& buckets) {
    if (same_layout(buckets)) return;
    bounds_.clear();
    text_.clear();
    ends_.clear();
    for (const Bucket& bucket : buckets) {
      bounds_.push_back(bucket.upper_bound);
      if (std::isfinite(bucket.upper_bound)) append_bound(text_, dialect_, bucket.upper_bound);
      ends_.push_back(text_.size());
    }
  }

  // Empty for a bound that is not finite (such a bucket is skipped).
  std::string_view at(std::size_t i) const {
    const std::size_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(text_).substr(begin, ends_[i] - begin);
  }

 private:
  bool same_layout(const std::vector<Bucket>& buckets) const {
    if (buckets.size() != bounds_.size()) return false;
    for (std::size_t i = 0; i < buckets.size(); ++i) {
      if (buckets[i].upper_bound != bounds_[i]) return false;
    }
    return true;
  }

  Dialect dialect_;
  std::vector<double> bounds_;
  std::string text_;
  std::vector<std::size_t> ends_;
};

class TextWriter {
 public:
  TextWriter(std::string& out, Dialect dialect) : out_(out), dialect_(dialect), bounds_(dialect) {}

  void write_family(const FamilyView& view) {
    const Family& meta = *view.meta;
    std::string_view family_name = meta.name;
    std::string_view sample_suffix;
    if (dialect_ == Dialect::kOpenMetrics && meta.type == MetricType::kCounter) {
      // OpenMetrics names the counter family without _total and its sample with it.
      if (family_name.ends_with(kTotalSuffix)) family_name.remove_suffix(kTotalSuffix.size());
      sample_suffix = kTotalSuffix;
    }
    write_metadata(family_name, meta);
    for (const auto* part : view.parts) {
      const Series* series = part->data();
      const std::size_t count = part->size();
      for (std::size_t i = 0; i < count; ++i) {
        detail::prefetch_labels(series, count, i);
        switch (meta.type) {
          case MetricType::kHistogram:
            write_histogram(family_name, series[i]);
            break;
          case MetricType::kSummary:
            write_summary(family_name, series[i]);
            break;
          default:
            write_plain(family_name, sample_suffix, series[i]);
            break;
        }
      }
    }
  }

  void finish() { out_.finish(); }

 private:
  void write_metadata(std::string_view family_name, const Family& meta) {
    if (dialect_ == Dialect::kOpenMetrics) {
      write_type(family_name, meta.type);
      write_help(family_name, meta.help);
    } else {
      write_help(family_name, meta.help);
      write_type(family_name, meta.type);
    }
  }

  void write_help(std::string_view family_name, std::string_view help) {
    if (help.empty()) return;
    char* p = out_.ensure(family_name.size() + detail::kTextExpansion * help.size() +
                          detail::kEscapeSlack + 16);
    p = put(p, "# HELP ");
    p = put(p, family_name);
    *p++ = ' ';
    p = dialect_ == Dialect::kOpenMetrics ? detail::write_openmetrics_help(p, help)
                                          : detail::write_prometheus_help(p, help);
    *p++ = '\n';
    out_.commit(p);
  }

  void write_type(std::string_view family_name, MetricType type) {
    const std::string_view type_text =
        type == MetricType::kUntyped && dialect_ == Dialect::kOpenMetrics
            ? std::string_view("unknown")
            : type_name(type);
    char* p = out_.ensure(family_name.size() + type_text.size() + 16);
    p = put(p, "# TYPE ");
    p = put(p, family_name);
    *p++ = ' ';
    p = put(p, type_text);
    *p++ = '\n';
    out_.commit(p);
  }

  // The common case (counter, gauge, untyped): labels written straight into the output.
  void write_plain(std::string_view name, std::string_view suffix, const Series& series) {
    char* p = out_.ensure(name.size() + suffix.size() + label_block_bound(series.labels) +
                          detail::kMaxNumberLength + kLineOverhead);
    p = put(p, name);
    p = put(p, suffix);
    if (!series.labels.empty()) {
      *p++ = '{';
      p = write_label_block(p, series.labels, {});
      *p++ = '}';
    }
    *p++ = ' ';
    p = detail::write_number(p, series.value);
    *p++ = '\n';
    out_.commit(p);
  }

  // A line of a histogram or summary series, whose label block is in block_.
  void write_line(std::string_view name, std::string_view suffix, std::string_view extra_name,
                  std::string_view extra_value, double value) {
    char* p = out_.ensure(name.size() + suffix.size() + block_.size() + extra_name.size() +
                          extra_value.size() + detail::kMaxNumberLength + 2 * kLineOverhead);
    p = put(p, name);
    p = put(p, suffix);
    if (!block_.empty() || !extra_name.empty()) {
      *p++ = '{';
      p = put(p, block_);
      if (!extra_name.empty()) {
        if (!block_.empty()) *p++ = ',';
        p = put(p, extra_name);
        *p++ = '=';
        *p++ = '"';
        p = put(p, extra_value);
        *p++ = '"';
      }
      *p++ = '}';
    }
    *p++ = ' ';
    p = detail::write_number(p, value);
    *p++ = '\n';
    out_.commit(p);
  }

  void render_block(const Labels& labels, std::string_view skip) {
    block_.resize(label_block_bound(labels));
    const char* end = write_label_block(block_.data(), labels, skip);
    block_.resize(static_cast<std::size_t>(end - block_.data()));
  }

  void write_histogram(std::string_view name, const Series& series) {
    render_block(series.labels, "le");
    bounds_.prepare(series.buckets);
    for (std::size_t i = 0; i < series.buckets.size(); ++i) {
      const std::string_view le = bounds_.at(i);
      if (le.empty()) continue;
      write_line(name, "_bucket", "le", le, series.buckets[i].cumulative_count);
    }
    write_line(name, "_bucket", "le", "+Inf", series.count);
    write_sum_and_count(name, series);
  }

  void write_summary(std::string_view name, const Series& series) {
    render_block(series.labels, "quantile");
    for (const Quantile& quantile : series.quantiles) {
      char buffer[detail::kMaxNumberLength];
      const char* end = write_bound(buffer, dialect_, quantile.quantile);
      write_line(name, "", "quantile", std::string_view(buffer, end - buffer), quantile.value);
    }
    write_sum_and_count(name, series);
  }

  void write_sum_and_count(std::string_view name, const Series& series) {
    write_line(name, "_sum", {}, {}, series.sum);
    write_line(name, "_count", {}, {}, series.count);
  }

  detail::OutputBuffer out_;
  Dialect dialect_;
  BoundCache bounds_;
  std::string block_;  // label block of the current histogram or summary series
};

// Bytes per label beyond name and value (`="",`) and per line beyond name and labels.
constexpr std::size_t kTextPerLabel = 4;
constexpr std::size_t kTextPerLine = 24;

void encode_text(const Exposition& exposition, std::string& out, Dialect dialect) {
  out.reserve(out.size() + detail::estimate_size(exposition, kTextPerLabel, kTextPerLine));
  TextWriter writer(out, dialect);
  for (const FamilyView& view : exposition.families) {
    if (view.meta == nullptr || view.series_count() == 0) continue;
    writer.write_family(view);
  }
  writer.finish();
}

}  // namespace

void encode_prometheus(const Exposition& exposition, std::string& out) {
  encode_text(exposition, out, Dialect::kPrometheus);
}

void encode_openmetrics(const Exposition& exposition, std::string& out) {
  encode_text(exposition, out, Dialect::kOpenMetrics);
  out.append("# EOF\n");
}

}  // namespace observo::metrics
