#pragma once

namespace dealercalc {
// The core's version; the CLI, the WASM API and the page report it.
inline constexpr const char* kVersion = "0.1.0";
}  // namespace dealercalc
