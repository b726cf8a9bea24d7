// Domain validation: what a well-formed entity is, independent of any store.
//
// Each Validate overload returns OK or the first problem found, with the offending
// field named. Whether referenced rows exist (a customer's branch, a trade's account)
// is checked where the store is known, in ingest and the API.
#pragma once

#include <string_view>

#include "core/entity_fields.h"
#include "core/holding.h"
#include "core/status.h"

namespace fincrm {

// GB 11643-1999 resident ID: 17 digits + check character (0-9 or X), a valid birth
// date at positions 7-14. Returns InvalidArgument naming what is wrong.
Status ValidateResidentId(std::string_view id_number);
// The check character (0-9 or 'X') for the first 17 digits.
char ResidentIdCheckChar(std::string_view first17);

// Mainland mobile: 11 digits, "1" then 3-9.
Status ValidateMobile(std::string_view mobile);
Status ValidateEmail(std::string_view email);
// Natural keys: 1-64 characters of letters, digits, '-', '_', '.'.
Status ValidateIdentifier(std::string_view id, std::string_view field);

// The bounds of plausible market data (docs/data-model.md, "Validation bounds"):
// trades, asset snapshots and interactions dated from 1990-12-19 (the Shanghai Stock
// Exchange's opening) to a day ahead of now; a trade's amount within 1% or 1 yuan of
// quantity × price (bonds 10%: their amount carries accrued interest; options × the
// contract unit of 10,000); commission at most 1% of the amount or 5 yuan (options 50
// yuan a contract).
inline constexpr int64_t kMaxClockAheadSeconds = 86400;
inline constexpr int64_t kMaxTradeQuantity = 10'000'000'000;
inline constexpr int64_t kMaxPriceLi = 1'000'000'000;  // 1,000,000 yuan a unit
inline constexpr int64_t kOptionContractUnit = 10000;
inline constexpr int64_t kMaxOptionCommissionFen = 5000;
inline constexpr int64_t kMaxAssetsFen = 1'000'000'000'000'000;  // 10 trillion yuan

Status Validate(const Branch& branch);
Status Validate(const Staff& staff);
Status Validate(const Customer& customer);
Status Validate(const HouseholdMember& member);
Status Validate(const Account& account);
Status Validate(const AssetSnapshot& snapshot);
Status Validate(const Trade& trade);
Status Validate(const Interaction& interaction);
Status Validate(const Product& product);
// A holdings line: identifiers, a symbol of at most 16, quantity and cost not negative.
Status Validate(const Holding& holding);
// Login: 3-64 letters, digits, '.', '_', '-'; branch managers need a branch, brokers
// their staff id.
Status Validate(const StaffUser& user);

}  // namespace fincrm
