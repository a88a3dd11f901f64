// The X-Ray source's HTTP client (X-Ray API, STS, credential endpoints) is the shared one in
// common/http_client.h; these names keep the source's code unchanged.
#pragma once

#include "common/http_client.h"
#include "sources/xray/sigv4.h"

namespace observo::xray {

using common::HttpClient;
using common::HttpClientOptions;
using common::HttpResponse;
using common::parse_url;
using common::Url;

}  // namespace observo::xray
