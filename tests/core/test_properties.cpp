// Property tests over randomized programmes and figures (fixed seeds, own PRNG so every
// platform draws the same cases). Each generated programme is valid by construction;
// figures are valid too, apart from the fuzzing test that mutates both on purpose.
//
// Iterations: DEALERCALC_PROPERTY_PROGRAMS (env) sets the number of programmes; each gets
// kFiguresPerProgram figures. Under AddressSanitizer the default is smaller.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "dealercalc/engine.hpp"
#include "programs.hpp"

using namespace dealercalc;
using testprog::at;
using testprog::has;

#if defined(__SANITIZE_ADDRESS__)
#define DEALERCALC_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DEALERCALC_TEST_SANITIZED 1
#endif
#endif

namespace {

#ifdef DEALERCALC_TEST_SANITIZED
constexpr int kDefaultPrograms = 100;
#else
constexpr int kDefaultPrograms = 400;
#endif
constexpr int kFiguresPerProgram = 5;

int program_count() {
    if (const char* env = std::getenv("DEALERCALC_PROPERTY_PROGRAMS")) {
        const int n = std::atoi(env);
        if (n > 0) return n;
    }
    return kDefaultPrograms;
}

// splitmix64: tiny, and the same sequence everywhere (std distributions are not).
struct Rng {
    std::uint64_t state;
    explicit Rng(std::uint64_t seed) : state(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    std::int64_t range(std::int64_t lo, std::int64_t hi) {  // inclusive
        const std::uint64_t span = static_cast<std::uint64_t>(hi - lo) + 1;
        return lo + static_cast<std::int64_t>(next() % span);
    }
    bool chance(int percent) { return range(0, 99) < percent; }
    template <class T>
    const T& pick(const std::vector<T>& v) {
        return v[static_cast<std::size_t>(range(0, static_cast<std::int64_t>(v.size()) - 1))];
    }
};

// Numbers are generated as integers of 10^-6 ("micros") and written exactly.
constexpr std::int64_t kMicro = 1000000;

std::string micros_text(std::int64_t m) {
    const bool negative = m < 0;
    const std::uint64_t a = negative ? static_cast<std::uint64_t>(-m) : static_cast<std::uint64_t>(m);
    std::string s = std::to_string(a / kMicro);
    if (const std::uint64_t frac = a % kMicro) {
        std::string f = std::to_string(frac);
        f = std::string(6 - f.size(), '0') + f;
        while (f.back() == '0') f.pop_back();
        s += "." + f;
    }
    return negative ? "-" + s : s;
}
Value num(std::int64_t micros) { return Value(Decimal::parse_or_throw(micros_text(micros))); }

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && (a < 0) ? 1 : 0); }
std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return a / b + ((a % b != 0) && (a > 0) ? 1 : 0); }
// A random multiple of `step` in [lo, hi].
std::int64_t in_range(Rng& r, std::int64_t lo, std::int64_t hi, std::int64_t step) {
    const std::int64_t a = ceil_div(lo, step), b = floor_div(hi, step);
    return (b < a ? a : r.range(a, b)) * step;
}

Value var(const std::string& id) {
    Value v = Value::object();
    v.set("var", id);
    return v;
}
Value op(const char* name, std::vector<Value> args) {
    Value v = Value::object();
    Value a = Value::array();
    for (Value& x : args) a.push(std::move(x));
    v.set(name, std::move(a));
    return v;
}

struct GenMetric {
    std::string id, type;
    std::int64_t lo = 0, hi = 0, step = kMicro;  // the range figures are drawn from
};

struct GenSlot {
    std::string id;
    std::int64_t lo = 0, scale = 0;  // rough range of the value, micros
};

struct GenRule {
    std::string id, kind, unit, category;  // unit: "" = the currency
};

struct Generated {
    Value program;
    std::vector<GenMetric> metrics;
    bool period = false;
};

const std::vector<std::string> kCategories = {"content", "community", "promotion", "tools", "training", "sales", "data", "other"};

class Generator {
public:
    explicit Generator(std::uint64_t seed) : r_(seed) {}

    Generated program() {
        Generated g;
        Value p = Value::object();
        p.set("format", "dealer-incentive-program/1");
        p.set("id", "gen");
        p.set("version", "1");
        p.set("name", "Generated");
        const int cur = static_cast<int>(r_.range(0, 9));
        currency_ = cur < 8 ? "CNY" : cur == 8 ? "JPY" : "KWD";
        amount_step_ = currency_ == "CNY" ? 10000 : currency_ == "JPY" ? kMicro : 1000;
        p.set("currency", currency_);
        points_ = r_.chance(50);
        if (points_) {
            Value u = Value::object();
            u.set("id", "points");
            u.set("label", "Points");
            points_precision_ = static_cast<int>(r_.range(0, 2));
            u.set("precision", points_precision_);
            Value units = Value::array();
            units.push(u);
            p.set("units", units);
        }
        if (r_.chance(50)) {
            Value period = Value::object();
            period.set("start", "2027-01-01");
            period.set("end", "2027-06-30");
            p.set("period", period);
            g.period = true;
        }
        slots_.clear();
        booleans_.clear();
        Value metrics = Value::array();
        const int n = static_cast<int>(r_.range(1, 6));
        for (int i = 0; i < n; ++i) metrics.push(metric(i, g));
        p.set("metrics", metrics);
        const int nd = static_cast<int>(r_.range(0, 2));
        if (nd > 0) {
            Value derived = Value::array();
            for (int i = 0; i < nd; ++i) derived.push(derived_value(i));
            p.set("derived", derived);
        }
        if (!slots_.empty() && r_.chance(40)) {
            Value scores = Value::array();
            scores.push(score());
            p.set("scores", scores);
        }
        p.set("rules", rules());
        if (Value caps = this->caps(); caps.size() > 0) p.set("caps", caps);
        g.program = p;
        return g;
    }

