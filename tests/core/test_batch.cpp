// Batch: many dealers' rows pushed in chunks through one programme.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "../../core/src/engine_internal.hpp"  // totals_never_negative, behind the batch's next-tier path
#include "dealercalc/batch.hpp"
#include "programs.hpp"
#include "support.hpp"

using namespace dealercalc;
using testprog::at;
using testprog::D;
using testprog::J;

namespace {

const Program& sample() {
    static const Program p = parse_program(read_text(test_path("programs/sample/program.json")));
    return p;
}

struct Run {
    std::string output;
    std::vector<BatchProblem> problems;
    std::size_t rows = 0, errors = 0;
    bool stopped = false;
    std::vector<Decimal> totals;
};

// Feeds `input` in pieces of `chunk` bytes (0 = all at once).
Run run_program(const Program& program, const std::string& input, BatchOptions options, std::size_t chunk = 0) {
    Batch b(program, options);
    Run r;
    if (chunk == 0) chunk = input.size() + 1;
    for (std::size_t at = 0; at < input.size(); at += chunk) {
        b.push(std::string_view(input).substr(at, chunk), r.output);
        for (BatchProblem& p : b.take_problems()) r.problems.push_back(std::move(p));
    }
    b.finish(r.output);
    for (BatchProblem& p : b.take_problems()) r.problems.push_back(std::move(p));
    r.rows = b.rows();
    r.errors = b.errors();
    r.stopped = b.stopped();
    r.totals = b.totals();
    return r;
}

Run run(const std::string& input, BatchOptions options, std::size_t chunk = 0) { return run_program(sample(), input, options, chunk); }

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) out.push_back(text.substr(start, nl - start));
    return out;
}

const std::string& network() {
    static const std::string text = read_text(test_path("programs/sample/figures-network.csv"));
    return text;
}

}  // namespace

TEST_CASE("Batch gives one CSV line per dealer with totals, components and awards") {
    const Run r = run(network(), {});
    CHECK(r.rows == 12);
    CHECK(r.errors == 0);
    const auto out = lines(r.output);
    REQUIRE(out.size() == 13);
    CHECK(out[0].rfind("row,dealer_id,dealer_name,total_CNY,total_points,", 0) == 0);
    // D-0042 is the sample figures of the page: ¥12,798.30 and 480 points.
    CHECK(out[1].rfind("2,D-0042,杭州西湖数码专营店,12798.3,480,", 0) == 0);
    // A dealer name holding a comma is quoted.
    CHECK(out[9].find(",\"青岛市南区数码港, 台东店\",") != std::string::npos);
    // The grand total is the sum of the rows' currency totals (column 4).
    CsvReader reader(r.output);
    std::vector<std::string> cells;
    REQUIRE(reader.next(cells));
    REQUIRE(cells.at(3) == "total_CNY");
    Decimal sum;
    std::size_t records = 0;
    while (reader.next(cells)) {
        sum += D(cells.at(3));
        ++records;
    }
    CHECK(records == 12);
    CHECK(r.totals.at(0) == sum);
    CHECK(sum > D("100000"));
}

TEST_CASE("Batch output does not depend on how the input is cut into chunks") {
    // A quoted cell with a line break and a comma, split at every possible place.
    std::string input = network();
    input.insert(input.find("D-0809,义乌"), "D-9001,\"两行\n名称, 有逗号\",2027-03-15,1,2,3,4,5,6,7,8,9,10,11,12,13,1,1,1,1,1,1,1,true\r\n");
    const Run whole = run(input, {});
    CHECK(whole.rows == 13);
    CHECK(whole.errors == 0);
    for (std::size_t chunk : {1, 2, 3, 7, 64, 1000}) {
        CAPTURE(chunk);
        const Run pieces = run(input, {}, chunk);
        CHECK(pieces.output == whole.output);
        CHECK(pieces.totals == whole.totals);
    }
    BatchOptions jsonl;
    jsonl.output = BatchFormat::Jsonl;
    jsonl.next = true;
    CHECK(run(input, jsonl, 5).output == run(input, jsonl).output);
}

TEST_CASE("Batch skips a bad row with its row number and goes on") {
    std::string input = network();
    const std::size_t at = input.find("D-0203,");
    input.replace(input.find(",15,", at), 4, ",lots,");
    const Run r = run(input, {}, 100);
    CHECK(r.rows == 12);
    CHECK(r.errors == 1);
    CHECK_FALSE(r.stopped);
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0].row == 5);
    CHECK(r.problems[0].error.code == "invalid_figures");
    CHECK(r.problems[0].error.message.find("row 5, column 4") != std::string::npos);
    CHECK(lines(r.output).size() == 12);  // header + 11 good rows
    CHECK(r.output.find("D-0203") == std::string::npos);
}

