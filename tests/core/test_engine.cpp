// The engine, one rule kind at a time (spec §5–§8, §10), with exact amounts.
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
Value run(const std::string& p, const std::string& f, const EvaluateOptions& o = {}) { return testprog::evaluate(p, f, o); }

// Σ amounts of the non-award components plus Σ adjustments, per unit, as JSON.
std::string recomputed_totals(const Value& r) {
    Value t = Value::object();
    for (const Member& m : at(r, "totals").as_object()) t.set(m.key, Value(Decimal()));
    for (const Value& c : at(r, "components").as_array()) {
        if (at(c, "kind").as_string() == "award") continue;
        const std::string unit = at(c, "unit").as_string();
        t.set(unit, Value(at(t, unit).as_number() + at(c, "amount").as_number()));
    }
    for (const Value& a : at(r, "adjustments").as_array()) {
        const std::string unit = at(a, "unit").as_string();
        t.set(unit, Value(at(t, unit).as_number() + at(a, "amount").as_number()));
    }
    return to_json(t);
}

const std::string kRateProgram = program(
    metric("parts_amount", "amount") + "," + metric("content_reads", "count"),
    R"({"id": "parts_rebate", "kind": "rate", "category": "sales", "base": "parts_amount", "rate": 0.015},
       {"id": "reads_bonus", "kind": "rate", "category": "content", "base": "content_reads", "rate": 5, "per": 1000})");

}  // namespace

TEST_CASE("Engine: a rate rule without per pays rate × base, rounded half away from zero") {
    const Value r = run(kRateProgram, figures(R"("parts_amount": 67, "content_reads": 0)"));
    const Value& c = component(r, "parts_rebate");
    CHECK(J(c, "amount") == "1.01");  // 0.015 × 67 = 1.005 exactly
    CHECK(J(c, "uncapped") == "1.01");
    CHECK(J(c, "status") == "\"earned\"");
    CHECK(J(c, "kind") == "\"rate\"");
    CHECK(J(c, "category") == "\"sales\"");
    CHECK(J(c, "unit") == "\"CNY\"");
    CHECK(J(c, "trace") == R"({"base":{"value":"parts_amount","amount":67},"rate":0.015,"raw":1.005})");
    CHECK_FALSE(has(c, "tier"));
    CHECK_FALSE(has(c, "next"));
}

TEST_CASE("Engine: a rate rule with per pays whole blocks only") {
    SUBCASE("48210 reads are 48 blocks") {
        const Value c = component(run(kRateProgram, figures(R"("parts_amount": 0, "content_reads": 48210)")), "reads_bonus");
        CHECK(J(c, "amount") == "240");
        CHECK(J(c, "trace") == R"({"base":{"value":"content_reads","amount":48210},"rate":5,"per":1000,"blocks":48,"raw":240})");
    }
    SUBCASE("999 reads are no block: status none") {
        const Value c = component(run(kRateProgram, figures(R"("parts_amount": 0, "content_reads": 999)")), "reads_bonus");
        CHECK(J(c, "amount") == "0");
        CHECK(J(c, "status") == "\"none\"");
        CHECK(J(c, "trace/blocks") == "0");
    }
    SUBCASE("exactly 1000 reads are one block") {
        const Value c = component(run(kRateProgram, figures(R"("parts_amount": 0, "content_reads": 1000)")), "reads_bonus");
        CHECK(J(c, "amount") == "5");
        CHECK(J(c, "status") == "\"earned\"");
    }
    SUBCASE("a base of 0 pays 0 with status none") {
        const Value r = run(kRateProgram, figures(R"("parts_amount": 0, "content_reads": 0)"));
        CHECK(J(component(r, "parts_rebate"), "status") == "\"none\"");
        CHECK(J(r, "totals") == R"({"CNY":0})");
    }
}

TEST_CASE("Engine: a rule cap limits the amount and keeps the uncapped amount") {
    const std::string p = program(metric("content_reads", "count"),
                                  R"({"id": "reads_bonus", "kind": "rate", "base": "content_reads", "rate": 5, "per": 1000, "cap": 3000})");
    SUBCASE("above the cap") {
        const Value r = run(p, figures(R"("content_reads": 900000)"));
        const Value& c = component(r, "reads_bonus");
        CHECK(J(c, "amount") == "3000");
        CHECK(J(c, "uncapped") == "4500");
        CHECK(J(c, "trace") ==
              R"({"base":{"value":"content_reads","amount":900000},"rate":5,"per":1000,"blocks":900,"raw":4500,"cap":3000,"capped":true})");
        CHECK(J(r, "totals/CNY") == "3000");
        CHECK(J(r, "adjustments") == "[]");  // a rule's own cap is not an adjustment line
    }
    SUBCASE("below the cap") {
        const Value c = component(run(p, figures(R"("content_reads": 100000)")), "reads_bonus");
        CHECK(J(c, "amount") == "500");
        CHECK(J(c, "uncapped") == "500");
        CHECK(J(c, "trace/capped") == "false");
    }
    SUBCASE("exactly at the cap is not capped") {
        const Value c = component(run(p, figures(R"("content_reads": 600000)")), "reads_bonus");
        CHECK(J(c, "amount") == "3000");
        CHECK(J(c, "trace/capped") == "false");
    }
}

