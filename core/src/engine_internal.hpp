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
std::optional<Decimal> smallest_increase(const Program& program, const std::vector<Value>& base_slots, int metric_index,
                                         const Goal& goal, SearchStats* stats);

}  // namespace dealercalc
