// A touch-point event (接触点): a call, a visit, a complaint, a page view, an SMS...
// Interactions form the customer's unified timeline.
#pragma once

#include <cstdint>
#include <string>

#include "core/date_time.h"
#include "core/enums.h"

namespace fincrm {

struct Interaction {
  std::string interaction_id;  // natural key
  std::string customer_id;
  Timestamp occurred_at;
  InteractionChannel channel = InteractionChannel::kCallCenter;
  Direction direction = Direction::kInbound;
  InteractionType type = InteractionType::kInquiry;
  std::string staff_id;  // optional
  std::string subject;
  std::string notes;    // optional
  std::string outcome;  // optional
  int64_t duration_seconds = 0;
};

}  // namespace fincrm
