#include "dealercalc/figures.hpp"

namespace dealercalc {

namespace {

Value warning(const char* code, const std::string& metric) {
    Value w = Value::object();
    w.set("code", code);
    w.set("metric", metric);
    return w;
}

Value arg(const char* key, Value v) {
    Value a = Value::object();
    a.set(key, std::move(v));
    return a;
}

}  // namespace

std::optional<ErrorDetail> check_figure(const Program& program, const Metric& m, const Value& v, const std::string& path) {
    (void)program;
    if (m.type == MetricType::Boolean) {
        if (!v.is_bool()) return ErrorDetail{path, "not_boolean", "\"" + m.id + "\" is yes/no: give true or false", arg("metric", Value(m.id))};
        return std::nullopt;
    }
    if (!v.is_number()) {
        Value a = arg("metric", Value(m.id));
        return ErrorDetail{path, "not_a_number", "\"" + m.id + "\" must be a number", a};
    }
    const Decimal d = v.as_number();
    if (v.is_rounded_number()) {
        Value a = arg("metric", Value(m.id));
        a.set("max", m.decimals);
        return ErrorDetail{path, m.type == MetricType::Count ? "not_integer" : "too_many_decimals",
                           "\"" + m.id + "\" has more than 12 decimal places", a};
    }
    if (m.type == MetricType::Count && !d.is_integer()) {
        return ErrorDetail{path, "not_integer", "\"" + m.id + "\" is a count: whole numbers only (got " + d.to_string() + ")",
                           arg("metric", Value(m.id))};
    }
    if (d.places() > m.decimals) {
        Value a = arg("metric", Value(m.id));
        a.set("max", m.decimals);
        return ErrorDetail{path, "too_many_decimals",
                           "\"" + m.id + "\" allows at most " + std::to_string(m.decimals) + " decimal places (got " + d.to_string() + ")", a};
    }
    if (m.min && d < *m.min) {
        Value a = arg("metric", Value(m.id));
        a.set("min", *m.min);
        return ErrorDetail{path, "below_min", "\"" + m.id + "\" must be at least " + m.min->to_string() + " (got " + d.to_string() + ")", a};
    }
    if (m.max && d > *m.max) {
        Value a = arg("metric", Value(m.id));
        a.set("max", *m.max);
        return ErrorDetail{path, "above_max", "\"" + m.id + "\" must be at most " + m.max->to_string() + " (got " + d.to_string() + ")", a};
    }
    if (d.abs() >= Decimal::pow10(12)) {
        return ErrorDetail{path, "out_of_range", "\"" + m.id + "\" must be below 10^12 in magnitude", arg("metric", Value(m.id))};
    }
    return std::nullopt;
}

namespace {
// A metric the figures do not give: its default (or 0 / false), with a warning.
void fill_missing(const Metric& m, Figures& f, std::size_t i) {
    f.warnings.push_back(warning("missing_metric", m.id));
    if (m.default_value) f.values[i] = *m.default_value;
    else if (m.type == MetricType::Boolean) f.values[i] = Value(false);
    else f.values[i] = Value(Decimal());
}
}  // namespace

Figures figures_from_values(const Program& program, std::vector<Value> values, Value dealer) {
    Figures f;
    f.dealer = std::move(dealer);
    f.values = std::move(values);
    f.values.resize(program.metrics.size());
    f.given.assign(program.metrics.size(), false);
    for (std::size_t i = 0; i < program.metrics.size(); ++i) {
        if (f.values[i].is_null()) fill_missing(program.metrics[i], f, i);
        else f.given[i] = true;
    }
    return f;
}

Figures load_figures(const Program& program, const Value& doc) {
    std::vector<ErrorDetail> problems;
    Figures f;
    if (!doc.is_object()) throw make_failure("invalid_figures", "figures must be a JSON object", "", "not_an_object");
    if (const Value* format = doc.find("format")) {
        if (!format->is_string() || format->as_string() != kFiguresFormat) {
            const std::string got = format->is_string() ? format->as_string() : to_json(*format);
            throw make_failure("unsupported_format",
                               std::string("this calculator reads \"") + kFiguresFormat + "\" figures, not \"" + got + "\"",
                               "/format", "unsupported_format", arg("format", Value(got)));
        }
    }
    for (const Member& m : doc.as_object()) {
        if (m.key == "format" || m.key == "dealer" || m.key == "as_of" || m.key == "values" || m.key[0] == '$') continue;
        problems.push_back(ErrorDetail{pointer_append("", m.key), "unknown_field", "unknown field \"" + m.key + "\"", arg("field", Value(m.key))});
    }
    if (const Value* dealer = doc.find("dealer")) {
        if (!dealer->is_object()) {
            problems.push_back(ErrorDetail{"/dealer", "wrong_type", "dealer is {\"id\": …, \"name\": …}", Value()});
        } else {
            for (const char* key : {"id", "name"}) {
                const Value* v = dealer->find(key);
                if (v && !v->is_string())
                    problems.push_back(ErrorDetail{pointer_append("/dealer", key), "wrong_type", std::string("dealer ") + key + " must be a string", Value()});
            }
            f.dealer = *dealer;
        }
    }
    if (const Value* as_of = doc.find("as_of"); as_of && !as_of->is_null()) {
        if (!as_of->is_string() || !Date::parse(as_of->as_string(), f.as_of)) {
            problems.push_back(ErrorDetail{"/as_of", "bad_date", "as_of must be a date such as 2027-03-15", Value()});
        } else {
            f.has_as_of = true;
        }
    }
    const Value* values = doc.find("values");
    if (values && !values->is_object()) {
        problems.push_back(ErrorDetail{"/values", "wrong_type", "values must be an object of metric ids to figures", Value()});
        values = nullptr;
    }
    f.values.resize(program.metrics.size());
    f.given.assign(program.metrics.size(), false);
    for (std::size_t i = 0; i < program.metrics.size(); ++i) {
        const Metric& m = program.metrics[i];
        const Value* v = values ? values->find(m.id) : nullptr;
        // null is an empty form field: the metric is missing, not wrong.
        if (v && !v->is_null()) {
            // The pointer is only built for a problem (this runs for every figure of a row).
            if (auto bad = check_figure(program, m, *v, std::string())) {
                bad->path = pointer_append("/values", m.id);
                problems.push_back(std::move(*bad));
            } else {
                f.values[i] = *v;
                f.given[i] = true;
            }
            continue;
        }
        fill_missing(m, f, i);
    }
    if (values) {
        for (const Member& m : values->as_object())
            if (!program.metric_of(m.key)) f.warnings.push_back(warning("unknown_metric", m.key));
    }
    if (!problems.empty()) {
        Error e;
        e.code = "invalid_figures";
        e.message = std::to_string(problems.size()) + (problems.size() == 1 ? " figure is" : " figures are") +
                    " not valid; the first: " + problems.front().message;
        e.details = std::move(problems);
        throw Failure(std::move(e));
    }
    return f;
}

namespace {
std::string plural(std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}
}  // namespace

std::string validation_summary(const Program& p, const Figures* f) {
    std::string line = "ok: programme " + p.id + " " + p.version + ": " + plural(p.metrics.size(), "metric", "metrics") + ", " +
                       plural(p.derived.size(), "derived value", "derived values") + ", " +
                       plural(p.scores.size(), "score", "scores") + ", " + plural(p.rules.size(), "rule", "rules") + ", " +
                       plural(p.caps.size(), "cap", "caps");
    if (f) {
        line += "; figures valid";
        if (const Value* id = f->dealer.find("id"); id && id->is_string()) line += " for " + id->as_string();
        if (!f->warnings.empty()) line += " (" + plural(f->warnings.size(), "warning", "warnings") + ")";
    }
    return line;
}

Figures parse_figures(const Program& program, std::string_view json_text) {
    return load_figures(program, parse_document(json_text, 64));
}

}  // namespace dealercalc
