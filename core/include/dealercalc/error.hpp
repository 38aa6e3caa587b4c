// The one error shape of the spec (§11): a stable code, an English message, and details
// that each carry a JSON Pointer, a stable reason code (the page translates by it) and
// the English text.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "dealercalc/value.hpp"

namespace dealercalc {

struct ErrorDetail {
    std::string path;     // JSON Pointer into the offending document ("" = whole document)
    std::string reason;   // stable, snake_case: "duplicate_id", "not_integer", ...
    std::string message;  // English
    Value args;           // object of named parameters for translations ({"max": 2}), or null
};

struct Error {
    std::string code;     // parse_error, unsupported_format, invalid_program, invalid_figures, ...
    std::string message;  // English
    std::vector<ErrorDetail> details;
    std::size_t line = 0;    // parse_error only
    std::size_t column = 0;  // parse_error only

    // {"error": {"code", "message", "details": [...]}} as in spec §11.
    Value to_value() const;
};

// Thrown by the core for every expected failure; carries the structured error.
class Failure : public std::runtime_error {
public:
    explicit Failure(Error e) : std::runtime_error(e.message), error(std::move(e)) {}
    Error error;
};

// Builds a Failure for a single-detail error.
Failure make_failure(std::string code, std::string message, std::string path = "", std::string reason = "",
                     Value args = Value());

// parse_json that reports bad JSON as a Failure with code parse_error, line and column.
Value parse_document(std::string_view text, std::size_t max_depth = 256);

}  // namespace dealercalc
