// The process model's data structures, without a scheduler running: the mailbox's selective
// receive (process/process.h), the memory pool's reset of a memory between processes
// (memory.h), and a worker's run queue and work stealing (process/run_queue.h).
#include <doctest/doctest.h>

#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "runtime/memory.h"
#include "runtime/process/process.h"
#include "runtime/process/run_queue.h"

using namespace lunatic::rt;

namespace {

MessagePtr message(int64_t tag, uint8_t payload = 0) {
  auto m = std::make_unique<Message>();
  m->tag = tag;
  m->data = {payload};
  return m;
}

// The tags of what `take` hands out, all tags allowed, until the mailbox is empty.
std::vector<int64_t> drain(Mailbox& mailbox) {
  std::vector<int64_t> tags;
  while (MessagePtr m = mailbox.take(nullptr, 0)) tags.push_back(m->tag);
  return tags;
}

}  // namespace

TEST_CASE("mailbox: without a filter, messages come out in arrival order") {
  Mailbox mailbox;
  CHECK(mailbox.take(nullptr, 0) == nullptr);
  CHECK(mailbox.newest() == nullptr);
  for (int64_t tag : {5, 1, 5, 3}) mailbox.push(message(tag));
  CHECK(mailbox.newest()->tag == 3);
  CHECK(drain(mailbox) == std::vector<int64_t>{5, 1, 5, 3});
  CHECK(mailbox.newest() == nullptr);
}

TEST_CASE("mailbox: selective receive takes the oldest match and keeps the rest in order") {
  Mailbox mailbox;
  for (int i = 0; i < 6; ++i) mailbox.push(message(i % 3, uint8_t(i)));  // tags 0 1 2 0 1 2
  const int64_t two[] = {2};
  MessagePtr m = mailbox.take(two, 1);
  REQUIRE(m);
  CHECK(m->data[0] == 2);  // the first tag-2 message, not the second
  CHECK(m->next == nullptr);  // unlinked from the queue
  const int64_t one_or_two[] = {7, 1, 2};
  m = mailbox.take(one_or_two, 3);
  CHECK(m->data[0] == 1);
  CHECK(drain(mailbox) == std::vector<int64_t>{0, 0, 1, 2});
}

TEST_CASE("mailbox: no match leaves the mailbox as it was") {
  Mailbox mailbox;
  mailbox.push(message(1));
  mailbox.push(message(2));
  const int64_t none[] = {3, 4};
  CHECK(mailbox.take(none, 2) == nullptr);
  CHECK(mailbox.newest()->tag == 2);
  CHECK(drain(mailbox) == std::vector<int64_t>{1, 2});
}

TEST_CASE("mailbox: taking the newest message keeps pushes working") {
  Mailbox mailbox;
  mailbox.push(message(1));
  mailbox.push(message(2));
  const int64_t two[] = {2};
  CHECK(mailbox.take(two, 1)->tag == 2);
  CHECK(mailbox.newest()->tag == 1);  // the tail moved back
  mailbox.push(message(3));
  CHECK(drain(mailbox) == std::vector<int64_t>{1, 3});
  // The only message, taken by tag.
  mailbox.push(message(9));
  const int64_t nine[] = {9};
  CHECK(mailbox.take(nine, 1)->tag == 9);
  CHECK(mailbox.newest() == nullptr);
  mailbox.push(message(4));
  CHECK(drain(mailbox) == std::vector<int64_t>{4});
}

TEST_CASE("mailbox: `after` searches only what arrived later") {
  Mailbox mailbox;
  mailbox.push(message(1));
  mailbox.push(message(2));
  const Message* seen = mailbox.newest();
  CHECK(mailbox.take(nullptr, 0, seen) == nullptr);  // nothing newer yet
  const int64_t one[] = {1};
  CHECK(mailbox.take(one, 1, seen) == nullptr);  // the old tag-1 message is not looked at
  mailbox.push(message(1, 42));
  MessagePtr m = mailbox.take(one, 1, seen);
  REQUIRE(m);
  CHECK(m->data[0] == 42);
  CHECK(mailbox.newest() == seen);  // the tail came back to `after`
  mailbox.push(message(3));
  CHECK(drain(mailbox) == std::vector<int64_t>{1, 2, 3});
}

TEST_CASE("mailbox: clear drops everything, and the mailbox stays usable") {
  Mailbox mailbox;
  for (int i = 0; i < 1000; ++i) mailbox.push(message(i));
  mailbox.clear();
  CHECK(mailbox.newest() == nullptr);
  CHECK(mailbox.take(nullptr, 0) == nullptr);
  mailbox.push(message(7));
  CHECK(drain(mailbox) == std::vector<int64_t>{7});
}

