// Builds the result document (spec §10): components with their trace, next tiers and
// unlocks, scores, caps, totals, awards, warnings and the projection.
#include <algorithm>

#include "dealercalc/engine.hpp"
#include "engine_internal.hpp"

namespace dealercalc {

namespace {

// Every object here is built with its keys written out once, so members are appended
// with add() (no search) into room reserved for exactly what each object holds (one
// allocation per object, no regrowth). Ids are unique across the programme (validated),
// so keys taken from ids never repeat either.

Value num(Decimal d) { return Value(d); }

Value slot_ref(const Program& p, int slot, Decimal amount) {
    Value v = Value::object(2);
    v.add("value", p.slot_ids[static_cast<std::size_t>(slot)]);
    v.add("amount", num(amount));
    return v;
}

Value totals_object(const Program& p, const std::vector<Decimal>& totals) {
    Value t = Value::object(p.units.size());
    for (std::size_t u = 0; u < p.units.size(); ++u) t.add(p.units[u].id, num(totals[u]));
    return t;
}

Value tier_object(const Rule& rule, int index) {
    const Tier& t = rule.tiers[static_cast<std::size_t>(index)];
    const bool priced = rule.kind == RuleKind::Tiered || rule.kind == RuleKind::Multiplier || rule.kind == RuleKind::Award;
    Value v = Value::object(2 + (t.name.is_null() ? 0 : 1) + (priced ? 1 : 0));
    v.add("index", index);
    if (!t.name.is_null()) v.add("name", t.name);
    v.add("from", num(t.from));
    if (rule.kind == RuleKind::Tiered) {
        if (rule.mode == TierMode::Fixed) v.add("amount", num(t.amount));
        else v.add("rate", num(t.rate));
    } else if (rule.kind == RuleKind::Multiplier) {
        v.add("factor", num(t.factor));
    } else if (rule.kind == RuleKind::Award) {
        v.add("award", t.award);
    }
    return v;
}

// A retro or fixed tier just ahead that pays disproportionately more than the step it
// takes: the reward jumps by at least five times the relative increase needed. Gives the
// gap and the jump for the warning.
bool cliff_ahead(const Program& p, const Computation& c, std::size_t i, int next, Decimal& gap, Decimal& jump) {
    const Rule& rule = p.rules[i];
    const Component& comp = c.components[i];
    if (rule.kind != RuleKind::Tiered || rule.mode == TierMode::Marginal) return false;
    const Tier& t = rule.tiers[static_cast<std::size_t>(next)];
    if (t.from <= Decimal(0)) return false;
    gap = t.from - comp.basis;
    if (gap > t.from / Decimal(10)) return false;  // only within 10 % of the tier
    const Decimal base = rule.base == rule.basis ? t.from : comp.base;
    Decimal at;
    try {
        at = rule.mode == TierMode::Fixed ? t.amount : t.rate * base;
    } catch (const DecimalOverflow&) {
        return false;  // the next tier's amount is out of range: nothing sensible to warn
    }
    if (rule.cap && at > *rule.cap) at = *rule.cap;
    at = at.round(p.units[static_cast<std::size_t>(rule.unit)].precision);
    jump = at - comp.amount;
    if (jump <= Decimal(0)) return false;
    const Decimal relative_gap = gap / t.from;
    return comp.amount <= Decimal(0) || jump / comp.amount >= relative_gap * Decimal(5);
}

// Whether a component has a next tier (the result's `next`), and its index.
bool has_next_tier(const Rule& rule, const Component& comp) {
    return rule.is_tiered() && comp.status != Status::Locked && comp.tier + 1 < static_cast<int>(rule.tiers.size());
}

class Builder {
public:
    Builder(const Program& p, const Figures& f, const EvaluateOptions& o) : p_(p), f_(f), o_(o) {}

