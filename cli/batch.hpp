// dealer-calc batch: many dealers' rows through one programme.
#pragma once

#include <map>
#include <string>

// Returns the process exit code.
int run_batch(const std::map<std::string, std::string>& options, bool next);
