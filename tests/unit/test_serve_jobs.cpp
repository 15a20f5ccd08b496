// ts-serve's job queue on a temporary catalog: claiming (each job by one worker only, oldest
// first) and the recovery of jobs a dead server left running.
#include "serve/auth.hpp"
#include "serve/db.hpp"
#include "serve/jobs.hpp"
#include "serve/slurm.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <mutex>
#include <set>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace ts::serve;

namespace {

struct Catalog {
    fs::path dir;
    std::unique_ptr<Db> db;
    std::string user;
    Catalog() {
        dir = fs::temp_directory_path() / ("ts-jobs-test-" + std::to_string(::getpid()));
        fs::remove_all(dir);
        fs::create_directories(dir);
        db = std::make_unique<Db>(dir / "catalog.sqlite");
        user = create_token(*db, "alice", scope_process, "", "").user_id;
    }
    ~Catalog() {
        db.reset();
        fs::remove_all(dir);
    }
    void add(const std::string &id, const std::string &state, int attempts = 0, bool cancel = false,
             const std::string &backend = "local", const std::string &slurm_id = "") {
        Stmt st(*db, "INSERT INTO jobs(id, owner, state, request, request_hash, created, attempts, "
                     "cancel, backend, slurm_id) VALUES (?1, ?2, ?3, '{}', ?1, ?4, ?5, ?6, ?7, ?8)");
        st.bind(1, id).bind(2, user).bind(3, state).bind(4, now_utc()).bind(5, attempts).bind(6, cancel);
        st.bind(7, backend);
        if (slurm_id.empty())
            st.bind_null(8);
        else
            st.bind(8, slurm_id);
        st.run();
    }
    std::string state(const std::string &id) {
        Stmt st(*db, "SELECT state || ' ' || attempts FROM jobs WHERE id = ?1");
        st.bind(1, id);
        REQUIRE(st.step());
        return st.text(0);
    }
};

} // namespace

TEST_CASE("serve: jobs are claimed oldest first, once each") {
    Catalog c;
    c.add("j1", "queued");
    c.add("j2", "queued");
    c.add("j3", "done");
    CHECK(claim_job(*c.db).value() == "j1");
    CHECK(c.state("j1") == "running 1");
    CHECK(claim_job(*c.db).value() == "j2");
    CHECK_FALSE(claim_job(*c.db).has_value());
    CHECK(c.state("j3") == "done 0");
}

TEST_CASE("serve: concurrent workers never claim a job twice") {
    Catalog c;
    for (int i = 0; i < 200; ++i)
        c.add("job" + std::to_string(i), "queued");
    std::mutex m;
    std::multiset<std::string> claimed;
    std::vector<std::thread> workers;
    for (int w = 0; w < 4; ++w)
        workers.emplace_back([&] {
            while (auto id = claim_job(*c.db)) {
                std::lock_guard l(m);
                claimed.insert(*id);
            }
        });
    for (auto &t : workers)
        t.join();
    CHECK(claimed.size() == 200);
    CHECK(std::set<std::string>(claimed.begin(), claimed.end()).size() == 200);
}

TEST_CASE("serve: a dead server's running jobs are requeued, then failed") {
    Catalog c;
    c.add("fresh", "running", 1);
    c.add("tired", "running", 3);
    c.add("stopped", "running", 1, true);
    c.add("queued", "queued");
    c.add("ended", "done", 1);
    const auto [requeued, failed] = recover_jobs(*c.db, 3);
    CHECK(requeued == 1);
    CHECK(failed == 1);
    CHECK(c.state("fresh") == "queued 1");
    CHECK(c.state("tired") == "failed 3");
    CHECK(c.state("stopped") == "canceled 1");
    CHECK(c.state("queued") == "queued 0");
    CHECK(c.state("ended") == "done 1");
    Stmt st(*c.db, "SELECT error FROM jobs WHERE id = 'tired'");
    REQUIRE(st.step());
    CHECK(st.text(0) == "the server stopped during the job 3 times");
    // requeued, it is claimed again and its attempts counted
    CHECK(claim_job(*c.db).value() == "fresh");
    CHECK(c.state("fresh") == "running 2");
}

TEST_CASE("serve: a submitted Slurm job outlives the server; an unsubmitted one is requeued") {
    Catalog c;
    c.add("submitted", "running", 1, false, "slurm", "1234");
    c.add("canceling", "running", 1, true, "slurm", "1235");
    c.add("unsubmitted", "running", 1, false, "slurm");
    c.add("local", "running", 1);
    const auto [requeued, failed] = recover_jobs(*c.db, 3);
    CHECK(requeued == 2);
    CHECK(failed == 0);
    CHECK(c.state("submitted") == "running 1");
    CHECK(c.state("canceling") == "running 1"); // its scancel is the follower's to run
    CHECK(c.state("unsubmitted") == "queued 1");
    CHECK(c.state("local") == "queued 1");
    // each backend claims its own jobs only
    CHECK(claim_job(*c.db).value() == "local");
    CHECK_FALSE(claim_job(*c.db).has_value());
    CHECK(claim_job(*c.db, "slurm").value() == "unsubmitted");
}

TEST_CASE("serve: Slurm array ranges, shell words and squeue's states") {
    CHECK(array_ranges({5, 0, 1, 2, 8, 7, 2}) == "0-2,5,7-8");
    CHECK(array_ranges({3}) == "3");
    CHECK(array_ranges({}).empty());
    CHECK(shell_quote("it's a b") == "'it'\\''s a b'");
    CHECK(shell_quote("") == "''");
    CHECK(slurm_active("RUNNING\nPENDING\n", 0, "") == true);
    CHECK(slurm_active("COMPLETED\nCOMPLETING\n", 0, "") == true);
    CHECK(slurm_active("COMPLETED\nFAILED\nCANCELLED\n", 0, "") == false);
    CHECK(slurm_active("", 0, "") == false);
    CHECK(slurm_active("", 1, "slurm_load_jobs error: Invalid job id specified") == false);
    CHECK_FALSE(slurm_active("", 1, "slurm_load_jobs error: Unable to contact slurm controller").has_value());
}
