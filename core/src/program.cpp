// Programme parsing and validation. Every problem is collected with a JSON Pointer so
// a brand sees all of them at once (spec §11).
#include "dealercalc/program.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

namespace dealercalc {

const char* to_string(Category c) {
    switch (c) {
        case Category::Content: return "content";
        case Category::Community: return "community";
        case Category::Promotion: return "promotion";
        case Category::Tools: return "tools";
        case Category::Training: return "training";
        case Category::Sales: return "sales";
        case Category::Data: return "data";
        case Category::Other: return "other";
    }
    return "other";
}

const char* to_string(MetricType t) {
    switch (t) {
        case MetricType::Count: return "count";
        case MetricType::Amount: return "amount";
        case MetricType::Number: return "number";
        case MetricType::Percent: return "percent";
        case MetricType::Boolean: return "boolean";
    }
    return "number";
}

const char* to_string(RuleKind k) {
    switch (k) {
        case RuleKind::Rate: return "rate";
        case RuleKind::Tiered: return "tiered";
        case RuleKind::Multiplier: return "multiplier";
        case RuleKind::Award: return "award";
    }
    return "rate";
}

const char* to_string(TierMode m) {
    switch (m) {
        case TierMode::Retro: return "retro";
        case TierMode::Marginal: return "marginal";
        case TierMode::Fixed: return "fixed";
    }
    return "retro";
}

// ---------------------------------------------------------------------------
// Dates

namespace {
// Howard Hinnant's days_from_civil.
int days_from_civil(int y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int>(doe) - 719468;
}
bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
}  // namespace

bool Date::parse(std::string_view s, Date& out) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
        if (s[i] < '0' || s[i] > '9') return false;
    auto num = [&](std::size_t at, std::size_t n) {
        int v = 0;
        for (std::size_t i = 0; i < n; ++i) v = v * 10 + (s[at + i] - '0');
        return v;
    };
    const int y = num(0, 4), m = num(5, 2), d = num(8, 2);
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1) return false;
    const int dim = kDays[m - 1] + (m == 2 && leap(y) ? 1 : 0);
    if (d > dim) return false;
    out.days = days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
    return true;
}

std::string Date::to_string() const {
    // civil_from_days
    int z = days + 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int y = static_cast<int>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
    return buf;
}

int currency_precision(std::string_view code) {
    static const std::map<std::string_view, int> kMinor = {
        {"CNY", 2}, {"USD", 2}, {"EUR", 2}, {"GBP", 2}, {"HKD", 2}, {"MOP", 2}, {"TWD", 2}, {"SGD", 2},
        {"MYR", 2}, {"THB", 2}, {"PHP", 2}, {"IDR", 2}, {"INR", 2}, {"AUD", 2}, {"NZD", 2}, {"CAD", 2},
        {"CHF", 2}, {"SEK", 2}, {"NOK", 2}, {"DKK", 2}, {"PLN", 2}, {"CZK", 2}, {"HUF", 2}, {"RUB", 2},
        {"BRL", 2}, {"MXN", 2}, {"ZAR", 2}, {"AED", 2}, {"SAR", 2}, {"TRY", 2}, {"ILS", 2}, {"EGP", 2},
        {"PKR", 2}, {"BDT", 2}, {"LKR", 2}, {"NGN", 2}, {"KES", 2}, {"ARS", 2}, {"COP", 2}, {"PEN", 2},
        {"JPY", 0}, {"KRW", 0}, {"VND", 0}, {"CLP", 0}, {"ISK", 0}, {"UGX", 0}, {"PYG", 0}, {"XAF", 0},
        {"XOF", 0}, {"KWD", 3}, {"BHD", 3}, {"JOD", 3}, {"OMR", 3}, {"TND", 3}, {"IQD", 3}, {"LYD", 3},
    };
    const auto it = kMinor.find(code);
    return it == kMinor.end() ? -1 : it->second;
}

int Program::slot_of(std::string_view id) const {
    for (std::size_t i = 0; i < slot_ids.size(); ++i)
        if (slot_ids[i] == id) return static_cast<int>(i);
    return -1;
}

int Program::rule_of(std::string_view id) const {
    for (std::size_t i = 0; i < rules.size(); ++i)
        if (rules[i].id == id) return static_cast<int>(i);
    return -1;
}

int Program::unit_of(std::string_view id) const {
    for (std::size_t i = 0; i < units.size(); ++i)
        if (units[i].id == id) return static_cast<int>(i);
    return -1;
}

const Metric* Program::metric_of(std::string_view id) const {
    for (const Metric& m : metrics)
        if (m.id == id) return &m;
    return nullptr;
}

std::vector<int> Program::when_inputs(const Rule& r) const {
    std::set<int> inputs;
    if (r.has_when) {
        for (const std::string& name : logic_variables(r.when_source).names) {
            const int s = slot_of(name);
            if (s >= 0) inputs.insert(slot_inputs[static_cast<std::size_t>(s)].begin(), slot_inputs[static_cast<std::size_t>(s)].end());
        }
    }
    return {inputs.begin(), inputs.end()};
}

// ---------------------------------------------------------------------------
// Validation

namespace {

bool valid_id(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    if (s[0] < 'a' || s[0] > 'z') return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    return true;
}

bool parse_category(const std::string& s, Category& c) {
    static const std::pair<const char*, Category> kAll[] = {
        {"content", Category::Content}, {"community", Category::Community}, {"promotion", Category::Promotion},
        {"tools", Category::Tools},     {"training", Category::Training},   {"sales", Category::Sales},
        {"data", Category::Data},       {"other", Category::Other}};
    for (const auto& [name, value] : kAll)
        if (s == name) {
            c = value;
            return true;
        }
    return false;
}

Value args1(const char* k, Value v) {
    Value a = Value::object();
    a.set(k, std::move(v));
    return a;
}

class Validator {
public:
    Validator(const Value& doc, const ProgramLimits& limits) : doc_(doc), limits_(limits) {}

