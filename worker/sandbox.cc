// Sandbox: no-new-privs, Landlock and the seccomp allow-list (see sandbox.h).
//
// The allow-list was found with `strace -f` on workers serving every style in
// every format, in Latin, Cyrillic, Arabic, Hebrew, Devanagari, Thai, CJK,
// Korean and emoji text (docs/SECURITY.md), and is proved complete by the
// render suites, which run on sandboxed workers.
#include "worker/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <initializer_list>

#include <fmt/format.h>

#if defined(__SANITIZE_ADDRESS__)
#define STICKERD_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define STICKERD_LSAN 1
#endif
#endif
#ifdef STICKERD_LSAN
#include <sanitizer/lsan_interface.h>
#endif

// Debian 12's kernel headers predate Landlock ABI 3.
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif

namespace stickerd {
namespace {

// ---- The SIGSYS handler: name the call, tell the master, die. -----------

// System call names by number, filled before the filter is loaded: the
// handler may not allocate, and libseccomp's resolver does.
constexpr std::size_t kNameCount = 512;
constexpr std::size_t kNameLength = 32;
char g_names[kNameCount][kNameLength];
int g_channel_fd = -1;

std::size_t put_varint(std::uint64_t n, char* out) {
  std::size_t i = 0;
  do {
    const auto byte = static_cast<unsigned char>(n & 0x7f);
    n >>= 7;
    out[i++] = static_cast<char>(n != 0 ? (byte | 0x80) : byte);
  } while (n != 0);
  return i;
}

std::size_t put_decimal(std::uint64_t n, char* out) {
  char digits[20];
  std::size_t count = 0;
  do {
    digits[count++] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n != 0);
  for (std::size_t i = 0; i < count; ++i) out[i] = digits[count - 1 - i];
  return count;
}

void write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

// Async-signal-safe only: write(), raise().
void on_sigsys(int, siginfo_t* info, void*) {
  const int saved_errno = errno;
  const auto nr = static_cast<std::uint32_t>(info->si_syscall);
  const char* name = nr < kNameCount ? g_names[nr] : "";
  char frame[96];
  if (const std::size_t n = encode_violation_frame(nr, name, frame, sizeof frame);
      n > 0 && g_channel_fd >= 0) {
    write_all(g_channel_fd, frame, n);
  }
  char line[160];
  std::size_t len = 0;
  const auto put = [&](const char* text) {
    for (; *text != '\0' && len < sizeof line - 1; ++text) line[len++] = *text;
  };
  put("stickerd-worker: sandbox violation: system call ");
  len += put_decimal(nr, line + len);
  put(" (");
  put(*name != '\0' ? name : "unknown");
  put("); dying of SIGSYS\n");
  write_all(STDERR_FILENO, line, len);
  errno = saved_errno;
  // SA_RESETHAND made SIGSYS's action the default again: this kills the
  // process (every thread) once the handler returns, and the master sees SIGSYS.
  ::raise(SIGSYS);
}

void fill_names() {
  for (std::size_t nr = 0; nr < kNameCount; ++nr) {
    g_names[nr][0] = '\0';
    char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, static_cast<int>(nr));
    if (name == nullptr) continue;
    std::strncpy(g_names[nr], name, kNameLength - 1);
    g_names[nr][kNameLength - 1] = '\0';
    std::free(name);
  }
}

// ---- Landlock -------------------------------------------------------------

int landlock_abi() {
  const long v =
      ::syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  return v < 0 ? 0 : static_cast<int>(v);
}

// Every file-system right the kernel's ABI knows is handled (denied) except
// reading the font files.
Result<bool> restrict_files(const std::vector<std::string>& readable) {
  const int abi = landlock_abi();
  // READY says "seccomp" then, and the master logs it once for the pool.
  if (abi <= 0) return false;
  landlock_ruleset_attr attr{};
  attr.handled_access_fs =
      LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |
      LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
      LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
      LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
      LANDLOCK_ACCESS_FS_MAKE_SYM;
  if (abi >= 2) attr.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
  if (abi >= 3) attr.handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
  // The attribute's size names the ABI 1-3 fields we fill; newer kernels
  // accept it and leave network and scope rules unhandled (seccomp denies
  // socket() outright, and signals to others are only tgkill of ourselves).
  const long ruleset = ::syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
  if (ruleset < 0) {
    return make_error(v1::INTERNAL,
                      fmt::format("landlock_create_ruleset: {}", std::strerror(errno)));
  }
  const int ruleset_fd = static_cast<int>(ruleset);
  for (const std::string& path : readable) {
    const int fd = ::open(path.c_str(), O_PATH | O_CLOEXEC);
    if (fd < 0) {
      ::close(ruleset_fd);
      return make_error(v1::INTERNAL, fmt::format("cannot open {} for a Landlock rule: {}", path,
                                                  std::strerror(errno)));
    }
    landlock_path_beneath_attr rule{};
    rule.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE;
    rule.parent_fd = fd;
    const long rc =
        ::syscall(SYS_landlock_add_rule, ruleset_fd, LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
    const int saved = errno;
    ::close(fd);
    if (rc != 0) {
      ::close(ruleset_fd);
      return make_error(v1::INTERNAL,
                        fmt::format("landlock_add_rule {}: {}", path, std::strerror(saved)));
    }
  }
  const long rc = ::syscall(SYS_landlock_restrict_self, ruleset_fd, 0);
  const int saved = errno;
  ::close(ruleset_fd);
  if (rc != 0) {
    return make_error(v1::INTERNAL,
                      fmt::format("landlock_restrict_self: {}", std::strerror(saved)));
  }
  return true;
}

// ---- seccomp --------------------------------------------------------------

// Flags that make an open() write, create or truncate. O_TMPFILE includes
// O_DIRECTORY, which a read-only opendir() uses: only its own bit counts.
constexpr std::uint64_t kTmpFileBit = O_TMPFILE & ~O_DIRECTORY;
constexpr std::uint64_t kWritingOpenFlags =
    O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND | kTmpFileBit;

Result<bool> add(scmp_filter_ctx ctx, std::uint32_t action, const char* name,
                 std::initializer_list<scmp_arg_cmp> args = {}) {
  const int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR) return false;  // not a call of this architecture
  const int rc = seccomp_rule_add_array(ctx, action, nr, static_cast<unsigned>(args.size()),
                                        args.size() == 0 ? nullptr : args.begin());
  if (rc != 0) {
    return make_error(v1::INTERNAL,
                      fmt::format("seccomp rule for {}: {}", name, std::strerror(-rc)));
  }
  return true;
}

Result<bool> load_filter() {
  // The default for everything not listed below is SIGSYS (through the
  // handler, which names the call): no render ever makes such a call, so one
  // that happens is an exploit or a bug worth a loud death, and the master
  // counts it apart from crashes. In particular socket, connect, execve,
  // execveat, fork, vfork, clone without CLONE_THREAD, ptrace, mount,
  // process_vm_*, kill of another process, unlink, rename, mkdir: all SIGSYS.
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
  if (ctx == nullptr) return make_error(v1::INTERNAL, "seccomp_init failed");
  struct Release {
    scmp_filter_ctx ctx;
    ~Release() { seccomp_release(ctx); }
  } release{ctx};
  // Every thread the worker already has gets the filter too.
  if (const int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1); rc != 0) {
    return make_error(v1::INTERNAL, fmt::format("seccomp TSYNC: {}", std::strerror(-rc)));
  }

