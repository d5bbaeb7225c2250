// omniprune native kernels: elementwise ops. ReLU on oneDNN; the ReLU gradient, the same-shape add and the SGD
// update are plain OpenMP loops (memory-bound, no primitive to build or cache).
#include <cmath>

#include "kernels.h"

namespace omniprune {

namespace {

using dnnl::memory;

// Below this many floats a loop runs on one thread (starting the OpenMP team costs more than it saves).
constexpr long kParallelMin = 1 << 15;

std::unordered_map<std::string, std::shared_ptr<dnnl::eltwise_forward>> cache;

std::shared_ptr<dnnl::eltwise_forward> reluFor(long count) {
  return cached(cache, std::to_string(count), [&] {
    memory::desc md({count}, memory::data_type::f32, memory::format_tag::x);
    auto d = dnnl::eltwise_forward::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::eltwise_relu, md, 0.0f, 0.0f);
    return dnnl::eltwise_forward(dnnl::eltwise_forward::primitive_desc(d, engine()));
  });
}

float* floats(char* base, size_t offset) { return reinterpret_cast<float*>(base + offset); }

}  // namespace

void relu(char* base, size_t x, size_t y, long count) {
  memory::desc md({count}, memory::data_type::f32, memory::format_tag::x);
  reluFor(count)->execute(stream(), {{DNNL_ARG_SRC, memory(md, engine(), base + x)}, {DNNL_ARG_DST, memory(md, engine(), base + y)}});
  stream().wait();
}

void reluGrad(char* base, size_t dy, size_t x, size_t dx, long count) {
  const float* g = floats(base, dy);
  const float* in = floats(base, x);
  float* out = floats(base, dx);
  // tfjs-core's gradient is dy * step(x), and step(NaN) = NaN.
#pragma omp parallel for simd schedule(static) if (count >= kParallelMin)
  for (long i = 0; i < count; i++) {
    const float v = in[i];
    const float step = v > 0.0f ? 1.0f : 0.0f;
    out[i] = g[i] * (v != v ? v : step);  // selects, not branches: the loop vectorizes
  }
}

void add(char* base, size_t a, size_t b, size_t out, long count) {
  const float* l = floats(base, a);
  const float* r = floats(base, b);
  float* o = floats(base, out);
#pragma omp parallel for simd schedule(static) if (count >= kParallelMin)
  for (long i = 0; i < count; i++) o[i] = l[i] + r[i];
}

void sgdUpdate(char* base, const SgdArgs& a) {
  const float* p = floats(base, a.param);
  const float* g = floats(base, a.grad);
  const float* v = floats(base, a.velocity);
  float* pOut = floats(base, a.paramOut);
  float* vOut = floats(base, a.velocityOut);
  const float lr = a.learningRate, mu = a.momentum, wd = a.weightDecay;
  const bool decay = wd > 0.0f, nesterov = a.nesterov;
  // Each product and sum rounded to float32 in the order of the tfjs ops it replaces (no fused multiply-add).
#pragma omp parallel for simd schedule(static) if (a.count >= kParallelMin)
  for (long i = 0; i < a.count; i++) {
    float gi = g[i];
    if (decay) gi = gi + p[i] * wd;
    const float vi = v[i] * mu + gi;
    const float direction = nesterov ? gi + vi * mu : vi;
    vOut[i] = vi;
    pOut[i] = p[i] - direction * lr;
  }
}

}  // namespace omniprune