    Value figures(const Generated& g) {
        Value f = Value::object();
        f.set("format", "dealer-incentive-figures/1");
        Value dealer = Value::object();
        dealer.set("id", "D-" + std::to_string(r_.range(1, 999)));
        f.set("dealer", dealer);
        if (r_.chance(50)) {
            static const std::vector<std::string> kDates = {"2026-12-31", "2027-01-01", "2027-02-14", "2027-03-01",
                                                            "2027-04-30", "2027-06-29", "2027-06-30", "2027-07-01"};
            f.set("as_of", r_.pick(kDates));
        }
        Value values = Value::object();
        for (const GenMetric& m : g.metrics) {
            const int roll = static_cast<int>(r_.range(0, 99));
            if (roll < 8) continue;  // missing
            if (roll < 11) {
                values.set(m.id, Value());  // an empty form field
                continue;
            }
            values.set(m.id, figure(m));
        }
        if (r_.chance(10)) values.set("zz_unknown", 1);
        f.set("values", values);
        return f;
    }

    Value figure(const GenMetric& m) {
        if (m.type == "boolean") return Value(r_.chance(50));
        const int roll = static_cast<int>(r_.range(0, 99));
        if (roll < 8) return num(in_range(r_, m.lo, m.lo + 10 * m.step, m.step));
        if (roll < 12) return num(m.hi);
        // Most figures are small: tiers are drawn from the same small ranges.
        const std::int64_t hi = roll < 60 ? std::min(m.hi, m.lo + (m.hi - m.lo) / 10) : m.hi;
        return num(in_range(r_, m.lo, hi, m.step));
    }

    Rng& rng() { return r_; }

private:
    Value metric(int i, Generated& g) {
        static const std::vector<std::string> kTypes = {"count", "amount", "number", "percent", "boolean"};
        GenMetric m;
        m.id = "m" + std::to_string(i);
        m.type = r_.pick(kTypes);
        Value v = Value::object();
        v.set("id", m.id);
        v.set("label", Value(std::string("Metric ") + std::to_string(i)));
        v.set("category", r_.pick(kCategories));
        v.set("type", m.type);
        if (r_.chance(50)) v.set("cumulative", true);
        bool has_min = false, has_max = false;
        std::int64_t min = 0, max = 0;
        if (m.type == "count") {
            m.step = kMicro;
            if ((has_min = r_.chance(30))) min = r_.range(0, 5) * kMicro;
            m.lo = min;
            if ((has_max = r_.chance(40))) max = m.lo + r_.range(5, 5000) * kMicro;
            m.hi = has_max ? max : 20000 * kMicro;
        } else if (m.type == "amount") {
            m.step = amount_step_;
            if ((has_min = r_.chance(20))) min = 0;
            if ((has_max = r_.chance(40))) max = r_.range(100, 100000) * kMicro;
            m.lo = 0;
            m.hi = has_max ? max : 200000 * kMicro;
        } else if (m.type == "number" || m.type == "percent") {
            static const std::vector<std::int64_t> kSteps = {kMicro, kMicro / 10, kMicro / 100, 1000, 1};
            m.step = r_.pick(kSteps);
            if (m.type == "number") {
                if ((has_min = r_.chance(40))) min = -r_.range(0, 100000) * 1000;
                m.lo = has_min ? min : -50 * kMicro;
                if ((has_max = r_.chance(40))) max = r_.range(10, 1000) * kMicro;
                m.hi = has_max ? max : 500 * kMicro;
            } else {
                if ((has_min = r_.chance(50))) min = 0;
                m.lo = 0;
                if ((has_max = r_.chance(50))) max = 100 * kMicro;
                m.hi = has_max ? max : 120 * kMicro;
            }
        } else {
            booleans_.push_back(m.id);
        }
        if (has_min) v.set("min", num(min));
        if (has_max) v.set("max", num(max));
        if (r_.chance(20)) v.set("default", m.type == "boolean" ? Value(r_.chance(50)) : num(in_range(r_, m.lo, m.hi, m.step)));
        if (m.type != "boolean") slots_.push_back(GenSlot{m.id, m.lo, std::max<std::int64_t>(m.hi, kMicro)});
        metric_slots_ = slots_.size();
        g.metrics.push_back(m);
        return v;
    }