  const std::uint32_t allow = SCMP_ACT_ALLOW;
  // Rendering itself: I/O on descriptors it already holds (the channel, the
  // log, fonts being read), memory, threads' synchronisation, clocks, exit.
  for (const char* name :
       {"read", "readv", "pread64", "write", "writev", "close", "lseek", "fstat", "newfstatat",
        "statx", "fcntl", "mmap", "munmap", "mremap", "mprotect", "brk", "madvise", "futex",
        "sched_yield", "sched_getaffinity", "set_robust_list", "rseq", "clock_gettime",
        "clock_getres", "gettimeofday", "nanosleep", "clock_nanosleep", "getpid", "gettid",
        "getrandom", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "restart_syscall", "exit",
        "exit_group",
        // fontconfig checks a font file is readable before using it.
        "access", "faccessat", "faccessat2",
        // test-hang's pause(); harmless for a real worker.
        "pause"}) {
    if (auto r = add(ctx, allow, name); !r) return r;
  }
  // Threads (a spare core draws frames ahead and codes alpha on a second
  // thread): clone only with CLONE_THREAD, so never a new process. glibc
  // tries clone3 first, whose flags sit in memory seccomp cannot read:
  // ENOSYS makes it fall back to clone.
  if (auto r = add(ctx, allow, "clone", {SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD)});
      !r)
    return r;
  if (auto r = add(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3"); !r) return r;
  // abort() (a crash stays a crash, not a violation) and the handler's
  // raise(): signals to this process only.
  const auto self = static_cast<std::uint64_t>(::getpid());
  if (auto r = add(ctx, allow, "tgkill", {SCMP_A0(SCMP_CMP_EQ, self)}); !r) return r;
  // Fonts: cairo keeps a few FreeType faces open and reopens the others by
  // path, so opening read-only must stay (Landlock limits it to the font
  // files). Opening to write, create or truncate fails with EPERM rather
  // than killing: a library probing for a writable cache must not turn a
  // healthy render into a crash, and an exploit gains nothing from EPERM.
  for (const char* name : {"openat", "open"}) {
    const unsigned flags_arg = std::strcmp(name, "openat") == 0 ? 2 : 1;
    const scmp_arg_cmp read_only{flags_arg, SCMP_CMP_MASKED_EQ, kWritingOpenFlags, 0};
    if (auto r = add(ctx, allow, name, {read_only}); !r) return r;
    for (const std::uint64_t flag :
         {std::uint64_t{O_WRONLY}, std::uint64_t{O_RDWR}, std::uint64_t{O_CREAT},
          std::uint64_t{O_TRUNC}, std::uint64_t{O_APPEND}, kTmpFileBit}) {
      const scmp_arg_cmp writing{flags_arg, SCMP_CMP_MASKED_EQ, flag, flag};
      if (auto r = add(ctx, SCMP_ACT_ERRNO(EPERM), name, {writing}); !r) return r;
    }
  }
  if (auto r = add(ctx, SCMP_ACT_ERRNO(EPERM), "creat"); !r) return r;
#ifdef STICKERD_SANITIZER_BUILD
  // The sanitizers' runtime checks whether memory is readable by writing it
  // into a pipe it makes for the purpose (IsAccessibleMemoryRange). A pipe
  // reaches nothing outside the process; allowed in sanitizer builds only.
  for (const char* name : {"pipe", "pipe2"}) {
    if (auto r = add(ctx, allow, name); !r) return r;
  }
#endif

  if (const int rc = seccomp_load(ctx); rc != 0) {
    return make_error(v1::INTERNAL, fmt::format("seccomp_load: {}", std::strerror(-rc)));
  }
  return true;
}

}  // namespace

