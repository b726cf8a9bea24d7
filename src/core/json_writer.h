// A streaming JSON writer for API responses and webhook payloads: appends to one
// string, escapes text per RFC 8259, inserts commas itself. Keys and values must
// alternate inside objects; the caller keeps the nesting balanced.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fincrm {

class JsonWriter {
 public:
  JsonWriter& BeginObject() { return Open('{'); }
  JsonWriter& EndObject() { return Close('}'); }
  JsonWriter& BeginArray() { return Open('['); }
  JsonWriter& EndArray() { return Close(']'); }
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Double(double value);  // shortest round-trip text; NaN/inf become null
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // A number already in JSON syntax (e.g. yuan "1234.56"), written as is.
  JsonWriter& RawNumber(std::string_view text);
  // A complete JSON value produced elsewhere (e.g. a stored profile).
  JsonWriter& RawJson(std::string_view json);

  JsonWriter& Field(std::string_view key, std::string_view value) { return Key(key).String(value); }
  JsonWriter& Field(std::string_view key, const char* value) { return Key(key).String(value); }
  JsonWriter& Field(std::string_view key, int64_t value) { return Key(key).Int(value); }
  JsonWriter& Field(std::string_view key, int value) { return Key(key).Int(value); }
  JsonWriter& Field(std::string_view key, double value) { return Key(key).Double(value); }
  JsonWriter& Field(std::string_view key, bool value) { return Key(key).Bool(value); }

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  JsonWriter& Open(char c);
  JsonWriter& Close(char c);
  void BeforeValue();

  std::string out_;
  std::vector<bool> first_;  // per open container: nothing written yet
  bool after_key_ = false;
};

// Appends `text` as a JSON string literal (with quotes).
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace fincrm
