// Unit tests: io — atomic outputs, inputs with peek, SHA-1 of files, URL detection.
#include <doctest/doctest.h>

#include "support.hpp"

#include "core/error.hpp"
#include "io/input.hpp"
#include "io/output.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

using namespace ts::test;

namespace {

bool exists(const std::string &path) {
    struct stat st {};
    return lstat(path.c_str(), &st) == 0;
}

// A fresh folder under /tmp, removed with whatever files it holds at the end of the scope.
class TempDir {
  public:
    TempDir() {
        char name[] = "/tmp/ts-unit-io-XXXXXX";
        REQUIRE(mkdtemp(name) != nullptr);
        path_ = name;
    }
    ~TempDir() {
        for (const auto &name : entries())
            unlink((path_ + "/" + name).c_str());
        rmdir(path_.c_str());
    }
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;
    const std::string &path() const { return path_; }
    std::string file(const std::string &name) const { return path_ + "/" + name; }
    // Names in the folder, "." and ".." left out.
    std::vector<std::string> entries() const {
        std::vector<std::string> out;
        DIR *d = opendir(path_.c_str());
        if (d == nullptr)
            return out;
        while (dirent *e = readdir(d)) {
            std::string n = e->d_name;
            if (n != "." && n != "..")
                out.push_back(n);
        }
        closedir(d);
        return out;
    }

  private:
    std::string path_;
};

void write_file(const std::string &path, const std::string &bytes) {
    std::FILE *f = std::fopen(path.c_str(), "wb");
    REQUIRE(f != nullptr);
    REQUIRE(std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size());
    REQUIRE(std::fclose(f) == 0);
}

// The SHA-1 that sha1sum(1) computes, for comparison on large files.
std::string sha1sum(const std::string &path) {
    std::string cmd = "sha1sum '" + path + "'";
    std::FILE *p = popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[128] = {};
    std::size_t n = std::fread(buf, 1, sizeof buf - 1, p);
    REQUIRE(pclose(p) == 0);
    return std::string(buf, std::min<std::size_t>(n, 40));
}

} // namespace

TEST_CASE("io: an output file appears only on commit") {
    TempDir dir;
    const std::string path = dir.file("out.bin");
    {
        ts::io::Output out(path, true);
        CHECK(out.seekable());
        CHECK_FALSE(out.is_stdout());
        CHECK(out.path() == path);
        out.write("hello, ");
        out.write(std::string(300000, 'x')); // past the buffer: some bytes reach the disk
        out.write("world");
        CHECK(out.written() == 7 + 300000 + 5);
        CHECK_FALSE(exists(path));
        // The bytes go to one hidden temporary file in the same folder.
        const auto names = dir.entries();
        REQUIRE(names.size() == 1);
        CHECK(names[0].rfind(".out.bin.tmp-", 0) == 0);
        out.commit();
        CHECK(exists(path));
        CHECK(dir.entries() == std::vector<std::string>{"out.bin"});
    }
    const std::string text = read_file(path);
    CHECK(text.size() == 300012);
    CHECK(text.substr(0, 7) == "hello, ");
    CHECK(text.substr(text.size() - 5) == "world");
}

TEST_CASE("io: an uncommitted output leaves no file and no temporary file") {
    TempDir dir;
    const std::string path = dir.file("never.bin");
    {
        ts::io::Output out(path, true);
        out.write(std::string(400000, 'y'));
        out.flush();
        CHECK(dir.entries().size() == 1); // the temporary file, with the bytes in it
    }
    CHECK_FALSE(exists(path));
    CHECK(dir.entries().empty());
}

TEST_CASE("io: an uncommitted output leaves an existing file as it was") {
    TempDir dir;
    const std::string path = dir.file("keep.txt");
    write_file(path, "old contents");
    {
        ts::io::Output out(path, false);
        out.write("new");
        out.flush();
        CHECK(read_file(path) == "old contents");
    }
    CHECK(read_file(path) == "old contents");
    CHECK(dir.entries() == std::vector<std::string>{"keep.txt"});
    {
        ts::io::Output out(path, false);
        out.write("new");
        out.commit();
    }
    CHECK(read_file(path) == "new");
    CHECK(dir.entries() == std::vector<std::string>{"keep.txt"});
}

TEST_CASE("io: an output file gets the usual permissions, not mkstemp's 0600") {
    TempDir dir;
    const std::string path = dir.file("mode.bin");
    const mode_t old = umask(022);
    {
        ts::io::Output out(path, true);
        out.write("x");
        out.commit();
    }
    umask(old);
    struct stat st {};
    REQUIRE(stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0644);
}

