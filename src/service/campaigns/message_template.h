// Campaign message templates: "尊敬的{{name}}，…" with per-customer fields, checked when
// the campaign is created (a placeholder no customer field fills is refused), filled
// per recipient at launch; and the e-mail as it goes over SMTP (RFC 5322 with MIME: a
// plain-text and an HTML part, the subject as RFC 2047 encoded words, List-Unsubscribe
// with one-click per RFC 8058).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/date_time.h"
#include "core/status.h"

namespace fincrm {

// The fields a template may name: name, surname, customer_id, branch_id, broker_id,
// tier, tier_zh, assets_yuan, product_id, link_url (the tracked click link),
// unsubscribe_url.
const std::vector<std::string_view>& TemplateFieldNames();

// InvalidArgument naming `field` for an unknown or unclosed placeholder.
Status CheckTemplate(std::string_view text, std::string_view field);
// The placeholders `text` uses, in order of first appearance.
std::vector<std::string> TemplatePlaceholders(std::string_view text);
// `text` with each placeholder replaced by its value (HTML-escaped when `html`).
std::string FillTemplate(std::string_view text, const std::map<std::string, std::string>& values, bool html);

struct EmailContent {
  std::string from;
  std::string to;
  std::string subject;  // UTF-8
  std::string text;
  std::string html;     // optional
  std::string message_id;       // without the angle brackets
  std::string unsubscribe_url;  // optional
  Timestamp date;
};
// The whole message, CRLF line ends, 7-bit clean (bodies in base64).
std::string ComposeEmail(const EmailContent& content);
// "=?UTF-8?B?...?=" words of at most 75 bytes, split only between UTF-8 characters;
// pure ASCII text is returned as it is.
std::string EncodeHeaderWords(std::string_view text);
std::string Base64(std::string_view bytes);
// At most `max` bytes of `text`, cut between UTF-8 characters.
std::string Utf8Prefix(std::string_view text, size_t max);

}  // namespace fincrm