    Value derived_value(int i) {
        GenSlot out;
        out.id = "d" + std::to_string(i);
        Value d = Value::object();
        d.set("id", out.id);
        d.set("label", out.id);
        if (slots_.empty()) {
            d.set("expr", op("+", {Value(1), Value(2)}));
            out.scale = 3 * kMicro;
        } else {
            const GenSlot a = r_.pick(slots_);
            const GenSlot b = r_.pick(slots_);
            std::int64_t form = r_.range(0, 4);
            if (form == 2 && metric_slots_ == 0) form = 0;
            switch (form) {
                case 0:  // a sum
                    d.set("expr", op("+", {var(a.id), var(b.id)}));
                    out.lo = a.lo + b.lo;
                    out.scale = a.scale + b.scale;
                    break;
                case 1: {  // a product with a constant
                    const std::int64_t c = r_.range(1, 300) * 10000;
                    d.set("expr", op("*", {var(a.id), num(c)}));
                    out.scale = a.scale / kMicro * c + kMicro;
                    out.lo = std::min<std::int64_t>(0, a.lo / kMicro * c);
                    break;
                }
                case 2: {  // a product of two metrics
                    const GenSlot x = slots_[static_cast<std::size_t>(r_.range(0, static_cast<std::int64_t>(metric_slots_) - 1))];
                    const GenSlot y = slots_[static_cast<std::size_t>(r_.range(0, static_cast<std::int64_t>(metric_slots_) - 1))];
                    d.set("expr", op("*", {var(x.id), var(y.id)}));
                    out.scale = std::min<std::int64_t>(x.scale / kMicro * y.scale, 100000000000LL * kMicro);
                    out.lo = 0;
                    break;
                }
                case 3:  // a guarded ratio
                    d.set("expr", op("if", {op(">", {var(b.id), Value(0)}), op("/", {var(a.id), var(b.id)}), Value(0)}));
                    out.scale = 10 * kMicro;
                    out.lo = 0;
                    break;
                default:  // a difference (a baseline lowers it)
                    d.set("expr", op("-", {var(a.id), var(b.id)}));
                    out.scale = a.scale;
                    out.lo = -b.scale;
                    break;
            }
        }
        if (r_.chance(50)) d.set("precision", static_cast<int>(r_.range(0, 4)));
        slots_.push_back(out);
        return d;
    }

    Value score() {
        Value s = Value::object();
        s.set("id", "s0");
        s.set("label", "Score");
        Value items = Value::array();
        std::int64_t total = 0;
        const int n = static_cast<int>(r_.range(1, 3));
        for (int i = 0; i < n; ++i) {
            const GenSlot v = r_.pick(slots_);
            Value it = Value::object();
            it.set("value", v.id);
            it.set("target", num(std::max<std::int64_t>(kMicro / 100, in_range(r_, 1, std::max<std::int64_t>(v.scale / 5, kMicro), kMicro / 100))));
            const std::int64_t points = r_.range(1, 50) * kMicro;
            total += points;
            it.set("points", num(points));
            if (r_.chance(50)) it.set("curve", r_.chance(50) ? "step" : "linear");
            items.push(it);
        }
        s.set("items", items);
        if (r_.chance(30)) s.set("max", num(total + r_.range(0, 10) * kMicro));
        slots_.push_back(GenSlot{"s0", 0, total});
        return s;
    }

    std::int64_t constant(std::int64_t lo, std::int64_t hi) {
        constexpr std::int64_t kLimit = 100000000000LL * kMicro;  // constants stay below 10^12
        lo = std::max(lo, -kLimit);
        hi = std::max(std::min(hi, kLimit), lo + kMicro);
        static const std::vector<std::int64_t> kSteps = {kMicro, kMicro / 100, 1000};
        return in_range(r_, lo, hi, r_.pick(kSteps));
    }

    // Ascending tier froms within a slot's rough range.
    std::vector<std::int64_t> froms(const GenSlot& s, int n) {
        std::set<std::int64_t> f;
        const std::int64_t hi = std::max<std::int64_t>(s.lo + kMicro, r_.chance(60) ? s.lo + (s.scale - s.lo) / 10 : s.scale);
        for (int i = 0; i < n; ++i) f.insert(constant(std::max<std::int64_t>(s.lo, -999 * kMicro), hi));
        return {f.begin(), f.end()};
    }

    Value when() {
        auto ge = [&]() {
            const GenSlot s = r_.pick(slots_);
            return op(">=", {var(s.id), num(constant(s.lo, s.lo + (s.scale - s.lo) / 5 + kMicro))});
        };
        const int roll = static_cast<int>(r_.range(0, 99));
        if (!booleans_.empty() && roll < 25) return var(r_.pick(booleans_));
        if (slots_.empty()) return Value(true);
        if (roll < 60) return ge();
        if (roll < 80) return op("and", {ge(), booleans_.empty() ? ge() : var(r_.pick(booleans_))});
        if (roll < 92) return op("or", {ge(), ge()});
        // Conditions that a rising metric can close again.
        if (!booleans_.empty() && roll < 96) return op("!", {var(r_.pick(booleans_))});
        const GenSlot s = r_.pick(slots_);
        return op("<", {var(s.id), num(constant(s.lo, s.scale))});
    }

    Value tiers_for(const std::string& kind, const std::string& mode, const GenSlot& basis) {
        Value tiers = Value::array();
        const std::vector<std::int64_t> f = froms(basis, static_cast<int>(r_.range(1, 4)));
        std::int64_t factor = kMicro;
        for (std::size_t i = 0; i < f.size(); ++i) {
            Value t = Value::object();
            t.set("from", num(f[i]));
            if (r_.chance(30)) t.set("name", Value("T" + std::to_string(i)));
            if (kind == "tiered") {
                if (mode == "fixed") t.set("amount", num(constant(0, 5000 * kMicro)));
                else t.set("rate", num(in_range(r_, 0, 5 * kMicro, 1000)));
            } else if (kind == "multiplier") {
                factor += r_.range(1, 100) * 10000;
                t.set("factor", num(factor));
            } else {
                Value a = Value::object();
                a.set("label", Value("Award " + std::to_string(i)));
                t.set("award", a);
            }
            tiers.push(t);
        }
        return tiers;
    }

