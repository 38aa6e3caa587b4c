// Batch: many dealers' rows pushed in chunks through one programme.
#include <doctest/doctest.h>

#include <string>
#include <vector>

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
Run run(const std::string& input, BatchOptions options, std::size_t chunk = 0) {
    Batch b(sample(), options);
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
