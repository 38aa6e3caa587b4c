// Next tiers, drivers and unlocks (spec §7 "Next tier"): the smallest increase of one
// metric alone that reaches the next tier, at the metric's resolution, and its gain.
#include <doctest/doctest.h>

#include "dealercalc/engine.hpp"
#include "programs.hpp"
#include "support.hpp"

using namespace dealercalc;
using testprog::at;
using testprog::component;
using testprog::has;
using testprog::J;
using testprog::metric;
using testprog::program;

namespace {

std::string figures(const std::string& values, const std::string& extra = "") { return testprog::figures(values, extra); }
Value run(const std::string& p, const std::string& f) { return testprog::evaluate(p, f); }

// Figures with one metric set to `to`.
std::string with_value(const std::string& figures_text, const std::string& metric_id, const Value& to) {
    Value doc = parse_json(figures_text);
    Value values = *doc.find("values");
    values.set(metric_id, to);
    doc.set("values", values);
    return to_json(doc);
}

// For every driver and unlock driver in a result: a full evaluation with the metric set
// to `to` reaches the tier (or unlocks) and changes every unit's total by `gain`.
// Returns the number of drivers checked.
int check_drivers_by_reevaluation(const std::string& p, const std::string& f) {
    const Value base = run(p, f);
    int checked = 0;
    for (const Value& c : at(base, "components").as_array()) {
        const std::string id = at(c, "id").as_string();
        std::vector<std::pair<const Value*, bool>> lists;  // (drivers, is_unlock)
        if (has(c, "next/drivers")) lists.emplace_back(&at(c, "next/drivers"), false);
        if (has(c, "unlock")) lists.emplace_back(&at(c, "unlock"), true);
        for (const auto& entry : lists) {
            const Value* list = entry.first;
            const bool unlock = entry.second;
            for (const Value& d : list->as_array()) {
                const std::string m = at(d, "metric").as_string();
                INFO("rule " << id << ", driver " << to_json(d));
                const Value after = run(p, with_value(f, m, at(d, "to")));
                const Value& ca = component(after, id);
                if (unlock) {
                    CHECK(J(ca, "status") != "\"locked\"");
                } else {
                    REQUIRE(has(ca, "tier"));
                    CHECK(at(ca, "tier/index").as_number() >= at(c, "next/index").as_number());
                }
                for (const Member& u : at(base, "totals").as_object()) {
                    const Decimal diff = at(after, "totals/" + u.key).as_number() - u.value.as_number();
                    CHECK(at(d, "gain/" + u.key).as_number() == diff);
                }
                CHECK(at(d, "gain").size() == at(base, "totals").size());
                ++checked;
            }
        }
    }
    return checked;
}

}  // namespace

TEST_CASE("Next tier: an identity basis needs the gap, and the gain covers every rule it moves") {
    const std::string p = program(metric("sales_units", "count"),
                                  R"({"id": "retro", "kind": "tiered", "mode": "retro", "basis": "sales_units",
                                      "tiers": [{"from": 0, "rate": 1}, {"from": 500, "rate": 2}, {"from": 1000, "rate": 3, "name": "T2"}, {"from": 2000, "rate": 4, "name": {"en": "T3"}}]},
                                     {"id": "fixed", "kind": "tiered", "mode": "fixed", "basis": "sales_units",
                                      "tiers": [{"from": 0, "amount": 100}, {"from": 500, "amount": 300}, {"from": 1000, "amount": 800}, {"from": 2000, "amount": 1500}]})");
    const Value r = run(p, figures(R"("sales_units": 1250)"));
    // retro 3750 → 8000, fixed 800 → 1500
    CHECK(J(component(r, "retro"), "next") ==
          R"({"index":3,"name":{"en":"T3"},"from":2000,"current":1250,"gap":750,"drivers":[{"metric":"sales_units","increase":750,"to":2000,"gain":{"CNY":4950}}]})");
    CHECK(J(component(r, "fixed"), "next/drivers") == R"([{"metric":"sales_units","increase":750,"to":2000,"gain":{"CNY":4950}}])");
    CHECK(check_drivers_by_reevaluation(p, figures(R"("sales_units": 1250)")) == 2);
    SUBCASE("one below a tier needs one unit") {
        const Value q = run(p, figures(R"("sales_units": 999)"));
        CHECK(J(component(q, "retro"), "next/drivers/0/increase") == "1");
        CHECK(J(component(q, "retro"), "next/drivers/0/to") == "1000");
    }
}

