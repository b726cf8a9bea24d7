#include "analytics/model_card.h"

#include <cstdio>

namespace fincrm {
namespace {

std::string Escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(c) < 0x20) {
      char code[8];
      std::snprintf(code, sizeof code, "\\u%04x", c);
      out += code;
      continue;
    }
    out.push_back(c);
  }
  return out;
}

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

}  // namespace

std::string ModelCard::Print() const {
  std::string out;
  char line[256];
  out += "Model card: " + name + " (" + version + ")\n";
  out += "  trained:          " + trained_at + "\n";
  out += "  positive class:   " + label + "\n";
  std::snprintf(line, sizeof line, "  training rows:    %lld (%lld positive, %.1f%%), %lld features\n",
                static_cast<long long>(training_rows), static_cast<long long>(positives),
                training_rows ? 100.0 * positives / training_rows : 0.0, static_cast<long long>(features));
  out += line;
  out += "  evaluation:       " + evaluation + "\n";
  out += "  parameters:       " + parameters + "\n";
  if (roc_auc_sd > 0) {
    std::snprintf(line, sizeof line, "ROC AUC: %.3f (± %.3f across folds)\n", roc_auc, roc_auc_sd);
  } else {
    std::snprintf(line, sizeof line, "ROC AUC: %.3f\n", roc_auc);
  }
  out += line;
  std::snprintf(line, sizeof line, "PR AUC: %.3f\ntop-decile lift: %.2f\n", pr_auc, top_decile_lift);
  out += line;
  out += "calibration (predicted -> observed, rows):\n";
  for (int b = 0; b < 10; ++b) {
    if (calibration[b].count == 0) continue;
    std::snprintf(line, sizeof line, "  %.1f-%.1f  %.3f -> %.3f  (%lld)\n", b / 10.0, (b + 1) / 10.0,
                  calibration[b].mean_predicted, calibration[b].observed_rate,
                  static_cast<long long>(calibration[b].count));
    out += line;
  }
  out += "feature importance (mean |SHAP|, log-odds):\n";
  for (size_t i = 0; i < importance.size() && i < 15; ++i) {
    std::snprintf(line, sizeof line, "  %-32s %.4f\n", importance[i].first.c_str(), importance[i].second);
    out += line;
  }
  return out;
}

std::string ModelCard::ToJson() const {
  std::string out = "{";
  out += "\"name\":\"" + Escaped(name) + "\",\"version\":\"" + Escaped(version) + "\",\"trained_at\":\"" +
         Escaped(trained_at) + "\",\"label\":\"" + Escaped(label) + "\",\"evaluation\":\"" + Escaped(evaluation) +
         "\",\"parameters\":\"" + Escaped(parameters) + "\"";
  out += ",\"training_rows\":" + std::to_string(training_rows) + ",\"positives\":" + std::to_string(positives) +
         ",\"features\":" + std::to_string(features);
  out += ",\"roc_auc\":" + Number(roc_auc) + ",\"roc_auc_sd\":" + Number(roc_auc_sd) + ",\"pr_auc\":" +
         Number(pr_auc) + ",\"top_decile_lift\":" + Number(top_decile_lift);
  out += ",\"calibration\":[";
  for (int b = 0; b < 10; ++b) {
    if (b) out += ",";
    out += "{\"mean_predicted\":" + Number(calibration[b].mean_predicted) + ",\"observed_rate\":" +
           Number(calibration[b].observed_rate) + ",\"count\":" + std::to_string(calibration[b].count) + "}";
  }
  out += "],\"importance\":[";
  for (size_t i = 0; i < importance.size(); ++i) {
    if (i) out += ",";
    out += "{\"feature\":\"" + Escaped(importance[i].first) + "\",\"mean_abs_shap\":" + Number(importance[i].second) + "}";
  }
  out += "]}";
  return out;
}

}  // namespace fincrm
