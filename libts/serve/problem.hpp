// Errors as application/problem+json (RFC 9457), each naming the request it answers.
#pragma once

#include <exception>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace ts::serve {

// Thrown by a handler to answer with a problem: the HTTP layer turns it into the body.
class HttpError : public std::exception {
  public:
    HttpError(int status, std::string detail,
              std::vector<std::pair<std::string, std::string>> headers = {})
        : status_(status), detail_(std::move(detail)), headers_(std::move(headers)) {}
    int status() const { return status_; }
    const std::string &detail() const { return detail_; }
    const std::vector<std::pair<std::string, std::string>> &headers() const { return headers_; }
    const char *what() const noexcept override { return detail_.c_str(); }

  private:
    int status_;
    std::string detail_;
    std::vector<std::pair<std::string, std::string>> headers_;
};

// The reason phrase of a status (RFC 9110), "Error" for one not listed.
const char *status_title(int status);

// {"type":"about:blank","title":"Not Found","status":404,"detail":...,"instance":path,
//  "request_id":...}
nlohmann::ordered_json problem(int status, const std::string &detail, const std::string &path,
                               const std::string &request_id);

} // namespace ts::serve
