// Unit tests for master/request_book: one owner per pending request.
#include <doctest/doctest.h>

#include "master/requests/request_book.h"

using namespace stickerd;

TEST_CASE("a request is found by serial and by client id until it is taken") {
  RequestBook book;
  PendingRequest* r = book.open(1, 42, PendingRequest::Kind::kRender);
  REQUIRE(r != nullptr);
  const auto serial = r->serial;
  CHECK(book.find(serial) == r);
  CHECK(book.find_client(1, 42) == r);
  CHECK(book.find_client(2, 42) == nullptr);
  auto taken = book.take(serial);
  REQUIRE(taken);
  CHECK(taken->client_id == 42);
  CHECK(book.find(serial) == nullptr);
  CHECK_FALSE(book.take(serial));  // a second final reply is impossible
}

TEST_CASE("a client id already pending on a connection is refused") {
  RequestBook book;
  REQUIRE(book.open(1, 7, PendingRequest::Kind::kRender) != nullptr);
  CHECK(book.open(1, 7, PendingRequest::Kind::kBatch) == nullptr);
  CHECK(book.open(2, 7, PendingRequest::Kind::kRender) != nullptr);
}

TEST_CASE("serials are never reused, so a late result cannot reach a newer request") {
  RequestBook book;
  const auto first = book.open(1, 7, PendingRequest::Kind::kRender)->serial;
  book.take(first);
  const auto second = book.open(1, 7, PendingRequest::Kind::kRender)->serial;
  CHECK(second != first);
  CHECK(book.find(first) == nullptr);
}

TEST_CASE("closing a connection takes all of its requests and no others") {
  RequestBook book;
  book.open(1, 1, PendingRequest::Kind::kRender);
  book.open(2, 1, PendingRequest::Kind::kRender);
  book.open(1, 2, PendingRequest::Kind::kBatch);
  CHECK(book.take_connection(1).size() == 2);
  CHECK(book.size() == 1);
  CHECK(book.find_client(2, 1) != nullptr);
}