TEST_CASE("Next tier: amount metrics step by the currency precision") {
    const std::string tiers = R"("tiers": [{"from": 0, "amount": 1}, {"from": 2000.005, "amount": 2}])";
    SUBCASE("CNY: 0.01") {
        const std::string p = program(metric("sales", "amount"), R"({"id": "f", "kind": "tiered", "mode": "fixed", "basis": "sales", )" + tiers + "}");
        const Value r = run(p, figures(R"("sales": 1234.56)"));
        CHECK(J(component(r, "f"), "next/gap") == "765.445");
        CHECK(J(component(r, "f"), "next/drivers") == R"([{"metric":"sales","increase":765.45,"to":2000.01,"gain":{"CNY":1}}])");
    }
    SUBCASE("JPY: 1") {
        const std::string p = R"({"format": "dealer-incentive-program/1", "id": "t", "version": "1", "name": "T", "currency": "JPY",
            "metrics": [{"id": "sales", "label": "s", "type": "amount"}],
            "rules": [{"id": "f", "kind": "tiered", "mode": "fixed", "basis": "sales", )" + tiers + "}]}";
        const Value r = run(p, figures(R"("sales": 1234)"));
        CHECK(J(component(r, "f"), "next/drivers") == R"([{"metric":"sales","increase":767,"to":2001,"gain":{"JPY":1}}])");
    }
}

TEST_CASE("Next tier: number and percent metrics step by 0.000001") {
    const std::string p = program(
        metric("x", "number") + "," + metric("pct", "percent") + "," + metric("y", "number", R"("min": -5, "max": 5)"),
        R"({"id": "on_x", "kind": "tiered", "mode": "fixed", "basis": "x", "tiers": [{"from": 2.000001, "amount": 1}]},
           {"id": "on_pct", "kind": "tiered", "mode": "fixed", "basis": "pct", "tiers": [{"from": 90.5, "amount": 1}]},
           {"id": "on_triple", "kind": "tiered", "mode": "fixed", "basis": "triple", "tiers": [{"from": 1, "amount": 1}]})",
        R"("derived": [{"id": "triple", "expr": {"*": [{"var": "y"}, 3]}}])");
    const Value r = run(p, figures(R"("x": 1.5, "pct": 89, "y": 0)"));
    CHECK(J(component(r, "on_x"), "next/drivers") == R"([{"metric":"x","increase":0.500001,"to":2.000001,"gain":{"CNY":1}}])");
    // a percent without max may rise by up to 10^12 - 10^-6: 10^18 steps
    CHECK(J(component(r, "on_pct"), "next/drivers") == R"([{"metric":"pct","increase":1.5,"to":90.5,"gain":{"CNY":1}}])");
    // 3 × 0.333333 = 0.999999 < 1 ≤ 3 × 0.333334
    CHECK(J(component(r, "on_triple"), "next/drivers") == R"([{"metric":"y","increase":0.333334,"to":0.333334,"gain":{"CNY":1}}])");
    CHECK(check_drivers_by_reevaluation(p, figures(R"("x": 1.5, "pct": 89, "y": 0)")) == 3);
}