TEST_CASE("Engine: a tiered retro rule re-rates the whole base at the tier reached") {
    const std::string p = program(metric("units", "count") + "," + metric("sales", "amount"),
                                  R"({"id": "retro", "kind": "tiered", "mode": "retro", "category": "sales", "basis": "units", "base": "sales",
                                      "tiers": [{"from": 100, "rate": 0.01, "name": "Bronze"}, {"from": 200, "rate": 0.02, "name": "Silver"}]})");
    SUBCASE("below the first tier pays 0 with status none") {
        const Value c = component(run(p, figures(R"("units": 99, "sales": 5000)")), "retro");
        CHECK(J(c, "amount") == "0");
        CHECK(J(c, "status") == "\"none\"");
        CHECK(J(c, "mode") == "\"retro\"");
        CHECK_FALSE(has(c, "tier"));
        CHECK(J(c, "next/index") == "0");
        CHECK(J(c, "next/gap") == "1");
        CHECK(J(c, "trace") == R"({"basis":{"value":"units","amount":99},"base":{"value":"sales","amount":5000},"tier":-1,"raw":0})");
    }
    SUBCASE("exactly at a from reaches the tier") {
        const Value c = component(run(p, figures(R"("units": 100, "sales": 5000)")), "retro");
        CHECK(J(c, "amount") == "50");
        CHECK(J(c, "status") == "\"earned\"");
        CHECK(J(c, "tier") == R"({"index":0,"name":"Bronze","from":100,"rate":0.01})");
        CHECK(J(c, "trace") ==
              R"({"basis":{"value":"units","amount":100},"base":{"value":"sales","amount":5000},"tier":0,"rate":0.01,"raw":50})");
    }
    SUBCASE("the top tier re-rates everything and has no next") {
        const Value c = component(run(p, figures(R"("units": 250, "sales": 5000.55)")), "retro");
        CHECK(J(c, "amount") == "100.01");  // 0.02 × 5000.55 = 100.011
        CHECK(J(c, "uncapped") == "100.01");
        CHECK(J(c, "tier/index") == "1");
        CHECK_FALSE(has(c, "next"));
    }
    SUBCASE("base defaults to the basis") {
        const std::string q = program(metric("units", "count"),
                                      R"({"id": "retro", "kind": "tiered", "mode": "retro", "basis": "units",
                                          "tiers": [{"from": 0, "rate": 1}, {"from": 500, "rate": 2}, {"from": 1000, "rate": 3}]})");
        const Value c = component(run(q, figures(R"("units": 1250)")), "retro");
        CHECK(J(c, "amount") == "3750");
        CHECK(J(c, "trace/base") == R"({"value":"units","amount":1250})");
    }
}

TEST_CASE("Engine: a tiered marginal rule rates each bracket, the last one open-ended") {
    const std::string p = program(metric("units", "count"),
                                  R"({"id": "marginal", "kind": "tiered", "mode": "marginal", "basis": "units",
                                      "tiers": [{"from": 100, "rate": 1}, {"from": 500, "rate": 2}, {"from": 1000, "rate": 3}]})");
    SUBCASE("below the first from earns nothing") {
        const Value c = component(run(p, figures(R"("units": 50)")), "marginal");
        CHECK(J(c, "amount") == "0");
        CHECK(J(c, "status") == "\"none\"");
        CHECK_FALSE(has(c, "tier"));
        CHECK(J(c, "trace") == R"({"basis":{"value":"units","amount":50},"tier":-1,"brackets":[],"raw":0})");
    }
    SUBCASE("exactly at the first from reaches it but has no volume yet") {
        const Value c = component(run(p, figures(R"("units": 100)")), "marginal");
        CHECK(J(c, "tier/index") == "0");
        CHECK(J(c, "amount") == "0");
    }
    SUBCASE("three brackets") {
        const Value c = component(run(p, figures(R"("units": 1250)")), "marginal");
        CHECK(J(c, "amount") == "2150");  // 400 × 1 + 500 × 2 + 250 × 3
        CHECK(J(c, "tier/index") == "2");
        CHECK(J(c, "trace/brackets") ==
              R"([{"tier":0,"from":100,"to":500,"volume":400,"rate":1,"amount":400},)"
              R"({"tier":1,"from":500,"to":1000,"volume":500,"rate":2,"amount":1000},)"
              R"({"tier":2,"from":1000,"to":1250,"volume":250,"rate":3,"amount":750}])");
        CHECK_FALSE(has(c, "next"));
    }
    SUBCASE("the last bracket is open-ended") {
        const Value c = component(run(p, figures(R"("units": 100000)")), "marginal");
        CHECK(J(c, "amount") == "298400");  // 400 + 1000 + 99000 × 3
    }
    SUBCASE("inside the middle bracket") {
        const Value c = component(run(p, figures(R"("units": 700)")), "marginal");
        CHECK(J(c, "amount") == "800");  // 400 + 200 × 2
        CHECK(J(c, "next/index") == "2");
        CHECK(J(c, "next/gap") == "300");
    }
}

TEST_CASE("Engine: a tiered fixed rule pays the lump sum of the tier reached") {
    const std::string p = program(metric("units", "count"),
                                  R"({"id": "fixed", "kind": "tiered", "mode": "fixed", "basis": "units",
                                      "tiers": [{"from": 100, "amount": 50}, {"from": 500, "amount": 300}]})");
    CHECK(J(component(run(p, figures(R"("units": 99)")), "fixed"), "status") == "\"none\"");
    CHECK(J(component(run(p, figures(R"("units": 99)")), "fixed"), "amount") == "0");
    CHECK(J(component(run(p, figures(R"("units": 100)")), "fixed"), "amount") == "50");
    CHECK(J(component(run(p, figures(R"("units": 499)")), "fixed"), "amount") == "50");
    const Value top = component(run(p, figures(R"("units": 500)")), "fixed");
    CHECK(J(top, "amount") == "300");
    CHECK(J(top, "tier") == R"({"index":1,"from":500,"amount":300})");
    CHECK(J(top, "trace") == R"({"basis":{"value":"units","amount":500},"tier":1,"amount":300,"raw":300})");
    CHECK_FALSE(has(top, "next"));
}

