// Figures validation (spec §2, §9): every bad value at /values/<id>, defaults and
// warnings for missing metrics, warnings for unknown keys.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "dealercalc/figures.hpp"
#include "dealercalc/program.hpp"
#include "support.hpp"

using namespace dealercalc;

namespace {

std::string programme_text(const std::string& currency) {
    return R"({"format": "dealer-incentive-program/1", "id": "fig", "version": "2027.1", "name": "Figures",
  "currency": ")" + currency + R"(",
  "period": {"start": "2027-01-01", "end": "2027-06-30"},
  "metrics": [
    {"id": "posts", "label": "Posts", "type": "count", "max": 1000},
    {"id": "reads", "label": "Reads", "type": "count", "default": 7},
    {"id": "sales", "label": "Sales", "type": "amount"},
    {"id": "refunds", "label": "Refunds", "type": "amount", "min": -500, "max": 500, "default": 2},
    {"id": "growth", "label": "Growth", "type": "number", "min": -1, "max": 10},
    {"id": "hours", "label": "Hours", "type": "number"},
    {"id": "active", "label": "Active", "type": "percent", "max": 100},
    {"id": "joined", "label": "Joined", "type": "boolean"},
    {"id": "certified", "label": "Certified", "type": "boolean", "default": true}
  ],
  "rules": [{"id": "r", "kind": "rate", "base": "posts", "rate": 1}]})";
}

const Program& cny() {
    static const Program p = parse_program(programme_text("CNY"));
    return p;
}

std::string figures(const std::string& values, const std::string& extra = "") {
    return R"({"format": "dealer-incentive-figures/1", "dealer": {"id": "D-1", "name": "Dealer"}, )" + extra + R"("values": )" +
           values + "}";
}

Error figures_error(const Program& p, const std::string& text) {
    try {
        (void)parse_figures(p, text);
    } catch (const Failure& f) {
        return f.error;
    }
    FAIL("the figures were accepted: " << text);
    return {};
}

const ErrorDetail* detail_at(const Error& e, const std::string& path) {
    for (const ErrorDetail& d : e.details)
        if (d.path == path) return &d;
    return nullptr;
}

std::string describe(const Error& e) {
    std::string s = e.code + ":";
    for (const ErrorDetail& d : e.details) s += "\n  " + d.path + " " + d.reason + " (" + d.message + ")";
    return s;
}

std::vector<std::pair<std::string, std::string>> warnings_of(const Figures& f) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const Value& w : f.warnings) out.emplace_back(w.find("code")->as_string(), w.find("metric")->as_string());
    return out;
}

// The single reason for one value of one metric, or "" when it is valid.
std::string reason_for(const Program& p, const std::string& metric, const std::string& value_json) {
    const Metric* m = p.metric_of(metric);
    REQUIRE(m);
    const auto bad = check_figure(p, *m, parse_json(value_json), "/values/" + metric);
    if (!bad) return "";
    CHECK(bad->path == "/values/" + metric);
    CHECK_FALSE(bad->message.empty());
    return bad->reason;
}

}  // namespace

TEST_CASE("Figures report every invalid value at once") {
    const Error e = figures_error(cny(), figures(R"({
      "posts": -1,
      "reads": 12.5,
      "sales": -0.01,
      "refunds": 10.005,
      "growth": "0.5",
      "hours": 0.1234567,
      "active": 100.000001,
      "joined": 1,
      "certified": "yes"})"));
    INFO(describe(e));
    CHECK(e.code == "invalid_figures");
    const std::vector<std::pair<std::string, std::string>> expected = {
        {"/values/posts", "below_min"},         {"/values/reads", "not_integer"},  {"/values/sales", "below_min"},
        {"/values/refunds", "too_many_decimals"}, {"/values/growth", "not_a_number"}, {"/values/hours", "too_many_decimals"},
        {"/values/active", "above_max"},        {"/values/joined", "not_boolean"}, {"/values/certified", "not_boolean"},
    };
    REQUIRE(e.details.size() == expected.size());
    for (const auto& want : expected) {
        const std::string& path = want.first;
        const std::string& reason = want.second;
        CAPTURE(path);
        const ErrorDetail* d = detail_at(e, path);
        REQUIRE(d);
        CHECK(d->reason == reason);
        REQUIRE(d->args.is_object());
        CHECK(*d->args.find("metric") == Value(path.substr(8)));
    }
    // The arguments a translation needs.
    CHECK(*detail_at(e, "/values/posts")->args.find("min") == Value(0));
    CHECK(*detail_at(e, "/values/sales")->args.find("min") == Value(0));
    CHECK(*detail_at(e, "/values/refunds")->args.find("max") == Value(2));
    CHECK(*detail_at(e, "/values/hours")->args.find("max") == Value(6));
    CHECK(*detail_at(e, "/values/active")->args.find("max") == Value(100));
    CHECK(e.message.find("9 figures are not valid") == 0);
}