    Value run() {
        Computation c;
        load_inputs(p_, f_, c.slots);
        compute(p_, c);
        // format, program, currency, values, scores, components, adjustments, totals,
        // awards, warnings; dealer, as_of and projection when there are.
        Value doc = Value::object(10 + (f_.dealer.is_null() ? 0 : 1) + (f_.has_as_of ? 2 : 0));
        doc.add("format", "dealer-incentive-result/1");
        Value program = Value::object(2);
        program.add("id", p_.id);
        program.add("version", p_.version);
        doc.add("program", std::move(program));
        if (!f_.dealer.is_null()) doc.add("dealer", f_.dealer);
        if (f_.has_as_of) doc.add("as_of", f_.as_of.to_string());
        doc.add("currency", p_.currency);
        doc.add("values", values(c));
        doc.add("scores", scores(c));
        // Warnings: the figures', then cliffs (components) and projection problems.
        warnings_ = Value::array(f_.warnings.size() + 4);
        for (const Value& w : f_.warnings) warnings_.push(w);
        doc.add("components", components(c, o_.next, o_.trace));
        doc.add("adjustments", adjustments(c));
        doc.add("totals", totals_object(p_, c.totals));
        doc.add("awards", awards(c));
        Value projection = project();
        doc.add("warnings", std::move(warnings_));
        if (!projection.is_null()) doc.add("projection", std::move(projection));
        return doc;
    }

private:
    Value values(const Computation& c) const {
        Value v = Value::object(p_.slot_ids.size() - p_.metrics.size());
        for (std::size_t s = p_.metrics.size(); s < p_.slot_ids.size(); ++s) v.add(p_.slot_ids[s], c.slots[s]);
        return v;
    }

    Value scores(const Computation& c) const {
        Value all = Value::object(p_.scores.size());
        for (const Score& s : p_.scores) {
            Value score = Value::object(s.max ? 3 : 2);
            score.add("total", c.slots[static_cast<std::size_t>(s.slot)]);
            if (s.max) score.add("max", num(*s.max));
            Value items = Value::array(s.items.size());
            for (const ScoreItem& item : s.items) {
                const Value& current = c.slots[static_cast<std::size_t>(item.slot)];
                const Decimal points = item_points(item, current).round(2);
                Value it = Value::object(7);
                it.add("value", item.value_id);
                it.add("points", num(points));
                it.add("available", num(item.points));
                it.add("missing", num(item.points - points));
                it.add("current", current.is_bool() ? current : num(number_of(current)));
                it.add("target", num(item.target));
                it.add("curve", item.curve == Curve::Step ? "step" : "linear");
                items.push(std::move(it));
            }
            score.add("items", std::move(items));
            all.add(s.id, std::move(score));
        }
        return all;
    }

    // Every input metric that alone reaches the goal, with its smallest increase and the
    // change of every unit's total.
    Value drivers(const Computation& c, const std::vector<int>& inputs, const Goal& goal) {
        find_drivers(p_, c, inputs, goal, trial_, found_, &search_);
        Value list = Value::array(found_.size());
        for (Driver& f : found_) {
            const Metric& m = p_.metrics[static_cast<std::size_t>(f.metric)];
            Value d = Value::object(4);
            d.add("metric", m.id);
            if (m.type != MetricType::Boolean) d.add("increase", num(f.increase));
            d.add("to", std::move(f.to));
            Value gain = Value::object(p_.units.size());
            for (std::size_t u = 0; u < p_.units.size(); ++u) gain.add(p_.units[u].id, num(f.gain[u]));
            d.add("gain", std::move(gain));
            list.push(std::move(d));
        }
        return list;
    }

