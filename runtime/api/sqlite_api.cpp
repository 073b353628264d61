// lunatic::sqlite: upstream Lunatic 0.13's 14 functions on Debian's SQLite, by connection and
// statement ids of the calling process's own tables, freed when it ends.
//
// - Files: every database file, journal and ATTACHed file is opened through the sandboxed VFS
//   (sqlite_vfs.h), beneath a directory the process was granted; ":memory:" needs none.
// - Stacks and blocking: every call that may read or write the disk (open, query_prepare,
//   execute, sqlite3_step, and reset or finalize of a writing statement mid-way) runs in
//   the calling process on a host stack of its own (host_stack.h), where SQLite's depth
//   meets a guard page rather than the next process's stack. What in it waits for the disk
//   parks the process, not the worker (sqlite_vfs.h), and a kill waits until the call
//   returns.
// - Failures as upstream's: a pointer outside the process's memory, an unknown id, SQL that
//   does not prepare, a step or a bind that fails end the calling process with a line that
//   says why (upstream traps); open answers 1 with an error id, execute SQLite's result code.
// - Values go to the guest as upstream's bincode (serde, fixed-width little-endian integers,
//   u64 lengths, u32 enum tags), in memory the guest's exported lunatic_alloc gives.
//
// A host function's frame is left without destructors when the process fails or is killed
// (host_failure.h); so what a call makes (a connection, a statement, a message, a reply) goes
// straight into the process's tables (sqlite.h), and lambdas capture only references.
#include <cstring>
#include <string_view>

#include "lunatic/utf8.h"
#include "runtime/api/api.h"
#include "runtime/api/guest_reply.h"
#include "runtime/api/sqlite.h"
#include "runtime/api/sqlite_vfs.h"
#include "runtime/process/host_stack.h"
#include "runtime/process/scheduler.h"
#include "runtime/process/module_image.h"