    Program run() {
        p_.source = doc_;
        if (!doc_.is_object()) {
            problem("", "not_an_object", "a programme must be a JSON object");
            finish();
        }
        const Value* format = doc_.find("format");
        if (!format || !format->is_string() || format->as_string() != kProgramFormat) {
            std::string got = format && format->is_string() ? format->as_string() : (format ? to_json(*format) : "nothing");
            Error e;
            e.code = "unsupported_format";
            e.message = std::string("this calculator reads \"") + kProgramFormat + "\" programmes, not " +
                        (format ? "\"" + got + "\"" : "a document without \"format\"");
            e.details.push_back({"/format", "unsupported_format", e.message, args1("format", Value(got))});
            throw Failure(std::move(e));
        }
        known_fields(doc_, "", {"format", "id", "version", "name", "description", "currency", "currency_precision",
                                "units", "period", "metrics", "derived", "scores", "rules", "caps"});
        // Every id declared anywhere, so a reference to something defined later is told
        // apart from a reference to nothing.
        for (const char* section : {"metrics", "derived", "scores", "rules", "caps"})
            if (const Value* list = doc_.find(section); list && list->is_array())
                for (const Value& item : list->as_array())
                    if (const Value* id = item.find("id"); id && id->is_string()) declared_.insert(id->as_string());
        header();
        metrics();
        derived();
        scores();
        rules();
        caps();
        finish();
        share_texts();
        return std::move(p_);
    }

private:
    // Labels, names and awards are copied into every result (and every batch row with
    // next tiers): shared, a copy costs a reference count instead of a deep copy.
    void share_texts() {
        p_.name.share();
        p_.description.share();
        for (Unit& u : p_.units) u.label.share();
        for (Metric& m : p_.metrics) {
            m.label.share();
            m.help.share();
        }
        for (Derived& d : p_.derived) {
            d.label.share();
            d.help.share();
        }
        for (Score& s : p_.scores) {
            s.label.share();
            s.help.share();
        }
        for (Rule& r : p_.rules) {
            r.label.share();
            r.help.share();
            r.award.share();
            for (Tier& t : r.tiers) {
                t.name.share();
                t.award.share();
            }
        }
        for (Cap& c : p_.caps) {
            c.label.share();
            c.help.share();
        }
    }

    void problem(std::string path, std::string reason, std::string message, Value args = Value()) {
        problems_.push_back(ErrorDetail{std::move(path), std::move(reason), std::move(message), std::move(args)});
    }

    void finish() {
        if (problems_.empty()) return;
        Error e;
        e.code = "invalid_program";
        e.message = std::to_string(problems_.size()) + (problems_.size() == 1 ? " problem" : " problems") +
                    " in the programme; the first: " + problems_.front().path + ": " + problems_.front().message;
        e.details = std::move(problems_);
        throw Failure(std::move(e));
    }

    // Fields a brand may add for its own notes without tripping the typo check.
    static bool extension_field(const std::string& k) {
        return k.rfind("$", 0) == 0 || k.rfind("x-", 0) == 0 || k == "notes" || k == "comment";
    }

    void known_fields(const Value& obj, const std::string& path, std::initializer_list<const char*> allowed) {
        for (const Member& m : obj.as_object()) {
            if (extension_field(m.key)) continue;
            bool ok = false;
            for (const char* a : allowed) ok = ok || m.key == a;
            if (!ok)
                problem(pointer_append(path, m.key), "unknown_field",
                        "unknown field \"" + m.key + "\" (a typo? unknown fields are refused so nothing is silently ignored)",
                        args1("field", Value(m.key)));
        }
    }

    const Value* require(const Value& obj, const std::string& path, const char* key) {
        const Value* v = obj.find(key);
        if (!v) problem(pointer_append(path, key), "missing_field", std::string("\"") + key + "\" is required", args1("field", Value(key)));
        return v;
    }

    bool text(const Value* v, const std::string& path, bool required, const char* key) {
        if (!v) {
            if (required) problem(path, "missing_field", std::string("\"") + key + "\" is required", args1("field", Value(key)));
            return false;
        }
        if (v->is_string()) {
            if (v->as_string().size() > limits_.max_text)
                problem(path, "text_too_long", "text longer than " + std::to_string(limits_.max_text) + " bytes",
                        args1("max", Decimal::from_int(static_cast<std::int64_t>(limits_.max_text))));
            return true;
        }
        if (v->is_object() && v->size() > 0) {
            bool ok = true;
            for (const Member& m : v->as_object()) {
                if (!m.value.is_string()) {
                    problem(pointer_append(path, m.key), "wrong_type", "a localized text maps language tags to strings");
                    ok = false;
                } else if (m.value.as_string().size() > limits_.max_text) {
                    problem(pointer_append(path, m.key), "text_too_long",
                            "text longer than " + std::to_string(limits_.max_text) + " bytes",
                            args1("max", Decimal::from_int(static_cast<std::int64_t>(limits_.max_text))));
                }
            }
            return ok;
        }
        problem(path, "wrong_type", "expected a text: a string or an object such as {\"zh-CN\": \"…\", \"en\": \"…\"}");
        return false;
    }

    Value text_field(const Value& obj, const std::string& path, const char* key, bool required) {
        const Value* v = obj.find(key);
        if (text(v, pointer_append(path, key), required, key)) return *v;
        return Value();
    }

    // A constant: a JSON number with at most 6 decimal places and magnitude below 10^12.
    bool number(const Value* v, const std::string& path, Decimal& out) {
        if (!v) return false;
        if (!v->is_number()) {
            problem(path, "wrong_type", "expected a number", args1("expected", Value("number")));
            return false;
        }
        const Decimal d = v->as_number();
        if (d.places() > 6 || v->is_rounded_number()) {
            problem(path, "too_many_decimals", "constants have at most 6 decimal places", args1("max", 6));
            return false;
        }
        if (d.abs() >= Decimal::pow10(12)) {
            problem(path, "out_of_range", "constants must be below 10^12 in magnitude");
            return false;
        }
        out = d;
        return true;
    }

    bool number_field(const Value& obj, const std::string& path, const char* key, bool required, Decimal& out) {
        const Value* v = obj.find(key);
        if (!v) {
            if (required) problem(pointer_append(path, key), "missing_field", std::string("\"") + key + "\" is required", args1("field", Value(key)));
            return false;
        }
        return number(v, pointer_append(path, key), out);
    }

    bool string_field(const Value& obj, const std::string& path, const char* key, bool required, std::string& out) {
        const Value* v = obj.find(key);
        if (!v) {
            if (required) problem(pointer_append(path, key), "missing_field", std::string("\"") + key + "\" is required", args1("field", Value(key)));
            return false;
        }
        if (!v->is_string()) {
            problem(pointer_append(path, key), "wrong_type", std::string("\"") + key + "\" must be a string", args1("expected", Value("string")));
            return false;
        }
        out = v->as_string();
        return true;
    }

