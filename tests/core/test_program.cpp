// Programme parsing and validation (spec §1–6, §11): the typed model, and every
// problem of a broken programme reported at once with a JSON Pointer and a reason.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "dealercalc/program.hpp"
#include "support.hpp"

using namespace dealercalc;

namespace {

// A programme document around `body` (the members after the header).
std::string programme(const std::string& body) {
    return R"({"format": "dealer-incentive-program/1", "id": "p", "version": "1", "name": "P", )" + body + "}";
}

// Four metrics, one of each numeric kind plus a boolean, for the small programmes below.
const std::string kMetrics = R"("metrics": [
  {"id": "reads", "label": "Reads", "category": "content", "type": "count"},
  {"id": "sales", "label": "Sales", "category": "sales", "type": "amount"},
  {"id": "active", "label": "Active", "category": "community", "type": "percent"},
  {"id": "joined", "label": "Joined", "category": "training", "type": "boolean"}])";

const std::string kUnits = R"("units": [{"id": "points", "label": "Points"}])";

const std::string kRule = R"("rules": [{"id": "r", "kind": "rate", "base": "reads", "rate": 1}])";

// The error parse_program throws for `text`; fails the test when it throws nothing.
Error program_error(const std::string& text) {
    try {
        (void)parse_program(text);
    } catch (const Failure& f) {
        return f.error;
    }
    FAIL("the programme was accepted: " << text);
    return {};
}

bool has(const Error& e, const std::string& path, const std::string& reason) {
    return std::any_of(e.details.begin(), e.details.end(),
                       [&](const ErrorDetail& d) { return d.path == path && d.reason == reason; });
}

bool detail_at_prefix(const Error& e, const std::string& prefix) {
    return std::any_of(e.details.begin(), e.details.end(), [&](const ErrorDetail& d) { return d.path.rfind(prefix, 0) == 0; });
}

std::string describe(const Error& e) {
    std::string s = e.code + ":";
    for (const ErrorDetail& d : e.details) s += "\n  " + d.path + " " + d.reason + " (" + d.message + ")";
    return s;
}

// The programme is refused as invalid_program with exactly one problem, at `path`.
void expect_only(const std::string& text, const std::string& path, const std::string& reason) {
    const Error e = program_error(text);
    INFO(describe(e));
    CHECK(e.code == "invalid_program");
    REQUIRE(e.details.size() == 1);
    CHECK(e.details[0].path == path);
    CHECK(e.details[0].reason == reason);
    CHECK_FALSE(e.details[0].message.empty());
}

}  // namespace

// ---------------------------------------------------------------------------
// Parsing and format

