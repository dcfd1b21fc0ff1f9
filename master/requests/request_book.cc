// RequestBook: pending requests by serial and by (connection, client id).
#include "master/requests/request_book.h"

#include <iterator>

namespace stickerd {

PendingRequest* RequestBook::open(std::uint64_t connection_id, std::uint64_t client_id,
                                  PendingRequest::Kind kind) {
  const ClientKey key{connection_id, client_id};
  if (by_client_.count(key) != 0) return nullptr;
  const std::uint64_t serial = next_serial_++;
  by_client_.emplace(key, serial);
  auto [it, inserted] = by_serial_.emplace(serial, PendingRequest{});
  PendingRequest& r = it->second;
  r.serial = serial;
  r.connection_id = connection_id;
  r.client_id = client_id;
  r.kind = kind;
  return &r;
}

PendingRequest* RequestBook::find(std::uint64_t serial) {
  auto it = by_serial_.find(serial);
  return it == by_serial_.end() ? nullptr : &it->second;
}

PendingRequest* RequestBook::find_client(std::uint64_t connection_id, std::uint64_t client_id) {
  auto it = by_client_.find(ClientKey{connection_id, client_id});
  return it == by_client_.end() ? nullptr : find(it->second);
}

std::optional<PendingRequest> RequestBook::take(std::uint64_t serial) {
  auto it = by_serial_.find(serial);
  if (it == by_serial_.end()) return std::nullopt;
  PendingRequest r = it->second;
  by_client_.erase(ClientKey{r.connection_id, r.client_id});
  by_serial_.erase(it);
  return r;
}

std::vector<PendingRequest> RequestBook::take_connection(std::uint64_t connection_id) {
  std::vector<PendingRequest> taken;
  auto it = by_client_.lower_bound(ClientKey{connection_id, 0});
  while (it != by_client_.end() && it->first.first == connection_id) {
    auto r = by_serial_.find(it->second);
    taken.push_back(r->second);
    by_serial_.erase(r);
    it = by_client_.erase(it);
  }
  return taken;
}

std::size_t RequestBook::count_connection(std::uint64_t connection_id) const {
  auto first = by_client_.lower_bound(ClientKey{connection_id, 0});
  auto last = by_client_.lower_bound(ClientKey{connection_id + 1, 0});
  return static_cast<std::size_t>(std::distance(first, last));
}

std::vector<std::uint64_t> RequestBook::serials() const {
  std::vector<std::uint64_t> out;
  out.reserve(by_serial_.size());
  for (const auto& [serial, r] : by_serial_) out.push_back(serial);
  return out;
}

}  // namespace stickerd
