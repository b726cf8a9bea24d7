// The OpenAPI 3 description of the API (docs/openapi.json), compiled into the binary
// and served at /api/v1/openapi.json.
#pragma once

#include <string_view>

namespace fincrm {
std::string_view OpenApiDocument();
}