TEST_CASE("Next tier: a derived basis is reached through its inputs; a baseline is left out") {
    const std::string p = program(
        metric("sales_amount", "amount") + "," + metric("sales_amount_last_year", "amount"),
        R"({"id": "growth_rebate", "kind": "tiered", "mode": "retro", "basis": "sales_growth", "base": "sales_amount",
            "tiers": [{"from": 0.05, "rate": 0.01}, {"from": 0.1, "rate": 0.02}]})",
        R"("derived": [{"id": "sales_growth", "expr": {"-": [{"/": [{"var": "sales_amount"}, {"var": "sales_amount_last_year"}]}, 1]}}])");
    const std::string f = figures(R"("sales_amount": 108000, "sales_amount_last_year": 100000)");
    const Value r = run(p, f);
    CHECK(J(component(r, "growth_rebate"), "next") ==
          R"({"index":1,"from":0.1,"current":0.08,"gap":0.02,"drivers":[{"metric":"sales_amount","increase":2000,"to":110000,"gain":{"CNY":1120}}]})");
    CHECK(check_drivers_by_reevaluation(p, f) == 1);
    SUBCASE("a non-round target") {
        const Value q = run(p, figures(R"("sales_amount": 108000, "sales_amount_last_year": 99999.99)"));
        // 99999.99 × 1.1 = 109999.989 → 109999.99
        CHECK(J(component(q, "growth_rebate"), "next/drivers/0/to") == "109999.99");
        CHECK(J(component(q, "growth_rebate"), "next/drivers/0/increase") == "1999.99");
    }
}

TEST_CASE("Next tier: a score basis through linear and step items") {
    const std::string p = program(
        metric("posts", "count") + "," + metric("crm", "percent", R"("max": 100)") + "," + metric("staff", "count"),
        R"({"id": "level", "kind": "tiered", "mode": "fixed", "basis": "s",
            "tiers": [{"from": 50, "amount": 100}, {"from": 65, "amount": 300}, {"from": 90, "amount": 1000}]})",
        R"("scores": [{"id": "s", "items": [{"value": "posts", "target": 20, "points": 40},
                                            {"value": "crm", "target": 95, "points": 30, "curve": "step"},
                                            {"value": "staff", "target": 4, "points": 30}]}])");
    const std::string f = figures(R"("posts": 15, "crm": 90, "staff": 4)");
    const Value r = run(p, f);
    CHECK(J(r, "values/s") == "60");
    // posts: 40 × 17.5 / 20 = 35 points needed → 18 posts; crm jumps to its step target
    // (and on to the top tier); staff is already full and is no driver.
    CHECK(J(component(r, "level"), "next/drivers") ==
          R"([{"metric":"posts","increase":3,"to":18,"gain":{"CNY":200}},{"metric":"crm","increase":5,"to":95,"gain":{"CNY":900}}])");
    CHECK(check_drivers_by_reevaluation(p, f) == 2);
}

TEST_CASE("Next tier: case 05, a multiplier's level through a scorecard") {
    const Value doc = parse_json(read_text(test_path("tests/conformance/cases/05_score_multiplier.json")));
    const std::string p = to_json(at(doc, "program"));
    const std::string f = to_json(at(doc, "figures"));
    const Value r = run(p, f);
    CHECK(J(component(r, "level_uplift"), "next") ==
          R"({"index":1,"name":{"en":"Gold","zh-CN":"金牌"},"from":80,"current":67.5,"gap":12.5,)"
          R"("drivers":[{"metric":"trained_staff","increase":2,"to":3,"gain":{"CNY":600}}]})");
    CHECK(check_drivers_by_reevaluation(p, f) == 1);
}

TEST_CASE("Next tier: a metric that would pass its max is left out") {
    const std::string p = program(
        metric("a", "count", R"("max": 10)") + "," + metric("b", "count") + "," + metric("c", "count", R"("max": 15)"),
        R"({"id": "on_sum", "kind": "tiered", "mode": "fixed", "basis": "total", "tiers": [{"from": 20, "amount": 5}]},
           {"id": "on_c", "kind": "tiered", "mode": "fixed", "basis": "c", "tiers": [{"from": 0, "amount": 1}, {"from": 16, "amount": 5}]})",
        R"("derived": [{"id": "total", "expr": {"+": [{"var": "a"}, {"var": "b"}]}}])");
    const Value r = run(p, figures(R"("a": 2, "b": 3, "c": 15)"));
    CHECK(J(component(r, "on_sum"), "next/drivers") == R"([{"metric":"b","increase":15,"to":18,"gain":{"CNY":5}}])");
    CHECK(J(component(r, "on_c"), "next/gap") == "1");
    CHECK(J(component(r, "on_c"), "next/drivers") == "[]");
    SUBCASE("a metric at its max can still be the only way when the max is enough") {
        const Value q = run(p, figures(R"("a": 2, "b": 10, "c": 0)"));
        CHECK(J(component(q, "on_sum"), "next/drivers") ==
              R"([{"metric":"a","increase":8,"to":10,"gain":{"CNY":5}},{"metric":"b","increase":8,"to":18,"gain":{"CNY":5}}])");
    }
}