TEST_CASE("Figures of the wrong type are refused") {
    const Program& p = cny();
    for (const char* v : {"\"12\"", "true", "[1]", "{\"n\": 1}", "\"\""}) {
        CAPTURE(v);
        CHECK(reason_for(p, "posts", v) == "not_a_number");
        CHECK(reason_for(p, "growth", v) == "not_a_number");
    }
    for (const char* v : {"1", "0", "\"true\"", "\"yes\"", "[true]"}) {
        CAPTURE(v);
        CHECK(reason_for(p, "joined", v) == "not_boolean");
    }
    CHECK(reason_for(p, "joined", "true") == "");
    CHECK(reason_for(p, "joined", "false") == "");
}

TEST_CASE("Figures of a count are whole numbers") {
    const Program& p = cny();
    CHECK(reason_for(p, "posts", "12") == "");
    CHECK(reason_for(p, "posts", "12.0") == "");  // the same number as 12
    CHECK(reason_for(p, "posts", "1.2e1") == "");
    CHECK(reason_for(p, "posts", "12.5") == "not_integer");
    CHECK(reason_for(p, "posts", "0.000001") == "not_integer");
    CHECK(reason_for(p, "posts", "1.25e1") == "not_integer");
}

TEST_CASE("Figures have at most the decimals their type allows") {
    const Program& p = cny();
    // amount: the currency precision (CNY 2)
    CHECK(reason_for(p, "sales", "10.05") == "");
    CHECK(reason_for(p, "sales", "10.050") == "");
    CHECK(reason_for(p, "sales", "10.005") == "too_many_decimals");
    // number and percent: 6
    CHECK(reason_for(p, "hours", "1.123456") == "");
    CHECK(reason_for(p, "hours", "1.1234567") == "too_many_decimals");
    CHECK(reason_for(p, "active", "85.123456") == "");
    CHECK(reason_for(p, "active", "85.1234567") == "too_many_decimals");

    const Program jpy = parse_program(programme_text("JPY"));
    CHECK(reason_for(jpy, "sales", "1000") == "");
    CHECK(reason_for(jpy, "sales", "1000.5") == "too_many_decimals");
    const Metric* sales = jpy.metric_of("sales");
    const auto bad = check_figure(jpy, *sales, Value(Decimal::parse_or_throw("0.5")), "/x");
    REQUIRE(bad);
    CHECK(bad->path == "/x");
    CHECK(*bad->args.find("max") == Value(0));

    const Program kwd = parse_program(programme_text("KWD"));
    CHECK(reason_for(kwd, "sales", "1.005") == "");
    CHECK(reason_for(kwd, "sales", "1.0005") == "too_many_decimals");
}

