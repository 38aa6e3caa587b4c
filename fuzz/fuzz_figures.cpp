// The sample programme, loaded once; the input is a figures JSON text, parsed,
// validated and evaluated (next tiers, drivers, projection and trace all on).
#include <cstddef>
#include <cstdint>

#include "common.hpp"
#include "dealercalc/engine.hpp"
#include "dealercalc/figures.hpp"

using namespace dealercalc;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Program& program = fuzzsupport::sample_program();
    try {
        Figures figures = parse_figures(program, fuzzsupport::as_text(data, size));
        (void)evaluate(program, figures);
    } catch (const Failure&) {
    }
    return 0;
}
