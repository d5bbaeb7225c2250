// omniprune native kernels: 2-D convolution forward (optional bias and ReLU) and both gradients on oneDNN.
#include "kernels.h"

namespace omniprune {

dnnl::engine& engine() {
  static dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  return eng;
}

dnnl::stream& stream() {
  static dnnl::stream s(engine());
  return s;
}

std::string Conv::key() const {
  std::string k;
  for (auto v : {n, ih, iw, ic, kh, kw, oc, oh, ow, sh, sw, dh, dw, pt, pl, pb, pr}) k += std::to_string(v) + ",";
  return k;
}

namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

memory::dims src(const Conv& c) { return {c.n, c.ic, c.ih, c.iw}; }
memory::dims wei(const Conv& c) { return {c.oc, c.ic, c.kh, c.kw}; }
memory::dims dst(const Conv& c) { return {c.n, c.oc, c.oh, c.ow}; }
memory::dims strides(const Conv& c) { return {c.sh, c.sw}; }
memory::dims dilates(const Conv& c) { return {c.dh - 1, c.dw - 1}; }
memory::dims padL(const Conv& c) { return {c.pt, c.pl}; }
memory::dims padR(const Conv& c) { return {c.pb, c.pr}; }

memory::desc nhwc(const memory::dims& d) { return memory::desc(d, dt::f32, tag::nhwc); }
memory::desc hwio(const memory::dims& d) { return memory::desc(d, dt::f32, tag::hwio); }
memory::desc any(const memory::dims& d) { return memory::desc(d, dt::f32, tag::any); }

// Forward: optional bias (one per output channel) and an optional ReLU fused as a post-op.
struct Epilogue {
  bool bias = false;
  bool relu = false;
  std::string key() const { return std::string(bias ? "b" : "-") + (relu ? "r" : "-"); }
};

dnnl::convolution_forward::primitive_desc forwardPd(const Conv& c, dnnl::prop_kind prop, Epilogue e = {}) {
  auto d = e.bias ? dnnl::convolution_forward::desc(prop, dnnl::algorithm::convolution_direct, nhwc(src(c)), any(wei(c)),
                                                    memory::desc({c.oc}, dt::f32, tag::x), nhwc(dst(c)), strides(c),
                                                    dilates(c), padL(c), padR(c))
                  : dnnl::convolution_forward::desc(prop, dnnl::algorithm::convolution_direct, nhwc(src(c)), any(wei(c)),
                                                    nhwc(dst(c)), strides(c), dilates(c), padL(c), padR(c));
  dnnl::primitive_attr attr;
  if (e.relu) {
    dnnl::post_ops ops;
    ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
    attr.set_post_ops(ops);
  }
  return dnnl::convolution_forward::primitive_desc(d, attr, engine());
}

// Primitives and their descriptors, built once per geometry.
struct Forward {
  dnnl::convolution_forward::primitive_desc pd;
  dnnl::convolution_forward prim;
  dnnl::reorder weights;  // hwio -> the primitive's layout (empty when equal)
};
struct BackwardData {
  dnnl::convolution_backward_data::primitive_desc pd;
  dnnl::convolution_backward_data prim;
  dnnl::reorder weights;
};
struct BackwardWeights {
  dnnl::convolution_backward_weights::primitive_desc pd;
  dnnl::convolution_backward_weights prim;
  dnnl::reorder weights;  // the primitive's layout -> hwio (empty when equal)
};

std::unordered_map<std::string, std::shared_ptr<Forward>> forwards;
std::unordered_map<std::string, std::shared_ptr<BackwardData>> backwardDatas;
std::unordered_map<std::string, std::shared_ptr<BackwardWeights>> backwardWeights;

dnnl::reorder reorderIfNeeded(const memory::desc& from, const memory::desc& to) {
  if (from == to) return dnnl::reorder();
  return dnnl::reorder(dnnl::reorder::primitive_desc(engine(), from, engine(), to));
}

std::shared_ptr<Forward> forwardFor(const Conv& c, Epilogue e) {
  return cached(forwards, c.key() + e.key(), [&] {
    auto pd = forwardPd(c, dnnl::prop_kind::forward_inference, e);
    return Forward{pd, dnnl::convolution_forward(pd), reorderIfNeeded(hwio(wei(c)), pd.weights_desc())};
  });
}

std::shared_ptr<BackwardData> backwardDataFor(const Conv& c) {
  return cached(backwardDatas, c.key(), [&] {
    auto d = dnnl::convolution_backward_data::desc(dnnl::algorithm::convolution_direct, nhwc(src(c)), any(wei(c)),
                                                   nhwc(dst(c)), strides(c), dilates(c), padL(c), padR(c));
    auto pd = dnnl::convolution_backward_data::primitive_desc(d, engine(), forwardPd(c, dnnl::prop_kind::forward_training));
    return BackwardData{pd, dnnl::convolution_backward_data(pd), reorderIfNeeded(hwio(wei(c)), pd.weights_desc())};
  });
}

std::shared_ptr<BackwardWeights> backwardWeightsFor(const Conv& c) {
  return cached(backwardWeights, c.key(), [&] {
    auto d = dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, nhwc(src(c)), any(wei(c)),
                                                      nhwc(dst(c)), strides(c), dilates(c), padL(c), padR(c));
    auto pd = dnnl::convolution_backward_weights::primitive_desc(d, engine(), forwardPd(c, dnnl::prop_kind::forward_training));
    return BackwardWeights{pd, dnnl::convolution_backward_weights(pd), reorderIfNeeded(pd.diff_weights_desc(), hwio(wei(c)))};
  });
}

