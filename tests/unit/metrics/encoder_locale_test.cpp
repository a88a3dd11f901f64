// The encoders must write the same bytes whatever locale the process runs under: a library
// user calling std::locale::global() or setlocale() must not turn "0.5" into "0,5" or
// "1027" into "1.027" in a scrape.
#include <gtest/gtest.h>

#include <clocale>
#include <locale>
#include <sstream>
#include <string>

#include "encoder_test_fixture.h"
#include "observo/metrics/encoder.h"

namespace observo::metrics {
namespace {

// German-style punctuation, installed through the C++ locale; works without any locale files.
class CommaNumpunct : public std::numpunct<char> {
 protected:
  char do_decimal_point() const override { return ','; }
  char do_thousands_sep() const override { return '.'; }
  std::string do_grouping() const override { return "\3"; }
};

std::string encode_all(const Exposition& exposition) {
  std::string out;
  for (Format format : {Format::kPrometheus, Format::kOpenMetrics, Format::kJson, Format::kCsv}) {
    encode(format, exposition, out);
  }
  return out;
}

class EncoderLocale : public ::testing::Test {
 protected:
  void TearDown() override {
    std::locale::global(std::locale::classic());
    std::setlocale(LC_ALL, "C");
  }
};

TEST_F(EncoderLocale, OutputIsByteIdenticalUnderACommaDecimalLocale) {
  const Exposition exposition = testing::make_encoder_fixture();
  const std::string expected = encode_all(exposition);
  ASSERT_NE(expected.find("0.1"), std::string::npos);

  std::locale::global(std::locale(std::locale::classic(), new CommaNumpunct));
  // A real C locale too, where one is installed (setlocale returns null otherwise).
  for (const char* name : {"de_DE.UTF-8", "fr_FR.UTF-8", "C.UTF-8"}) {
    if (std::setlocale(LC_ALL, name) != nullptr) break;
  }
  EXPECT_EQ(encode_all(exposition), expected);
}

TEST_F(EncoderLocale, TheCustomNumpunctReallyChangesStreams) {
  // Guards the test above: the installed locale does affect locale-aware formatting.
  std::locale::global(std::locale(std::locale::classic(), new CommaNumpunct));
  std::ostringstream stream;
  stream.imbue(std::locale());
  stream << 1027.5;
  EXPECT_EQ(stream.str(), "1.027,5");
}

}  // namespace
}  // namespace observo::metrics
