// Text bound for spreadsheets.
#pragma once

#include <string>
#include <string_view>

namespace fincrm {

// Spreadsheet formula injection (OWASP, "CSV Injection"): Excel and LibreOffice run a
// cell that begins with '=', '+', '-', '@', a tab or a carriage return as a formula. Such
// a cell is written with a leading apostrophe, so it is shown as the text it is; so is
// a cell that already begins with apostrophes before such a character, so that the
// importer's reverse (RestoreFormulaText, dropping one apostrophe) gives the text back
// exactly. Plain numbers ("-12.50") are no formula and stay as they are. Returns
// `cell` itself or the neutralised text in `scratch`.
std::string_view NeutraliseFormula(std::string_view cell, std::string& scratch);
std::string_view RestoreFormulaText(std::string_view cell);

}  // namespace fincrm
