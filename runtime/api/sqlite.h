// What lunatic::sqlite keeps for a process (sqlite_api.cpp): its connections and statements
// by id, freed when it ends, and what a call is handing back to it.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/process/process.h"
#include "runtime/process/wasi_config.h"

namespace lunatic::rt::sqlite {

// An open database. Closed (and any transaction left open rolled back) when the last of
// its process's ids for it, and its statements, let go.
struct Connection {
  sqlite3* db = nullptr;
  // The directories its files are resolved in (sqlite_vfs.h): its opener's view. Kept with
  // it, since journals and ATTACHed files are opened later, from any thread.
  wasi::WasiConfigPtr view;
  Connection(sqlite3* db, wasi::WasiConfigPtr view) : db(db), view(std::move(view)) {}
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
};

// A prepared statement of a connection, finalized when dropped.
struct Statement {
  sqlite3_stmt* statement = nullptr;
  std::shared_ptr<Connection> connection;
  Statement(sqlite3_stmt* statement, std::shared_ptr<Connection> connection)
      : statement(statement), connection(std::move(connection)) {}
  ~Statement();
  Statement(Statement&& other) noexcept
      : statement(std::exchange(other.statement, nullptr)), connection(std::move(other.connection)) {}
  Statement& operator=(Statement&&) = delete;
};

struct Resources final : HostResourceTables {
  std::unordered_map<uint64_t, std::shared_ptr<Connection>> connections;
  std::unordered_map<uint64_t, Statement> statements;
  // Kept here rather than on a host function's frame, which a trap or a kill leaves without
  // running destructors: an SQLite error message on its way to an error id or a failure.
  std::string message;
  // The statement looked up last (calls on one statement come in runs: bind, step, read,
  // reset), forgotten when it is finalized.
  uint64_t last_statement_id = 0;
  Statement* last_statement = nullptr;
};

}  // namespace lunatic::rt::sqlite
