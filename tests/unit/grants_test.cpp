// What a process may reach: directory grants as written (lunatic/directory_grant.h), the
// root process's WASI view from flags and environment, grants handed on to children
// (wasi/grants.h), the filesystem sandbox's path rules (wasi/sandbox.h), and the
// narrowing of capabilities (process/process.h).
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "lunatic/directory_grant.h"
#include "runtime/process/process.h"
#include "wasi/sandbox.h"
#include "wasi/grants.h"

using namespace lunatic;
using namespace lunatic::rt;
using wasi::Errno;
namespace fs = std::filesystem;

namespace {

// A scratch tree, removed at the end:
//   root/data/inner/          root/data/file.txt
//   root/data/escape -> /etc  root/data/up -> ../outside     root/data/loop -> loop
//   root/outside/secret
struct Tree {
  fs::path root;
  Tree() {
    std::string pattern = (fs::temp_directory_path() / "lunatic-unit-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    root = pattern;
    fs::create_directories(root / "data" / "inner");
    fs::create_directories(root / "outside");
    writeFile(root / "data" / "file.txt");
    writeFile(root / "outside" / "secret");
    fs::create_directory_symlink("/etc", root / "data" / "escape");
    fs::create_directory_symlink("../outside", root / "data" / "up");
    fs::create_symlink("loop", root / "data" / "loop");
  }
  ~Tree() { fs::remove_all(root); }
  static void writeFile(const fs::path& path) {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    close(fd);
  }
  std::string path(std::string_view rest = "") const { return (root / rest).string(); }
};

// A null-terminated KEY=value array, like environ.
struct Environment {
  std::vector<std::string> entries;
  std::vector<char*> pointers;
  explicit Environment(std::vector<std::string> e) : entries(std::move(e)) {
    for (std::string& entry : entries) pointers.push_back(entry.data());
    pointers.push_back(nullptr);
  }
  char** get() { return pointers.data(); }
};

// The baked grants' encoding (abi.h): records of three NUL-terminated strings, then "".
std::string baked(std::vector<std::string> strings) {
  std::string out;
  for (const std::string& s : strings) out.append(s).push_back('\0');
  out.push_back('\0');
  return out;
}

wasi::WasiConfigPtr rootConfig(std::vector<std::string> environment, std::string* error,
                               const std::string& grants = std::string(1, '\0')) {
  Environment env(std::move(environment));
  char program[] = "program";
  char* argv[] = {program, nullptr};
  return rootWasiConfig(1, argv, grants.c_str(), env.get(), error);
}

// Whether two descriptors are the same open directory.
bool sameDirectory(int a, int b) {
  struct stat sa, sb;
  return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

}  // namespace

TEST_CASE("directory grant syntax: HOST[::GUEST][:ro]") {
  auto g = parseDirectoryGrant("/srv/data");
  CHECK(g.host == "/srv/data");
  CHECK(g.guest == "/srv/data");
  CHECK_FALSE(g.read_only);

  g = parseDirectoryGrant("/srv/data::/data:ro");
  CHECK(g.host == "/srv/data");
  CHECK(g.guest == "/data");
  CHECK(g.read_only);

  g = parseDirectoryGrant("logs:ro");
  CHECK(g.host == "logs");
  CHECK(g.guest == "logs");
  CHECK(g.read_only);

  g = parseDirectoryGrant("/srv::ro");  // the guest name "ro", writable
  CHECK(g.guest == "ro");
  CHECK_FALSE(g.read_only);

  g = parseDirectoryGrant("a::b:ro:ro");  // only the last ":ro" is the flag
  CHECK(g.guest == "b:ro");
  CHECK(g.read_only);
}

TEST_CASE("directory grant syntax: empty names come out empty, for the caller to refuse") {
  CHECK(parseDirectoryGrant("::/data").host.empty());
  CHECK(parseDirectoryGrant("/srv::").guest.empty());
  auto g = parseDirectoryGrant(":ro");
  CHECK(g.read_only);
  CHECK(g.host.empty());
  CHECK(parseDirectoryGrant("").guest.empty());
}

TEST_CASE("LUNATIC_DIRS: entries split at ':' but not inside '::' or a final ':ro'") {
  using V = std::vector<std::string_view>;
  CHECK(splitDirectoryList("a:b") == V{"a", "b"});
  CHECK(splitDirectoryList("/a::/x:/b:ro:c") == V{"/a::/x", "/b:ro", "c"});
  CHECK(splitDirectoryList("/a::/x:ro") == V{"/a::/x:ro"});
  CHECK(splitDirectoryList("a:rob") == V{"a", "rob"});  // ":rob" is not the flag
  CHECK(splitDirectoryList("a::ro:b") == V{"a::ro", "b"});
  CHECK(splitDirectoryList(":a::") == V{"a::"});  // empty entries left out, as PATH
  CHECK(splitDirectoryList("a:::b") == V{"a::", "b"});
  CHECK(splitDirectoryList("").empty());
  CHECK(splitDirectoryList(":::").size() == 1);
}

TEST_CASE("root WASI view: only LUNATIC_ENV_ variables and LUNATIC_DIRS reach the guest") {
  Tree tree;
  std::string error;
  auto config = rootConfig({"HOME=/root", "LUNATIC_ENV_MODE=test", "LUNATIC_ENV_EMPTY=", "PATH=/bin",
                            "LUNATIC_DIRS=" + tree.path("data") + "::/data:ro:" + tree.path("outside")},
                           &error);
  REQUIRE_MESSAGE(config, error);
  CHECK(config->arguments == std::vector<std::string>{"program"});
  CHECK(config->environment == std::vector<std::string>{"MODE=test", "EMPTY="});
  REQUIRE(config->directories.size() == 2);
  CHECK(config->directories[0].guest_path == "/data");
  CHECK(config->directories[0].read_only);
  CHECK(config->directories[1].guest_path == tree.path("outside"));
  CHECK_FALSE(config->directories[1].read_only);
  struct stat st;
  REQUIRE(fstat(config->directories[0].directory->get(), &st) == 0);
  CHECK(S_ISDIR(st.st_mode));
}

TEST_CASE("root WASI view: baked grants come first; a variable granted twice keeps its last value") {
  Tree tree;
  std::string error;
  auto config = rootConfig({"LUNATIC_ENV_A=from-run"}, &error,
                           baked({"env", "A", "baked", "env", "B", "x=y", "dir-ro", tree.path("data"), "/d"}));
  REQUIRE_MESSAGE(config, error);
  CHECK(config->environment == std::vector<std::string>{"A=from-run", "B=x=y"});
  REQUIRE(config->directories.size() == 1);
  CHECK(config->directories[0].guest_path == "/d");
  CHECK(config->directories[0].read_only);
}

TEST_CASE("root WASI view: grants that cannot be honoured are errors, not omissions") {
  Tree tree;
  std::string error;
  CHECK_FALSE(rootConfig({"LUNATIC_ENV_=x"}, &error));
  CHECK(error.starts_with("LUNATIC_ENV_ names no variable"));
  CHECK_FALSE(rootConfig({"LUNATIC_DIRS=" + tree.path("missing")}, &error));
  CHECK(error == "directory '" + tree.path("missing") + "' (granted by LUNATIC_DIRS): No such file or directory");
  CHECK_FALSE(rootConfig({"LUNATIC_DIRS=" + tree.path("data/file.txt")}, &error));
  CHECK(error.ends_with(": not a directory"));
  CHECK_FALSE(rootConfig({"LUNATIC_DIRS=" + tree.path("data") + "::"}, &error));
  CHECK(error.ends_with("a directory grant needs a host directory and a guest name"));
  CHECK_FALSE(rootConfig({}, &error, baked({"bogus", "a", "b"})));
  CHECK(error.find("malformed") != std::string::npos);
  CHECK_FALSE(rootConfig({}, &error, baked({"dir", tree.path("missing"), "/m"})));
  CHECK(error.find("(granted by --dir)") != std::string::npos);
}

TEST_CASE("setEnvironmentVariable replaces only the same key") {
  wasi::WasiConfig config;
  setEnvironmentVariable(config, "KEYS", "1");
  setEnvironmentVariable(config, "KEY", "2");
  setEnvironmentVariable(config, "KEY", "3");
  CHECK(config.environment == std::vector<std::string>{"KEYS=1", "KEY=3"});
}

TEST_CASE("grantDirectory: a child gets only what lies inside its granter's directories") {
  Tree tree;
  std::string error;
  auto config = rootConfig({"LUNATIC_DIRS=" + tree.path("data") + "::/data"}, &error);
  REQUIRE_MESSAGE(config, error);
  const wasi::PreopenDir& data = config->directories[0];

  wasi::PreopenDir whole;
  CHECK(grantDirectory(*config, "/data/", false, &whole) == "");
  CHECK(whole.directory == data.directory);  // the same descriptor, shared
  CHECK(whole.guest_path == "/data/");

  wasi::PreopenDir inner;
  CHECK(grantDirectory(*config, "/data/./inner", true, &inner) == "");
  CHECK(inner.read_only);
  CHECK(inner.directory != data.directory);
  int expected = open(tree.path("data/inner").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  CHECK(sameDirectory(inner.directory->get(), expected));
  close(expected);

  wasi::PreopenDir untouched;
  CHECK(grantDirectory(*config, "/database", false, &untouched) == "not inside a directory this process was granted");
  CHECK(grantDirectory(*config, "/", false, &untouched) == "not inside a directory this process was granted");
  CHECK(grantDirectory(*config, "data", false, &untouched) == "not inside a directory this process was granted");
  CHECK(untouched.directory == nullptr);  // set only on success
}

TEST_CASE("grantDirectory: ways out of the granted directory are refused") {
  Tree tree;
  std::string error;
  auto config = rootConfig({"LUNATIC_DIRS=" + tree.path("data") + "::/data"}, &error);
  REQUIRE_MESSAGE(config, error);
  wasi::PreopenDir out;
  CHECK(grantDirectory(*config, "/data/../outside", false, &out) == "leads outside the granted directory /data");
  CHECK(grantDirectory(*config, "/data/inner/../../outside", false, &out) ==
        "leads outside the granted directory /data");
  CHECK(grantDirectory(*config, "/data/escape", false, &out) == "leads outside the granted directory /data");
  CHECK(grantDirectory(*config, "/data/up", false, &out) == "leads outside the granted directory /data");
  CHECK(grantDirectory(*config, "/data/file.txt", false, &out) == "not a directory");
  CHECK(grantDirectory(*config, "/data/missing", false, &out) == "No such file or directory");
  CHECK(grantDirectory(*config, "/data/loop", false, &out) == "Too many levels of symbolic links");
  CHECK(out.directory == nullptr);
}

TEST_CASE("grantDirectory: the longest granted prefix decides, and read-only is inherited") {
  Tree tree;
  std::string error;
  auto config = rootConfig(
      {"LUNATIC_DIRS=" + tree.path("data") + "::/data:" + tree.path("data/inner") + "::/data/inner:ro"}, &error);
  REQUIRE_MESSAGE(config, error);
  wasi::PreopenDir granted;
  CHECK(grantDirectory(*config, "/data/inner", false, &granted) == "");
  CHECK(granted.read_only);  // from the read-only /data/inner, not the writable /data
  CHECK(granted.directory == config->directories[1].directory);
  CHECK(grantDirectory(*config, "/data", false, &granted) == "");
  CHECK_FALSE(granted.read_only);
}

// --- The sandbox's path rules ------------------------------------------------------------

TEST_CASE("grantCovering: what lies below the grant is the path's own rest, name by name") {
  Tree tree;
  std::string error;
  auto config = rootConfig(
      {"LUNATIC_DIRS=" + tree.path("data") + "::/data:" + tree.path("data/inner") + "::/data/inner"}, &error);
  REQUIRE_MESSAGE(config, error);
  const wasi::PreopenDir& data = config->directories[0];
  const wasi::PreopenDir& inner = config->directories[1];
  std::string_view rest = "unset";
  CHECK(grantCovering(*config, "/data/file.txt", &rest) == &data);
  CHECK(rest == "file.txt");
  CHECK(grantCovering(*config, "/data/inner/x.db-journal", &rest) == &inner);
  CHECK(rest == "x.db-journal");
  CHECK(grantCovering(*config, "//data/./inner//.//sub/x", &rest) == &inner);
  CHECK(rest == "sub/x");
  CHECK(grantCovering(*config, "/data/./", &rest) == &data);
  CHECK(rest == "");
  CHECK(grantCovering(*config, "/data/../outside/secret", &rest) == &data);
  CHECK(rest == "../outside/secret");  // for openBeneath to refuse
  CHECK(grantCovering(*config, "/data/..", &rest) == &data);
  CHECK(rest == "..");
  CHECK(grantCovering(*config, "/datafile", &rest) == nullptr);
  CHECK(grantCovering(*config, "/dat", &rest) == nullptr);
  CHECK(grantCovering(*config, "data/file.txt", &rest) == nullptr);  // relative: no "." granted
  CHECK(grantCovering(*config, "/", &rest) == nullptr);
}

namespace sandbox = lunatic::rt::wasi::sandbox;

namespace {

struct DataDirectory {
  Tree tree;
  int fd = ::open(tree.path("data").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ~DataDirectory() { close(fd); }
  Errno open(std::string_view path, uint64_t flags = O_RDONLY) {
    wasi::HostFd opened;
    Errno e = sandbox::openBeneath(fd, path, flags, 0, &opened);
    CHECK((e == Errno::Success) == (opened.get() >= 0));
    return e;
  }
};

}  // namespace

TEST_CASE("sandbox: paths refused before any system call") {
  DataDirectory d;
  CHECK(d.open("") == Errno::NoEnt);
  CHECK(d.open("/etc/passwd") == Errno::NotCapable);
  CHECK(d.open(std::string_view("file.txt\0/../../x", 17)) == Errno::Inval);
  CHECK(d.open(std::string(PATH_MAX, 'a')) == Errno::NameTooLong);
}

TEST_CASE("sandbox: the kernel keeps resolution beneath the directory") {
  DataDirectory d;
  CHECK(d.open("file.txt") == Errno::Success);
  CHECK(d.open("inner/../file.txt") == Errno::Success);
  CHECK(d.open("./inner//.", O_RDONLY | O_DIRECTORY) == Errno::Success);
  CHECK(d.open("..") == Errno::NotCapable);
  CHECK(d.open("../outside/secret") == Errno::NotCapable);
  CHECK(d.open("inner/../../outside/secret") == Errno::NotCapable);
  CHECK(d.open("escape/passwd") == Errno::NotCapable);  // absolute symlink
  CHECK(d.open("up/secret") == Errno::NotCapable);      // relative symlink climbing out
  CHECK(d.open("missing") == Errno::NoEnt);
  CHECK(d.open("file.txt/x") == Errno::NotDir);
  CHECK(d.open("loop") == Errno::Loop);
}

TEST_CASE("sandbox: O_NOFOLLOW stops at a final symlink") {
  DataDirectory d;
  CHECK(d.open("escape", O_RDONLY | O_NOFOLLOW) == Errno::Loop);
  CHECK(d.open("escape", O_PATH | O_NOFOLLOW) == Errno::Success);  // the link itself
}

TEST_CASE("sandbox: statBeneath answers as fstat of an O_PATH open would") {
  DataDirectory d;
  fs::create_symlink("file.txt", d.tree.root / "data" / "inside");
  struct stat st;
  auto stat = [&](std::string_view path, bool follow) { return sandbox::statBeneath(d.fd, path, follow, &st); };
  CHECK(stat("file.txt", true) == Errno::Success);
  CHECK(S_ISREG(st.st_mode));
  CHECK(stat("inside", true) == Errno::Success);  // a symlink inside, followed
  CHECK(S_ISREG(st.st_mode));
  CHECK(stat("inside", false) == Errno::Success);
  CHECK(S_ISLNK(st.st_mode));
  CHECK(stat(".", true) == Errno::Success);
  CHECK(S_ISDIR(st.st_mode));
  CHECK(stat("inner/../file.txt", true) == Errno::Success);
  CHECK(stat("missing", true) == Errno::NoEnt);
  CHECK(stat("inner/missing", false) == Errno::NoEnt);
  CHECK(stat("escape", true) == Errno::NotCapable);  // absolute symlink
  CHECK(stat("up", true) == Errno::NotCapable);      // relative symlink climbing out
  CHECK(stat("escape", false) == Errno::Success);    // the link itself
  CHECK(S_ISLNK(st.st_mode));
  CHECK(stat("loop", true) == Errno::Loop);
  CHECK(stat("..", true) == Errno::NotCapable);
  CHECK(stat("../outside/secret", false) == Errno::NotCapable);
  CHECK(stat("up/secret", false) == Errno::NotCapable);
  CHECK(stat("/etc/passwd", false) == Errno::NotCapable);
  CHECK(stat("", false) == Errno::NoEnt);
  CHECK(stat(std::string_view("file.txt\0/x", 10), false) == Errno::Inval);
  CHECK(stat(std::string(NAME_MAX + 1, 'a'), false) == Errno::NameTooLong);
}

TEST_CASE("sandbox: openParent splits off one plain name") {
  DataDirectory d;
  sandbox::Entry entry;
  REQUIRE(sandbox::openParent(d.fd, "inner/new", Errno::Exist, &entry) == Errno::Success);
  CHECK(entry.name == "new");
  CHECK_FALSE(entry.trailing_slash);
  int inner = open(d.tree.path("data/inner").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  CHECK(sameDirectory(entry.parent.get(), inner));
  close(inner);

  sandbox::Entry top;
  REQUIRE(sandbox::openParent(d.fd, "made//", Errno::Exist, &top) == Errno::Success);
  CHECK(top.name == "made");
  CHECK(top.trailing_slash);
  CHECK(sameDirectory(top.parent.get(), d.fd));
}

TEST_CASE("sandbox: openParent refuses dots and parents outside") {
  DataDirectory d;
  sandbox::Entry entry;
  CHECK(sandbox::openParent(d.fd, ".", Errno::Exist, &entry) == Errno::Exist);
  CHECK(sandbox::openParent(d.fd, "inner/..", Errno::Inval, &entry) == Errno::Inval);
  CHECK(sandbox::openParent(d.fd, "..", Errno::Inval, &entry) == Errno::NotCapable);
  CHECK(sandbox::openParent(d.fd, "../outside/new", Errno::Exist, &entry) == Errno::NotCapable);
  CHECK(sandbox::openParent(d.fd, "escape/new", Errno::Exist, &entry) == Errno::NotCapable);
  CHECK(sandbox::openParent(d.fd, "/tmp/new", Errno::Exist, &entry) == Errno::NotCapable);
  CHECK(sandbox::openParent(d.fd, "", Errno::Exist, &entry) == Errno::NoEnt);
  CHECK(sandbox::openParent(d.fd, "missing/new", Errno::Exist, &entry) == Errno::NoEnt);
  CHECK(entry.parent.get() < 0);
}

// --- Capabilities only narrow -------------------------------------------------------------

TEST_CASE("capabilities: narrowTo keeps the lesser of each") {
  Capabilities child;
  child.max_memory = 1 << 20;
  child.max_host_memory = 1 << 30;
  child.can_listen = false;
  Capabilities parent;
  parent.max_memory = 1 << 30;
  parent.max_host_memory = 1 << 10;
  parent.can_spawn_processes = false;
  parent.can_compile_modules = false;
  child.narrowTo(parent);
  CHECK(child.max_memory == 1 << 20);
  CHECK(child.max_host_memory == 1 << 10);
  CHECK_FALSE(child.can_spawn_processes);
  CHECK_FALSE(child.can_compile_modules);
  CHECK_FALSE(child.can_listen);  // a child's own refusal stays
  CHECK(child.can_connect);
  CHECK(child.can_create_configs);
  // Narrowing never widens, whatever the order.
  Capabilities again = child;
  again.narrowTo(Capabilities{});
  CHECK(again.max_memory == child.max_memory);
  CHECK(again.max_host_memory == child.max_host_memory);
  CHECK_FALSE(again.can_spawn_processes);
}

TEST_CASE("capabilities: fuel, where 0 means unlimited") {
  Capabilities c;
  CHECK(c.max_fuel == 0);
  c.narrowFuelTo(0);
  CHECK(c.max_fuel == 0);  // no limit on either side
  c.narrowFuelTo(50);
  CHECK(c.max_fuel == 50);  // an unlimited child takes its parent's limit
  c.narrowFuelTo(0);
  CHECK(c.max_fuel == 50);  // an unlimited parent does not lift a limit
  c.narrowFuelTo(80);
  CHECK(c.max_fuel == 50);
  c.narrowFuelTo(10);
  CHECK(c.max_fuel == 10);
  Capabilities limited;
  limited.max_fuel = 7;
  Capabilities child;
  child.narrowTo(limited);
  CHECK(child.max_fuel == 7);
}

TEST_CASE("capabilities: a new config grants no WASI view, and narrowing keeps the view") {
  Capabilities c;
  REQUIRE(c.wasi);
  CHECK(c.wasi->arguments.empty());
  CHECK(c.wasi->environment.empty());
  CHECK(c.wasi->directories.empty());
  auto view = std::make_shared<wasi::WasiConfig>();
  view->environment.push_back("A=1");
  c.wasi = view;
  c.narrowTo(Capabilities{});
  CHECK(c.wasi == view);
}