namespace lunatic::rt {
namespace sqlite {

// Closing may roll back a transaction left open and delete its journal: under the sandbox.
Connection::~Connection() {
  SandboxScope scope(view.get());
  sqlite3_close_v2(db);
}

Statement::~Statement() {
  if (!connection) return;
  SandboxScope scope(connection->view.get());
  sqlite3_finalize(statement);
}

namespace {

using api::handToGuest;
using api::newReply;
using api::putBytes;
using api::putText;
using api::putU32;
using api::putU8;
using api::putU64;

constexpr int kOpenFlags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
constexpr uint32_t kRow = 100, kDone = 101;
// What a connection and a statement are counted as against the host memory budget: a
// fixed estimate (SQLite's own use grows with the page cache, up to its cache_size).
constexpr uint64_t kConnectionBytes = 64 * 1024;
constexpr uint64_t kStatementBytes = 4 * 1024;
// SQLite's lengths are ints.
constexpr uint32_t kMaxLength = 0x7fffffff;

// The process's tables, if it has made any (only this file makes them).
Resources* existingResources(Process& p) {
  return p.resources ? static_cast<Resources*>(p.resources->sqlite.get()) : nullptr;
}

Resources& resourcesOf(Process& p) {
  if (Resources* resources = existingResources(p)) return *resources;
  auto made = std::make_unique<Resources>();
  Resources& resources = *made;
  p.ownResources().sqlite = std::move(made);
  return resources;
}

std::shared_ptr<Connection>& connectionOf(lunatic_instance* self, uint64_t id, const char* function) {
  if (Resources* resources = existingResources(api::callerOf(self))) {
    auto it = resources->connections.find(id);
    if (it != resources->connections.end()) return it->second;
  }
  fail(self, function, "no such SQLite connection");
}

Statement& statementOf(lunatic_instance* self, uint64_t id, const char* function) {
  if (Resources* resources = existingResources(api::callerOf(self))) {
    if (resources->last_statement && resources->last_statement_id == id) return *resources->last_statement;
    auto it = resources->statements.find(id);
    if (it != resources->statements.end()) {
      resources->last_statement_id = id;
      resources->last_statement = &it->second;
      return it->second;
    }
  }
  fail(self, function, "no such SQLite statement");
}

// A long query takes turns with other processes as guest code does: SQLite calls this every
// kProgressSteps steps of its virtual machine, each counted as kReductionsPerStep reductions
// (against the slice and the fuel), and it yields when the slice is spent. It stops the
// statement (SQLITE_INTERRUPT) once the process must end, killed or out of fuel.
constexpr int kProgressSteps = 1000;
constexpr int64_t kReductionsPerStep = 50;  // a step runs tens of machine instructions

int onProgress(void*) {
  Process* p = scheduler::currentProcess();
  if (!p || !mayPark()) return 0;  // a connection closed where its process is dismantled
  lunatic_instance* instance = p->instance();
  instance->reductions_left -= kProgressSteps * kReductionsPerStep;
  if (instance->reductions_left <= 0) lunatic_yield(instance);
  return p->mustEnd() ? 1 : 0;
}

// Runs `work` on a host stack under `view`'s sandbox (SQLite's stack use is its own, and
// must not meet the next process's stack); what in it waits for the disk parks the process.
template <typename Work>
void inSqlite(lunatic_instance* self, const char* function, const wasi::WasiConfig* view, Work& work) {
  auto scoped = [&] {
    SandboxScope scope(view);
    work();
  };
  if (!runOnHostStack(&api::callerOf(self), scoped)) fail(self, function, "out of address space for SQLite's stack");
}

// --- Replies: upstream's bincode (guest_reply.h) ----------------------------------------------

// SqliteValue: Null 0, Blob 1, Text 2, Double 3, Integer 4 (I64 5 is never sent, as upstream).
void putColumn(ReplyBytes& out, sqlite3_stmt* statement, int column) {
  switch (sqlite3_column_type(statement, column)) {
    case SQLITE_INTEGER:
      putU32(out, 4);
      putU64(out, uint64_t(sqlite3_column_int64(statement, column)));
      return;
    case SQLITE_FLOAT: {
      putU32(out, 3);
      double value = sqlite3_column_double(statement, column);
      uint64_t bits;
      std::memcpy(&bits, &value, 8);
      putU64(out, bits);
      return;
    }
    case SQLITE_TEXT: {
      putU32(out, 2);
      const unsigned char* text = sqlite3_column_text(statement, column);
      putBytes(out, text, text ? size_t(sqlite3_column_bytes(statement, column)) : 0);
      return;
    }
    case SQLITE_BLOB: {
      putU32(out, 1);
      const void* blob = sqlite3_column_blob(statement, column);
      putBytes(out, blob, blob ? size_t(sqlite3_column_bytes(statement, column)) : 0);
      return;
    }
    default:
      putU32(out, 0);
  }
}

// --- Bind lists: upstream's bincode, read from guest memory -------------------------------

class WireReader {
 public:
  explicit WireReader(std::string_view bytes) : at_(bytes.data()), end_(bytes.data() + bytes.size()) {}
  bool u32(uint32_t* out) { return fixed(out); }
  bool u64(uint64_t* out) { return fixed(out); }
  // A u64 length, then that many bytes.
  bool bytes(std::string_view* out) {
    uint64_t length;
    if (!u64(&length) || length > uint64_t(end_ - at_)) return false;
    *out = std::string_view(at_, length);
    at_ += length;
    return true;
  }