    Value rules() {
        const int n = static_cast<int>(r_.range(1, 6));
        std::vector<std::string> kinds;
        for (int i = 0; i < n; ++i) {
            const int roll = static_cast<int>(r_.range(0, 99));
            kinds.push_back(roll < 30 ? "rate" : roll < 65 ? "tiered" : roll < 80 ? "multiplier" : "award");
        }
        if (slots_.empty())  // only booleans: nothing numeric to pay on
            for (std::string& k : kinds) k = "award";
        rules_.assign(static_cast<std::size_t>(n), GenRule{});
        std::vector<Value> docs(static_cast<std::size_t>(n));
        std::vector<std::size_t> pool;  // rate and tiered rules not yet multiplied
        for (int i = 0; i < n; ++i) {
            GenRule& g = rules_[static_cast<std::size_t>(i)];
            g.id = "r" + std::to_string(i);
            g.kind = kinds[static_cast<std::size_t>(i)] == "multiplier" ? "multiplier" : kinds[static_cast<std::size_t>(i)];
            g.category = r_.pick(kCategories);
            if (g.kind == "multiplier") continue;  // after the others, which it may target
            docs[static_cast<std::size_t>(i)] = rule_body(g);
            if (g.kind == "rate" || g.kind == "tiered") pool.push_back(static_cast<std::size_t>(i));
        }
        for (int i = 0; i < n; ++i) {
            GenRule& g = rules_[static_cast<std::size_t>(i)];
            if (g.kind != "multiplier") continue;
            if (pool.empty()) {
                g.kind = "rate";
                docs[static_cast<std::size_t>(i)] = rule_body(g);
                continue;
            }
            Value d = common(g);
            const GenSlot basis = r_.pick(slots_);
            d.set("basis", basis.id);
            Value targets = Value::array();
            const std::size_t first = static_cast<std::size_t>(r_.range(0, static_cast<std::int64_t>(pool.size()) - 1));
            const std::size_t t0 = pool[first];
            pool.erase(pool.begin() + static_cast<std::ptrdiff_t>(first));
            targets.push(Value(rules_[t0].id));
            g.unit = rules_[t0].unit;
            if (r_.chance(40)) {
                for (std::size_t k = 0; k < pool.size(); ++k) {
                    if (rules_[pool[k]].unit != g.unit) continue;
                    targets.push(Value(rules_[pool[k]].id));
                    pool.erase(pool.begin() + static_cast<std::ptrdiff_t>(k));
                    break;
                }
            }
            d.set("applies_to", targets);
            d.set("tiers", tiers_for("multiplier", "", basis));
            if (r_.chance(20)) d.set("cap", cap_max(g.unit));  // a cap is never finer than its unit
            docs[static_cast<std::size_t>(i)] = d;
        }
        Value list = Value::array();
        for (Value& d : docs) list.push(d);
        return list;
    }

    Value common(const GenRule& g) {
        Value d = Value::object();
        d.set("id", g.id);
        d.set("kind", g.kind);
        d.set("category", g.category);
        if (r_.chance(25)) d.set("when", when());
        return d;
    }

    Value rule_body(GenRule& g) {
        Value d = common(g);
        if (g.kind != "award" && points_ && r_.chance(30)) {
            g.unit = "points";
            d.set("unit", "points");
        }
        if (g.kind == "rate") {
            d.set("base", r_.pick(slots_).id);
            d.set("rate", num(in_range(r_, 1000, 20 * kMicro, 1000)));
            if (r_.chance(30)) d.set("per", num(constant(kMicro / 100, 1000 * kMicro) + kMicro / 100));
        } else if (g.kind == "tiered") {
            static const std::vector<std::string> kModes = {"retro", "marginal", "fixed"};
            const std::string mode = r_.pick(kModes);
            d.set("mode", mode);
            const GenSlot basis = r_.pick(slots_);
            d.set("basis", basis.id);
            if (mode == "retro" && r_.chance(50)) d.set("base", r_.pick(slots_).id);
            d.set("tiers", tiers_for("tiered", mode, basis));
        } else {  // award
            if (!slots_.empty() && r_.chance(50)) {
                const GenSlot basis = r_.pick(slots_);
                d.set("basis", basis.id);
                d.set("tiers", tiers_for("award", "", basis));
            } else {
                Value a = Value::object();
                a.set("label", "An award");
                d.set("award", a);
            }
            return d;
        }
        if (r_.chance(25)) d.set("cap", cap_max(g.unit));
        return d;
    }

    std::string unit_code(const std::string& u) const { return u.empty() ? currency_ : u; }
    int unit_precision(const std::string& u) const {
        if (!u.empty()) return points_precision_;
        return currency_ == "CNY" ? 2 : currency_ == "JPY" ? 0 : 3;
    }
    Value cap_max(const std::string& unit) {
        const std::int64_t whole = r_.range(0, 20000) * kMicro;
        return num(unit_precision(unit) >= 2 && r_.chance(30) ? whole + r_.range(0, 99) * 10000 : whole);
    }

