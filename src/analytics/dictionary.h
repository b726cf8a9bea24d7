// A string dictionary: dense uint32 codes for repeated text (symbols, branch ids),
// so that fact columns hold 4-byte codes instead of strings. Not thread-safe for
// writes; concurrent reads are fine.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace fincrm {

class Dictionary {
 public:
  // The code of `text`, adding it when new.
  uint32_t Intern(std::string_view text) {
    auto it = codes_.find(text);
    if (it != codes_.end()) return it->second;
    uint32_t code = static_cast<uint32_t>(values_.size());
    values_.emplace_back(text);
    codes_.emplace(values_.back(), code);
    return code;
  }
  std::optional<uint32_t> Find(std::string_view text) const {
    auto it = codes_.find(text);
    if (it == codes_.end()) return std::nullopt;
    return it->second;
  }
  const std::string& Value(uint32_t code) const { return values_[code]; }
  size_t size() const { return values_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  std::vector<std::string> values_;
  // The map holds its own copy of each key: short strings live inside the vector's
  // elements, which move when it grows.
  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> codes_;
};

}  // namespace fincrm