TEST_CASE("Figures outside min and max are refused, with the implicit min 0") {
    const Program& p = cny();
    // count and amount: implicit min 0
    CHECK(reason_for(p, "posts", "0") == "");
    CHECK(reason_for(p, "posts", "-1") == "below_min");
    CHECK(reason_for(p, "sales", "0") == "");
    CHECK(reason_for(p, "sales", "-0.01") == "below_min");
    // explicit bounds are inclusive
    CHECK(reason_for(p, "posts", "1000") == "");
    CHECK(reason_for(p, "posts", "1001") == "above_max");
    CHECK(reason_for(p, "refunds", "-500") == "");
    CHECK(reason_for(p, "refunds", "-500.01") == "below_min");
    CHECK(reason_for(p, "refunds", "500.01") == "above_max");
    CHECK(reason_for(p, "growth", "-1") == "");
    CHECK(reason_for(p, "growth", "-1.000001") == "below_min");
    CHECK(reason_for(p, "growth", "10.000001") == "above_max");
    // number and percent have no implicit min
    CHECK(reason_for(p, "active", "-5") == "");
    CHECK(reason_for(p, "active", "100.5") == "above_max");
    // magnitudes stay below 10^12 (spec §7)
    CHECK(reason_for(p, "hours", "999999999999") == "");
    CHECK(reason_for(p, "hours", "1000000000000") == "out_of_range");
    CHECK(reason_for(p, "hours", "-1000000000000") == "out_of_range");
    CHECK(reason_for(p, "reads", "1000000000000") == "out_of_range");
}

TEST_CASE("Figures accept valid values and keep them") {
    const Figures f = parse_figures(cny(), figures(R"({"posts": 12, "reads": 48210, "sales": 1234.5, "refunds": -3.25, "growth": 0.123456,
        "hours": 18.5, "active": 42, "joined": true, "certified": false})",
                                                   R"("as_of": "2027-03-15", )"));
    REQUIRE(f.values.size() == 9);
    CHECK(f.values[0] == Value(12));
    CHECK(f.values[1] == Value(48210));
    CHECK(f.values[2] == Value(Decimal::parse_or_throw("1234.5")));
    CHECK(f.values[3] == Value(Decimal::parse_or_throw("-3.25")));
    CHECK(f.values[4] == Value(Decimal::parse_or_throw("0.123456")));
    CHECK(f.values[7] == Value(true));
    CHECK(f.values[8] == Value(false));
    CHECK(std::all_of(f.given.begin(), f.given.end(), [](bool g) { return g; }));
    CHECK(f.warnings.empty());
    REQUIRE(f.has_as_of);
    CHECK(f.as_of.to_string() == "2027-03-15");
    CHECK(*f.dealer.find("id") == Value("D-1"));
}

TEST_CASE("Figures missing a metric use its default with a missing_metric warning") {
    const Figures f = parse_figures(cny(), figures(R"({"posts": 3, "hours": null, "joined": null})"));
    // Every metric but posts is missing; null counts as missing (an empty form field).
    REQUIRE(f.values.size() == 9);
    CHECK(f.given == std::vector<bool>{true, false, false, false, false, false, false, false, false});
    CHECK(f.values[0] == Value(3));
    CHECK(f.values[1] == Value(7));                                     // default
    CHECK(f.values[2] == Value(0));                                     // no default: 0
    CHECK(f.values[3] == Value(2));                                     // default
    CHECK(f.values[5] == Value(0));                                     // null, no default: 0
    CHECK(f.values[7] == Value(false));                                 // boolean without default: false
    CHECK(f.values[8] == Value(true));                                  // boolean default
    const std::vector<std::pair<std::string, std::string>> expected = {
        {"missing_metric", "reads"},  {"missing_metric", "sales"},  {"missing_metric", "refunds"},
        {"missing_metric", "growth"}, {"missing_metric", "hours"},  {"missing_metric", "active"},
        {"missing_metric", "joined"}, {"missing_metric", "certified"}};
    CHECK(warnings_of(f) == expected);
    CHECK_FALSE(f.has_as_of);

    // No values at all: everything missing, nothing invalid.
    const Figures none = parse_figures(cny(), R"({"format": "dealer-incentive-figures/1"})");
    CHECK(none.warnings.size() == 9);
    CHECK(std::none_of(none.given.begin(), none.given.end(), [](bool g) { return g; }));
    CHECK(none.dealer.is_null());
}