    Value caps() {
        Value caps = Value::array();
        std::vector<std::size_t> paying;
        for (std::size_t i = 0; i < rules_.size(); ++i)
            if (rules_[i].kind != "award") paying.push_back(i);
        if (paying.empty() || !r_.chance(45)) return caps;
        const GenRule& anchor = rules_[r_.pick(paying)];
        const std::string unit = anchor.unit;
        auto rules_cap = [&](const std::string& id) {
            Value c = Value::object();
            c.set("id", id);
            Value ids = Value::array();
            for (std::size_t i : paying)
                if (rules_[i].unit == unit && (rules_[i].id == anchor.id || r_.chance(50))) ids.push(Value(rules_[i].id));
            c.set("rules", ids);
            c.set("max", cap_max(unit));
            return c;
        };
        auto unit_cap = [&](const std::string& id) {
            Value c = Value::object();
            c.set("id", id);
            c.set("unit", unit_code(unit));
            c.set("max", cap_max(unit));
            return c;
        };
        const int roll = static_cast<int>(r_.range(0, 2));
        if (roll == 0) {
            caps.push(rules_cap("cap_a"));
            if (r_.chance(50)) caps.push(unit_cap("cap_b"));
        } else if (roll == 1) {
            Value c = Value::object();
            c.set("id", "cap_a");
            c.set("label", "Category cap");
            c.set("category", anchor.category);
            c.set("unit", unit_code(unit));
            c.set("max", cap_max(unit));
            caps.push(c);
            if (r_.chance(50)) caps.push(unit_cap("cap_b"));
        } else {
            caps.push(unit_cap("cap_a"));
            if (r_.chance(50)) caps.push(rules_cap("cap_b"));
        }
        return caps;
    }

    Rng r_;
    std::string currency_ = "CNY";
    std::int64_t amount_step_ = 10000;
    bool points_ = false;
    int points_precision_ = 0;
    std::vector<GenSlot> slots_;  // numeric values, in definition order
    std::size_t metric_slots_ = 0;
    std::vector<std::string> booleans_;
    std::vector<GenRule> rules_;
};

EvaluateOptions totals_only() {
    EvaluateOptions o;
    o.next = false;
    o.projection = false;
    o.trace = false;
    return o;
}

int tier_index(const Value& component) { return has(component, "tier") ? static_cast<int>(at(component, "tier/index").as_number().raw() / Decimal::scale()) : -1; }

const Value& component_at(const Value& result, std::size_t i) { return at(result, "components").as_array()[i]; }

// Σ non-award amounts + Σ adjustments per unit == totals, exactly, and the totals list
// every unit of the programme.
void check_adds_up(const Program& p, const Value& doc, const char* what) {
    INFO(what);
    std::vector<Decimal> sum(p.units.size());
    for (const Value& c : at(doc, "components").as_array()) {
        if (at(c, "kind").as_string() == "award") {
            CHECK_FALSE(has(c, "amount"));
            continue;
        }
        const int u = p.unit_of(at(c, "unit").as_string());
        REQUIRE(u >= 0);
        sum[static_cast<std::size_t>(u)] += at(c, "amount").as_number();
    }
    for (const Value& a : at(doc, "adjustments").as_array()) {
        const int u = p.unit_of(at(a, "unit").as_string());
        REQUIRE(u >= 0);
        CHECK(at(a, "amount").as_number() < Decimal(0));
        CHECK(at(a, "covered").as_number() + at(a, "amount").as_number() == at(a, "max").as_number());
        sum[static_cast<std::size_t>(u)] += at(a, "amount").as_number();
    }
    const Value& totals = at(doc, "totals");
    CHECK(totals.size() == p.units.size());
    for (std::size_t u = 0; u < p.units.size(); ++u) {
        INFO("unit " << p.units[u].id);
        REQUIRE(totals.find(p.units[u].id));
        CHECK(totals.find(p.units[u].id)->as_number() == sum[u]);
    }
}

// Component-level invariants: status, amounts against the rule's cap and precision.
void check_components(const Program& p, const Value& doc) {
    const Array& list = at(doc, "components").as_array();
    REQUIRE(list.size() == p.rules.size());
    for (std::size_t i = 0; i < list.size(); ++i) {
        const Rule& rule = p.rules[i];
        const Value& c = list[i];
        INFO("component " << to_json(c));
        CHECK(at(c, "id").as_string() == rule.id);
        const std::string status = at(c, "status").as_string();
        if (rule.kind == RuleKind::Award) {
            CHECK((status == "earned") == has(c, "award"));
            continue;
        }
        const Decimal amount = at(c, "amount").as_number();
        CHECK(amount == amount.round(p.units[static_cast<std::size_t>(rule.unit)].precision));
        if (status == "locked") CHECK(amount.is_zero());
        else if (!amount.is_negative()) CHECK(status == (amount.is_zero() ? "none" : "earned"));
        // (a rule cap with more decimals than its unit is accepted and rounded with the amount)
        if (rule.cap) CHECK(amount <= rule.cap->round(p.units[static_cast<std::size_t>(rule.unit)].precision));
        if (has(c, "next")) {
            CHECK(at(c, "next/index").as_number() == Decimal(tier_index(c) + 1));
            CHECK(at(c, "next/gap").as_number() == at(c, "next/from").as_number() - at(c, "next/current").as_number());
            CHECK(at(c, "next/gap").as_number() > Decimal(0));
        }
    }
}

Decimal number_of_value(const Value& v) { return v.is_number() ? v.as_number() : Decimal(); }

struct Counters {
    int combinations = 0, evaluated = 0, errors = 0, drivers = 0, unlocks = 0, projections = 0;
};

