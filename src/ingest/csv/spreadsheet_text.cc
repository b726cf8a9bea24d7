#include "ingest/csv/spreadsheet_text.h"

namespace fincrm {
namespace {

bool StartsAFormula(char c) { return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r'; }

bool IsPlainNumber(std::string_view text) {
  size_t i = text.starts_with('-') ? 1 : 0;
  size_t digits = 0, dots = 0;
  for (; i < text.size(); ++i) {
    if (text[i] >= '0' && text[i] <= '9') ++digits;
    else if (text[i] == '.' && ++dots == 1) continue;
    else return false;
  }
  return digits > 0;
}

// Whether the text, past any leading apostrophes, begins like a formula.
bool LooksLikeFormula(std::string_view text) {
  size_t first = text.find_first_not_of('\'');
  return first != std::string_view::npos && StartsAFormula(text[first]) && !(first == 0 && IsPlainNumber(text));
}

}  // namespace

std::string_view NeutraliseFormula(std::string_view cell, std::string& scratch) {
  if (cell.empty() || (cell.front() != '\'' && !StartsAFormula(cell.front())) || !LooksLikeFormula(cell)) return cell;
  scratch.assign("'");
  scratch.append(cell);
  return scratch;
}

std::string_view RestoreFormulaText(std::string_view cell) {
  if (cell.starts_with('\'') && LooksLikeFormula(cell)) cell.remove_prefix(1);
  return cell;
}

}  // namespace fincrm
