// Max pooling, forward and backward, 2-D and 3-D, channels-last float32 ([B, H, W, C] / [B, D, H, W, C]), any
// window, stride and front padding, with tfjs's semantics: padded positions never win, comparisons use `>` (so NaN
// never wins and an all −∞ window yields −∞ with no gradient), and the gradient goes to the first maximum in
// row-major window order. Hand-written loops: OpenMP over output rows, SIMD over the contiguous channel axis.
// A 2-D pooling runs as a 3-D one with depth 1.
#include "common.h"
#include <algorithm>
#include <cstring>
#include <limits>

namespace unet {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// Pooling geometry in 3-D form; axis 0 is depth (1 for 2-D), 1 height, 2 width.
struct PoolGeom {
  int64_t B = 1, C = 1;
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, k[3] = {1, 1, 1}, s[3] = {1, 1, 1}, pad[3] = {0, 0, 0};

  // Input elements per batch item.
  int64_t inBatch() const { return in[0] * in[1] * in[2] * C; }
  // Clipped window [lo, hi) of output index o along axis a.
  void span(int a, int64_t o, int64_t& lo, int64_t& hi) const {
    int64_t start = o * s[a] - pad[a];
    lo = std::max<int64_t>(start, 0);
    hi = std::min<int64_t>(start + k[a], in[a]);
  }
};

// Reads and checks the shapes and geometry arguments: xShape, yShape, window, strides, padFront.
PoolGeom parseGeom(Napi::Env env, const Napi::Value& xv, const Napi::Value& xsv, const Napi::Value& yv, const Napi::Value& ysv,
                   const Napi::Value& wv, const Napi::Value& sv, const Napi::Value& pv) {
  dims xs = ints(xsv), ys = ints(ysv), win = ints(wv), str = ints(sv), pad = ints(pv);
  size_t nd = xs.size() - 2;
  if ((xs.size() != 4 && xs.size() != 5) || ys.size() != xs.size() || win.size() != nd || str.size() != nd || pad.size() != nd)
    throw Napi::Error::New(env, "maxPool: shapes must be [B, H, W, C] or [B, D, H, W, C] with one window/stride/pad per spatial axis");
  if (xs[0] != ys[0] || xs.back() != ys.back()) throw Napi::Error::New(env, "maxPool: batch and channels of x and y differ");
  if ((int64_t)f32len(xv) != prod(xs) || (int64_t)f32len(yv) != prod(ys)) throw Napi::Error::New(env, "maxPool: array lengths do not match the shapes");
  PoolGeom g;
  g.B = xs[0];
  g.C = xs.back();
  size_t off = 3 - nd;
  for (size_t i = 0; i < nd; i++) {
    if (win[i] < 1 || str[i] < 1 || pad[i] < 0) throw Napi::Error::New(env, "maxPool: window and strides must be ≥ 1, padding ≥ 0");
    g.in[off + i] = xs[1 + i];
    g.out[off + i] = ys[1 + i];
    g.k[off + i] = win[i];
    g.s[off + i] = str[i];
    g.pad[off + i] = pad[i];
  }
  return g;
}

// y[b, o…, :] = max over the window of x, for every output position.
void poolForward(const float* x, float* y, const PoolGeom& g) {
  const int64_t C = g.C, rows = g.B * g.out[0] * g.out[1];
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; r++) {
    const int64_t oh = r % g.out[1], od = (r / g.out[1]) % g.out[0], b = r / (g.out[1] * g.out[0]);
    int64_t d0, d1, h0, h1;
    g.span(0, od, d0, d1);
    g.span(1, oh, h0, h1);
    const float* xb = x + b * g.inBatch();
    float* yrow = y + r * g.out[2] * C;
    for (int64_t ow = 0; ow < g.out[2]; ow++) {
      int64_t w0, w1;
      g.span(2, ow, w0, w1);
      float* yo = yrow + ow * C;
      std::fill(yo, yo + C, kNegInf);
      for (int64_t d = d0; d < d1; d++)
        for (int64_t h = h0; h < h1; h++)
          for (int64_t w = w0; w < w1; w++) {
            const float* xp = xb + ((d * g.in[1] + h) * g.in[2] + w) * C;
#pragma omp simd
            for (int64_t c = 0; c < C; c++) yo[c] = xp[c] > yo[c] ? xp[c] : yo[c];
          }
    }
  }
}