TEST_CASE("Programme that is not JSON is a parse error with line and column") {
    const Error e = program_error("{\n  \"format\": \"dealer-incentive-program/1\",\n  \"id\": oops\n}");
    INFO(describe(e));
    CHECK(e.code == "parse_error");
    CHECK(e.line == 3);
    CHECK(e.column == 9);
    REQUIRE(e.details.size() == 1);
    REQUIRE(e.details[0].args.is_object());
    CHECK(*e.details[0].args.find("line") == Value(3));
    CHECK(*e.details[0].args.find("column") == Value(9));
    CHECK(e.message.find("line 3") != std::string::npos);

    const Error empty = program_error("");
    CHECK(empty.code == "parse_error");
    const std::string text = programme(kMetrics + ", " + kRule) + ",";
    const Error trailing = program_error(text);
    CHECK(trailing.code == "parse_error");
    CHECK(trailing.line == static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n') + 1));
}

TEST_CASE("Programme with any other or a missing format is unsupported_format") {
    const std::string rest = R"("id": "p", "version": "1", "name": "P", )" + kMetrics + ", " + kRule;
    for (const std::string& format : std::vector<std::string>{R"("format": "dealer-incentive-program/2", )", R"("format": "dealer-incentive-figures/1", )",
                                      R"("format": "Dealer-Incentive-Program/1", )", R"("format": "dealer-incentive-program/1 ", )",
                                      R"("format": 1, )", R"("format": null, )", std::string()}) {
        CAPTURE(format);
        const Error e = program_error("{" + format + rest + "}");
        INFO(describe(e));
        CHECK(e.code == "unsupported_format");
        REQUIRE(e.details.size() == 1);
        CHECK(e.details[0].path == "/format");
        CHECK(e.details[0].reason == "unsupported_format");
    }
    // The format is checked before anything else: no invalid_program for a v2 document
    // even when it is full of what v1 would call problems.
    CHECK(program_error(R"({"format": "dealer-incentive-program/2", "rules": 7})").code == "unsupported_format");
}

TEST_CASE("Programme that is JSON but not an object is refused") {
    const Error e = program_error("[1, 2]");
    CHECK(e.code == "invalid_program");
    REQUIRE(e.details.size() == 1);
    CHECK(e.details[0].path == "");
    CHECK(e.details[0].reason == "not_an_object");
}

// ---------------------------------------------------------------------------
// The typed model

TEST_CASE("Programme currency is units[0] with its ISO precision or the override") {
    struct Case {
        std::string header;
        std::string code;
        int precision;
    };
    for (const Case& c : {Case{"", "CNY", 2}, Case{R"("currency": "CNY", )", "CNY", 2}, Case{R"("currency": "JPY", )", "JPY", 0},
                          Case{R"("currency": "KWD", )", "KWD", 3}, Case{R"("currency": "USD", )", "USD", 2},
                          Case{R"("currency": "CNY", "currency_precision": 0, )", "CNY", 0},
                          Case{R"("currency": "JPY", "currency_precision": 2, )", "JPY", 2},
                          Case{R"("currency": "XTS", "currency_precision": 4, )", "XTS", 4}}) {
        CAPTURE(c.header);
        const Program p = parse_program(programme(c.header + kUnits + ", " + kMetrics + ", " + kRule));
        CHECK(p.currency == c.code);
        REQUIRE(p.units.size() == 2);
        CHECK(p.units[0].id == c.code);
        CHECK(p.units[0].is_currency);
        CHECK(p.units[0].precision == c.precision);
        CHECK(p.units[1].id == "points");
        CHECK_FALSE(p.units[1].is_currency);
        CHECK(p.units[1].precision == 0);
        CHECK(p.unit_of(c.code) == 0);
        CHECK(p.unit_of("points") == 1);
        // An amount metric takes the currency precision.
        const Metric* sales = p.metric_of("sales");
        REQUIRE(sales);
        CHECK(sales->decimals == c.precision);
        CHECK(sales->resolution == Decimal::pow10(-c.precision));
    }
}

TEST_CASE("Programme metrics get a resolution and decimals per type") {
    const Program p = parse_program(programme(R"("metrics": [
      {"id": "reads", "label": "Reads", "category": "content", "type": "count", "max": 1000, "default": 5, "cumulative": true},
      {"id": "sales", "label": {"en": "Sales", "zh-CN": "销售额"}, "category": "sales", "type": "amount"},
      {"id": "hours", "label": "Hours", "type": "number", "min": -5},
      {"id": "active", "label": "Active", "category": "community", "type": "percent", "max": 100},
      {"id": "joined", "label": "Joined", "type": "boolean", "default": true}], )" + kRule));
    REQUIRE(p.metrics.size() == 5);
    const Metric& reads = p.metrics[0];
    CHECK(reads.id == "reads");
    CHECK(reads.type == MetricType::Count);
    CHECK(reads.category == Category::Content);
    CHECK(reads.decimals == 0);
    CHECK(reads.resolution == Decimal(1));
    CHECK(reads.cumulative);
    REQUIRE(reads.min);
    CHECK(*reads.min == Decimal(0));  // implicit min of a count
    REQUIRE(reads.max);
    CHECK(*reads.max == Decimal(1000));
    REQUIRE(reads.default_value);
    CHECK(*reads.default_value == Value(5));

    const Metric& sales = p.metrics[1];
    CHECK(sales.type == MetricType::Amount);
    CHECK(sales.category == Category::Sales);
    CHECK(sales.decimals == 2);
    CHECK(sales.resolution == Decimal::parse_or_throw("0.01"));
    REQUIRE(sales.min);
    CHECK(*sales.min == Decimal(0));  // implicit min of an amount
    CHECK_FALSE(sales.max);
    CHECK_FALSE(sales.cumulative);
    CHECK_FALSE(sales.default_value);

    const Metric& hours = p.metrics[2];
    CHECK(hours.type == MetricType::Number);
    CHECK(hours.category == Category::Other);  // no category: other
    CHECK(hours.decimals == 6);
    CHECK(hours.resolution == Decimal::parse_or_throw("0.000001"));
    REQUIRE(hours.min);
    CHECK(*hours.min == Decimal(-5));

    const Metric& active = p.metrics[3];
    CHECK(active.type == MetricType::Percent);
    CHECK(active.decimals == 6);
    CHECK(active.resolution == Decimal::parse_or_throw("0.000001"));
    CHECK_FALSE(active.min);  // no implicit min for percents

    const Metric& joined = p.metrics[4];
    CHECK(joined.type == MetricType::Boolean);
    CHECK(joined.decimals == 0);
    CHECK(joined.resolution == Decimal(1));
    REQUIRE(joined.default_value);
    CHECK(*joined.default_value == Value(true));

    // Metrics take the first slots, in order.
    for (std::size_t i = 0; i < p.metrics.size(); ++i) {
        CHECK(p.metrics[i].slot == static_cast<int>(i));
        CHECK(p.slot_kinds[i] == SlotKind::Metric);
        CHECK(p.slot_inputs[i] == std::vector<int>{static_cast<int>(i)});
    }
}

TEST_CASE("Programme derived values, scores and rules are resolved to slots and indexes") {
    const Program p = parse_program(programme(R"(
      "units": [{"id": "points", "label": "Points", "precision": 1}],
      "period": {"start": "2027-01-01", "end": "2027-06-30"},
      "metrics": [
        {"id": "sales", "label": "Sales", "category": "sales", "type": "amount", "cumulative": true},
        {"id": "sales_ly", "label": "Sales last year", "category": "sales", "type": "amount"},
        {"id": "posts", "label": "Posts", "category": "content", "type": "count"},
        {"id": "crm", "label": "CRM", "category": "tools", "type": "percent"}],
      "derived": [
        {"id": "growth", "expr": {"-": [{"/": [{"var": "sales"}, {"var": "sales_ly"}]}, 1]}, "precision": 4},
        {"id": "growth_pct", "expr": {"*": [{"var": "growth"}, 100]}}],
      "scores": [
        {"id": "digital", "max": 100, "items": [
          {"value": "posts", "target": 20, "points": 40},
          {"value": "crm", "target": 95, "points": 30, "curve": "step"},
          {"value": "growth_pct", "target": 10, "points": 30, "curve": "linear"}]}],
      "rules": [
        {"id": "rebate", "kind": "tiered", "mode": "retro", "category": "sales", "basis": "growth", "base": "sales",
         "tiers": [{"from": 0.05, "rate": 0.01, "name": "Bronze"}, {"from": 0.1, "rate": 0.02}]},
        {"id": "bracket", "kind": "tiered", "mode": "marginal", "basis": "sales",
         "tiers": [{"from": 0, "rate": 0.001}, {"from": 10000, "rate": 0.002}]},
        {"id": "lump", "kind": "tiered", "mode": "fixed", "basis": "posts", "unit": "points",
         "tiers": [{"from": 10, "amount": 100}]},
        {"id": "per_post", "kind": "rate", "base": "posts", "rate": 2.5, "per": 2, "cap": 50, "unit": "points",
         "when": {">=": [{"var": "digital"}, 50]}},
        {"id": "uplift", "kind": "multiplier", "basis": "digital", "applies_to": ["rebate", "bracket"],
         "tiers": [{"from": 60, "factor": 1.1}, {"from": 80, "factor": 1.25}]},
        {"id": "star", "kind": "award", "when": {"var": "growth"}, "award": {"label": "Star"}},
        {"id": "traffic", "kind": "award", "basis": "digital",
         "tiers": [{"from": 70, "award": {"label": "Traffic"}}, {"from": 90, "award": {"label": "More traffic"}}]}])"));

    CHECK(p.id == "p");
    CHECK(p.version == "1");
    CHECK(p.name == Value("P"));
    REQUIRE(p.has_period);
    CHECK(p.period_start.to_string() == "2027-01-01");
    CHECK(p.period_end.to_string() == "2027-06-30");
    CHECK(p.period_end.days - p.period_start.days + 1 == 181);
    REQUIRE(p.units.size() == 2);
    CHECK(p.units[1].precision == 1);

    // Slots: metrics, then derived values, then scores.
    CHECK(p.slot_ids == std::vector<std::string>{"sales", "sales_ly", "posts", "crm", "growth", "growth_pct", "digital"});
    CHECK(p.slot_kinds == std::vector<SlotKind>{SlotKind::Metric, SlotKind::Metric, SlotKind::Metric, SlotKind::Metric,
                                                SlotKind::Derived, SlotKind::Derived, SlotKind::Score});
    CHECK(p.slot_index == std::vector<int>{0, 1, 2, 3, 0, 1, 0});
    CHECK(p.slot_of("growth") == 4);
    CHECK(p.slot_of("digital") == 6);
    CHECK(p.slot_of("nothing") == -1);

    REQUIRE(p.derived.size() == 2);
    CHECK(p.derived[0].slot == 4);
    REQUIRE(p.derived[0].precision);
    CHECK(*p.derived[0].precision == 4);
    CHECK_FALSE(p.derived[1].precision);
    std::vector<int> reads0 = p.derived[0].reads;
    std::sort(reads0.begin(), reads0.end());
    CHECK(reads0 == std::vector<int>{0, 1});
    CHECK(p.derived[1].reads == std::vector<int>{4});
    // Inputs are the metrics a value depends on, transitively.
    CHECK(p.slot_inputs[4] == std::vector<int>{0, 1});
    CHECK(p.slot_inputs[5] == std::vector<int>{0, 1});
    CHECK(p.slot_inputs[6] == std::vector<int>{0, 1, 2, 3});

    REQUIRE(p.scores.size() == 1);
    const Score& s = p.scores[0];
    CHECK(s.slot == 6);
    REQUIRE(s.max);
    CHECK(*s.max == Decimal(100));
    REQUIRE(s.items.size() == 3);
    CHECK(s.items[0].slot == 2);
    CHECK(s.items[0].value_id == "posts");
    CHECK(s.items[0].target == Decimal(20));
    CHECK(s.items[0].points == Decimal(40));
    CHECK(s.items[0].curve == Curve::Linear);
    CHECK(s.items[1].slot == 3);
    CHECK(s.items[1].curve == Curve::Step);
    CHECK(s.items[2].slot == 5);
    CHECK(s.items[2].curve == Curve::Linear);

    REQUIRE(p.rules.size() == 7);
    CHECK(p.rule_of("uplift") == 4);
    CHECK(p.rule_of("nothing") == -1);
    const Rule& rebate = p.rules[0];
    CHECK(rebate.kind == RuleKind::Tiered);
    CHECK(rebate.mode == TierMode::Retro);
    CHECK(rebate.category == Category::Sales);
    CHECK(rebate.basis == 4);
    CHECK(rebate.base == 0);
    CHECK(rebate.unit == 0);
    REQUIRE(rebate.tiers.size() == 2);
    CHECK(rebate.tiers[0].from == Decimal::parse_or_throw("0.05"));
    CHECK(rebate.tiers[0].rate == Decimal::parse_or_throw("0.01"));
    CHECK(rebate.tiers[0].name == Value("Bronze"));
    CHECK(rebate.tiers[1].name.is_null());
    CHECK(rebate.multiplied_by == 4);

    const Rule& bracket = p.rules[1];
    CHECK(bracket.mode == TierMode::Marginal);
    CHECK(bracket.basis == 0);
    CHECK(bracket.base == 0);  // base defaults to basis
    CHECK(bracket.multiplied_by == 4);

    const Rule& lump = p.rules[2];
    CHECK(lump.mode == TierMode::Fixed);
    CHECK(lump.unit == 1);
    CHECK(lump.tiers[0].amount == Decimal(100));
    CHECK(lump.multiplied_by == -1);

    const Rule& per_post = p.rules[3];
    CHECK(per_post.kind == RuleKind::Rate);
    CHECK(per_post.base == 2);
    CHECK(per_post.rate == Decimal::parse_or_throw("2.5"));
    REQUIRE(per_post.per);
    CHECK(*per_post.per == Decimal(2));
    REQUIRE(per_post.cap);
    CHECK(*per_post.cap == Decimal(50));
    CHECK(per_post.unit == 1);
    CHECK(per_post.has_when);
    CHECK(p.when_inputs(per_post) == std::vector<int>{0, 1, 2, 3});
    CHECK(p.when_inputs(rebate).empty());

    const Rule& uplift = p.rules[4];
    CHECK(uplift.kind == RuleKind::Multiplier);
    CHECK(uplift.basis == 6);
    CHECK(uplift.applies_to == std::vector<int>{0, 1});
    CHECK(uplift.unit == 0);  // the unit of its targets
    CHECK(uplift.tiers[1].factor == Decimal::parse_or_throw("1.25"));

    const Rule& star = p.rules[5];
    CHECK(star.kind == RuleKind::Award);
    CHECK_FALSE(star.is_tiered());
    CHECK(star.award.find("label") != nullptr);
    CHECK(p.when_inputs(star) == std::vector<int>{0, 1});

    const Rule& traffic = p.rules[6];
    CHECK(traffic.is_tiered());
    CHECK(traffic.basis == 6);
    CHECK(*traffic.tiers[1].award.find("label") == Value("More traffic"));
}

TEST_CASE("Programme caps cover the rules named, a category or a unit") {
    const Program p = parse_program(programme(kUnits + ", " + kMetrics + R"(,
      "rules": [
        {"id": "reads_bonus", "kind": "rate", "category": "content", "base": "reads", "rate": 1},
        {"id": "reads_points", "kind": "rate", "category": "content", "base": "reads", "rate": 1, "unit": "points"},
        {"id": "sales_bonus", "kind": "rate", "category": "sales", "base": "sales", "rate": 0.01},
        {"id": "sales_extra", "kind": "rate", "category": "sales", "base": "sales", "rate": 0.02},
        {"id": "content_star", "kind": "award", "category": "content", "award": {"label": "Star"}},
        {"id": "active_points", "kind": "rate", "category": "community", "base": "active", "rate": 1, "unit": "points"}],
      "caps": [
        {"id": "one_cap", "rules": ["sales_extra"], "max": 100},
        {"id": "sales_cap", "category": "sales", "max": 500.5},
        {"id": "content_cny_cap", "category": "content", "unit": "CNY", "max": 700},
        {"id": "points_cap", "unit": "points", "max": 1000},
        {"id": "all_cny", "unit": "CNY", "max": 5000}])"));
    REQUIRE(p.caps.size() == 5);
    CHECK(p.caps[0].id == "one_cap");
    CHECK(p.caps[0].rules == std::vector<int>{3});
    CHECK(p.caps[0].unit == 0);
    CHECK(p.caps[0].max == Decimal(100));
    CHECK(p.caps[1].rules == std::vector<int>{2, 3});  // nests around one_cap
    CHECK(p.caps[1].max == Decimal::parse_or_throw("500.5"));
    CHECK(p.caps[2].rules == std::vector<int>{0});  // the award is never covered; the points rule is another unit
    CHECK(p.caps[3].rules == std::vector<int>{1, 5});
    CHECK(p.caps[3].unit == 1);
    CHECK(p.caps[4].rules == std::vector<int>{0, 2, 3});
    CHECK(p.caps[4].unit == 0);
}

TEST_CASE("Programme ids may be 1 to 64 characters and brand notes are allowed") {
    const std::string id64 = "a" + std::string(63, '9');
    const Program p = parse_program(programme(R"("$schema": "x", "x-owner": "brand", "notes": "n", "comment": "c",
      "metrics": [{"id": "x", "label": "X", "type": "count", "notes": "n"},
                  {"id": ")" + id64 + R"(", "label": "Long", "type": "count"},
                  {"id": "a_1_b", "label": "Mixed", "type": "count"}],
      "rules": [{"id": "r", "kind": "rate", "base": "x", "rate": 1, "x-source": "crm"}])"));
    CHECK(p.metrics.size() == 3);
    CHECK(p.metrics[1].id == id64);
}

TEST_CASE("Programme rule conditions may use any value, whatever its order in the document") {
    // `when` sees every metric, derived value and score, even those listed after the rules.
    const Program p = parse_program(programme(kMetrics + R"(,
      "rules": [{"id": "r", "kind": "rate", "base": "reads", "rate": 1,
                 "when": {"and": [{"var": "late"}, {">=": [{"var": "card"}, 10]}, {"var": "joined"}]}}],
      "scores": [{"id": "card", "items": [{"value": "late", "target": 1, "points": 10}]}],
      "derived": [{"id": "late", "expr": {"+": [{"var": "reads"}, {"var": "active"}]}}])"));
    REQUIRE(p.rules.size() == 1);
    CHECK(p.when_inputs(p.rules[0]) == std::vector<int>{0, 2, 3});
}

// ---------------------------------------------------------------------------
// Every problem at once

TEST_CASE("Programme validation lists every problem at once") {
    const std::string text = R"({
  "format": "dealer-incentive-program/1",
  "id": "broken",
  "version": 2,
  "currency": "CNY",
  "descripton": "typo",
  "units": [{"id": "points", "label": "Points"}],
  "period": {"start": "2027-02-30", "end": "2027-13-01"},
  "metrics": [
    {"id": "reads", "label": "Reads", "category": "content", "type": "count"},
    {"id": "Sales", "label": "Sales", "type": "amount"},
    {"id": "posts", "category": "blog", "type": "integer"},
    {"id": "reads", "label": "Again", "type": "count"},
    {"id": "active", "label": "Active", "type": "percent", "max": 100.1234567},
    {"id": "joined", "label": "Joined", "type": "boolean", "cumulativ": true},
    {"id": "sales", "label": "Sales", "type": "amount"}
  ],
  "derived": [
    {"id": "ratio", "expr": {"/": [{"var": "reads"}, {"var": "later"}]}},
    {"id": "ghost", "expr": {"+": [{"var": "nowhere"}, 1]}},
    {"id": "later", "expr": {"*": [{"var": "sales"}, 2]}},
    {"id": "sales", "expr": 1},
    {"id": "uses_ghost", "expr": {"+": [{"var": "ghost"}, {"var": "ratio"}]}}
  ],
  "scores": [
    {"id": "card", "max": 50, "items": [
      {"value": "reads", "target": 10, "points": 40},
      {"value": "active", "target": 10, "points": 20, "curve": "cubic"}]},
    {"id": "card2", "items": [{"value": "missing_value", "target": 1, "points": 1}]}
  ],
  "rules": [
    {"id": "rate_bad", "kind": "rate", "base": "nope", "rate": "5"},
    {"id": "tiers_bad", "kind": "tiered", "mode": "retro", "basis": "unknown_basis",
     "tiers": [{"from": 10, "rate": 1}, {"from": 10, "rate": 2}, {"from": 5, "rate": 3}]},
    {"id": "marg", "kind": "tiered", "mode": "marginal", "basis": "reads", "base": "sales",
     "tiers": [{"from": 0, "rate": 0.0000001}]},
    {"id": "weird", "kind": "bonus"},
    {"id": "weird_mode", "kind": "tiered", "mode": "stepped", "basis": "reads", "tiers": [{"from": 1, "rate": 1}]},
    {"id": "cny_rule", "kind": "rate", "category": "content", "base": "reads", "rate": 1},
    {"id": "pts_rule", "kind": "rate", "category": "content", "base": "reads", "rate": 1, "unit": "points"},
    {"id": "eur_rule", "kind": "rate", "base": "reads", "rate": 1, "unit": "EUR"},
    {"id": "mult_a", "kind": "multiplier", "basis": "reads", "applies_to": ["cny_rule", "pts_rule", "no_rule"],
     "tiers": [{"from": 1, "factor": 2}]},
    {"id": "mult_b", "kind": "multiplier", "basis": "reads", "applies_to": ["cny_rule"],
     "tiers": [{"from": 1, "factor": 2}]},
    {"id": "gated", "kind": "rate", "base": "reads", "rate": 1, "when": {">": [{"var": "undefined_thing"}, 1]}},
    {"id": "cat_bad", "kind": "rate", "category": "marketing", "base": "reads", "rate": 1, "cpa": 5},
    {"id": "rate_only", "kind": "rate", "base": "reads"},
    {"id": "x1", "kind": "rate", "base": "reads", "rate": 1},
    {"id": "x2", "kind": "rate", "base": "reads", "rate": 2},
    {"id": "mult_c", "kind": "multiplier", "basis": "no_basis", "applies_to": ["x1", "nothing_here", "rate_bad"],
     "tiers": [{"from": 1, "factor": 2}]}
  ],
  "caps": [
    {"id": "mixed_cap", "rules": ["cny_rule", "pts_rule"], "max": 100},
    {"id": "ghost_cap", "rules": ["no_such_rule"], "max": 100},
    {"id": "unit_cap", "unit": "stars", "max": 10},
    {"id": "first_cap", "rules": ["x1", "x2"], "max": 10},
    {"id": "part_cap", "rules": ["x2", "cny_rule"], "max": 10},
    {"id": "broken_cap", "rules": ["rate_bad", "tiers_bad"], "max": 10},
    {"id": "Bad Cap", "rules": ["x1"], "max": 10},
    {"id": "late_cap", "rules": ["x2"], "max": 5}
  ]
})";
    const Error e = program_error(text);
    INFO(describe(e));
    CHECK(e.code == "invalid_program");
    const std::vector<std::pair<std::string, std::string>> expected = {
        {"/version", "wrong_type"},
        {"/name", "missing_field"},
        {"/descripton", "unknown_field"},
        {"/period/start", "bad_date"},
        {"/period/end", "bad_date"},
        {"/metrics/1/id", "bad_id"},
        {"/metrics/2/label", "missing_field"},
        {"/metrics/2/category", "unknown_category"},
        {"/metrics/2/type", "unknown_type"},
        {"/metrics/3/id", "duplicate_id"},
        {"/metrics/4/max", "too_many_decimals"},
        {"/metrics/5/cumulativ", "unknown_field"},
        {"/derived/0/expr", "defined_later"},
        {"/derived/1/expr", "unknown_reference"},
        {"/derived/3/id", "duplicate_id"},
        {"/scores/0/items/1/curve", "unknown_curve"},
        {"/scores/1/items/0/value", "unknown_reference"},
        {"/rules/0/base", "unknown_reference"},
        {"/rules/0/rate", "wrong_type"},
        {"/rules/1/basis", "unknown_reference"},
        {"/rules/1/tiers/1/from", "tiers_not_ascending"},
        {"/rules/1/tiers/2/from", "tiers_not_ascending"},
        {"/rules/2/base", "marginal_base"},
        {"/rules/2/tiers/0/rate", "too_many_decimals"},
        {"/rules/3/kind", "unknown_kind"},
        {"/rules/4/mode", "unknown_mode"},
        {"/rules/7/unit", "unknown_unit"},
        {"/rules/8/applies_to/1", "unit_mismatch"},
        {"/rules/8/applies_to/2", "unknown_reference"},
        {"/rules/9/applies_to/0", "second_multiplier"},
        {"/rules/10/when", "unknown_reference"},
        {"/rules/11/category", "unknown_category"},
        {"/rules/11/cpa", "unknown_field"},
        {"/rules/12/rate", "missing_field"},
        {"/caps/0", "unit_mismatch"},
        {"/caps/1/rules/0", "unknown_reference"},
        {"/caps/2/unit", "unknown_unit"},
        {"/caps/4", "overlapping_caps"},
        {"/caps/6/id", "bad_id"},
        {"/scores/0/max", "points_exceed_max"},
        {"/rules/15/basis", "unknown_reference"},
        {"/rules/15/applies_to/1", "unknown_reference"},
    };
    for (const auto& want : expected) {
        const std::string& path = want.first;
        const std::string& reason = want.second;
        CAPTURE(path);
        CAPTURE(reason);
        CHECK(has(e, path, reason));
    }
    // Nothing more: rules and values that have problems of their own are not reported
    // again where they are used (no "names no rule" for a rule with a bad base).
    CHECK(e.details.size() == expected.size());
    CHECK_FALSE(detail_at_prefix(e, "/caps/5"));
    CHECK_FALSE(detail_at_prefix(e, "/caps/7"));
    for (const ErrorDetail& d : e.details) {
        CAPTURE(d.path);
        CHECK_FALSE(d.reason.empty());
        CHECK_FALSE(d.message.empty());
        CHECK((d.path.empty() || d.path[0] == '/'));
    }
    // The summary message counts the problems and quotes the first.
    CHECK(e.message.find(std::to_string(e.details.size()) + " problems") == 0);
}

TEST_CASE("Programme problems are reported once, not again where the broken definition is used") {
    const Error e = program_error(programme(kMetrics + R"(,
      "derived": [{"id": "d1", "expr": {"var": "nothing"}}, {"id": "d2", "expr": {"*": [{"var": "d1"}, 2]}}],
      "scores": [{"id": "s", "items": [{"value": "d2", "target": 1, "points": 1}]},
                 {"id": "s2", "items": [{"value": "s", "target": 1, "points": 1}]}],
      "rules": [
        {"id": "a", "kind": "rate", "base": "d1", "rate": 1, "when": {"var": "s2"}},
        {"id": "b", "kind": "tiered", "mode": "retro", "basis": "s", "tiers": [{"from": 1, "rate": 1}]},
        {"id": "c", "kind": "rate", "base": "reads", "rate": 1, "unit": "nowhere"},
        {"id": "m", "kind": "multiplier", "basis": "reads", "applies_to": ["c"], "tiers": [{"from": 1, "factor": 2}]}],
      "caps": [{"id": "cap", "rules": ["c"], "max": 5}])"));
    INFO(describe(e));
    REQUIRE(e.details.size() == 2);
    CHECK(has(e, "/derived/0/expr", "unknown_reference"));
    CHECK(has(e, "/rules/2/unit", "unknown_unit"));

    // But a value naming a broken rule is still wrong on its own: rules are not values.
    const Error r = program_error(programme(kMetrics + R"(, "rules": [
        {"id": "c", "kind": "rate", "base": "reads", "rate": 1, "unit": "nowhere"},
        {"id": "d", "kind": "rate", "base": "c", "rate": 1, "when": {"var": "c"}}])"));
    INFO(describe(r));
    CHECK(r.details.size() == 3);
    CHECK(has(r, "/rules/1/base", "defined_later"));
    CHECK(has(r, "/rules/1/when", "defined_later"));
}

TEST_CASE("Programme multiplier with problems of its own still has its targets checked") {
    const Error e = program_error(programme(kMetrics + R"(, "rules": [
        {"id": "a", "kind": "rate", "base": "reads", "rate": 1},
        {"id": "m1", "kind": "multiplier", "basis": "nope", "applies_to": ["a", "zz"], "tiers": [{"from": 1, "factor": 2}]},
        {"id": "m2", "kind": "multiplier", "basis": "reads", "applies_to": ["a"], "tiers": [{"from": 1, "factor": 2}]}])"));
    INFO(describe(e));
    REQUIRE(e.details.size() == 3);
    CHECK(has(e, "/rules/1/basis", "unknown_reference"));
    CHECK(has(e, "/rules/1/applies_to/1", "unknown_reference"));
    CHECK(has(e, "/rules/2/applies_to/0", "second_multiplier"));
}

TEST_CASE("Programme validation lists every problem at once, also in the error document") {
    const Error e = program_error(programme(R"("metrics": [{"id": "x", "label": "X", "type": "count"}],
      "rules": [{"id": "r", "kind": "rate", "base": "y", "rate": 1}, {"id": "r", "kind": "rate", "base": "x", "rate": 1.0000001}])"));
    const Value v = e.to_value();
    const Value* err = v.find("error");
    REQUIRE(err);
    CHECK(*err->find("code") == Value("invalid_program"));
    const Array& details = err->find("details")->as_array();
    REQUIRE(details.size() == 3);
    CHECK(*details[0].find("path") == Value("/rules/0/base"));
    CHECK(*details[0].find("reason") == Value("unknown_reference"));
    CHECK(*details[1].find("path") == Value("/rules/1/id"));
    CHECK(*details[1].find("reason") == Value("duplicate_id"));
    CHECK(*details[2].find("path") == Value("/rules/1/rate"));
    CHECK(*details[2].find("reason") == Value("too_many_decimals"));
    CHECK(*details[2].find("args")->find("max") == Value(6));
}

// ---------------------------------------------------------------------------
// Each problem alone

TEST_CASE("Programme missing or mistyped fields are named") {
    SUBCASE("no name") {
        expect_only(R"({"format": "dealer-incentive-program/1", "id": "p", "version": "1", )" + kMetrics + ", " + kRule + "}",
                    "/name", "missing_field");
    }
    SUBCASE("no id") {
        expect_only(R"({"format": "dealer-incentive-program/1", "version": "1", "name": "P", )" + kMetrics + ", " + kRule + "}",
                    "/id", "missing_field");
    }
    SUBCASE("no version") {
        expect_only(R"({"format": "dealer-incentive-program/1", "id": "p", "name": "P", )" + kMetrics + ", " + kRule + "}",
                    "/version", "missing_field");
    }
    SUBCASE("no metrics") { expect_only(programme(R"("rules": [])"), "/metrics", "missing_field"); }
    SUBCASE("no rules") { expect_only(programme(kMetrics), "/rules", "missing_field"); }
    SUBCASE("metrics not an array") {
        expect_only(programme(R"("metrics": {"reads": {}}, "rules": [])"), "/metrics", "wrong_type");
    }
    SUBCASE("a metric without a label") {
        expect_only(programme(R"("metrics": [{"id": "reads", "type": "count"}], )" + kRule), "/metrics/0/label", "missing_field");
    }
    SUBCASE("a metric without a type") {
        expect_only(programme(R"("metrics": [{"id": "reads", "label": "R"}], )" + kRule), "/metrics/0/type", "missing_field");
    }
    SUBCASE("a metric type that is not a string") {
        expect_only(programme(R"("metrics": [{"id": "reads", "label": "R", "type": 1}], )" + kRule), "/metrics/0/type", "wrong_type");
    }
    SUBCASE("a label that is neither a string nor an object of strings") {
        expect_only(programme(R"("metrics": [{"id": "reads", "label": 5, "type": "count"}], )" + kRule), "/metrics/0/label", "wrong_type");
    }
    SUBCASE("cumulative that is not a boolean") {
        expect_only(programme(R"("metrics": [{"id": "reads", "label": "R", "type": "count", "cumulative": "yes"}], )" + kRule),
                    "/metrics/0/cumulative", "wrong_type");
    }
    SUBCASE("a rate without a rate") {
        expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "rate", "base": "reads"}])"), "/rules/0/rate", "missing_field");
    }
    SUBCASE("a rate given as a string") {
        expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "rate", "base": "reads", "rate": "5"}])"), "/rules/0/rate",
                    "wrong_type");
    }
    SUBCASE("a rule without a kind") {
        expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "base": "reads", "rate": 1}])"), "/rules/0/kind", "missing_field");
    }
    SUBCASE("a tiered rule without tiers") {
        expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "tiered", "mode": "retro", "basis": "reads"}])"),
                    "/rules/0/tiers", "missing_field");
    }
    SUBCASE("a tier without a rate") {
        expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "tiered", "mode": "retro", "basis": "reads", "tiers": [{"from": 1}]}])"),
                    "/rules/0/tiers/0/rate", "missing_field");
    }
    SUBCASE("a fixed tier without an amount") {
        // A rate where a fixed tier needs an amount: both sides of the mistake are named.
        const Error e = program_error(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "tiered", "mode": "fixed", "basis": "reads", "tiers": [{"from": 1, "rate": 1}]}])"));
        INFO(describe(e));
        CHECK(e.details.size() == 2);
        CHECK(has(e, "/rules/0/tiers/0/amount", "missing_field"));
        CHECK(has(e, "/rules/0/tiers/0/rate", "unknown_field"));
    }
    SUBCASE("a cap without max") {
        expect_only(programme(kMetrics + ", " + kRule + R"(, "caps": [{"id": "c", "rules": ["r"]}])"), "/caps/0/max", "missing_field");
    }
    SUBCASE("a cap that covers nothing") {
        expect_only(programme(kMetrics + ", " + kRule + R"(, "caps": [{"id": "c", "max": 1}])"), "/caps/0", "missing_field");
    }
    SUBCASE("a score item without a target") {
        expect_only(programme(kMetrics + ", " + kRule + R"(, "scores": [{"id": "s", "items": [{"value": "reads", "points": 1}]}])"),
                    "/scores/0/items/0/target", "missing_field");
    }
    SUBCASE("an award without its award") {
        expect_only(programme(kMetrics + R"(, "rules": [{"id": "a", "kind": "award"}])"), "/rules/0/award", "missing_field");
    }
    SUBCASE("a default of the wrong type") {
        expect_only(programme(R"("metrics": [{"id": "reads", "label": "R", "type": "count", "default": "0"}], )" + kRule),
                    "/metrics/0/default", "wrong_type");
    }
}