TEST_CASE("message: hostBytes counts the buffer and the sockets list") {
  Message m;
  uint64_t empty = m.hostBytes();
  CHECK(empty == sizeof(Message) + kAllocationOverhead);
  m.data.reserve(1000);
  CHECK(m.hostBytes() == empty + m.data.capacity());
  m.sockets = std::make_unique<std::vector<Message::CarriedSocket>>(2);
  CHECK(m.hostBytes() > empty + m.data.capacity() + 2 * sizeof(Message::CarriedSocket));
}

// --- The memory pool ------------------------------------------------------------------

namespace {

constexpr uint64_t kPage = LUNATIC_WASM_PAGE_SIZE;

bool allZero(const lunatic_memory& m) {
  for (uint64_t i = 0; i < m.size; ++i) {
    if (m.base[i] != 0) return false;
  }
  return true;
}

// Whether the process could read `length` bytes at `address` (false for PROT_NONE), asked of
// the kernel so that the test does not fault.
bool readable(const uint8_t* address, size_t length) {
  std::vector<uint8_t> copy(length);
  iovec local{copy.data(), length}, remote{const_cast<uint8_t*>(address), length};
  return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == ssize_t(length);
}

// Scribbles on every host page of the memory.
void scribble(lunatic_memory& m) {
  for (uint64_t at = 0; at < m.size; at += 4096) m.base[at + (at / 4096) % 4096] = 0xab;
  m.base[m.size - 1] = 0xcd;
}

}  // namespace

TEST_CASE("memory pool: a released memory comes back zeroed, in both modes") {
  for (uint32_t mode : {LUNATIC_MEMORY_GUARD_PAGES, LUNATIC_MEMORY_BOUNDS_CHECKED}) {
    CAPTURE(mode);
    MemoryPool pool(2, mode);
    lunatic_memory memory;
    MemorySlot slot;
    REQUIRE(pool.acquire(&memory, &slot, 0));
    CHECK(memory.size == 2 * kPage);
    CHECK(memory.mode == mode);
    CHECK(allZero(memory));
    uint8_t* base = memory.base;
    // Several rounds: the slot goes cold, then reused, then warm; each reset must zero it.
    for (int round = 0; round < 4; ++round) {
      scribble(memory);
      pool.release(&memory, slot, 0);
      REQUIRE(pool.acquire(&memory, &slot, 0));
      CHECK(memory.base == base);  // the same slot, from the worker's own list
      CHECK(allZero(memory));
    }
    pool.release(&memory, slot, 0);
  }
}

TEST_CASE("memory pool: a large memory is reset past what stores zero") {
  MemoryPool pool(40, LUNATIC_MEMORY_BOUNDS_CHECKED);  // 2.5 MiB: more than kZeroByStores
  lunatic_memory memory;
  MemorySlot slot;
  REQUIRE(pool.acquire(&memory, &slot, -1));
  scribble(memory);
  pool.release(&memory, slot, -1);
  REQUIRE(pool.acquire(&memory, &slot, -1));
  CHECK(allZero(memory));
  pool.release(&memory, slot, -1);
}

TEST_CASE("memory pool: guard-page mode shrinks a grown memory back to its slot") {
  MemoryPool pool(1, LUNATIC_MEMORY_GUARD_PAGES);
  lunatic_memory memory;
  MemorySlot slot;
  REQUIRE(pool.acquire(&memory, &slot, 3));
  memory.max_pages = 8;
  REQUIRE(growMemory(&memory, 3) == 1);
  CHECK(memory.size == 4 * kPage);
  scribble(memory);
  uint8_t* base = memory.base;
  CHECK(readable(base + 3 * kPage, 16));
  pool.release(&memory, slot, 3);
  REQUIRE(pool.acquire(&memory, &slot, 3));
  CHECK(memory.base == base);
  CHECK(memory.size == kPage);
  CHECK(allZero(memory));
  // The pages it grew into are guard pages again: an access there traps, not reads stale data.
  CHECK_FALSE(readable(base + kPage, 16));
  CHECK_FALSE(readable(base + 3 * kPage, 16));
  memory.max_pages = 8;
  REQUIRE(growMemory(&memory, 3) == 1);
  CHECK(allZero(memory));  // grown again: the old contents are gone
  pool.release(&memory, slot, 3);
}

