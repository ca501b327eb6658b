// Convolutions on oneDNN: forward, backward-data and backward-weights, 2-D and 3-D, any stride, dilation and padding.
// Users' tensors are channels-last (nhwc / ndhwc) with tfjs's filter layout (hwio / dhwio). Inside, each pass runs on
// the activation layout the layout policy picks for it (ConvLayout below): the plain channels-last one, or the blocked
// one oneDNN prefers (nChw8c on AVX2, nChw16c on AVX-512), reached by reorders into shared scratch buffers (gSlots). A
// blocked copy of an input is kept while the same tensor (by serial) comes again, so the incoming gradient is
// reordered once for both backward passes. Primitives are cached by configuration; weights are reordered into the
// primitive's preferred layout when it differs from the user's.
#include "common.h"
#include <cstdlib>
#include <new>

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

// The activation layout policy (setConvLayout): 'auto' (default) picks per pass and shape where oneDNN's ISA has no
// AVX-512, and channels-last everywhere else; 'plain' and 'blocked' force one layout for every pass. The auto rules
// come from `bench/conv-layouts.ts` (every convolution of a training step replayed under both layouts, reorders
// included), AMD EPYC Zen 4 with oneDNN capped to AVX2, 2 threads, per pass plain → blocked:
//   2-D base 64, 256²:     forward 375 → 328 ms, backward-data 404 → 330, backward-weights 1142 → 415
//   2-D base 16, 4×128²:   forward 21.9 → 26.0,  backward-data 20.0 → 22.5, backward-weights 34.0 → 27.4
//   3-D base 16, 64³:      forward 145 → 154,    backward-data 117 → 126,  backward-weights 287 → 359
// Per call: blocked backward-weights wins wherever both channel counts fill a block of 8 (not the 1-channel input or
// output convolutions, 0.29 → 1.68 ms); blocked backward-data and forward win from 64 channels in and out (e.g.
// forward 64→64 at 256²: 34.8 → 25.3 ms) and lose below (16→16 at 128²: 1.9 → 2.4 ms); 3-D convolutions lose in
// every pass. With AVX-512 oneDNN's channels-last kernels are as fast as its blocked ones (2-D base 64, per pass
// 128/155/160 ms plain, 138/141/147 blocked), and the reorders are saved.
enum class Pass { fwd, bwdData, bwdWeights };
int gLayoutMode = 0;  // 0 auto, 1 plain, 2 blocked
bool hasAvx512() {
  auto isa = dnnl::get_effective_cpu_isa();
  return isa == dnnl::cpu_isa::avx512_core || isa == dnnl::cpu_isa::avx512_core_vnni || isa == dnnl::cpu_isa::avx512_core_bf16 ||
         isa == dnnl::cpu_isa::avx512_core_amx || isa == dnnl::cpu_isa::avx512_mic || isa == dnnl::cpu_isa::avx512_mic_4ops;
}
// Whether a pass of a convolution with cin input and cout output channels runs on blocked activations.
bool blockedFor(Pass p, size_t nd, int64_t cin, int64_t cout) {
  if (gLayoutMode == 1) return false;
  if (gLayoutMode == 2) return true;
  static const bool avx512 = hasAvx512();
  if (avx512 || nd != 2) return false;
  if (p == Pass::bwdWeights) return cin >= 8 && cout >= 8;
  return cin >= 64 && cout >= 64;
}

// A key for a memory descriptor's full layout (dims, data type, strides and inner blocks).
std::string mdKey(const md& m) {
  const dnnl_memory_desc_t& d = m.data;
  std::string k = std::to_string(d.ndims) + ":" + std::to_string(static_cast<int>(d.data_type)) + ":" + std::to_string(d.format_kind);
  for (int i = 0; i < d.ndims; i++) { k += ','; k += std::to_string(d.padded_dims[i]); }
  const auto& b = d.format_desc.blocking;
  if (d.format_kind == dnnl_blocked) {
    for (int i = 0; i < d.ndims; i++) { k += '/'; k += std::to_string(b.strides[i]); }
    for (int i = 0; i < b.inner_nblks; i++) { k += '^'; k += std::to_string(b.inner_blks[i]); k += '@'; k += std::to_string(b.inner_idxs[i]); }
  }
  return k;
}