TEST_CASE("Figures with unknown keys get unknown_metric warnings") {
    const Figures f = parse_figures(cny(), figures(R"({"posts": 1, "reads": 1, "sales": 1, "refunds": 1, "growth": 1, "hours": 1,
        "active": 1, "joined": true, "certified": true, "content_raeds": 5, "Posts": "x", "extra": null})"));
    const std::vector<std::pair<std::string, std::string>> expected = {
        {"unknown_metric", "content_raeds"}, {"unknown_metric", "Posts"}, {"unknown_metric", "extra"}};
    CHECK(warnings_of(f) == expected);
    CHECK(f.values[0] == Value(1));
}

TEST_CASE("Figures in another format are unsupported_format") {
    for (const char* format : {"\"dealer-incentive-figures/2\"", "\"dealer-incentive-program/1\"", "1", "null"}) {
        CAPTURE(format);
        const Error e = figures_error(cny(), std::string(R"({"format": )") + format + R"(, "values": {"posts": 1}})");
        CHECK(e.code == "unsupported_format");
        REQUIRE(e.details.size() == 1);
        CHECK(e.details[0].path == "/format");
        CHECK(e.details[0].reason == "unsupported_format");
    }
    // The format decides before the values are looked at.
    CHECK(figures_error(cny(), R"({"format": "dealer-incentive-figures/2", "values": {"posts": "bad"}})").code == "unsupported_format");
}

TEST_CASE("Figures that are not JSON are a parse error") {
    const Error e = figures_error(cny(), "{\"values\": {\"posts\": 12,}}");
    CHECK(e.code == "parse_error");
    CHECK(e.line == 1);
    CHECK(e.column > 0);
    REQUIRE(e.details.size() == 1);
    CHECK(*e.details[0].args.find("line") == Value(1));
    // NaN and Infinity are not JSON.
    CHECK(figures_error(cny(), R"({"values": {"hours": NaN}})").code == "parse_error");
    CHECK(figures_error(cny(), R"({"values": {"hours": Infinity}})").code == "parse_error");
    CHECK(figures_error(cny(), R"({"values": {"hours": -Infinity}})").code == "parse_error");
}

TEST_CASE("Figures with a bad as_of are refused at /as_of") {
    for (const char* as_of : {"\"2027-02-30\"", "\"2027-13-01\"", "\"tomorrow\"", "\"2027-3-15\"", "20270315", "true"}) {
        CAPTURE(as_of);
        const Error e = figures_error(cny(), figures(R"({"posts": 1})", std::string(R"("as_of": )") + as_of + ", "));
        CHECK(e.code == "invalid_figures");
        REQUIRE(e.details.size() == 1);
        CHECK(e.details[0].path == "/as_of");
        CHECK(e.details[0].reason == "bad_date");
    }
    // Together with a bad value: both are listed.
    const Error both = figures_error(cny(), figures(R"({"posts": -1})", R"("as_of": "2027-02-29", )"));
    CHECK(both.details.size() == 2);
    CHECK(detail_at(both, "/as_of"));
    CHECK(detail_at(both, "/values/posts"));
    // null is no date at all.
    const Figures f = parse_figures(cny(), figures(R"({"posts": 1})", R"("as_of": null, )"));
    CHECK_FALSE(f.has_as_of);
}

TEST_CASE("Figures document shape problems are listed with the values") {
    const Error e = figures_error(cny(), R"({"format": "dealer-incentive-figures/1", "dealer": {"id": 42}, "vaules": {}, "values": {"posts": 1.5}})");
    INFO(describe(e));
    CHECK(e.code == "invalid_figures");
    CHECK(e.details.size() == 3);
    CHECK(detail_at(e, "/dealer/id"));
    REQUIRE(detail_at(e, "/vaules"));
    CHECK(detail_at(e, "/vaules")->reason == "unknown_field");
    REQUIRE(detail_at(e, "/values/posts"));
    CHECK(detail_at(e, "/values/posts")->reason == "not_integer");

    const Error not_object = figures_error(cny(), R"({"values": [1, 2]})");
    REQUIRE(not_object.details.size() == 1);
    CHECK(not_object.details[0].path == "/values");
    CHECK(not_object.details[0].reason == "wrong_type");

    const Error array = figures_error(cny(), "[]");
    CHECK(array.code == "invalid_figures");
}

