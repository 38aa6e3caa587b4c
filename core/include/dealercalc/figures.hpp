// A dealer's figures (spec §9): validated against the programme's metrics, with
// defaults filled in. Nothing is computed from a half-valid input.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dealercalc/error.hpp"
#include "dealercalc/program.hpp"
#include "dealercalc/value.hpp"

namespace dealercalc {

inline constexpr const char* kFiguresFormat = "dealer-incentive-figures/1";

struct Figures {
    Value dealer;             // {"id", "name", ...} as given, or null
    bool has_as_of = false;
    Date as_of;
    std::vector<Value> values;  // one per metric (metric order), defaults filled in
    std::vector<bool> given;    // whether the figures held the metric
    std::vector<Value> warnings;  // missing_metric, unknown_metric
};

// Checks one figure against its metric. Returns the failure (reason + English message +
// args) or nullopt when the value is valid. `path` goes into the detail as is.
std::optional<ErrorDetail> check_figure(const Program& program, const Metric& metric, const Value& value,
                                        const std::string& path);

// Figures from metric values that were already checked (null = not given): defaults
// filled in, missing_metric warnings. The batch path, which has no document.
Figures figures_from_values(const Program& program, std::vector<Value> values, Value dealer);

// Validates a figures document. Throws Failure with parse_error, unsupported_format or
// invalid_figures (every bad value, each at /values/<id>).
Figures load_figures(const Program& program, const Value& document);
Figures parse_figures(const Program& program, std::string_view json_text);

// The one-line summary `dealer-calc validate` prints (also the WASM API's summary()):
// "ok: programme ID VERSION: N metrics, …; figures valid for D-1 (1 warning)".
std::string validation_summary(const Program& program, const Figures* figures);

}  // namespace dealercalc