TEST_CASE("Next tier: gains are per unit and equal the difference of two full evaluations") {
    const std::string p = program(
        metric("posts", "count") + "," + metric("sales", "amount"),
        R"({"id": "post_points", "kind": "rate", "base": "posts", "rate": 10, "unit": "points"},
           {"id": "post_tier", "kind": "tiered", "mode": "fixed", "basis": "posts", "tiers": [{"from": 10, "amount": 100}, {"from": 20, "amount": 250}]},
           {"id": "sales_rate", "kind": "rate", "base": "sales", "rate": 0.01})",
        R"("units": [{"id": "points", "label": "Points"}], "caps": [{"id": "cny_cap", "unit": "CNY", "max": 300}])");
    const std::string f = figures(R"("posts": 12, "sales": 10000)");
    const Value r = run(p, f);
    // 100 + 100 → 250 + 100 capped at 300: +100 CNY; +80 points
    CHECK(J(component(r, "post_tier"), "next/drivers") == R"([{"metric":"posts","increase":8,"to":20,"gain":{"CNY":100,"points":80}}])");
    CHECK(check_drivers_by_reevaluation(p, f) == 1);
}

TEST_CASE("Next tier: unlock with a boolean metric sets it to true") {
    const std::string p = program(
        metric("joined_live", "boolean") + "," + metric("gmv", "amount"),
        R"({"id": "live_bonus", "kind": "rate", "base": "gmv", "rate": 0.05, "when": {"var": "joined_live"}})");
    const Value r = run(p, figures(R"("joined_live": false, "gmv": 1000)"));
    CHECK(J(component(r, "live_bonus"), "unlock") == R"([{"metric":"joined_live","to":true,"gain":{"CNY":50}}])");
    CHECK_FALSE(has(component(r, "live_bonus"), "next"));
    CHECK(check_drivers_by_reevaluation(p, figures(R"("joined_live": false, "gmv": 1000)")) == 1);
}

TEST_CASE("Next tier: an unlock that needs two metrics together lists no single driver") {
    const std::string p = program(
        metric("a", "count") + "," + metric("b", "count"),
        R"({"id": "both", "kind": "tiered", "mode": "fixed", "basis": "a", "when": {"and": [{">=": [{"var": "a"}, 1]}, {">=": [{"var": "b"}, 1]}]},
            "tiers": [{"from": 0, "amount": 7}, {"from": 5, "amount": 9}]})");
    const Value none = run(p, figures(R"("a": 0, "b": 0)"));
    CHECK(J(component(none, "both"), "status") == "\"locked\"");
    CHECK(J(component(none, "both"), "unlock") == "[]");
    CHECK_FALSE(has(component(none, "both"), "next"));  // a locked rule has no next
    const Value one = run(p, figures(R"("a": 1, "b": 0)"));
    CHECK(J(component(one, "both"), "unlock") == R"([{"metric":"b","increase":1,"to":1,"gain":{"CNY":7}}])");
    const Value open = run(p, figures(R"("a": 1, "b": 1)"));
    CHECK(J(component(open, "both"), "next/drivers") == R"([{"metric":"a","increase":4,"to":5,"gain":{"CNY":2}}])");
}

