// Programme and figure builders shared by the engine, next-tier and property tests.
// Programmes are written as JSON text (what a brand writes), parsed by the real parser.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "dealercalc/engine.hpp"

namespace testprog {

using dealercalc::Decimal;
using dealercalc::Value;

// A whole programme around the given metric and rule lists (JSON array bodies, without
// brackets). `extra` holds further top-level members, e.g. "\"caps\": [...]".
inline std::string program(const std::string& metrics, const std::string& rules, const std::string& extra = "") {
    std::string s = R"({"format": "dealer-incentive-program/1", "id": "test", "version": "1", "name": {"en": "Test"},)";
    s += R"( "metrics": [)" + metrics + R"(], "rules": [)" + rules + "]";
    if (!extra.empty()) s += ", " + extra;
    return s + "}";
}

// One metric; `extra` is further members such as "\"max\": 100".
inline std::string metric(const std::string& id, const std::string& type, const std::string& extra = "") {
    std::string s = R"({"id": ")" + id + R"(", "label": ")" + id + R"(", "type": ")" + type + "\"";
    if (!extra.empty()) s += ", " + extra;
    return s + "}";
}

// A figures document with the given values object body (without braces).
inline std::string figures(const std::string& values, const std::string& extra = "") {
    std::string s = R"({"format": "dealer-incentive-figures/1", "dealer": {"id": "D-1"}, "values": {)" + values + "}";
    if (!extra.empty()) s += ", " + extra;
    return s + "}";
}

inline Value evaluate(const std::string& program_text, const std::string& figures_text,
                      const dealercalc::EvaluateOptions& options = {}) {
    const dealercalc::Program p = dealercalc::parse_program(program_text);
    const dealercalc::Figures f = dealercalc::parse_figures(p, figures_text);
    return dealercalc::evaluate(p, f, options);
}

// Walks a result by a slash-separated path of keys and array indexes ("totals/CNY",
// "components/0/trace/blocks"). Throws when a step is missing, so a test fails loudly.
inline const Value& at(const Value& root, std::string_view path) {
    const Value* v = &root;
    std::size_t pos = 0;
    while (pos <= path.size() && !path.empty()) {
        const std::size_t slash = path.find('/', pos);
        const std::string key(path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos));
        if (v->is_array()) {
            const std::size_t i = std::stoul(key);
            if (i >= v->as_array().size()) throw std::runtime_error("no element " + key + " in " + std::string(path));
            v = &v->as_array()[i];
        } else {
            const Value* next = v->find(key);
            if (!next) throw std::runtime_error("no \"" + key + "\" on the way to " + std::string(path) + " in " + to_json(*v));
            v = next;
        }
        if (slash == std::string_view::npos) break;
        pos = slash + 1;
    }
    return *v;
}

inline bool has(const Value& root, std::string_view path) {
    try {
        at(root, path);
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

// The serialised value at a path: exact, readable in a failing CHECK.
inline std::string J(const Value& root, std::string_view path) { return dealercalc::to_json(at(root, path)); }

inline Decimal D(std::string_view text) { return Decimal::parse_or_throw(text); }

// The component of a result with the given rule id.
inline const Value& component(const Value& result, const std::string& id) {
    for (const Value& c : at(result, "components").as_array())
        if (const Value* v = c.find("id"); v && v->is_string() && v->as_string() == id) return c;
    throw std::runtime_error("no component " + id);
}

// Codes of the warnings in a result, in order, comma-separated.
inline std::string warning_codes(const Value& result) {
    std::string s;
    for (const Value& w : at(result, "warnings").as_array()) {
        if (!s.empty()) s += ",";
        s += at(w, "code").as_string();
    }
    return s;
}

}  // namespace testprog
