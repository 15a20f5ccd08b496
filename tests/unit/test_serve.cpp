// ts-serve's pure parts: Range resolution (RFC 9110), names beneath a root, tokens and scopes.
#include "serve/auth.hpp"
#include "serve/paths.hpp"
#include "serve/range.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace fs = std::filesystem;
using ts::serve::ByteRange;
using ts::serve::resolve_range;

TEST_CASE("serve: a single byte range, clamped") {
    auto r = resolve_range("bytes=0-99", 1000);
    CHECK(r.kind == ByteRange::partial);
    CHECK(r.first == 0);
    CHECK(r.last == 99);
    CHECK(r.length() == 100);
    CHECK(ts::serve::content_range(r, 1000) == "bytes 0-99/1000");
    r = resolve_range("bytes=100-", 1000);
    CHECK((r.kind == ByteRange::partial && r.first == 100 && r.last == 999));
    r = resolve_range("bytes=-100", 1000);
    CHECK((r.kind == ByteRange::partial && r.first == 900 && r.last == 999));
    r = resolve_range("bytes=-5000", 1000); // a suffix longer than the file: all of it
    CHECK((r.kind == ByteRange::partial && r.first == 0 && r.last == 999));
    r = resolve_range("bytes=990-5000", 1000); // past the end: clamped
    CHECK((r.kind == ByteRange::partial && r.first == 990 && r.last == 999));
    r = resolve_range("BYTES=0-0", 1000); // the unit is case-insensitive
    CHECK((r.kind == ByteRange::partial && r.length() == 1));
    r = resolve_range(" bytes=5-9 ", 10);
    CHECK((r.kind == ByteRange::partial && r.first == 5 && r.last == 9));
}

TEST_CASE("serve: unsatisfiable ranges are 416") {
    CHECK(resolve_range("bytes=1000-", 1000).kind == ByteRange::unsatisfiable);
    CHECK(resolve_range("bytes=5000-6000", 1000).kind == ByteRange::unsatisfiable);
    CHECK(resolve_range("bytes=-0", 1000).kind == ByteRange::unsatisfiable);
    CHECK(resolve_range("bytes=0-10", 0).kind == ByteRange::unsatisfiable);
    CHECK(ts::serve::content_range(resolve_range("bytes=1000-", 1000), 1000) == "bytes */1000");
}

TEST_CASE("serve: malformed, foreign-unit and multiple ranges are ignored") {
    for (const char *h : {"", "bytes=", "bytes=abc", "bytes=-", "bytes=5-1", "items=0-5",
                          "bytes=1-2-3", "bytes=+1-2", "bytes=0x10-20", "bytes=0-99,200-299",
                          "bytes=0-1,", "bytes=99999999999999999999999-", "bytes 0-5"})
        CHECK_MESSAGE(resolve_range(h, 1000).kind == ByteRange::full, h);
}

TEST_CASE("serve: names beneath a root") {
    using ts::serve::safe_relative;
    CHECK(safe_relative("a/b.wav").value() == fs::path("a/b.wav"));
    for (const char *bad : {"", "/etc/passwd", "..", "../x", "a/../../x", "a//b", "./a", "a/.",
                            "a\\b", "%2e%2e/x", "a/%2fb"})
        CHECK_MESSAGE(!safe_relative(bad), bad);
    CHECK(!safe_relative(std::string_view("a\0b", 3)));

    const fs::path root = fs::temp_directory_path() / ("ts-serve-test-" + std::to_string(getpid()));
    fs::remove_all(root);
    fs::create_directories(root / "in");
    fs::create_directories(root.string() + "-outside");
    std::ofstream(root / "in" / "x.wav") << "x";
    fs::create_symlink(root.string() + "-outside", root / "in" / "escape");
    fs::create_symlink("x.wav", root / "in" / "alias.wav");
    CHECK(ts::serve::resolve_beneath(root / "in", "x.wav").has_value());
    CHECK(ts::serve::resolve_beneath(root / "in", "alias.wav").has_value()); // stays inside
    CHECK(ts::serve::resolve_beneath(root / "in", "new/file").has_value()); // need not exist
    CHECK(!ts::serve::resolve_beneath(root / "in", "escape"));
    CHECK(!ts::serve::resolve_beneath(root / "in", "escape/y.wav"));
    CHECK(!ts::serve::resolve_beneath(root / "in", "../in/x.wav"));
    fs::remove_all(root);
    fs::remove_all(root.string() + "-outside");
}

TEST_CASE("serve: ids") {
    const std::string u = ts::serve::random_uuid();
    CHECK(ts::serve::is_uuid(u));
    CHECK(u[14] == '4'); // version 4
    CHECK(ts::serve::random_uuid() != u);
    CHECK(!ts::serve::is_uuid("../../../../etc/passwd"));
    CHECK(!ts::serve::is_uuid("F181643F-8EAD-4B84-A1DC-8F7DAA2F252D"));
    CHECK(!ts::serve::is_uuid(u.substr(0, 35)));
}

TEST_CASE("serve: tokens are random and kept as SHA-256") {
    const std::string a = ts::serve::new_token(), b = ts::serve::new_token();
    CHECK(a != b);
    CHECK(a.size() == 4 + 43);
    CHECK(a.rfind("tsk_", 0) == 0);
    // SHA-256("abc"), FIPS 180-2 appendix B.1
    CHECK(ts::serve::token_hash("abc") ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(ts::serve::token_hash(a).size() == 64);
}

TEST_CASE("serve: scopes") {
    using namespace ts::serve;
    CHECK(parse_scopes("read").value() == scope_read);
    CHECK(parse_scopes("read,process").value() == (scope_read | scope_process));
    CHECK(parse_scopes("read annotate").value() == (scope_read | scope_annotate));
    CHECK(parse_scopes("admin").value() == (scope_read | scope_annotate | scope_process | scope_admin));
    CHECK(!parse_scopes(""));
    CHECK(!parse_scopes("read,root"));
    CHECK(format_scopes(scope_read | scope_process) == "read process");
    Principal p;
    p.scopes = scope_read;
    CHECK(p.has(scope_read));
    CHECK(!p.has(scope_process));
    CHECK(!p.admin());
    p.scopes = *parse_scopes("admin");
    CHECK(p.has(scope_process));
}
