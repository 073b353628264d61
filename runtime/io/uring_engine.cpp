// The io_uring backend (engine.h). One ring per worker thread, used only by that thread:
// submissions queue up while processes run and go to the kernel in one io_uring_enter when
// the worker next looks for work or sleeps.
//
// user_data of a submission: the Operation's address, with the index of the interest (for
// Poll) in the top 16 bits; user-space addresses fit in the low 48 (x86-64 with 4-level
// paging; aarch64 Linux maps above 48 bits only when asked to by an mmap hint). Two reserved
// values mark the wake-up poll on the eventfd and the cancellations, whose completions
// carry nothing to deliver.
#include <liburing.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>

#include "runtime/io/engine.h"

namespace lunatic::rt::io {
namespace {

constexpr unsigned kRingEntries = 256;
constexpr uint64_t kWakeTag = 0;
constexpr uint64_t kCancelTag = 1;
constexpr int kIndexShift = 48;
constexpr uint64_t kAddressMask = (uint64_t(1) << kIndexShift) - 1;

uint64_t tagOf(Operation& op, size_t index) { return reinterpret_cast<uintptr_t>(&op) | (uint64_t(index) << kIndexShift); }

class UringEngine final : public Engine {
 public:
  UringEngine() = default;
  UringEngine(const UringEngine&) = delete;
  UringEngine& operator=(const UringEngine&) = delete;
  ~UringEngine() override {
    if (ring_open_) io_uring_queue_exit(&ring_);
    if (wake_fd_ >= 0) close(wake_fd_);
  }

  // Makes the ring; false if the kernel refuses.
  bool open() {
    // Completions are handled only when the worker asks (when it looks for work): the
    // kernel need not interrupt the thread to run them, nor run them at the end of every
    // system call a process makes (DEFER_TASKRUN, Linux 6.1; COOP_TASKRUN, 5.19). The
    // TASKRUN flag tells a worker that looks for work that the kernel has completions to
    // make for it, so that it enters the kernel for them instead of spinning on an empty
    // completion queue.
    constexpr unsigned kTaskrunChoices[] = {
        IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
        IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
        0,
    };
    for (unsigned flags : kTaskrunChoices) {
      io_uring_params params{};
      params.flags = flags;
      if (io_uring_queue_init_params(kRingEntries, &ring_, &params) == 0) {
        ring_open_ = true;
        break;
      }
    }
    if (!ring_open_) return false;
    wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) return false;
    armWake();
    return true;
  }
  const char* name() const override { return "uring"; }

  void submit(Operation& op) override {
    op.engine = this;
    ++in_flight_;
    switch (op.kind) {
      case Operation::Kind::Poll:
        op.outstanding = uint32_t(op.interests.size());
        op.result = 0;
        for (size_t i = 0; i < op.interests.size(); ++i) {
          Interest& interest = op.interests[i];
          interest.revents = 0;
          io_uring_sqe* sqe = nextSqe();
          io_uring_prep_poll_add(sqe, interest.fd, unsigned(interest.events));
          io_uring_sqe_set_data64(sqe, tagOf(op, i));
        }
        if (op.interests.empty()) finish(op, 0);
        break;
      case Operation::Kind::Receive: {
        op.outstanding = 1;
        io_uring_sqe* sqe = nextSqe();
        if (op.single_buffer) {
          const iovec& into = op.message->msg_iov[0];
          io_uring_prep_recv(sqe, op.fd, into.iov_base, into.iov_len, op.flags);
        } else {
          io_uring_prep_recvmsg(sqe, op.fd, op.message, unsigned(op.flags));
        }
        io_uring_sqe_set_data64(sqe, tagOf(op, 0));
        break;
      }
      case Operation::Kind::Read:
      case Operation::Kind::Write: {
        op.outstanding = 1;
        io_uring_sqe* sqe = nextSqe();
        unsigned count = unsigned(std::min<size_t>(op.iov.size(), IOV_MAX));
        // An offset of -1 reads or writes at the file position, and moves it.
        if (op.kind == Operation::Kind::Read) {
          io_uring_prep_readv(sqe, op.fd, op.iov.data(), count, uint64_t(op.offset));
        } else {
          io_uring_prep_writev(sqe, op.fd, op.iov.data(), count, uint64_t(op.offset));
        }
        io_uring_sqe_set_data64(sqe, tagOf(op, 0));
        break;
      }
      case Operation::Kind::Call:
        break;  // io.cpp sends these to the blocking pool
    }
  }

