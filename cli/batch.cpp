// dealer-calc batch: streams many dealers' rows (CSV or JSON Lines) through one
// programme in constant memory. One output row per input row; a bad row is reported on
// stderr with its row number and skipped; a summary goes to stderr at the end.
#include "batch.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "dealercalc/csv.hpp"
#include "dealercalc/engine.hpp"

using namespace dealercalc;

namespace {

bool ends_with(const std::string& s, const char* suffix) {
    const std::string x(suffix);
    return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw make_failure("io_error", "cannot read " + path, "", "cannot_read");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Where results go: CSV (Excel-safe cells) or JSON Lines.
class Sink {
public:
    Sink(const Program& p, std::FILE* out, bool jsonl, bool next) : p_(p), out_(out), jsonl_(jsonl), next_(next) {
        if (jsonl_) return;
        std::string header = "row,dealer_id,dealer_name";
        for (const Unit& u : p_.units) header += "," + csv_cell("total_" + u.id);
        for (const Rule& r : p_.rules)
            if (r.kind != RuleKind::Award) header += "," + csv_cell(r.id);
        header += ",awards";
        if (next_)
            for (const Rule& r : p_.rules)
                if (r.is_tiered()) header += "," + csv_cell(r.id + "_next");
        header += "\r\n";
        write(header);
    }

    void row(std::size_t line, const Value& dealer, const Computation& c, const Value* result) {
        const Value* id = dealer.find("id");
        const Value* name = dealer.find("name");
        line_.clear();
        if (jsonl_) {
            Value v = Value::object();
            v.set("row", Decimal::from_int(static_cast<std::int64_t>(line)));
            if (!dealer.is_null()) v.set("dealer", dealer);
            Value totals = Value::object();
            for (std::size_t u = 0; u < p_.units.size(); ++u) totals.set(p_.units[u].id, c.totals[u]);
            v.set("totals", std::move(totals));
            Value comps = Value::object();
            Value awards = Value::array();
            for (std::size_t i = 0; i < p_.rules.size(); ++i) {
                if (p_.rules[i].kind == RuleKind::Award) {
                    if (c.components[i].award) awards.push(Value(p_.rules[i].id));
                } else {
                    comps.set(p_.rules[i].id, c.components[i].amount);
                }
            }
            v.set("components", std::move(comps));
            v.set("awards", std::move(awards));
            if (result) v.set("next", best_drivers(*result));
            line_ = to_json(v);
            line_ += "\n";
        } else {
            line_ = std::to_string(line);
            line_ += ",";
            line_ += id && id->is_string() ? csv_cell(id->as_string()) : std::string();
            line_ += ",";
            line_ += name && name->is_string() ? csv_cell(name->as_string()) : std::string();
            for (std::size_t u = 0; u < p_.units.size(); ++u) {
                line_ += ",";
                line_ += c.totals[u].to_string();
            }
            std::string awards;
            for (std::size_t i = 0; i < p_.rules.size(); ++i) {
                if (p_.rules[i].kind == RuleKind::Award) {
                    if (c.components[i].award) awards += (awards.empty() ? "" : " ") + p_.rules[i].id;
                    continue;
                }
                line_ += ",";
                line_ += c.components[i].amount.to_string();
            }
            line_ += "," + csv_cell(awards);
            if (result) {
                const Value best = best_drivers(*result);
                for (const Rule& r : p_.rules) {
                    if (!r.is_tiered()) continue;
                    line_ += ",";
                    if (const Value* d = best.find(r.id)) line_ += csv_cell(describe(*d));
                }
            }
            line_ += "\r\n";
        }
        write(line_);
    }

private:
    // Per component with a next tier: the driver with the largest gain in the currency.
    Value best_drivers(const Value& result) const {
        Value best = Value::object();
        for (const Value& comp : result.find("components")->as_array()) {
            const Value* next = comp.find("next");
            const Value* drivers = next ? next->find("drivers") : nullptr;
            if (!drivers || drivers->size() == 0) continue;
            const Value* top = nullptr;
            Decimal top_gain;
            for (const Value& d : drivers->as_array()) {
                const Value* g = d.find("gain")->find(p_.currency);
                const Decimal gain = g ? g->as_number() : Decimal();
                if (!top || gain > top_gain) {
                    top = &d;
                    top_gain = gain;
                }
            }
            Value entry = *top;
            entry.set("tier", *next->find("index"));
            best.set(comp.find("id")->as_string(), std::move(entry));
        }
        return best;
    }

    std::string describe(const Value& d) const {
        std::string s = d.find("metric")->as_string();
        if (const Value* inc = d.find("increase")) s += " +" + inc->as_number().to_string();
        else s += " = true";
        if (const Value* g = d.find("gain")->find(p_.currency)) s += " => +" + g->as_number().to_string() + " " + p_.currency;
        return s;
    }

    void write(const std::string& s) { std::fwrite(s.data(), 1, s.size(), out_); }

    const Program& p_;
    std::FILE* out_;
    bool jsonl_, next_;
    std::string line_;
};

}  // namespace

int run_batch(const std::map<std::string, std::string>& options, bool next) {
    const auto program_path = options.find("--program");
    const auto figures_path = options.find("--figures");
    if (program_path == options.end() || figures_path == options.end()) return 64;
    const auto t0 = std::chrono::steady_clock::now();
    const Program program = parse_program(read_file(program_path->second));

    std::FILE* in = std::fopen(figures_path->second.c_str(), "rb");
    if (!in) throw make_failure("io_error", "cannot read " + figures_path->second, "", "cannot_read");
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> in_guard(in, &std::fclose);

    std::FILE* out = stdout;
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> out_guard(nullptr, &std::fclose);
    bool out_jsonl = false;
    if (const auto o = options.find("--out"); o != options.end()) {
        out = std::fopen(o->second.c_str(), "wb");
        if (!out) throw make_failure("io_error", "cannot write " + o->second, "", "cannot_write");
        out_guard.reset(out);
        out_jsonl = ends_with(o->second, ".jsonl") || ends_with(o->second, ".json");
    }
    static char out_buffer[1 << 16];
    std::setvbuf(out, out_buffer, _IOFBF, sizeof out_buffer);
    Sink sink(program, out, out_jsonl, next);

    std::size_t rows = 0, errors = 0;
    std::vector<Decimal> grand(program.units.size());
    Computation c;
    EvaluateOptions with_next;
    with_next.projection = false;
    with_next.trace = false;

    auto run = [&](std::size_t line, const Figures& figures) {
        load_inputs(program, figures, c.slots);
        compute(program, c);
        Value result;
        if (next) result = evaluate(program, figures, with_next);
        sink.row(line, figures.dealer, c, next ? &result : nullptr);
        for (std::size_t u = 0; u < grand.size(); ++u) grand[u] += c.totals[u];
    };
    auto report = [&](std::size_t line, const Failure& f) {
        ++errors;
        std::cerr << "row " << line << ": " << f.error.code << ": " << f.error.message << "\n";
    };
    auto process = [&](std::size_t line, const Value& document) {
        ++rows;
        try {
            run(line, load_figures(program, document));
        } catch (const Failure& f) {
            report(line, f);
        }
    };

    const bool jsonl_in = ends_with(figures_path->second, ".jsonl") || ends_with(figures_path->second, ".ndjson");
    if (jsonl_in) {
        // One figures document per line; blank lines are skipped.
        std::string text;
        std::size_t line = 0;
        char buffer[1 << 16];
        std::string pending;
        auto handle = [&](std::string& l) {
            ++line;
            if (!l.empty() && l.back() == '\r') l.pop_back();
            if (l.find_first_not_of(" \t") == std::string::npos) return;
            try {
                process(line, parse_document(l, 64));
            } catch (const Failure& f) {
                ++rows;
                ++errors;
                std::cerr << "row " << line << ": " << f.error.code << ": " << f.error.message << "\n";
            }
        };
        for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, in)) > 0;) {
            pending.append(buffer, n);
            std::size_t start = 0;
            for (std::size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
                std::string l = pending.substr(start, nl - start);
                handle(l);
            }
            pending.erase(0, start);
        }
        if (!pending.empty()) handle(pending);
    } else {
        CsvLimits limits;
        limits.max_bytes = static_cast<std::size_t>(-1);  // streaming: memory stays constant
        limits.max_rows = static_cast<std::size_t>(-1);
        CsvReader reader([in](char* buf, std::size_t cap) { return std::fread(buf, 1, cap, in); }, limits);
        std::vector<std::string> cells;
        if (!reader.next(cells)) throw make_failure("invalid_csv", "the file is empty", "", "empty");
        const CsvHeader header = resolve_csv_header(program, cells);
        for (const std::string& u : header.unknown) std::cerr << "warning: column \"" << u << "\" names no metric; ignored\n";
        std::vector<ErrorDetail> problems;
        CsvRowValues row;
        while (true) {
            try {
                if (!reader.next(cells)) break;
            } catch (const Failure& f) {
                // A malformed record cannot be resynchronised reliably: stop here.
                ++errors;
                std::cerr << f.error.message << "\n";
                break;
            }
            problems.clear();
            ++rows;
            // The cells go straight into metric values: no figures document per row.
            if (!csv_row_values(program, header, cells, reader.line(), row, problems)) {
                ++errors;
                std::cerr << problems.front().message << (problems.size() > 1 ? " (and " + std::to_string(problems.size() - 1) + " more)" : "")
                          << "\n";
                continue;
            }
            Value dealer;
            if (!row.dealer_id.empty() || !row.dealer_name.empty()) {
                dealer = Value::object();
                if (!row.dealer_id.empty()) dealer.set("id", row.dealer_id);
                if (!row.dealer_name.empty()) dealer.set("name", row.dealer_name);
            }
            try {
                Figures figures = figures_from_values(program, std::move(row.values), std::move(dealer));
                if (!row.as_of.empty()) figures.has_as_of = Date::parse(row.as_of, figures.as_of);
                run(reader.line(), figures);
            } catch (const Failure& f) {
                report(reader.line(), f);
            }
        }
    }
    std::fflush(out);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cerr << "batch: " << rows << " rows, " << errors << " errors";
    for (std::size_t u = 0; u < grand.size(); ++u) std::cerr << ", total " << program.units[u].id << " " << grand[u].to_string();
    std::cerr << ", " << seconds << " s";
    if (seconds > 0) std::cerr << " (" << static_cast<long long>(static_cast<double>(rows) / seconds) << " rows/s)";
    std::cerr << "\n";
    return errors == 0 ? 0 : 1;
}
