// The route table: every routes_*.cpp in turn. `ts-serve routes` prints it.
#include "serve/routes.hpp"

namespace ts::serve {

const std::vector<Route> &routes() {
    static const std::vector<Route> table = [] {
        std::vector<Route> r;
        add_meta_routes(r);
        add_session_routes(r);
        add_import_routes(r); // before items/{id}: its path is a literal
        add_item_routes(r);
        add_collection_routes(r);
        add_media_routes(r);
        add_job_routes(r);
        add_result_routes(r);
        add_annotation_routes(r);
        return r;
    }();
    return table;
}

} // namespace ts::serve