TEST_CASE("Batch stops at a malformed record and keeps what came before") {
    const std::string input = network().substr(0, network().find("D-0118")) + "D-1,\"never closed,1,2\n" + "D-2,x,2027-03-15\n";
    const Run r = run(input, {}, 16);
    CHECK(r.stopped);
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0].row == 0);
    CHECK(r.problems[0].error.details.at(0).reason == "unterminated_quote");
    CHECK(lines(r.output).size() == 3);  // header + the two rows before it
}

TEST_CASE("Batch refuses an input with no usable header as a whole") {
    Batch b(sample(), {});
    std::string out;
    CHECK_THROWS_AS(b.push("name,colour\nx,y\n", out), Failure);
    Batch empty(sample(), {});
    CHECK_THROWS_AS(empty.finish(out), Failure);
}

TEST_CASE("Batch escapes spreadsheet formulas in the CSV it writes") {
    std::string input = network();
    input.replace(input.find("杭州西湖数码专营店"), std::string("杭州西湖数码专营店").size(), "\"=HYPERLINK(\"\"http://x\"\")\"");
    input.replace(input.find("D-0007"), 6, "@SUM(A1)");
    const Run r = run(input, {});
    CHECK(r.output.find(",\"'=HYPERLINK(\"\"http://x\"\")\",") != std::string::npos);
    CHECK(r.output.find(",'@SUM(A1),") != std::string::npos);
    CHECK(r.output.find(",=") == std::string::npos);
}

TEST_CASE("Batch reads and writes JSON Lines, with the best driver per component when asked") {
    const std::string fig = read_text(test_path("programs/sample/figures.json"));
    std::string one;
    for (char ch : fig)
        if (ch != '\n' && ch != '\r') one += ch;
    BatchOptions o;
    o.input = BatchFormat::Jsonl;
    o.output = BatchFormat::Jsonl;
    o.next = true;
    const Run r = run(one + "\n\nnot json\n" + one + "\n{\"format\":\"dealer-incentive-figures/1\",\"values\":{\"content_posts\":-1}}\n", o, 10);
    CHECK(r.rows == 4);
    CHECK(r.errors == 2);
    REQUIRE(r.problems.size() == 2);
    CHECK(r.problems[0].row == 3);
    CHECK(r.problems[0].error.code == "parse_error");
    CHECK(r.problems[1].row == 5);
    CHECK(r.problems[1].error.code == "invalid_figures");
    const auto out = lines(r.output);
    REQUIRE(out.size() == 2);
    CHECK(out[0] == out[1].substr(0, 8).replace(7, 1, "1") + out[1].substr(8));
    const Value v = parse_json(out[0]);
    CHECK(J(v, "row") == "1");
    CHECK(J(v, "totals/CNY") == "12798.3");
    CHECK(J(v, "totals/points") == "480");
    CHECK(at(v, "next").size() > 0);
    CHECK(r.totals.at(0) == D("25596.6"));
}

TEST_CASE("Batch names each dealer's nearest next tier: the largest share of the step already covered") {
    BatchOptions o;
    o.output = BatchFormat::Jsonl;
    const Run r = run(network(), o);
    const auto out = lines(r.output);
    REQUIRE(out.size() == 12);
    // D-0042: growth 9.94 % against the 10 % tier (from the 5 % tier): 98.8 % of the step.
    const Value first = parse_json(out[0]);
    CHECK(J(first, "nearest") == R"({"rule":"growth_rebate","tier":1,"from":0.1,"current":0.0994,"gap":0.0006,"progress":0.988})");
    // D-0007 is at the top tier of every tiered rule.
    const Value second = parse_json(out[1]);
    CHECK(J(second, "dealer/id") == "\"D-0007\"");
    CHECK(J(second, "nearest") == "null");
    // The CSV output has the same in its last three columns.
    const Run csv = run(network(), {});
    const auto rows = lines(csv.output);
    CHECK(rows[0].find(",awards,nearest_rule,nearest_tier,nearest_gap\r") != std::string::npos);
    CHECK(rows[1].find(",growth_rebate,1,0.0006\r") != std::string::npos);
    CHECK(rows[2].find(",,,\r") != std::string::npos);
}