// HWIO weights `w` in the layout a primitive wants (`to`): `w` itself, or a reordered copy.
memory packedWeights(const dnnl::reorder& reorder, const memory::desc& to, memory w) {
  if (!reorder) return w;
  memory packed(to, engine());
  reorder.execute(stream(), w, packed);
  return packed;
}

}  // namespace

void convolve(Direction dir, char* base, size_t a, size_t b, size_t out, const Conv& c, double bias, bool relu) {
  auto& s = stream();
  auto at = [&](const memory::desc& md, size_t offset) { return memory(md, engine(), base + offset); };
  if (dir == Direction::Forward) {
    Epilogue e;
    e.bias = bias >= 0;
    e.relu = relu;
    auto f = forwardFor(c, e);
    memory w = packedWeights(f->weights, f->pd.weights_desc(), at(hwio(wei(c)), b));
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, at(nhwc(src(c)), a)}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, at(nhwc(dst(c)), out)}};
    if (e.bias) args.emplace(DNNL_ARG_BIAS, at(memory::desc({c.oc}, dt::f32, tag::x), (size_t)bias));
    f->prim.execute(s, args);
  } else if (dir == Direction::BackwardData) {
    auto f = backwardDataFor(c);
    memory w = packedWeights(f->weights, f->pd.weights_desc(), at(hwio(wei(c)), b));
    f->prim.execute(s, {{DNNL_ARG_DIFF_DST, at(nhwc(dst(c)), a)}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DIFF_SRC, at(nhwc(src(c)), out)}});
  } else {
    auto f = backwardWeightsFor(c);
    memory dw = at(hwio(wei(c)), out);
    memory target = f->weights ? memory(f->pd.diff_weights_desc(), engine()) : dw;
    f->prim.execute(s, {{DNNL_ARG_SRC, at(nhwc(src(c)), a)}, {DNNL_ARG_DIFF_DST, at(nhwc(dst(c)), b)}, {DNNL_ARG_DIFF_WEIGHTS, target}});
    if (f->weights) f->weights.execute(s, target, dw);
  }
  s.wait();
}

}  // namespace omniprune