// Every driver reaches its goal by itself, one resolution step less does not, and its
// gain is the difference of two full evaluations.
void check_drivers(const Program& p, const Value& figures_doc, const Value& result, Counters& n) {
    const Value& values = at(figures_doc, "values");
    const Figures base = load_figures(p, figures_doc);
    for (std::size_t i = 0; i < p.rules.size(); ++i) {
        const Value& c = component_at(result, i);
        std::vector<std::pair<const Value*, bool>> lists;
        if (has(c, "next/drivers")) lists.emplace_back(&at(c, "next/drivers"), false);
        if (has(c, "unlock")) lists.emplace_back(&at(c, "unlock"), true);
        for (const auto& entry : lists) {
            const Value* list = entry.first;
            const bool unlock = entry.second;
            for (const Value& d : list->as_array()) {
                INFO("rule " << p.rules[i].id << (unlock ? " unlock " : " driver ") << to_json(d) << "\nprogramme " << to_json(p.source)
                              << "\nfigures " << to_json(figures_doc));
                const std::string mid = at(d, "metric").as_string();
                const Metric* m = p.metric_of(mid);
                REQUIRE(m != nullptr);
                const std::size_t mi = static_cast<std::size_t>(m - p.metrics.data());
                const Value& to = at(d, "to");
                auto with = [&](const Value& v) {
                    Value doc = figures_doc;
                    Value vals = values;
                    vals.set(mid, v);
                    doc.set("values", vals);
                    return evaluate(p, load_figures(p, doc), totals_only());
                };
                const Value after = with(to);
                const Value& ca = component_at(after, i);
                if (unlock) {
                    CHECK(at(ca, "status").as_string() != "locked");
                    ++n.unlocks;
                } else {
                    CHECK(tier_index(ca) >= at(c, "next/index").as_number().raw() / Decimal::scale());
                    ++n.drivers;
                }
                for (std::size_t u = 0; u < p.units.size(); ++u) {
                    const std::string& id = p.units[u].id;
                    CHECK(at(d, "gain/" + id).as_number() == at(after, "totals/" + id).as_number() - at(result, "totals/" + id).as_number());
                }
                CHECK(at(d, "gain").size() == p.units.size());
                if (m->type == MetricType::Boolean) {
                    CHECK(to.is_bool());
                    CHECK(to.as_bool());
                    CHECK_FALSE(has(d, "increase"));
                    continue;
                }
                const Decimal current = number_of_value(base.values[mi]);
                const Decimal increase = at(d, "increase").as_number();
                CHECK(increase > Decimal(0));
                CHECK((increase % m->resolution).is_zero());
                CHECK(to.as_number() == current + increase);
                if (m->max) CHECK(to.as_number() <= *m->max);
                // One step less: not reaching, or not even a valid figure (below min).
                const Decimal less = to.as_number() - m->resolution;
                if (m->min && less < *m->min) {
                    CHECK(current < *m->min);
                    continue;
                }
                Value before;
                try {
                    before = with(Value(less));
                } catch (const Failure& e) {
                    // one step less cannot even be computed (a derived value overflows): not reached
                    CHECK((e.error.code == "derived_error" || e.error.code == "overflow"));
                    continue;
                }
                const Value& cb = component_at(before, i);
                if (unlock) CHECK(at(cb, "status").as_string() == "locked");
                else CHECK(tier_index(cb) < at(c, "next/index").as_number().raw() / Decimal::scale());
            }
        }
    }
}


// ---------------------------------------------------------------------------
// Mutations for the fuzzing properties.

const std::vector<std::string> kAllowedErrors = {"parse_error", "unsupported_format", "invalid_program", "invalid_figures",
                                                 "derived_error", "overflow"};

std::string mutate_text(std::string s, Rng& r) {
    static const std::string kChars = std::string("{}[]\":,0123456789.-+eE tfnul\\/x") + '\0' + "\xff\xc3\xa9";
    static const std::vector<std::string> kNumbers = {"1e400", "-1e400", "1e-400", "99999999999999999999999999", "1000000000000",
                                                      "999999999999.999999", "0.0000001", "-0", "1E+2", "NaN", "Infinity",
                                                      "999999999999999", "0.1234567890123456789"};
    const int ops = static_cast<int>(r.range(1, 3));
    for (int k = 0; k < ops; ++k) {
        if (s.empty()) s = "{";
        const std::size_t pos = static_cast<std::size_t>(r.range(0, static_cast<std::int64_t>(s.size()) - 1));
        switch (r.range(0, 8)) {
            case 0: s[pos] = kChars[static_cast<std::size_t>(r.range(0, static_cast<std::int64_t>(kChars.size()) - 1))]; break;
            case 1: s.erase(pos, static_cast<std::size_t>(r.range(1, 8))); break;
            case 2: s.insert(pos, 1, kChars[static_cast<std::size_t>(r.range(0, static_cast<std::int64_t>(kChars.size()) - 1))]); break;
            case 3: {  // a number becomes a string
                const std::size_t d = s.find_first_of("0123456789", pos);
                if (d == std::string::npos) break;
                std::size_t e = s.find_first_not_of("0123456789.eE+-", d);
                if (e == std::string::npos) e = s.size();
                s.insert(e, "\"");
                s.insert(d, "\"");
                break;
            }
            case 4: {  // a number becomes a huge, tiny or non-JSON one
                const std::size_t d = s.find_first_of("0123456789", pos);
                if (d == std::string::npos) break;
                std::size_t e = s.find_first_not_of("0123456789.eE+-", d);
                if (e == std::string::npos) e = s.size();
                s.replace(d, e - d, r.pick(kNumbers));
                break;
            }
            case 5: {  // deep nesting
                static const std::vector<std::int64_t> kDepths = {63, 65, 257, 100000};
                const std::size_t depth = static_cast<std::size_t>(r.pick(kDepths));
                s.insert(pos, std::string(depth, '[') + "1" + std::string(depth, ']'));
                break;
            }
            case 6: {  // a slice duplicated elsewhere
                const std::string slice = s.substr(pos, static_cast<std::size_t>(r.range(1, 40)));
                s.insert(static_cast<std::size_t>(r.range(0, static_cast<std::int64_t>(s.size()))), slice);
                break;
            }
            case 7: s.resize(pos); break;
            default: {  // a literal swapped for another
                static const std::vector<std::string> kLiterals = {"true", "false", "null", "0", "\"\"", "[]", "{}"};
                const std::string& from = r.pick(kLiterals);
                const std::size_t at_ = s.find(from, pos);
                if (at_ != std::string::npos) s.replace(at_, from.size(), r.pick(kLiterals));
                break;
            }
        }
    }
    return s;
}

