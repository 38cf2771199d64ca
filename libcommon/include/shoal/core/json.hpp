// Reading JSON that users hand to the tools (configs) or that models carry (metadata).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace shoal {

// Parses `text`; an Error names `what` when it is not valid JSON or nests deeper than
// kMaxJsonDepth (limits.hpp): nlohmann's parser is iterative, but copying, comparing and
// dumping a document recurse once per level.
nlohmann::ordered_json parse_json(std::string_view text, const std::string& what);

}  // namespace shoal
