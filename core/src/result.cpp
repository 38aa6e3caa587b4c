// Builds the result document (spec §10): components with their trace, next tiers and
// unlocks, scores, caps, totals, awards, warnings and the projection.
#include <algorithm>

#include "dealercalc/engine.hpp"
#include "engine_internal.hpp"

namespace dealercalc {

namespace {

Value num(Decimal d) { return Value(d); }

Value slot_ref(const Program& p, int slot, Decimal amount) {
    Value v = Value::object();
    v.set("value", p.slot_ids[static_cast<std::size_t>(slot)]);
    v.set("amount", num(amount));
    return v;
}

Value totals_object(const Program& p, const std::vector<Decimal>& totals) {
    Value t = Value::object();
    for (std::size_t u = 0; u < p.units.size(); ++u) t.set(p.units[u].id, num(totals[u]));
    return t;
}

Value tier_object(const Rule& rule, int index) {
    const Tier& t = rule.tiers[static_cast<std::size_t>(index)];
    Value v = Value::object();
    v.set("index", index);
    if (!t.name.is_null()) v.set("name", t.name);
    v.set("from", num(t.from));
    if (rule.kind == RuleKind::Tiered) {
        if (rule.mode == TierMode::Fixed) v.set("amount", num(t.amount));
        else v.set("rate", num(t.rate));
    } else if (rule.kind == RuleKind::Multiplier) {
        v.set("factor", num(t.factor));
    } else if (rule.kind == RuleKind::Award) {
        v.set("award", t.award);
    }
    return v;
}

class Builder {
public:
    Builder(const Program& p, const Figures& f, const EvaluateOptions& o) : p_(p), f_(f), o_(o) {}

    Value run() {
        Computation c;
        load_inputs(p_, f_, c.slots);
        compute(p_, c);
        Value doc = Value::object();
        doc.set("format", "dealer-incentive-result/1");
        Value program = Value::object();
        program.set("id", p_.id);
        program.set("version", p_.version);
        doc.set("program", std::move(program));
        if (!f_.dealer.is_null()) doc.set("dealer", f_.dealer);
        if (f_.has_as_of) doc.set("as_of", f_.as_of.to_string());
        doc.set("currency", p_.currency);
        doc.set("values", values(c));
        doc.set("scores", scores(c));
        warnings_ = Value::array();
        for (const Value& w : f_.warnings) warnings_.push(w);
        doc.set("components", components(c, o_.next, o_.trace));
        doc.set("adjustments", adjustments(c));
        doc.set("totals", totals_object(p_, c.totals));
        doc.set("awards", awards(c));
        Value projection = project();
        doc.set("warnings", warnings_);
        if (!projection.is_null()) doc.set("projection", std::move(projection));
        return doc;
    }

private:
    Value values(const Computation& c) const {
        Value v = Value::object();
        for (std::size_t s = p_.metrics.size(); s < p_.slot_ids.size(); ++s) v.set(p_.slot_ids[s], c.slots[s]);
        return v;
    }

    Value scores(const Computation& c) const {
        Value all = Value::object();
        for (const Score& s : p_.scores) {
            Value score = Value::object();
            score.set("total", c.slots[static_cast<std::size_t>(s.slot)]);
            if (s.max) score.set("max", num(*s.max));
            Value items = Value::array();
            for (const ScoreItem& item : s.items) {
                const Value& current = c.slots[static_cast<std::size_t>(item.slot)];
                const Decimal points = item_points(item, current).round(2);
                Value it = Value::object();
                it.set("value", item.value_id);
                it.set("points", num(points));
                it.set("available", num(item.points));
                it.set("missing", num(item.points - points));
                it.set("current", current.is_bool() ? current : num(number_of(current)));
                it.set("target", num(item.target));
                it.set("curve", item.curve == Curve::Step ? "step" : "linear");
                items.push(std::move(it));
            }
            score.set("items", std::move(items));
            all.set(s.id, std::move(score));
        }
        return all;
    }

    Value gain_object(const Computation& base, const Computation& trial) const {
        Value g = Value::object();
        for (std::size_t u = 0; u < p_.units.size(); ++u) g.set(p_.units[u].id, num(trial.totals[u] - base.totals[u]));
        return g;
    }

