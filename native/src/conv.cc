// Convolutions on oneDNN: forward, backward-data and backward-weights, 2-D and 3-D, channels-last activations
// (nhwc / ndhwc) and tfjs's filter layout (hwio / dhwio), any stride, dilation and padding. Primitives are cached by
// configuration; weights are reordered into the primitive's preferred layout when it differs from the user's.
#include "common.h"

namespace unet {
namespace {

using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;
using md = dnnl::memory::desc;

// tfjs [N, S..., C] → oneDNN logical {N, C, S...}
dims toNC(const dims& t) {
  dims d{t[0], t.back()};
  for (size_t i = 1; i + 1 < t.size(); i++) d.push_back(t[i]);
  return d;
}
// tfjs filter [K..., I, O] → oneDNN logical {O, I, K...}
dims toOI(const dims& t) {
  size_t n = t.size();
  dims d{t[n - 1], t[n - 2]};
  for (size_t i = 0; i + 2 < n; i++) d.push_back(t[i]);
  return d;
}
tag actTag(size_t nd) { return nd == 2 ? tag::nhwc : tag::ndhwc; }
tag weiTag(size_t nd) { return nd == 2 ? tag::hwio : tag::dhwio; }
dims dnnlDil(const dims& d) {
  dims o(d.size());
  for (size_t i = 0; i < d.size(); i++) o[i] = d[i] - 1;
  return o;
}

// Mixed precision: bf16 sources, weights and incoming gradients, f32 outputs and accumulation (setPrecision).
bool gBf16 = false;

struct Geom {
  size_t nd;
  dims x, w, y, strides, dil, padL, padR;
  bool bias;
  bool bf16 = gBf16;
  dt lo() const { return bf16 ? dt::bf16 : dt::f32; }
  md xmd() const { return md(toNC(x), dt::f32, actTag(nd)); }
  md ymd() const { return md(toNC(y), dt::f32, actTag(nd)); }
  md xlo() const { return md(toNC(x), lo(), actTag(nd)); }  // the source as the primitive reads it
  md ylo() const { return md(toNC(y), lo(), actTag(nd)); }  // the incoming gradient as the primitive reads it
  md wuser() const { return md(toOI(w), dt::f32, weiTag(nd)); }
  md wany() const { return md(toOI(w), lo(), tag::any); }
  md wanyF32() const { return md(toOI(w), dt::f32, tag::any); }
  md bmd() const { return md({w.back()}, dt::f32, tag::a); }
  std::string k(const char* kind) const { return key(kind, {&x, &w, &y, &strides, &dil, &padL, &padR}, bias * 2 + bf16); }
  dnnl::convolution_forward::desc fwdDesc() const {
    if (bias) return dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, xlo(), wany(), bmd(), ymd(), strides, dnnlDil(dil), padL, padR);
    return dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, xlo(), wany(), ymd(), strides, dnnlDil(dil), padL, padR);
  }
};

// An f32 → bf16 conversion of a user buffer into a cached scratch memory.
struct Down {
  dnnl::memory buf;
  dnnl::reorder prim;
  Down() = default;
  explicit Down(const md& from, const md& to) : buf(to, engine()), prim(dnnl::memory(from, engine(), nullptr), buf) {}
  dnnl::memory run(dnnl::memory src) {
    prim.execute(stream(), src, buf);
    return buf;
  }
};

// Weights between the user's layout and the one a primitive chose: a no-op when they are the same; otherwise a
// cached buffer in the primitive's layout and the reorder into it (`toPrim`) or out of it (`fromPrim`).
struct Relayout {
  bool active = false;
  dnnl::memory buf;
  dnnl::reorder prim;
  Relayout() = default;
  Relayout(const md& user, const md& chosen, bool intoChosen) : active(chosen != user) {
    if (!active) return;
    buf = dnnl::memory(chosen, engine());
    prim = intoChosen ? dnnl::reorder(dnnl::memory(user, engine(), nullptr), buf) : dnnl::reorder(buf, dnnl::memory(user, engine(), nullptr));
  }
  // The memory the primitive reads: `user` itself, or `user` reordered into the buffer.
  dnnl::memory toPrim(dnnl::memory user) {
    if (!active) return user;
    prim.execute(stream(), user, buf);
    return buf;
  }
  // The memory the primitive writes: `user` itself, or the buffer (then `fromPrim(user)` copies it out).
  dnnl::memory target(dnnl::memory user) const { return active ? buf : user; }
  void fromPrim(dnnl::memory user) {
    if (active) prim.execute(stream(), buf, user);
  }
};

