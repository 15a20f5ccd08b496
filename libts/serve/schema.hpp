// The catalog's schema and its migrations, kept in one place.
#pragma once

namespace ts::serve {

class Db;

// The schema version this build writes (PRAGMA user_version).
constexpr int schema_version = 3;

// Brings a catalog to schema_version in one transaction; refuses a newer one.
void migrate(Db &db);

} // namespace ts::serve
