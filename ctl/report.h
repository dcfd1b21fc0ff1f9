// What stickerctl tells the user: one-line sticker summaries on stdout,
// "stickerctl: CODE: message" errors on stderr, each returning its exit code.
#pragma once

#include <string>
#include <string_view>

#include <google/protobuf/message.h>

#include "common/error.h"
#include "stickerd.pb.h"

namespace stickerd::ctl {

// "classic webp 512x512, 1 frame, 23456 bytes, rendered in 48.3 ms".
std::string describe(const v1::Sticker& sticker);

// Prints `message` as JSON (snake_case field names, zeros included) on stdout.
// False when protobuf cannot convert it.
bool print_json(const google::protobuf::Message& message);

// Prints an error the daemon answered; returns its exit code.
int report_error(const Error& error);
// Prints a transport or local I/O failure; returns kExitTransport.
int report_transport_failure(std::string_view message);

}  // namespace stickerd::ctl
