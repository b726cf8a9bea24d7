#include "api/event_batch_parser.h"

#include <simdjson.h>

#include <charconv>

#include "api/request_json.h"

namespace fincrm {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

std::string NumberText(element value) {
  char buffer[32];
  char* end = buffer;
  switch (value.type()) {
    case element_type::INT64: end = std::to_chars(buffer, buffer + 32, int64_t(value)).ptr; break;
    case element_type::UINT64: end = std::to_chars(buffer, buffer + 32, uint64_t(value)).ptr; break;
    default: end = std::to_chars(buffer, buffer + 32, double(value)).ptr; break;
  }
  return std::string(buffer, end);
}

Status ReadFlatObject(simdjson::dom::object object, std::vector<JsonField>& fields) {
  fields.clear();
  for (auto [key, value] : object) {
    JsonField& field = fields.emplace_back();
    field.name = std::string(key);
    switch (value.type()) {
      case element_type::STRING:
        field.kind = JsonField::kString;
        field.text = std::string(std::string_view(value));
        break;
      case element_type::INT64:
      case element_type::UINT64:
      case element_type::DOUBLE:
        field.kind = JsonField::kNumber;
        field.text = NumberText(value);
        break;
      case element_type::BOOL:
        field.kind = JsonField::kBool;
        field.text = bool(value) ? "1" : "0";
        break;
      case element_type::NULL_VALUE: field.kind = JsonField::kNull; break;
      default: return InvalidArgument("must be a string, number, boolean or null", field.name);
    }
  }
  return Status::Ok();
}

const JsonField* Find(const std::vector<JsonField>& fields, std::string_view name) {
  for (const JsonField& field : fields) {
    if (field.name == name) return &field;
  }
  return nullptr;
}

// One event object into a CustomerEvent; the error names the field.
Status DecodeEvent(element item, CustomerEvent& event) {
  simdjson::dom::object object;
  if (item.get_object().get(object)) return InvalidArgument("an event must be a JSON object", "");
  std::string_view text;
  if (object["event_id"].get_string().get(text) || text.empty()) {
    return InvalidArgument("is required (a non-empty string)", "event_id");
  }
  FINCRM_RETURN_IF_ERROR(ValidateIdentifier(text, "event_id"));
  event.event_id = std::string(text);
  if (object["type"].get_string().get(text)) return InvalidArgument("is required (a string)", "type");
  auto type = ParseEnum<EventType>(text);
  if (!type) return InvalidArgument("unknown event type, expected " + EnumChoices<EventType>(), "type");
  event.type = *type;
  simdjson::dom::object data;
  if (object["data"].get_object().get(data)) return InvalidArgument("is required (an object)", "data");
  std::vector<JsonField> fields;
  Status read = ReadFlatObject(data, fields);
  if (!read.ok()) return InvalidArgument(read.message(), "data." + read.field());
  auto decode = [&]<class T>() -> Status {
    T row;
    Status status = DecodeEntity(fields, row);
    if (!status.ok()) return InvalidArgument(status.message(), "data." + status.field());
    event.body = std::move(row);
    return Status::Ok();
  };
  switch (event.type) {
    case EventType::kTrade: return decode.operator()<Trade>();
    case EventType::kAssetSnapshot: return decode.operator()<AssetSnapshot>();
    case EventType::kInteraction: return decode.operator()<Interaction>();
    case EventType::kAccountOpened: return decode.operator()<Account>();
    case EventType::kHoldingSnapshot: return decode.operator()<Holding>();
    case EventType::kAccountClosed: {
      AccountClosure closure;
      for (const char* name : {"customer_id", "account_id", "close_date"}) {
        const JsonField* field = Find(fields, name);
        if (!field || field->text.empty()) return InvalidArgument("is required", std::string("data.") + name);
      }
      for (const JsonField& field : fields) {
        if (field.name != "customer_id" && field.name != "account_id" && field.name != "close_date") {
          return InvalidArgument("unknown field", "data." + field.name);
        }
      }
      closure.customer_id = Find(fields, "customer_id")->text;
      closure.account_id = Find(fields, "account_id")->text;
      Status date = ParseFieldValue(Find(fields, "close_date")->text, closure.close_date);
      if (!date.ok()) return InvalidArgument(date.message(), "data.close_date");
      event.body = std::move(closure);
      return Status::Ok();
    }
    case EventType::kCustomerProfile: {
      ProfileChange change;
      const JsonField* id = Find(fields, "customer_id");
      if (!id || id->text.empty()) return InvalidArgument("is required", "data.customer_id");
      change.customer_id = id->text;
      Customer probe;  // checks names and values now; the store applies them to the stored profile
      probe.customer_id = change.customer_id;
      for (const JsonField& field : fields) {
        if (field.name == "customer_id") continue;
        Status applied = ApplyFieldText(probe, field.name, field.text);
        if (!applied.ok()) return InvalidArgument(applied.message(), "data." + applied.field());
        change.fields.emplace_back(field.name, field.text);
      }
      if (change.fields.empty()) return InvalidArgument("names no field to change", "data");
      event.body = std::move(change);
      return Status::Ok();
    }
  }
  return InvalidArgument("unsupported event type", "type");
}

}  // namespace

Result<std::vector<JsonField>> ParseFlatJsonObject(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(json.data(), json.size()).get(root)) {
    return InvalidArgument(std::string("malformed JSON: ") + simdjson::error_message(error), "");
  }
  simdjson::dom::object object;
  if (root.get_object().get(object)) return InvalidArgument("the body must be a JSON object", "");
  std::vector<JsonField> fields;
  FINCRM_RETURN_IF_ERROR(ReadFlatObject(object, fields));
  return fields;
}

Result<ParsedEventBatch> ParseEventBatch(std::string_view body, bool ndjson, size_t max_events) {
  ParsedEventBatch batch;
  simdjson::dom::parser parser;
  auto take = [&](element item) {
    size_t index = batch.total++;
    CustomerEvent event;
    Status status = DecodeEvent(item, event);
    if (status.ok()) {
      batch.valid.push_back(std::move(event));
      batch.valid_index.push_back(index);
    } else {
      batch.rejected.push_back({index, {EventOutcome::kRejected, status.field(), status.message()}});
    }
  };
  if (ndjson) {
    // Line by line, so a malformed line is that event's error rather than the batch's.
    size_t start = 0;
    while (start < body.size()) {
      size_t end = body.find('\n', start);
      if (end == std::string_view::npos) end = body.size();
      std::string_view line = body.substr(start, end - start);
      start = end + 1;
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
      if (line.empty()) continue;
      if (batch.total >= max_events) {
        return InvalidArgument("more than " + std::to_string(max_events) + " events in one request", "");
      }
      element item;
      if (auto error = parser.parse(line.data(), line.size()).get(item)) {
        batch.rejected.push_back({batch.total++, {EventOutcome::kRejected, "",
                                                  std::string("malformed JSON: ") + simdjson::error_message(error)}});
        continue;
      }
      take(item);
    }
    return batch;
  }
  element root;
  if (auto error = parser.parse(body.data(), body.size()).get(root)) {
    return InvalidArgument(std::string("malformed JSON: ") + simdjson::error_message(error), "");
  }
  simdjson::dom::array items;
  if (root.get_array().get(items)) return InvalidArgument("the body must be a JSON array of events", "");
  if (items.size() > max_events) {
    return InvalidArgument("more than " + std::to_string(max_events) + " events in one request", "");
  }
  for (element item : items) take(item);
  return batch;
}

}  // namespace fincrm
