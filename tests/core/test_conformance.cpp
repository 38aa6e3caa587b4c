// Runs every case in tests/conformance/cases through the core, matching as
// tests/conformance/README.md says.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dealercalc/engine.hpp"
#include "support.hpp"

using namespace dealercalc;

namespace {

bool matches(const Value& expected, const Value& actual, const std::string& path, std::string& why);

const Value* component_by_id(const Value& list, const std::string& id) {
    for (const Value& c : list.as_array())
        if (const Value* v = c.find("id"); v && v->is_string() && v->as_string() == id) return &c;
    return nullptr;
}

bool match_array(const Value& expected, const Value& actual, const std::string& path, std::string& why) {
    const Array& e = expected.as_array();
    const Array& a = actual.as_array();
    if (e.size() != a.size()) {
        why = path + ": expected " + std::to_string(e.size()) + " elements, got " + std::to_string(a.size()) + ": " + to_json(actual);
        return false;
    }
    // Each expected element matches a different actual element (order does not matter):
    // a small bipartite matching by backtracking.
    std::vector<bool> used(a.size(), false);
    std::function<bool(std::size_t)> assign = [&](std::size_t i) {
        if (i == e.size()) return true;
        for (std::size_t j = 0; j < a.size(); ++j) {
            std::string ignored;
            if (!used[j] && matches(e[i], a[j], path, ignored)) {
                used[j] = true;
                if (assign(i + 1)) return true;
                used[j] = false;
            }
        }
        return false;
    };
    if (!assign(0)) {
        why = path + ": elements do not match: expected " + to_json(expected) + ", got " + to_json(actual);
        return false;
    }
    return true;
}

bool matches(const Value& expected, const Value& actual, const std::string& path, std::string& why) {
    if (expected.is_number()) {
        if (!actual.is_number()) {
            why = path + ": expected a number, got " + to_json(actual);
            return false;
        }
        const Decimal diff = (expected.as_number() - actual.as_number()).abs();
        if (diff >= Decimal::parse_or_throw("0.000000001")) {
            why = path + ": expected " + expected.as_number().to_string() + ", got " + actual.as_number().to_string();
            return false;
        }
        return true;
    }
    if (expected.is_object()) {
        if (!actual.is_object()) {
            why = path + ": expected an object, got " + to_json(actual);
            return false;
        }
        for (const Member& m : expected.as_object()) {
            const std::string sub = path + "/" + m.key;
            const Value* got = actual.find(m.key);
            if (!got) {
                why = sub + ": missing in the result";
                return false;
            }
            if (m.key == "components" && m.value.is_object() && got->is_array()) {
                for (const Member& c : m.value.as_object()) {
                    const Value* comp = component_by_id(*got, c.key);
                    if (!comp) {
                        why = sub + "/" + c.key + ": no component with that id";
                        return false;
                    }
                    if (!matches(c.value, *comp, sub + "/" + c.key, why)) return false;
                }
                continue;
            }
            if (!matches(m.value, *got, sub, why)) return false;
        }
        return true;
    }
    if (expected.is_array()) {
        if (!actual.is_array()) {
            why = path + ": expected an array, got " + to_json(actual);
            return false;
        }
        return match_array(expected, actual, path, why);
    }
    if (!(expected == actual)) {
        why = path + ": expected " + to_json(expected) + ", got " + to_json(actual);
        return false;
    }
    return true;
}

}  // namespace

TEST_CASE("Every conformance case passes through the core") {
    namespace fs = std::filesystem;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(test_path("tests/conformance/cases")))
        if (entry.path().extension() == ".json") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() >= 12);
    for (const fs::path& file : files) {
        CAPTURE(file.filename().string());
        const Value kase = parse_json(read_text(file.string()));
        const Value* program = kase.find("program");
        const Value* figures = kase.find("figures");
        REQUIRE(program);
        REQUIRE(figures);
        const Value out = evaluate_texts(to_json(*program), to_json(*figures));
        if (const Value* expect_error = kase.find("expect_error")) {
            const Value* error = out.find("error");
            REQUIRE_MESSAGE(error, "expected an error object, got " << to_json(out));
            CHECK(*error->find("code") == *expect_error->find("code"));
            for (const Value& want : expect_error->find("paths")->as_array()) {
                bool found = false;
                for (const Value& d : error->find("details")->as_array()) found = found || *d.find("path") == want;
                CHECK_MESSAGE(found, "no detail at " << want.as_string() << " in " << to_json(*error));
            }
        } else {
            REQUIRE_MESSAGE(!out.find("error"), to_json(out));
            std::string why;
            const bool ok = matches(*kase.find("expect"), out, "", why);
            CHECK_MESSAGE(ok, why);
        }
    }
}

TEST_CASE("The conformance matcher itself rejects what it should") {
    std::string why;
    CHECK_FALSE(matches(parse_json(R"({"a": 1})"), parse_json(R"({"a": 1.000001})"), "", why));
    CHECK(matches(parse_json(R"({"a": 1})"), parse_json(R"({"a": 1, "b": 2})"), "", why));
    CHECK_FALSE(matches(parse_json(R"([1, 2])"), parse_json(R"([2, 2])"), "", why));
    CHECK(matches(parse_json(R"([1, 2])"), parse_json(R"([2, 1])"), "", why));
    CHECK_FALSE(matches(parse_json(R"([1])"), parse_json(R"([1, 2])"), "", why));
    CHECK_FALSE(matches(parse_json(R"({"components": {"x": {"amount": 1}}})"),
                        parse_json(R"({"components": [{"id": "y", "amount": 1}]})"), "", why));
}