TEST_CASE("Programme ids must match the id pattern") {
    for (const std::string& id : std::vector<std::string>{std::string("\"Reads\""), std::string("\"2reads\""), std::string("\"_reads\""),
                                  std::string("\"re-ads\""), std::string("\"re ads\""), std::string("\"\""), std::string("\"é\""),
                                  "\"a" + std::string(64, 'b') + "\"", std::string("7"), std::string("null")}) {
        CAPTURE(id);
        expect_only(programme(R"("metrics": [{"id": "reads", "label": "R", "type": "count"}, {"id": )" + id +
                              R"(, "label": "X", "type": "count"}], )" + kRule),
                    "/metrics/1/id", "bad_id");
    }
    expect_only(programme(kMetrics + R"(, "rules": [{"id": "Rule", "kind": "rate", "base": "reads", "rate": 1}])"), "/rules/0/id", "bad_id");
    expect_only(programme(kMetrics + R"(, "rules": [{"kind": "rate", "base": "reads", "rate": 1}])"), "/rules/0/id", "missing_field");
    expect_only(programme(kMetrics + ", " + kRule + R"(, "caps": [{"id": "Cap", "rules": ["r"], "max": 1}])"), "/caps/0/id", "bad_id");
}

TEST_CASE("Programme ids are unique across metrics, derived values, scores, rules and caps") {
    SUBCASE("two metrics") {
        expect_only(programme(R"("metrics": [{"id": "reads", "label": "R", "type": "count"}, {"id": "reads", "label": "R2", "type": "count"}], )" + kRule),
                    "/metrics/1/id", "duplicate_id");
    }
    SUBCASE("a derived value named like a metric") {
        expect_only(programme(kMetrics + ", " + kRule + R"(, "derived": [{"id": "sales", "expr": 1}])"), "/derived/0/id", "duplicate_id");
    }
    SUBCASE("a score named like a derived value") {
        expect_only(programme(kMetrics + ", " + kRule + R"(, "derived": [{"id": "d", "expr": 1}], "scores": [{"id": "d", "items": [{"value": "reads", "target": 1, "points": 1}]}])"),
                    "/scores/0/id", "duplicate_id");
    }
    SUBCASE("a rule named like a metric") {
        expect_only(programme(kMetrics + R"(, "rules": [{"id": "reads", "kind": "rate", "base": "reads", "rate": 1}])"), "/rules/0/id",
                    "duplicate_id");
    }
    SUBCASE("two rules") {
        expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "rate", "base": "reads", "rate": 1}, {"id": "r", "kind": "rate", "base": "sales", "rate": 1}])"),
                    "/rules/1/id", "duplicate_id");
    }
    SUBCASE("a cap named like a rule") {
        expect_only(programme(kMetrics + ", " + kRule + R"(, "caps": [{"id": "r", "rules": ["r"], "max": 1}])"), "/caps/0/id", "duplicate_id");
    }
    // The message says where the id was first used.
    const Error e = program_error(programme(kMetrics + R"(, "rules": [{"id": "sales", "kind": "rate", "base": "reads", "rate": 1}])"));
    REQUIRE(e.details.size() == 1);
    CHECK(e.details[0].message.find("/metrics/1/id") != std::string::npos);
    CHECK(*e.details[0].args.find("id") == Value("sales"));
}

