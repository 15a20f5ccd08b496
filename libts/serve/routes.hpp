// Each routes_*.cpp adds its routes to the table; routes() (routes.cpp) calls them in order.
#pragma once

#include "serve/http.hpp"

#include <string>
#include <vector>

namespace ts::serve {

class App;

void add_meta_routes(std::vector<Route> &r);
void add_item_routes(std::vector<Route> &r);
void add_collection_routes(std::vector<Route> &r);
void add_media_routes(std::vector<Route> &r);
void add_job_routes(std::vector<Route> &r);
void add_result_routes(std::vector<Route> &r);
void add_annotation_routes(std::vector<Route> &r);
void add_import_routes(std::vector<Route> &r);
void add_index_routes(std::vector<Route> &r); // the index page at /
void add_session_routes(std::vector<Route> &r);
void add_player_routes(std::vector<Route> &r);

// Authenticates a request without a bearer token by its session cookie (routes_session.cpp):
// false when it has none; 401 for an unknown or ended session, 403 for a missing scope or, on
// a method other than GET and HEAD, a missing X-TimeSide-Request: 1 header. With anonymous
// reads, a stale cookie on a read-only route reads as anonymous.
bool authenticate_session(App &app, const Route &route, Request &req);

// Renders an uploaded item's default peaks.dat (100 pixels a second, 8 bits) into the cache,
// as GET .../peaks.dat would: what the background renderer does after an upload or import.
void prerender_peaks(App &app, const std::string &item_id);

// 429 with Retry-After when the principal asks for renders faster than allowed.
void rate_limit_renders(App &app, const Request &req);

// The embedded OpenAPI document and reference page (generated from docs/api at build time).
extern const char openapi_json[];
extern const char reference_html[];

} // namespace ts::serve