std::size_t encode_violation_frame(std::uint32_t syscall, const char* name, char* out,
                                   std::size_t capacity) {
  // Violation{1: syscall (varint), 2: name (bytes)} inside FromWorker{3: violation}.
  std::size_t name_len = 0;
  while (name[name_len] != '\0' && name_len < kNameLength) ++name_len;
  char violation[8 + 2 + kNameLength];
  std::size_t v = 0;
  violation[v++] = 0x08;
  v += put_varint(syscall, violation + v);
  if (name_len > 0) {
    violation[v++] = 0x12;
    violation[v++] = static_cast<char>(name_len);  // < 128: one varint byte
    std::memcpy(violation + v, name, name_len);
    v += name_len;
  }
  const std::size_t payload = 2 + v;  // tag, length (< 128), message
  if (capacity < 4 + payload) return 0;
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((payload >> (8 * i)) & 0xff);
  out[4] = 0x1a;
  out[5] = static_cast<char>(v);
  std::memcpy(out + 6, violation, v);
  return 4 + payload;
}

Result<std::string> enter_sandbox(const SandboxOptions& options) {
#ifdef STICKERD_LSAN
  // LeakSanitizer's check at exit stops the world with clone (a new
  // process) and ptrace and reads /proc: exactly what the sandbox forbids. So
  // a sanitizer build checks the worker's leaks here, once, over start-up and
  // warm-up (a full render of every font), which also switches the exit check
  // off. Rendering's own leaks are checked by the unit tests, which render
  // in-process under the same sanitizer pass.
  __lsan_do_leak_check();
#endif
  fill_names();
  g_channel_fd = options.channel_fd;
  struct sigaction action {};
  action.sa_sigaction = on_sigsys;
  action.sa_flags = SA_SIGINFO | SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  if (::sigaction(SIGSYS, &action, nullptr) != 0) {
    return make_error(v1::INTERNAL, fmt::format("sigaction SIGSYS: {}", std::strerror(errno)));
  }
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    return make_error(v1::INTERNAL, fmt::format("PR_SET_NO_NEW_PRIVS: {}", std::strerror(errno)));
  }
  auto landlock = restrict_files(options.readable_files);
  if (!landlock) return landlock.error();
  if (auto seccomp = load_filter(); !seccomp) return seccomp.error();
  return std::string(*landlock ? "seccomp+landlock" : "seccomp");
}

}  // namespace stickerd