TEST_CASE("Programme unknown references are named where they occur") {
    SUBCASE("rate base") {
        expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "rate", "base": "readz", "rate": 1}])"), "/rules/0/base",
                    "unknown_reference");
    }
    SUBCASE("tier basis") {
        expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "tiered", "mode": "retro", "basis": "growth", "tiers": [{"from": 0, "rate": 1}]}])"),
                    "/rules/0/basis", "unknown_reference");
    }
    SUBCASE("tier base") {
        expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "tiered", "mode": "retro", "basis": "reads", "base": "salez", "tiers": [{"from": 0, "rate": 1}]}])"),
                    "/rules/0/base", "unknown_reference");
    }
    SUBCASE("multiplier basis") {
        expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "rate", "base": "reads", "rate": 1},
            {"id": "m", "kind": "multiplier", "basis": "score", "applies_to": ["r"], "tiers": [{"from": 1, "factor": 2}]}])"),
                    "/rules/1/basis", "unknown_reference");
    }
    SUBCASE("score item value") {
        expect_only(programme(kMetrics + ", " + kRule + R"(, "scores": [{"id": "s", "items": [{"value": "reads", "target": 1, "points": 1}, {"value": "postz", "target": 1, "points": 1}]}])"),
                    "/scores/0/items/1/value", "unknown_reference");
    }
    SUBCASE("applies_to") {
        expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "rate", "base": "reads", "rate": 1},
            {"id": "m", "kind": "multiplier", "basis": "reads", "applies_to": ["r", "q"], "tiers": [{"from": 1, "factor": 2}]}])"),
                    "/rules/1/applies_to/1", "unknown_reference");
    }
    SUBCASE("cap rules") {
        expect_only(programme(kMetrics + ", " + kRule + R"(, "caps": [{"id": "c", "rules": ["r", "q"], "max": 1}])"), "/caps/0/rules/1",
                    "unknown_reference");
    }
    SUBCASE("rule unit") {
        expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "rate", "base": "reads", "rate": 1, "unit": "points"}])"),
                    "/rules/0/unit", "unknown_unit");
    }
    SUBCASE("rule unit is another currency") {
        expect_only(programme(kUnits + ", " + kMetrics + R"(, "rules": [{"id": "r", "kind": "rate", "base": "reads", "rate": 1, "unit": "USD"}])"),
                    "/rules/0/unit", "unknown_unit");
    }
    SUBCASE("cap unit") {
        expect_only(programme(kMetrics + ", " + kRule + R"(, "caps": [{"id": "c", "unit": "points", "max": 1}])"), "/caps/0/unit",
                    "unknown_unit");
    }
    SUBCASE("a rule base names a rule") {
        expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "rate", "base": "reads", "rate": 1},
            {"id": "r2", "kind": "rate", "base": "r", "rate": 1}])"),
                    "/rules/1/base", "defined_later");
    }
    SUBCASE("a base that is a yes/no metric") {
        expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "rate", "base": "joined", "rate": 1}])"), "/rules/0/base",
                    "not_numeric");
    }
    SUBCASE("a multiplier scales an award") {
        expect_only(programme(kMetrics + R"(, "rules": [{"id": "a", "kind": "award", "award": {"label": "A"}},
            {"id": "m", "kind": "multiplier", "basis": "reads", "applies_to": ["a"], "tiers": [{"from": 1, "factor": 2}]}])"),
                    "/rules/1/applies_to/0", "bad_target");
    }
    SUBCASE("a cap names an award") {
        expect_only(programme(kMetrics + R"(, "rules": [{"id": "a", "kind": "award", "award": {"label": "A"}}], "caps": [{"id": "c", "rules": ["a"], "max": 1}])"),
                    "/caps/0/rules/0", "bad_target");
    }
}

