// dealer-calc batch: streams many dealers' rows (CSV or JSON Lines) through one
// programme in constant memory. One output row per input row; a bad row is reported on
// stderr with its row number and skipped; a summary goes to stderr at the end.
#include "batch.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "dealercalc/batch.hpp"

using namespace dealercalc;

namespace {

bool ends_with(const std::string& s, const char* suffix) {
    const std::string x(suffix);
    return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw make_failure("io_error", "cannot read " + path, "", "cannot_read");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

int run_batch(const std::map<std::string, std::string>& options, bool next) {
    const auto program_path = options.find("--program");
    const auto figures_path = options.find("--figures");
    if (program_path == options.end() || figures_path == options.end()) return 64;
    const auto t0 = std::chrono::steady_clock::now();
    const Program program = parse_program(read_file(program_path->second));

    std::FILE* in = std::fopen(figures_path->second.c_str(), "rb");
    if (!in) throw make_failure("io_error", "cannot read " + figures_path->second, "", "cannot_read");
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> in_guard(in, &std::fclose);

    std::FILE* out = stdout;
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> out_guard(nullptr, &std::fclose);
    bool out_jsonl = false;
    if (const auto o = options.find("--out"); o != options.end()) {
        out = std::fopen(o->second.c_str(), "wb");
        if (!out) throw make_failure("io_error", "cannot write " + o->second, "", "cannot_write");
        out_guard.reset(out);
        out_jsonl = ends_with(o->second, ".jsonl") || ends_with(o->second, ".json");
    }
    static char out_buffer[1 << 16];
    std::setvbuf(out, out_buffer, _IOFBF, sizeof out_buffer);

    BatchOptions batch_options;
    batch_options.next = next;
    batch_options.output = out_jsonl ? BatchFormat::Jsonl : BatchFormat::Csv;
    const bool jsonl_in = ends_with(figures_path->second, ".jsonl") || ends_with(figures_path->second, ".ndjson");
    batch_options.input = jsonl_in ? BatchFormat::Jsonl : BatchFormat::Csv;
    Batch batch(program, batch_options);

    bool warned = false;
    auto report = [&]() {
        if (!warned && batch.unknown_columns().size()) {
            for (const std::string& u : batch.unknown_columns())
                std::cerr << "warning: column \"" << u << "\" names no metric; ignored\n";
            warned = true;
        }
        for (const BatchProblem& p : batch.take_problems()) {
            if (p.row > 0 && batch_options.input == BatchFormat::Jsonl) std::cerr << "row " << p.row << ": " << p.error.code << ": ";
            std::cerr << p.error.message << "\n";
        }
    };
    std::string output;
    static char buffer[1 << 16];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, in)) > 0;) {
        batch.push(std::string_view(buffer, n), output);
        std::fwrite(output.data(), 1, output.size(), out);
        output.clear();
        report();
        if (batch.stopped()) break;
    }
    batch.finish(output);
    std::fwrite(output.data(), 1, output.size(), out);
    report();
    const std::size_t rows = batch.rows(), errors = batch.errors();
    const std::vector<Decimal>& grand = batch.totals();
    std::fflush(out);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cerr << "batch: " << rows << " rows, " << errors << " errors";
    for (std::size_t u = 0; u < grand.size(); ++u) std::cerr << ", total " << program.units[u].id << " " << grand[u].to_string();
    std::cerr << ", " << seconds << " s";
    if (seconds > 0) std::cerr << " (" << static_cast<long long>(static_cast<double>(rows) / seconds) << " rows/s)";
    std::cerr << "\n";
    return errors == 0 ? 0 : 1;
}
