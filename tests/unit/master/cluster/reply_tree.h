// ReplyTree: hiredis reply trees built by hand, the way hiredis builds
// them, for the unit tests of the code that reads Redis answers.
#pragma once

#include <hiredis/hiredis.h>

#include <deque>
#include <string>
#include <vector>

namespace stickerd {

// Owns the nodes of a hand-made reply tree.
class ReplyTree {
 public:
  redisReply* text(const std::string& s) {
    redisReply* r = node(REDIS_REPLY_STRING);
    strings_.push_back(s);
    r->str = strings_.back().data();
    r->len = strings_.back().size();
    return r;
  }
  redisReply* integer(long long n) {
    redisReply* r = node(REDIS_REPLY_INTEGER);
    r->integer = n;
    return r;
  }
  redisReply* error(const std::string& s) {
    redisReply* r = text(s);
    r->type = REDIS_REPLY_ERROR;
    return r;
  }
  redisReply* nil() { return node(REDIS_REPLY_NIL); }
  redisReply* array(std::vector<redisReply*> items) {
    redisReply* r = node(REDIS_REPLY_ARRAY);
    arrays_.push_back(std::move(items));
    r->element = arrays_.back().data();
    r->elements = arrays_.back().size();
    return r;
  }

 private:
  redisReply* node(int type) {
    redisReply& r = nodes_.emplace_back();
    r.type = type;
    return &r;
  }
  std::deque<redisReply> nodes_;
  std::deque<std::string> strings_;
  std::deque<std::vector<redisReply*>> arrays_;
};

}  // namespace stickerd