// info: x, xShape, w, wShape, [bias|null], y, yShape, strides, dilations, padL, padR
Geom geomFrom(const Napi::CallbackInfo& info, int xi, int wi, int yi, int si) {
  Geom g;
  g.x = ints(info[xi]);
  g.w = ints(info[wi]);
  g.y = ints(info[yi]);
  g.nd = g.x.size() - 2;
  g.strides = ints(info[si]);
  g.dil = ints(info[si + 1]);
  g.padL = ints(info[si + 2]);
  g.padR = ints(info[si + 3]);
  g.bias = false;
  return g;
}

struct BwdData {
  dnnl::convolution_backward_data::primitive_desc pd;
  dnnl::convolution_backward_data prim;
  Relayout w;
  Down dyDown;
};
Cache<BwdData> bwdDataCache;

// dx = backward-data of the convolution g (dy has g.y's shape, w g.w's, dx g.x's).
void runBackwardData(const Geom& g, float* dy, float* w, float* dx) {
  auto k = g.k("bwd_data");
  BwdData* c = bwdDataCache.get(k);
  if (!c) {
    auto hint = dnnl::convolution_forward::primitive_desc(g.fwdDesc(), engine());
    auto desc = dnnl::convolution_backward_data::desc(dnnl::algorithm::convolution_direct, g.xmd(), g.wany(), g.ylo(), g.strides, dnnlDil(g.dil), g.padL, g.padR);
    auto pd = dnnl::convolution_backward_data::primitive_desc(desc, engine(), hint);
    auto b = std::make_unique<BwdData>(BwdData{pd, dnnl::convolution_backward_data(pd), Relayout(g.wuser(), pd.weights_desc(), true), {}});
    if (g.bf16) b->dyDown = Down(g.ymd(), g.ylo());
    c = bwdDataCache.put(k, std::move(b));
  }
  dnnl::memory dym(g.ymd(), engine(), dy);
  if (g.bf16) dym = c->dyDown.run(dym);
  dnnl::memory wm = c->w.toPrim(dnnl::memory(g.wuser(), engine(), w));
  dnnl::memory dxm(g.xmd(), engine(), dx);
  c->prim.execute(stream(), {{DNNL_ARG_DIFF_DST, dym}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_DIFF_SRC, dxm}});
  stream().wait();
}

struct Fwd {
  dnnl::convolution_forward::primitive_desc pd;
  dnnl::convolution_forward prim;
  Relayout w;
  Down xDown;
};
Cache<Fwd> fwdCache;

// conv(x, xShape, w, wShape, bias|null, y, yShape, strides, dilations, padL, padR)
Napi::Value Conv(const Napi::CallbackInfo& info) {
  Geom g = geomFrom(info, 1, 3, 6, 7);
  float* bias = f32opt(info[4]);
  g.bias = bias != nullptr;
  auto k = g.k("fwd");
  Fwd* c = fwdCache.get(k);
  if (!c) {
    auto pd = dnnl::convolution_forward::primitive_desc(g.fwdDesc(), engine());
    auto f = std::make_unique<Fwd>(Fwd{pd, dnnl::convolution_forward(pd), Relayout(g.wuser(), pd.weights_desc(), true), {}});
    if (g.bf16) f->xDown = Down(g.xmd(), g.xlo());
    c = fwdCache.put(k, std::move(f));
  }
  dnnl::memory xm(g.xmd(), engine(), f32(info[0]));
  if (g.bf16) xm = c->xDown.run(xm);
  dnnl::memory wm = c->w.toPrim(dnnl::memory(g.wuser(), engine(), f32(info[2])));
  dnnl::memory ym(g.ymd(), engine(), f32(info[5]));
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, xm}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_DST, ym}};
  if (bias) args.insert({DNNL_ARG_BIAS, dnnl::memory(g.bmd(), engine(), bias)});
  c->prim.execute(stream(), args);
  stream().wait();
  return info.Env().Undefined();
}