    bool precision_field(const Value& obj, const std::string& path, const char* key, int max, int& out) {
        const Value* v = obj.find(key);
        if (!v) return false;
        if (!v->is_number() || !v->as_number().is_integer() || v->as_number() < Decimal(0) || v->as_number() > Decimal(max)) {
            problem(pointer_append(path, key), "out_of_range", "a precision is a whole number of decimal places from 0 to " + std::to_string(max),
                    args1("max", max));
            return false;
        }
        out = static_cast<int>(v->as_number().raw() / Decimal::scale());
        return true;
    }

    const Array* array_field(const Value& obj, const std::string& path, const char* key, bool required) {
        const Value* v = obj.find(key);
        if (!v) {
            if (required) problem(pointer_append(path, key), "missing_field", std::string("\"") + key + "\" is required", args1("field", Value(key)));
            return nullptr;
        }
        if (!v->is_array()) {
            problem(pointer_append(path, key), "wrong_type", std::string("\"") + key + "\" must be an array", args1("expected", Value("array")));
            return nullptr;
        }
        return &v->as_array();
    }

    // Registers an id in the one namespace shared by metrics, derived values, scores,
    // rules and caps.
    bool claim_id(const Value& obj, const std::string& path, std::string& out) {
        const Value* v = obj.find("id");
        if (!v) {
            problem(pointer_append(path, "id"), "missing_field", "\"id\" is required", args1("field", Value("id")));
            return false;
        }
        if (!v->is_string() || !valid_id(v->as_string())) {
            problem(pointer_append(path, "id"), "bad_id",
                    "ids are 1-64 characters of a-z, 0-9 and _, starting with a letter (e.g. content_reads)",
                    args1("id", v->is_string() ? *v : Value(to_json(*v))));
            return false;
        }
        out = v->as_string();
        auto [it, inserted] = ids_.emplace(out, pointer_append(path, "id"));
        if (!inserted) {
            problem(pointer_append(path, "id"), "duplicate_id", "id \"" + out + "\" is already used at " + it->second,
                    args1("id", Value(out)));
            return false;
        }
        return true;
    }

    bool category_field(const Value& obj, const std::string& path, Category& out) {
        const Value* v = obj.find("category");
        if (!v) return false;
        if (!v->is_string() || !parse_category(v->as_string(), out)) {
            problem(pointer_append(path, "category"), "unknown_category",
                    "category must be one of content, community, promotion, tools, training, sales, data, other",
                    args1("category", v->is_string() ? *v : Value(to_json(*v))));
            return false;
        }
        return true;
    }

