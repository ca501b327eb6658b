#include "common.h"

namespace unet {

void registerEltwise(Napi::Env env, Napi::Object exports) {}

}  // namespace unet
