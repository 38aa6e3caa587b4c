// The Embind surface of the core: the only file of the project that includes Emscripten
// headers. wasm/api.js wraps it into the public API of wasm/dealer-calc.d.ts.
//
// Every entry point returns a string (a batch's bytes also cross as memory views) and
// never lets a C++ exception reach JavaScript (an escaping exception would arrive as a
// bare number). The convention:
//   - success: the JSON text (or plain text for summary/csvTemplate/version);
//   - failure: '!' followed by the error object {"error": {...}} as compact JSON
//     (no successful output starts with '!': JSON text, "ok: …" or "dealer_id,…").
#include <emscripten/bind.h>
#include <emscripten/val.h>
#include <malloc.h>

#include <algorithm>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "dealercalc/batch.hpp"
#include "dealercalc/csv.hpp"
#include "dealercalc/engine.hpp"
#include "dealercalc/error.hpp"
#include "dealercalc/figures.hpp"
#include "dealercalc/logic.hpp"
#include "dealercalc/program.hpp"
#include "dealercalc/value.hpp"
#include "dealercalc/version.hpp"

using namespace dealercalc;

namespace {

std::string error_text(const Error& e) { return "!" + to_json(e.to_value()); }

std::string internal_error(const std::string& message) {
    Error e;
    e.code = "internal_error";
    e.message = message;
    return error_text(e);
}

// Runs `body`; turns anything it throws into an error text. The same mapping as the
// native CLI's main(): Failure → its error, std::exception → internal_error.
template <typename Body>
std::string guarded(Body&& body) noexcept {
    try {
        try {
            return body();
        } catch (const Failure& f) {
            return error_text(f.error);
        } catch (const std::exception& e) {
            return internal_error(e.what());
        } catch (...) {
            return internal_error("unknown C++ exception");
        }
    } catch (...) {
        // Building the error text itself failed (out of memory): keep it static.
        return "!{\"error\":{\"code\":\"internal_error\",\"message\":\"out of memory\",\"details\":[]}}";
    }
}

std::string write(const Value& v, bool pretty) { return pretty ? to_json_pretty(v) : to_json(v); }

Value detail_value(const ErrorDetail& d) {
    // The shape of a detail in Error::to_value().
    Value item = Value::object();
    item.set("path", d.path);
    if (!d.reason.empty()) item.set("reason", d.reason);
    item.set("message", d.message);
    if (d.args.is_object()) item.set("args", d.args);
    return item;
}

Value program_info(const Program& p) {
    Value info = Value::object();
    info.set("id", p.id);
    info.set("version", p.version);
    info.set("name", p.name);
    info.set("currency", p.currency);
    Value units = Value::array();
    for (const Unit& u : p.units) {
        Value unit = Value::object();
        unit.set("id", u.id);
        if (!u.label.is_null()) unit.set("label", u.label);
        unit.set("precision", u.precision);
        unit.set("currency", u.is_currency);
        units.push(std::move(unit));
    }
    info.set("units", std::move(units));
    if (p.has_period) {
        Value period = Value::object();
        period.set("start", p.period_start.to_string());
        period.set("end", p.period_end.to_string());
        info.set("period", std::move(period));
    }
    Value metrics = Value::array();
    for (const Metric& m : p.metrics) {
        Value metric = Value::object();
        metric.set("id", m.id);
        metric.set("label", m.label);
        if (!m.help.is_null()) metric.set("help", m.help);
        metric.set("category", to_string(m.category));
        metric.set("type", to_string(m.type));
        if (m.min) metric.set("min", *m.min);
        if (m.max) metric.set("max", *m.max);
        if (m.default_value) metric.set("default", *m.default_value);
        metric.set("cumulative", m.cumulative);
        metric.set("decimals", m.decimals);
        metric.set("resolution", m.resolution);
        metrics.push(std::move(metric));
    }
    info.set("metrics", std::move(metrics));
    info.set("source", p.source);
    return info;
}

const char* kNotLoaded = "no programme loaded";

// A loaded programme; wasm/api.js wraps it as the Program of the d.ts.
class ProgramHandle {
public:
    // Parses and validates; "" on success, else the error text (the previous programme,
    // if any, is kept).
    std::string load(const std::string& json) {
        return guarded([&] {
            program_ = std::make_shared<const Program>(parse_program(json));
            return std::string();
        });
    }

    std::string evaluate(const std::string& figures_json, bool next, bool projection, bool trace, bool pretty) const {
        return guarded([&] {
            const Program& p = get();
            EvaluateOptions options;
            options.next = next;
            options.projection = projection;
            options.trace = trace;
            const Figures f = parse_figures(p, figures_json);
            return write(dealercalc::evaluate(p, f, options), pretty);
        });
    }

    // {"warnings": [...]} or invalid_figures.
    std::string checkFigures(const std::string& figures_json) const {
        return guarded([&] {
            const Figures f = parse_figures(get(), figures_json);
            Value out = Value::object();
            Value warnings = Value::array();
            for (const Value& w : f.warnings) warnings.push(w);
            out.set("warnings", std::move(warnings));
            return to_json(out);
        });
    }

