#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "encoder_test_fixture.h"
#include "observo/metrics/encoder.h"

namespace observo::metrics {
namespace {

// Inflates with zlib's gzip-only window bits, so a zlib or raw deflate stream would fail.
std::string gunzip(const std::string& data) {
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, 16 + MAX_WBITS), Z_OK);
  std::string out;
  char buffer[4096];
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  int status = Z_OK;
  while (status == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof(buffer);
    status = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof(buffer) - stream.avail_out);
  }
  EXPECT_EQ(status, Z_STREAM_END);
  EXPECT_EQ(stream.avail_in, 0u) << "trailing bytes after the gzip member";
  inflateEnd(&stream);
  return out;
}

TEST(EncoderGzip, RoundTripsAnExposition) {
  std::string text;
  encode_prometheus(testing::make_encoder_fixture(), text);
  const std::string compressed = gzip_compress(text);
  ASSERT_GE(compressed.size(), 18u);
  // RFC 1952 header: magic 1f 8b, method 8 (deflate).
  EXPECT_EQ(static_cast<unsigned char>(compressed[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(compressed[1]), 0x8b);
  EXPECT_EQ(compressed[2], 8);
  EXPECT_EQ(gunzip(compressed), text);
}

TEST(EncoderGzip, RoundTripsEmptyInput) {
  const std::string compressed = gzip_compress("");
  EXPECT_EQ(static_cast<unsigned char>(compressed[0]), 0x1f);
  EXPECT_EQ(gunzip(compressed), "");
}

TEST(EncoderGzip, RoundTripsLargeRepetitiveInput) {
  std::string text;
  for (int i = 0; i < 200000; ++i) {
    text += "http_requests_total{code=\"200\",pod=\"p" + std::to_string(i) + "\"} 1\n";
  }
  const std::string compressed = gzip_compress(text);
  EXPECT_LT(compressed.size() * 5, text.size());
  EXPECT_EQ(gunzip(compressed), text);
}

TEST(EncoderGzip, RoundTripsIncompressibleInput) {
  std::string data(1 << 20, '\0');
  unsigned state = 12345;
  for (char& c : data) {
    state = state * 1103515245u + 12345u;
    c = static_cast<char>(state >> 24);
  }
  EXPECT_EQ(gunzip(gzip_compress(data)), data);
}

}  // namespace
}  // namespace observo::metrics
