// Pieces of the engine shared by engine.cpp and result.cpp; not public API.
#pragma once

#include <optional>
#include <vector>

#include "dealercalc/engine.hpp"

namespace dealercalc {

Decimal number_of(const Value& v);
Decimal item_points(const ScoreItem& item, const Value& value);
int tier_reached(const Rule& rule, Decimal basis);
Decimal marginal_amount(const Rule& rule, Decimal basis);

// What a search tries to reach: a basis at or above `target` (a tier), or a rule's
// `when` becoming truthy (an unlock), or both (a tier of a rule with a `when`).
struct Goal {
    int basis_slot = -1;
    Decimal target;
    const Program* program = nullptr;
    int when_rule = -1;

    bool measure(const std::vector<Value>& slots, Decimal& out) const {
        if (basis_slot < 0) return false;
        out = number_of(slots[static_cast<std::size_t>(basis_slot)]);
        return true;
    }
    bool reached(const std::vector<Value>& slots, Decimal* measured) const {
        if (basis_slot >= 0) {
            const Decimal b = number_of(slots[static_cast<std::size_t>(basis_slot)]);
            if (measured) *measured = b;
            // A tier counts as reached only while its rule stays unlocked (when_rule set).
            if (b < target || when_rule < 0) return b >= target;
        }
        const Rule& r = program->rules[static_cast<std::size_t>(when_rule)];
        LogicScope scope;
        scope.slots = &slots;
        return truthy(apply_logic(r.when, scope));
    }
};

// The smallest increase of one metric, a whole multiple of its resolution (booleans:
// 1 = set to true), that reaches the goal, or nullopt when it cannot within the
// metric's range.
// `scratch` (optional) lends the search its working vectors (see SearchScratch).
std::optional<Decimal> smallest_increase(const Program& program, const std::vector<Value>& base_slots, int metric_index,
                                         const Goal& goal, SearchStats* stats, SearchScratch* scratch = nullptr);

// Every input metric (of `inputs`, slots) that alone reaches the goal, in order: its
// smallest increase, the new figure and the change of every unit's total against `c`
// (what a result's `drivers` lists). `trial` is scratch. Throws DecimalOverflow when a
// change of a total is out of range, as the result document does.
void find_drivers(const Program& program, const Computation& c, const std::vector<int>& inputs, const Goal& goal,
                  Computation& trial, std::vector<Driver>& out, SearchScratch* scratch = nullptr);

// True when no total of any unit can ever be negative, whatever the figures: every rule
// pays at least 0 (non-negative rates, amounts, caps and uplifts, on bases that cannot be
// negative) and caps only nest, inner ones first, with non-negative maxima. The change of
// a total between two evaluations then stays within range.
bool totals_never_negative(const Program& program);

// What `batch --next` takes from a result with next tiers: per component with a next
// tier and drivers, the driver gaining most in the currency (the first on a tie), with
// "tier" (the next tier's index) added — an object keyed by rule id, as evaluate() with
// next tiers (no trace, no projection) followed by picking from its document gives, but
// without the document, and without the unlock drivers, which it does not use. Only for a
// programme whose totals never turn negative (an unlock driver's gain then cannot
// overflow and fail the evaluation). Returns false when only the whole evaluation can tell
// what happens (an overflow on the way, which fails the evaluation of the row).
bool best_next_drivers(const Program& program, const Computation& c, Computation& trial, std::vector<Driver>& scratch,
                       SearchScratch& search, Value& best);

}  // namespace dealercalc
