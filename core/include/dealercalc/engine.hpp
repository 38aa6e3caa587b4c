// The reward engine (spec §7): one pass from validated figures to amounts, plus the
// next-tier and unlock solver that re-runs that pass, and projection (§8).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dealercalc/figures.hpp"
#include "dealercalc/program.hpp"

namespace dealercalc {

enum class Status { Earned, None, Locked };
const char* to_string(Status s);

// What one rule paid in one pass, with the numbers that produced it.
struct Component {
    Status status = Status::None;
    Decimal amount;    // after the rule's cap and rounding (and for multipliers, the uplift)
    Decimal uncapped;  // before the rule's own cap, rounded to the unit
    Decimal raw;       // before the cap, unrounded
    int tier = -1;     // index of the tier reached, -1 = none
    Decimal basis;     // basis value (tiered, multiplier, tiered award)
    Decimal base;      // base value (rate, tiered retro/marginal)
    Decimal blocks;    // rate with per: whole blocks
    bool capped = false;
    bool award = false;  // an award granted
};

// One evaluation pass. `slots` holds every value (metrics, derived values, scores).
struct Computation {
    std::vector<Value> slots;
    std::vector<Component> components;  // one per rule
    struct Adjustment {
        int cap = 0;
        Decimal amount;  // negative
        Decimal covered; // the sum it cut
    };
    std::vector<Adjustment> adjustments;
    std::vector<Decimal> totals;  // one per unit
    std::vector<Decimal> cap_scratch;  // per cap, reused between passes
};

// Fills slots[0..metrics) from the figures. Cheap; used before compute().
void load_inputs(const Program& program, const Figures& figures, std::vector<Value>& slots);

// Computes derived values and scores from the metric slots. Throws Failure(derived_error).
void compute_values(const Program& program, std::vector<Value>& slots);
// Computes derived values, scores, every rule, caps and totals.
void compute(const Program& program, Computation& c);

// A way to reach a tier (or unlock a rule) by raising one metric alone.
struct Driver {
    int metric = 0;          // index into Program::metrics
    Decimal increase;        // in the metric's own terms (booleans: 1 = set to true)
    Value to;                // the new figure
    std::vector<Decimal> gain;  // change of every unit's total
};

struct NextTier {
    int index = 0;       // the tier to reach
    Decimal current;     // current basis
    Decimal gap;         // from - current
    std::vector<Driver> drivers;
};

// Smallest increase of each input metric that makes `reached(computation)` true, by
// exponential then bisection search over re-evaluations (with a secant first guess).
// `inputs` are metric slots; `gap_hint` guides the first guess (0 = none).
struct SearchStats {
    std::size_t evaluations = 0;
};

// Working vectors a caller running many searches lends them, so they are allocated once.
struct SearchScratch {
    std::vector<Value> slots;
    std::vector<int> dependents;
};

struct EvaluateOptions {
    bool next = true;        // next tiers and unlock drivers
    bool projection = true;  // projection when the figures have as_of in the period
    bool trace = true;       // a trace object on every component
};

// One call from a programme and figures to the result document (spec §10).
// Throws Failure(derived_error) when a derived value cannot be computed.
Value evaluate(const Program& program, const Figures& figures, const EvaluateOptions& options = {});

// The CLI/API convenience: parse both texts and evaluate; returns the result document or
// the error object, never throws for bad input.
Value evaluate_texts(std::string_view program_json, std::string_view figures_json, const EvaluateOptions& options = {});

}  // namespace dealercalc