TEST_CASE("Engine: exact decimal tier tests (115 / 100 - 1 reaches 0.15)") {
    const std::string p = program(
        metric("sales", "amount") + "," + metric("last_year", "amount"),
        R"({"id": "growth_rebate", "kind": "tiered", "mode": "retro", "basis": "growth", "base": "sales",
            "tiers": [{"from": 0.05, "rate": 0.01}, {"from": 0.15, "rate": 0.02}]})",
        R"("derived": [{"id": "growth", "expr": {"-": [{"/": [{"var": "sales"}, {"var": "last_year"}]}, 1]}}])");
    const Value r = run(p, figures(R"("sales": 115, "last_year": 100)"));
    CHECK(J(r, "values") == R"({"growth":0.15})");
    CHECK(J(component(r, "growth_rebate"), "tier/index") == "1");
    CHECK(J(component(r, "growth_rebate"), "amount") == "2.3");
}

namespace {
const std::string kMultiplierMetrics =
    metric("parts", "amount") + "," + metric("hours", "count") + "," + metric("level", "count");
// The multiplier comes first in the document: multipliers still run after all other rules.
std::string multiplier_program(const std::string& own_cap) {
    return program(kMultiplierMetrics,
                   R"({"id": "uplift", "kind": "multiplier", "basis": "level", "applies_to": ["parts_rebate", "hours_bonus"])" + own_cap +
                       R"(, "tiers": [{"from": 2, "factor": 1.5, "name": "Silver"}, {"from": 5, "factor": 2, "name": "Gold"}]},
                          {"id": "parts_rebate", "kind": "rate", "base": "parts", "rate": 0.015},
                          {"id": "hours_bonus", "kind": "rate", "base": "hours", "rate": 10, "cap": 600})");
}
}  // namespace

TEST_CASE("Engine: a multiplier pays the uplift on its targets after their own cap and rounding") {
    SUBCASE("first tier") {
        const Value r = run(multiplier_program(""), figures(R"("parts": 67, "hours": 100, "level": 2)"));
        const Value& m = component(r, "uplift");
        // (1.01 + 600) × 0.5 = 300.505 → 300.51; the raw targets (1.005 + 1000) would give 500.5025.
        CHECK(J(m, "amount") == "300.51");
        CHECK(J(m, "uncapped") == "300.51");
        CHECK(J(m, "status") == "\"earned\"");
        CHECK(J(m, "tier") == R"({"index":0,"name":"Silver","from":2,"factor":1.5})");
        CHECK(J(m, "trace") == R"({"basis":{"value":"level","amount":2},"tier":0,"factor":1.5,)"
                               R"("targets":[{"rule":"parts_rebate","amount":1.01},{"rule":"hours_bonus","amount":600}],"raw":300.505})");
        CHECK(J(r, "totals/CNY") == "901.52");
        CHECK(J(m, "next/index") == "1");
    }
    SUBCASE("top tier") {
        const Value r = run(multiplier_program(""), figures(R"("parts": 67, "hours": 100, "level": 9)"));
        CHECK(J(component(r, "uplift"), "amount") == "601.01");
        CHECK_FALSE(has(component(r, "uplift"), "next"));
    }
    SUBCASE("below the first tier: status none, factor 1") {
        const Value m = component(run(multiplier_program(""), figures(R"("parts": 67, "hours": 100, "level": 1)")), "uplift");
        CHECK(J(m, "amount") == "0");
        CHECK(J(m, "status") == "\"none\"");
        CHECK_FALSE(has(m, "tier"));
        CHECK(J(m, "trace/factor") == "1");
        CHECK(J(m, "trace/tier") == "-1");
        CHECK(J(m, "trace/raw") == "0");
    }
    SUBCASE("its own cap") {
        const Value r = run(multiplier_program(R"(, "cap": 250)"), figures(R"("parts": 67, "hours": 100, "level": 2)"));
        const Value& m = component(r, "uplift");
        CHECK(J(m, "amount") == "250");
        CHECK(J(m, "uncapped") == "300.51");
        CHECK(J(m, "trace/cap") == "250");
        CHECK(J(m, "trace/capped") == "true");
        CHECK(J(r, "totals/CNY") == "851.01");
    }
    SUBCASE("a locked multiplier pays nothing and says what unlocks it") {
        const std::string p = program(kMultiplierMetrics + "," + metric("ok", "boolean"),
                                      R"({"id": "uplift", "kind": "multiplier", "basis": "level", "applies_to": ["hours_bonus"], "when": {"var": "ok"},
                                          "tiers": [{"from": 2, "factor": 1.5}]},
                                         {"id": "hours_bonus", "kind": "rate", "base": "hours", "rate": 10})");
        const Value r = run(p, figures(R"("parts": 0, "hours": 10, "level": 3, "ok": false)"));
        const Value& m = component(r, "uplift");
        CHECK(J(m, "status") == "\"locked\"");
        CHECK(J(m, "amount") == "0");
        CHECK_FALSE(has(m, "tier"));
        CHECK(J(m, "unlock") == R"([{"metric":"ok","to":true,"gain":{"CNY":50}}])");
        CHECK(J(r, "totals/CNY") == "100");
    }
    SUBCASE("a locked target contributes 0") {
        const std::string p = program(
            metric("sales", "amount") + "," + metric("level", "count") + "," + metric("ok", "boolean"),
            R"({"id": "rebate", "kind": "rate", "base": "sales", "rate": 0.1, "when": {"var": "ok"}},
               {"id": "bonus", "kind": "rate", "base": "sales", "rate": 0.01},
               {"id": "uplift", "kind": "multiplier", "basis": "level", "applies_to": ["rebate", "bonus"], "tiers": [{"from": 1, "factor": 2}]})");
        const Value r = run(p, figures(R"("sales": 1000, "level": 1, "ok": false)"));
        CHECK(J(component(r, "uplift"), "amount") == "10");
        CHECK(J(r, "totals/CNY") == "20");
    }
}

