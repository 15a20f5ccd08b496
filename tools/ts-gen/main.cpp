// ts-gen: placeholder until the tool lands.
#include "cli/tool.hpp"

int main(int argc, char **argv) {
    ts::cli::Tool tool({"ts-gen", "placeholder", {"[OPTIONS]"}, "Not yet written.", {}, {}, {}, ""});
    return tool.run(argc, argv, [] { return 1; });
}
