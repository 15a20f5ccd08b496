// Unit tests: analyze (parameters whose default depends on another parameter).
#include <doctest/doctest.h>

#include "analyze/params.hpp"
#include "core/error.hpp"

#include <map>
#include <string>
#include <vector>

using namespace ts::analyze;

namespace {

std::vector<ParamSpec> specs() {
    ParamSpec method{"method", ParamType::choice, "b", 0, 0, {"a", "b", "c"}, "which"};
    ParamSpec threshold{"threshold", ParamType::number, "0.3", 0, 100, {}, "how high"};
    threshold.default_from = "method";
    threshold.defaults_by = {{"a", "4"}, {"b", "0.3"}};
    return {method, threshold};
}

} // namespace

TEST_CASE("params: a default by another parameter's value") {
    // Not given: the default listed for the method, given or by default.
    CHECK(Params("x", specs(), {}).number("threshold") == 0.3);
    CHECK(Params("x", specs(), {{"method", "a"}}).number("threshold") == 4.0);
    CHECK(Params("x", specs(), {{"method", "a"}}).json()["threshold"] == 4.0);
    // A value not listed takes default_value.
    CHECK(Params("x", specs(), {{"method", "c"}}).number("threshold") == 0.3);
    // Given: used whatever the method.
    CHECK(Params("x", specs(), {{"method", "a"}, {"threshold", "0.5"}}).number("threshold") == 0.5);
    // The listed default is validated like a given value.
    auto bad = specs();
    bad[1].defaults_by = {{"a", "-1"}};
    CHECK_THROWS_AS(Params("x", bad, {{"method", "a"}}), ts::UsageError);
    CHECK(default_for(specs()[1], "a") == "4");
    CHECK(default_for(specs()[1], "z") == "0.3");
}
