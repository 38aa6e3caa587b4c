// Small helpers shared by the core tests.
#pragma once

#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>

#ifndef DEALERCALC_SOURCE_DIR
#define DEALERCALC_SOURCE_DIR "."
#endif

inline std::string test_path(const std::string& relative) { return std::string(DEALERCALC_SOURCE_DIR) + "/" + relative; }

inline std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}
