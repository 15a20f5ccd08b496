// Collections: named sets of items, with the same owner/public rules as items.
#include "serve/app.hpp"
#include "serve/db.hpp"
#include "serve/items.hpp"
#include "serve/paths.hpp"
#include "serve/problem.hpp"
#include "serve/routes.hpp"

namespace ts::serve {
namespace {

struct Collection {
    std::string id, owner_id, owner, title, description, created, updated;
    bool is_public = false;
    std::int64_t count = 0;
};

const char *const columns =
    "c.id, c.owner, u.name, c.title, c.description, c.created, c.updated, c.public, "
    "(SELECT count(*) FROM collection_items ci WHERE ci.collection_id = c.id)";

Collection row(Stmt &st) {
    return {st.text(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5), st.text(6),
            st.integer(7) != 0, st.integer(8)};
}

Json to_json(const Collection &c) {
    Json j;
    j["id"] = c.id;
    j["title"] = c.title;
    j["description"] = c.description;
    j["public"] = c.is_public;
    j["owner"] = c.owner;
    j["item_count"] = c.count;
    j["created"] = c.created;
    j["updated"] = c.updated;
    j["links"] = {{"self", "/api/v1/collections/" + c.id},
                  {"items", "/api/v1/items?collection=" + c.id}};
    return j;
}

std::optional<Collection> readable_collection(App &app, const Principal &p, const std::string &id) {
    check_id(id, "collection");
    auto lock = app.db().lock();
    Stmt st(app.db(), std::string("SELECT ") + columns +
                          " FROM collections c JOIN users u ON u.id = c.owner WHERE c.id = ?3 "
                          "AND (c.public = 1 OR c.owner = ?1 OR ?2 = 1)");
    st.bind(1, p.user_id).bind(2, p.admin()).bind(3, id);
    if (!st.step())
        return std::nullopt;
    return row(st);
}

Collection writable_collection(App &app, const Principal &p, const std::string &id) {
    auto c = readable_collection(app, p, id);
    if (!c)
        throw HttpError(404, "no such collection");
    if (c->owner_id != p.user_id && !p.admin())
        throw HttpError(403, "only the collection's owner or an admin may change it");
    return *c;
}

void fields(const Json &j, bool create, std::optional<std::string> &title,
            std::optional<std::string> &description, std::optional<bool> &is_public) {
    for (const auto &[k, v] : j.items()) {
        if (k == "title" && v.is_string() && !v.get<std::string>().empty() &&
            v.get<std::string>().size() <= 1000)
            title = v.get<std::string>();
        else if (k == "description" && v.is_string() && v.get<std::string>().size() <= 100000)
            description = v.get<std::string>();
        else if (k == "public" && v.is_boolean())
            is_public = v.get<bool>();
        else
            throw HttpError(400, "fields: title (1 to 1000 bytes), description, public (a "
                                 "boolean); not " + k + " as given");
    }
    if (create && !title)
        throw HttpError(400, "a collection needs a title");
}

void list(App &app, Request &req, Response &res) {
    const int limit = static_cast<int>(query_number(req, "limit", 50, 1, 200));
    const auto after = static_cast<std::int64_t>(query_number(req, "cursor", 0, 0, 9e15));
    auto lock = app.db().lock();
    Stmt st(app.db(), std::string("SELECT ") + columns + ", c.rowid" +
                          " FROM collections c JOIN users u ON u.id = c.owner WHERE "
                          "(c.public = 1 OR c.owner = ?1 OR ?2 = 1) AND c.rowid > ?3 "
                          "ORDER BY c.rowid LIMIT ?4");
    st.bind(1, req.principal.user_id).bind(2, req.principal.admin()).bind(3, after);
    st.bind(4, static_cast<std::int64_t>(limit) + 1);
    Json j;
    j["collections"] = Json::array();
    std::int64_t last = 0;
    int n = 0;
    bool more = false;
    while (st.step()) {
        if (n == limit) {
            more = true;
            break;
        }
        j["collections"].push_back(to_json(row(st)));
        last = st.integer(9);
        ++n;
    }
    j["next"] = more ? Json("/api/v1/collections?cursor=" + std::to_string(last) +
                            "&limit=" + std::to_string(limit))
                     : Json(nullptr);
    send_json(req, res, j);
}

void create(App &app, Request &req, Response &res) {
    std::optional<std::string> title, description;
    std::optional<bool> is_public;
    fields(req.json(), true, title, description, is_public);
    const std::string id = random_uuid(), now = now_utc();
    {
        auto lock = app.db().lock();
        Stmt st(app.db(), "INSERT INTO collections(id, owner, title, description, public, "
                          "created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)");
        st.bind(1, id).bind(2, req.principal.user_id).bind(3, *title);
        st.bind(4, description.value_or("")).bind(5, is_public.value_or(false)).bind(6, now);
        st.run();
    }
    res.set_header("Location", "/api/v1/collections/" + id);
    send_json(req, res, to_json(*readable_collection(app, req.principal, id)), 201);
}

void get(App &app, Request &req, Response &res) {
    auto c = readable_collection(app, req.principal, req.param("id"));
    if (!c)
        throw HttpError(404, "no such collection");
    send_json(req, res, to_json(*c));
}

void patch(App &app, Request &req, Response &res) {
    const Collection c = writable_collection(app, req.principal, req.param("id"));
    std::optional<std::string> title, description;
    std::optional<bool> is_public;
    fields(req.json(), false, title, description, is_public);
    {
        auto lock = app.db().lock();
        Stmt st(app.db(), "UPDATE collections SET title = coalesce(?2, title), description = "
                          "coalesce(?3, description), public = coalesce(?4, public), "
                          "updated = ?5 WHERE id = ?1");
        st.bind(1, c.id).bind(2, title).bind(3, description);
        if (is_public)
            st.bind(4, *is_public);
        else
            st.bind_null(4);
        st.bind(5, now_utc()).run();
    }
    send_json(req, res, to_json(*readable_collection(app, req.principal, c.id)));
}

void remove(App &app, Request &req, Response &res) {
    const Collection c = writable_collection(app, req.principal, req.param("id"));
    auto lock = app.db().lock();
    {
        Stmt m(app.db(), "SELECT name FROM mounts WHERE collection_id = ?1");
        m.bind(1, c.id);
        if (m.step())
            throw HttpError(409, "the collection is the archive mounted as " + m.text(0) +
                                     "; 'ts-serve mount remove' takes it out of the catalog");
    }
    Stmt st(app.db(), "DELETE FROM collections WHERE id = ?1");
    st.bind(1, c.id).run();
    res.status = 204;
}

// Adding needs write access to the collection and read access to the item.
void add_item(App &app, Request &req, Response &res) {
    const Collection c = writable_collection(app, req.principal, req.param("id"));
    if (!ts::serve::find_readable(app, req.principal, req.param("item_id")))
        throw HttpError(404, "no such item");
    auto lock = app.db().lock();
    Stmt st(app.db(), "INSERT OR IGNORE INTO collection_items(collection_id, item_id, added) "
                      "VALUES (?1, ?2, ?3)");
    st.bind(1, c.id).bind(2, req.param("item_id")).bind(3, now_utc()).run();
    res.status = 204;
}

void remove_item(App &app, Request &req, Response &res) {
    const Collection c = writable_collection(app, req.principal, req.param("id"));
    check_id(req.param("item_id"), "item");
    auto lock = app.db().lock();
    Stmt st(app.db(), "DELETE FROM collection_items WHERE collection_id = ?1 AND item_id = ?2");
    st.bind(1, c.id).bind(2, req.param("item_id")).run();
    if (app.db().changes() == 0)
        throw HttpError(404, "the item is not in the collection");
    res.status = 204;
}

} // namespace

void add_collection_routes(std::vector<Route> &r) {
    r.push_back({"GET", "/api/v1/collections", scope_read, false, list});
    r.push_back({"POST", "/api/v1/collections", scope_process, false, create});
    r.push_back({"GET", "/api/v1/collections/{id}", scope_read, false, get});
    r.push_back({"PATCH", "/api/v1/collections/{id}", scope_process, false, patch});
    r.push_back({"DELETE", "/api/v1/collections/{id}", scope_process, false, remove});
    r.push_back({"PUT", "/api/v1/collections/{id}/items/{item_id}", scope_process, false, add_item});
    r.push_back({"DELETE", "/api/v1/collections/{id}/items/{item_id}", scope_process, false,
                 remove_item});
}

} // namespace ts::serve