TEST_CASE("Nearest tier skips locked rules and rules at their top tier") {
    const Program p = parse_program(testprog::program(
        testprog::metric("a", "count") + "," + testprog::metric("b", "count"),
        R"({"id": "low", "kind": "tiered", "mode": "fixed", "basis": "a", "tiers": [{"from": 10, "amount": 1}, {"from": 20, "amount": 2}]},
           {"id": "gated", "kind": "tiered", "mode": "fixed", "basis": "b", "when": {">": [{"var": "a"}, 100]},
            "tiers": [{"from": 10, "amount": 1}]})"));
    Computation c;
    load_inputs(p, parse_figures(p, testprog::figures(R"("a": 15, "b": 9)")), c.slots);
    compute(p, c);
    NearestTier n = nearest_tier(p, c);
    CHECK(n.rule == 0);  // "gated" would be at 90 %, but it is locked
    CHECK(n.tier == 1);
    CHECK(n.gap == D("5"));
    CHECK(n.progress == D("0.5"));
    load_inputs(p, parse_figures(p, testprog::figures(R"("a": 25, "b": 9)")), c.slots);
    compute(p, c);
    CHECK(nearest_tier(p, c).rule == -1);  // "low" at its top, "gated" locked
    load_inputs(p, parse_figures(p, testprog::figures(R"("a": 101, "b": 9)")), c.slots);
    compute(p, c);
    n = nearest_tier(p, c);
    CHECK(n.rule == 1);
    CHECK(n.progress == D("0.9"));
}

namespace {

// `rows` figures documents, one per line, with every metric of `p` varied around `base`
// (a value per metric id) deterministically: 0, a share, the value itself, a little more,
// twice as much.
std::string varied_figures(const Program& p, const Value& base, int rows) {
    static const char* const kFactors[] = {"0", "0.5", "0.9", "0.99", "1", "1.01", "1.1", "2", "0.2", "1.5", "0.999"};
    std::string out;
    for (int r = 0; r < rows; ++r) {
        Value values = Value::object();
        for (std::size_t i = 0; i < p.metrics.size(); ++i) {
            const Metric& m = p.metrics[i];
            const Value* v = base.find(m.id);
            if (m.type == MetricType::Boolean) {
                values.add(m.id, Value((r + static_cast<int>(i)) % 3 != 0));
                continue;
            }
            const Decimal b = v && v->is_number() ? v->as_number() : Decimal(10);
            Decimal x = (b * D(kFactors[(static_cast<std::size_t>(r) * 7 + i * 3) % 11])).round(m.decimals);
            if (m.min && x < *m.min) x = *m.min;
            if (m.max && x > *m.max) x = *m.max;
            values.add(m.id, Value(x));
        }
        Value doc = Value::object();
        doc.add("format", "dealer-incentive-figures/1");
        doc.add("dealer", parse_json(R"({"id": "D-)" + std::to_string(r) + R"("})"));
        doc.add("values", std::move(values));
        out += to_json(doc) + "\n";
    }
    return out;
}

// Runs `input` (JSON Lines) through a batch with next tiers and checks every row's "next"
// against the whole result document's; gives how many rows were compared.
int check_next_against_documents(const Program& p, const std::string& input) {
    BatchOptions o;
    o.input = BatchFormat::Jsonl;
    o.output = BatchFormat::Jsonl;
    o.next = true;
    const Run r = run_program(p, input, o, 1000);
    CHECK(r.errors == 0);
    const auto in = lines(input);
    const auto out = lines(r.output);
    REQUIRE(in.size() == out.size());
    EvaluateOptions full;
    full.projection = false;
    full.trace = false;
    int compared = 0;
    for (std::size_t i = 0; i < in.size(); ++i) {
        const Value result = evaluate(p, load_figures(p, parse_document(in[i])), full);
        CAPTURE(in[i]);
        CHECK(to_json(at(parse_json(out[i]), "next")) == to_json(best_drivers(p, result)));
        ++compared;
    }
    return compared;
}

}  // namespace

TEST_CASE("Batch with next tiers: the best drivers straight from the computation are those of the whole document") {
    // The sample's totals never turn negative: its rows take the path without a document.
    REQUIRE(totals_never_negative(sample()));
    const Value base = at(parse_json(read_text(test_path("programs/sample/figures.json"))), "values");
    CHECK(check_next_against_documents(sample(), varied_figures(sample(), base, 60)) == 60);

    // A programme whose totals may turn negative (an uplift below 1, a rate of a derived
    // value) takes the whole document for every row: the same result.
    const Program p = parse_program(testprog::program(
        testprog::metric("sales", "amount") + "," + testprog::metric("visits", "count") + "," +
            testprog::metric("signed", "boolean"),
        R"({"id": "per_visit", "kind": "rate", "base": "ratio", "rate": 10},
           {"id": "volume", "kind": "tiered", "mode": "retro", "basis": "sales", "tiers": [{"from": 1000, "rate": 0.01}, {"from": 5000, "rate": 0.02}]},
           {"id": "damper", "kind": "multiplier", "basis": "visits", "applies_to": ["volume"], "tiers": [{"from": 10, "factor": 0.5}, {"from": 50, "factor": 1.5}]},
           {"id": "gated", "kind": "tiered", "mode": "fixed", "basis": "visits", "when": {"var": "signed"}, "tiers": [{"from": 20, "amount": 100}, {"from": 40, "amount": 300}]})",
        R"("derived": [{"id": "ratio", "expr": {"/": [{"var": "sales"}, {"+": [{"var": "visits"}, 1]}]}, "precision": 2}])"));
    CHECK_FALSE(totals_never_negative(p));
    const Value small = parse_json(R"({"sales": 3000, "visits": 30, "signed": true})");
    CHECK(check_next_against_documents(p, varied_figures(p, small, 40)) == 40);
}

