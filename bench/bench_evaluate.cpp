// One evaluation of the sample programme, with and without next tiers and drivers:
// p50/p95 over many runs. Not a test: it prints figures and writes JSON.
//
//   build/native/bench/bench_evaluate [runs] [--json bench/results/evaluate.json]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "dealercalc/engine.hpp"

using namespace dealercalc;
using Clock = std::chrono::steady_clock;

namespace {

std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

struct Stats {
    double p50, p95, mean;
};

template <typename F>
Stats measure(int runs, F&& f) {
    std::vector<double> us;
    us.reserve(static_cast<std::size_t>(runs));
    for (int i = 0; i < runs / 10; ++i) f();  // warm up
    for (int i = 0; i < runs; ++i) {
        const auto t0 = Clock::now();
        f();
        us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    }
    std::vector<double> sorted = us;
    std::sort(sorted.begin(), sorted.end());
    double sum = 0;
    for (double v : us) sum += v;
    return {sorted[sorted.size() / 2], sorted[sorted.size() * 95 / 100], sum / static_cast<double>(us.size())};
}

}  // namespace

int main(int argc, char** argv) {
    int runs = 2000;
    std::string json_out;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--json" && i + 1 < argc) json_out = argv[++i];
        else runs = std::max(10, std::atoi(argv[i]));
    }
    const std::string dir = std::string(DEALERCALC_SOURCE_DIR) + "/programs/sample/";
    const Program program = parse_program(read(dir + "program.json"));
    const Figures figures = parse_figures(program, read(dir + "figures.json"));

    std::size_t sink = 0;
    // The engine's pass alone: what a batch row or a driver trial costs.
    Computation c;
    const Stats pass = measure(runs * 10, [&] {
        load_inputs(program, figures, c.slots);
        compute(program, c);
        sink += c.components.size();
    });
    EvaluateOptions plain;
    plain.next = false;
    plain.projection = false;
    plain.trace = false;
    const Stats document = measure(runs, [&] { sink += evaluate(program, figures, plain).size(); });
    // What the page shows while the dealer types: trace and projection, no next tiers.
    EvaluateOptions no_next;
    no_next.next = false;
    const Stats traced = measure(runs, [&] { sink += evaluate(program, figures, no_next).size(); });
    const Stats full = measure(runs, [&] { sink += evaluate(program, figures).size(); });
    const Stats text = measure(runs, [&] { sink += to_json(evaluate(program, figures)).size(); });

    std::printf("sample programme: %zu metrics, %zu rules (%d runs)\n", program.metrics.size(), program.rules.size(), runs);
    std::printf("%-52s %10s %10s\n", "", "p50 (us)", "p95 (us)");
    std::printf("%-52s %10.2f %10.2f\n", "compute pass (no next tiers, no document)", pass.p50, pass.p95);
    std::printf("%-52s %10.2f %10.2f\n", "evaluate without next tiers/projection/trace", document.p50, document.p95);
    std::printf("%-52s %10.2f %10.2f\n", "evaluate without next tiers (trace and projection on)", traced.p50, traced.p95);
    std::printf("%-52s %10.2f %10.2f\n", "evaluate with next tiers, drivers, projection", full.p50, full.p95);
    std::printf("%-52s %10.2f %10.2f\n", "  ... and serialise to JSON", text.p50, text.p95);
    if (!json_out.empty()) {
        std::ofstream out(json_out);
        out << "{\n  \"benchmark\": \"evaluate the sample programme natively\",\n"
            << "  \"runs\": " << runs << ",\n"
            << "  \"compute_pass_us\": {\"p50\": " << pass.p50 << ", \"p95\": " << pass.p95 << "},\n"
            << "  \"evaluate_without_next_us\": {\"p50\": " << document.p50 << ", \"p95\": " << document.p95 << "},\n"
            << "  \"evaluate_without_next_with_trace_and_projection_us\": {\"p50\": " << traced.p50 << ", \"p95\": " << traced.p95
            << "},\n"
            << "  \"evaluate_with_next_us\": {\"p50\": " << full.p50 << ", \"p95\": " << full.p95 << "},\n"
            << "  \"evaluate_with_next_and_json_us\": {\"p50\": " << text.p50 << ", \"p95\": " << text.p95 << "}\n}\n";
    }
    return sink == 0 ? 1 : 0;
}
