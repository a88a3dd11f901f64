// String escaping shared by the encoders. Every exposition format is UTF-8, but label values
// and help texts come from the network (OTLP, X-Ray, Pixie results), so each escaper also
// replaces bytes that are not valid UTF-8 with U+FFFD: one bad value must not make a scraper
// reject the whole exposition. The escapers write through a raw pointer (see output_buffer.h);
// the caller guarantees room for the input size times the escaper's expansion factor, plus
// kEscapeSlack.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace observo::metrics::detail {

// Output bytes per input byte at most: an escape is 2 bytes, U+FFFD for a bad byte 3.
inline constexpr std::size_t kTextExpansion = 3;
// JSON: \u00XX for a control character.
inline constexpr std::size_t kJsonExpansion = 6;
// CSV: 3 per byte (U+FFFD), plus the two enclosing quotes.
inline constexpr std::size_t kCsvExpansion = 3;
inline constexpr std::size_t kCsvQuotes = 2;
// Scratch bytes an escaper may write past the end it returns (see write_escaped).
inline constexpr std::size_t kEscapeSlack = 8;

// Length of the valid UTF-8 sequence starting at in[pos] (a byte >= 0x80), or 0 when the bytes
// there are not one (overlong forms, surrogates and code points above U+10FFFF are invalid).
std::size_t utf8_sequence_length(std::string_view in, std::size_t pos);

inline constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";

// Which bytes an escaper must look at: the ASCII `kSpecials`, control characters when
// `kControls`, and every byte >= 0x80 (to validate UTF-8).
template <bool kControls, char... kSpecials>
struct Escaping {
  static constexpr std::array<bool, 256> kTable = [] {
    std::array<bool, 256> table{};
    for (std::size_t c = 0x80; c < 256; ++c) table[c] = true;
    ((table[static_cast<unsigned char>(kSpecials)] = true), ...);
    if (kControls) {
      for (std::size_t c = 0; c < 0x20; ++c) table[c] = true;
    }
    return table;
  }();

  // True when none of the 8 bytes in `word` needs a look: lets label values, nearly always
  // plain ASCII, be copied a word at a time (the classic "has a zero byte" bit trick).
  static bool plain_word(std::uint64_t word) {
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
    constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
    std::uint64_t hits = word & kHighs;
    ((hits |= zero_byte_bits(word ^ (kOnes * static_cast<unsigned char>(kSpecials)))), ...);
    if constexpr (kControls) hits |= (word - kOnes * 0x20) & ~word & kHighs;
    return hits == 0;
  }

 private:
  static std::uint64_t zero_byte_bits(std::uint64_t v) {
    return (v - 0x0101010101010101ULL) & ~v & 0x8080808080808080ULL;
  }
};

// Copies `in` to `p`, writing `escape(p, c)` for each ASCII byte the Escaping looks at and
// sanitising non-ASCII bytes; returns the end of what it wrote. May write up to kEscapeSlack
// bytes of scratch past that end: the short tail of a plain string is stored as one word.
template <typename Escaping, typename EscapeFn>
char* write_escaped(char* p, std::string_view in, EscapeFn&& escape) {
  static_assert(std::endian::native == std::endian::little, "the word tricks assume it");
  const char* data = in.data();
  const std::size_t size = in.size();
  std::size_t i = 0;
  for (;;) {
    std::uint64_t word;
    while (size - i >= 8) {
      std::memcpy(&word, data + i, 8);
      if (!Escaping::plain_word(word)) break;
      std::memcpy(p, &word, 8);
      p += 8;
      i += 8;
    }
    if (i == size) return p;
    const std::size_t left = size - i;
    if (left < 8 && size >= 8) {
      // The last 8 bytes, shifted so the `left` unwritten ones come first.
      std::memcpy(&word, data + size - 8, 8);
      if (Escaping::plain_word(word)) {
        word >>= 8 * (8 - left);
        std::memcpy(p, &word, 8);
        return p + left;
      }
    }
    const auto c = static_cast<unsigned char>(data[i]);
    if (!Escaping::kTable[c]) {
      *p++ = static_cast<char>(c);
      ++i;
    } else if (c < 0x80) {
      p = escape(p, static_cast<char>(c));
      ++i;
    } else if (const std::size_t len = utf8_sequence_length(in, i); len != 0) {
      std::memcpy(p, data + i, len);
      p += len;
      i += len;
    } else {
      std::memcpy(p, kReplacementChar.data(), kReplacementChar.size());
      p += kReplacementChar.size();
      ++i;
    }
  }
}

// The three characters the Prometheus and OpenMetrics text formats escape.
inline char* escape_text(char* p, char c) {
  p[0] = '\\';
  p[1] = c == '\n' ? 'n' : c;
  return p + 2;
}

// Prometheus text and OpenMetrics label values: backslash, double quote, line feed. Inline:
// it runs for every label of every sample.
inline char* write_label_value(char* p, std::string_view value) {
  return write_escaped<Escaping<false, '\\', '"', '\n'>>(p, value, escape_text);
}
// Prometheus text 0.0.4 HELP: backslash and line feed only.
char* write_prometheus_help(char* p, std::string_view help);
// OpenMetrics HELP: backslash, line feed and double quote.
char* write_openmetrics_help(char* p, std::string_view help);
// Body of a JSON string (without the quotes): quote, backslash and control characters.
char* write_json_string_body(char* p, std::string_view text);
// One RFC 4180 field: quoted when it holds a comma, quote, CR or LF; quotes doubled.
char* write_csv_field(char* p, std::string_view field);

}  // namespace observo::metrics::detail
