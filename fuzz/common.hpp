// Shared helpers for the libFuzzer targets. Only dealercalc::Failure (and, for the
// JsonLogic target, dealercalc::LogicError) are expected; any other exception escaping a
// target is a bug and aborts the fuzzer, which is why nothing here catches std::exception.
#pragma once

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "dealercalc/program.hpp"

#ifndef DEALERCALC_SOURCE_DIR
#error "DEALERCALC_SOURCE_DIR must point at the repository"
#endif

namespace fuzzsupport {

inline std::string read_file(const std::string& relative) {
    std::ifstream in(std::string(DEALERCALC_SOURCE_DIR) + "/" + relative, std::ios::binary);
    if (!in) __builtin_trap();  // the fixture is part of the build: missing is a setup bug
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The sample programme, parsed once per process.
inline const dealercalc::Program& sample_program() {
    static const dealercalc::Program program = dealercalc::parse_program(read_file("programs/sample/program.json"));
    return program;
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return std::string_view(reinterpret_cast<const char*>(data), size);
}

}  // namespace fuzzsupport