TEST_CASE("Engine: plain and tiered awards are listed and pay no amount") {
    const std::string p = program(
        metric("score_x", "count"),
        R"({"id": "benchmark", "kind": "award", "when": {">=": [{"var": "score_x"}, 80]}, "award": {"label": {"en": "Benchmark"}}},
           {"id": "welcome", "kind": "award", "award": {"label": "Welcome"}},
           {"id": "traffic", "kind": "award", "basis": "score_x",
            "tiers": [{"from": 70, "award": {"label": "Traffic"}}, {"from": 90, "award": {"label": "Priority"}}]})");
    SUBCASE("earned") {
        const Value r = run(p, figures(R"("score_x": 85)"));
        CHECK(J(r, "awards") ==
              R"([{"rule":"benchmark","label":{"en":"Benchmark"}},{"rule":"welcome","label":"Welcome"},{"rule":"traffic","label":"Traffic","tier":0}])");
        const Value& b = component(r, "benchmark");
        CHECK(J(b, "status") == "\"earned\"");
        CHECK(J(b, "award") == R"({"label":{"en":"Benchmark"}})");
        CHECK_FALSE(has(b, "amount"));
        CHECK_FALSE(has(b, "unit"));
        CHECK(J(b, "trace") == R"({"when":true})");
        const Value& t = component(r, "traffic");
        CHECK(J(t, "status") == "\"earned\"");
        CHECK(J(t, "tier/index") == "0");
        CHECK(J(t, "next/index") == "1");
        CHECK(J(t, "next/gap") == "5");
        CHECK(J(t, "trace") == R"({"basis":{"value":"score_x","amount":85},"tier":0})");
        CHECK(J(r, "totals") == R"({"CNY":0})");
    }
    SUBCASE("not earned") {
        const Value r = run(p, figures(R"("score_x": 50)"));
        CHECK(J(r, "awards") == R"([{"rule":"welcome","label":"Welcome"}])");
        CHECK(J(component(r, "benchmark"), "status") == "\"locked\"");
        CHECK_FALSE(has(component(r, "benchmark"), "award"));
        CHECK(J(component(r, "benchmark"), "unlock/0/metric") == "\"score_x\"");
        CHECK(J(component(r, "benchmark"), "unlock/0/to") == "80");
        CHECK(J(component(r, "traffic"), "status") == "\"none\"");
        CHECK_FALSE(has(component(r, "traffic"), "tier"));
    }
    SUBCASE("top tier") {
        const Value r = run(p, figures(R"("score_x": 90)"));
        CHECK(J(r, "awards/2") == R"({"rule":"traffic","label":"Priority","tier":1})");
        CHECK_FALSE(has(component(r, "traffic"), "next"));
    }
}

TEST_CASE("Engine: a falsy when locks the rule: amount 0, no tier, unlock listed") {
    const std::string p = program(
        metric("certified_staff", "count") + "," + metric("live_gmv", "amount"),
        R"({"id": "live_bonus", "kind": "rate", "base": "live_gmv", "rate": 0.03, "when": {">=": [{"var": "certified_staff"}, 2]}},
           {"id": "live_tier", "kind": "tiered", "mode": "fixed", "basis": "live_gmv", "when": {">=": [{"var": "certified_staff"}, 2]},
            "tiers": [{"from": 0, "amount": 10}, {"from": 100000, "amount": 20}]})");
    SUBCASE("locked") {
        const Value r = run(p, figures(R"("certified_staff": 1, "live_gmv": 50000)"));
        const Value& c = component(r, "live_bonus");
        CHECK(J(c, "status") == "\"locked\"");
        CHECK(J(c, "amount") == "0");
        CHECK(J(c, "uncapped") == "0");
        CHECK(J(c, "unlock") == R"([{"metric":"certified_staff","increase":1,"to":2,"gain":{"CNY":1510}}])");
        CHECK(J(c, "trace") == R"({"when":false})");
        const Value& t = component(r, "live_tier");
        CHECK(J(t, "status") == "\"locked\"");
        CHECK_FALSE(has(t, "tier"));
        CHECK_FALSE(has(t, "next"));
        CHECK(J(r, "totals/CNY") == "0");
    }
    SUBCASE("unlocked") {
        const Value r = run(p, figures(R"("certified_staff": 2, "live_gmv": 50000)"));
        const Value& c = component(r, "live_bonus");
        CHECK(J(c, "status") == "\"earned\"");
        CHECK(J(c, "amount") == "1500");
        CHECK_FALSE(has(c, "unlock"));
        CHECK(J(c, "trace/when") == "true");
        CHECK(J(r, "totals/CNY") == "1510");
    }
}

namespace {
const std::string kCapMetrics = metric("reads", "count") + "," + metric("posts", "count") + "," + metric("sales", "amount");
const std::string kCapRules =
    R"({"id": "reads_bonus", "kind": "rate", "category": "content", "base": "reads", "rate": 5, "per": 1000, "cap": 3000},
       {"id": "posts_bonus", "kind": "rate", "category": "content", "base": "posts", "rate": 20},
       {"id": "sales_bonus", "kind": "rate", "category": "sales", "base": "sales", "rate": 0.01})";
}  // namespace

