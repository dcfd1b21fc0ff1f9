// Writing rendered stickers to disk.
#include "ctl/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "common/frame_io.h"
#include "common/unique_fd.h"

namespace stickerd::ctl {

std::optional<Error> write_file(const std::string& path, std::string_view bytes) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) {
    return make_error(v1::INTERNAL, fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  }
  if (!write_all(fd.get(), bytes)) {
    return make_error(v1::INTERNAL, fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  }
  if (::close(fd.release()) != 0) {
    return make_error(v1::INTERNAL, fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  }
  return std::nullopt;
}

std::optional<Error> ensure_directory(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) == 0) return std::nullopt;
  const int mkdir_errno = errno;
  struct stat st {};
  if (mkdir_errno == EEXIST && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return std::nullopt;
  }
  return make_error(v1::INTERNAL, fmt::format("cannot create directory {}: {}", path,
                                              std::strerror(mkdir_errno)));
}

std::string batch_file_name(unsigned index, std::string_view style_id, std::string_view extension) {
  std::string style(style_id);
  for (char& c : style) {
    if (c == '/') c = '_';
  }
  return fmt::format("{}-{}.{}", index, style, extension);
}

}  // namespace stickerd::ctl
