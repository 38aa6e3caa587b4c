// One evaluation pass (spec §7) and the search that re-runs it to find next tiers.
#include "dealercalc/engine.hpp"

#include <algorithm>

#include "engine_internal.hpp"

namespace dealercalc {

const char* to_string(Status s) {
    switch (s) {
        case Status::Earned: return "earned";
        case Status::None: return "none";
        case Status::Locked: return "locked";
    }
    return "none";
}

Decimal number_of(const Value& v) {
    if (v.is_number()) return v.as_number();
    if (v.is_bool()) return v.as_bool() ? Decimal(1) : Decimal(0);
    return Decimal();
}

Decimal item_points(const ScoreItem& item, const Value& value) {
    const Decimal v = number_of(value);
    if (v <= Decimal(0)) return Decimal();
    if (item.curve == Curve::Step) return v >= item.target ? item.points : Decimal();
    if (v >= item.target) return item.points;
    return item.points * (v / item.target);
}

int tier_reached(const Rule& rule, Decimal basis) {
    int reached = -1;
    for (std::size_t i = 0; i < rule.tiers.size(); ++i) {
        if (rule.tiers[i].from <= basis) reached = static_cast<int>(i);
        else break;
    }
    return reached;
}

Decimal marginal_amount(const Rule& rule, Decimal basis) {
    Decimal sum;
    for (std::size_t i = 0; i < rule.tiers.size(); ++i) {
        const Decimal from = rule.tiers[i].from;
        if (basis <= from) break;
        const Decimal upper = i + 1 < rule.tiers.size() ? Decimal::min(basis, rule.tiers[i + 1].from) : basis;
        sum += rule.tiers[i].rate * (upper - from);
    }
    return sum;
}

void load_inputs(const Program& program, const Figures& figures, std::vector<Value>& slots) {
    slots.resize(program.slot_ids.size());
    for (std::size_t i = 0; i < program.metrics.size(); ++i) slots[i] = figures.values[i];
}

namespace {

[[noreturn]] void derived_failure(const std::string& path, const std::string& id, const std::string& reason, const std::string& what) {
    Value args = Value::object();
    args.set("id", id);
    Error e;
    e.code = "derived_error";
    e.message = "\"" + id + "\" cannot be computed: " + what;
    e.details.push_back(ErrorDetail{path, reason, e.message, args});
    throw Failure(std::move(e));
}

// Applies an expression; a failure becomes derived_error naming `id`. The pointer is
// only built when something fails (this runs in the hot path).
template <typename PathFn>
Value apply_checked(const Logic& logic, const std::vector<Value>& slots, PathFn path, const std::string& id) {
    LogicScope scope;
    scope.slots = &slots;
    try {
        return apply_logic(logic, scope);
    } catch (const LogicError& e) {
        derived_failure(path() + e.path, id, e.reason, e.what());
    } catch (const DecimalOverflow& e) {
        derived_failure(path(), id, "overflow", e.what());
    } catch (const DivisionByZero& e) {
        derived_failure(path(), id, "division_by_zero", e.what());
    }
}

}  // namespace

// Computes one derived value or score into its slot.
void compute_value(const Program& program, int slot, std::vector<Value>& slots) {
    const std::size_t index = static_cast<std::size_t>(program.slot_index[static_cast<std::size_t>(slot)]);
    if (program.slot_kinds[static_cast<std::size_t>(slot)] == SlotKind::Derived) {
        const Derived& d = program.derived[index];
        const auto path = [&] { return "/derived/" + std::to_string(index) + "/expr"; };
        const Value v = apply_checked(d.expr, slots, path, d.id);
        Value& out = slots[static_cast<std::size_t>(slot)];
        if (v.is_number()) out.set_number(d.precision ? v.as_number().round(*d.precision) : v.as_number());
        else if (v.is_bool()) out.set_bool(v.as_bool());
        else derived_failure(path(), d.id, "not_a_number", "the expression gave " + to_json(v) + ", not a number");
        return;
    }
    const Score& s = program.scores[index];
    Decimal total;
    for (const ScoreItem& item : s.items) total += item_points(item, slots[static_cast<std::size_t>(item.slot)]);
    slots[static_cast<std::size_t>(slot)].set_number(total.round(2));
}

void compute_values(const Program& program, std::vector<Value>& slots) {
    for (std::size_t slot = program.metrics.size(); slot < program.slot_ids.size(); ++slot)
        compute_value(program, static_cast<int>(slot), slots);
}

namespace {

bool unlocked(const Program& program, std::size_t index, const std::vector<Value>& slots) {
    const Rule& r = program.rules[index];
    if (!r.has_when) return true;
    return truthy(apply_checked(r.when, slots, [index] { return "/rules/" + std::to_string(index) + "/when"; }, r.id));
}

// `raw` comes as a value, not read back from the component just written: the pass is
// the batch's hot path, and a 16-byte Decimal stored in two halves and at once loaded
// whole cannot be forwarded from the store buffer (a stall the profile showed here).
void finish_amount(const Program& program, const Rule& rule, Component& c, Decimal raw) {
    const int precision = program.units[static_cast<std::size_t>(rule.unit)].precision;
    c.raw = raw;
    const Decimal uncapped = raw.round(precision);
    c.uncapped = uncapped;
    Decimal amount = uncapped;  // what the rule pays when its cap does not bite
    if (rule.cap && raw > *rule.cap) {
        amount = rule.cap->round(precision);
        c.capped = true;
    }
    c.amount = amount;
    if (rule.kind != RuleKind::Award) c.status = amount.is_zero() ? Status::None : Status::Earned;
}

}  // namespace

void compute(const Program& program, Computation& c) {
    compute_values(program, c.slots);
    const std::vector<Value>& slots = c.slots;
    c.components.assign(program.rules.size(), Component{});
    for (std::size_t i = 0; i < program.rules.size(); ++i) {
        const Rule& rule = program.rules[i];
        Component& out = c.components[i];
        if (rule.kind == RuleKind::Multiplier) continue;
        if (!unlocked(program, i, slots)) {
            out.status = Status::Locked;
            continue;
        }
        Decimal raw;
        switch (rule.kind) {
            case RuleKind::Rate: {
                const Decimal base = number_of(slots[static_cast<std::size_t>(rule.base)]);
                out.base = base;
                if (rule.per) {
                    const Decimal blocks = Decimal::floor_div(base, *rule.per);
                    out.blocks = blocks;
                    raw = rule.rate * blocks;
                } else {
                    raw = rule.rate * base;
                }
                break;
            }
            case RuleKind::Tiered: {
                const Decimal basis = number_of(slots[static_cast<std::size_t>(rule.basis)]);
                const Decimal base = number_of(slots[static_cast<std::size_t>(rule.base)]);
                out.basis = basis;
                out.base = base;
                const int tier = tier_reached(rule, basis);
                out.tier = tier;
                if (rule.mode == TierMode::Marginal) raw = marginal_amount(rule, basis);
                else if (tier >= 0)
                    raw = rule.mode == TierMode::Fixed ? rule.tiers[static_cast<std::size_t>(tier)].amount
                                                       : rule.tiers[static_cast<std::size_t>(tier)].rate * base;
                break;
            }
            case RuleKind::Award:
                if (rule.is_tiered()) {
                    out.basis = number_of(slots[static_cast<std::size_t>(rule.basis)]);
                    out.tier = tier_reached(rule, out.basis);
                    out.award = out.tier >= 0;
                } else {
                    out.award = true;
                }
                out.status = out.award ? Status::Earned : Status::None;
                break;
            case RuleKind::Multiplier: break;
        }
        finish_amount(program, rule, out, raw);
    }
    // Multipliers see their targets after the targets' own caps and rounding.
    for (std::size_t i = 0; i < program.rules.size(); ++i) {
        const Rule& rule = program.rules[i];
        if (rule.kind != RuleKind::Multiplier) continue;
        Component& out = c.components[i];
        if (!unlocked(program, i, slots)) {
            out.status = Status::Locked;
            continue;
        }
        const Decimal basis = number_of(slots[static_cast<std::size_t>(rule.basis)]);
        out.basis = basis;
        out.tier = tier_reached(rule, basis);
        Decimal raw;
        if (out.tier >= 0) {
            const Decimal uplift = rule.tiers[static_cast<std::size_t>(out.tier)].factor - Decimal(1);
            for (int t : rule.applies_to) raw += c.components[static_cast<std::size_t>(t)].amount * uplift;
        }
        finish_amount(program, rule, out, raw);
    }
    // Caps in order, each on the amounts after the caps before it: an earlier cap's
    // adjustment counts where that cap's rules all lie under this one (caps nest).
    c.adjustments.clear();
    std::vector<Decimal>& cap_adjustment = c.cap_scratch;
    cap_adjustment.assign(program.caps.size(), Decimal());
    for (std::size_t k = 0; k < program.caps.size(); ++k) {
        const Cap& cap = program.caps[k];
        Decimal sum;
        for (int r : cap.rules) sum += c.components[static_cast<std::size_t>(r)].amount;
        for (std::size_t j = 0; j < k; ++j) {
            if (cap_adjustment[j].is_zero()) continue;
            const std::vector<int>& inner = program.caps[j].rules;
            if (std::includes(cap.rules.begin(), cap.rules.end(), inner.begin(), inner.end())) sum += cap_adjustment[j];
        }
        if (sum > cap.max) {
            cap_adjustment[k] = cap.max - sum;
            c.adjustments.push_back(Computation::Adjustment{static_cast<int>(k), cap_adjustment[k], sum});
        }
    }
    c.totals.assign(program.units.size(), Decimal());
    for (std::size_t i = 0; i < program.rules.size(); ++i)
        if (program.rules[i].kind != RuleKind::Award)
            c.totals[static_cast<std::size_t>(program.rules[i].unit)] += c.components[i].amount;
    for (const Computation::Adjustment& a : c.adjustments)
        c.totals[static_cast<std::size_t>(program.caps[static_cast<std::size_t>(a.cap)].unit)] += a.amount;
}

// ---------------------------------------------------------------------------
// The search for the smallest increase of one metric that satisfies a goal.

namespace {

// The largest multiple of `step` not above x (x >= 0), without counting the steps (a
// number metric can rise by up to 10^18 steps of 10^-6, beyond Decimal's range).
Decimal grid_floor(Decimal x, Decimal step) { return x - x % step; }

}  // namespace

std::optional<Decimal> smallest_increase(const Program& program, const std::vector<Value>& base_slots, int metric_index,
                                         const Goal& goal, SearchStats* stats, SearchScratch* scratch) {
    SearchScratch own;
    SearchScratch& work = scratch ? *scratch : own;
    const Metric& m = program.metrics[static_cast<std::size_t>(metric_index)];
    const std::size_t at = static_cast<std::size_t>(m.slot);
    // Only the values that depend on this metric change; recompute just those, in order,
    // on one working copy (a trial costs a few expression evaluations, not a pass).
    std::vector<int>& dependents = work.dependents;
    dependents.clear();
    for (std::size_t slot = program.metrics.size(); slot < program.slot_ids.size(); ++slot) {
        const std::vector<int>& in = program.slot_inputs[slot];
        if (std::binary_search(in.begin(), in.end(), m.slot)) dependents.push_back(static_cast<int>(slot));
    }
    std::vector<Value>& slots = work.slots;
    slots = base_slots;
    const Decimal current = number_of(base_slots[at]);
    auto trial = [&](Decimal increase, Decimal* measure) -> bool {
        if (stats) ++stats->evaluations;
        try {
            slots[at] = m.type == MetricType::Boolean ? Value(true) : Value(current + increase);
            for (int d : dependents) compute_value(program, d, slots);
            return goal.reached(slots, measure);
        } catch (const std::exception&) {
            // A trial that cannot be computed does not reach the goal; later trials
            // overwrite every slot this one touched.
            return false;
        }
    };
    if (m.type == MetricType::Boolean) {
        if (base_slots[at].as_bool()) return std::nullopt;
        return trial(Decimal(1), nullptr) ? std::optional<Decimal>(Decimal(1)) : std::nullopt;
    }
    // The search runs over increases that are whole multiples of the resolution.
    const Decimal step = m.resolution;
    // The most the metric may rise: to its max, or to just below the 10^12 input limit.
    Decimal upper = m.max ? *m.max : Decimal::pow10(12) - step;
    if (upper <= current) return std::nullopt;
    const Decimal most = grid_floor(upper - current, step);
    // The least increase that gives a valid figure: below a positive min (a missing
    // metric without a default is 0) the metric must first rise to its min.
    Decimal least = step;
    if (m.min && current + step < *m.min) {
        least = grid_floor(*m.min - current, step);
        if (current + least < *m.min) least += step;
    }
    if (most < least) return std::nullopt;

    Decimal b0;
    const bool measured = goal.measure(base_slots, b0);
    Decimal lo = least - step, hi;  // lo: the largest increase known not to reach (or not valid)
    bool have_hi = false;
    // One look at the far end rules out metrics that cannot reach the goal at all (a
    // full score item, a baseline that only lowers the basis).
    if (!trial(most, nullptr)) {
        // A monotone goal unreachable at the far end is unreachable; but the far end can
        // overflow a derived value, so also try the exponential walk from below.
        Decimal k = least;
        for (int i = 0; i < 64 && k < most; ++i) {
            if (trial(k, nullptr)) {
                hi = k;
                have_hi = true;
                break;
            }
            lo = k;
            k = k * Decimal(2);
        }
        if (!have_hi) return std::nullopt;
    } else {
        hi = most;
        have_hi = true;
        // Secant guess from one step: exact for bases linear in the metric.
        Decimal b1;
        if (trial(least, &b1)) return least;
        lo = least;
        if (least == step && measured && b1 > b0 && goal.target > b0) {
            std::optional<Decimal> guess;
            try {
                const Decimal slope = b1 - b0;
                Decimal steps = Decimal::floor_div(goal.target - b0, slope);
                if (steps * slope < goal.target - b0) steps += Decimal(1);
                guess = steps * step;
            } catch (const DecimalOverflow&) {
                // too many steps for a guess: bisection alone
            }
            if (guess && *guess > lo && *guess < hi) {
                if (trial(*guess, nullptr)) {
                    hi = *guess;
                    if (*guess - step > lo && !trial(*guess - step, nullptr)) lo = *guess - step;
                } else {
                    lo = *guess;
                    if (*guess + step < hi && trial(*guess + step, nullptr)) hi = *guess + step;
                }
            }
        }
    }
    // Bisection keeps the invariant: lo does not reach, hi reaches (both on the grid).
    while (hi - lo > step) {
        const Decimal mid = lo + grid_floor((hi - lo) / Decimal(2), step);
        if (trial(mid, nullptr)) hi = mid;
        else lo = mid;
    }
    return hi;
}

void find_drivers(const Program& program, const Computation& c, const std::vector<int>& inputs, const Goal& goal,
                  Computation& trial, std::vector<Driver>& out, SearchScratch* scratch) {
    out.clear();
    for (int slot : inputs) {
        if (program.slot_kinds[static_cast<std::size_t>(slot)] != SlotKind::Metric) continue;
        const int mi = program.slot_index[static_cast<std::size_t>(slot)];
        const Metric& m = program.metrics[static_cast<std::size_t>(mi)];
        const std::optional<Decimal> found = smallest_increase(program, c.slots, mi, goal, nullptr, scratch);
        if (!found) continue;
        // The trial computation's vectors keep their storage from driver to driver.
        trial.slots = c.slots;
        Driver d;
        d.metric = mi;
        if (m.type == MetricType::Boolean) {
            d.to = Value(true);
        } else {
            d.increase = *found;
            d.to = Value(number_of(c.slots[static_cast<std::size_t>(slot)]) + d.increase);
        }
        trial.slots[static_cast<std::size_t>(slot)] = d.to;
        try {
            compute(program, trial);
        } catch (const std::exception&) {
            continue;
        }
        d.gain.resize(program.units.size());
        for (std::size_t u = 0; u < program.units.size(); ++u) d.gain[u] = trial.totals[u] - c.totals[u];
        out.push_back(std::move(d));
    }
}

namespace {

// A base that cannot be negative: a metric with a minimum of 0 or more (counts and
// amounts have one), or a yes/no metric (0 or 1). Validated figures, and the search's
// trials (which only raise a figure), respect the minimum.
bool non_negative_base(const Program& program, int slot) {
    if (slot < 0 || program.slot_kinds[static_cast<std::size_t>(slot)] != SlotKind::Metric) return false;
    const Metric& m = program.metrics[static_cast<std::size_t>(program.slot_index[static_cast<std::size_t>(slot)])];
    return m.type == MetricType::Boolean || (m.min && *m.min >= Decimal(0));
}

}  // namespace

bool totals_never_negative(const Program& program) {
    for (const Rule& rule : program.rules) {
        if (rule.cap && *rule.cap < Decimal(0)) return false;
        switch (rule.kind) {
            case RuleKind::Rate:
                if (rule.rate < Decimal(0) || (rule.per && *rule.per <= Decimal(0)) || !non_negative_base(program, rule.base))
                    return false;
                break;
            case RuleKind::Tiered:
                for (const Tier& t : rule.tiers) {
                    if (rule.mode == TierMode::Fixed ? t.amount < Decimal(0) : t.rate < Decimal(0)) return false;
                }
                // Retro pays a rate of its base; marginal pays rates of the basis above each
                // tier's start, never of what lies below it.
                if (rule.mode == TierMode::Retro && !non_negative_base(program, rule.base)) return false;
                break;
            case RuleKind::Multiplier:
                for (const Tier& t : rule.tiers)
                    if (t.factor < Decimal(1)) return false;  // an uplift below 1 is a negative line
                break;
            case RuleKind::Award: break;
        }
    }
    // A cap brings the sum it covers (with the adjustments of the caps nested in it before
    // it) down to its maximum. That stays at or above 0 only if every earlier cap of the
    // unit is either disjoint from it or inside it: a cap applied after one covering more
    // would cut what the outer cap already cut.
    for (std::size_t k = 0; k < program.caps.size(); ++k) {
        const Cap& cap = program.caps[k];
        if (cap.max < Decimal(0)) return false;
        for (std::size_t j = 0; j < k; ++j) {
            const Cap& earlier = program.caps[j];
            if (earlier.unit != cap.unit) continue;
            const bool inside = std::includes(cap.rules.begin(), cap.rules.end(), earlier.rules.begin(), earlier.rules.end());
            bool disjoint = true;
            for (int r : earlier.rules)
                if (std::binary_search(cap.rules.begin(), cap.rules.end(), r)) disjoint = false;
            if (!inside && !disjoint) return false;
        }
    }
    return true;
}

}  // namespace dealercalc