    // Every input metric that alone reaches the goal, with its smallest increase and the
    // change of every unit's total.
    Value drivers(const Computation& c, const std::vector<int>& inputs, const Goal& goal) const {
        Value list = Value::array();
        for (int slot : inputs) {
            if (p_.slot_kinds[static_cast<std::size_t>(slot)] != SlotKind::Metric) continue;
            const int mi = p_.slot_index[static_cast<std::size_t>(slot)];
            const Metric& m = p_.metrics[static_cast<std::size_t>(mi)];
            const std::optional<Decimal> found = smallest_increase(p_, c.slots, mi, goal, nullptr);
            if (!found) continue;
            Computation trial;
            trial.slots = c.slots;
            Value to;
            Decimal increase;
            if (m.type == MetricType::Boolean) {
                to = Value(true);
            } else {
                increase = *found;
                to = Value(number_of(c.slots[static_cast<std::size_t>(slot)]) + increase);
            }
            trial.slots[static_cast<std::size_t>(slot)] = to;
            try {
                compute(p_, trial);
            } catch (const std::exception&) {
                continue;
            }
            Value d = Value::object();
            d.set("metric", m.id);
            if (m.type != MetricType::Boolean) d.set("increase", num(increase));
            d.set("to", to);
            d.set("gain", gain_object(c, trial));
            list.push(std::move(d));
        }
        return list;
    }

    Value trace(const Computation& c, std::size_t i) const {
        const Rule& rule = p_.rules[i];
        const Component& comp = c.components[i];
        Value t = Value::object();
        if (rule.has_when) t.set("when", comp.status != Status::Locked);
        if (comp.status == Status::Locked) return t;
        switch (rule.kind) {
            case RuleKind::Rate:
                t.set("base", slot_ref(p_, rule.base, comp.base));
                t.set("rate", num(rule.rate));
                if (rule.per) {
                    t.set("per", num(*rule.per));
                    t.set("blocks", num(comp.blocks));
                }
                break;
            case RuleKind::Tiered:
                t.set("basis", slot_ref(p_, rule.basis, comp.basis));
                if (rule.mode == TierMode::Retro) t.set("base", slot_ref(p_, rule.base, comp.base));
                t.set("tier", comp.tier);
                if (comp.tier >= 0 && rule.mode == TierMode::Retro) t.set("rate", num(rule.tiers[static_cast<std::size_t>(comp.tier)].rate));
                if (comp.tier >= 0 && rule.mode == TierMode::Fixed) t.set("amount", num(rule.tiers[static_cast<std::size_t>(comp.tier)].amount));
                if (rule.mode == TierMode::Marginal) {
                    Value brackets = Value::array();
                    for (std::size_t k = 0; k < rule.tiers.size(); ++k) {
                        const Decimal from = rule.tiers[k].from;
                        if (comp.basis <= from) break;
                        const Decimal upper = k + 1 < rule.tiers.size() ? Decimal::min(comp.basis, rule.tiers[k + 1].from) : comp.basis;
                        Value b = Value::object();
                        b.set("tier", static_cast<int>(k));
                        b.set("from", num(from));
                        b.set("to", num(upper));
                        b.set("volume", num(upper - from));
                        b.set("rate", num(rule.tiers[k].rate));
                        b.set("amount", num(rule.tiers[k].rate * (upper - from)));
                        brackets.push(std::move(b));
                    }
                    t.set("brackets", std::move(brackets));
                }
                break;
            case RuleKind::Multiplier: {
                t.set("basis", slot_ref(p_, rule.basis, comp.basis));
                t.set("tier", comp.tier);
                t.set("factor", num(comp.tier >= 0 ? rule.tiers[static_cast<std::size_t>(comp.tier)].factor : Decimal(1)));
                Value targets = Value::array();
                for (int r : rule.applies_to) {
                    Value x = Value::object();
                    x.set("rule", p_.rules[static_cast<std::size_t>(r)].id);
                    x.set("amount", num(c.components[static_cast<std::size_t>(r)].amount));
                    targets.push(std::move(x));
                }
                t.set("targets", std::move(targets));
                break;
            }
            case RuleKind::Award:
                if (rule.is_tiered()) {
                    t.set("basis", slot_ref(p_, rule.basis, comp.basis));
                    t.set("tier", comp.tier);
                }
                return t;
        }
        t.set("raw", num(comp.raw));
        if (rule.cap) {
            t.set("cap", num(*rule.cap));
            t.set("capped", comp.capped);
        }
        return t;
    }

