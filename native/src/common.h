// Shared helpers of the unet-ts native addon: typed-array access, argument parsing, the oneDNN engine and stream,
// and a cache of primitives keyed by their full configuration.
#pragma once
#include <napi.h>
#include <oneapi/dnnl/dnnl.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace unet {

using dims = dnnl::memory::dims;

dnnl::engine& engine();
dnnl::stream& stream();

inline float* f32(const Napi::Value& v) {
  return v.As<Napi::TypedArrayOf<float>>().Data();
}
inline size_t f32len(const Napi::Value& v) {
  return v.As<Napi::TypedArrayOf<float>>().ElementLength();
}
inline float* f32opt(const Napi::Value& v) {
  return v.IsTypedArray() ? f32(v) : nullptr;
}
inline dims ints(const Napi::Value& v) {
  auto a = v.As<Napi::Array>();
  dims out(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) out[i] = a.Get(i).As<Napi::Number>().Int64Value();
  return out;
}
inline int64_t prod(const dims& d, size_t from = 0, size_t to = SIZE_MAX) {
  int64_t p = 1;
  for (size_t i = from; i < d.size() && i < to; i++) p *= d[i];
  return p;
}
inline std::string key(const char* kind, std::initializer_list<const dims*> parts, int64_t extra = 0) {
  std::string k(kind);
  for (auto* p : parts) {
    k += '|';
    for (auto v : *p) { k += std::to_string(v); k += ','; }
  }
  k += '#';
  k += std::to_string(extra);
  return k;
}

// A least-recently-built cache; entries are cheap to rebuild, so it simply clears past its size.
template <typename T>
class Cache {
 public:
  T* get(const std::string& k) {
    auto it = map_.find(k);
    return it == map_.end() ? nullptr : it->second.get();
  }
  T* put(const std::string& k, std::unique_ptr<T> v) {
    if (map_.size() > 512) map_.clear();
    auto* raw = v.get();
    map_[k] = std::move(v);
    return raw;
  }
 private:
  std::unordered_map<std::string, std::unique_ptr<T>> map_;
};

// Plain-memory helpers for the hand-written kernels.
int threads();

void registerConv(Napi::Env env, Napi::Object exports);
void registerMatmul(Napi::Env env, Napi::Object exports);
void registerPool(Napi::Env env, Napi::Object exports);
void registerResize(Napi::Env env, Napi::Object exports);
void registerNorm(Napi::Env env, Napi::Object exports);
void registerEltwise(Napi::Env env, Napi::Object exports);

}  // namespace unet
