// FrameBudget: see frame_budget.h.
#include "master/ingress/frame_budget.h"

#include <algorithm>

namespace stickerd {

bool FrameBudget::resize(std::size_t held, std::size_t wanted) {
  if (wanted > held && wanted - held > limit_ - std::min(used_, limit_)) return false;
  used_ = used_ - held + wanted;
  return true;
}

}  // namespace stickerd