TEST_CASE("Engine: caps across rules are adjustment lines applied in order") {
    const std::string p = program(kCapMetrics, kCapRules,
                                  R"("caps": [{"id": "content_cap", "label": "Content", "category": "content", "max": 5000},
                                              {"id": "program_cap", "unit": "CNY", "max": 5500}])");
    SUBCASE("a category cap, then a programme cap that carries the earlier adjustment") {
        const Value r = run(p, figures(R"("reads": 900000, "posts": 120, "sales": 100000)"));
        CHECK(J(r, "adjustments") ==
              R"([{"cap":"content_cap","label":"Content","unit":"CNY","amount":-400,"max":5000,"covered":5400,"rules":["reads_bonus","posts_bonus"]},)"
              R"({"cap":"program_cap","unit":"CNY","amount":-500,"max":5500,"covered":6000,"rules":["reads_bonus","posts_bonus","sales_bonus"]}])");
        CHECK(J(r, "totals") == R"({"CNY":5500})");
        CHECK(recomputed_totals(r) == J(r, "totals"));
        // Components keep their own amounts; the cut lives in the adjustment lines.
        CHECK(J(component(r, "posts_bonus"), "amount") == "2400");
    }
    SUBCASE("the programme cap is not hit once the category cap has cut") {
        const Value r = run(p, figures(R"("reads": 900000, "posts": 120, "sales": 40000)"));
        // 3000 + 2400 - 400 + 400 = 5400 ≤ 5500 (6400 > 5500 if the first cut were forgotten)
        CHECK(J(r, "adjustments/0/amount") == "-400");
        CHECK(at(r, "adjustments").size() == 1);
        CHECK(J(r, "totals/CNY") == "5400");
    }
    SUBCASE("exactly at a cap is no adjustment") {
        const Value r = run(p, figures(R"("reads": 400000, "posts": 150, "sales": 0)"));
        CHECK(J(r, "adjustments") == "[]");
        CHECK(J(r, "totals/CNY") == "5000");
    }
    SUBCASE("a cap naming rules") {
        const std::string q = program(kCapMetrics, kCapRules, R"("caps": [{"id": "pair_cap", "rules": ["posts_bonus", "sales_bonus"], "max": 100.5}])");
        const Value r = run(q, figures(R"("reads": 1000, "posts": 3, "sales": 5000.5)"));
        // 60 + 50.01 = 110.01 → -9.51
        CHECK(J(r, "adjustments") ==
              R"([{"cap":"pair_cap","unit":"CNY","amount":-9.51,"max":100.5,"covered":110.01,"rules":["posts_bonus","sales_bonus"]}])");
        CHECK(J(r, "totals/CNY") == "105.5");
        CHECK(recomputed_totals(r) == J(r, "totals"));
    }
}

TEST_CASE("Engine: totals include every unit and always equal lines plus adjustments") {
    const std::string p = program(
        metric("courses", "count") + "," + metric("members", "count"),
        R"({"id": "course_points", "kind": "rate", "base": "courses", "rate": 2.5, "unit": "points"},
           {"id": "community_bonus", "kind": "rate", "base": "members", "rate": 2},
           {"id": "more_points", "kind": "rate", "base": "courses", "rate": 1, "unit": "points"})",
        R"("units": [{"id": "points", "label": "Points"}, {"id": "credits", "label": "Credits", "precision": 1}],
           "caps": [{"id": "points_cap", "unit": "points", "max": 10}])");
    SUBCASE("points are paid and capped, credits are at 0") {
        const Value r = run(p, figures(R"("courses": 3, "members": 0)"));
        CHECK(J(component(r, "course_points"), "amount") == "8");  // 7.5 → 8 at precision 0
        CHECK(J(component(r, "course_points"), "trace/raw") == "7.5");
        CHECK(J(r, "totals") == R"({"CNY":0,"points":10,"credits":0})");
        CHECK(J(r, "adjustments/0/amount") == "-1");
        CHECK(recomputed_totals(r) == J(r, "totals"));
    }
    SUBCASE("nothing earned at all") {
        const Value r = run(p, figures(R"("courses": 0, "members": 0)"));
        CHECK(J(r, "totals") == R"({"CNY":0,"points":0,"credits":0})");
    }
}

TEST_CASE("Engine: rounding happens at the named points only") {
    SUBCASE("each line is rounded, and the total is the sum of rounded lines") {
        const std::string p = program(metric("n", "count"),
                                      R"({"id": "a", "kind": "rate", "base": "n", "rate": 0.001},
                                         {"id": "b", "kind": "rate", "base": "n", "rate": 0.001},
                                         {"id": "c", "kind": "rate", "base": "n", "rate": 0.001})");
        const Value r = run(p, figures(R"("n": 5)"));
        CHECK(J(component(r, "a"), "amount") == "0.01");  // 0.005 → 0.01
        CHECK(J(r, "totals/CNY") == "0.03");              // not round(0.015) = 0.02
    }
    SUBCASE("a derived precision rounds before the value is used") {
        const std::string p = program(metric("a", "count"),
                                      R"({"id": "pay", "kind": "rate", "base": "third", "rate": 300},
                                         {"id": "step", "kind": "tiered", "mode": "fixed", "basis": "third", "tiers": [{"from": 0.333, "amount": 100}]})",
                                      R"("derived": [{"id": "third", "expr": {"/": [{"var": "a"}, 3]}, "precision": 2}])");
        const Value r = run(p, figures(R"("a": 1)"));
        CHECK(J(r, "values") == R"({"third":0.33})");
        CHECK(J(component(r, "pay"), "amount") == "99");                 // 300 × 0.33, not 99.999…
        CHECK(J(component(r, "pay"), "trace/raw") == "99");
        CHECK(J(component(r, "step"), "status") == "\"none\"");          // 0.33 < 0.333 ≤ 0.3333…
    }
    SUBCASE("without a precision a derived value keeps 12 places") {
        const std::string p = program(metric("a", "count"), R"({"id": "pay", "kind": "rate", "base": "third", "rate": 300})",
                                      R"("derived": [{"id": "third", "expr": {"/": [{"var": "a"}, 3]}}])");
        const Value r = run(p, figures(R"("a": 1)"));
        CHECK(J(r, "values/third") == "0.333333333333");
        CHECK(J(component(r, "pay"), "amount") == "100");  // 99.9999999999 → 100.00
    }
    SUBCASE("a zero-decimal currency") {
        const std::string p = R"({"format": "dealer-incentive-program/1", "id": "t", "version": "1", "name": "T", "currency": "JPY",
            "metrics": [{"id": "n", "label": "n", "type": "count"}], "rules": [{"id": "a", "kind": "rate", "base": "n", "rate": 0.5}]})";
        const Value r = run(p, figures(R"("n": 3)"));
        CHECK(J(component(r, "a"), "amount") == "2");  // 1.5 → 2
        CHECK(J(r, "totals") == R"({"JPY":2})");
        CHECK(J(r, "currency") == "\"JPY\"");
    }
}