    void header() {
        if (const Value* id = require(doc_, "", "id")) {
            if (!id->is_string() || id->as_string().empty() || id->as_string().size() > 128)
                problem("/id", "wrong_type", "the programme id is a non-empty string of at most 128 characters");
            else
                p_.id = id->as_string();
        }
        if (const Value* version = require(doc_, "", "version")) {
            if (version->is_string() && !version->as_string().empty() && version->as_string().size() <= 64)
                p_.version = version->as_string();
            else
                problem("/version", "wrong_type", "the version is a non-empty string such as \"2027.1\"");
        }
        p_.name = text_field(doc_, "", "name", true);
        p_.description = text_field(doc_, "", "description", false);
        std::string currency = "CNY";
        if (string_field(doc_, "", "currency", false, currency)) {
            const bool shape = currency.size() == 3 && std::all_of(currency.begin(), currency.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
            if (!shape) problem("/currency", "bad_currency", "currency is an ISO 4217 code such as CNY", args1("currency", Value(currency)));
        }
        p_.currency = currency;
        Unit money;
        money.id = currency;
        money.is_currency = true;
        money.precision = currency_precision(currency);
        int explicit_precision = -1;
        if (precision_field(doc_, "", "currency_precision", 6, explicit_precision)) money.precision = explicit_precision;
        if (money.precision < 0) {
            if (doc_.find("currency") && explicit_precision < 0)
                problem("/currency", "unknown_currency", "unknown currency " + currency + ": give \"currency_precision\"",
                        args1("currency", Value(currency)));
            money.precision = 2;
        }
        p_.units.push_back(money);

        if (const Array* units = array_field(doc_, "", "units", false)) {
            for (std::size_t i = 0; i < units->size(); ++i) {
                const std::string path = pointer_append("/units", i);
                const Value& u = (*units)[i];
                if (!u.is_object()) {
                    problem(path, "wrong_type", "a unit is an object {\"id\", \"label\", \"precision\"}");
                    continue;
                }
                known_fields(u, path, {"id", "label", "precision", "help"});
                Unit unit;
                if (!claim_id(u, path, unit.id)) continue;
                unit.label = text_field(u, path, "label", true);
                unit.precision = 0;
                precision_field(u, path, "precision", 6, unit.precision);
                p_.units.push_back(unit);
            }
        }

        if (const Value* period = doc_.find("period")) {
            if (!period->is_object()) {
                problem("/period", "wrong_type", "period is {\"start\": \"YYYY-MM-DD\", \"end\": \"YYYY-MM-DD\"}");
            } else {
                known_fields(*period, "/period", {"start", "end"});
                std::string start, end;
                bool ok = true;
                if (string_field(*period, "/period", "start", true, start) && !Date::parse(start, p_.period_start)) {
                    problem("/period/start", "bad_date", "not a valid date (YYYY-MM-DD): " + start, args1("date", Value(start)));
                    ok = false;
                } else if (start.empty()) {
                    ok = false;
                }
                if (string_field(*period, "/period", "end", true, end) && !Date::parse(end, p_.period_end)) {
                    problem("/period/end", "bad_date", "not a valid date (YYYY-MM-DD): " + end, args1("date", Value(end)));
                    ok = false;
                } else if (end.empty()) {
                    ok = false;
                }
                if (ok && p_.period_end < p_.period_start)
                    problem("/period/end", "period_reversed", "the period ends (" + end + ") before it starts (" + start + ")");
                p_.has_period = ok && !(p_.period_end < p_.period_start);
            }
        }
    }

    int decimals_for(MetricType t) const {
        switch (t) {
            case MetricType::Count: return 0;
            case MetricType::Amount: return p_.units[0].precision;
            case MetricType::Boolean: return 0;
            default: return 6;
        }
    }

    void add_slot(const std::string& id, SlotKind kind, int index, std::vector<int> inputs) {
        p_.slot_ids.push_back(id);
        p_.slot_kinds.push_back(kind);
        p_.slot_index.push_back(index);
        p_.slot_inputs.push_back(std::move(inputs));
    }

    void metrics() {
        const Array* list = array_field(doc_, "", "metrics", true);
        if (!list) return;
        if (list->size() > limits_.max_metrics)
            problem("/metrics", "too_many", "at most " + std::to_string(limits_.max_metrics) + " metrics",
                    args1("max", Decimal::from_int(static_cast<std::int64_t>(limits_.max_metrics))));
        for (std::size_t i = 0; i < list->size() && i < limits_.max_metrics; ++i) {
            const std::string path = pointer_append("/metrics", i);
            const Value& m = (*list)[i];
            if (!m.is_object()) {
                problem(path, "wrong_type", "a metric is an object");
                continue;
            }
            known_fields(m, path, {"id", "label", "help", "category", "type", "min", "max", "default", "cumulative", "unit_label", "placeholder"});
            Metric metric;
            const bool id_ok = claim_id(m, path, metric.id);
            metric.label = text_field(m, path, "label", true);
            metric.help = text_field(m, path, "help", false);
            category_field(m, path, metric.category);
            std::string type;
            bool type_ok = false;
            if (string_field(m, path, "type", true, type)) {
                static const std::pair<const char*, MetricType> kTypes[] = {
                    {"count", MetricType::Count}, {"amount", MetricType::Amount}, {"number", MetricType::Number},
                    {"percent", MetricType::Percent}, {"boolean", MetricType::Boolean}};
                for (const auto& [name, t] : kTypes)
                    if (type == name) {
                        metric.type = t;
                        type_ok = true;
                    }
                if (!type_ok)
                    problem(pointer_append(path, "type"), "unknown_type", "type must be one of count, amount, number, percent, boolean",
                            args1("type", Value(type)));
            }
            metric.decimals = decimals_for(metric.type);
            metric.resolution = metric.type == MetricType::Count || metric.type == MetricType::Boolean
                                    ? Decimal(1)
                                    : Decimal::pow10(-metric.decimals);
            if (const Value* c = m.find("cumulative")) {
                if (c->is_bool()) metric.cumulative = c->as_bool();
                else problem(pointer_append(path, "cumulative"), "wrong_type", "cumulative is true or false");
            }
            if (type_ok && metric.type != MetricType::Boolean) {
                Decimal bound;
                if (number_field(m, path, "min", false, bound)) metric.min = bound;
                if (number_field(m, path, "max", false, bound)) metric.max = bound;
                if (!metric.min && (metric.type == MetricType::Count || metric.type == MetricType::Amount)) metric.min = Decimal(0);
                if (metric.min && metric.max && *metric.max < *metric.min)
                    problem(pointer_append(path, "max"), "min_above_max", "max is below min");
            } else if (type_ok) {
                if (m.find("min")) problem(pointer_append(path, "min"), "not_applicable", "a boolean metric has no min");
                if (m.find("max")) problem(pointer_append(path, "max"), "not_applicable", "a boolean metric has no max");
            }
            if (const Value* d = m.find("default"); d && type_ok) {
                const std::string dpath = pointer_append(path, "default");
                if (metric.type == MetricType::Boolean) {
                    if (d->is_bool()) metric.default_value = *d;
                    else problem(dpath, "wrong_type", "the default of a boolean metric is true or false");
                } else if (!d->is_number()) {
                    problem(dpath, "wrong_type", "the default must be a number");
                } else if (d->as_number().places() > metric.decimals) {
                    problem(dpath, "too_many_decimals", "the default has more decimal places than the metric allows",
                            args1("max", metric.decimals));
                } else if ((metric.min && d->as_number() < *metric.min) || (metric.max && d->as_number() > *metric.max)) {
                    problem(dpath, "out_of_range", "the default is outside min/max");
                } else {
                    metric.default_value = *d;
                }
            }
            if (!id_ok) continue;
            metric.slot = static_cast<int>(p_.slot_ids.size());
            add_slot(metric.id, SlotKind::Metric, static_cast<int>(p_.metrics.size()), {metric.slot});
            p_.metrics.push_back(std::move(metric));
        }
    }

    // Compiles an expression whose variables must name values already defined
    // (slots < visible). Returns false after reporting.
    bool expression(const Value& expr, const std::string& path, int visible, Logic& out, std::vector<int>* reads) {
        try {
            out = compile_logic(expr, limits_.max_depth, [this, visible](const std::string& name) {
                const int s = p_.slot_of(name);
                return s < visible ? s : -1;
            });
        } catch (const LogicError& e) {
            problem(path + e.path, e.reason, e.what());
            return false;
        }
        const LogicVariables vars = logic_variables(expr);
        bool ok = true;
        if (vars.dynamic) {
            problem(path, "dynamic_var",
                    "variable names must be written out (a computed \"var\" name cannot be checked or explained)");
            ok = false;
        }
        std::set<int> inputs;
        for (const std::string& name : vars.names) {
            const int s = p_.slot_of(name);
            if (s < 0 && broken_.count(name)) {  // its own problem is already reported
                ok = false;
                continue;
            }
            if (s < 0 || s >= visible) {
                const bool later = s >= visible || ids_.count(name) > 0 || declared_.count(name) > 0;
                problem(path, later ? "defined_later" : "unknown_reference",
                        later ? "\"" + name + "\" is not defined before this expression (values may only use values defined before them; rules cannot be used)"
                              : "\"" + name + "\" names no metric, derived value or score",
                        args1("id", Value(name)));
                ok = false;
                continue;
            }
            if (reads) reads->push_back(s);
        }
        return ok;
    }

    std::vector<int> inputs_of(const std::vector<int>& slots) const {
        std::set<int> all;
        for (int s : slots) all.insert(p_.slot_inputs[static_cast<std::size_t>(s)].begin(), p_.slot_inputs[static_cast<std::size_t>(s)].end());
        return {all.begin(), all.end()};
    }

    void derived() {
        const Array* list = array_field(doc_, "", "derived", false);
        if (!list) return;
        for (std::size_t i = 0; i < list->size(); ++i) {
            const std::string path = pointer_append("/derived", i);
            const Value& d = (*list)[i];
            if (!d.is_object()) {
                problem(path, "wrong_type", "a derived value is an object");
                continue;
            }
            known_fields(d, path, {"id", "label", "help", "expr", "precision", "type"});
            Derived dv;
            const bool id_ok = claim_id(d, path, dv.id);
            dv.label = text_field(d, path, "label", false);
            dv.help = text_field(d, path, "help", false);
            int precision = 0;
            if (precision_field(d, path, "precision", 12, precision)) dv.precision = precision;
            if (const Value* t = d.find("type")) {
                static const char* kTypes[] = {"count", "amount", "number", "percent"};
                const bool ok = t->is_string() && std::any_of(std::begin(kTypes), std::end(kTypes), [&](const char* k) { return t->as_string() == k; });
                if (!ok) problem(pointer_append(path, "type"), "unknown_type", "type must be one of count, amount, number, percent");
            }
            const Value* expr = require(d, path, "expr");
            const int visible = static_cast<int>(p_.slot_ids.size());
            bool expr_ok = expr && expression(*expr, pointer_append(path, "expr"), visible, dv.expr, &dv.reads);
            if (!id_ok || !expr_ok) {
                if (id_ok) broken_.insert(dv.id);
                continue;
            }
            dv.slot = visible;
            add_slot(dv.id, SlotKind::Derived, static_cast<int>(p_.derived.size()), inputs_of(dv.reads));
            p_.derived.push_back(std::move(dv));
        }
    }

    void scores() {
        const Array* list = array_field(doc_, "", "scores", false);
        if (!list) return;
        for (std::size_t i = 0; i < list->size(); ++i) {
            const std::string path = pointer_append("/scores", i);
            const Value& s = (*list)[i];
            if (!s.is_object()) {
                problem(path, "wrong_type", "a score is an object");
                continue;
            }
            known_fields(s, path, {"id", "label", "help", "max", "items"});
            Score score;
            const bool id_ok = claim_id(s, path, score.id);
            score.label = text_field(s, path, "label", false);
            score.help = text_field(s, path, "help", false);
            Decimal max;
            if (number_field(s, path, "max", false, max)) score.max = max;
            const Array* items = array_field(s, path, "items", true);
            std::vector<int> reads;
            bool ok = id_ok && items;
            if (items && items->empty()) {
                problem(pointer_append(path, "items"), "empty", "a score needs at least one item");
                ok = false;
            }
            Decimal total;
            const int visible = static_cast<int>(p_.slot_ids.size());
            for (std::size_t k = 0; items && k < items->size(); ++k) {
                const std::string ipath = pointer_append(pointer_append(path, "items"), k);
                const Value& it = (*items)[k];
                if (!it.is_object()) {
                    problem(ipath, "wrong_type", "a score item is {\"value\", \"target\", \"points\"}");
                    ok = false;
                    continue;
                }
                known_fields(it, ipath, {"value", "target", "points", "curve", "label"});
                ScoreItem item;
                if (!string_field(it, ipath, "value", true, item.value_id) || !reference(item.value_id, pointer_append(ipath, "value"), visible, item.slot, true)) {
                    ok = false;
                }
                if (!number_field(it, ipath, "target", true, item.target)) ok = false;
                else if (item.target <= Decimal(0)) {
                    problem(pointer_append(ipath, "target"), "not_positive", "a target must be above 0");
                    ok = false;
                }
                if (!number_field(it, ipath, "points", true, item.points)) ok = false;
                else if (item.points < Decimal(0)) {
                    problem(pointer_append(ipath, "points"), "negative", "points cannot be negative");
                    ok = false;
                }
                if (const Value* c = it.find("curve")) {
                    if (c->is_string() && c->as_string() == "linear") item.curve = Curve::Linear;
                    else if (c->is_string() && c->as_string() == "step") item.curve = Curve::Step;
                    else {
                        problem(pointer_append(ipath, "curve"), "unknown_curve", "curve is \"linear\" or \"step\"");
                        ok = false;
                    }
                }
                total += item.points;
                if (item.slot >= 0) reads.push_back(item.slot);
                score.items.push_back(item);
            }
            if (score.max && total > *score.max)
                problem(pointer_append(path, "max"), "points_exceed_max",
                        "the items' points add up to " + total.to_string() + ", more than max " + score.max->to_string());
            if (!ok) {
                if (id_ok) broken_.insert(score.id);
                continue;
            }
            score.slot = visible;
            add_slot(score.id, SlotKind::Score, static_cast<int>(p_.scores.size()), inputs_of(reads));
            p_.scores.push_back(std::move(score));
        }
    }

    // Resolves a reference to a value defined before `visible`; numeric values only when
    // `numeric` (a boolean metric cannot be a base or basis).
    bool reference(const std::string& id, const std::string& path, int visible, int& slot, bool numeric) {
        slot = p_.slot_of(id);
        if (slot < 0 && broken_.count(id)) {  // its own problem is already reported
            return false;
        }
        if (slot < 0 || slot >= visible) {
            const bool exists = ids_.count(id) > 0 || declared_.count(id) > 0;
            problem(path, exists ? "defined_later" : "unknown_reference",
                    exists ? "\"" + id + "\" is not a value defined before this point (rules cannot refer to rules)"
                           : "\"" + id + "\" names no metric, derived value or score",
                    args1("id", Value(id)));
            slot = -1;
            return false;
        }
        if (numeric && p_.slot_kinds[static_cast<std::size_t>(slot)] == SlotKind::Metric &&
            p_.metrics[static_cast<std::size_t>(p_.slot_index[static_cast<std::size_t>(slot)])].type == MetricType::Boolean) {
            problem(path, "not_numeric", "\"" + id + "\" is a yes/no metric and cannot be used as a number here", args1("id", Value(id)));
            slot = -1;
            return false;
        }
        return true;
    }

    bool slot_field(const Value& obj, const std::string& path, const char* key, bool required, int& slot) {
        std::string id;
        if (!string_field(obj, path, key, required, id)) return false;
        return reference(id, pointer_append(path, key), static_cast<int>(p_.slot_ids.size()), slot, true);
    }

    void tiers(const Value& r, const std::string& path, Rule& rule, bool& ok) {
        const Array* list = array_field(r, path, "tiers", true);
        if (!list) {
            ok = false;
            return;
        }
        if (list->empty()) {
            problem(pointer_append(path, "tiers"), "empty", "at least one tier is needed");
            ok = false;
        }
        if (list->size() > limits_.max_tiers) {
            problem(pointer_append(path, "tiers"), "too_many", "at most " + std::to_string(limits_.max_tiers) + " tiers");
            ok = false;
            return;
        }
        for (std::size_t k = 0; k < list->size(); ++k) {
            const std::string tpath = pointer_append(pointer_append(path, "tiers"), k);
            const Value& t = (*list)[k];
            if (!t.is_object()) {
                problem(tpath, "wrong_type", "a tier is an object such as {\"from\": 100, \"rate\": 0.01}");
                ok = false;
                continue;
            }
            Tier tier;
            const bool from_ok = number_field(t, tpath, "from", true, tier.from);
            ok = ok && from_ok;
            if (from_ok && !rule.tiers.empty() && tier.from <= rule.tiers.back().from) {
                problem(pointer_append(tpath, "from"), "tiers_not_ascending",
                        "tiers must be in strictly ascending order of \"from\": " + tier.from.to_string() +
                            " does not come after " + rule.tiers.back().from.to_string());
                ok = false;
            }
            tier.name = text_field(t, tpath, "name", false);
            if (rule.kind == RuleKind::Tiered) {
                if (rule.mode == TierMode::Fixed) {
                    known_fields(t, tpath, {"from", "amount", "name", "help"});
                    ok = number_field(t, tpath, "amount", true, tier.amount) && ok;
                } else {
                    known_fields(t, tpath, {"from", "rate", "name", "help"});
                    ok = number_field(t, tpath, "rate", true, tier.rate) && ok;
                }
            } else if (rule.kind == RuleKind::Multiplier) {
                known_fields(t, tpath, {"from", "factor", "name", "help"});
                if (number_field(t, tpath, "factor", true, tier.factor)) {
                    if (tier.factor < Decimal(0)) {
                        problem(pointer_append(tpath, "factor"), "negative", "a factor cannot be negative");
                        ok = false;
                    }
                } else {
                    ok = false;
                }
            } else {
                known_fields(t, tpath, {"from", "award", "name", "help"});
                ok = award_field(t, tpath, tier.award, true) && ok;
            }
            if (from_ok) rule.tiers.push_back(std::move(tier));
        }
    }

    bool award_field(const Value& obj, const std::string& path, Value& out, bool required) {
        const Value* a = obj.find("award");
        if (!a) {
            if (required) problem(pointer_append(path, "award"), "missing_field", "\"award\" is required", args1("field", Value("award")));
            return false;
        }
        const std::string apath = pointer_append(path, "award");
        if (!a->is_object()) {
            problem(apath, "wrong_type", "an award is {\"label\": …}");
            return false;
        }
        known_fields(*a, apath, {"label", "help", "id"});
        if (!text(a->find("label"), pointer_append(apath, "label"), true, "label")) return false;
        out = *a;
        return true;
    }

    void rules() {
        const Array* list = array_field(doc_, "", "rules", true);
        if (!list) return;
        if (list->size() > limits_.max_rules)
            problem("/rules", "too_many", "at most " + std::to_string(limits_.max_rules) + " rules",
                    args1("max", Decimal::from_int(static_cast<std::int64_t>(limits_.max_rules))));
        // First pass: ids, so multipliers may name rules in any order.
        struct MultiplierDoc {
            std::string path, id;
            const Value* doc;
            int index;  // in p_.rules; -1 when the multiplier has problems of its own
        };
        std::vector<MultiplierDoc> multipliers;
        for (std::size_t i = 0; i < list->size() && i < limits_.max_rules; ++i) {
            const std::string path = pointer_append("/rules", i);
            const Value& r = (*list)[i];
            if (!r.is_object()) {
                problem(path, "wrong_type", "a rule is an object");
                continue;
            }
            Rule rule;
            const bool ok = rule_body(r, path, rule);
            const Value* kind = r.find("kind");
            if (kind && kind->is_string() && kind->as_string() == "multiplier")
                multipliers.push_back({path, rule.id, &r, ok ? static_cast<int>(p_.rules.size()) : -1});
            if (ok) {
                p_.rules.push_back(std::move(rule));
                rule_docs_.push_back(&r);
            } else if (claimed_here(rule.id, path)) {
                broken_rules_.insert(rule.id);
            }
        }
        // Second pass: multiplier targets, also of multipliers with other problems, so
        // every problem is listed at once.
        std::map<int, std::string> scaled_by;  // target rule -> the multiplier that scales it
        for (const MultiplierDoc& m : multipliers) {
            const std::string& path = m.path;
            const Array* targets = array_field(*m.doc, path, "applies_to", true);
            if (!targets) continue;
            if (targets->empty()) problem(pointer_append(path, "applies_to"), "empty", "a multiplier applies to at least one rule");
            int unit = -1;
            for (std::size_t k = 0; k < targets->size(); ++k) {
                const std::string tpath = pointer_append(pointer_append(path, "applies_to"), k);
                const Value& t = (*targets)[k];
                const int target = t.is_string() ? p_.rule_of(t.as_string()) : -1;
                if (target < 0) {
                    if (t.is_string() && broken_rules_.count(t.as_string())) continue;  // reported at the rule itself
                    problem(tpath, "unknown_reference", "\"" + (t.is_string() ? t.as_string() : to_json(t)) + "\" names no rule",
                            args1("id", t.is_string() ? t : Value(to_json(t))));
                    continue;
                }
                Rule& tr = p_.rules[static_cast<std::size_t>(target)];
                if (tr.kind == RuleKind::Multiplier || tr.kind == RuleKind::Award) {
                    problem(tpath, "bad_target", "a multiplier scales rate and tiered rules only, not \"" + tr.id + "\"");
                    continue;
                }
                const auto [by, first] = scaled_by.emplace(target, m.id.empty() ? path : m.id);
                if (!first) {
                    problem(tpath, "second_multiplier", "\"" + tr.id + "\" is already the target of multiplier \"" + by->second + "\"");
                    continue;
                }
                if (m.index >= 0) tr.multiplied_by = m.index;
                if (unit >= 0 && tr.unit != unit) {
                    problem(tpath, "unit_mismatch", "all targets of a multiplier must pay in one unit");
                    continue;
                }
                unit = tr.unit;
                if (m.index >= 0) p_.rules[static_cast<std::size_t>(m.index)].applies_to.push_back(target);
            }
            if (unit >= 0) {
                const Value* declared = m.doc->find("unit");
                const int declared_unit = declared && declared->is_string() ? p_.unit_of(declared->as_string()) : -1;
                if (declared_unit >= 0 && declared_unit != unit)
                    problem(pointer_append(path, "unit"), "unit_mismatch", "a multiplier pays in the unit of the rules it scales");
                if (m.index >= 0) p_.rules[static_cast<std::size_t>(m.index)].unit = unit;
            }
        }
    }

    // Whether the definition at `path` is the one that claimed `id`.
    bool claimed_here(const std::string& id, const std::string& path) const {
        const auto it = ids_.find(id);
        return !id.empty() && it != ids_.end() && it->second == pointer_append(path, "id");
    }

    bool rule_body(const Value& r, const std::string& path, Rule& rule) {
        bool ok = claim_id(r, path, rule.id);
        rule.label = text_field(r, path, "label", false);
        rule.help = text_field(r, path, "help", false);
        category_field(r, path, rule.category);
        std::string kind;
        if (!string_field(r, path, "kind", true, kind)) return false;
        if (kind == "rate") rule.kind = RuleKind::Rate;
        else if (kind == "tiered") rule.kind = RuleKind::Tiered;
        else if (kind == "multiplier") rule.kind = RuleKind::Multiplier;
        else if (kind == "award") rule.kind = RuleKind::Award;
        else {
            problem(pointer_append(path, "kind"), "unknown_kind", "kind must be one of rate, tiered, multiplier, award",
                    args1("kind", Value(kind)));
            return false;
        }
        switch (rule.kind) {
            case RuleKind::Rate:
                known_fields(r, path, {"id", "label", "help", "category", "kind", "unit", "cap", "when", "base", "rate", "per"});
                break;
            case RuleKind::Tiered:
                known_fields(r, path, {"id", "label", "help", "category", "kind", "unit", "cap", "when", "mode", "basis", "base", "tiers"});
                break;
            case RuleKind::Multiplier:
                known_fields(r, path, {"id", "label", "help", "category", "kind", "unit", "cap", "when", "basis", "applies_to", "tiers"});
                break;
            case RuleKind::Award:
                known_fields(r, path, {"id", "label", "help", "category", "kind", "when", "basis", "tiers", "award"});
                break;
        }
        std::string unit;
        if (string_field(r, path, "unit", false, unit)) {
            rule.unit = p_.unit_of(unit);
            if (rule.unit < 0) {
                problem(pointer_append(path, "unit"), "unknown_unit", "\"" + unit + "\" is neither the currency nor a unit in \"units\"",
                        args1("unit", Value(unit)));
                rule.unit = 0;
                ok = false;
            }
        }
        Decimal cap;
        if (number_field(r, path, "cap", false, cap)) {
            if (cap < Decimal(0)) {
                problem(pointer_append(path, "cap"), "negative", "a cap cannot be negative");
                ok = false;
            } else if (cap.places() > p_.units[static_cast<std::size_t>(rule.unit)].precision) {
                // Amounts round to the unit: a finer cap could be exceeded by the rounding.
                problem(pointer_append(path, "cap"), "too_many_decimals", "the cap has more decimal places than its unit",
                        args1("max", p_.units[static_cast<std::size_t>(rule.unit)].precision));
                ok = false;
            } else {
                rule.cap = cap;
            }
        }
        if (const Value* when = r.find("when")) {
            rule.has_when = true;
            rule.when_source = *when;
            ok = expression(*when, pointer_append(path, "when"), static_cast<int>(p_.slot_ids.size()), rule.when, nullptr) && ok;
        }
        switch (rule.kind) {
            case RuleKind::Rate: {
                ok = slot_field(r, path, "base", true, rule.base) && ok;
                ok = number_field(r, path, "rate", true, rule.rate) && ok;
                Decimal per;
                if (number_field(r, path, "per", false, per)) {
                    if (per <= Decimal(0)) {
                        problem(pointer_append(path, "per"), "not_positive", "\"per\" must be above 0");
                        ok = false;
                    } else {
                        rule.per = per;
                    }
                }
                break;
            }
            case RuleKind::Tiered: {
                std::string mode;
                if (string_field(r, path, "mode", true, mode)) {
                    if (mode == "retro") rule.mode = TierMode::Retro;
                    else if (mode == "marginal") rule.mode = TierMode::Marginal;
                    else if (mode == "fixed") rule.mode = TierMode::Fixed;
                    else {
                        problem(pointer_append(path, "mode"), "unknown_mode", "mode must be one of retro, marginal, fixed",
                                args1("mode", Value(mode)));
                        ok = false;
                    }
                } else {
                    ok = false;
                }
                ok = slot_field(r, path, "basis", true, rule.basis) && ok;
                if (r.find("base")) {
                    int base = -1;
                    if (slot_field(r, path, "base", false, base)) {
                        if (rule.mode == TierMode::Marginal && base != rule.basis) {
                            problem(pointer_append(path, "base"), "marginal_base",
                                    "a marginal rule pays on its basis: \"base\" must be absent or equal \"basis\"");
                            ok = false;
                        }
                        rule.base = base;
                    } else {
                        ok = false;
                    }
                }
                if (rule.base < 0) rule.base = rule.basis;
                tiers(r, path, rule, ok);
                break;
            }
            case RuleKind::Multiplier:
                ok = slot_field(r, path, "basis", true, rule.basis) && ok;
                tiers(r, path, rule, ok);
                break;
            case RuleKind::Award:
                if (r.find("tiers") || r.find("basis")) {
                    ok = slot_field(r, path, "basis", true, rule.basis) && ok;
                    tiers(r, path, rule, ok);
                    if (r.find("award")) {
                        problem(pointer_append(path, "award"), "ambiguous_award", "a tiered award names its awards in its tiers");
                        ok = false;
                    }
                } else {
                    ok = award_field(r, path, rule.award, true) && ok;
                }
                break;
        }
        return ok;
    }

    void caps() {
        const Array* list = array_field(doc_, "", "caps", false);
        if (!list) return;
        std::vector<std::set<int>> covered;
        for (std::size_t i = 0; i < list->size(); ++i) {
            const std::string path = pointer_append("/caps", i);
            const Value& c = (*list)[i];
            if (!c.is_object()) {
                problem(path, "wrong_type", "a cap is an object");
                continue;
            }
            known_fields(c, path, {"id", "label", "help", "rules", "category", "unit", "max"});
            Cap cap;
            bool ok = claim_id(c, path, cap.id);
            cap.label = text_field(c, path, "label", false);
            cap.help = text_field(c, path, "help", false);
            ok = number_field(c, path, "max", true, cap.max) && ok;
            if (ok && cap.max < Decimal(0)) {
                problem(pointer_append(path, "max"), "negative", "a cap cannot be negative");
                ok = false;
            }
            int unit = -1;
            std::string unit_id;
            if (string_field(c, path, "unit", false, unit_id)) {
                unit = p_.unit_of(unit_id);
                if (unit < 0) {
                    problem(pointer_append(path, "unit"), "unknown_unit", "\"" + unit_id + "\" is neither the currency nor a unit",
                            args1("unit", Value(unit_id)));
                    ok = false;
                }
            }
            std::set<int> rules;
            const Value* by_rules = c.find("rules");
            const Value* by_category = c.find("category");
            if (by_rules && by_category) {
                problem(path, "ambiguous_cap", "a cap names either \"rules\" or a \"category\", not both");
                ok = false;
            } else if (by_rules) {
                const Array* ids = array_field(c, path, "rules", true);
                for (std::size_t k = 0; ids && k < ids->size(); ++k) {
                    const std::string rpath = pointer_append(pointer_append(path, "rules"), k);
                    const Value& id = (*ids)[k];
                    const int r = id.is_string() ? p_.rule_of(id.as_string()) : -1;
                    if (r < 0 && id.is_string() && broken_rules_.count(id.as_string())) {
                        ok = false;  // reported at the rule itself
                    } else if (r < 0) {
                        problem(rpath, "unknown_reference", "\"" + (id.is_string() ? id.as_string() : to_json(id)) + "\" names no rule",
                                args1("id", id.is_string() ? id : Value(to_json(id))));
                        ok = false;
                    } else if (p_.rules[static_cast<std::size_t>(r)].kind == RuleKind::Award) {
                        problem(rpath, "bad_target", "awards pay no amount and cannot be capped");
                        ok = false;
                    } else {
                        rules.insert(r);
                    }
                }
            } else if (by_category) {
                Category cat;
                if (category_field(c, path, cat)) {
                    for (std::size_t r = 0; r < p_.rules.size(); ++r)
                        if (p_.rules[r].category == cat && p_.rules[r].kind != RuleKind::Award &&
                            (unit < 0 || p_.rules[r].unit == unit))
                            rules.insert(static_cast<int>(r));
                } else {
                    ok = false;
                }
            } else if (unit >= 0) {
                for (std::size_t r = 0; r < p_.rules.size(); ++r)
                    if (p_.rules[r].unit == unit && p_.rules[r].kind != RuleKind::Award) rules.insert(static_cast<int>(r));
            } else if (!c.find("unit")) {
                problem(path, "missing_field", "a cap names the \"rules\", the \"category\" or the \"unit\" it covers");
                ok = false;
            }
            // One unit under a cap.
            int seen = -1;
            for (int r : rules) {
                const int u = p_.rules[static_cast<std::size_t>(r)].unit;
                if (seen >= 0 && u != seen) {
                    problem(path, "unit_mismatch", "a cap covers rules of one unit only (\"" + p_.units[static_cast<std::size_t>(seen)].id +
                                                       "\" and \"" + p_.units[static_cast<std::size_t>(u)].id + "\" are mixed)");
                    ok = false;
                    break;
                }
                seen = u;
            }
            if (unit >= 0 && seen >= 0 && seen != unit) {
                problem(pointer_append(path, "unit"), "unit_mismatch", "the cap's unit differs from the unit of the rules it covers");
                ok = false;
            }
            cap.unit = unit >= 0 ? unit : (seen >= 0 ? seen : 0);
            if (ok && cap.max.places() > p_.units[static_cast<std::size_t>(cap.unit)].precision)
                problem(pointer_append(path, "max"), "too_many_decimals", "the cap has more decimal places than its unit",
                        args1("max", p_.units[static_cast<std::size_t>(cap.unit)].precision));
            // Caps apply in order to the amounts after the caps before them; an earlier
            // cap's adjustment can only be carried into a later cap that covers all of it.
            for (std::size_t k = 0; ok && k < covered.size(); ++k) {
                const std::set<int>& before = covered[k];
                std::size_t shared = 0;
                for (int r : rules) shared += before.count(r);
                const bool disjoint = shared == 0;
                const bool nested = shared == before.size() || shared == rules.size();
                if (!disjoint && !nested) {
                    problem(path, "overlapping_caps", "this cap partly overlaps cap \"" + p_.caps[k].id +
                                                          "\": caps must nest or be disjoint so adjustments are unambiguous");
                    ok = false;
                }
            }
            if (!ok) continue;
            cap.rules.assign(rules.begin(), rules.end());
            covered.push_back(rules);
            p_.caps.push_back(std::move(cap));
        }
    }

    const Value& doc_;
    const ProgramLimits& limits_;
    Program p_;
    std::vector<ErrorDetail> problems_;
    std::map<std::string, std::string> ids_;
    std::set<std::string> declared_;  // ids of metrics, derived values, scores, rules, caps in the document
    std::set<std::string> broken_;        // derived values and scores that have problems of their own
    std::set<std::string> broken_rules_;  // rules that have problems of their own
    std::vector<const Value*> rule_docs_;
};

}  // namespace

Program load_program(const Value& document, const ProgramLimits& limits) {
    return Validator(document, limits).run();
}

Program parse_program(std::string_view json_text, const ProgramLimits& limits) {
    if (json_text.size() > limits.max_bytes) {
        throw make_failure("invalid_program",
                           "the programme file is " + std::to_string(json_text.size()) + " bytes; at most " +
                               std::to_string(limits.max_bytes) + " are accepted",
                           "", "too_large", args1("max", Decimal::from_int(static_cast<std::int64_t>(limits.max_bytes))));
    }
    const Value doc = parse_document(json_text, limits.max_depth);
    return load_program(doc, limits);
}

}  // namespace dealercalc