    // A retro or fixed tier just ahead that pays disproportionately more than the step
    // it takes: the reward jumps by at least five times the relative increase needed.
    void cliff(const Computation& c, std::size_t i, int next) {
        const Rule& rule = p_.rules[i];
        const Component& comp = c.components[i];
        if (rule.kind != RuleKind::Tiered || rule.mode == TierMode::Marginal) return;
        const Tier& t = rule.tiers[static_cast<std::size_t>(next)];
        if (t.from <= Decimal(0)) return;
        const Decimal gap = t.from - comp.basis;
        if (gap > t.from / Decimal(10)) return;  // only within 10 % of the tier
        const Decimal base = rule.base == rule.basis ? t.from : comp.base;
        Decimal at;
        try {
            at = rule.mode == TierMode::Fixed ? t.amount : t.rate * base;
        } catch (const DecimalOverflow&) {
            return;  // the next tier's amount is out of range: nothing sensible to warn
        }
        if (rule.cap && at > *rule.cap) at = *rule.cap;
        at = at.round(p_.units[static_cast<std::size_t>(rule.unit)].precision);
        const Decimal jump = at - comp.amount;
        if (jump <= Decimal(0)) return;
        const Decimal relative_gap = gap / t.from;
        const bool disproportionate = comp.amount <= Decimal(0) || jump / comp.amount >= relative_gap * Decimal(5);
        if (!disproportionate) return;
        Value w = Value::object();
        w.set("code", "cliff");
        w.set("rule", rule.id);
        w.set("tier", next);
        w.set("gap", num(gap));
        w.set("jump", num(jump));
        w.set("unit", p_.units[static_cast<std::size_t>(rule.unit)].id);
        warnings_.push(std::move(w));
    }

    Value component(const Computation& c, std::size_t i, bool next, bool with_trace) {
        const Rule& rule = p_.rules[i];
        const Component& comp = c.components[i];
        Value v = Value::object();
        v.set("id", rule.id);
        v.set("kind", to_string(rule.kind));
        if (rule.kind == RuleKind::Tiered) v.set("mode", to_string(rule.mode));
        v.set("category", to_string(rule.category));
        if (rule.kind != RuleKind::Award) v.set("unit", p_.units[static_cast<std::size_t>(rule.unit)].id);
        if (!rule.label.is_null()) v.set("label", rule.label);
        v.set("status", to_string(comp.status));
        if (rule.kind != RuleKind::Award) {
            v.set("amount", num(comp.amount));
            v.set("uncapped", num(comp.uncapped));
        }
        if (comp.tier >= 0) v.set("tier", tier_object(rule, comp.tier));
        if (rule.kind == RuleKind::Award && comp.award) v.set("award", rule.is_tiered() ? rule.tiers[static_cast<std::size_t>(comp.tier)].award : rule.award);
        if (rule.is_tiered() && comp.status != Status::Locked && comp.tier + 1 < static_cast<int>(rule.tiers.size())) {
            const int n = comp.tier + 1;
            const Tier& t = rule.tiers[static_cast<std::size_t>(n)];
            Value nx = Value::object();
            nx.set("index", n);
            if (!t.name.is_null()) nx.set("name", t.name);
            nx.set("from", num(t.from));
            nx.set("current", num(comp.basis));
            nx.set("gap", num(t.from - comp.basis));
            if (next) {
                Goal goal;
                goal.program = &p_;
                goal.basis_slot = rule.basis;
                goal.target = t.from;
                if (rule.has_when) goal.when_rule = static_cast<int>(i);  // a driver must not lock the rule
                nx.set("drivers", drivers(c, p_.slot_inputs[static_cast<std::size_t>(rule.basis)], goal));
            }
            v.set("next", std::move(nx));
            cliff(c, i, n);
        }
        if (comp.status == Status::Locked && next) {
            Goal goal;
            goal.program = &p_;
            goal.when_rule = static_cast<int>(i);
            v.set("unlock", drivers(c, p_.when_inputs(rule), goal));
        }
        if (with_trace) v.set("trace", trace(c, i));
        return v;
    }

