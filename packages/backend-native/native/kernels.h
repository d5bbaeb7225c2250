// omniprune native kernels: oneDNN primitives reading and writing tensors in place in the caller's memory (the
// TF.js wasm heap), addressed by byte offsets from `base`. NHWC activations, HWIO filters.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "oneapi/dnnl/dnnl.hpp"

namespace omniprune {

dnnl::engine& engine();
dnnl::stream& stream();

// The value for `key` in `cache`, made by `make()` on first use (primitives are built once per geometry).
template <typename T, typename Make>
std::shared_ptr<T> cached(std::unordered_map<std::string, std::shared_ptr<T>>& cache, const std::string& key, Make make) {
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  auto& slot = cache[key];
  if (!slot) slot = std::make_shared<T>(make());
  return slot;
}

// Geometry of one 2-D convolution (see src/conv-kernels.ts, convDims).
struct Conv {
  dnnl::memory::dim n, ih, iw, ic, kh, kw, oc, oh, ow, sh, sw, dh, dw, pt, pl, pb, pr;
  std::string key() const;
};

enum class Direction { Forward, BackwardData, BackwardWeights };

// Forward: y = conv(a = x, b = w) [+ bias] [relu]; BackwardData: out = dx from a = dy, b = w;
// BackwardWeights: out = dw from a = x, b = dy. `bias` < 0: none.
void convolve(Direction dir, char* base, size_t a, size_t b, size_t out, const Conv& c, double bias, bool relu);

// Batch normalisation with batch statistics over `rows` positions of `channels` channels (channel innermost).
struct BatchNormArgs {
  long rows, channels;
  float epsilon;
  size_t x, gamma, beta, y, mean, variance;  // forward: in x, gamma, beta; out y, mean, variance (biased)
  size_t dy, dx, dgamma, dbeta;              // backward: in dy, x, gamma, mean, variance; out dx, dgamma, dbeta
};
void batchNormTrain(char* base, const BatchNormArgs& a);
void batchNormGrad(char* base, const BatchNormArgs& a);
// Inference with given statistics: in x, mean, variance, gamma, beta; out y.
void batchNormInfer(char* base, const BatchNormArgs& a);

// y = max(x, 0) over `count` floats.
void relu(char* base, size_t x, size_t y, long count);
// dx = dy * step(x) over `count` floats (tfjs-core's ReLU gradient: 1 where x > 0, NaN where x is NaN, else 0).
void reluGrad(char* base, size_t dy, size_t x, size_t dx, long count);
// out = a + b over `count` floats; `out` may be `a` or `b` (AddN accumulates in place).
void add(char* base, size_t a, size_t b, size_t out, long count);

// One SGD step over `count` floats, PyTorch semantics (dampening 0): g' = g + weightDecay * p (when > 0),
// velocityOut = momentum * velocity + g', paramOut = p - learningRate * (nesterov ? g' + momentum * velocityOut
// : velocityOut). The outputs may be the inputs (an update in place).
struct SgdArgs {
  long count;
  float learningRate, momentum, weightDecay;
  bool nesterov;
  size_t param, grad, velocity, paramOut, velocityOut;
};
void sgdUpdate(char* base, const SgdArgs& a);

}  // namespace omniprune
