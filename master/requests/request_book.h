// RequestBook: the single owner of every accepted request that still owes
// its client a final reply.
//
// A request enters with open() when admission accepts it and leaves with
// take() at the moment its final reply is sent (or its connection is gone).
// Tasks never point at a request directly: they carry its serial, so a
// result for a request that was cancelled or whose client left finds nothing
// here and is discarded. Pure bookkeeping; the server does the sending.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace stickerd {

struct PendingRequest {
  enum class Kind { kRender, kBatch };

  std::uint64_t serial = 0;  // unique for the daemon's life
  std::uint64_t connection_id = 0;
  std::uint64_t client_id = 0;  // the id the client chose; echoed in replies
  Kind kind = Kind::kRender;
  std::uint32_t outstanding = 0;  // tasks not yet settled
  std::uint32_t batch_count = 0;  // batch: styles in the batch
  std::uint32_t batch_succeeded = 0;
};

class RequestBook {
 public:
  // Refuses (nullptr) when the connection already has a request with this id
  // pending: replies are matched by id, so two would be ambiguous.
  PendingRequest* open(std::uint64_t connection_id, std::uint64_t client_id,
                       PendingRequest::Kind kind);

  PendingRequest* find(std::uint64_t serial);
  PendingRequest* find_client(std::uint64_t connection_id, std::uint64_t client_id);
  // Removes the request, returning it: the caller sends its final reply.
  std::optional<PendingRequest> take(std::uint64_t serial);
  // Removes every request of a closed connection (nobody is left to answer).
  std::vector<PendingRequest> take_connection(std::uint64_t connection_id);
  // Requests pending on one connection (for the per-connection in-flight limit).
  std::size_t count_connection(std::uint64_t connection_id) const;

  std::size_t size() const { return by_serial_.size(); }
  bool empty() const { return by_serial_.empty(); }
  // Serials of every pending request, oldest first.
  std::vector<std::uint64_t> serials() const;

 private:
  using ClientKey = std::pair<std::uint64_t, std::uint64_t>;  // connection, client id

  std::uint64_t next_serial_ = 1;
  std::map<std::uint64_t, PendingRequest> by_serial_;
  std::map<ClientKey, std::uint64_t> by_client_;
};

}  // namespace stickerd
