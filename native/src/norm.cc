// Training-mode batch normalisation over every axis but the last (channels-last [M, C]), optionally fused with the
// ReLU that follows it, forward and backward; and the eval-mode y = relu?(x·scale + shift).
// Statistics accumulate in double per thread, then reduce; every output element is written (no zero-fill needed).
#include "common.h"
#include <omp.h>
#include <cmath>

namespace unet {
namespace {

// Per-thread partial sums over rows of a [M, C] array, reduced in double: s1 = Σx, s2 = Σ(x − shift)² (the shift, a
// first row's value, keeps the one-pass variance accurate).
static void channelMoments(const float* __restrict x, int64_t M, int64_t C, const float* __restrict shift, std::vector<double>& s1, std::vector<double>& s2) {
  int T = omp_get_max_threads();
  std::vector<double> part(static_cast<size_t>(T) * 2 * C, 0.0);
#pragma omp parallel
  {
    double* __restrict a = part.data() + static_cast<size_t>(omp_get_thread_num()) * 2 * C;
    double* __restrict b = a + C;
    std::vector<float> fa(C, 0.f), fb(C, 0.f);  // float partials over blocks of rows, flushed into double
    float* __restrict pa = fa.data();
    float* __restrict pb = fb.data();
    int64_t n = 0;
#pragma omp for schedule(static)
    for (int64_t m = 0; m < M; m++) {
      const float* __restrict xr = x + m * C;
#pragma omp simd
      for (int64_t c = 0; c < C; c++) {
        float d = xr[c] - shift[c];
        pa[c] += d;
        pb[c] += d * d;
      }
      if (++n == 256) {
        for (int64_t c = 0; c < C; c++) { a[c] += pa[c]; b[c] += pb[c]; pa[c] = 0.f; pb[c] = 0.f; }
        n = 0;
      }
    }
    for (int64_t c = 0; c < C; c++) { a[c] += pa[c]; b[c] += pb[c]; }
  }
  s1.assign(C, 0.0);
  s2.assign(C, 0.0);
  for (int t = 0; t < T; t++)
    for (int64_t c = 0; c < C; c++) {
      s1[c] += part[static_cast<size_t>(t) * 2 * C + c];
      s2[c] += part[static_cast<size_t>(t) * 2 * C + C + c];
    }
}

// y = relu?(x·scale + shift) over x viewed as [M, C], scale/shift per channel (training and eval BatchNorm).
void applyScaleShift(const float* __restrict x, int64_t M, int64_t C, const float* __restrict sc, const float* __restrict sh,
                     bool relu, float* __restrict y) {
#pragma omp parallel for schedule(static)
  for (int64_t m = 0; m < M; m++) {
    const float* __restrict xr = x + m * C;
    float* __restrict yr = y + m * C;
    if (relu) {
#pragma omp simd
      for (int64_t c = 0; c < C; c++) { float v = xr[c] * sc[c] + sh[c]; yr[c] = v > 0.f ? v : 0.f; }
    } else {
#pragma omp simd
      for (int64_t c = 0; c < C; c++) yr[c] = xr[c] * sc[c] + sh[c];
    }
  }
}

// Normalises x [M, C] by its column statistics (written to mean[C], var[C]), then y = act(x̂·γ + β) with
// act(v) = v > 0 ? v : slope·v (slope 1: none, 0: ReLU).
static void normalizeColumns(const float* x, int64_t M, int64_t C, const float* gamma, const float* beta, double eps, float slope,
                             float* y, float* mean, float* var) {
  std::vector<double> s1, s2;
  std::vector<float> shift0(x, x + C);  // the first row: a cheap estimate of the mean
  channelMoments(x, M, C, shift0.data(), s1, s2);
  std::vector<float> scale(C), shift(C);
  for (int64_t c = 0; c < C; c++) {
    double d = s1[c] / M;                 // mean − shift0
    double v = std::max(s2[c] / M - d * d, 0.0);
    double mu = shift0[c] + d;
    mean[c] = static_cast<float>(mu);
    var[c] = static_cast<float>(v);
    double sc = (gamma ? gamma[c] : 1.0) / std::sqrt(v + eps);
    scale[c] = static_cast<float>(sc);
    shift[c] = static_cast<float>((beta ? beta[c] : 0.0) - mu * sc);
  }
  if (slope == 0.f) {
    applyScaleShift(x, M, C, scale.data(), shift.data(), true, y);
  } else if (slope == 1.f) {
    applyScaleShift(x, M, C, scale.data(), shift.data(), false, y);
  } else {
    const float* __restrict sc = scale.data();
    const float* __restrict sh = shift.data();
#pragma omp parallel for schedule(static)
    for (int64_t m = 0; m < M; m++) {
      const float* __restrict xr = x + m * C;
      float* __restrict yr = y + m * C;
#pragma omp simd
      for (int64_t c = 0; c < C; c++) { float v = xr[c] * sc[c] + sh[c]; yr[c] = v > 0.f ? v : slope * v; }
    }
  }
}

// batchNormTrain(x, M, C, gamma|null, beta|null, eps, relu, y, mean, variance)
Napi::Value BatchNormTrain(const Napi::CallbackInfo& info) {
  const float* x = f32(info[0]);
  int64_t M = info[1].As<Napi::Number>().Int64Value(), C = info[2].As<Napi::Number>().Int64Value();
  const float* gamma = f32opt(info[3]);
  const float* beta = f32opt(info[4]);
  double eps = info[5].As<Napi::Number>().DoubleValue();
  bool relu = info[6].As<Napi::Boolean>();
  normalizeColumns(x, M, C, gamma, beta, eps, relu ? 0.f : 1.f, f32(info[7]), f32(info[8]), f32(info[9]));
  return info.Env().Undefined();
}

// instanceNormAct(x, B, M, C, gamma|null, beta|null, eps, slope, y, mean[B·C], variance[B·C]): per sample b, x_b
// viewed as [M, C] (channels-last [B, ...S, C], M = ∏S) normalised by its own column statistics (written at b·C + c),
// then y = act(x̂·γ + β), act(v) = v > 0 ? v : slope·v — InstanceNorm (affine) and LeakyReLU in one pass each way.
Napi::Value InstanceNormAct(const Napi::CallbackInfo& info) {
  const float* x = f32(info[0]);
  int64_t B = info[1].As<Napi::Number>().Int64Value(), M = info[2].As<Napi::Number>().Int64Value(), C = info[3].As<Napi::Number>().Int64Value();
  const float* gamma = f32opt(info[4]);
  const float* beta = f32opt(info[5]);
  double eps = info[6].As<Napi::Number>().DoubleValue();
  float slope = static_cast<float>(info[7].As<Napi::Number>().DoubleValue());
  float* y = f32(info[8]);
  float* mean = f32(info[9]);
  float* var = f32(info[10]);
  for (int64_t b = 0; b < B; b++) normalizeColumns(x + b * M * C, M, C, gamma, beta, eps, slope, y + b * M * C, mean + b * C, var + b * C);
  return info.Env().Undefined();
}

// The gradient of normalizeColumns (x [M, C], its statistics, y its output or null when no activation):
//   g = dy·(y > 0 ? 1 : slope);  x̂ = (x − μ)·inv;  dβ = Σg;  dγ = Σ g·x̂;  dx = γ·inv·(g − dβ/M − x̂·dγ/M)
// dγ and dβ are added to sumG / sumGx (double, per column). Pass 1 writes g into dx and accumulates Σg, Σg·(x − μ) per
// thread; pass 2 turns dx into the input gradient.
static void normalizeColumnsGrad(const float* __restrict dy, const float* __restrict x, const float* __restrict y, int64_t M, int64_t C,
                                 const float* mean, const float* var, const float* gamma, double eps, float slope, float* __restrict dx,
                                 double* dgammaAcc, double* dbetaAcc) {
  int T = omp_get_max_threads();
  std::vector<double> part(static_cast<size_t>(T) * 2 * C, 0.0);
  const float* __restrict mu = mean;
#pragma omp parallel
  {
    double* __restrict sg = part.data() + static_cast<size_t>(omp_get_thread_num()) * 2 * C;
    double* __restrict sgx = sg + C;
#pragma omp for schedule(static)
    for (int64_t m = 0; m < M; m++) {
      const float* __restrict dyr = dy + m * C;
      const float* __restrict xr = x + m * C;
      float* __restrict gr = dx + m * C;
      if (y) {
        const float* __restrict yr = y + m * C;
#pragma omp simd
        for (int64_t c = 0; c < C; c++) gr[c] = yr[c] > 0.f ? dyr[c] : slope * dyr[c];
      } else {
#pragma omp simd
        for (int64_t c = 0; c < C; c++) gr[c] = dyr[c];
      }
#pragma omp simd
      for (int64_t c = 0; c < C; c++) {
        sg[c] += gr[c];
        sgx[c] += static_cast<double>(gr[c]) * (xr[c] - mu[c]);
      }
    }
  }
  std::vector<float> a(C), bcoef(C), k(C);
  for (int64_t c = 0; c < C; c++) {
    double s1 = 0, s2 = 0;
    for (int t = 0; t < T; t++) { s1 += part[static_cast<size_t>(t) * 2 * C + c]; s2 += part[static_cast<size_t>(t) * 2 * C + C + c]; }
    double inv = 1.0 / std::sqrt(static_cast<double>(var[c]) + eps);
    double gm = gamma ? gamma[c] : 1.0;
    dgammaAcc[c] += s2 * inv;
    dbetaAcc[c] += s1;
    a[c] = static_cast<float>(gm * inv);                          // dx = a·g − a·Σg/M − a·inv²·Σg(x−μ)/M·(x − μ)
    bcoef[c] = static_cast<float>(gm * inv * s1 / M);
    k[c] = static_cast<float>(gm * inv * inv * inv * s2 / M);
  }
  const float* __restrict pa = a.data();
  const float* __restrict pb = bcoef.data();
  const float* __restrict pk = k.data();
#pragma omp parallel for schedule(static)
  for (int64_t m = 0; m < M; m++) {
    const float* __restrict xr = x + m * C;
    float* __restrict gr = dx + m * C;
#pragma omp simd
    for (int64_t c = 0; c < C; c++) gr[c] = pa[c] * gr[c] - pb[c] - pk[c] * (xr[c] - mu[c]);
  }
}

// batchNormTrainGrad(dy, x, y|null (relu output: the mask), M, C, mean, variance, gamma|null, eps, dx, dgamma|null, dbeta|null)
Napi::Value BatchNormTrainGrad(const Napi::CallbackInfo& info) {
  int64_t M = info[3].As<Napi::Number>().Int64Value(), C = info[4].As<Napi::Number>().Int64Value();
  float* dgamma = f32opt(info[10]);
  float* dbeta = f32opt(info[11]);
  std::vector<double> dg(C, 0.0), db(C, 0.0);
  normalizeColumnsGrad(f32(info[0]), f32(info[1]), f32opt(info[2]), M, C, f32(info[5]), f32(info[6]), f32opt(info[7]),
                       info[8].As<Napi::Number>().DoubleValue(), 0.f, f32(info[9]), dg.data(), db.data());
  for (int64_t c = 0; c < C; c++) {
    if (dgamma) dgamma[c] = static_cast<float>(dg[c]);
    if (dbeta) dbeta[c] = static_cast<float>(db[c]);
  }
  return info.Env().Undefined();
}

// instanceNormActGrad(dy, x, y|null, B, M, C, mean[B·C], variance[B·C], gamma|null, eps, slope, dx, dgamma|null, dbeta|null):
// the gradient of instanceNormAct, per sample; dγ and dβ summed over the samples.
Napi::Value InstanceNormActGrad(const Napi::CallbackInfo& info) {
  const float* dy = f32(info[0]);
  const float* x = f32(info[1]);
  const float* y = f32opt(info[2]);
  int64_t B = info[3].As<Napi::Number>().Int64Value(), M = info[4].As<Napi::Number>().Int64Value(), C = info[5].As<Napi::Number>().Int64Value();
  const float* mean = f32(info[6]);
  const float* var = f32(info[7]);
  const float* gamma = f32opt(info[8]);
  double eps = info[9].As<Napi::Number>().DoubleValue();
  float slope = static_cast<float>(info[10].As<Napi::Number>().DoubleValue());
  float* dx = f32(info[11]);
  float* dgamma = f32opt(info[12]);
  float* dbeta = f32opt(info[13]);
  std::vector<double> dg(C, 0.0), db(C, 0.0);
  for (int64_t b = 0; b < B; b++) {
    int64_t o = b * M * C;
    normalizeColumnsGrad(dy + o, x + o, y ? y + o : nullptr, M, C, mean + b * C, var + b * C, gamma, eps, slope, dx + o, dg.data(), db.data());
  }
  for (int64_t c = 0; c < C; c++) {
    if (dgamma) dgamma[c] = static_cast<float>(dg[c]);
    if (dbeta) dbeta[c] = static_cast<float>(db[c]);
  }
  return info.Env().Undefined();
}

// scaleShift(x, M, C, scale, shift, relu, y): y = relu?(x·scale + shift), scale/shift per channel
Napi::Value ScaleShift(const Napi::CallbackInfo& info) {
  const float* x = f32(info[0]);
  int64_t M = info[1].As<Napi::Number>().Int64Value(), C = info[2].As<Napi::Number>().Int64Value();
  const float* sc = f32(info[3]);
  const float* sh = f32(info[4]);
  bool relu = info[5].As<Napi::Boolean>();
  float* y = f32(info[6]);
  applyScaleShift(x, M, C, sc, sh, relu, y);
  return info.Env().Undefined();
}

}  // namespace

void registerNorm(Napi::Env env, Napi::Object exports) {
  exports.Set("batchNormTrain", Napi::Function::New(env, BatchNormTrain));
  exports.Set("batchNormTrainGrad", Napi::Function::New(env, BatchNormTrainGrad));
  exports.Set("instanceNormAct", Napi::Function::New(env, InstanceNormAct));
  exports.Set("instanceNormActGrad", Napi::Function::New(env, InstanceNormActGrad));
  exports.Set("scaleShift", Napi::Function::New(env, ScaleShift));
}

}  // namespace unet
