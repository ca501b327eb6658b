#include "common.h"

namespace unet {

void registerPool(Napi::Env env, Napi::Object exports) {}

}  // namespace unet
