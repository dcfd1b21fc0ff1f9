#include "master/ingress/socket_activation.h"

#include <doctest/doctest.h>

namespace stickerd {

TEST_CASE("inherited sockets are read only when LISTEN_PID names this process") {
  SUBCASE("no variables: nothing inherited") {
    auto s = parse_listen_fds(nullptr, nullptr, nullptr, 7);
    REQUIRE(s);
    CHECK(s->empty());
  }
  SUBCASE("meant for another process: ignored") {
    auto s = parse_listen_fds("8", "2", nullptr, 7);
    REQUIRE(s);
    CHECK(s->empty());
  }
  SUBCASE("named descriptors start at 3") {
    auto s = parse_listen_fds("7", "2", "client:control", 7);
    REQUIRE(s);
    REQUIRE(s->size() == 2);
    CHECK((*s)[0].fd == 3);
    CHECK((*s)[0].name == "client");
    CHECK((*s)[1].fd == 4);
    CHECK((*s)[1].name == "control");
    CHECK(find_socket(*s, "control", false) == 4);
    CHECK_FALSE(find_socket(*s, "metrics", false).has_value());
  }
  SUBCASE("unnamed: the first is the client socket when asked to fall back") {
    auto s = parse_listen_fds("7", "1", nullptr, 7);
    REQUIRE(s);
    CHECK(find_socket(*s, "client", true) == 3);
    CHECK_FALSE(find_socket(*s, "client", false).has_value());
  }
  SUBCASE("malformed variables are errors") {
    CHECK_FALSE(parse_listen_fds("x", "1", nullptr, 7));
    CHECK_FALSE(parse_listen_fds("7", "many", nullptr, 7));
    CHECK_FALSE(parse_listen_fds("7", "100000", nullptr, 7));
  }
}

}  // namespace stickerd
