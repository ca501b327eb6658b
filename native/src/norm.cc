#include "common.h"

namespace unet {

void registerNorm(Napi::Env env, Napi::Object exports) {}

}  // namespace unet