TEST_CASE("Programme expressions may only use values defined before them") {
    SUBCASE("a var naming nothing") {
        const Error e = program_error(programme(kMetrics + ", " + kRule + R"(, "derived": [{"id": "d", "expr": {"+": [{"var": "nothing"}, 1]}}])"));
        INFO(describe(e));
        REQUIRE(e.details.size() == 1);
        CHECK(e.details[0].path == "/derived/0/expr");
        CHECK(e.details[0].reason == "unknown_reference");
        CHECK(*e.details[0].args.find("id") == Value("nothing"));
    }
    SUBCASE("a var naming a later derived value") {
        const Error e = program_error(programme(kMetrics + ", " + kRule + R"(, "derived": [
            {"id": "d1", "expr": {"*": [{"var": "d2"}, 2]}}, {"id": "d2", "expr": {"var": "reads"}}])"));
        INFO(describe(e));
        REQUIRE(e.details.size() == 1);
        CHECK(e.details[0].path == "/derived/0/expr");
        CHECK(e.details[0].reason == "defined_later");
        CHECK(*e.details[0].args.find("id") == Value("d2"));
    }
    SUBCASE("a derived value naming itself") {
        expect_only(programme(kMetrics + ", " + kRule + R"(, "derived": [{"id": "d", "expr": {"+": [{"var": "d"}, 1]}}])"),
                    "/derived/0/expr", "defined_later");
    }
    SUBCASE("a var naming a score (scores come after derived values)") {
        expect_only(programme(kMetrics + ", " + kRule + R"(, "derived": [{"id": "d", "expr": {"var": "s"}}],
            "scores": [{"id": "s", "items": [{"value": "reads", "target": 1, "points": 1}]}])"),
                    "/derived/0/expr", "defined_later");
    }
    SUBCASE("a var naming a rule") {
        expect_only(programme(kMetrics + ", " + kRule + R"(, "derived": [{"id": "d", "expr": {"var": "r"}}])"), "/derived/0/expr",
                    "defined_later");
    }
    SUBCASE("a missing operator naming nothing") {
        expect_only(programme(kMetrics + ", " + kRule + R"(, "derived": [{"id": "d", "expr": {"if": [{"missing": ["nope"]}, 0, 1]}}])"),
                    "/derived/0/expr", "unknown_reference");
    }
    SUBCASE("a score item naming a later score") {
        expect_only(programme(kMetrics + ", " + kRule + R"(, "scores": [
            {"id": "s1", "items": [{"value": "s2", "target": 1, "points": 1}]},
            {"id": "s2", "items": [{"value": "reads", "target": 1, "points": 1}]}])"),
                    "/scores/0/items/0/value", "defined_later");
    }
    SUBCASE("a rule condition naming nothing") {
        expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "rate", "base": "reads", "rate": 1, "when": {"var": "nope"}}])"),
                    "/rules/0/when", "unknown_reference");
    }
    SUBCASE("a rule condition naming a rule") {
        expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "rate", "base": "reads", "rate": 1, "when": {"var": "r2"}},
            {"id": "r2", "kind": "rate", "base": "reads", "rate": 1}])"),
                    "/rules/0/when", "defined_later");
    }
    SUBCASE("an unknown operator") {
        expect_only(programme(kMetrics + ", " + kRule + R"(, "derived": [{"id": "d", "expr": {"pow": [{"var": "reads"}, 2]}}])"),
                    "/derived/0/expr", "unknown_operator");
    }
    SUBCASE("a computed var name") {
        expect_only(programme(kMetrics + ", " + kRule + R"(, "derived": [{"id": "d", "expr": {"var": {"cat": ["re", "ads"]}}}])"),
                    "/derived/0/expr", "dynamic_var");
    }
    // Earlier derived values and metrics are fine.
    const Program p = parse_program(programme(kMetrics + ", " + kRule + R"(, "derived": [
        {"id": "d1", "expr": {"var": "reads"}}, {"id": "d2", "expr": {"+": [{"var": "d1"}, {"var": "sales"}]}}])"));
    CHECK(p.derived.size() == 2);
}