TEST_CASE("Engine: a division by zero in a derived value is a derived_error") {
    const std::string p = program(metric("a", "count") + "," + metric("b", "count"),
                                  R"({"id": "r", "kind": "rate", "base": "ratio", "rate": 1})",
                                  R"("derived": [{"id": "ok", "expr": {"+": [{"var": "a"}, 1]}},
                                                 {"id": "ratio", "expr": {"-": [{"/": [{"var": "a"}, {"var": "b"}]}, 1]}}])");
    SUBCASE("evaluate throws a Failure naming the derived value") {
        const Program prog = parse_program(p);
        const Figures f = parse_figures(prog, figures(R"("a": 1, "b": 0)"));
        try {
            evaluate(prog, f);
            FAIL("no error");
        } catch (const Failure& e) {
            CHECK(e.error.code == "derived_error");
            REQUIRE(e.error.details.size() == 1);
            CHECK(e.error.details[0].path == "/derived/1/expr/-/0");
            CHECK(e.error.details[0].path.rfind("/derived/1/expr", 0) == 0);
            CHECK(e.error.details[0].reason == "division_by_zero");
            CHECK(to_json(e.error.details[0].args) == R"({"id":"ratio"})");
        }
    }
    SUBCASE("evaluate_texts returns the error object") {
        const Value r = evaluate_texts(p, figures(R"("a": 1, "b": 0)"));
        CHECK(J(r, "error/code") == "\"derived_error\"");
        CHECK(J(r, "error/details/0/path") == "\"/derived/1/expr/-/0\"");
        CHECK_FALSE(has(r, "components"));
    }
    SUBCASE("a non-zero divisor computes") {
        const Value r = run(p, figures(R"("a": 3, "b": 2)"));
        CHECK(J(r, "values") == R"({"ok":4,"ratio":0.5})");
        CHECK(J(component(r, "r"), "amount") == "0.5");
    }
    SUBCASE("a non-numeric result is a derived_error too") {
        const std::string q = program(metric("a", "count"), R"({"id": "r", "kind": "rate", "base": "a", "rate": 1})",
                                      R"("derived": [{"id": "word", "expr": {"cat": ["x", {"var": "a"}]}}])");
        const Value r = evaluate_texts(q, figures(R"("a": 1)"));
        CHECK(J(r, "error/code") == "\"derived_error\"");
        CHECK(J(r, "error/details/0/path") == "\"/derived/0/expr\"");
    }
}

TEST_CASE("Engine: an amount of 10^15 or more is an overflow error, not a crash") {
    const std::string p = program(metric("n", "count"), R"({"id": "r", "kind": "rate", "base": "n", "rate": 999999})");
    const Value r = evaluate_texts(p, figures(R"("n": 999999999999)"));
    CHECK(J(r, "error/code") == "\"overflow\"");
    const Program prog = parse_program(p);
    CHECK_THROWS_AS(evaluate(prog, parse_figures(prog, figures(R"("n": 999999999999)"))), Failure);
    CHECK(J(run(p, figures(R"("n": 1000000)")), "totals/CNY") == "999999000000");
}

TEST_CASE("Engine: scores add item points, round the total to 2 places and list each item") {
    const std::string p = program(
        metric("posts", "count") + "," + metric("crm", "percent", R"("max": 100)") + "," + metric("trend", "number", R"("min": -10)") + "," +
            metric("staff", "count"),
        R"({"id": "by_score", "kind": "rate", "base": "s", "rate": 1})",
        R"("scores": [{"id": "s", "label": "Score", "max": 100, "items": [
             {"value": "posts", "target": 20, "points": 40},
             {"value": "crm", "target": 95, "points": 30, "curve": "step"},
             {"value": "trend", "target": 3, "points": 10, "curve": "linear"},
             {"value": "staff", "target": 3, "points": 10}]}])");
    SUBCASE("partial items; the total rounds the exact sum") {
        const Value r = run(p, figures(R"("posts": 15, "crm": 94.999999, "trend": 1, "staff": 1)"));
        // 30 + 0 + 3.333333333333 + 3.333333333333 = 36.666666666666 → 36.67 (not 3.33 + 3.33)
        CHECK(J(r, "values/s") == "36.67");
        CHECK(J(r, "scores/s/total") == "36.67");
        CHECK(J(r, "scores/s/max") == "100");
        CHECK(J(r, "scores/s/items/0") == R"({"value":"posts","points":30,"available":40,"missing":10,"current":15,"target":20,"curve":"linear"})");
        CHECK(J(r, "scores/s/items/1") == R"({"value":"crm","points":0,"available":30,"missing":30,"current":94.999999,"target":95,"curve":"step"})");
        CHECK(J(r, "scores/s/items/2") == R"({"value":"trend","points":3.33,"available":10,"missing":6.67,"current":1,"target":3,"curve":"linear"})");
        CHECK(J(component(r, "by_score"), "amount") == "36.67");
    }
    SUBCASE("full items, a step at its target, a negative value earns 0") {
        const Value r = run(p, figures(R"("posts": 25, "crm": 95, "trend": -5, "staff": 3)"));
        CHECK(J(r, "values/s") == "80");
        CHECK(J(r, "scores/s/items/0/points") == "40");
        CHECK(J(r, "scores/s/items/1/points") == "30");
        CHECK(J(r, "scores/s/items/2") == R"({"value":"trend","points":0,"available":10,"missing":10,"current":-5,"target":3,"curve":"linear"})");
        CHECK(J(r, "scores/s/items/3/missing") == "0");
    }
}

