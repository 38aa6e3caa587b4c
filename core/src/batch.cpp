#include "dealercalc/batch.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "engine_internal.hpp"

namespace dealercalc {

namespace {

// Decimal digits of n appended to out (no printf, no temporary string: once per row).
void append_uint(std::string& out, std::size_t n) {
    char digits[24];
    char* p = digits + sizeof digits;
    do {
        *--p = static_cast<char>('0' + n % 10);
        n /= 10;
    } while (n != 0);
    out.append(p, static_cast<std::size_t>(digits + sizeof digits - p));
}

}  // namespace

Batch::Batch(const Program& program, BatchOptions options)
    : program_(program),
      options_(options),
      reader_(
          [this](char* buffer, std::size_t capacity) {
              const std::size_t n = std::min(capacity, feed_.size());
              std::memcpy(buffer, feed_.data(), n);
              feed_.remove_prefix(n);
              return n;
          },
          [] {
              // Streaming: the size and row limits guard whole-file reads, not this.
              CsvLimits limits;
              limits.max_bytes = static_cast<std::size_t>(-1);
              limits.max_rows = static_cast<std::size_t>(-1);
              return limits;
          }()),
      totals_(program.units.size()) {
    with_next_.projection = false;
    with_next_.trace = false;
    fast_next_ = options_.next && totals_never_negative(program_);
}

std::string Batch::csv_header() const {
    std::string header = "row,dealer_id,dealer_name";
    for (const Unit& u : program_.units) header += "," + csv_cell("total_" + u.id);
    for (const Rule& r : program_.rules)
        if (r.kind != RuleKind::Award) header += "," + csv_cell(r.id);
    header += ",awards,nearest_rule,nearest_tier,nearest_gap";
    if (options_.next)
        for (const Rule& r : program_.rules)
            if (r.is_tiered()) header += "," + csv_cell(r.id + "_next");
    header += "\r\n";
    return header;
}

std::vector<BatchProblem> Batch::take_problems() {
    std::vector<BatchProblem> out;
    out.swap(problems_);
    return out;
}

void Batch::push(std::string_view input, std::string& output) {
    if (!header_written_ && options_.output == BatchFormat::Csv) {
        output += csv_header();
        header_written_ = true;
    }
    if (stopped_) return;
    pending_.append(input.data(), input.size());
    // Where the last complete record ends. A quote toggles quoting ("" toggles twice),
    // so a line break outside quotes ends a record. JSON Lines: every line break does.
    const bool csv = options_.input == BatchFormat::Csv;
    const char* begin = pending_.data() + scan_;
    const char* end = pending_.data() + pending_.size();
    if (!in_quotes_ && (!csv || std::memchr(begin, '"', static_cast<std::size_t>(end - begin)) == nullptr)) {
        // No quote in the new bytes (nearly always): the last line break ends a record.
        for (const char* p = end; p > begin;)
            if (*--p == '\n') {
                ready_ = static_cast<std::size_t>(p - pending_.data()) + 1;
                break;
            }
    } else {
        for (std::size_t i = scan_; i < pending_.size(); ++i) {
            const char ch = pending_[i];
            if (ch == '"' && csv) in_quotes_ = !in_quotes_;
            else if (ch == '\n' && !in_quotes_) ready_ = i + 1;
        }
    }
    scan_ = pending_.size();
    process_ready(output);
}

void Batch::finish(std::string& output) {
    if (!header_written_ && options_.output == BatchFormat::Csv) {
        output += csv_header();
        header_written_ = true;
    }
    if (stopped_) return;
    ready_ = pending_.size();
    process_ready(output);
    if (options_.input == BatchFormat::Csv && !header_read_) throw make_failure("invalid_csv", "the file is empty", "", "empty");
}

void Batch::process_ready(std::string& output) {
    if (ready_ == 0) return;
    if (options_.input == BatchFormat::Csv) {
        feed_ = std::string_view(pending_).substr(0, ready_);
        process_csv(output);
        feed_ = {};
    } else {
        std::string_view text(pending_.data(), ready_);
        process_jsonl(text, output);
    }
    if (stopped_) return;
    pending_.erase(0, ready_);
    scan_ -= ready_;
    ready_ = 0;
}

void Batch::process_jsonl(std::string_view text, std::string& output) {
    // One figures document per line; blank lines are skipped but counted.
    while (!text.empty()) {
        const std::size_t nl = text.find('\n');
        std::string_view l = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        ++jsonl_line_;
        if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
        if (l.find_first_not_of(" \t") == std::string_view::npos) continue;
        ++rows_;
        try {
            run(jsonl_line_, load_figures(program_, parse_document(l, 64)), output);
        } catch (const Failure& f) {
            problem(jsonl_line_, f);
        }
    }
}

void Batch::process_csv(std::string& output) {
    reader_.resume();
    if (!header_read_) {
        // Thrown: a file whose header is unusable has no rows to report.
        if (!reader_.next(cells_)) return;  // only blank lines so far
        header_ = resolve_csv_header(program_, std::vector<std::string>(cells_.begin(), cells_.end()));
        unknown_ = header_.unknown;
        header_read_ = true;
    }
    try {
        while (reader_.next(cells_)) {
            ++rows_;
            row_problems_.clear();
            const std::size_t line = reader_.line();
            // The cells go straight into metric values: no figures document per row.
            if (!csv_row_values(program_, header_, cells_, line, row_, row_problems_)) {
                ++errors_;
                Error e;
                e.code = "invalid_figures";
                e.message = row_problems_.front().message;
                if (row_problems_.size() > 1) e.message += " (and " + std::to_string(row_problems_.size() - 1) + " more)";
                e.details = row_problems_;
                problems_.push_back(BatchProblem{line, std::move(e)});
                continue;
            }
            try {
                run_row(line, output);
            } catch (const Failure& f) {
                problem(line, f);
            }
        }
    } catch (const Failure& f) {
        // A malformed record (or an unusable header): nothing after it can be trusted.
        stopped_ = true;
        ++errors_;
        problems_.push_back(BatchProblem{0, f.error});
        pending_.clear();
        ready_ = scan_ = 0;
    }
}

void Batch::problem(std::size_t line, const Failure& f) {
    ++errors_;
    problems_.push_back(BatchProblem{line, f.error});
}

// A CSV row: its checked values go straight into the evaluation's slots, defaults
// filled in; no figures document (that is only built for the next-tier search).
void Batch::run_row(std::size_t line, std::string& output) {
    const std::size_t n = program_.metrics.size();
    c_.slots.resize(program_.slot_ids.size());
    for (std::size_t i = 0; i < n; ++i) {
        const Value& v = row_.values[i];
        if (!v.is_null()) {
            c_.slots[i] = v;
            continue;
        }
        const Metric& m = program_.metrics[i];
        if (m.default_value) c_.slots[i] = *m.default_value;
        else if (m.type == MetricType::Boolean) c_.slots[i].set_bool(false);
        else c_.slots[i].set_number(Decimal());
    }
    if (!options_.next && options_.output == BatchFormat::Csv) {
        compute(program_, c_);
        write_csv(line, row_.dealer_id, row_.dealer_name, nullptr, output);
        return;
    }
    Value dealer;
    if (!row_.dealer_id.empty() || !row_.dealer_name.empty()) {
        dealer = Value::object();
        if (!row_.dealer_id.empty()) dealer.set("id", row_.dealer_id);
        if (!row_.dealer_name.empty()) dealer.set("name", row_.dealer_name);
    }
    if (!options_.next) {
        compute(program_, c_);
        write_jsonl(line, dealer, nullptr, output);
        return;
    }
    Figures figures = figures_from_values(program_, row_.values, std::move(dealer));
    if (!row_.as_of.empty()) figures.has_as_of = Date::parse(row_.as_of, figures.as_of);
    run(line, figures, output);
}

// A figures document (JSON Lines input, or a CSV row with next tiers).
void Batch::run(std::size_t line, const Figures& figures, std::string& output) {
    load_inputs(program_, figures, c_.slots);
    compute(program_, c_);
    // With next tiers: the best driver of each component. Straight from the computation
    // when that is exact (see best_next_drivers), else picked from the whole document.
    Value best;
    if (options_.next && !(fast_next_ && best_next_drivers(program_, c_, trial_, found_, search_, best)))
        best = best_drivers(program_, evaluate(program_, figures, with_next_));
    const Value* r = options_.next ? &best : nullptr;
    if (options_.output == BatchFormat::Jsonl) {
        write_jsonl(line, figures.dealer, r, output);
    } else {
        const Value* id = figures.dealer.find("id");
        const Value* name = figures.dealer.find("name");
        write_csv(line, id && id->is_string() ? std::string_view(id->as_string()) : std::string_view(),
                  name && name->is_string() ? std::string_view(name->as_string()) : std::string_view(), r, output);
    }
}

void Batch::add_totals() {
    for (std::size_t u = 0; u < totals_.size(); ++u) totals_[u] += c_.totals[u];
}

// Written straight as text, member by member, exactly as to_json would write the object
// {"row", "dealer", "totals", "components", "awards", "nearest", "next"}: no document
// per row.
void Batch::write_jsonl(std::size_t line, const Value& dealer, const Value* best, std::string& output) {
    add_totals();
    output += "{\"row\":";
    append_uint(output, line);
    if (!dealer.is_null()) {
        output += ",\"dealer\":";
        append_json(output, dealer);
    }
    output += ",\"totals\":{";
    for (std::size_t u = 0; u < program_.units.size(); ++u) {
        if (u) output += ',';
        append_json_string(output, program_.units[u].id);
        output += ':';
        c_.totals[u].append_to(output);
    }
    output += "},\"components\":{";
    bool first = true;
    for (std::size_t i = 0; i < program_.rules.size(); ++i) {
        if (program_.rules[i].kind == RuleKind::Award) continue;
        if (!first) output += ',';
        first = false;
        append_json_string(output, program_.rules[i].id);
        output += ':';
        c_.components[i].amount.append_to(output);
    }
    output += "},\"awards\":[";
    first = true;
    for (std::size_t i = 0; i < program_.rules.size(); ++i) {
        if (program_.rules[i].kind != RuleKind::Award || !c_.components[i].award) continue;
        if (!first) output += ',';
        first = false;
        append_json_string(output, program_.rules[i].id);
    }
    output += "],\"nearest\":";
    const NearestTier near = nearest_tier(program_, c_);
    if (near.rule >= 0) {
        output += "{\"rule\":";
        append_json_string(output, program_.rules[static_cast<std::size_t>(near.rule)].id);
        output += ",\"tier\":";
        append_uint(output, static_cast<std::size_t>(near.tier));
        output += ",\"from\":";
        near.from.append_to(output);
        output += ",\"current\":";
        near.current.append_to(output);
        output += ",\"gap\":";
        near.gap.append_to(output);
        output += ",\"progress\":";
        near.progress.append_to(output);
        output += '}';
    } else {
        output += "null";
    }
    if (best) {
        output += ",\"next\":";
        append_json(output, *best);
    }
    output += "}\n";
}

void Batch::write_csv(std::size_t line, std::string_view id, std::string_view name, const Value* best, std::string& output) {
    add_totals();
    append_uint(output, line);
    output += ',';
    append_csv_cell(output, id);
    output += ',';
    append_csv_cell(output, name);
    // The totals and the amounts, ",n" each: laid out backwards from the end of a buffer
    // (numbers are written from their last digit) and appended at once.
    numbers_.resize((program_.units.size() + program_.rules.size()) * (Decimal::kMaxChars + 1));
    char* const end = &numbers_[0] + numbers_.size();
    char* p = end;
    for (std::size_t i = program_.rules.size(); i-- > 0;) {
        if (program_.rules[i].kind == RuleKind::Award) continue;
        p = c_.components[i].amount.write_before(p);
        *--p = ',';
    }
    for (std::size_t u = program_.units.size(); u-- > 0;) {
        p = c_.totals[u].write_before(p);
        *--p = ',';
    }
    output.append(p, static_cast<std::size_t>(end - p));
    awards_.clear();
    for (std::size_t i = 0; i < program_.rules.size(); ++i) {
        if (program_.rules[i].kind != RuleKind::Award || !c_.components[i].award) continue;
        if (!awards_.empty()) awards_ += ' ';
        awards_ += program_.rules[i].id;
    }
    output += ',';
    append_csv_cell(output, awards_);
    const NearestTier near = nearest_tier(program_, c_);
    if (near.rule >= 0) {
        output += ',';
        output += program_.rules[static_cast<std::size_t>(near.rule)].id;  // an id: never needs quoting
        output += ',';
        append_uint(output, static_cast<std::size_t>(near.tier));
        output += ',';
        near.gap.append_to(output);
    } else {
        output += ",,,";
    }
    if (best) {
        for (const Rule& r : program_.rules) {
            if (!r.is_tiered()) continue;
            output += ',';
            if (const Value* d = best->find(r.id)) append_csv_cell(output, describe(*d));
        }
    }
    output += "\r\n";
}

NearestTier nearest_tier(const Program& program, const Computation& c) {
    NearestTier best;
    for (std::size_t i = 0; i < program.rules.size(); ++i) {
        const Rule& rule = program.rules[i];
        const Component& comp = c.components[i];
        if (!rule.is_tiered() || comp.status == Status::Locked) continue;
        const std::size_t next = static_cast<std::size_t>(comp.tier + 1);
        if (next >= rule.tiers.size()) continue;  // at the top
        const Decimal from = rule.tiers[next].from;
        // The step runs from the current tier's start (or from 0, or from the basis when
        // it is below 0) to the next tier's.
        const Decimal lo = comp.tier >= 0 ? rule.tiers[static_cast<std::size_t>(comp.tier)].from : Decimal::min(Decimal(), comp.basis);
        const Decimal span = from - lo;
        Decimal progress = span > Decimal() ? ((comp.basis - lo) / span).round(4) : Decimal();
        progress = Decimal::max(Decimal(), Decimal::min(Decimal(1), progress));
        if (best.rule >= 0 && !(progress > best.progress)) continue;
        best.rule = static_cast<int>(i);
        best.tier = static_cast<int>(next);
        best.from = from;
        best.current = comp.basis;
        best.gap = from - comp.basis;
        best.progress = progress;
    }
    return best;
}

Value best_drivers(const Program& program, const Value& result) {
    Value best = Value::object();
    for (const Value& comp : result.find("components")->as_array()) {
        const Value* next = comp.find("next");
        const Value* drivers = next ? next->find("drivers") : nullptr;
        if (!drivers || drivers->size() == 0) continue;
        const Value* top = nullptr;
        Decimal top_gain;
        for (const Value& d : drivers->as_array()) {
            const Value* g = d.find("gain")->find(program.currency);
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

std::string Batch::describe(const Value& d) const {
    std::string s = d.find("metric")->as_string();
    if (const Value* inc = d.find("increase")) s += " +" + inc->as_number().to_string();
    else s += " = true";
    if (const Value* g = d.find("gain")->find(program_.currency)) s += " => +" + g->as_number().to_string() + " " + program_.currency;
    return s;
}

}  // namespace dealercalc
