// What csv.cpp and csv_reader.cpp share; not public API.
#pragma once

#include <cstddef>
#include <string>

#include "dealercalc/error.hpp"
#include "dealercalc/value.hpp"

namespace dealercalc {

// A malformed file: code invalid_csv, one detail with the reason and {"row", "column", ...}
// (and the members of `extra`); the message starts "row R, column C: ".
Failure csv_failure(const std::string& reason, std::size_t row, std::size_t column, const std::string& text,
                    Value extra = Value());
// {"max": max}, the argument of a limit's error.
Value limit_arg(std::size_t max);

}  // namespace dealercalc