 private:
  // One load: the wire's little-endian is the host's (guest_reply.h).
  template <typename T>
  bool fixed(T* out) {
    if (size_t(end_ - at_) < sizeof(T)) return false;
    std::memcpy(out, at_, sizeof(T));
    at_ += sizeof(T);
    return true;
  }
  const char* at_;
  const char* end_;
};

// The parameter index a BindKey names (None 0: the first; Numeric 1, up to `parameters`;
// String 2: by name, with its prefix, ":name"), or 0 if it is malformed or names none.
int bindIndex(WireReader& in, sqlite3_stmt* statement, uint64_t parameters) {
  uint32_t tag;
  if (!in.u32(&tag)) return 0;
  if (tag == 0) return 1;
  if (tag == 1) {
    uint64_t index;
    return in.u64(&index) && index > 0 && index <= parameters ? int(index) : 0;
  }
  std::string_view name;
  char terminated[256];
  if (tag != 2 || !in.bytes(&name) || name.size() >= sizeof terminated) return 0;
  std::memcpy(terminated, name.data(), name.size());
  terminated[name.size()] = '\0';
  return sqlite3_bind_parameter_index(statement, terminated);
}

// Binds a BindValue (Null 0, Blob 1, Text 2, Double 3, Int 4 as i32, Int64 5) at `index`:
// SQLite's result code, or -1 if the value is malformed.
int bindValue(WireReader& in, sqlite3_stmt* statement, int index) {
  uint32_t tag;
  if (!in.u32(&tag)) return -1;
  std::string_view bytes;
  uint32_t small;
  uint64_t large;
  switch (tag) {
    case 0: return sqlite3_bind_null(statement, index);
    case 1:
      if (!in.bytes(&bytes)) return -1;
      return sqlite3_bind_blob64(statement, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
    case 2:
      if (!in.bytes(&bytes) || !isValidUtf8(bytes)) return -1;
      return sqlite3_bind_text64(statement, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    case 3: {
      if (!in.u64(&large)) return -1;
      double value;
      std::memcpy(&value, &large, 8);
      return sqlite3_bind_double(statement, index, value);
    }
    case 4:
      if (!in.u32(&small)) return -1;
      return sqlite3_bind_int64(statement, index, int32_t(small));
    case 5:
      if (!in.u64(&large)) return -1;
      return sqlite3_bind_int64(statement, index, int64_t(large));
    default: return -1;
  }
}

// Runs every statement of `sql` to its end, as sqlite3_exec: SQLITE_OK or the first error.
int executeAll(sqlite3* db, std::string_view sql) {
  const char* at = sql.data();
  const char* end = at + sql.size();
  while (at < end) {
    sqlite3_stmt* statement = nullptr;
    const char* tail = end;
    int rc = sqlite3_prepare_v2(db, at, int(end - at), &statement, &tail);
    if (rc != SQLITE_OK) return rc;
    at = tail;
    if (!statement) continue;  // only blanks or a comment were left
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
    }
    sqlite3_finalize(statement);
    if (rc != SQLITE_DONE) return rc;
  }
  return SQLITE_OK;
}

std::string_view sqlText(lunatic_instance* self, uint32_t ptr, uint32_t len, const char* function) {
  std::string_view sql = api::guestText(self, ptr, len, function, "the SQL");
  if (len > kMaxLength) fail(self, function, "the SQL is longer than SQLite takes");
  return sql;
}

// --- The host functions ---------------------------------------------------------------------

uint64_t open(lunatic_instance* self, uint32_t path_ptr, uint32_t path_len, uint32_t id_ptr) {
  std::string_view path = api::guestText(self, path_ptr, path_len, "open", "the path");
  if (!GuestMemory(self).at(id_ptr, 8)) fail(self, "open", "the connection id pointer is outside the process's memory");
  Process& p = api::callerOf(self);
  api::holdHostMemory(self, p, kConnectionBytes, "open");
  Resources& r = resourcesOf(p);
  const uint64_t id = p.ownResources().next_id++;
  const wasi::WasiConfigPtr& view = p.capabilities.wasi;
  bool opened = false;
  auto work = [&] {
    if (path.find('\0') != std::string_view::npos) {
      r.message = "Failed to access a path that holds a NUL character";
      return;
    }
    std::string name(path);
    r.message = "Failed to access '" + name + "': ";
    sqlite3* db = nullptr;
    int rc = sqlite3_open_v2(name.c_str(), &db, kOpenFlags, sandboxVfs());
    if (rc == SQLITE_OK) {
      sqlite3_progress_handler(db, kProgressSteps, onProgress, nullptr);
      r.connections.emplace(id, std::make_shared<Connection>(db, view));
      opened = true;
      return;
    }
    std::string refusal = takeRefusal();
    r.message += refusal.empty() ? std::string(db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)) : refusal;
    sqlite3_close_v2(db);
  };
  inSqlite(self, "open", view.get(), work);
  GuestMemory memory(self);
  if (opened) {
    memory.store64(id_ptr, id);
    return 0;
  }
  p.releaseOwn(kConnectionBytes);
  memory.store64(id_ptr, api::newError(p, std::move(r.message)));
  return 1;
}

uint64_t query_prepare(lunatic_instance* self, uint64_t connection_id, uint32_t sql_ptr, uint32_t sql_len) {
  std::string_view sql = sqlText(self, sql_ptr, sql_len, "query_prepare");
  std::shared_ptr<Connection>& connection = connectionOf(self, connection_id, "query_prepare");
  Process& p = api::callerOf(self);
  api::holdHostMemory(self, p, kStatementBytes, "query_prepare");
  Resources& r = resourcesOf(p);
  const uint64_t id = p.ownResources().next_id++;
  bool prepared = false;
  auto work = [&] {
    sqlite3_stmt* statement = nullptr;
    int rc = sqlite3_prepare_v2(connection->db, sql.data(), int(sql.size()), &statement, nullptr);
    if (rc == SQLITE_OK && statement) {
      r.statements.emplace(id, Statement(statement, connection));
      prepared = true;
    } else {
      r.message = rc == SQLITE_OK ? "the SQL holds no statement" : sqlite3_errmsg(connection->db);
    }
  };
  inSqlite(self, "query_prepare", connection->view.get(), work);
  if (!prepared) {
    p.releaseOwn(kStatementBytes);
    fail(self, "query_prepare", std::move(r.message));
  }
  return id;
}

uint32_t execute(lunatic_instance* self, uint64_t connection_id, uint32_t sql_ptr, uint32_t sql_len) {
  std::string_view sql = sqlText(self, sql_ptr, sql_len, "execute");
  Connection& connection = *connectionOf(self, connection_id, "execute");
  int rc = SQLITE_OK;
  auto work = [&] { rc = executeAll(connection.db, sql); };
  inSqlite(self, "execute", connection.view.get(), work);
  return uint32_t(rc);
}

void bind_value(lunatic_instance* self, uint64_t statement_id, uint32_t list_ptr, uint32_t list_len) {
  sqlite3_stmt* statement = statementOf(self, statement_id, "bind_value").statement;
  std::string_view list;
  if (!GuestMemory(self).view(list_ptr, list_len, &list)) {
    fail(self, "bind_value", "the bind list is outside the process's memory");
  }
  WireReader in(list);
  uint64_t count;
  if (!in.u64(&count)) fail(self, "bind_value", "the bind list is malformed");
  const uint64_t parameters = uint64_t(sqlite3_bind_parameter_count(statement));
  for (uint64_t i = 0; i < count; ++i) {
    int index = bindIndex(in, statement, parameters);
    if (index == 0) fail(self, "bind_value", "a bind key is malformed or names no parameter of the statement");
    int rc = bindValue(in, statement, index);
    if (rc < 0) fail(self, "bind_value", "a bind value is malformed");
    if (rc != SQLITE_OK) fail(self, "bind_value", sqlite3_errstr(rc));
  }
}

uint32_t changes(lunatic_instance* self, uint64_t connection_id) {
  return uint32_t(sqlite3_changes(connectionOf(self, connection_id, "sqlite3_changes")->db));
}

// A statement stepped but not run to its end holds a transaction's lock, and may hold
// changes to roll back: resetting it then may touch the disk. A read-only one (a SELECT
// that has given rows) holds no changes: its reset at most ends a read transaction, which
// lets go of locks (fcntl's F_SETLK never waits) in a few frames, as a reset that was not
// busy, so it needs neither a host stack nor the sandbox (no name is opened; were one, the
// VFS would refuse it, having no scope).
void resetStatement(lunatic_instance* self, const char* function, Statement& s) {
  if (!sqlite3_stmt_busy(s.statement) || sqlite3_stmt_readonly(s.statement)) {
    sqlite3_reset(s.statement);
    return;
  }
  auto work = [&] { sqlite3_reset(s.statement); };
  inSqlite(self, function, s.connection->view.get(), work);
}

// Upstream fails the process when the statement's last step had failed (sqlite3_reset
// answers that step's error); here the statement is reset and may be used again.
void statement_reset(lunatic_instance* self, uint64_t statement_id) {
  resetStatement(self, "statement_reset", statementOf(self, statement_id, "statement_reset"));
}

void finalize(lunatic_instance* self, uint64_t statement_id) {
  resetStatement(self, "sqlite3_finalize", statementOf(self, statement_id, "sqlite3_finalize"));
  Process& p = api::callerOf(self);
  Resources& r = resourcesOf(p);
  if (r.last_statement_id == statement_id) r.last_statement = nullptr;
  r.statements.erase(statement_id);
  p.releaseOwn(kStatementBytes);
}

uint32_t step(lunatic_instance* self, uint64_t statement_id) {
  Statement& s = statementOf(self, statement_id, "sqlite3_step");
  int rc = SQLITE_OK;
  auto work = [&] { rc = sqlite3_step(s.statement); };
  inSqlite(self, "sqlite3_step", s.connection->view.get(), work);
  if (rc == SQLITE_ROW) return kRow;
  if (rc == SQLITE_DONE) return kDone;
  // The connection keeps the step's message until its next call.
  fail(self, "sqlite3_step", sqlite3_errmsg(s.connection->db));
}

// SqliteError { code: Option<u32>, message: Option<String> }, both given. Upstream fails the
// process when the connection has no error; here the answer is code 0, "not an error".
uint32_t last_error(lunatic_instance* self, uint64_t connection_id, uint32_t len_ptr) {
  sqlite3* db = connectionOf(self, connection_id, "last_error")->db;
  ReplyBytes& out = newReply(api::callerOf(self));
  putU8(out, 1);
  putU32(out, uint32_t(sqlite3_errcode(db)));
  putU8(out, 1);
  putText(out, sqlite3_errmsg(db));
  return handToGuest(self, "last_error", len_ptr);
}

// The column `column` of the statement, or the process fails if it has no such column.
int columnOf(lunatic_instance* self, sqlite3_stmt* statement, uint32_t column, const char* function) {
  if (column >= uint32_t(sqlite3_column_count(statement))) fail(self, function, "no such column");
  return int(column);
}

uint32_t read_column(lunatic_instance* self, uint64_t statement_id, uint32_t column, uint32_t len_ptr) {
  sqlite3_stmt* statement = statementOf(self, statement_id, "read_column").statement;
  int index = columnOf(self, statement, column, "read_column");
  putColumn(newReply(api::callerOf(self)), statement, index);
  return handToGuest(self, "read_column", len_ptr);
}

// A count, then `put` of each column of the statement: what column_names and read_row hand
// back.
uint32_t eachColumn(lunatic_instance* self, uint64_t statement_id, uint32_t len_ptr, const char* function,
                    void (*put)(ReplyBytes&, sqlite3_stmt*, int)) {
  sqlite3_stmt* statement = statementOf(self, statement_id, function).statement;
  ReplyBytes& out = newReply(api::callerOf(self));
  int count = sqlite3_column_count(statement);
  putU64(out, uint64_t(count));
  for (int i = 0; i < count; ++i) put(out, statement, i);
  return handToGuest(self, function, len_ptr);
}

uint32_t column_names(lunatic_instance* self, uint64_t statement_id, uint32_t len_ptr) {
  auto putName = [](ReplyBytes& out, sqlite3_stmt* statement, int i) {
    putText(out, sqlite3_column_name(statement, i));
  };
  return eachColumn(self, statement_id, len_ptr, "column_names", putName);
}

uint32_t read_row(lunatic_instance* self, uint64_t statement_id, uint32_t len_ptr) {
  return eachColumn(self, statement_id, len_ptr, "read_row", putColumn);
}

uint32_t column_count(lunatic_instance* self, uint64_t statement_id) {
  return uint32_t(sqlite3_column_count(statementOf(self, statement_id, "column_count").statement));
}

// The name's bytes alone, not bincode, as upstream.
uint32_t column_name(lunatic_instance* self, uint64_t statement_id, uint32_t column, uint32_t len_ptr) {
  sqlite3_stmt* statement = statementOf(self, statement_id, "column_name").statement;
  const char* name = sqlite3_column_name(statement, columnOf(self, statement, column, "column_name"));
  if (!name) fail(self, "column_name", "out of host memory");
  ReplyBytes& out = newReply(api::callerOf(self));
  out.assign(name, std::strlen(name));
  return handToGuest(self, "column_name", len_ptr);
}

}  // namespace
}  // namespace sqlite
}  // namespace lunatic::rt

LUNATIC_HOST_CODE(sqlite, open, sqlite::open);
LUNATIC_HOST_CODE(sqlite, query_prepare, sqlite::query_prepare);
LUNATIC_HOST_CODE(sqlite, execute, sqlite::execute);
LUNATIC_HOST_CODE(sqlite, bind_value, sqlite::bind_value);
LUNATIC_HOST_CODE(sqlite, sqlite3_changes, sqlite::changes);
LUNATIC_HOST_CODE(sqlite, statement_reset, sqlite::statement_reset);
LUNATIC_HOST_CODE(sqlite, last_error, sqlite::last_error);
LUNATIC_HOST_CODE(sqlite, sqlite3_finalize, sqlite::finalize);
LUNATIC_HOST_CODE(sqlite, sqlite3_step, sqlite::step);
LUNATIC_HOST_CODE(sqlite, read_column, sqlite::read_column);
LUNATIC_HOST_CODE(sqlite, column_names, sqlite::column_names);
LUNATIC_HOST_CODE(sqlite, read_row, sqlite::read_row);
LUNATIC_HOST_CODE(sqlite, column_count, sqlite::column_count);
LUNATIC_HOST_CODE(sqlite, column_name, sqlite::column_name);