Value weird_value(Rng& r) {
    static const std::vector<std::string> kIds = {"m0", "m1", "r0", "r1", "d0", "s0", "points", "CNY", "cap_a", "zz", "Bad Id"};
    switch (r.range(0, 19)) {
        case 0: return Value();
        case 1: return Value(true);
        case 2: return Value(false);
        case 3: return Value("x");
        case 4: return Value("");
        case 5: return Value(0);
        case 6: return Value(-1);
        case 7: return Value(Decimal::parse_or_throw("0.5"));
        case 8: return Value(Decimal::parse_or_throw("0.0000001"));
        case 9: return Value(Decimal::parse_or_throw("999999999999"));
        case 10: return Value(Decimal::parse_or_throw("1000000000000"));
        case 11: return Value(Decimal::parse_or_throw(r.chance(50) ? "999999999999999" : "-999999999999999"));
        case 12: return Value::array();
        case 13: return Value::object();
        case 14: {
            Value v = Value(1);
            for (int i = 0; i < 70; ++i) {
                Value a = Value::array();
                a.push(v);
                v = a;
            }
            return v;
        }
        case 15: return Value(r.pick(kIds));
        case 16: return Value("dealer-incentive-program/1");
        case 17: return var(r.pick(kIds));
        case 18: return op("/", {Value(1), Value(0)});
        default: return op("no_such_op", {Value(1)});
    }
}

// Replaces, deletes or duplicates one random node of a document.
void mutate_value(Value& v, Rng& r, int depth = 0) {
    const bool container = (v.is_object() || v.is_array()) && v.size() > 0;
    if (container && depth < 40 && r.chance(80)) {
        if (v.is_object()) {
            Object& o = v.as_object();
            const std::size_t i = static_cast<std::size_t>(r.range(0, static_cast<std::int64_t>(o.size()) - 1));
            if (r.chance(8)) {
                o.erase(o.begin() + static_cast<std::ptrdiff_t>(i));
                return;
            }
            mutate_value(o[i].value, r, depth + 1);
        } else {
            Array& a = v.as_array();
            const std::size_t i = static_cast<std::size_t>(r.range(0, static_cast<std::int64_t>(a.size()) - 1));
            const int roll = static_cast<int>(r.range(0, 99));
            if (roll < 6) {
                a.erase(a.begin() + static_cast<std::ptrdiff_t>(i));
            } else if (roll < 12) {
                a.push_back(a[i]);
            } else if (roll < 16) {
                std::reverse(a.begin(), a.end());
            } else {
                mutate_value(a[i], r, depth + 1);
            }
        }
        return;
    }
    v = weird_value(r);
}

// The one promise of evaluate_texts: a result document or an error object, never an
// exception and never an internal error.
void check_outcome(const std::string& program_text, const std::string& figures_text, std::map<std::string, int>& outcomes) {
    Value v;
    try {
        v = evaluate_texts(program_text, figures_text);
    } catch (const std::exception& e) {
        FAIL_CHECK("exception escaped: " << e.what() << "\nprogramme " << program_text << "\nfigures " << figures_text);
        return;
    } catch (...) {
        FAIL_CHECK("unknown exception escaped\nprogramme " << program_text << "\nfigures " << figures_text);
        return;
    }
    REQUIRE(v.is_object());
    const bool result = v.find("format") != nullptr;
    const bool error = v.find("error") != nullptr;
    CHECK(result != error);
    if (result) {
        CHECK(at(v, "format").as_string() == "dealer-incentive-result/1");
        ++outcomes["result"];
        return;
    }
    const Value& e = at(v, "error");
    REQUIRE(has(e, "code"));
    const std::string code = at(e, "code").as_string();
    INFO("error " << to_json(v) << "\nprogramme " << program_text << "\nfigures " << figures_text);
    CHECK(std::find(kAllowedErrors.begin(), kAllowedErrors.end(), code) != kAllowedErrors.end());
    CHECK(at(e, "message").is_string());
    REQUIRE(at(e, "details").is_array());
    for (const Value& d : at(e, "details").as_array()) CHECK(at(d, "path").is_string());
    ++outcomes[code];
}

}  // namespace