TEST_CASE("memory pool: bounds-checked mode gives the slot back after a grow moved the memory") {
  MemoryPool pool(1, LUNATIC_MEMORY_BOUNDS_CHECKED);
  lunatic_memory memory;
  MemorySlot slot;
  REQUIRE(pool.acquire(&memory, &slot, 5));
  uint8_t* base = memory.base;
  memory.base[10] = 1;
  memory.max_pages = 8;
  REQUIRE(growMemory(&memory, 2) == 1);
  CHECK(memory.base != base);  // moved out of the slot into a mapping of its own
  CHECK(memory.base[10] == 1);  // with its contents
  CHECK(memory.reserved == 3 * kPage);
  pool.release(&memory, slot, 5);
  REQUIRE(pool.acquire(&memory, &slot, 5));
  CHECK(memory.base == base);
  CHECK(memory.size == kPage);
  CHECK(memory.reserved == 0);
  CHECK(allZero(memory));
  pool.release(&memory, slot, 5);
}

TEST_CASE("memory pool: memories held at once are distinct, across caches and the shared list") {
  MemoryPool pool(1, LUNATIC_MEMORY_BOUNDS_CHECKED);
  std::vector<std::pair<lunatic_memory, MemorySlot>> held(200);
  std::set<uint8_t*> bases;
  for (size_t i = 0; i < held.size(); ++i) {
    int cache = i % 3 == 0 ? -1 : i % 3 == 1 ? 1 : 1000;  // 1000: out of range, the shared list
    REQUIRE(pool.acquire(&held[i].first, &held[i].second, cache));
    bases.insert(held[i].first.base);
    held[i].first.base[0] = uint8_t(i);
  }
  CHECK(bases.size() == held.size());
  for (size_t i = 0; i < held.size(); ++i) CHECK(held[i].first.base[0] == uint8_t(i));  // none overlap
  for (auto& [memory, slot] : held) pool.release(&memory, slot, 1);  // overflows the cache's list
  for (auto& [memory, slot] : held) {
    REQUIRE(pool.acquire(&memory, &slot, 2));
    CHECK(allZero(memory));
  }
  for (auto& [memory, slot] : held) pool.release(&memory, slot, 2);
}

TEST_CASE("memory pool: a memory of no pages has no slot, and may grow into a mapping") {
  MemoryPool pool(0, LUNATIC_MEMORY_BOUNDS_CHECKED);
  lunatic_memory memory;
  MemorySlot slot;
  REQUIRE(pool.acquire(&memory, &slot, 0));
  CHECK(memory.size == 0);
  CHECK(slot.base == nullptr);
  memory.max_pages = 1;
  REQUIRE(growMemory(&memory, 1) == 0);
  memory.base[kPage - 1] = 1;
  CHECK(growMemory(&memory, 1) == UINT32_MAX);  // beyond its maximum
  pool.release(&memory, slot, 0);  // unmaps what it grew into
}

// --- The run queue ------------------------------------------------------------------------

namespace {

struct Item {
  int id = 0;
  uint64_t queued_at = 0;
  bool fresh = false;
};

using Queue = scheduler::RunQueue<Item>;

std::vector<Item> items(int n, bool fresh) {
  std::vector<Item> v(n);
  for (int i = 0; i < n; ++i) v[i] = {i, 0, fresh};
  return v;
}

std::vector<int> popAll(Queue& q) {
  std::vector<int> ids;
  while (Item* p = q.pop()) ids.push_back(p->id);
  return ids;
}

}  // namespace

TEST_CASE("run queue: ready processes run first come, first served") {
  Queue q;
  CHECK(q.pop() == nullptr);
  auto v = items(4, false);
  for (Item& i : v) q.push(&i);
  CHECK(q.size() == 4);
  CHECK(popAll(q) == std::vector<int>{0, 1, 2, 3});
  CHECK(q.size() == 0);
}

TEST_CASE("run queue: fresh processes run newest first, ahead of ready ones that have not waited long") {
  Queue q;
  auto fresh = items(3, true);
  auto ready = items(2, false);
  for (Item& i : fresh) q.push(&i);
  for (Item& i : ready) q.push(&i);
  std::vector<int> order = popAll(q);
  CHECK(order == std::vector<int>{2, 1, 0, 0, 1});  // fresh 2, 1, 0 (depth-first); then ready 0, 1
}