TEST_CASE("Programme tiers must be strictly ascending") {
    expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "tiered", "mode": "retro", "basis": "reads",
        "tiers": [{"from": 0, "rate": 1}, {"from": 100, "rate": 2}, {"from": 50, "rate": 3}]}])"),
                "/rules/0/tiers/2/from", "tiers_not_ascending");
    expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "tiered", "mode": "fixed", "basis": "reads",
        "tiers": [{"from": 10, "amount": 1}, {"from": 10, "amount": 2}]}])"),
                "/rules/0/tiers/1/from", "tiers_not_ascending");
    expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "rate", "base": "reads", "rate": 1},
        {"id": "m", "kind": "multiplier", "basis": "reads", "applies_to": ["r"], "tiers": [{"from": 2, "factor": 1.5}, {"from": 1, "factor": 2}]}])"),
                "/rules/1/tiers/1/from", "tiers_not_ascending");
    expect_only(programme(kMetrics + R"(, "rules": [{"id": "a", "kind": "award", "basis": "reads",
        "tiers": [{"from": 2, "award": {"label": "A"}}, {"from": 2, "award": {"label": "B"}}]}])"),
                "/rules/0/tiers/1/from", "tiers_not_ascending");
    expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "tiered", "mode": "retro", "basis": "reads", "tiers": []}])"),
                "/rules/0/tiers", "empty");
}

TEST_CASE("Programme marginal rule pays on its basis") {
    expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "tiered", "mode": "marginal", "basis": "reads", "base": "sales",
        "tiers": [{"from": 0, "rate": 1}]}])"),
                "/rules/0/base", "marginal_base");
    // base equal to basis is allowed, and so is a different base for retro.
    CHECK_NOTHROW(parse_program(programme(kMetrics + R"(, "rules": [
        {"id": "r", "kind": "tiered", "mode": "marginal", "basis": "reads", "base": "reads", "tiers": [{"from": 0, "rate": 1}]},
        {"id": "q", "kind": "tiered", "mode": "retro", "basis": "reads", "base": "sales", "tiers": [{"from": 0, "rate": 1}]}])")));
}

TEST_CASE("Programme cap and multiplier cover one unit") {
    SUBCASE("mixed units under a cap's rules") {
        expect_only(programme(kUnits + ", " + kMetrics + R"(, "rules": [
            {"id": "a", "kind": "rate", "base": "reads", "rate": 1},
            {"id": "b", "kind": "rate", "base": "reads", "rate": 1, "unit": "points"}],
            "caps": [{"id": "c", "rules": ["a", "b"], "max": 100}])"),
                    "/caps/0", "unit_mismatch");
    }
    SUBCASE("mixed units under a category cap") {
        expect_only(programme(kUnits + ", " + kMetrics + R"(, "rules": [
            {"id": "a", "kind": "rate", "category": "content", "base": "reads", "rate": 1},
            {"id": "b", "kind": "rate", "category": "content", "base": "reads", "rate": 1, "unit": "points"}],
            "caps": [{"id": "c", "category": "content", "max": 100}])"),
                    "/caps/0", "unit_mismatch");
    }
    SUBCASE("a cap's unit differs from its rules") {
        expect_only(programme(kUnits + ", " + kMetrics + R"(, "rules": [{"id": "a", "kind": "rate", "base": "reads", "rate": 1}],
            "caps": [{"id": "c", "rules": ["a"], "unit": "points", "max": 100}])"),
                    "/caps/0/unit", "unit_mismatch");
    }
    SUBCASE("mixed units under a multiplier") {
        expect_only(programme(kUnits + ", " + kMetrics + R"(, "rules": [
            {"id": "a", "kind": "rate", "base": "reads", "rate": 1},
            {"id": "b", "kind": "rate", "base": "reads", "rate": 1, "unit": "points"},
            {"id": "m", "kind": "multiplier", "basis": "reads", "applies_to": ["a", "b"], "tiers": [{"from": 1, "factor": 2}]}])"),
                    "/rules/2/applies_to/1", "unit_mismatch");
    }
    SUBCASE("a multiplier paying in another unit than its targets") {
        expect_only(programme(kUnits + ", " + kMetrics + R"(, "rules": [
            {"id": "a", "kind": "rate", "base": "reads", "rate": 1},
            {"id": "m", "kind": "multiplier", "basis": "reads", "unit": "points", "applies_to": ["a"], "tiers": [{"from": 1, "factor": 2}]}])"),
                    "/rules/1/unit", "unit_mismatch");
    }
    SUBCASE("a rule targeted by two multipliers") {
        expect_only(programme(kMetrics + R"(, "rules": [
            {"id": "a", "kind": "rate", "base": "reads", "rate": 1},
            {"id": "m1", "kind": "multiplier", "basis": "reads", "applies_to": ["a"], "tiers": [{"from": 1, "factor": 2}]},
            {"id": "m2", "kind": "multiplier", "basis": "sales", "applies_to": ["a"], "tiers": [{"from": 1, "factor": 3}]}])"),
                    "/rules/2/applies_to/0", "second_multiplier");
    }
    SUBCASE("a multiplier scaling another multiplier") {
        expect_only(programme(kMetrics + R"(, "rules": [
            {"id": "a", "kind": "rate", "base": "reads", "rate": 1},
            {"id": "m1", "kind": "multiplier", "basis": "reads", "applies_to": ["a"], "tiers": [{"from": 1, "factor": 2}]},
            {"id": "m2", "kind": "multiplier", "basis": "sales", "applies_to": ["m1"], "tiers": [{"from": 1, "factor": 3}]}])"),
                    "/rules/2/applies_to/0", "bad_target");
    }
}

