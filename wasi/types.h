// The types of WASI preview 1 (typenames.witx of wasi_snapshot_preview1) as the guest sees
// them: errno values, flags, rights and the byte layout of every record the host reads from
// or writes into guest memory. Values and offsets are the specification's; nothing here is
// ours to change.
#pragma once

#include <cstdint>
#include <cstring>

namespace lunatic::rt::wasi {

// Every WASI function returns one of these (as an i32: the enum has a 32-bit type so host
// functions can return it directly under the native calling convention).
enum class Errno : uint32_t {
  Success, TooBig, Acces, AddrInUse, AddrNotAvail, AfNoSupport, Again, Already, Badf, BadMsg,
  Busy, Canceled, Child, ConnAborted, ConnRefused, ConnReset, Deadlk, DestAddrReq, Dom, Dquot,
  Exist, Fault, Fbig, HostUnreach, Idrm, Ilseq, InProgress, Intr, Inval, Io,
  IsConn, IsDir, Loop, Mfile, Mlink, MsgSize, Multihop, NameTooLong, NetDown, NetReset,
  NetUnreach, Nfile, NoBufs, NoDev, NoEnt, NoExec, NoLck, NoLink, NoMem, NoMsg,
  NoProtoOpt, NoSpc, NoSys, NotConn, NotDir, NotEmpty, NotRecoverable, NotSock, NotSup, NotTty,
  Nxio, Overflow, OwnerDead, Perm, Pipe, Proto, ProtoNoSupport, ProtoType, Range, Rofs,
  Spipe, Srch, Stale, TimedOut, TxtBsy, Xdev, NotCapable,
};
static_assert(uint32_t(Errno::Fault) == 21 && uint32_t(Errno::Inval) == 28 && uint32_t(Errno::NoEnt) == 44 &&
              uint32_t(Errno::Perm) == 63 && uint32_t(Errno::NotCapable) == 76);

enum class Filetype : uint8_t {
  Unknown, BlockDevice, CharacterDevice, Directory, RegularFile, SocketDgram, SocketStream, SymbolicLink,
};

enum ClockId : uint32_t { kClockRealtime, kClockMonotonic, kClockProcessCputime, kClockThreadCputime };

// rights: what may be done with a descriptor (base) and with those opened through it
// (inheriting).
using Rights = uint64_t;
namespace right {
inline constexpr Rights
    FdDatasync = 1ull << 0, FdRead = 1ull << 1, FdSeek = 1ull << 2, FdFdstatSetFlags = 1ull << 3,
    FdSync = 1ull << 4, FdTell = 1ull << 5, FdWrite = 1ull << 6, FdAdvise = 1ull << 7,
    FdAllocate = 1ull << 8, PathCreateDirectory = 1ull << 9, PathCreateFile = 1ull << 10,
    PathLinkSource = 1ull << 11, PathLinkTarget = 1ull << 12, PathOpen = 1ull << 13,
    FdReaddir = 1ull << 14, PathReadlink = 1ull << 15, PathRenameSource = 1ull << 16,
    PathRenameTarget = 1ull << 17, PathFilestatGet = 1ull << 18, PathFilestatSetSize = 1ull << 19,
    PathFilestatSetTimes = 1ull << 20, FdFilestatGet = 1ull << 21, FdFilestatSetSize = 1ull << 22,
    FdFilestatSetTimes = 1ull << 23, PathSymlink = 1ull << 24, PathRemoveDirectory = 1ull << 25,
    PathUnlinkFile = 1ull << 26, PollFdReadwrite = 1ull << 27, SockShutdown = 1ull << 28,
    SockAccept = 1ull << 29;
inline constexpr Rights All = (1ull << 30) - 1;
// What changes a file or a directory (data, size, times, names, links) or has the host write
// it out (sync): the rights a read-only grant never gives to anything reached through it.
inline constexpr Rights Writing =
    FdDatasync | FdSync | FdWrite | FdAllocate | FdFilestatSetSize | FdFilestatSetTimes | PathCreateDirectory |
    PathCreateFile | PathLinkSource | PathLinkTarget | PathRenameSource | PathRenameTarget | PathFilestatSetSize |
    PathFilestatSetTimes | PathSymlink | PathRemoveDirectory | PathUnlinkFile;
// What the host descriptor must be open for writing to honour (fdatasync and fsync work on a
// descriptor open for reading, so they are not among them).
inline constexpr Rights OpenForWriting = FdWrite | FdAllocate | FdFilestatSetSize;
}  // namespace right

namespace fdflag {  // fdflags (u16)
inline constexpr uint32_t Append = 1, Dsync = 2, Nonblock = 4, Rsync = 8, Sync = 16, All = 31;
}
namespace oflag {  // oflags (u16)
inline constexpr uint32_t Creat = 1, Directory = 2, Excl = 4, Trunc = 8, All = 15;
}
namespace lookupflag {  // lookupflags (u32)
inline constexpr uint32_t SymlinkFollow = 1;
}
namespace fstflag {  // fstflags (u16)
inline constexpr uint32_t Atim = 1, AtimNow = 2, Mtim = 4, MtimNow = 8, All = 15;
}
namespace riflag {  // riflags (u16)
inline constexpr uint32_t RecvPeek = 1, RecvWaitall = 2;
}
inline constexpr uint16_t kRoflagRecvDataTruncated = 1;
namespace sdflag {  // sdflags (u8)
inline constexpr uint32_t Rd = 1, Wr = 2;
}

enum Whence : uint32_t { kWhenceSet, kWhenceCur, kWhenceEnd };
enum Advice : uint32_t { kAdviceNormal, kAdviceSequential, kAdviceRandom, kAdviceWillneed, kAdviceDontneed, kAdviceNoreuse };

enum EventType : uint8_t { kEventClock, kEventFdRead, kEventFdWrite };
inline constexpr uint16_t kEventRwHangup = 1;      // eventrwflags
inline constexpr uint16_t kSubclockAbstime = 1;    // subclockflags
inline constexpr uint8_t kPreopenTypeDir = 0;

// --- Record layouts (size; field offsets) --------------------------------------------
inline constexpr uint32_t kIovecSize = 8;            // buf u32 @0, buf_len u32 @4
inline constexpr uint32_t kFdstatSize = 24;          // filetype u8 @0, flags u16 @2, rights_base @8, rights_inheriting @16
inline constexpr uint32_t kFilestatSize = 64;        // dev @0, ino @8, filetype u8 @16, nlink @24, size @32, atim @40, mtim @48, ctim @56
inline constexpr uint32_t kDirentSize = 24;          // d_next @0, d_ino @8, d_namlen u32 @16, d_type u8 @20
inline constexpr uint32_t kPrestatSize = 8;          // tag u8 @0, pr_name_len u32 @4
inline constexpr uint32_t kSubscriptionSize = 48;    // userdata @0, tag u8 @8, union @16:
                                                     //   clock: id u32 @16, timeout @24, precision @32, flags u16 @40
                                                     //   fd_read / fd_write: fd u32 @16
inline constexpr uint32_t kEventSize = 32;           // userdata @0, error u16 @8, type u8 @10, nbytes @16, flags u16 @24

// A record built on the host and copied into guest memory in one piece (WASI is
// little-endian, as is every host the runtime supports).
template <uint32_t Size>
struct Record {
  uint8_t bytes[Size] = {};
  template <typename T>
  void put(uint32_t offset, T value) {
    static_assert(sizeof(T) <= Size);
    std::memcpy(bytes + offset, &value, sizeof value);
  }
};

// Reads a little-endian field of a guest record the host has checked is in memory.
template <typename T>
T fieldAt(const uint8_t* record, uint32_t offset) {
  T value;
  std::memcpy(&value, record + offset, sizeof value);
  return value;
}

}  // namespace lunatic::rt::wasi