// Scratch memory shared by every convolution, one growable buffer per slot: the weights in a primitive's layout, the
// diff-weights it writes, staged (reordered) inputs and outputs in a blocked layout. Their contents live for one call,
// except a staged input, which is kept until its slot is next used: a slot remembers which tensor (serial, array and
// layout) it holds, so the incoming gradient staged by backward-data serves backward-weights too. One buffer per slot
// instead of one per primitive keeps the memory to the largest tensor of each kind (measured under the AVX2 cap: a
// training step of the 2-D U-Net at 256², base 64, peaked at 1310 MB with per-primitive buffers, 1069 MB with slots).
enum Slot { kWeights, kDiffWeights, kSrc, kDiffDst, kOut, kSlots };
struct ScratchSlot {
  void* p = nullptr;
  size_t bytes = 0;
  uint64_t serial = 0;  // the staged tensor it holds (0: none)
  const float* src = nullptr;
  std::string layout;
};
ScratchSlot gSlots[kSlots];

// The slot's buffer as memory of `desc`, grown when too small (which forgets what it held).
dnnl::memory slotMemory(Slot s, const md& desc) {
  ScratchSlot& sl = gSlots[s];
  size_t need = desc.get_size();
  if (need > sl.bytes) {
    std::free(sl.p);
    sl.bytes = (need + 4095) / 4096 * 4096;
    sl.p = std::aligned_alloc(4096, sl.bytes);
    if (!sl.p) throw std::bad_alloc();
    sl.serial = 0;
  }
  return dnnl::memory(desc, engine(), sl.p);
}

// Reorders between two layouts, cached by both.
Cache<dnnl::reorder> reorderCache;
void reorder(dnnl::memory& from, dnnl::memory& to) {
  std::string k = mdKey(from.get_desc()) + ">" + mdKey(to.get_desc());
  dnnl::reorder* r = reorderCache.get(k);
  if (!r) r = reorderCache.put(k, std::make_unique<dnnl::reorder>(from, to));
  r->execute(stream(), from, to);
}

// A user's tensor (in `user` layout) as a primitive reads it (`want`: another layout and/or bf16): the user's memory
// itself when they agree, else the slot's buffer, refilled unless it already holds this tensor (same serial, array and
// layout; serial 0 means unknown and always refills).
dnnl::memory stage(Slot s, const md& user, const md& want, float* data, uint64_t serial) {
  dnnl::memory u(user, engine(), data);
  if (want == user) return u;
  dnnl::memory m = slotMemory(s, want);
  ScratchSlot& sl = gSlots[s];
  std::string layout = mdKey(want);
  if (serial == 0 || sl.serial != serial || sl.src != data || sl.layout != layout) {
    reorder(u, m);
    sl.serial = serial;
    sl.src = data;
    sl.layout = layout;
  }
  return m;
}

// An output the primitive writes in `chosen` layout while the user's buffer is in `user` layout: the user's memory
// itself when they agree, else the slot's buffer, which `finish` reorders into the user's.
struct Out {
  dnnl::memory user, buf;
  Out(Slot s, const md& userDesc, const md& chosen, float* data) : user(userDesc, engine(), data) {
    buf = chosen == userDesc ? user : slotMemory(s, chosen);
  }
  void finish() {
    if (buf.get() != user.get()) reorder(buf, user);
  }
};

struct Geom {
  size_t nd;
  dims x, w, y, strides, dil, padL, padR;
  bool bias;
  bool bf16 = gBf16;
  bool blk = false;  // this pass runs on blocked activations (blockedFor)
  dt lo() const { return bf16 ? dt::bf16 : dt::f32; }
  md xmd() const { return md(toNC(x), dt::f32, actTag(nd)); }  // the user's source / diff_src
  md ymd() const { return md(toNC(y), dt::f32, actTag(nd)); }  // the user's destination / diff_dst
  md act(const dims& d, dt t) const { return blk ? md(toNC(d), t, tag::any) : md(toNC(d), t, actTag(nd)); }
  md xin() const { return act(x, lo()); }       // the source as the primitive reads it
  md yin() const { return act(y, lo()); }       // the incoming gradient as the primitive reads it
  md xout() const { return act(x, dt::f32); }   // diff_src as the primitive writes it
  md yout() const { return act(y, dt::f32); }   // the destination as the primitive writes it
  md wuser() const { return md(toOI(w), dt::f32, weiTag(nd)); }
  md wany() const { return md(toOI(w), lo(), tag::any); }
  md wanyF32() const { return md(toOI(w), dt::f32, tag::any); }
  md bmd() const { return md({w.back()}, dt::f32, tag::a); }
  std::string k(const char* kind) const { return key(kind, {&x, &w, &y, &strides, &dil, &padL, &padR}, bias * 4 + bf16 * 2 + blk); }
  dnnl::convolution_forward::desc fwdDesc() const {
    if (bias) return dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, xin(), wany(), bmd(), yout(), strides, dnnlDil(dil), padL, padR);
    return dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, xin(), wany(), yout(), strides, dnnlDil(dil), padL, padR);
  }
};