TEST_CASE("Programme unknown kind, mode, category, type and curve are refused") {
    SUBCASE("kind") {
        expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "percentage", "base": "reads", "rate": 1}])"), "/rules/0/kind",
                    "unknown_kind");
    }
    SUBCASE("mode") {
        expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "tiered", "mode": "progressive", "basis": "reads", "tiers": [{"from": 0, "rate": 1}]}])"),
                    "/rules/0/mode", "unknown_mode");
    }
    SUBCASE("metric category") {
        expect_only(programme(R"("metrics": [{"id": "reads", "label": "R", "category": "marketing", "type": "count"}], )" + kRule),
                    "/metrics/0/category", "unknown_category");
    }
    SUBCASE("rule category") {
        expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "rate", "category": "Sales", "base": "reads", "rate": 1}])"),
                    "/rules/0/category", "unknown_category");
    }
    SUBCASE("cap category") {
        expect_only(programme(kMetrics + ", " + kRule + R"(, "caps": [{"id": "c", "category": "bonus", "max": 1}])"), "/caps/0/category",
                    "unknown_category");
    }
    SUBCASE("metric type") {
        expect_only(programme(R"("metrics": [{"id": "reads", "label": "R", "type": "integer"}], )" + kRule), "/metrics/0/type",
                    "unknown_type");
    }
    SUBCASE("derived type") {
        expect_only(programme(kMetrics + ", " + kRule + R"(, "derived": [{"id": "d", "expr": 1, "type": "boolean"}])"), "/derived/0/type",
                    "unknown_type");
    }
    SUBCASE("curve") {
        expect_only(programme(kMetrics + ", " + kRule + R"(, "scores": [{"id": "s", "items": [{"value": "reads", "target": 1, "points": 1, "curve": "log"}]}])"),
                    "/scores/0/items/0/curve", "unknown_curve");
    }
}

TEST_CASE("Programme period dates must be real dates in order") {
    const auto with_period = [](const std::string& period) { return programme(R"("period": )" + period + ", " + kMetrics + ", " + kRule); };
    expect_only(with_period(R"({"start": "2027-02-30", "end": "2027-06-30"})"), "/period/start", "bad_date");
    expect_only(with_period(R"({"start": "2027-01-01", "end": "2027-13-01"})"), "/period/end", "bad_date");
    expect_only(with_period(R"({"start": "tomorrow", "end": "2027-06-30"})"), "/period/start", "bad_date");
    expect_only(with_period(R"({"start": "2027-1-1", "end": "2027-06-30"})"), "/period/start", "bad_date");
    expect_only(with_period(R"({"start": "2027-01-01", "end": "2027-06-31"})"), "/period/end", "bad_date");
    expect_only(with_period(R"({"start": "2027-01-01", "end": "2027-00-10"})"), "/period/end", "bad_date");
    expect_only(with_period(R"({"start": "2027-01-01", "end": "2027-01-00"})"), "/period/end", "bad_date");
    expect_only(with_period(R"({"start": "2026-02-29", "end": "2027-06-30"})"), "/period/start", "bad_date");  // 2026 is no leap year
    expect_only(with_period(R"({"start": "2027-06-30", "end": "2027-01-01"})"), "/period/end", "period_reversed");
    expect_only(with_period(R"({"start": 20270101, "end": "2027-06-30"})"), "/period/start", "wrong_type");
    expect_only(with_period(R"({"end": "2027-06-30"})"), "/period/start", "missing_field");
    expect_only(with_period(R"("2027H1")"), "/period", "wrong_type");
    expect_only(with_period(R"({"start": "2027-01-01", "end": "2027-06-30", "until": "2027-07-01"})"), "/period/until", "unknown_field");

    const Program leap = parse_program(with_period(R"({"start": "2028-02-29", "end": "2028-02-29"})"));
    CHECK(leap.has_period);
    CHECK(leap.period_start == leap.period_end);
    const Program none = parse_program(programme(kMetrics + ", " + kRule));
    CHECK_FALSE(none.has_period);
}

TEST_CASE("Programme unknown fields are refused as typos") {
    expect_only(programme(R"("descripton": "x", )" + kMetrics + ", " + kRule), "/descripton", "unknown_field");
    expect_only(programme(R"("metrics": [{"id": "reads", "label": "R", "type": "count", "maximum": 5}], )" + kRule), "/metrics/0/maximum",
                "unknown_field");
    expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "rate", "base": "reads", "rate": 1, "pre": 1000}])"),
                "/rules/0/pre", "unknown_field");
    // A field of another kind is a typo for this one.
    expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "rate", "base": "reads", "rate": 1, "mode": "retro"}])"),
                "/rules/0/mode", "unknown_field");
    expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "tiered", "mode": "retro", "basis": "reads", "tiers": [{"from": 0, "rate": 1, "factor": 2}]}])"),
                "/rules/0/tiers/0/factor", "unknown_field");
    expect_only(programme(kMetrics + ", " + kRule + R"(, "scores": [{"id": "s", "items": [{"value": "reads", "target": 1, "points": 1, "curv": "step"}]}])"),
                "/scores/0/items/0/curv", "unknown_field");
    expect_only(programme(kMetrics + ", " + kRule + R"(, "caps": [{"id": "c", "rules": ["r"], "max": 1, "min": 0}])"), "/caps/0/min",
                "unknown_field");
    expect_only(programme(R"("units": [{"id": "points", "label": "P", "precison": 0}], )" + kMetrics + ", " + kRule), "/units/0/precison",
                "unknown_field");
    const Error e = program_error(programme(R"("Metrics": [], )" + kMetrics + ", " + kRule));
    REQUIRE(e.details.size() == 1);
    CHECK(*e.details[0].args.find("field") == Value("Metrics"));
}

TEST_CASE("Programme caps must nest or be disjoint") {
    const std::string rules = kMetrics + R"(, "rules": [
        {"id": "a", "kind": "rate", "category": "content", "base": "reads", "rate": 1},
        {"id": "b", "kind": "rate", "category": "content", "base": "reads", "rate": 2},
        {"id": "c", "kind": "rate", "category": "sales", "base": "sales", "rate": 1}])";
    expect_only(programme(rules + R"(, "caps": [{"id": "ab", "rules": ["a", "b"], "max": 10}, {"id": "bc", "rules": ["b", "c"], "max": 10}])"),
                "/caps/1", "overlapping_caps");
    expect_only(programme(rules + R"(, "caps": [{"id": "content", "category": "content", "max": 10}, {"id": "bc", "rules": ["b", "c"], "max": 10}])"),
                "/caps/1", "overlapping_caps");
    // Nested (both ways) and disjoint caps are fine.
    const Program p = parse_program(programme(rules + R"(, "caps": [
        {"id": "just_a", "rules": ["a"], "max": 5}, {"id": "content", "category": "content", "max": 10},
        {"id": "just_c", "rules": ["c"], "max": 5}, {"id": "all", "unit": "CNY", "max": 12}, {"id": "just_b", "rules": ["b"], "max": 3}])"));
    CHECK(p.caps.size() == 5);
}