TEST_CASE("Figures validation summary names the programme and the dealer") {
    const Program& p = cny();
    CHECK(validation_summary(p, nullptr) == "ok: programme fig 2027.1: 9 metrics, 0 derived values, 0 scores, 1 rule, 0 caps");
    const Figures f = parse_figures(p, figures(R"({"posts": 1, "reads": 1, "sales": 1, "refunds": 1, "growth": 1, "hours": 1,
        "active": 1, "joined": true})"));
    CHECK(validation_summary(p, &f) ==
          "ok: programme fig 2027.1: 9 metrics, 0 derived values, 0 scores, 1 rule, 0 caps; figures valid for D-1 (1 warning)");
    const Figures g = parse_figures(p, R"({"values": {"posts": 1, "zzz": 2}})");
    CHECK(validation_summary(p, &g) ==
          "ok: programme fig 2027.1: 9 metrics, 0 derived values, 0 scores, 1 rule, 0 caps; figures valid (9 warnings)");
    const Figures h = parse_figures(p, figures(R"({"posts": 1, "reads": 1, "sales": 1, "refunds": 1, "growth": 1, "hours": 1,
        "active": 1, "joined": true, "certified": true})"));
    CHECK(validation_summary(p, &h) ==
          "ok: programme fig 2027.1: 9 metrics, 0 derived values, 0 scores, 1 rule, 0 caps; figures valid for D-1");

    const Program sample = parse_program(read_text(test_path("programs/sample/program.json")));
    const Figures sf = parse_figures(sample, read_text(test_path("programs/sample/figures.json")));
    const std::string line = validation_summary(sample, &sf);
    CHECK(line.rfind("ok: programme sample-digital-2027h1 2027.1: " + std::to_string(sample.metrics.size()) + " metrics, ", 0) == 0);
    CHECK(line.find("; figures valid") != std::string::npos);
}

TEST_CASE("Figures of every valid conformance case load, and case 10 fails at both values") {
    for (const char* name : {"01_rate_blocks", "02_tier_modes", "03_exact_decimal", "04_locked_unlock", "05_score_multiplier", "06_caps",
                             "07_projection", "08_derived_driver", "09_points_award_missing"}) {
        CAPTURE(name);
        const Value kase = parse_json(read_text(test_path(std::string("tests/conformance/cases/") + name + ".json")));
        const Program p = load_program(*kase.find("program"));
        const Figures f = load_figures(p, *kase.find("figures"));
        CHECK(f.values.size() == p.metrics.size());
    }
    const Value k10 = parse_json(read_text(test_path("tests/conformance/cases/10_invalid_figures.json")));
    const Program p = load_program(*k10.find("program"));
    try {
        (void)load_figures(p, *k10.find("figures"));
        FAIL("case 10 was accepted");
    } catch (const Failure& f) {
        CHECK(f.error.code == "invalid_figures");
        REQUIRE(f.error.details.size() == 2);
        CHECK(f.error.details[0].path == "/values/content_posts");
        CHECK(f.error.details[0].reason == "not_integer");
        CHECK(f.error.details[1].path == "/values/sales_amount");
        CHECK(f.error.details[1].reason == "below_min");
    }
}

TEST_CASE("Figures with digits beyond the 12th decimal place are refused, not silently rounded") {
    CHECK(reason_for(cny(), "posts", "1.0000000000001") == "not_integer");
    CHECK(reason_for(cny(), "refunds", "-0.0000000000004") == "too_many_decimals");
    CHECK(reason_for(cny(), "hours", "0.30000000000000004") == "too_many_decimals");
    CHECK(reason_for(cny(), "hours", "0.300000000000") == "");  // trailing zeros are exact
}