// info: x, xShape, w, wShape, [bias|null], y, yShape, strides, dilations, padL, padR
Geom geomFrom(const Napi::CallbackInfo& info, int xi, int wi, int yi, int si, Pass pass) {
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
  g.blk = blockedFor(pass, g.nd, g.w[g.w.size() - 2], g.w.back());
  return g;
}
// An optional serial number argument (a tensor's identity for the staged copies; 0 when absent).
uint64_t serialArg(const Napi::CallbackInfo& info, size_t i) {
  return info.Length() > i && info[i].IsNumber() ? static_cast<uint64_t>(info[i].As<Napi::Number>().Int64Value()) : 0;
}

struct BwdData {
  dnnl::convolution_backward_data::primitive_desc pd;
  dnnl::convolution_backward_data prim;
};
Cache<BwdData> bwdDataCache;

// dx = backward-data of the convolution g (dy has g.y's shape, w g.w's, dx g.x's).
void runBackwardData(const Geom& g, float* dy, uint64_t dySerial, float* w, float* dx) {
  auto k = g.k("bwd_data");
  BwdData* c = bwdDataCache.get(k);
  if (!c) {
    auto hint = dnnl::convolution_forward::primitive_desc(g.fwdDesc(), engine());
    auto desc = dnnl::convolution_backward_data::desc(dnnl::algorithm::convolution_direct, g.xout(), g.wany(), g.yin(), g.strides, dnnlDil(g.dil), g.padL, g.padR);
    auto pd = dnnl::convolution_backward_data::primitive_desc(desc, engine(), hint);
    c = bwdDataCache.put(k, std::make_unique<BwdData>(BwdData{pd, dnnl::convolution_backward_data(pd)}));
  }
  dnnl::memory dym = stage(kDiffDst, g.ymd(), c->pd.diff_dst_desc(), dy, dySerial);
  dnnl::memory wm = stage(kWeights, g.wuser(), c->pd.weights_desc(), w, 0);
  Out dxo(kOut, g.xmd(), c->pd.diff_src_desc(), dx);
  c->prim.execute(stream(), {{DNNL_ARG_DIFF_DST, dym}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_DIFF_SRC, dxo.buf}});
  dxo.finish();
  stream().wait();
}

struct Fwd {
  dnnl::convolution_forward::primitive_desc pd;
  dnnl::convolution_forward prim;
};
Cache<Fwd> fwdCache;

// conv(x, xShape, w, wShape, bias|null, y, yShape, strides, dilations, padL, padR, xSerial?)
Napi::Value Conv(const Napi::CallbackInfo& info) {
  Geom g = geomFrom(info, 1, 3, 6, 7, Pass::fwd);
  float* bias = f32opt(info[4]);
  g.bias = bias != nullptr;
  auto k = g.k("fwd");
  Fwd* c = fwdCache.get(k);
  if (!c) {
    auto pd = dnnl::convolution_forward::primitive_desc(g.fwdDesc(), engine());
    c = fwdCache.put(k, std::make_unique<Fwd>(Fwd{pd, dnnl::convolution_forward(pd)}));
  }
  dnnl::memory xm = stage(kSrc, g.xmd(), c->pd.src_desc(), f32(info[0]), serialArg(info, 11));
  dnnl::memory wm = stage(kWeights, g.wuser(), c->pd.weights_desc(), f32(info[2]), 0);
  Out yo(kOut, g.ymd(), c->pd.dst_desc(), f32(info[5]));
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, xm}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_DST, yo.buf}};
  if (bias) args.insert({DNNL_ARG_BIAS, dnnl::memory(g.bmd(), engine(), bias)});
  c->prim.execute(stream(), args);
  yo.finish();
  stream().wait();
  return info.Env().Undefined();
}