    // {"header": {"names", "metrics", "unknown"}, "rows": [{"line", "figures", "errors"}]}
    std::string parseCsv(const std::string& text) const {
        return guarded([&] {
            const Program& p = get();
            const CsvFigures csv = parse_figures_csv(p, text);
            Value names = Value::array();
            for (const std::string& n : csv.header.names) names.push(n);
            Value metrics = Value::array();
            for (const int m : csv.header.metric) {
                if (m >= 0 && static_cast<std::size_t>(m) < p.metrics.size()) metrics.push(p.metrics[m].id);
                else metrics.push(Value());
            }
            Value unknown = Value::array();
            for (const std::string& u : csv.header.unknown) unknown.push(u);
            Value header = Value::object();
            header.set("names", std::move(names));
            header.set("metrics", std::move(metrics));
            header.set("unknown", std::move(unknown));
            Value rows = Value::array();
            for (const CsvFigures::Row& r : csv.rows) {
                Value row = Value::object();
                row.set("line", Decimal::from_int(static_cast<std::int64_t>(r.line)));
                row.set("figures", r.figures);
                Value errors = Value::array();
                for (const ErrorDetail& d : r.errors) errors.push(detail_value(d));
                row.set("errors", std::move(errors));
                rows.push(std::move(row));
            }
            Value out = Value::object();
            out.set("header", std::move(header));
            out.set("rows", std::move(rows));
            return to_json(out);
        });
    }

    std::string csvTemplate() const {
        return guarded([&] { return csv_template(get(), "en"); });
    }

    // The one-line summary of `dealer-calc validate`, with or without figures.
    std::string summary(const std::string& figures_json, bool has_figures) const {
        return guarded([&] {
            const Program& p = get();
            if (!has_figures) return validation_summary(p, nullptr);
            const Figures f = parse_figures(p, figures_json);
            return validation_summary(p, &f);
        });
    }

    std::string info() const {
        return guarded([&] { return to_json(program_info(get())); });
    }

    // Shared with the batches started from it: a batch keeps its programme alive even
    // when this handle is deleted or loads another one.
    std::shared_ptr<const Program> shared() const {
        if (!program_) throw std::logic_error(kNotLoaded);
        return program_;
    }

private:
    const Program& get() const { return *shared(); }
    std::shared_ptr<const Program> program_;
};

// Many dealers through one programme (core/include/dealercalc/batch.hpp): input pushed
// in pieces of any size, the output of every completed row handed back at once.
class BatchHandle {
public:
    // "" on success, else the error text.
    std::string start(const ProgramHandle& program, bool jsonl_input, bool jsonl_output, bool next) {
        return guarded([&] {
            BatchOptions options;
            options.input = jsonl_input ? BatchFormat::Jsonl : BatchFormat::Csv;
            options.output = jsonl_output ? BatchFormat::Jsonl : BatchFormat::Csv;
            options.next = next;
            batch_.reset();  // before the programme it refers to may go
            program_ = program.shared();
            batch_ = std::make_unique<Batch>(*program_, options);
            return std::string();
        });
    }

    // Input and output cross the boundary as bytes: JavaScript encodes the next piece
    // straight into a view of `staged_` (TextEncoder.encodeInto, or a copy of UTF-8 bytes),
    // pushStaged() runs it, and JavaScript decodes `out_` through a view (TextDecoder).
    // Embind's std::string conversions walk every character in JavaScript, which cost a
    // quarter of a batch's time. A view is valid until the next call into the module.
    emscripten::val stage(std::size_t capacity) {
        staged_.resize(capacity);
        return emscripten::val(emscripten::typed_memory_view(staged_.size(), reinterpret_cast<unsigned char*>(staged_.data())));
    }

    // Runs the first `length` staged bytes; "" or the error text of a whole-input failure
    // (an unusable CSV header), after which the batch is over. The rows' output: output().
    std::string pushStaged(std::size_t length) {
        return guarded([&] {
            out_.clear();
            get().push(std::string_view(staged_.data(), std::min(length, staged_.size())), out_);
            return std::string();
        });
    }

    // The input is complete: "" or the error text; the last rows' output: output().
    std::string finishStaged() {
        return guarded([&] {
            out_.clear();
            get().finish(out_);
            return std::string();
        });
    }

    emscripten::val output() const {
        return emscripten::val(emscripten::typed_memory_view(out_.size(), reinterpret_cast<const unsigned char*>(out_.data())));
    }

    // The same with JavaScript strings, for hosts without TextEncoder/TextDecoder (a bare
    // vm context): the output of the rows this text completed, or the error text.
    std::string push(const std::string& text) {
        return guarded([&] {
            std::string out;
            get().push(text, out);
            return out;
        });
    }

    std::string finish() {
        return guarded([&] {
            std::string out;
            get().finish(out);
            return out;
        });
    }

