// Batched matrix product on oneDNN's sgemm: C[b] = op(A[b]) · op(B[b]), row-major, batch broadcast when one side has
// batch 1.
#include "common.h"

namespace unet {
namespace {

// batchMatMul(a, [Ba, aRows, aCols], b, [Bb, bRows, bCols], out, transA, transB)
Napi::Value BatchMatMul(const Napi::CallbackInfo& info) {
  const float* a = f32(info[0]);
  dims as = ints(info[1]);
  const float* b = f32(info[2]);
  dims bs = ints(info[3]);
  float* c = f32(info[4]);
  bool ta = info[5].As<Napi::Boolean>(), tb = info[6].As<Napi::Boolean>();
  int64_t M = ta ? as[2] : as[1], K = ta ? as[1] : as[2];
  int64_t N = tb ? bs[1] : bs[2];
  int64_t batch = std::max(as[0], bs[0]);
  for (int64_t i = 0; i < batch; i++) {
    const float* ai = a + (as[0] == 1 ? 0 : i) * as[1] * as[2];
    const float* bi = b + (bs[0] == 1 ? 0 : i) * bs[1] * bs[2];
    dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', M, N, K, 1.0f, ai, as[2], bi, bs[2], 0.0f, c + i * M * N, N);
  }
  return info.Env().Undefined();
}

}  // namespace

void registerMatmul(Napi::Env env, Napi::Object exports) {
  exports.Set("batchMatMul", Napi::Function::New(env, BatchMatMul));
}

}  // namespace unet