// convBackwardData(dy, dyShape, w, wShape, dx, dxShape, strides, dilations, padL, padR)
Napi::Value ConvBackwardData(const Napi::CallbackInfo& info) {
  Geom g = geomFrom(info, 5, 3, 1, 6);
  runBackwardData(g, f32(info[0]), f32(info[2]), f32(info[4]));
  return info.Env().Undefined();
}

struct BwdWeights {
  dnnl::convolution_backward_weights::primitive_desc pd;
  dnnl::convolution_backward_weights prim;
  Relayout dw;
  Down xDown, dyDown;
};
Cache<BwdWeights> bwdWeightsCache;

// convBackwardWeights(x, xShape, dy, dyShape, dw, wShape, strides, dilations, padL, padR, dbias|null)
Napi::Value ConvBackwardWeights(const Napi::CallbackInfo& info) {
  Geom g = geomFrom(info, 1, 5, 3, 6);
  float* dbias = f32opt(info[10]);
  g.bias = dbias != nullptr;
  auto k = g.k("bwd_weights");
  BwdWeights* c = bwdWeightsCache.get(k);
  if (!c) {
    auto hint = dnnl::convolution_forward::primitive_desc(g.fwdDesc(), engine());
    auto desc = g.bias
        ? dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, g.xlo(), g.wanyF32(), g.bmd(), g.ylo(), g.strides, dnnlDil(g.dil), g.padL, g.padR)
        : dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, g.xlo(), g.wanyF32(), g.ylo(), g.strides, dnnlDil(g.dil), g.padL, g.padR);
    auto pd = dnnl::convolution_backward_weights::primitive_desc(desc, engine(), hint);
    auto b = std::make_unique<BwdWeights>(BwdWeights{pd, dnnl::convolution_backward_weights(pd), Relayout(g.wuser(), pd.diff_weights_desc(), false), {}, {}});
    if (g.bf16) {
      b->xDown = Down(g.xmd(), g.xlo());
      b->dyDown = Down(g.ymd(), g.ylo());
    }
    c = bwdWeightsCache.put(k, std::move(b));
  }
  dnnl::memory xm(g.xmd(), engine(), f32(info[0]));
  dnnl::memory dym(g.ymd(), engine(), f32(info[2]));
  if (g.bf16) {
    xm = c->xDown.run(xm);
    dym = c->dyDown.run(dym);
  }
  dnnl::memory dwm(g.wuser(), engine(), f32(info[4]));
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, xm}, {DNNL_ARG_DIFF_DST, dym}, {DNNL_ARG_DIFF_WEIGHTS, c->dw.target(dwm)}};
  if (dbias) args.insert({DNNL_ARG_DIFF_BIAS, dnnl::memory(g.bmd(), engine(), dbias)});
  c->prim.execute(stream(), args);
  c->dw.fromPrim(dwm);
  stream().wait();
  return info.Env().Undefined();
}

}  // namespace

// setPrecision('fp32' | 'bf16') → the precision now in force; bf16 needs a CPU with AVX512-BF16 (or AMX)
Napi::Value SetPrecision(const Napi::CallbackInfo& info) {
  std::string p = info[0].As<Napi::String>();
  auto isa = dnnl::get_effective_cpu_isa();
  bool bf16ok = isa == dnnl::cpu_isa::avx512_core_bf16 || isa == dnnl::cpu_isa::avx512_core_amx;
  gBf16 = p == "bf16" && bf16ok;
  return Napi::String::New(info.Env(), gBf16 ? "bf16" : "fp32");
}

void registerConv(Napi::Env env, Napi::Object exports) {
  exports.Set("setPrecision", Napi::Function::New(env, SetPrecision));
  exports.Set("conv", Napi::Function::New(env, Conv));
  exports.Set("convBackwardData", Napi::Function::New(env, ConvBackwardData));
  exports.Set("convBackwardWeights", Napi::Function::New(env, ConvBackwardWeights));
}

}  // namespace unet
