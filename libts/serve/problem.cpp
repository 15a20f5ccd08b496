// Problem details bodies.
#include "serve/problem.hpp"

namespace ts::serve {

const char *status_title(int status) {
    switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 422: return "Unprocessable Content";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 507: return "Insufficient Storage";
    default: return "Error";
    }
}

nlohmann::ordered_json problem(int status, const std::string &detail, const std::string &path,
                               const std::string &request_id) {
    nlohmann::ordered_json j;
    j["type"] = "about:blank";
    j["title"] = status_title(status);
    j["status"] = status;
    j["detail"] = detail;
    j["instance"] = path;
    j["request_id"] = request_id;
    return j;
}

} // namespace ts::serve
