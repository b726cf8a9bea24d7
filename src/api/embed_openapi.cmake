# Writes OUTPUT, a C++ file defining fincrm::OpenApiDocument() with INPUT's text.
file(READ ${INPUT} content)
set(delimiter "FINCRM_OPENAPI")
file(WRITE ${OUTPUT} "#include \"api/openapi_document.h\"\nnamespace fincrm {\nstd::string_view OpenApiDocument() {\n  static constexpr char kText[] = R\"${delimiter}(${content})${delimiter}\";\n  return {kText, sizeof kText - 1};\n}\n}  // namespace fincrm\n")