TEST_CASE("io: outputs that cannot be created throw ts::Error naming the path") {
    TempDir dir;
    SUBCASE("missing folder") {
        const std::string path = dir.file("no/such/folder/out.bin");
        const std::string msg = error_of([&] { ts::io::Output out(path, true); });
        CHECK(msg.rfind(path + ": ", 0) == 0);
        CHECK(contains(msg, "No such file or directory"));
    }
    SUBCASE("a directory") {
        const std::string msg = error_of([&] { ts::io::Output out(dir.path(), true); });
        CHECK(msg == dir.path() + ": is a directory");
    }
    SUBCASE("a directory, written with a final slash") {
        const std::string path = dir.path() + "/";
        const std::string msg = error_of([&] { ts::io::Output out(path, true); });
        CHECK(msg.rfind(path + ": ", 0) == 0);
    }
    SUBCASE("a folder name that does not exist yet") {
        const std::string path = dir.file("newdir/");
        const std::string msg = error_of([&] { ts::io::Output out(path, true); });
        CHECK(msg.rfind(path + ": ", 0) == 0);
        CHECK(contains(msg, "folder"));
    }
    SUBCASE("a folder without write permission") {
        if (geteuid() == 0)
            return; // root writes anywhere
        const std::string ro = dir.file("ro");
        REQUIRE(mkdir(ro.c_str(), 0555) == 0);
        const std::string msg = error_of([&] { ts::io::Output out(ro + "/x", true); });
        rmdir(ro.c_str());
        CHECK(msg.rfind(ro + "/x: cannot create: ", 0) == 0);
    }
    CHECK(dir.entries().empty());
}

TEST_CASE("io: patch rewrites bytes in place") {
    TempDir dir;
    const std::string path = dir.file("patch.txt");
    {
        ts::io::Output out(path, false);
        out.write("hello world, ");
        out.patch(6, "WORLD"); // still in the buffer: written out, then patched
        out.write("and more");
        out.patch(0, "J");
        CHECK(out.written() == 21);
        out.commit();
    }
    CHECK(read_file(path) == "Jello WORLD, and more");

    const std::string big = dir.file("big.bin");
    {
        ts::io::Output out(big, true);
        out.write("HEADER__");
        out.write(std::string(1 << 19, 'z')); // straight to the file, past the buffer
        out.write("tail");
        out.patch(6, "OK");
        out.commit();
    }
    const std::string text = read_file(big);
    CHECK(text.size() == 8 + (1u << 19) + 4);
    CHECK(text.substr(0, 8) == "HEADEROK");
    CHECK(text.substr(text.size() - 4) == "tail");
}

TEST_CASE("io: stdout cannot be patched") {
    ts::io::Output out("-", false); // nothing written or committed: stdout is left alone
    CHECK(out.is_stdout());
    CHECK(out.path() == "-");
    CHECK_FALSE(out.seekable());
    CHECK(error_of([&] { out.patch(0, "x"); }) == "stdout: cannot patch a stream");
}

TEST_CASE("io: peek then read returns the same bytes in order") {
    TempDir dir;
    const std::string path = dir.file("in.bin");
    std::string bytes;
    for (int i = 0; i < 100000; ++i)
        bytes += static_cast<char>('a' + i % 26 + (i / 26) % 3);
    write_file(path, bytes);

    ts::io::Reader in(path);
    CHECK(in.regular_file());
    CHECK(in.file_size() == 100000);
    CHECK_FALSE(in.is_stdin());
    CHECK(in.name() == path);
    const char *p = nullptr;
    REQUIRE(in.peek(&p, 4) == 4);
    CHECK(std::string(p, 4) == bytes.substr(0, 4));
    REQUIRE(in.peek(&p, 10) == 10); // a longer peek extends the first one
    CHECK(std::string(p, 10) == bytes.substr(0, 10));
    char buf[8];
    REQUIRE(in.read(buf, 3) == 3);
    CHECK(std::string(buf, 3) == bytes.substr(0, 3));
    REQUIRE(in.peek(&p, 2) == 2); // after a partial read, the peek starts at the next byte
    CHECK(std::string(p, 2) == bytes.substr(3, 2));
    std::string rest(bytes.size(), '\0');
    const std::size_t n = in.read_full(rest.data(), rest.size());
    CHECK(n == bytes.size() - 3);
    rest.resize(n);
    CHECK(rest == bytes.substr(3));
    CHECK(in.peek(&p, 16) == 0);
    CHECK(in.read(buf, 8) == 0);
}

