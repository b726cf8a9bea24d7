// docs/import-formats.md is what users read to prepare files: every column of every
// kind, in English and Chinese, must be documented there.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/entity_fields.h"

namespace fincrm {
namespace {

TEST(ImportFormatsDocTest, EveryColumnIsDocumented) {
  std::ifstream file(std::string(FINCRM_SOURCE_DIR) + "/docs/import-formats.md");
  ASSERT_TRUE(file.good());
  std::stringstream text;
  text << file.rdbuf();
  std::string doc = text.str();
  for (EntityKind kind : kAllEntityKinds) {
    VisitEntityKind(kind, [&]<class T>() {
      std::string section = "## " + std::string(EntityInfo<T>::kName) + " (";
      size_t start = doc.find(section);
      ASSERT_NE(start, std::string::npos) << section;
      size_t end = doc.find("\n## ", start + 1);
      std::string body = doc.substr(start, end - start);
      for (const auto& field : EntityInfo<T>::kFields) {
        EXPECT_NE(body.find("| " + std::string(field.name) + " "), std::string::npos) << field.name;
        EXPECT_NE(body.find("| " + std::string(field.label_zh) + " |"), std::string::npos) << field.label_zh;
      }
    });
  }
}

}  // namespace
}  // namespace fincrm
