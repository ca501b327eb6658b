#include "common.h"

namespace unet {

void registerResize(Napi::Env env, Napi::Object exports) {}

}  // namespace unet