    // How many members trace() writes for an unlocked component.
    static std::size_t trace_size(const Rule& rule, const Component& comp) {
        std::size_t n = rule.has_when ? 1 : 0;
        switch (rule.kind) {
            case RuleKind::Rate: n += rule.per ? 4 : 2; break;
            case RuleKind::Tiered:
                n += 2;  // basis, tier
                if (rule.mode == TierMode::Retro) n += comp.tier >= 0 ? 2 : 1;  // base, rate
                if (rule.mode == TierMode::Fixed && comp.tier >= 0) n += 1;    // amount
                if (rule.mode == TierMode::Marginal) n += 1;                    // brackets
                break;
            case RuleKind::Multiplier: n += 4; break;
            case RuleKind::Award: return n + (rule.is_tiered() ? 2 : 0);
        }
        return n + (rule.cap ? 3 : 1);  // raw, cap, capped
    }

    Value trace(const Computation& c, std::size_t i) const {
        const Rule& rule = p_.rules[i];
        const Component& comp = c.components[i];
        if (comp.status == Status::Locked) {
            Value t = Value::object(1);
            if (rule.has_when) t.add("when", false);
            return t;
        }
        Value t = Value::object(trace_size(rule, comp));
        if (rule.has_when) t.add("when", true);
        switch (rule.kind) {
            case RuleKind::Rate:
                t.add("base", slot_ref(p_, rule.base, comp.base));
                t.add("rate", num(rule.rate));
                if (rule.per) {
                    t.add("per", num(*rule.per));
                    t.add("blocks", num(comp.blocks));
                }
                break;
            case RuleKind::Tiered:
                t.add("basis", slot_ref(p_, rule.basis, comp.basis));
                if (rule.mode == TierMode::Retro) t.add("base", slot_ref(p_, rule.base, comp.base));
                t.add("tier", comp.tier);
                if (comp.tier >= 0 && rule.mode == TierMode::Retro) t.add("rate", num(rule.tiers[static_cast<std::size_t>(comp.tier)].rate));
                if (comp.tier >= 0 && rule.mode == TierMode::Fixed) t.add("amount", num(rule.tiers[static_cast<std::size_t>(comp.tier)].amount));
                if (rule.mode == TierMode::Marginal) {
                    Value brackets = Value::array(rule.tiers.size());
                    for (std::size_t k = 0; k < rule.tiers.size(); ++k) {
                        const Decimal from = rule.tiers[k].from;
                        if (comp.basis <= from) break;
                        const Decimal upper = k + 1 < rule.tiers.size() ? Decimal::min(comp.basis, rule.tiers[k + 1].from) : comp.basis;
                        Value b = Value::object(6);
                        b.add("tier", static_cast<int>(k));
                        b.add("from", num(from));
                        b.add("to", num(upper));
                        b.add("volume", num(upper - from));
                        b.add("rate", num(rule.tiers[k].rate));
                        b.add("amount", num(rule.tiers[k].rate * (upper - from)));
                        brackets.push(std::move(b));
                    }
                    t.add("brackets", std::move(brackets));
                }
                break;
            case RuleKind::Multiplier: {
                t.add("basis", slot_ref(p_, rule.basis, comp.basis));
                t.add("tier", comp.tier);
                t.add("factor", num(comp.tier >= 0 ? rule.tiers[static_cast<std::size_t>(comp.tier)].factor : Decimal(1)));
                Value targets = Value::array(rule.applies_to.size());
                for (int r : rule.applies_to) {
                    Value x = Value::object(2);
                    x.add("rule", p_.rules[static_cast<std::size_t>(r)].id);
                    x.add("amount", num(c.components[static_cast<std::size_t>(r)].amount));
                    targets.push(std::move(x));
                }
                t.add("targets", std::move(targets));
                break;
            }
            case RuleKind::Award:
                if (rule.is_tiered()) {
                    t.add("basis", slot_ref(p_, rule.basis, comp.basis));
                    t.add("tier", comp.tier);
                }
                return t;
        }
        t.add("raw", num(comp.raw));
        if (rule.cap) {
            t.add("cap", num(*rule.cap));
            t.add("capped", comp.capped);
        }
        return t;
    }