  void cancel(Operation& op) override {
    if (op.cancelling || op.outstanding == 0) return;
    op.cancelling = true;
    size_t parts = op.kind == Operation::Kind::Poll ? op.interests.size() : 1;
    for (size_t i = 0; i < parts; ++i) {
      if (op.kind == Operation::Kind::Poll && op.interests[i].revents) continue;  // already in
      io_uring_sqe* sqe = nextSqe();
      io_uring_prep_cancel64(sqe, tagOf(op, i), 0);
      io_uring_sqe_set_data64(sqe, kCancelTag);
    }
  }

  void pollNow() override {
    takeCancelRequests();
    if (io_uring_sq_ready(&ring_) > 0 || (IO_URING_READ_ONCE(*ring_.sq.kflags) & IORING_SQ_TASKRUN)) {
      io_uring_submit_and_get_events(&ring_);
    }
    reap();
    // Cancellations made while reaping go in now, before any process that was woken can
    // submit a new operation at the same address (the same user_data).
    if (io_uring_sq_ready(&ring_) > 0) io_uring_submit(&ring_);
  }

  void wait(uint64_t timeout_ns) override {
    takeCancelRequests();
    io_uring_cqe* cqe = nullptr;
    if (timeout_ns == UINT64_MAX) {
      io_uring_submit_and_wait(&ring_, 1);
    } else {
      __kernel_timespec ts{int64_t(timeout_ns / 1'000'000'000), int64_t(timeout_ns % 1'000'000'000)};
      io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
    }
    reap();
    if (io_uring_sq_ready(&ring_) > 0) io_uring_submit(&ring_);
  }

  void wake() override { eventfd_write(wake_fd_, 1); }

 private:
  io_uring ring_{};
  bool ring_open_ = false;
  int wake_fd_ = -1;

  io_uring_sqe* nextSqe() {
    for (;;) {
      if (io_uring_sqe* sqe = io_uring_get_sqe(&ring_)) return sqe;
      io_uring_submit(&ring_);  // the queue is full: hand it to the kernel and go on
    }
  }

  // A poll on the eventfd that stays armed: each write to it completes once.
  void armWake() {
    io_uring_sqe* sqe = nextSqe();
    io_uring_prep_poll_multishot(sqe, wake_fd_, POLLIN);
    io_uring_sqe_set_data64(sqe, kWakeTag);
  }

  void reap() {
    io_uring_cqe* cqe;
    unsigned head, seen = 0;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      ++seen;
      handle(cqe->user_data, cqe->res, cqe->flags);
    }
    io_uring_cq_advance(&ring_, seen);
  }

  void handle(uint64_t tag, int32_t res, uint32_t flags) {
    if (tag == kCancelTag) return;
    if (tag == kWakeTag) {
      eventfd_t ignored;
      eventfd_read(wake_fd_, &ignored);
      if (!(flags & IORING_CQE_F_MORE)) armWake();  // the kernel ended the multishot poll
      return;
    }
    Operation& op = *reinterpret_cast<Operation*>(tag & kAddressMask);
    size_t index = size_t(tag >> kIndexShift);
    if (op.kind != Operation::Kind::Poll) {
      op.outstanding = 0;
      finish(op, res);
      return;
    }
    if (res != -ECANCELED) {
      // A readiness mask, or an error about the descriptor (a bad fd is POLLNVAL, as poll(2)).
      op.interests[index].revents = short(res >= 0 ? res : POLLNVAL);
      ++op.result;
      cancel(op);  // one is ready: the others need not wait
    }
    if (--op.outstanding == 0) finish(op, op.result);
  }
};

}  // namespace

std::unique_ptr<Engine> makeUringEngine() {
  auto engine = std::make_unique<UringEngine>();
  if (!engine->open()) return nullptr;
  return engine;
}

}  // namespace lunatic::rt::io