TEST_CASE("Next tier: the top tier has no next; below the first tier the next is tier 0") {
    const std::string p = program(metric("n", "count"),
                                  R"({"id": "m", "kind": "tiered", "mode": "marginal", "basis": "n", "tiers": [{"from": 10, "rate": 1}, {"from": 20, "rate": 2}]},
                                     {"id": "x", "kind": "multiplier", "basis": "n", "applies_to": ["m"], "tiers": [{"from": 15, "factor": 2}]})");
    const Value top = run(p, figures(R"("n": 25)"));
    CHECK_FALSE(has(component(top, "m"), "next"));
    CHECK_FALSE(has(component(top, "x"), "next"));
    const Value low = run(p, figures(R"("n": 4)"));
    CHECK(J(component(low, "m"), "next") == R"({"index":0,"from":10,"current":4,"gap":6,"drivers":[{"metric":"n","increase":6,"to":10,"gain":{"CNY":0}}]})");
    // the multiplier's driver: at 15 the marginal pays 5, doubled: +10
    CHECK(J(component(low, "x"), "next/drivers") == R"([{"metric":"n","increase":11,"to":15,"gain":{"CNY":10}}])");
    CHECK(check_drivers_by_reevaluation(p, figures(R"("n": 4)")) == 2);
}

TEST_CASE("Next tier: drivers of the conformance cases survive re-evaluation") {
    for (const char* name : {"02_tier_modes", "04_locked_unlock", "05_score_multiplier", "08_derived_driver", "09_points_award_missing"}) {
        INFO(name);
        const Value doc = parse_json(read_text(test_path(std::string("tests/conformance/cases/") + name + ".json")));
        CHECK(check_drivers_by_reevaluation(to_json(at(doc, "program")), to_json(at(doc, "figures"))) >= 0);
    }
    const Value doc = parse_json(read_text(test_path("tests/conformance/cases/02_tier_modes.json")));
    CHECK(check_drivers_by_reevaluation(to_json(at(doc, "program")), to_json(at(doc, "figures"))) == 3);
}

TEST_CASE("Next tier: a driver never locks the rule it is meant to advance") {
    const std::string p = program(metric("n", "count"),
                                  R"({"id": "small", "kind": "tiered", "mode": "fixed", "basis": "n", "when": {"<": [{"var": "n"}, 100]},
                                      "tiers": [{"from": 0, "amount": 1}, {"from": 50, "amount": 5}, {"from": 150, "amount": 9}]})");
    CHECK(J(component(run(p, figures(R"("n": 10)")), "small"), "next/drivers") == R"([{"metric":"n","increase":40,"to":50,"gain":{"CNY":4}}])");
    // 150 is reached only at n ≥ 150, where the rule is locked: no driver
    CHECK(J(component(run(p, figures(R"("n": 60)")), "small"), "next/drivers") == "[]");
    CHECK(check_drivers_by_reevaluation(p, figures(R"("n": 60)")) == 0);
}

TEST_CASE("Next tier: a driver's figure respects the metric's min") {
    // A missing metric without a default is 0 even under a positive min (spec §2); the
    // driver must name a figure the dealer can enter.
    const std::string p = program(metric("stores", "count", R"("min": 5)") + "," + metric("x", "number", R"("min": 2.5)"),
                                  R"({"id": "on_stores", "kind": "tiered", "mode": "fixed", "basis": "stores", "tiers": [{"from": 1, "amount": 3}]},
                                     {"id": "on_x", "kind": "tiered", "mode": "fixed", "basis": "x", "tiers": [{"from": 0.5, "amount": 4}]})");
    const std::string f = figures("");
    const Value r = run(p, f);
    CHECK(J(r, "warnings") == R"([{"code":"missing_metric","metric":"stores"},{"code":"missing_metric","metric":"x"}])");
    CHECK(J(component(r, "on_stores"), "next/drivers") == R"([{"metric":"stores","increase":5,"to":5,"gain":{"CNY":3}}])");
    CHECK(J(component(r, "on_x"), "next/drivers") == R"([{"metric":"x","increase":2.5,"to":2.5,"gain":{"CNY":4}}])");
    CHECK(check_drivers_by_reevaluation(p, f) == 2);
}