TEST_CASE("Batch with next tiers reports a row whose evaluation overflows, whichever path it takes") {
    // The next tier's gap is beyond 10^15: the evaluation fails, and so does the row.
    const Program p = parse_program(testprog::program(
        testprog::metric("x", "number", R"("min": -999999999999, "max": 999999999999)"),
        R"({"id": "far", "kind": "tiered", "mode": "fixed", "basis": "big", "tiers": [{"from": 100000000000, "amount": 1}]})",
        R"("derived": [{"id": "big", "expr": {"*": [{"var": "x"}, 1000]}}])"));
    REQUIRE(totals_never_negative(p));
    const std::string rows = testprog::figures(R"("x": -999999999999)") + "\n" + testprog::figures(R"("x": 5)") + "\n";
    BatchOptions o;
    o.input = BatchFormat::Jsonl;
    o.output = BatchFormat::Jsonl;
    o.next = true;
    const Run r = run_program(p, rows, o);
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0].row == 1);
    CHECK(r.problems[0].error.code == "overflow");
    CHECK(lines(r.output).size() == 1);
    bool threw = false;
    try {
        evaluate(p, parse_figures(p, testprog::figures(R"("x": -999999999999)")));
    } catch (const Failure& f) {
        threw = f.error.code == "overflow";
    }
    CHECK(threw);
}

TEST_CASE("totals_never_negative: only programmes whose every line and cap keep totals at 0 or more") {
    const std::string metrics = testprog::metric("a", "count") + "," + testprog::metric("b", "number") + "," +
                                testprog::metric("c", "number", R"("min": 0)");
    const auto check = [&](const std::string& rules, const std::string& extra = "") {
        return totals_never_negative(parse_program(testprog::program(metrics, rules, extra)));
    };
    CHECK(check(R"({"id": "r", "kind": "rate", "base": "a", "rate": 2})"));
    CHECK(check(R"({"id": "r", "kind": "rate", "base": "c", "rate": 2, "per": 10})"));
    CHECK_FALSE(check(R"({"id": "r", "kind": "rate", "base": "b", "rate": 2})"));   // b may be negative
    CHECK_FALSE(check(R"({"id": "r", "kind": "rate", "base": "a", "rate": -2})"));
    CHECK(check(R"({"id": "t", "kind": "tiered", "mode": "marginal", "basis": "b", "tiers": [{"from": -5, "rate": 1}, {"from": 5, "rate": 2}]})"));
    CHECK_FALSE(check(R"({"id": "t", "kind": "tiered", "mode": "marginal", "basis": "b", "tiers": [{"from": -5, "rate": -1}]})"));
    CHECK(check(R"({"id": "t", "kind": "tiered", "mode": "retro", "basis": "b", "base": "a", "tiers": [{"from": 1, "rate": 0.1}]})"));
    CHECK_FALSE(check(R"({"id": "t", "kind": "tiered", "mode": "retro", "basis": "b", "tiers": [{"from": 1, "rate": 0.1}]})"));
    CHECK(check(R"({"id": "t", "kind": "tiered", "mode": "fixed", "basis": "b", "tiers": [{"from": 1, "amount": 5}]})"));
    const std::string paid = R"({"id": "r1", "kind": "rate", "base": "a", "rate": 1}, {"id": "r2", "kind": "rate", "base": "c", "rate": 1})";
    CHECK(check(paid + R"(, {"id": "m", "kind": "multiplier", "basis": "a", "applies_to": ["r1"], "tiers": [{"from": 1, "factor": 1.2}]})"));
    CHECK_FALSE(check(paid + R"(, {"id": "m", "kind": "multiplier", "basis": "a", "applies_to": ["r1"], "tiers": [{"from": 1, "factor": 0.8}]})"));
    // Caps: disjoint, or inner before outer; not an outer cap before one inside it.
    CHECK(check(paid, R"("caps": [{"id": "k1", "rules": ["r1"], "max": 5}, {"id": "k2", "rules": ["r2"], "max": 5}, {"id": "all", "unit": "CNY", "max": 8}])"));
    CHECK_FALSE(check(paid, R"("caps": [{"id": "all", "unit": "CNY", "max": 8}, {"id": "k1", "rules": ["r1"], "max": 0}])"));
    // And the sample programme.
    CHECK(totals_never_negative(sample()));
}
