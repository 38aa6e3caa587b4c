// JsonLogic: the input is "<rule JSON>\n<data JSON>" (split at the first newline; no
// newline means data is null). The rule is compiled and applied to the data.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common.hpp"
#include "dealercalc/error.hpp"
#include "dealercalc/logic.hpp"

using namespace dealercalc;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text = fuzzsupport::as_text(data, size);
    std::string_view rule_text = text, data_text = "null";
    if (std::size_t nl = text.find('\n'); nl != std::string_view::npos) {
        rule_text = text.substr(0, nl);
        data_text = text.substr(nl + 1);
    }
    try {
        Value rule = parse_document(rule_text, 64);
        Value input = parse_document(data_text, 64);
        Logic logic = compile_logic(rule);
        LogicScope scope;
        scope.data = &input;
        (void)apply_logic(logic, scope);
    } catch (const Failure&) {
    } catch (const LogicError&) {
    }
    return 0;
}
