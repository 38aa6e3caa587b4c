// Many dealers through one programme (spec §9 rows): input pushed in chunks of any size
// (CSV or JSON Lines), one output line per good row (CSV or JSON Lines), bad rows
// reported with their row number and skipped. Memory stays constant: only the
// unfinished record at the end of a chunk is kept. No I/O here; the CLI feeds it file
// chunks, the WASM module feeds it slices of an upload.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "dealercalc/csv.hpp"
#include "dealercalc/engine.hpp"
#include "dealercalc/error.hpp"
#include "dealercalc/program.hpp"

namespace dealercalc {

enum class BatchFormat { Csv, Jsonl };

struct BatchOptions {
    BatchFormat input = BatchFormat::Csv;
    BatchFormat output = BatchFormat::Csv;
    bool next = false;  // the best driver of every component with a next tier
};

// The component of one dealer closest to its next tier: the one that has covered the
// largest share of the step from its current tier (or from 0) to the next. Cheap (no
// search): it comes from the evaluation pass itself. rule = -1 when every tiered
// component is at its top tier or locked.
struct NearestTier {
    int rule = -1;
    int tier = 0;  // index of the next tier, as in a result's `next.index`
    Decimal from, current, gap;
    Decimal progress;  // 0..1, rounded to 4 places
};
NearestTier nearest_tier(const Program& program, const Computation& c);

// Per component of a result document (evaluated with next tiers) that has drivers: the
// one with the largest gain in the currency, with the tier it reaches
// ({"<rule id>": {"metric", "increase", "to", "gain", "tier"}}). What `--next` reports;
// a batch gets the same answer without building the document when it can.
Value best_drivers(const Program& program, const Value& result);

// A row that was skipped (row = 1-based line of the input), or, with row 0, a problem
// with the whole input (a malformed CSV record, which stops the batch: after an
// unbalanced quote nothing later can be trusted).
struct BatchProblem {
    std::size_t row = 0;
    Error error;
};

class Batch {
public:
    // `program` must outlive the batch.
    Batch(const Program& program, BatchOptions options);
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;

    // Feeds the next bytes of the input; appends the output of every row completed by
    // them (and, the first time, the CSV header) to `output`. Throws Failure(invalid_csv)
    // when the CSV header is unusable (and finish() when there is no header at all): a
    // whole-input error. A malformed record later stops the batch as a problem (row 0).
    void push(std::string_view input, std::string& output);
    // The input is complete: processes what is left.
    void finish(std::string& output);

    std::size_t rows() const { return rows_; }      // data rows seen (good and bad)
    std::size_t errors() const { return errors_; }  // rows skipped (and a stopping problem)
    bool stopped() const { return stopped_; }
    // Sum over the good rows, one per unit (program.units order).
    const std::vector<Decimal>& totals() const { return totals_; }
    // Header cells that name no metric (CSV input), known once the header is read.
    const std::vector<std::string>& unknown_columns() const { return unknown_; }
    // Problems since the last call.
    std::vector<BatchProblem> take_problems();

    // The CSV output header for this programme and options (also written by push).
    std::string csv_header() const;

private:
    void process_ready(std::string& output);
    void process_csv(std::string& output);
    void process_jsonl(std::string_view text, std::string& output);
    void run(std::size_t line, const Figures& figures, std::string& output);
    void run_row(std::size_t line, std::string& output);
    void add_totals();
    // `best`: the best driver per component (with next tiers), or nullptr.
    void write_jsonl(std::size_t line, const Value& dealer, const Value* best, std::string& output);
    void write_csv(std::size_t line, std::string_view id, std::string_view name, const Value* best, std::string& output);
    void problem(std::size_t line, const Failure& f);
    std::string describe(const Value& driver) const;

    const Program& program_;
    BatchOptions options_;
    // Input not processed yet; `scan_` is how far it was scanned for record ends.
    std::string pending_;
    std::size_t scan_ = 0;
    std::size_t ready_ = 0;  // pending_[0, ready_) ends on a record boundary
    bool in_quotes_ = false;
    std::size_t jsonl_line_ = 0;
    // CSV: one reader over the whole input; it reads the ready part and is resumed.
    std::string_view feed_;
    CsvReader reader_;
    bool header_read_ = false;
    bool header_written_ = false;
    CsvHeader header_;
    std::vector<std::string> unknown_;
    std::vector<std::string_view> cells_;  // the record just read, viewed in the reader
    std::vector<ErrorDetail> row_problems_;
    CsvRowValues row_;
    Computation c_;
    EvaluateOptions with_next_;
    // With next tiers, the best drivers come straight from the computation when the
    // programme's totals can never turn negative (see best_next_drivers).
    bool fast_next_ = false;
    Computation trial_;
    std::vector<Driver> found_;
    SearchScratch search_;
    std::string awards_;
    std::string numbers_;  // scratch of write_csv
    std::size_t rows_ = 0, errors_ = 0;
    bool stopped_ = false;
    std::vector<Decimal> totals_;
    std::vector<BatchProblem> problems_;
};

}  // namespace dealercalc