// convBackwardData(dy, dyShape, w, wShape, dx, dxShape, strides, dilations, padL, padR, dySerial?)
Napi::Value ConvBackwardData(const Napi::CallbackInfo& info) {
  Geom g = geomFrom(info, 5, 3, 1, 6, Pass::bwdData);
  runBackwardData(g, f32(info[0]), serialArg(info, 10), f32(info[2]), f32(info[4]));
  return info.Env().Undefined();
}

struct BwdWeights {
  dnnl::convolution_backward_weights::primitive_desc pd;
  dnnl::convolution_backward_weights prim;
};
Cache<BwdWeights> bwdWeightsCache;

// convBackwardWeights(x, xShape, dy, dyShape, dw, wShape, strides, dilations, padL, padR, dbias|null, xSerial?, dySerial?)
Napi::Value ConvBackwardWeights(const Napi::CallbackInfo& info) {
  Geom g = geomFrom(info, 1, 5, 3, 6, Pass::bwdWeights);
  float* dbias = f32opt(info[10]);
  g.bias = dbias != nullptr;
  auto k = g.k("bwd_weights");
  BwdWeights* c = bwdWeightsCache.get(k);
  if (!c) {
    auto hint = dnnl::convolution_forward::primitive_desc(g.fwdDesc(), engine());
    auto desc = g.bias
        ? dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, g.xin(), g.wanyF32(), g.bmd(), g.yin(), g.strides, dnnlDil(g.dil), g.padL, g.padR)
        : dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, g.xin(), g.wanyF32(), g.yin(), g.strides, dnnlDil(g.dil), g.padL, g.padR);
    auto pd = dnnl::convolution_backward_weights::primitive_desc(desc, engine(), hint);
    c = bwdWeightsCache.put(k, std::make_unique<BwdWeights>(BwdWeights{pd, dnnl::convolution_backward_weights(pd)}));
  }
  dnnl::memory xm = stage(kSrc, g.xmd(), c->pd.src_desc(), f32(info[0]), serialArg(info, 11));
  dnnl::memory dym = stage(kDiffDst, g.ymd(), c->pd.diff_dst_desc(), f32(info[2]), serialArg(info, 12));
  Out dwo(kDiffWeights, g.wuser(), c->pd.diff_weights_desc(), f32(info[4]));
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, xm}, {DNNL_ARG_DIFF_DST, dym}, {DNNL_ARG_DIFF_WEIGHTS, dwo.buf}};
  if (dbias) args.insert({DNNL_ARG_DIFF_BIAS, dnnl::memory(g.bmd(), engine(), dbias)});
  c->prim.execute(stream(), args);
  dwo.finish();
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

// setConvLayout('auto' | 'plain' | 'blocked') → the mode in force; convLayout() → the policy and what it picks on
// this CPU, in words.
Napi::Value SetConvLayout(const Napi::CallbackInfo& info) {
  std::string m = info[0].As<Napi::String>();
  gLayoutMode = m == "plain" ? 1 : m == "blocked" ? 2 : 0;
  return Napi::String::New(info.Env(), gLayoutMode == 1 ? "plain" : gLayoutMode == 2 ? "blocked" : "auto");
}
Napi::Value ConvLayout(const Napi::CallbackInfo& info) {
  std::string d = gLayoutMode == 1 ? "plain: channels-last in every pass"
                : gLayoutMode == 2 ? "blocked: oneDNN's blocked layouts in every pass"
                : blockedFor(Pass::bwdWeights, 2, 64, 64) ? "auto: blocked for 2-D backward-weights (8+ channels) and 2-D forward and backward-data (64+ channels), else channels-last (no AVX-512)"
                                                          : "auto: channels-last in every pass (AVX-512)";
  return Napi::String::New(info.Env(), d);
}

void registerConv(Napi::Env env, Napi::Object exports) {
  exports.Set("setConvLayout", Napi::Function::New(env, SetConvLayout));
  exports.Set("convLayout", Napi::Function::New(env, ConvLayout));
  exports.Set("setPrecision", Napi::Function::New(env, SetPrecision));
  exports.Set("conv", Napi::Function::New(env, Conv));
  exports.Set("convBackwardData", Napi::Function::New(env, ConvBackwardData));
  exports.Set("convBackwardWeights", Napi::Function::New(env, ConvBackwardWeights));
}

}  // namespace unet
