// The sample programme, loaded once; the input is a CSV upload for parse_figures_csv.
// Valid rows are then loaded as figures (and the first one evaluated), as the page does.
#include <cstddef>
#include <cstdint>

#include "common.hpp"
#include "dealercalc/csv.hpp"
#include "dealercalc/engine.hpp"
#include "dealercalc/figures.hpp"

using namespace dealercalc;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Program& program = fuzzsupport::sample_program();
    try {
        CsvFigures csv = parse_figures_csv(program, fuzzsupport::as_text(data, size));
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
    return 0;
}
