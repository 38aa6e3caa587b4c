// Programme text -> parse_program (parse + validate). A valid programme is then
// evaluated with a fixed small figures document (every metric set from a few fixed
// values by type, with as_of for projection) and with all-defaults figures ({}).
#include <cstddef>
#include <cstdint>

#include "common.hpp"
#include "dealercalc/engine.hpp"
#include "dealercalc/figures.hpp"

using namespace dealercalc;

namespace {

// A figures document for `program`: each metric gets a small valid-looking figure.
Value small_figures(const Program& program) {
    Value values = Value::object();
    int k = 0;
    for (const Metric& m : program.metrics) {
        ++k;
        if (m.type == MetricType::Boolean) {
            values.set(m.id, Value(k % 2 == 0));
            continue;
        }
        Decimal d = Decimal::from_int(k * 7 % 13);
        if (m.max && *m.max < d) d = *m.max;
        if (m.min && d < *m.min) d = *m.min;
        values.set(m.id, Value(d));
    }
    Value doc = Value::object();
    doc.set("format", Value(kFiguresFormat));
    doc.set("as_of", Value(program.has_period ? program.period_start.to_string() : std::string("2027-03-15")));
    doc.set("values", values);
    return doc;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Program program;
    try {
        program = parse_program(fuzzsupport::as_text(data, size));
    } catch (const Failure&) {
        return 0;
    }
    EvaluateOptions options;
    try {
        Figures figures = load_figures(program, small_figures(program));
        (void)evaluate(program, figures, options);
    } catch (const Failure&) {
    }
    try {
        Figures defaults = parse_figures(program, "{}");
        (void)evaluate(program, defaults, options);
    } catch (const Failure&) {
    }
    return 0;
}