TEST_CASE("Property: random programmes add up, evaluate deterministically, and their drivers and gains hold") {
    const auto start = std::chrono::steady_clock::now();
    Counters n;
    const int programs = program_count();
    for (int k = 0; k < programs; ++k) {
        Generator gen(0x5EED0000ULL + static_cast<std::uint64_t>(k) * 7919ULL);
        const Generated g = gen.program();
        const std::string text = to_json(g.program);
        INFO("programme " << k << ": " << text);
        Program p;
        try {
            p = parse_program(text);
        } catch (const Failure& f) {
            FAIL("a generated programme was refused: " << to_json(f.error.to_value()));
        }
        for (int j = 0; j < kFiguresPerProgram; ++j) {
            const Value fdoc = gen.figures(g);
            const std::string ftext = to_json(fdoc);
            INFO("figures " << j << ": " << ftext);
            ++n.combinations;
            Figures f;
            try {
                f = load_figures(p, fdoc);
            } catch (const Failure& e) {
                FAIL("generated figures were refused: " << to_json(e.error.to_value()));
            }
            Value r;
            try {
                r = evaluate(p, f);
            } catch (const Failure& e) {
                CHECK((e.error.code == "derived_error" || e.error.code == "overflow"));
                CHECK(to_json(evaluate_texts(text, ftext)) == to_json(e.error.to_value()));
                ++n.errors;
                continue;
            }
            ++n.evaluated;
            check_adds_up(p, r, "result");
            check_components(p, r);
            if (has(r, "projection")) {
                ++n.projections;
                check_adds_up(p, at(r, "projection"), "projection");
            }
            // Deterministic: the same input twice, and through the text API, is the same document.
            CHECK(to_json(evaluate(p, f)) == to_json(r));
            CHECK(to_json(evaluate_texts(text, ftext)) == to_json(r));
            check_drivers(p, fdoc, r, n);
        }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    MESSAGE("programmes " << programs << ", combinations " << n.combinations << ", evaluated " << n.evaluated << ", errors "
                          << n.errors << ", drivers " << n.drivers << ", unlocks " << n.unlocks << ", projections " << n.projections
                          << ", " << seconds << " s");
    // The generator must keep exercising what the properties are about.
    if (programs >= kDefaultPrograms) {
        CHECK(n.combinations >= kDefaultPrograms * kFiguresPerProgram);
        CHECK(n.evaluated >= n.combinations * 9 / 10);
        CHECK(n.drivers >= 100);
        CHECK(n.unlocks >= 10);
        CHECK(n.projections >= 30);
    }
}

TEST_CASE("Property: no exception escapes evaluate_texts on mutated programmes and figures") {
    std::map<std::string, int> outcomes;
    const int programs = program_count();
    Rng r(0xF0221E5ULL);
    for (int k = 0; k < programs; ++k) {
        Generator gen(0xABCD0000ULL + static_cast<std::uint64_t>(k));
        const Generated g = gen.program();
        const std::string text = to_json(g.program);
        const Value fdoc = gen.figures(g);
        const std::string ftext = to_json(fdoc);
        for (int m = 0; m < 3; ++m) {
            check_outcome(mutate_text(text, r), ftext, outcomes);
            check_outcome(text, mutate_text(ftext, r), outcomes);
            Value pm = g.program;
            mutate_value(pm, r);
            check_outcome(to_json(pm), ftext, outcomes);
            Value fm = fdoc;
            mutate_value(fm, r);
            check_outcome(text, to_json(fm), outcomes);
        }
    }
    std::string summary;
    for (const auto& [code, count] : outcomes) summary += code + " " + std::to_string(count) + "; ";
    MESSAGE(summary);
    // The mutations reach every layer: parsing, validation and evaluation.
    CHECK(outcomes["result"] > 0);
    CHECK(outcomes["parse_error"] > 0);
    CHECK(outcomes["invalid_program"] > 0);
    CHECK(outcomes["invalid_figures"] > 0);
}

TEST_CASE("Property: hostile texts give an error object, never an exception") {
    std::map<std::string, int> outcomes;
    const std::string good_program = testprog::program(testprog::metric("n", "count"), R"({"id": "r", "kind": "rate", "base": "n", "rate": 1})");
    const std::string good_figures = testprog::figures(R"("n": 1)");
    const std::vector<std::string> hostile = {
        "", " ", "null", "[]", "{}", "\"text\"", "0", "{", "}", "\xef\xbb\xbf{}", "\xff\xfe", std::string("{\0}", 3),
        std::string(200000, '['), std::string(100000, '[') + std::string(100000, ']'),
        "{\"a\":" + std::string(5000, '{') , "[" + std::string(1000000, ' ') + "]", "1e999999999", "-",
        "{\"format\": \"dealer-incentive-program/1\", \"format\": 1}",
        std::string("\"") + std::string(3000000, 'x') + "\"",
    };
    for (const std::string& h : hostile) {
        check_outcome(h, good_figures, outcomes);
        check_outcome(good_program, h, outcomes);
    }
    // Deep logic inside an otherwise valid programme, and huge figures.
    std::string deep = "1";
    for (int i = 0; i < 10000; ++i) deep = "{\"!\": [" + deep + "]}";
    check_outcome(testprog::program(testprog::metric("n", "count"), R"({"id": "r", "kind": "rate", "base": "n", "rate": 1, "when": )" + deep + "}"),
                  good_figures, outcomes);
    const std::vector<std::pair<std::string, std::string>> figures_cases = {
        {"1e400", "parse_error"}, {"NaN", "parse_error"}, {"999999999999", ""}, {"1000000000000", "invalid_figures"},
        {"-1", "invalid_figures"}, {"0.5", "invalid_figures"}, {"\"1\"", "invalid_figures"}, {"true", "invalid_figures"},
        {"[1]", "invalid_figures"}, {"{\"v\": 1}", "invalid_figures"}, {"1e-400", "invalid_figures"}};
    for (const auto& entry : figures_cases) {
        const std::string& v = entry.first;
        const std::string& code = entry.second;
        INFO("n = " << v);
        const std::string f = testprog::figures("\"n\": " + v);
        check_outcome(good_program, f, outcomes);
        const Value out = evaluate_texts(good_program, f);
        if (code.empty()) CHECK(testprog::J(out, "totals/CNY") == v);
        else CHECK(testprog::J(out, "error/code") == "\"" + code + "\"");
    }
    CHECK(outcomes.count("internal_error") == 0);
}
