// The typed model of a programme (spec §1–6), built and validated once by load_program.
// Evaluation never looks at raw JSON again: every reference is a resolved index.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dealercalc/decimal.hpp"
#include "dealercalc/error.hpp"
#include "dealercalc/logic.hpp"
#include "dealercalc/value.hpp"

namespace dealercalc {

inline constexpr const char* kProgramFormat = "dealer-incentive-program/1";

enum class Category { Content, Community, Promotion, Tools, Training, Sales, Data, Other };
enum class MetricType { Count, Amount, Number, Percent, Boolean };
enum class RuleKind { Rate, Tiered, Multiplier, Award };
enum class TierMode { Retro, Marginal, Fixed };
enum class Curve { Linear, Step };
enum class SlotKind { Metric, Derived, Score };

const char* to_string(Category c);
const char* to_string(MetricType t);
const char* to_string(RuleKind k);
const char* to_string(TierMode m);

// A calendar date as days since 1970-01-01 (proleptic Gregorian).
struct Date {
    int days = 0;
    static bool parse(std::string_view iso, Date& out);  // "YYYY-MM-DD", validated
    std::string to_string() const;
    friend bool operator<(Date a, Date b) { return a.days < b.days; }
    friend bool operator<=(Date a, Date b) { return a.days <= b.days; }
    friend bool operator==(Date a, Date b) { return a.days == b.days; }
};

struct Unit {
    std::string id;  // the currency code for index 0
    Value label;     // localized text, or null for the currency
    int precision = 2;
    bool is_currency = false;
};

struct Metric {
    std::string id;
    Value label, help;
    Category category = Category::Other;
    MetricType type = MetricType::Number;
    std::optional<Decimal> min, max;
    std::optional<Value> default_value;  // a number or a bool
    bool cumulative = false;
    int slot = 0;
    // The smallest step a dealer can change this metric by (1 for counts, the currency
    // precision for amounts, 10^-6 for numbers and percents; booleans: 1).
    Decimal resolution;
    int decimals = 0;  // most decimal places a figure may have
};

struct Derived {
    std::string id;
    Value label, help;
    Logic expr;
    std::optional<int> precision;
    int slot = 0;
    std::vector<int> reads;  // slots the expression reads
};

struct ScoreItem {
    int slot = 0;  // the value scored
    std::string value_id;
    Decimal target, points;
    Curve curve = Curve::Linear;
};

struct Score {
    std::string id;
    Value label, help;
    std::optional<Decimal> max;
    std::vector<ScoreItem> items;
    int slot = 0;
};

struct Tier {
    Decimal from;
    Decimal rate;    // retro, marginal
    Decimal amount;  // fixed
    Decimal factor;  // multiplier
    Value name;      // localized text or null
    Value award;     // tiered award: {"label": ...}
};

struct Rule {
    std::string id;
    Value label, help;
    Category category = Category::Other;
    RuleKind kind = RuleKind::Rate;
    TierMode mode = TierMode::Retro;
    int unit = 0;  // index into Program::units
    std::optional<Decimal> cap;
    bool has_when = false;
    Logic when;
    Value when_source;
    int base = -1;   // slot, rate and tiered
    int basis = -1;  // slot, tiered, multiplier, tiered award
    Decimal rate;
    std::optional<Decimal> per;
    std::vector<Tier> tiers;
    std::vector<int> applies_to;  // rule indexes, multiplier
    Value award;                  // plain award: {"label": ...}
    int multiplied_by = -1;       // the multiplier that targets this rule, if any
    bool is_tiered() const { return !tiers.empty(); }
};

struct Cap {
    std::string id;
    Value label, help;
    std::vector<int> rules;  // resolved covered rules, whatever the selector
    int unit = 0;
    Decimal max;
};

struct Program {
    std::string id, version;
    Value name, description;
    std::string currency = "CNY";
    std::vector<Unit> units;  // [0] is the currency
    bool has_period = false;
    Date period_start, period_end;
    std::vector<Metric> metrics;
    std::vector<Derived> derived;
    std::vector<Score> scores;
    std::vector<Rule> rules;
    std::vector<Cap> caps;

    // Every value (metric, derived, score) has a slot: metrics first, then derived values
    // and scores in document order.
    std::vector<std::string> slot_ids;
    std::vector<SlotKind> slot_kinds;
    std::vector<int> slot_index;  // index within metrics/derived/scores
    // For each slot, the metric slots it depends on (transitively), ascending.
    std::vector<std::vector<int>> slot_inputs;

    Value source;  // the document as loaded, for the page's labels and help

    int slot_of(std::string_view id) const;  // -1 when unknown
    int rule_of(std::string_view id) const;  // -1 when unknown
    int unit_of(std::string_view id) const;  // -1 when unknown
    const Metric* metric_of(std::string_view id) const;
    // The metric slots a rule's `when` reads (transitively).
    std::vector<int> when_inputs(const Rule& r) const;
};

// Limits on what a programme may hold (documented in docs/limits.md).
struct ProgramLimits {
    std::size_t max_bytes = 2 * 1024 * 1024;
    std::size_t max_depth = 64;
    std::size_t max_metrics = 500;
    std::size_t max_rules = 500;
    std::size_t max_tiers = 100;
    std::size_t max_text = 2000;  // characters (bytes) of one text
};

// Parses and validates. Throws Failure with parse_error, unsupported_format or
// invalid_program (listing every problem found).
Program parse_program(std::string_view json_text, const ProgramLimits& limits = {});
Program load_program(const Value& document, const ProgramLimits& limits = {});

// ISO 4217 minor units for the currencies dealers use; -1 when unknown.
int currency_precision(std::string_view code);

}  // namespace dealercalc