// Adds dy of output row (b, od, oh) to dx at each window's first maximum. m and rem are scratch of C floats: the
// window maximum, and the gradient not yet handed out (zeroed once the first maximum takes it).
void backwardRow(const float* x, const float* dy, float* dx, const PoolGeom& g, int64_t b, int64_t od, int64_t oh, float* m, float* rem) {
  const int64_t C = g.C;
  int64_t d0, d1, h0, h1;
  g.span(0, od, d0, d1);
  g.span(1, oh, h0, h1);
  const float* xb = x + b * g.inBatch();
  float* dxb = dx + b * g.inBatch();
  const float* dyrow = dy + ((b * g.out[0] + od) * g.out[1] + oh) * g.out[2] * C;
  for (int64_t ow = 0; ow < g.out[2]; ow++) {
    int64_t w0, w1;
    g.span(2, ow, w0, w1);
    std::fill(m, m + C, kNegInf);
    for (int64_t d = d0; d < d1; d++)
      for (int64_t h = h0; h < h1; h++)
        for (int64_t w = w0; w < w1; w++) {
          const float* xp = xb + ((d * g.in[1] + h) * g.in[2] + w) * C;
#pragma omp simd
          for (int64_t c = 0; c < C; c++) m[c] = xp[c] > m[c] ? xp[c] : m[c];
        }
    const float* dyo = dyrow + ow * C;
#pragma omp simd
    for (int64_t c = 0; c < C; c++) rem[c] = m[c] > kNegInf ? dyo[c] : 0.f;  // an all −∞ window has no winner
    for (int64_t d = d0; d < d1; d++)
      for (int64_t h = h0; h < h1; h++)
        for (int64_t w = w0; w < w1; w++) {
          const int64_t at = ((d * g.in[1] + h) * g.in[2] + w) * C;
          const float* xp = xb + at;
          float* dxp = dxb + at;
#pragma omp simd
          for (int64_t c = 0; c < C; c++) {
            const bool hit = xp[c] == m[c];
            dxp[c] += hit ? rem[c] : 0.f;
            rem[c] = hit ? 0.f : rem[c];
          }
        }
  }
}

// dx = ∂L/∂x of max pooling given dy, recomputing each window's argmax from x. A task walks whole output rows (all
// of W), so windows overlapping along W never race. When windows do not overlap along D and H either, output rows
// write disjoint dx rows and all run in parallel. Otherwise the outermost overlapping axis (D, else H) is cut into
// bands of T outputs with T·stride ≥ window − stride, so bands two apart write disjoint dx: even bands run in
// parallel, then odd ones.
void poolBackward(const float* x, const float* dy, float* dx, const PoolGeom& g) {
  const int64_t C = g.C, total = g.B * g.inBatch();
  const int a = g.k[0] > g.s[0] ? 0 : g.k[1] > g.s[1] ? 1 : -1;  // the banded axis, or none
  const int64_t rows = g.B * g.out[0] * g.out[1];
  const int64_t want = 4 * int64_t(threads());
  const int64_t outA = a < 0 ? 1 : g.out[a];
  const int64_t tMin = a < 0 ? 1 : std::max<int64_t>(1, (g.k[a] - 1) / g.s[a]);  // ⌈(k − s)/s⌉
  const int64_t T = std::max(tMin, (outA + want - 1) / want);
  const int64_t bands = (outA + T - 1) / T;
  const int64_t outer = a == 0 ? g.B : g.B * g.out[0];  // band tasks per band index: (b) or (b, od)
#pragma omp parallel
  {
    std::vector<float> m(C), rem(C);
#pragma omp for schedule(static)
    for (int64_t i = 0; i < total; i += 16384) std::memset(dx + i, 0, sizeof(float) * std::min<int64_t>(16384, total - i));
    if (a < 0) {
#pragma omp for schedule(static)
      for (int64_t r = 0; r < rows; r++) {
        const int64_t oh = r % g.out[1], od = (r / g.out[1]) % g.out[0], b = r / (g.out[1] * g.out[0]);
        backwardRow(x, dy, dx, g, b, od, oh, m.data(), rem.data());
      }
    } else {
      for (int64_t phase = 0; phase < 2; phase++) {
        const int64_t nb = (bands - phase + 1) / 2;  // bands j ≡ phase (mod 2)
#pragma omp for schedule(static)
        for (int64_t t = 0; t < outer * nb; t++) {
          const int64_t o = t / nb, j = phase + 2 * (t % nb), lo = j * T, hi = std::min(outA, lo + T);
          for (int64_t i = lo; i < hi; i++) {
            if (a == 0) {
              for (int64_t oh = 0; oh < g.out[1]; oh++) backwardRow(x, dy, dx, g, o, i, oh, m.data(), rem.data());
            } else {
              backwardRow(x, dy, dx, g, o / g.out[0], o % g.out[0], i, m.data(), rem.data());
            }
          }
        }
      }
    }
  }
}

// maxPool(x, xShape, y, yShape, window, strides, padFront): fills y.
Napi::Value MaxPool(const Napi::CallbackInfo& info) {
  PoolGeom g = parseGeom(info.Env(), info[0], info[1], info[2], info[3], info[4], info[5], info[6]);
  poolForward(f32(info[0]), f32(info[2]), g);
  return info.Env().Undefined();
}

// maxPoolBackward(x, xShape, dy, dyShape, dx, window, strides, padFront): fills dx (shape xShape).
Napi::Value MaxPoolBackward(const Napi::CallbackInfo& info) {
  PoolGeom g = parseGeom(info.Env(), info[0], info[1], info[2], info[3], info[5], info[6], info[7]);
  if (f32len(info[4]) != f32len(info[0])) throw Napi::Error::New(info.Env(), "maxPoolBackward: dx must have x's length");
  poolBackward(f32(info[0]), f32(info[2]), f32(info[4]), g);
  return info.Env().Undefined();
}

}  // namespace

// Exports maxPool and maxPoolBackward.
void registerPool(Napi::Env env, Napi::Object exports) {
  exports.Set("maxPool", Napi::Function::New(env, MaxPool));
  exports.Set("maxPoolBackward", Napi::Function::New(env, MaxPoolBackward));
}

}  // namespace unet