    Value components(const Computation& c, bool next, bool with_trace) {
        Value list = Value::array();
        for (std::size_t i = 0; i < p_.rules.size(); ++i) list.push(component(c, i, next, with_trace));
        return list;
    }

    Value adjustments(const Computation& c) const {
        Value list = Value::array();
        for (const Computation::Adjustment& a : c.adjustments) {
            const Cap& cap = p_.caps[static_cast<std::size_t>(a.cap)];
            Value v = Value::object();
            v.set("cap", cap.id);
            if (!cap.label.is_null()) v.set("label", cap.label);
            v.set("unit", p_.units[static_cast<std::size_t>(cap.unit)].id);
            v.set("amount", num(a.amount));
            v.set("max", num(cap.max));
            v.set("covered", num(a.covered));
            Value rules = Value::array();
            for (int r : cap.rules) rules.push(Value(p_.rules[static_cast<std::size_t>(r)].id));
            v.set("rules", std::move(rules));
            list.push(std::move(v));
        }
        return list;
    }

    Value awards(const Computation& c) const {
        Value list = Value::array();
        for (std::size_t i = 0; i < p_.rules.size(); ++i) {
            const Rule& rule = p_.rules[i];
            const Component& comp = c.components[i];
            if (rule.kind != RuleKind::Award || !comp.award) continue;
            Value a = Value::object();
            a.set("rule", rule.id);
            const Value& award = rule.is_tiered() ? rule.tiers[static_cast<std::size_t>(comp.tier)].award : rule.award;
            if (const Value* label = award.find("label")) a.set("label", *label);
            if (rule.is_tiered()) a.set("tier", comp.tier);
            list.push(std::move(a));
        }
        return list;
    }

    Value project() {
        if (!p_.has_period || !f_.has_as_of) return Value();
        if (f_.as_of < p_.period_start || p_.period_end < f_.as_of) {
            Value w = Value::object();
            w.set("code", "as_of_outside_period");
            w.set("as_of", f_.as_of.to_string());
            w.set("start", p_.period_start.to_string());
            w.set("end", p_.period_end.to_string());
            warnings_.push(std::move(w));
            return Value();
        }
        if (!o_.projection) return Value();
        const Decimal elapsed = Decimal::from_int(f_.as_of.days - p_.period_start.days + 1);
        const Decimal days = Decimal::from_int(p_.period_end.days - p_.period_start.days + 1);
        Figures scaled = f_;
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
            scaled.values[i] = Value(s);
        }
        Computation c;
        load_inputs(p_, scaled, c.slots);
        try {
            compute(p_, c);
        } catch (const Failure& e) {
            Value w = Value::object();
            w.set("code", "projection_failed");
            w.set("message", e.error.message);
            warnings_.push(std::move(w));
            return Value();
        } catch (const DecimalOverflow& e) {
            Value w = Value::object();
            w.set("code", "projection_failed");
            w.set("message", e.what());
            warnings_.push(std::move(w));
            return Value();
        }
        Value pr = Value::object();
        pr.set("as_of", f_.as_of.to_string());
        pr.set("end", p_.period_end.to_string());
        pr.set("elapsed_days", num(elapsed));
        pr.set("period_days", num(days));
        pr.set("factor", num((days / elapsed).round(4)));
        pr.set("values", values(c));
        Value saved = warnings_;
        pr.set("components", components(c, false, false));
        warnings_ = saved;  // cliffs of a projection are not today's warnings
        pr.set("adjustments", adjustments(c));
        pr.set("totals", totals_object(p_, c.totals));
        pr.set("awards", awards(c));
        return pr;
    }

    const Program& p_;
    const Figures& f_;
    const EvaluateOptions& o_;
    Value warnings_;
};

}  // namespace

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