    void cliff(const Computation& c, std::size_t i, int next) {
        const Rule& rule = p_.rules[i];
        Decimal gap, jump;
        if (!cliff_ahead(p_, c, i, next, gap, jump)) return;
        Value w = Value::object(6);
        w.add("code", "cliff");
        w.add("rule", rule.id);
        w.add("tier", next);
        w.add("gap", num(gap));
        w.add("jump", num(jump));
        w.add("unit", p_.units[static_cast<std::size_t>(rule.unit)].id);
        warnings_.push(std::move(w));
    }

    Value component(const Computation& c, std::size_t i, bool next, bool with_trace) {
        const Rule& rule = p_.rules[i];
        const Component& comp = c.components[i];
        const bool paid = rule.kind != RuleKind::Award;
        const bool award = rule.kind == RuleKind::Award && comp.award;
        const bool has_next = has_next_tier(rule, comp);
        const bool unlock = comp.status == Status::Locked && next;
        // id, kind, category, status, then what this component has.
        const std::size_t members = 4 + (rule.kind == RuleKind::Tiered ? 1 : 0) + (paid ? 3 : 0) + (rule.label.is_null() ? 0 : 1) +
                                    (comp.tier >= 0 ? 1 : 0) + (award ? 1 : 0) + (has_next ? 1 : 0) + (unlock ? 1 : 0) +
                                    (with_trace ? 1 : 0);
        Value v = Value::object(members);
        v.add("id", rule.id);
        v.add("kind", to_string(rule.kind));
        if (rule.kind == RuleKind::Tiered) v.add("mode", to_string(rule.mode));
        v.add("category", to_string(rule.category));
        if (paid) v.add("unit", p_.units[static_cast<std::size_t>(rule.unit)].id);
        if (!rule.label.is_null()) v.add("label", rule.label);
        v.add("status", to_string(comp.status));
        if (paid) {
            v.add("amount", num(comp.amount));
            v.add("uncapped", num(comp.uncapped));
        }
        if (comp.tier >= 0) v.add("tier", tier_object(rule, comp.tier));
        if (award) v.add("award", rule.is_tiered() ? rule.tiers[static_cast<std::size_t>(comp.tier)].award : rule.award);
        if (has_next) {
            const int n = comp.tier + 1;
            const Tier& t = rule.tiers[static_cast<std::size_t>(n)];
            Value nx = Value::object(4 + (t.name.is_null() ? 0 : 1) + (next ? 1 : 0));
            nx.add("index", n);
            if (!t.name.is_null()) nx.add("name", t.name);
            nx.add("from", num(t.from));
            nx.add("current", num(comp.basis));
            nx.add("gap", num(t.from - comp.basis));
            if (next) {
                Goal goal;
                goal.program = &p_;
                goal.basis_slot = rule.basis;
                goal.target = t.from;
                if (rule.has_when) goal.when_rule = static_cast<int>(i);  // a driver must not lock the rule
                nx.add("drivers", drivers(c, p_.slot_inputs[static_cast<std::size_t>(rule.basis)], goal));
            }
            v.add("next", std::move(nx));
            cliff(c, i, n);
        }
        if (unlock) {
            Goal goal;
            goal.program = &p_;
            goal.when_rule = static_cast<int>(i);
            v.add("unlock", drivers(c, p_.when_inputs(rule), goal));
        }
        if (with_trace) v.add("trace", trace(c, i));
        return v;
    }

    Value components(const Computation& c, bool next, bool with_trace) {
        Value list = Value::array(p_.rules.size());
        for (std::size_t i = 0; i < p_.rules.size(); ++i) list.push(component(c, i, next, with_trace));
        return list;
    }

