// Linear resizing of the spatial axes of channels-last float32 tensors ([B, H, W, C] bilinear, [B, D, H, W, C]
// trilinear), forward and backward (∂L/∂x), with three source-coordinate modes:
//   0 align-corners  src = dst·(in−1)/(out−1)  (0 when out = 1)
//   1 half-pixel     src = max(0, (dst+½)·in/out − ½)   (PyTorch align_corners=false)
//   2 asymmetric     src = dst·in/out                   (tfjs's legacy default)
// and taps i0 = min(⌊src⌋, in−1), i1 = min(i0+1, in−1), weight w = src − i0 on i1.
//
// The interpolation is separable. Forward, per output row (b, d', h'): blend the ≤ 4 input rows it reads along D and
// H into one row of W·C floats, then interpolate that row along W. Backward, per input row (b, d, h): sum the dy rows
// that read it (inverse tap lists along D and H) into one row of W'·C floats, then apply the transposed W map as a
// gather over the inverse W taps. Every task writes only its own row, so both run OpenMP-parallel without atomics;
// the innermost loops are contiguous over C (or W·C) and vectorise. A 2-D resize runs as a 3-D one with depth 1.
#include "common.h"
#include <algorithm>
#include <cmath>
#include <cstring>

namespace unet {
namespace {

// Forward taps along one axis: per output index, two source indices and the weight of the second.
struct Taps {
  std::vector<int64_t> i0, i1;
  std::vector<float> w;
  bool identity = true;  // out == in and every output reads its own index with weight 1
};

// Inverse taps along one axis: per input index i, the (output index, weight) pairs at [start[i], start[i+1]).
struct InvTaps {
  std::vector<int64_t> start, o;
  std::vector<float> w;
};

// One source index with its weight (the D and H taps of an output row, zero weights dropped).
struct Tap {
  int64_t i;
  float w;
};

// Source taps of linear interpolation from `in` to `out` samples in coordinate mode `mode`.
Taps makeTaps(int64_t in, int64_t out, int mode) {
  Taps t;
  t.i0.resize(out);
  t.i1.resize(out);
  t.w.resize(out);
  t.identity = in == out;
  for (int64_t o = 0; o < out; o++) {
    double src;
    if (mode == 0) src = out > 1 ? double(o) * double(in - 1) / double(out - 1) : 0.0;
    else if (mode == 1) src = std::max(0.0, (double(o) + 0.5) * double(in) / double(out) - 0.5);
    else src = double(o) * double(in) / double(out);
    const int64_t lo = std::min<int64_t>(int64_t(std::floor(src)), in - 1);
    t.i0[o] = lo;
    t.i1[o] = std::min<int64_t>(lo + 1, in - 1);
    t.w[o] = float(src - double(lo));
    if (t.i0[o] != o || t.w[o] != 0.f) t.identity = false;
  }
  return t;
}

// The non-zero (index, weight) pairs output o reads (one pair when both taps coincide or w = 0).
int tapsAt(const Taps& t, int64_t o, Tap* out) {
  const float w = t.w[o];
  if (t.i0[o] == t.i1[o] || w == 0.f) {
    out[0] = {t.i0[o], 1.f};
    return 1;
  }
  out[0] = {t.i0[o], 1.f - w};
  out[1] = {t.i1[o], w};
  return 2;
}

// Inverts forward taps into per-input lists of (output, weight), outputs ascending.
InvTaps invert(const Taps& t, int64_t in) {
  InvTaps v;
  v.start.assign(in + 1, 0);
  Tap buf[2];
  const int64_t out = int64_t(t.w.size());
  for (int64_t o = 0; o < out; o++) {
    int n = tapsAt(t, o, buf);
    for (int k = 0; k < n; k++) v.start[buf[k].i + 1]++;
  }
  for (int64_t i = 0; i < in; i++) v.start[i + 1] += v.start[i];
  v.o.resize(v.start[in]);
  v.w.resize(v.start[in]);
  std::vector<int64_t> fill(v.start.begin(), v.start.end() - 1);
  for (int64_t o = 0; o < out; o++) {
    int n = tapsAt(t, o, buf);
    for (int k = 0; k < n; k++) {
      v.o[fill[buf[k].i]] = o;
      v.w[fill[buf[k].i]++] = buf[k].w;
    }
  }
  return v;
}

// dst[j] = w·src[j] (first) or dst[j] += w·src[j], for n floats.
inline void axpy(float* __restrict dst, const float* __restrict src, float w, int64_t n, bool first) {
  if (first) {
#pragma omp simd
    for (int64_t j = 0; j < n; j++) dst[j] = w * src[j];
  } else {
#pragma omp simd
    for (int64_t j = 0; j < n; j++) dst[j] += w * src[j];
  }
}

// Resize geometry in 3-D form: [B, D, H, W, C] in, [B, D', H', W', C] out (2-D: D = D' = 1).
struct ResizeGeom {
  int64_t B = 1, C = 1, in[3] = {1, 1, 1}, out[3] = {1, 1, 1};
};

// Reads and checks (x, xShape, y, yShape, mode): x on the input side of the resize, y on the resized side.
ResizeGeom parseGeom(Napi::Env env, const char* name, const Napi::Value& xv, const Napi::Value& xsv, const Napi::Value& yv, const Napi::Value& ysv, int mode) {
  dims xs = ints(xsv), ys = ints(ysv);
  if ((xs.size() != 4 && xs.size() != 5) || ys.size() != xs.size()) throw Napi::Error::New(env, std::string(name) + ": shapes must be [B, H, W, C] or [B, D, H, W, C]");
  if (xs[0] != ys[0] || xs.back() != ys.back()) throw Napi::Error::New(env, std::string(name) + ": batch and channels of the two shapes differ");
  if ((int64_t)f32len(xv) != prod(xs) || (int64_t)f32len(yv) != prod(ys)) throw Napi::Error::New(env, std::string(name) + ": array lengths do not match the shapes");
  if (mode < 0 || mode > 2) throw Napi::Error::New(env, std::string(name) + ": mode must be 0 (align corners), 1 (half pixel) or 2 (asymmetric)");
  ResizeGeom g;
  g.B = xs[0];
  g.C = xs.back();
  const size_t nd = xs.size() - 2, off = 3 - nd;
  for (size_t i = 0; i < nd; i++) {
    if (xs[1 + i] < 1 || ys[1 + i] < 1) throw Napi::Error::New(env, std::string(name) + ": spatial sizes must be ≥ 1");
    g.in[off + i] = xs[1 + i];
    g.out[off + i] = ys[1 + i];
  }
  return g;
}

// y = linear resize of x.
void resizeForward(const float* x, float* y, const ResizeGeom& g, int mode) {
  const Taps td = makeTaps(g.in[0], g.out[0], mode), th = makeTaps(g.in[1], g.out[1], mode), tw = makeTaps(g.in[2], g.out[2], mode);
  const int64_t C = g.C, inRow = g.in[2] * C, outRow = g.out[2] * C, rows = g.B * g.out[0] * g.out[1];
#pragma omp parallel
  {
    std::vector<float> tmp(tw.identity ? 0 : inRow);
#pragma omp for schedule(static)
    for (int64_t r = 0; r < rows; r++) {
      const int64_t oh = r % g.out[1], od = (r / g.out[1]) % g.out[0], b = r / (g.out[1] * g.out[0]);
      Tap dt[2], ht[2];
      const int nd = tapsAt(td, od, dt), nh = tapsAt(th, oh, ht);
      float* yrow = y + r * outRow;
      // blend the source rows along D and H (skipped when a single row is read whole)
      const float* row;
      if (nd == 1 && nh == 1 && !tw.identity) {
        row = x + ((b * g.in[0] + dt[0].i) * g.in[1] + ht[0].i) * inRow;
      } else {
        float* dst = tw.identity ? yrow : tmp.data();
        bool first = true;
        for (int i = 0; i < nd; i++)
          for (int j = 0; j < nh; j++) {
            axpy(dst, x + ((b * g.in[0] + dt[i].i) * g.in[1] + ht[j].i) * inRow, dt[i].w * ht[j].w, inRow, first);
            first = false;
          }
        row = dst;
      }
      if (tw.identity) continue;
      // interpolate along W
      for (int64_t ow = 0; ow < g.out[2]; ow++) {
        const float* a = row + tw.i0[ow] * C;
        const float* c1 = row + tw.i1[ow] * C;
        const float w = tw.w[ow];
        float* yo = yrow + ow * C;
#pragma omp simd
        for (int64_t c = 0; c < C; c++) yo[c] = a[c] + (c1[c] - a[c]) * w;
      }
    }
  }
}

// dx = ∂L/∂x of the linear resize, given dy.
void resizeBackward(const float* dy, float* dx, const ResizeGeom& g, int mode) {
  const Taps td = makeTaps(g.in[0], g.out[0], mode), th = makeTaps(g.in[1], g.out[1], mode), tw = makeTaps(g.in[2], g.out[2], mode);
  const InvTaps vd = invert(td, g.in[0]), vh = invert(th, g.in[1]), vw = invert(tw, g.in[2]);
  const int64_t C = g.C, inRow = g.in[2] * C, outRow = g.out[2] * C, rows = g.B * g.in[0] * g.in[1];
#pragma omp parallel
  {
    std::vector<float> acc(tw.identity ? 0 : outRow);
#pragma omp for schedule(static)
    for (int64_t r = 0; r < rows; r++) {
      const int64_t h = r % g.in[1], d = (r / g.in[1]) % g.in[0], b = r / (g.in[1] * g.in[0]);
      float* dxrow = dx + r * inRow;
      float* a = tw.identity ? dxrow : acc.data();
      // sum the dy rows that read input row (d, h), weighted, along D and H
      bool first = true;
      for (int64_t i = vd.start[d]; i < vd.start[d + 1]; i++)
        for (int64_t j = vh.start[h]; j < vh.start[h + 1]; j++) {
          axpy(a, dy + ((b * g.out[0] + vd.o[i]) * g.out[1] + vh.o[j]) * outRow, vd.w[i] * vh.w[j], outRow, first);
          first = false;
        }
      if (first) {  // no output reads this row
        std::memset(dxrow, 0, sizeof(float) * inRow);
        continue;
      }
      if (tw.identity) continue;
      // transposed W interpolation: gather over the outputs that read each input column
      for (int64_t iw = 0; iw < g.in[2]; iw++) {
        float* dxp = dxrow + iw * C;
        if (vw.start[iw] == vw.start[iw + 1]) {
          std::memset(dxp, 0, sizeof(float) * C);
          continue;
        }
        for (int64_t k = vw.start[iw]; k < vw.start[iw + 1]; k++) axpy(dxp, a + vw.o[k] * C, vw.w[k], C, k == vw.start[iw]);
      }
    }
  }
}

// resizeLinear(x, xShape, y, yShape, mode): fills y.
Napi::Value ResizeLinear(const Napi::CallbackInfo& info) {
  const int mode = info[4].As<Napi::Number>().Int32Value();
  ResizeGeom g = parseGeom(info.Env(), "resizeLinear", info[0], info[1], info[2], info[3], mode);
  resizeForward(f32(info[0]), f32(info[2]), g, mode);
  return info.Env().Undefined();
}

// resizeLinearBackward(dy, dyShape, dx, dxShape, mode): fills dx (the input's shape).
Napi::Value ResizeLinearBackward(const Napi::CallbackInfo& info) {
  const int mode = info[4].As<Napi::Number>().Int32Value();
  ResizeGeom g = parseGeom(info.Env(), "resizeLinearBackward", info[2], info[3], info[0], info[1], mode);
  resizeBackward(f32(info[0]), f32(info[2]), g, mode);
  return info.Env().Undefined();
}

}  // namespace

// Exports resizeLinear and resizeLinearBackward.
void registerResize(Napi::Env env, Napi::Object exports) {
  exports.Set("resizeLinear", Napi::Function::New(env, ResizeLinear));
  exports.Set("resizeLinearBackward", Napi::Function::New(env, ResizeLinearBackward));
}

}  // namespace unet