TEST_CASE("io: seek counts from the logical position, peeked bytes included") {
    TempDir dir;
    const std::string path = dir.file("seek.bin");
    write_file(path, "0123456789");
    ts::io::Reader in(path);
    const char *p = nullptr;
    char buf[16];
    REQUIRE(in.peek(&p, 4) == 4); // the descriptor is at 4, the reader at 0
    CHECK(in.seek(0, SEEK_CUR) == 0);
    REQUIRE(in.read_full(buf, 2) == 2);
    CHECK(std::string(buf, 2) == "01");
    REQUIRE(in.peek(&p, 3) == 3);
    CHECK(std::string(p, 3) == "234");
    REQUIRE(in.read(buf, 1) == 1); // one of the peeked bytes consumed
    CHECK(buf[0] == '2');
    CHECK(in.seek(0, SEEK_CUR) == 3);
    REQUIRE(in.read(buf, 1) == 1);
    CHECK(buf[0] == '3');
    CHECK(in.seek(2, SEEK_CUR) == 6);
    REQUIRE(in.peek(&p, 2) == 2);
    CHECK(std::string(p, 2) == "67");
    CHECK(in.seek(7, SEEK_SET) == 7);
    CHECK(in.read_full(buf, 16) == 3);
    CHECK(std::string(buf, 3) == "789");
    CHECK(in.seek(-2, SEEK_END) == 8);
    CHECK(in.read_full(buf, 16) == 2);
    CHECK(std::string(buf, 2) == "89");
    CHECK(in.seek(-1, SEEK_SET) == -1);
}

TEST_CASE("io: peek past the end gives what there is") {
    TempDir dir;
    const std::string path = dir.file("short.bin");
    write_file(path, "TSP");
    ts::io::Reader in(path);
    const char *p = nullptr;
    REQUIRE(in.peek(&p, 8) == 3);
    CHECK(std::string(p, 3) == "TSP");
    char buf[8];
    CHECK(in.read_full(buf, 8) == 3);
    CHECK(std::string(buf, 3) == "TSP");
}

TEST_CASE("io: peek works on a pipe") {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    REQUIRE(write(fds[1], "abcdefgh", 8) == 8);
    close(fds[1]);
    const std::string name = "/dev/fd/" + std::to_string(fds[0]);
    {
        ts::io::Reader in(name);
        CHECK_FALSE(in.regular_file());
        CHECK(in.file_size() == -1);
        const char *p = nullptr;
        REQUIRE(in.peek(&p, 5) == 5);
        CHECK(std::string(p, 5) == "abcde");
        char buf[16];
        CHECK(in.read_full(buf, 16) == 8);
        CHECK(std::string(buf, 8) == "abcdefgh");
        CHECK(in.seek(0, SEEK_SET) == -1); // a pipe cannot seek
    }
    close(fds[0]);
}

TEST_CASE("io: inputs that cannot be read throw ts::Error naming them") {
    TempDir dir;
    const std::string missing = dir.file("missing.wav");
    CHECK(error_of([&] { ts::io::Reader in(missing); }) == missing + ": No such file or directory");
    CHECK(error_of([&] { ts::io::Reader in(dir.path()); }) == dir.path() + ": is a directory");
    CHECK(error_of([&] { ts::io::Reader in(""); }) == "empty input name");
    CHECK(contains(error_of([&] { ts::io::sha1_file(missing); }), missing));
    if (geteuid() != 0) {
        const std::string locked = dir.file("locked.wav");
        write_file(locked, "x");
        REQUIRE(chmod(locked.c_str(), 0) == 0);
        CHECK(error_of([&] { ts::io::Reader in(locked); }) == locked + ": Permission denied");
    }
}

TEST_CASE("io: display names") {
    CHECK(ts::io::display_name("-") == "stdin");
    CHECK(ts::io::display_name("a.wav") == "a.wav");
}

TEST_CASE("io: sha1_file") {
    TempDir dir;
    const std::string abc = dir.file("abc");
    write_file(abc, "abc");
    CHECK(ts::io::sha1_file(abc) == "a9993e364706816aba3e25717850c26c9cd0d89d");
    const std::string empty = dir.file("empty");
    write_file(empty, "");
    CHECK(ts::io::sha1_file(empty) == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    const std::string million = dir.file("million");
    write_file(million, std::string(1000000, 'a'));
    CHECK(ts::io::sha1_file(million) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    // Larger than the 1 MiB read buffer: several updates.
    std::string big;
    for (int i = 0; i < 3 * 1024 * 1024 + 17; ++i)
        big += static_cast<char>(i * 31 % 251);
    const std::string big_path = dir.file("big");
    write_file(big_path, big);
    const std::string expect = sha1sum(big_path);
    REQUIRE(expect.size() == 40);
    CHECK(ts::io::sha1_file(big_path) == expect);
}

TEST_CASE("io: is_url") {
    CHECK(ts::io::is_url("http://x"));
    CHECK(ts::io::is_url("https://x/y"));
    CHECK(ts::io::is_url("rtmp+tls://host/live"));
    CHECK_FALSE(ts::io::is_url("./a:b.wav"));
    CHECK_FALSE(ts::io::is_url("c:\\x"));
    CHECK_FALSE(ts::io::is_url("a:b.wav"));
    CHECK_FALSE(ts::io::is_url("://x"));
    CHECK_FALSE(ts::io::is_url("music/http://x"));
    CHECK_FALSE(ts::io::is_url("-"));
    CHECK_FALSE(ts::io::is_url(""));
}