TEST_CASE("run queue: a ready process waits at most kMaxWait pops behind fresh ones") {
  Queue q;
  auto fresh = items(200, true);
  Item ready{1000, 0, false};
  q.push(&ready);
  // More fresh processes than kMaxWait, each of which would run before it were it not for
  // its age.
  Item first{2000, 0, true};
  q.push(&first);
  int pops = 0;
  for (Item& f : fresh) q.push(&f);
  for (;;) {
    Item* p = q.pop();
    REQUIRE(p);
    if (p == &ready) break;
    ++pops;
    REQUIRE(pops <= int(Queue::kMaxWait) + 1);
  }
  CHECK(pops == int(Queue::kMaxWait));
}

TEST_CASE("run queue: the oldest fresh process is not starved by newer ones") {
  Queue q;
  Item oldest{-1, 0, true};
  q.push(&oldest);
  std::vector<Item> spawned(Queue::kMaxFreshWait + 10);
  // A process that keeps spawning: each pop takes the newest and spawns one more.
  Item seed{0, 0, true};
  q.push(&seed);
  uint64_t pops = 0;
  bool found = false;
  for (size_t i = 0; i < spawned.size(); ++i) {
    Item* p = q.pop();
    REQUIRE(p);
    ++pops;
    if (p == &oldest) {
      found = true;
      break;
    }
    spawned[i] = {int(i + 1), 0, true};
    q.push(&spawned[i]);
  }
  CHECK(found);
  CHECK(pops == Queue::kMaxFreshWait + 1);
}

TEST_CASE("run queue: a short queue is not stolen from") {
  Queue victim, thief;
  auto v = items(int(scheduler::kMinSteal) - 1, true);
  for (Item& i : v) victim.push(&i);
  CHECK(victim.stealInto(thief) == nullptr);
  CHECK(victim.size() == v.size());
  CHECK(thief.size() == 0);
}

TEST_CASE("run queue: stealing takes the older half, fresh first") {
  Queue victim, thief;
  auto ready = items(40, false);
  auto fresh = items(40, true);
  for (Item& i : ready) victim.push(&i);
  for (Item& i : fresh) victim.push(&i);
  Item* stolen = victim.stealInto(thief);
  REQUIRE(stolen);
  CHECK(stolen == &fresh[0]);  // the oldest fresh process runs on the thief at once
  CHECK(thief.size() == 19);   // the rest of the older half is queued there
  CHECK(victim.size() == 60);
  // What the thief got is fresh[1..19]; the victim kept every ready one and fresh[20..39].
  std::vector<int> thief_order = popAll(thief);
  CHECK(thief_order.size() == 19);
  CHECK(thief_order.front() == 19);  // newest first, as fresh
  CHECK(thief_order.back() == 1);
  std::vector<int> rest = popAll(victim);
  CHECK(rest.size() == 60);
  CHECK(std::count_if(rest.begin(), rest.end(), [](int id) { return id < 20; }) == 20);  // ready 0..19 only
}

TEST_CASE("run queue: with few fresh processes, stealing takes ready ones") {
  Queue victim, thief;
  auto ready = items(33, false);
  auto fresh = items(5, true);
  for (Item& i : ready) victim.push(&i);
  for (Item& i : fresh) victim.push(&i);
  Item* stolen = victim.stealInto(thief);
  REQUIRE(stolen);
  CHECK(stolen == &ready[0]);
  CHECK(thief.size() == 16);  // 17 taken: (33 + 1) / 2
  CHECK(victim.size() == 38 - 17);
}

TEST_CASE("run queue: concurrent pushes, pops and steals lose and duplicate nothing") {
  constexpr int kItems = 20000;
  std::vector<Item> all = items(kItems, false);
  for (int i = 0; i < kItems; ++i) all[i].fresh = i % 2;
  Queue a, b;
  std::vector<std::atomic<int>> seen(kItems);
  std::atomic<int> taken{0};
  auto worker = [&](Queue& own, Queue& other, int first) {
    for (int i = first; i < kItems; i += 2) own.push(&all[i]);
    while (taken.load() < kItems) {
      Item* p = own.pop();
      if (!p) p = other.stealInto(own);
      if (!p) continue;
      seen[p->id].fetch_add(1);
      taken.fetch_add(1);
    }
  };
  std::thread t1(worker, std::ref(a), std::ref(b), 0);
  std::thread t2(worker, std::ref(b), std::ref(a), 1);
  t1.join();
  t2.join();
  CHECK(taken.load() == kItems);
  int wrong = 0;
  for (auto& count : seen) wrong += count.load() != 1;
  CHECK(wrong == 0);
  CHECK(a.size() == 0);
  CHECK(b.size() == 0);
}
