// The one family every publisher of certificate expiry shares (the Pixie source, `observo
// server` for server.tls and otlp.tls). The Hub merges families of the same name on the page
// and keeps the metadata of the first publisher, so all of them must use these exact strings.
#pragma once

#include <string_view>

namespace observo::metrics {

inline constexpr std::string_view kCertificateExpiryFamily =
    "observo_certificate_expiry_timestamp_seconds";
inline constexpr std::string_view kCertificateExpiryHelp =
    "Expiry (notAfter) of each certificate a source uses, as Unix seconds.";

}  // namespace observo::metrics