TEST_CASE("Programme constants have at most 6 decimals") {
    expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "rate", "base": "reads", "rate": 0.0000001}])"), "/rules/0/rate",
                "too_many_decimals");
    expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "tiered", "mode": "retro", "basis": "reads", "tiers": [{"from": 0.1234567, "rate": 1}]}])"),
                "/rules/0/tiers/0/from", "too_many_decimals");
    expect_only(programme(R"("metrics": [{"id": "reads", "label": "R", "type": "number", "min": 0.1234567}], )" + kRule),
                "/metrics/0/min", "too_many_decimals");
    expect_only(programme(kMetrics + ", " + kRule + R"(, "scores": [{"id": "s", "items": [{"value": "reads", "target": 1, "points": 0.0000005}]}])"),
                "/scores/0/items/0/points", "too_many_decimals");
    expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "rate", "base": "reads", "rate": 1000000000000}])"), "/rules/0/rate",
                "out_of_range");
    // 6 places are fine.
    const Program p = parse_program(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "rate", "base": "reads", "rate": 0.000001}])"));
    CHECK(p.rules[0].rate == Decimal::pow10(-6));
    // A default has at most the metric's decimals; a cap's max at most its unit's.
    expect_only(programme(R"("metrics": [{"id": "reads", "label": "R", "type": "count", "default": 1.5}], )" + kRule), "/metrics/0/default",
                "too_many_decimals");
    expect_only(programme(kMetrics + ", " + kRule + R"(, "caps": [{"id": "c", "rules": ["r"], "max": 10.005}])"), "/caps/0/max",
                "too_many_decimals");
}

TEST_CASE("Programme score points may not exceed the score's max") {
    expect_only(programme(kMetrics + ", " + kRule + R"(, "scores": [{"id": "s", "max": 100, "items": [
        {"value": "reads", "target": 1, "points": 60}, {"value": "sales", "target": 1, "points": 40.5}]}])"),
                "/scores/0/max", "points_exceed_max");
    const Program p = parse_program(programme(kMetrics + ", " + kRule + R"(, "scores": [{"id": "s", "max": 100, "items": [
        {"value": "reads", "target": 1, "points": 60}, {"value": "sales", "target": 1, "points": 40}]}])"));
    CHECK(p.scores.size() == 1);
    expect_only(programme(kMetrics + ", " + kRule + R"(, "scores": [{"id": "s", "items": [{"value": "reads", "target": 0, "points": 1}]}])"),
                "/scores/0/items/0/target", "not_positive");
    expect_only(programme(kMetrics + ", " + kRule + R"(, "scores": [{"id": "s", "items": []}])"), "/scores/0/items", "empty");
}

TEST_CASE("Programme metric bounds and defaults are consistent") {
    expect_only(programme(R"("metrics": [{"id": "reads", "label": "R", "type": "count", "min": 10, "max": 5}], )" + kRule),
                "/metrics/0/max", "min_above_max");
    expect_only(programme(R"("metrics": [{"id": "reads", "label": "R", "type": "count", "max": 5, "default": 6}], )" + kRule),
                "/metrics/0/default", "out_of_range");
    expect_only(programme(R"("metrics": [{"id": "reads", "label": "R", "type": "count", "default": -1}], )" + kRule),
                "/metrics/0/default", "out_of_range");  // below the implicit min 0
    expect_only(programme(R"("metrics": [{"id": "reads", "label": "R", "type": "count"}, {"id": "j", "label": "J", "type": "boolean", "default": 1}], )" + kRule),
                "/metrics/1/default", "wrong_type");
    expect_only(programme(R"("metrics": [{"id": "reads", "label": "R", "type": "count"}, {"id": "j", "label": "J", "type": "boolean", "max": 1}], )" + kRule),
                "/metrics/1/max", "not_applicable");
}

TEST_CASE("Programme currency must be known or given a precision") {
    expect_only(programme(R"("currency": "XTS", )" + kMetrics + ", " + kRule), "/currency", "unknown_currency");
    const Error lower = program_error(programme(R"("currency": "cny", )" + kMetrics + ", " + kRule));
    CHECK(lower.code == "invalid_program");
    CHECK(has(lower, "/currency", "bad_currency"));
    CHECK(std::all_of(lower.details.begin(), lower.details.end(), [](const ErrorDetail& d) { return d.path == "/currency"; }));
    expect_only(programme(R"("currency_precision": 7, )" + kMetrics + ", " + kRule), "/currency_precision", "out_of_range");
    expect_only(programme(R"("currency_precision": 1.5, )" + kMetrics + ", " + kRule), "/currency_precision", "out_of_range");
    expect_only(programme(R"("units": [{"id": "points", "label": "P", "precision": -1}], )" + kMetrics + ", " + kRule),
                "/units/0/precision", "out_of_range");
    expect_only(programme(R"("units": [{"id": "points"}], )" + kMetrics + ", " + kRule), "/units/0/label", "missing_field");
}

TEST_CASE("Programme limits bound its size") {
    ProgramLimits limits;
    limits.max_bytes = 100;
    try {
        (void)parse_program(programme(kMetrics + ", " + kRule), limits);
        FAIL("a programme over max_bytes was accepted");
    } catch (const Failure& f) {
        CHECK(f.error.code == "invalid_program");
        REQUIRE(f.error.details.size() == 1);
        CHECK(f.error.details[0].reason == "too_large");
    }
    ProgramLimits few;
    few.max_metrics = 3;
    try {
        (void)parse_program(programme(kMetrics + ", " + kRule), few);
        FAIL("a programme over max_metrics was accepted");
    } catch (const Failure& f) {
        CHECK(has(f.error, "/metrics", "too_many"));
    }
}

// ---------------------------------------------------------------------------
// Real programmes

TEST_CASE("Programme of every valid conformance case and the sample validates") {
    namespace fs = std::filesystem;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(test_path("tests/conformance/cases")))
        if (entry.path().extension() == ".json") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    std::size_t valid = 0;
    for (const fs::path& file : files) {
        const Value kase = parse_json(read_text(file.string()));
        const Value* program = kase.find("program");
        REQUIRE(program);
        if (kase.find("expect_error")) continue;  // 10 has bad figures, 11 and 12 bad programmes
        CAPTURE(file.filename().string());
        ++valid;
        try {
            const Program p = load_program(*program);
            CHECK(p.metrics.size() == program->find("metrics")->size());
            CHECK(p.rules.size() == program->find("rules")->size());
        } catch (const Failure& f) {
            FAIL_CHECK(describe(f.error));
        }
    }
    CHECK(valid >= 9);

    const Program sample = parse_program(read_text(test_path("programs/sample/program.json")));
    CHECK(sample.id == "sample-digital-2027h1");
    CHECK(sample.units.size() == 2);
    CHECK(sample.has_period);
    CHECK_FALSE(sample.metrics.empty());
    CHECK_FALSE(sample.rules.empty());
}

TEST_CASE("Programme conformance cases 11 and 12 fail as their expectations say") {
    const Value k11 = parse_json(read_text(test_path("tests/conformance/cases/11_invalid_program.json")));
    try {
        (void)load_program(*k11.find("program"));
        FAIL("case 11 was accepted");
    } catch (const Failure& f) {
        INFO(describe(f.error));
        CHECK(f.error.code == "invalid_program");
        CHECK(f.error.details.size() == 2);
        CHECK(has(f.error, "/rules/0/tiers/1/from", "tiers_not_ascending"));
        CHECK(has(f.error, "/rules/1/base", "unknown_reference"));
    }
    const Value k12 = parse_json(read_text(test_path("tests/conformance/cases/12_unsupported_format.json")));
    try {
        (void)load_program(*k12.find("program"));
        FAIL("case 12 was accepted");
    } catch (const Failure& f) {
        CHECK(f.error.code == "unsupported_format");
        CHECK(*f.error.details[0].args.find("format") == Value("dealer-incentive-program/2"));
    }
}

TEST_CASE("Programme dates parse only real calendar days") {
    Date d;
    CHECK(Date::parse("1970-01-01", d));
    CHECK(d.days == 0);
    CHECK(Date::parse("2027-03-01", d));
    CHECK(d.to_string() == "2027-03-01");
    Date feb;
    CHECK(Date::parse("2027-02-28", feb));
    CHECK(d.days - feb.days == 1);
    CHECK(Date::parse("2000-02-29", d));
    CHECK_FALSE(Date::parse("1900-02-29", d));
    CHECK_FALSE(Date::parse("2027-02-30", d));
    CHECK_FALSE(Date::parse("2027-13-01", d));
    CHECK_FALSE(Date::parse("tomorrow", d));
    CHECK_FALSE(Date::parse("2027-03-1", d));
    CHECK_FALSE(Date::parse("2027/03/01", d));
    CHECK_FALSE(Date::parse("2027-03-01T00:00", d));
    CHECK_FALSE(Date::parse("+027-03-01", d));
}

TEST_CASE("Programme constants with digits beyond the 12th decimal place are refused, not rounded to 0") {
    expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "rate", "base": "reads", "rate": 0.0000000000001}])"),
                "/rules/0/rate", "too_many_decimals");
}

TEST_CASE("Programme rule caps may not be finer than their unit") {
    expect_only(programme(kMetrics + R"(, "rules": [{"id": "r", "kind": "rate", "base": "reads", "rate": 1, "cap": 133.447}])"),
                "/rules/0/cap", "too_many_decimals");
}