namespace {
const std::string kProjectionProgram = program(
    metric("sales_units", "count", R"("cumulative": true)") + "," + metric("crm_on_time_rate", "percent") + "," +
        metric("sales_amount", "amount", R"("cumulative": true)"),
    R"({"id": "units_rebate", "kind": "tiered", "mode": "retro", "basis": "sales_units", "tiers": [{"from": 0, "rate": 1}, {"from": 1000, "rate": 3}]},
       {"id": "crm_bonus", "kind": "tiered", "mode": "fixed", "basis": "crm_on_time_rate", "tiers": [{"from": 90, "amount": 500}]},
       {"id": "amount_rebate", "kind": "rate", "base": "sales_amount", "rate": 1})",
    R"("period": {"start": "2027-01-01", "end": "2027-06-30"},
       "derived": [{"id": "double_units", "expr": {"*": [{"var": "sales_units"}, 2]}}])");
}  // namespace

TEST_CASE("Engine: projection scales cumulative metrics by period days / elapsed days") {
    const Value r = run(kProjectionProgram, figures(R"("sales_units": 400, "crm_on_time_rate": 92, "sales_amount": 100.01)", R"("as_of": "2027-03-01")"));
    CHECK(J(r, "totals/CNY") == "1000.01");  // 400 + 500 + 100.01
    REQUIRE(has(r, "projection"));
    const Value& pr = at(r, "projection");
    CHECK(J(pr, "as_of") == "\"2027-03-01\"");
    CHECK(J(pr, "elapsed_days") == "60");  // Jan 31 + Feb 28 + 1, inclusive
    CHECK(J(pr, "period_days") == "181");
    CHECK(J(pr, "factor") == "3.0167");
    // 400 × 181 / 60 = 1206.67 → 1207 units; a ratio (crm_on_time_rate) is not scaled;
    // 100.01 × 181 / 60 = 301.69683… → 301.70 at the currency precision.
    CHECK(J(pr, "values") == R"({"double_units":2414})");
    CHECK(J(component(pr, "units_rebate"), "amount") == "3621");
    CHECK(J(component(pr, "units_rebate"), "tier/index") == "1");
    CHECK(J(component(pr, "crm_bonus"), "amount") == "500");
    CHECK(J(component(pr, "amount_rebate"), "amount") == "301.7");
    CHECK(J(pr, "totals") == R"({"CNY":4422.7})");
    CHECK_FALSE(has(component(pr, "units_rebate"), "trace"));
    CHECK_FALSE(has(component(pr, "units_rebate"), "next"));
    CHECK(testprog::warning_codes(r) == "");
}

TEST_CASE("Engine: projection edges: as_of at the ends of the period, outside it, or absent") {
    const std::string values = R"("sales_units": 400, "crm_on_time_rate": 92, "sales_amount": 100)";
    SUBCASE("as_of on the last day: factor 1") {
        const Value r = run(kProjectionProgram, figures(values, R"("as_of": "2027-06-30")"));
        CHECK(J(r, "projection/factor") == "1");
        CHECK(J(r, "projection/totals") == J(r, "totals"));
    }
    SUBCASE("as_of on the first day: factor = period days") {
        const Value r = run(kProjectionProgram, figures(values, R"("as_of": "2027-01-01")"));
        CHECK(J(r, "projection/factor") == "181");
        CHECK(J(r, "projection/elapsed_days") == "1");
        CHECK(J(component(at(r, "projection"), "amount_rebate"), "amount") == "18100");
        CHECK(J(component(at(r, "projection"), "units_rebate"), "amount") == "217200");  // 72400 × 3
    }
    SUBCASE("before the period: a warning and no projection") {
        const Value r = run(kProjectionProgram, figures(values, R"("as_of": "2026-12-31")"));
        CHECK_FALSE(has(r, "projection"));
        CHECK(J(r, "warnings") == R"([{"code":"as_of_outside_period","as_of":"2026-12-31","start":"2027-01-01","end":"2027-06-30"}])");
        CHECK(J(r, "as_of") == "\"2026-12-31\"");
    }
    SUBCASE("after the period: a warning and no projection") {
        const Value r = run(kProjectionProgram, figures(values, R"("as_of": "2027-07-01")"));
        CHECK_FALSE(has(r, "projection"));
        CHECK(testprog::warning_codes(r) == "as_of_outside_period");
    }
    SUBCASE("no as_of: no projection, no warning") {
        const Value r = run(kProjectionProgram, figures(values));
        CHECK_FALSE(has(r, "projection"));
        CHECK(J(r, "warnings") == "[]");
    }
    SUBCASE("no period: no projection, no warning") {
        const std::string p = program(metric("n", "count", R"("cumulative": true)"), R"({"id": "a", "kind": "rate", "base": "n", "rate": 1})");
        const Value r = run(p, figures(R"("n": 5)", R"("as_of": "2027-03-01")"));
        CHECK_FALSE(has(r, "projection"));
        CHECK(J(r, "warnings") == "[]");
    }
    SUBCASE("switched off by the options") {
        EvaluateOptions o;
        o.projection = false;
        CHECK_FALSE(has(run(kProjectionProgram, figures(values, R"("as_of": "2027-03-01")"), o), "projection"));
    }
}

TEST_CASE("Engine: missing and unknown metrics are warnings; a missing metric uses its default") {
    const std::string p = program(metric("a", "count") + "," + metric("b", "count", R"("default": 5)") + "," + metric("flag", "boolean"),
                                  R"({"id": "r", "kind": "rate", "base": "b", "rate": 2, "when": {"!": [{"var": "flag"}]}},
                                     {"id": "s", "kind": "rate", "base": "a", "rate": 1})");
    const Value r = run(p, figures(R"("a": 1, "zzz": 3)"));
    CHECK(J(r, "warnings") ==
          R"([{"code":"missing_metric","metric":"b"},{"code":"missing_metric","metric":"flag"},{"code":"unknown_metric","metric":"zzz"}])");
    CHECK(J(component(r, "r"), "amount") == "10");  // default 5 × 2; a missing boolean is false
    CHECK(J(r, "totals/CNY") == "11");
    const Value quiet = run(p, figures(R"("a": 1, "b": 0, "flag": true)"));
    CHECK(J(quiet, "warnings") == "[]");
    CHECK(J(component(quiet, "r"), "status") == "\"locked\"");
}