    Value adjustments(const Computation& c) const {
        Value list = Value::array(c.adjustments.size());
        for (const Computation::Adjustment& a : c.adjustments) {
            const Cap& cap = p_.caps[static_cast<std::size_t>(a.cap)];
            Value v = Value::object(cap.label.is_null() ? 6 : 7);
            v.add("cap", cap.id);
            if (!cap.label.is_null()) v.add("label", cap.label);
            v.add("unit", p_.units[static_cast<std::size_t>(cap.unit)].id);
            v.add("amount", num(a.amount));
            v.add("max", num(cap.max));
            v.add("covered", num(a.covered));
            Value rules = Value::array(cap.rules.size());
            for (int r : cap.rules) rules.push(Value(p_.rules[static_cast<std::size_t>(r)].id));
            v.add("rules", std::move(rules));
            list.push(std::move(v));
        }
        return list;
    }

    Value awards(const Computation& c) const {
        std::size_t count = 0;
        for (std::size_t i = 0; i < p_.rules.size(); ++i)
            if (p_.rules[i].kind == RuleKind::Award && c.components[i].award) ++count;
        Value list = Value::array(count);
        for (std::size_t i = 0; i < p_.rules.size(); ++i) {
            const Rule& rule = p_.rules[i];
            const Component& comp = c.components[i];
            if (rule.kind != RuleKind::Award || !comp.award) continue;
            Value a = Value::object(3);
            a.add("rule", rule.id);
            const Value& award = rule.is_tiered() ? rule.tiers[static_cast<std::size_t>(comp.tier)].award : rule.award;
            if (const Value* label = award.find("label")) a.add("label", *label);
            if (rule.is_tiered()) a.add("tier", comp.tier);
            list.push(std::move(a));
        }
        return list;
    }

    void projection_failed(const std::string& message) {
        Value w = Value::object(2);
        w.add("code", "projection_failed");
        w.add("message", message);
        warnings_.push(std::move(w));
    }

    Value project() {
        if (!p_.has_period || !f_.has_as_of) return Value();
        if (f_.as_of < p_.period_start || p_.period_end < f_.as_of) {
            Value w = Value::object(4);
            w.add("code", "as_of_outside_period");
            w.add("as_of", f_.as_of.to_string());
            w.add("start", p_.period_start.to_string());
            w.add("end", p_.period_end.to_string());
            warnings_.push(std::move(w));
            return Value();
        }
        if (!o_.projection) return Value();
        const Decimal elapsed = Decimal::from_int(f_.as_of.days - p_.period_start.days + 1);
        const Decimal days = Decimal::from_int(p_.period_end.days - p_.period_start.days + 1);
        // Only the metric values are scaled: the projection's pass starts from them
        // directly (no copy of the whole figures).
        Computation c;
        load_inputs(p_, f_, c.slots);
        for (std::size_t i = 0; i < p_.metrics.size(); ++i) {
            const Metric& m = p_.metrics[i];
            if (!m.cumulative || m.type == MetricType::Boolean) continue;
            const Decimal v = number_of(f_.values[i]);
            Decimal s;
            try {
                s = (v * days) / elapsed;  // exact product first: no drift from a rounded factor
            } catch (const DecimalOverflow&) {
                s = v * (days / elapsed);
            }
            s = s.round(m.decimals);
            if (m.max && s > *m.max) s = *m.max;
            c.slots[i].set_number(s);
        }
        try {
            compute(p_, c);
        } catch (const Failure& e) {
            projection_failed(e.error.message);
            return Value();
        } catch (const DecimalOverflow& e) {
            projection_failed(e.what());
            return Value();
        }
        Value pr = Value::object(10);
        pr.add("as_of", f_.as_of.to_string());
        pr.add("end", p_.period_end.to_string());
        pr.add("elapsed_days", num(elapsed));
        pr.add("period_days", num(days));
        pr.add("factor", num((days / elapsed).round(4)));
        pr.add("values", values(c));
        // Cliffs of a projection are not today's warnings: drop what its components add.
        const std::size_t warnings_before = warnings_.size();
        pr.add("components", components(c, false, false));
        warnings_.as_array().resize(warnings_before);
        pr.add("adjustments", adjustments(c));
        pr.add("totals", totals_object(p_, c.totals));
        pr.add("awards", awards(c));
        return pr;
    }

