// Memory-bound kernels: broadcasting binary arithmetic, ReLU, block copies for concat / slice, row and column sums,
// and Adam's update in place. OpenMP-parallel; every output element is written.
#include "common.h"
#include <omp.h>
#include <cmath>
#include <cstring>

namespace unet {
namespace {

constexpr int64_t kPar = 1 << 15;  // below this many elements one thread is faster

template <typename Op>
void binaryLoop(const float* a, int64_t na, const float* b, int64_t nb, float* out, Op op) {
  int64_t n = std::max(na, nb);
  if (na == nb) {
#pragma omp parallel for simd schedule(static) if (n > kPar)
    for (int64_t i = 0; i < n; i++) out[i] = op(a[i], b[i]);
  } else if (nb == 1) {
    float s = b[0];
#pragma omp parallel for simd schedule(static) if (n > kPar)
    for (int64_t i = 0; i < n; i++) out[i] = op(a[i], s);
  } else if (na == 1) {
    float s = a[0];
#pragma omp parallel for simd schedule(static) if (n > kPar)
    for (int64_t i = 0; i < n; i++) out[i] = op(s, b[i]);
  } else if (nb < na) {  // b repeats over rows of length nb
    int64_t rows = na / nb;
#pragma omp parallel for schedule(static) if (n > kPar)
    for (int64_t r = 0; r < rows; r++) {
      const float* ar = a + r * nb;
      float* o = out + r * nb;
#pragma omp simd
      for (int64_t c = 0; c < nb; c++) o[c] = op(ar[c], b[c]);
    }
  } else {  // a repeats over rows of length na
    int64_t rows = nb / na;
#pragma omp parallel for schedule(static) if (n > kPar)
    for (int64_t r = 0; r < rows; r++) {
      const float* br = b + r * na;
      float* o = out + r * na;
#pragma omp simd
      for (int64_t c = 0; c < na; c++) o[c] = op(a[c], br[c]);
    }
  }
}

// binary(op, a, b, out): op 0 add, 1 sub, 2 mul, 3 div; lengths equal, or one side 1, or one side a trailing row
Napi::Value Binary(const Napi::CallbackInfo& info) {
  int op = info[0].As<Napi::Number>().Int32Value();
  const float* a = f32(info[1]);
  int64_t na = f32len(info[1]);
  const float* b = f32(info[2]);
  int64_t nb = f32len(info[2]);
  float* out = f32(info[3]);
  switch (op) {
    case 0: binaryLoop(a, na, b, nb, out, [](float x, float y) { return x + y; }); break;
    case 1: binaryLoop(a, na, b, nb, out, [](float x, float y) { return x - y; }); break;
    case 2: binaryLoop(a, na, b, nb, out, [](float x, float y) { return x * y; }); break;
    case 3: binaryLoop(a, na, b, nb, out, [](float x, float y) { return x / y; }); break;
    default: throw Napi::Error::New(info.Env(), "binary: unknown op");
  }
  return info.Env().Undefined();
}

template <typename Op>
void columnLoop(const float* a, const float* col, int64_t rows, int64_t k, float* out, bool colFirst, Op op) {
#pragma omp parallel for schedule(static) if (rows * k > kPar)
  for (int64_t r = 0; r < rows; r++) {
    const float* ar = a + r * k;
    float* o = out + r * k;
    float c = col[r];
    if (colFirst) {
#pragma omp simd
      for (int64_t j = 0; j < k; j++) o[j] = op(c, ar[j]);
    } else {
#pragma omp simd
      for (int64_t j = 0; j < k; j++) o[j] = op(ar[j], c);
    }
  }
}

// binaryColumn(op, full, col, out, k, colFirst): full viewed as [rows, k], col as [rows] broadcast along k;
// out = colFirst ? col op full : full op col
Napi::Value BinaryColumn(const Napi::CallbackInfo& info) {
  int op = info[0].As<Napi::Number>().Int32Value();
  const float* a = f32(info[1]);
  const float* col = f32(info[2]);
  float* out = f32(info[3]);
  int64_t k = info[4].As<Napi::Number>().Int64Value();
  bool colFirst = info[5].As<Napi::Boolean>();
  int64_t rows = f32len(info[1]) / k;
  switch (op) {
    case 0: columnLoop(a, col, rows, k, out, colFirst, [](float x, float y) { return x + y; }); break;
    case 1: columnLoop(a, col, rows, k, out, colFirst, [](float x, float y) { return x - y; }); break;
    case 2: columnLoop(a, col, rows, k, out, colFirst, [](float x, float y) { return x * y; }); break;
    case 3: columnLoop(a, col, rows, k, out, colFirst, [](float x, float y) { return x / y; }); break;
    default: throw Napi::Error::New(info.Env(), "binaryColumn: unknown op");
  }
  return info.Env().Undefined();
}

// softmaxRows(x, k, out): softmax along the last axis of x viewed as [rows, k]
Napi::Value SoftmaxRows(const Napi::CallbackInfo& info) {
  const float* x = f32(info[0]);
  int64_t k = info[1].As<Napi::Number>().Int64Value();
  float* out = f32(info[2]);
  int64_t rows = f32len(info[0]) / k;
#pragma omp parallel for schedule(static) if (rows * k > kPar)
  for (int64_t r = 0; r < rows; r++) {
    const float* xr = x + r * k;
    float* o = out + r * k;
    float m = xr[0];
    for (int64_t j = 1; j < k; j++) m = xr[j] > m ? xr[j] : m;
    float s = 0.f;
    for (int64_t j = 0; j < k; j++) { o[j] = std::exp(xr[j] - m); s += o[j]; }
    float inv = 1.f / s;
    for (int64_t j = 0; j < k; j++) o[j] *= inv;
  }
  return info.Env().Undefined();
}

// unary(op, x, out): op 0 relu, 1 square, 2 neg, 3 step (x > 0 ? 1 : 0), 4 exp
Napi::Value Unary(const Napi::CallbackInfo& info) {
  int op = info[0].As<Napi::Number>().Int32Value();
  const float* x = f32(info[1]);
  int64_t n = f32len(info[1]);
  float* y = f32(info[2]);
  switch (op) {
    case 0:
#pragma omp parallel for simd schedule(static) if (n > kPar)
      for (int64_t i = 0; i < n; i++) y[i] = x[i] > 0.f ? x[i] : 0.f;
      break;
    case 1:
#pragma omp parallel for simd schedule(static) if (n > kPar)
      for (int64_t i = 0; i < n; i++) y[i] = x[i] * x[i];
      break;
    case 2:
#pragma omp parallel for simd schedule(static) if (n > kPar)
      for (int64_t i = 0; i < n; i++) y[i] = -x[i];
      break;
    case 3:
#pragma omp parallel for simd schedule(static) if (n > kPar)
      for (int64_t i = 0; i < n; i++) y[i] = x[i] > 0.f ? 1.f : 0.f;
      break;
    case 4:
#pragma omp parallel for schedule(static) if (n > kPar)
      for (int64_t i = 0; i < n; i++) y[i] = std::exp(x[i]);
      break;
    default: throw Napi::Error::New(info.Env(), "unary: unknown op");
  }
  return info.Env().Undefined();
}

// reluGrad(dy, y, dx): dx = dy·[y > 0]
Napi::Value ReluGrad(const Napi::CallbackInfo& info) {
  const float* dy = f32(info[0]);
  const float* y = f32(info[1]);
  float* dx = f32(info[2]);
  int64_t n = f32len(info[0]);
#pragma omp parallel for simd schedule(static) if (n > kPar)
  for (int64_t i = 0; i < n; i++) dx[i] = y[i] > 0.f ? dy[i] : 0.f;
  return info.Env().Undefined();
}

// concatRows(inputs[], widths[], rows, out): out[r] = [in0[r], in1[r], ...], in_k viewed as [rows, width_k]
Napi::Value ConcatRows(const Napi::CallbackInfo& info) {
  auto arr = info[0].As<Napi::Array>();
  dims widths = ints(info[1]);
  int64_t rows = info[2].As<Napi::Number>().Int64Value();
  float* out = f32(info[3]);
  std::vector<const float*> ins(arr.Length());
  int64_t total = 0;
  for (uint32_t k = 0; k < arr.Length(); k++) { ins[k] = f32(arr.Get(k)); total += widths[k]; }
#pragma omp parallel for schedule(static) if (rows * total > kPar)
  for (int64_t r = 0; r < rows; r++) {
    float* o = out + r * total;
    for (size_t k = 0; k < ins.size(); k++) {
      std::memcpy(o, ins[k] + r * widths[k], sizeof(float) * widths[k]);
      o += widths[k];
    }
  }
  return info.Env().Undefined();
}

// sliceRows(x, rows, width, begin, size, out): out[r] = x[r][begin : begin + size], x viewed as [rows, width]
Napi::Value SliceRows(const Napi::CallbackInfo& info) {
  const float* x = f32(info[0]);
  int64_t rows = info[1].As<Napi::Number>().Int64Value(), width = info[2].As<Napi::Number>().Int64Value();
  int64_t begin = info[3].As<Napi::Number>().Int64Value(), size = info[4].As<Napi::Number>().Int64Value();
  float* out = f32(info[5]);
#pragma omp parallel for schedule(static) if (rows * size > kPar)
  for (int64_t r = 0; r < rows; r++) std::memcpy(out + r * size, x + r * width + begin, sizeof(float) * size);
  return info.Env().Undefined();
}

// transpose(x, shape, perm, out): out = x with axes permuted (out axis k = x axis perm[k]); the trailing axes that
// stay in place are copied as contiguous blocks.
Napi::Value Transpose(const Napi::CallbackInfo& info) {
  const float* x = f32(info[0]);
  dims shape = ints(info[1]), perm = ints(info[2]);
  float* out = f32(info[3]);
  size_t r = shape.size();
  while (r > 0 && perm[r - 1] == static_cast<int64_t>(r - 1)) r--;  // identity suffix
  int64_t block = prod(shape, r);
  dims inStride(shape.size(), 1);
  for (size_t k = shape.size(); k-- > 1;) inStride[k - 1] = inStride[k] * shape[k];
  dims outShape(r), stride(r);
  for (size_t k = 0; k < r; k++) outShape[k] = shape[perm[k]], stride[k] = inStride[perm[k]];
  int64_t n = prod(outShape);
#pragma omp parallel for schedule(static) if (n * block > kPar)
  for (int64_t o = 0; o < n; o++) {
    int64_t rem = o, src = 0;
    for (size_t k = r; k-- > 0;) {
      src += (rem % outShape[k]) * stride[k];
      rem /= outShape[k];
    }
    if (block == 1) out[o] = x[src];
    else std::memcpy(out + o * block, x + src, sizeof(float) * block);
  }
  return info.Env().Undefined();
}

// sumRows(x, rows, cols, out[cols]): Σ over rows (reduce leading axes), double accumulation per thread
Napi::Value SumRows(const Napi::CallbackInfo& info) {
  const float* x = f32(info[0]);
  int64_t rows = info[1].As<Napi::Number>().Int64Value(), cols = info[2].As<Napi::Number>().Int64Value();
  float* out = f32(info[3]);
  int T = omp_get_max_threads();
  std::vector<double> part(static_cast<size_t>(T) * cols, 0.0);
#pragma omp parallel if (rows * cols > kPar)
  {
    double* p = part.data() + static_cast<size_t>(omp_get_thread_num()) * cols;
#pragma omp for schedule(static)
    for (int64_t r = 0; r < rows; r++)
      for (int64_t c = 0; c < cols; c++) p[c] += x[r * cols + c];
  }
  for (int64_t c = 0; c < cols; c++) {
    double s = 0;
    for (int t = 0; t < T; t++) s += part[static_cast<size_t>(t) * cols + c];
    out[c] = static_cast<float>(s);
  }
  return info.Env().Undefined();
}

// sumCols(x, rows, cols, out[rows]): Σ over cols (reduce trailing axes)
Napi::Value SumCols(const Napi::CallbackInfo& info) {
  const float* x = f32(info[0]);
  int64_t rows = info[1].As<Napi::Number>().Int64Value(), cols = info[2].As<Napi::Number>().Int64Value();
  float* out = f32(info[3]);
  if (rows == 1) {
    double s = 0;
#pragma omp parallel for reduction(+ : s) schedule(static) if (cols > kPar)
    for (int64_t c = 0; c < cols; c++) s += x[c];
    out[0] = static_cast<float>(s);
    return info.Env().Undefined();
  }
#pragma omp parallel for schedule(static) if (rows * cols > kPar)
  for (int64_t r = 0; r < rows; r++) {
    double s = 0;
    const float* xr = x + r * cols;
    for (int64_t c = 0; c < cols; c++) s += xr[c];
    out[r] = static_cast<float>(s);
  }
  return info.Env().Undefined();
}

// adam(p, g, m, v, lr, beta1, beta2, eps, step): PyTorch's Adam, in place on p, m, v
Napi::Value Adam(const Napi::CallbackInfo& info) {
  float* p = f32(info[0]);
  const float* g = f32(info[1]);
  float* m = f32(info[2]);
  float* v = f32(info[3]);
  int64_t n = f32len(info[0]);
  double lr = info[4].As<Napi::Number>().DoubleValue(), b1 = info[5].As<Napi::Number>().DoubleValue();
  double b2 = info[6].As<Napi::Number>().DoubleValue(), eps = info[7].As<Napi::Number>().DoubleValue();
  double t = info[8].As<Napi::Number>().DoubleValue();
  float bc1 = static_cast<float>(1 - std::pow(b1, t)), sbc2 = static_cast<float>(std::sqrt(1 - std::pow(b2, t)));
  float fb1 = static_cast<float>(b1), fb2 = static_cast<float>(b2), step = static_cast<float>(lr) / bc1, feps = static_cast<float>(eps);
#pragma omp parallel for simd schedule(static) if (n > kPar)
  for (int64_t i = 0; i < n; i++) {
    float mi = fb1 * m[i] + (1.f - fb1) * g[i];
    float vi = fb2 * v[i] + (1.f - fb2) * g[i] * g[i];
    m[i] = mi;
    v[i] = vi;
    p[i] -= step * mi / (std::sqrt(vi) / sbc2 + feps);
  }
  return info.Env().Undefined();
}

// sgd(p, g, buf, lr, momentum, weightDecay, nesterov, first): PyTorch's SGD in place on p and buf:
//   d = g + wd·p;  buf = first ? d : μ·buf + d;  p −= lr·(nesterov ? d + μ·buf : buf)
Napi::Value Sgd(const Napi::CallbackInfo& info) {
  float* p = f32(info[0]);
  const float* g = f32(info[1]);
  float* buf = f32(info[2]);
  int64_t n = f32len(info[0]);
  float lr = static_cast<float>(info[3].As<Napi::Number>().DoubleValue()), mu = static_cast<float>(info[4].As<Napi::Number>().DoubleValue());
  float wd = static_cast<float>(info[5].As<Napi::Number>().DoubleValue());
  bool nesterov = info[6].As<Napi::Boolean>(), first = info[7].As<Napi::Boolean>();
#pragma omp parallel for simd schedule(static) if (n > kPar)
  for (int64_t i = 0; i < n; i++) {
    float d = g[i] + wd * p[i];
    float b = first ? d : mu * buf[i] + d;
    buf[i] = b;
    p[i] -= lr * (nesterov ? d + mu * b : b);
  }
  return info.Env().Undefined();
}

// stridedGather(x, shape, begin, strides, outShape, out): out[i…] = x[begin + i·strides] per axis (strides ≥ 1), the
// general strided slice (tfjs's generic loop reads every element through a coordinate array).
Napi::Value StridedGather(const Napi::CallbackInfo& info) {
  const float* x = f32(info[0]);
  dims shape = ints(info[1]), begin = ints(info[2]), step = ints(info[3]), outShape = ints(info[4]);
  float* out = f32(info[5]);
  size_t r = shape.size();
  dims inStride(r, 1);
  for (size_t k = r; k-- > 1;) inStride[k - 1] = inStride[k] * shape[k];
  int64_t base = 0;
  for (size_t k = 0; k < r; k++) base += begin[k] * inStride[k];
  int64_t inner = r ? outShape[r - 1] : 1, innerStep = r ? step[r - 1] * inStride[r - 1] : 1;
  int64_t rows = prod(outShape) / std::max<int64_t>(inner, 1);
#pragma omp parallel for schedule(static) if (rows * inner > kPar)
  for (int64_t o = 0; o < rows; o++) {
    int64_t rem = o, src = base;
    for (size_t k = r - 1; k-- > 0;) {
      src += (rem % outShape[k]) * step[k] * inStride[k];
      rem /= outShape[k];
    }
    float* dst = out + o * inner;
    for (int64_t i = 0; i < inner; i++) dst[i] = x[src + i * innerStep];
  }
  return info.Env().Undefined();
}

}  // namespace

void registerEltwise(Napi::Env env, Napi::Object exports) {
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("binaryColumn", Napi::Function::New(env, BinaryColumn));
  exports.Set("softmaxRows", Napi::Function::New(env, SoftmaxRows));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("reluGrad", Napi::Function::New(env, ReluGrad));
  exports.Set("concatRows", Napi::Function::New(env, ConcatRows));
  exports.Set("sliceRows", Napi::Function::New(env, SliceRows));
  exports.Set("transpose", Napi::Function::New(env, Transpose));
  exports.Set("sumRows", Napi::Function::New(env, SumRows));
  exports.Set("sumCols", Napi::Function::New(env, SumCols));
  exports.Set("adam", Napi::Function::New(env, Adam));
  exports.Set("sgd", Napi::Function::New(env, Sgd));
  exports.Set("stridedGather", Napi::Function::New(env, StridedGather));
}

}  // namespace unet