TEST_CASE("Engine: a cliff warning for a retro or fixed tier just ahead, none for marginal") {
    const std::string tiers_rate = R"([{"from": 0, "rate": 0.01}, {"from": 1000, "rate": 0.02}])";
    const std::string p = program(metric("units", "count"),
                                  R"({"id": "retro", "kind": "tiered", "mode": "retro", "basis": "units", "tiers": )" + tiers_rate + R"(},
                                     {"id": "marginal", "kind": "tiered", "mode": "marginal", "basis": "units", "tiers": )" + tiers_rate + R"(},
                                     {"id": "fixed", "kind": "tiered", "mode": "fixed", "basis": "units",
                                      "tiers": [{"from": 0, "amount": 10}, {"from": 1000, "amount": 100}]})");
    SUBCASE("within 10 % of the next tier") {
        const Value r = run(p, figures(R"("units": 950)"));
        CHECK(J(component(r, "retro"), "amount") == "9.5");
        CHECK(J(r, "warnings") == R"([{"code":"cliff","rule":"retro","tier":1,"gap":50,"jump":10.5,"unit":"CNY"},)"
                                   R"({"code":"cliff","rule":"fixed","tier":1,"gap":50,"jump":90,"unit":"CNY"}])");
    }
    SUBCASE("far from the next tier") {
        CHECK(J(run(p, figures(R"("units": 800)")), "warnings") == "[]");
    }
    SUBCASE("at the top tier") {
        CHECK(J(run(p, figures(R"("units": 1000)")), "warnings") == "[]");
    }
}

TEST_CASE("Engine: options switch off next-tier drivers and traces") {
    const std::string p = program(metric("units", "count"),
                                  R"({"id": "fixed", "kind": "tiered", "mode": "fixed", "basis": "units", "tiers": [{"from": 10, "amount": 5}, {"from": 20, "amount": 9}]},
                                     {"id": "gated", "kind": "rate", "base": "units", "rate": 1, "when": {">": [{"var": "units"}, 100]}})");
    const std::string f = figures(R"("units": 12)");
    const Value full = run(p, f);
    CHECK(J(component(full, "fixed"), "next/drivers") == R"([{"metric":"units","increase":8,"to":20,"gain":{"CNY":4}}])");
    CHECK(J(component(full, "gated"), "unlock") == R"([{"metric":"units","increase":89,"to":101,"gain":{"CNY":105}}])");
    EvaluateOptions o;
    o.next = false;
    o.trace = false;
    const Value bare = run(p, f, o);
    CHECK(J(component(bare, "fixed"), "next") == R"({"index":1,"from":20,"current":12,"gap":8})");
    CHECK_FALSE(has(component(bare, "gated"), "unlock"));
    CHECK_FALSE(has(component(bare, "fixed"), "trace"));
    CHECK(J(bare, "totals") == J(full, "totals"));
}

TEST_CASE("Engine: the result document carries programme, dealer, currency and values") {
    const std::string p = program(metric("n", "count"), R"({"id": "a", "kind": "rate", "base": "n", "rate": 1, "label": {"en": "A"}})");
    const Value r = run(p, figures(R"("n": 2)"));
    CHECK(J(r, "format") == "\"dealer-incentive-result/1\"");
    CHECK(J(r, "program") == R"({"id":"test","version":"1"})");
    CHECK(J(r, "dealer") == R"({"id":"D-1"})");
    CHECK(J(r, "currency") == "\"CNY\"");
    CHECK(J(r, "values") == "{}");
    CHECK(J(r, "scores") == "{}");
    CHECK(J(component(r, "a"), "label") == R"({"en":"A"})");
    // evaluate_texts gives the same document as parse + evaluate
    CHECK(to_json(evaluate_texts(p, figures(R"("n": 2)"))) == to_json(r));
}

TEST_CASE("Engine: labels are shared with the programme, and a result written to leaves the programme alone") {
    const std::string long_label = "a label long enough that copying it would allocate";
    const std::string p = program(metric("n", "count"),
                                  R"({"id": "a", "kind": "tiered", "mode": "retro", "basis": "n", "label": {"en": ")" + long_label +
                                      R"("}, "tiers": [{"from": 1, "rate": 1, "name": {"en": "first tier, with a long name too"}},
                                      {"from": 5, "rate": 2, "name": {"en": "second tier, with a long name too"}}]})");
    const Program program_ = parse_program(p);
    CHECK(program_.rules[0].label.is_shared());
    CHECK(program_.rules[0].tiers[0].name.is_shared());
    const Figures f = parse_figures(program_, figures(R"("n": 2)"));
    Value r = evaluate(program_, f);
    const std::string before = to_json(r);
    CHECK_FALSE(r.is_shared());  // the document itself is the caller's own
    CHECK(J(component(r, "a"), "label") == R"({"en":")" + long_label + R"("})");
    CHECK(J(component(r, "a"), "tier/name") == R"({"en":"first tier, with a long name too"})");
    // Writing into the result's copy of the label (or the tier name) unshares it there only.
    int written = 0;
    for (Member& m : r.as_object()) {
        if (m.key != "components") continue;
        for (Member& field : m.value.as_array()[0].as_object()) {
            if (field.key == "label") field.value.set("en", Value("changed")), ++written;
            if (field.key == "tier") field.value.as_object()[1].value.set("en", Value("changed too")), ++written;
        }
    }
    CHECK(written == 2);
    CHECK(to_json(program_.rules[0].label) == R"({"en":")" + long_label + R"("})");
    CHECK(to_json(program_.rules[0].tiers[0].name) == R"({"en":"first tier, with a long name too"})");
    CHECK(to_json(r) != before);
    // A second evaluation still carries the programme's texts.
    CHECK(to_json(evaluate(program_, f)) == before);
}