    // {"rows", "errors", "stopped", "totals": {unit: n}, "unknown_columns": [...]}
    std::string status() const {
        return guarded([&] {
            const Batch& b = get();
            Value v = Value::object();
            v.set("rows", Decimal::from_int(static_cast<std::int64_t>(b.rows())));
            v.set("errors", Decimal::from_int(static_cast<std::int64_t>(b.errors())));
            v.set("stopped", b.stopped());
            Value totals = Value::object();
            for (std::size_t u = 0; u < program_->units.size(); ++u) totals.set(program_->units[u].id, b.totals()[u]);
            v.set("totals", std::move(totals));
            Value unknown = Value::array();
            for (const std::string& u : b.unknown_columns()) unknown.push(u);
            v.set("unknown_columns", std::move(unknown));
            return to_json(v);
        });
    }

    // [{"row": n, "error": {...}}] since the last call (row 0: the whole input).
    std::string takeProblems() {
        return guarded([&] {
            Value list = Value::array();
            for (const BatchProblem& p : get().take_problems()) {
                Value item = Value::object();
                item.set("row", Decimal::from_int(static_cast<std::int64_t>(p.row)));
                item.set("error", *p.error.to_value().find("error"));
                list.push(std::move(item));
            }
            return to_json(list);
        });
    }

private:
    Batch& get() const {
        if (!batch_) throw std::logic_error("no batch started");
        return *batch_;
    }
    std::shared_ptr<const Program> program_;  // declared first: outlives batch_
    std::unique_ptr<Batch> batch_;
    std::string staged_, out_;
};

std::string version() { return kVersion; }

// `dealer-calc logic`: the rule and data as JSON texts, the result as JSON text.
std::string evaluate_logic(const std::string& rule_json, const std::string& data_json, bool pretty) {
    return guarded([&] {
        const Value rule = parse_document(rule_json);
        const Value data = parse_document(data_json);
        try {
            return write(apply_logic(rule, data), pretty);
        } catch (const LogicError& e) {
            throw make_failure("logic_error", e.what(), e.path, e.reason);
        } catch (const DecimalOverflow& e) {
            throw make_failure("logic_error", e.what(), "", "overflow");
        }
    });
}

// Re-writes a JSON text (compact or pretty) exactly as the core writes it; a parse
// failure gives the parse_error of the core. Used by dist/cli.mjs.
std::string format_json(const std::string& json, bool pretty) {
    return guarded([&] { return write(parse_document(json), pretty); });
}

// The error object for a single-detail failure (the CLI's io_error), as compact JSON
// (no '!' prefix: this is the requested output, not a failure of the call).
std::string error_json(const std::string& code, const std::string& message, const std::string& path,
                       const std::string& reason) {
    const std::string text = guarded([&]() -> std::string { throw make_failure(code, message, path, reason); });
    return text.substr(1);
}

// Bytes of the heap in use (emmalloc: used blocks and free-block headers): for the
// leak tests.
double memory_in_use() {
    const struct mallinfo info = mallinfo();
    return static_cast<double>(info.uordblks);
}

// Throws on purpose so the tests can check that nothing escapes the boundary:
// 0 = Failure, 1 = std::runtime_error, 2 = a non-standard exception (an int).
std::string throw_for_test(int kind) {
    return guarded([&]() -> std::string {
        if (kind == 0) throw make_failure("invalid_figures", "test failure", "/values/x", "test");
        if (kind == 1) throw std::runtime_error("test exception");
        throw 42;
    });
}

}  // namespace

EMSCRIPTEN_BINDINGS(dealercalc) {
    emscripten::class_<ProgramHandle>("Program")
        .constructor<>()
        .function("load", &ProgramHandle::load)
        .function("evaluate", &ProgramHandle::evaluate)
        .function("checkFigures", &ProgramHandle::checkFigures)
        .function("parseCsv", &ProgramHandle::parseCsv)
        .function("csvTemplate", &ProgramHandle::csvTemplate)
        .function("summary", &ProgramHandle::summary)
        .function("info", &ProgramHandle::info);
    emscripten::class_<BatchHandle>("Batch")
        .constructor<>()
        .function("start", &BatchHandle::start)
        .function("stage", &BatchHandle::stage)
        .function("pushStaged", &BatchHandle::pushStaged)
        .function("finishStaged", &BatchHandle::finishStaged)
        .function("output", &BatchHandle::output)
        .function("push", &BatchHandle::push)
        .function("finish", &BatchHandle::finish)
        .function("status", &BatchHandle::status)
        .function("takeProblems", &BatchHandle::takeProblems);
    emscripten::function("version", &version);
    emscripten::function("evaluateLogic", &evaluate_logic);
    emscripten::function("formatJson", &format_json);
    emscripten::function("errorJson", &error_json);
    emscripten::function("memoryInUse", &memory_in_use);
    emscripten::function("throwForTest", &throw_for_test);
}
