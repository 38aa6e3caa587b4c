// The sample programme, loaded once; the input is a CSV upload, read two ways:
// - whole, by parse_figures_csv (the page's upload): valid rows are loaded as figures
//   and the first one evaluated, as the page does;
// - streamed, by Batch (dealer-calc batch, the page's network view), pushed in chunks
//   whose size comes from the input's first byte, so record ends fall anywhere.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common.hpp"
#include "dealercalc/batch.hpp"
#include "dealercalc/csv.hpp"
#include "dealercalc/engine.hpp"
#include "dealercalc/figures.hpp"

using namespace dealercalc;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Program& program = fuzzsupport::sample_program();
    const std::string_view text = fuzzsupport::as_text(data, size);
    try {
        CsvFigures csv = parse_figures_csv(program, text);
        bool evaluated = false;
        for (const CsvFigures::Row& row : csv.rows) {
            if (!row.errors.empty()) continue;
            try {
                Figures figures = load_figures(program, row.figures);
                if (!evaluated) {
                    EvaluateOptions options;
                    options.trace = false;
                    (void)evaluate(program, figures, options);
                    evaluated = true;
                }
            } catch (const Failure&) {
            }
        }
    } catch (const Failure&) {
    }

    const std::size_t chunk = size == 0 ? 1 : 1 + data[0] % 61;
    BatchOptions options;
    options.next = size > 0 && (data[0] & 0x80);
    Batch batch(program, options);
    std::string out;
    try {
        for (std::size_t at = 0; at < size && !batch.stopped(); at += chunk) {
            batch.push(text.substr(at, chunk), out);
            (void)batch.take_problems();
            if (out.size() > (1u << 20)) out.clear();
        }
        batch.finish(out);
    } catch (const Failure&) {
    }
    // Every data row is either written or counted as an error.
    if (batch.errors() > batch.rows() + 1) __builtin_trap();
    return 0;
}
