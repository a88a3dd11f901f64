// libFuzzer target: arbitrary ExecuteScriptResponse streams through the Pixie decoder and the
// JSON and CSV writers. The input is a sequence of records, each a 2-byte big-endian length and
// that many bytes parsed as one ExecuteScriptResponse; whatever the bytes, the decoder must
// report an error or succeed, never crash, hang or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sources/pixie/decoder.h"
#include "sources/pixie/writers.h"

namespace {

using namespace observo::pixie;

// Forwards to both writers so that every cell of every accepted batch is formatted twice.
class BothWriters : public ResultSink {
 public:
  BothWriters()
      : json_(sink(), RunInfo{"fuzz", "2024-01-01T00:00:00.000000000Z"}, TimeFormat::kRfc3339),
        csv_(sink(), TimeFormat::kNanoseconds) {}
  observo::Result<void> on_table(const TableInfo& table) override {
    if (auto r = json_.on_table(table); !r) return r;
    return csv_.on_table(table);
  }
  observo::Result<void> on_batch(const TableInfo& table,
                                 const vizierpb::RowBatchData& batch) override {
    if (auto r = json_.on_batch(table, batch); !r) return r;
    return csv_.on_batch(table, batch);
  }
  void complete(const QueryStats& stats) {
    (void)json_.complete(stats, 1.5);
    (void)csv_.complete(stats, 1.5);
  }

 private:
  Output sink() {
    return [this](std::string_view text) -> observo::Result<void> {
      bytes_ += text.size();
      return {};
    };
  }
  std::size_t bytes_ = 0;
  JsonWriter json_;
  CsvWriter csv_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  BothWriters writers;
  ResponseDecoder decoder(writers);
  std::size_t at = 0;
  while (at + 2 <= size) {
    const std::size_t length = (static_cast<std::size_t>(data[at]) << 8) | data[at + 1];
    at += 2;
    if (length > size - at) break;
    vizierpb::ExecuteScriptResponse response;
    if (!response.ParseFromArray(data + at, static_cast<int>(length))) return 0;
    at += length;
    if (!decoder.feed(response)) return 0;
  }
  if (decoder.finish()) writers.complete(decoder.stats());
  return 0;
}
