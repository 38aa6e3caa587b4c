// dealer-calc: the native command line over the core.
//
//   dealer-calc validate --program P.json [--figures F.json]
//   dealer-calc evaluate --program P.json --figures F.json [--no-next] [--compact]
//   dealer-calc logic --rule RULE.json [--data DATA.json]
//   dealer-calc batch --program P.json --figures rows.csv|rows.jsonl [--out F] [--next]
//
// Results and error objects go to stdout as JSON; exit 0 for a result, 2 for an error
// object, 64 for a usage mistake.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "batch.hpp"
#include "dealercalc/engine.hpp"
#include "dealercalc/logic.hpp"
#include "dealercalc/version.hpp"

using namespace dealercalc;

namespace {

constexpr int kExitError = 2;
constexpr int kExitUsage = 64;

const char* kUsage =
    "usage:\n"
    "  dealer-calc validate --program P.json [--figures F.json]\n"
    "  dealer-calc evaluate --program P.json --figures F.json [--no-next] [--no-trace] [--compact]\n"
    "  dealer-calc logic --rule RULE.json [--data DATA.json]\n"
    "  dealer-calc batch --program P.json --figures rows.csv|rows.jsonl [--out results.csv|results.jsonl] [--next]\n"
    "  dealer-calc --version\n";

struct Args {
    std::string command;
    std::map<std::string, std::string> options;
    std::map<std::string, bool> flags;
};

bool parse_args(int argc, char** argv, Args& a) {
    if (argc < 2) return false;
    a.command = argv[1];
    for (int i = 2; i < argc; ++i) {
        std::string k = argv[i];
        if (k == "--no-next" || k == "--no-trace" || k == "--compact" || k == "--next" || k == "--pretty") {
            a.flags[k] = true;
        } else if ((k == "--program" || k == "--figures" || k == "--rule" || k == "--data" || k == "--out") && i + 1 < argc) {
            a.options[k] = argv[++i];
        } else {
            std::cerr << "dealer-calc: unknown or incomplete option " << k << "\n";
            return false;
        }
    }
    return true;
}

// Reads a whole file; throws Failure(io_error) naming it.
std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw make_failure("io_error", "cannot read " + path, "", "cannot_read");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void print(const Value& v, bool compact) {
    const std::string text = compact ? to_json(v) : to_json_pretty(v);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
}

int fail(const Failure& f, bool compact) {
    print(f.error.to_value(), compact);
    return kExitError;
}

int validate(const Args& a) {
    const auto program_path = a.options.find("--program");
    if (program_path == a.options.end()) return kExitUsage;
    const Program p = parse_program(read_file(program_path->second));
    std::optional<Figures> f;
    const auto figures_path = a.options.find("--figures");
    if (figures_path != a.options.end()) f = parse_figures(p, read_file(figures_path->second));
    const std::string line = validation_summary(p, f ? &*f : nullptr);
    std::cout << line << "\n";
    return 0;
}

int evaluate_command(const Args& a) {
    const auto program_path = a.options.find("--program");
    const auto figures_path = a.options.find("--figures");
    if (program_path == a.options.end() || figures_path == a.options.end()) return kExitUsage;
    EvaluateOptions options;
    options.next = !a.flags.count("--no-next");
    options.trace = !a.flags.count("--no-trace");
    const Program p = parse_program(read_file(program_path->second));
    const Figures f = parse_figures(p, read_file(figures_path->second));
    print(evaluate(p, f, options), a.flags.count("--compact") > 0);
    return 0;
}

int logic_command(const Args& a) {
    const auto rule_path = a.options.find("--rule");
    if (rule_path == a.options.end()) return kExitUsage;
    const Value rule = parse_document(read_file(rule_path->second));
    Value data;
    const auto data_path = a.options.find("--data");
    if (data_path != a.options.end()) data = parse_document(read_file(data_path->second));
    try {
        print(apply_logic(rule, data), a.flags.count("--compact") > 0);
    } catch (const LogicError& e) {
        throw make_failure("logic_error", e.what(), e.path, e.reason);
    } catch (const DecimalOverflow& e) {
        throw make_failure("logic_error", e.what(), "", "overflow");
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    Args a;
    if (argc == 2 && std::string(argv[1]) == "--version") {
        std::cout << "dealer-calc " << kVersion << "\n";
        return 0;
    }
    if (!parse_args(argc, argv, a)) {
        std::cerr << kUsage;
        return kExitUsage;
    }
    const bool compact = a.flags.count("--compact") > 0;
    int code = kExitUsage;
    try {
        if (a.command == "validate") code = validate(a);
        else if (a.command == "evaluate") code = evaluate_command(a);
        else if (a.command == "logic") code = logic_command(a);
        else if (a.command == "batch") code = run_batch(a.options, a.flags.count("--next") > 0);
    } catch (const Failure& f) {
        return fail(f, compact);
    } catch (const std::exception& e) {
        Error err;
        err.code = "internal_error";
        err.message = e.what();
        print(err.to_value(), compact);
        return kExitError;
    }
    if (code == kExitUsage) std::cerr << kUsage;
    return code;
}