    const Program& p_;
    const Figures& f_;
    const EvaluateOptions& o_;
    Value warnings_;
    Computation trial_;          // scratch of the driver search, reused
    std::vector<Driver> found_;  // the same
    SearchScratch search_;       // the same
};

}  // namespace

bool best_next_drivers(const Program& program, const Computation& c, Computation& trial, std::vector<Driver>& found,
                       SearchScratch& search, Value& best) {
    std::size_t currency = 0;  // the unit the drivers are ranked by
    while (currency < program.units.size() && program.units[currency].id != program.currency) ++currency;
    try {
        // Every step of the document that can overflow, and so fail the evaluation: the
        // score items' points, and per component with a next tier its gap, its drivers'
        // gains and the cliff test. (Unlock drivers are left out: see the declaration.)
        for (const Score& s : program.scores)
            for (const ScoreItem& item : s.items) {
                const Decimal points = item_points(item, c.slots[static_cast<std::size_t>(item.slot)]).round(2);
                const Decimal missing = item.points - points;
                (void)missing;
            }
        best = Value::object();
        for (std::size_t i = 0; i < program.rules.size(); ++i) {
            const Rule& rule = program.rules[i];
            const Component& comp = c.components[i];
            if (!has_next_tier(rule, comp)) continue;
            const int n = comp.tier + 1;
            const Tier& t = rule.tiers[static_cast<std::size_t>(n)];
            const Decimal gap = t.from - comp.basis;
            (void)gap;
            Goal goal;
            goal.program = &program;
            goal.basis_slot = rule.basis;
            goal.target = t.from;
            if (rule.has_when) goal.when_rule = static_cast<int>(i);
            find_drivers(program, c, program.slot_inputs[static_cast<std::size_t>(rule.basis)], goal, trial, found, &search);
            Decimal cliff_gap, cliff_jump;
            cliff_ahead(program, c, i, n, cliff_gap, cliff_jump);
            const auto gain_of = [&](const Driver& d) { return currency < d.gain.size() ? d.gain[currency] : Decimal(); };
            const Driver* top = nullptr;
            for (const Driver& d : found)
                if (!top || gain_of(d) > gain_of(*top)) top = &d;
            if (!top) continue;
            const Metric& m = program.metrics[static_cast<std::size_t>(top->metric)];
            Value entry = Value::object(5);
            entry.add("metric", m.id);
            if (m.type != MetricType::Boolean) entry.add("increase", num(top->increase));
            entry.add("to", top->to);
            Value gain = Value::object(program.units.size());
            for (std::size_t u = 0; u < program.units.size(); ++u) gain.add(program.units[u].id, num(top->gain[u]));
            entry.add("gain", std::move(gain));
            entry.add("tier", n);
            best.add(rule.id, std::move(entry));
        }
        return true;
    } catch (const DecimalOverflow&) {
        return false;
    }
}

Value evaluate(const Program& program, const Figures& figures, const EvaluateOptions& options) {
    try {
        return Builder(program, figures, options).run();
    } catch (const DecimalOverflow& e) {
        // Spec §7: a result of magnitude 10^15 or more is an overflow error.
        throw make_failure("overflow", std::string("a reward cannot be computed: ") + e.what(), "", "overflow");
    }
}

Value evaluate_texts(std::string_view program_json, std::string_view figures_json, const EvaluateOptions& options) {
    try {
        const Program program = parse_program(program_json);
        const Figures figures = parse_figures(program, figures_json);
        return evaluate(program, figures, options);
    } catch (const Failure& f) {
        return f.error.to_value();
    } catch (const std::exception& e) {
        Error err;
        err.code = "internal_error";
        err.message = e.what();
        return err.to_value();
    }
}

}  // namespace dealercalc
