// N-API bindings of the omniprune native kernels. Every function takes the heap (a Uint8Array over the TF.js wasm
// memory) and byte offsets into it, and runs synchronously; errors are thrown as JS errors with code E_NATIVE.
#include <node_api.h>
#include <omp.h>

#include <initializer_list>
#include <string>

#include "kernels.h"

namespace {

using omniprune::Direction;

napi_value fail(napi_env env, const std::string& message) {
  napi_throw_error(env, "E_NATIVE", message.c_str());
  return nullptr;
}

// Reads arguments in order; the first failure is remembered and reported once.
struct Args {
  napi_env env;
  napi_value values[12];
  size_t count = 12;
  std::string error;
  char* heap = nullptr;
  size_t heapLength = 0;

  Args(napi_env e, napi_callback_info info) : env(e) { napi_get_cb_info(env, info, &count, values, nullptr, nullptr); }

  void need(size_t n, const char* signature) {
    if (error.empty() && count < n) error = std::string("expected ") + signature;
  }
  void readHeap() {
    napi_typedarray_type type;
    void* data;
    napi_value buffer;
    size_t byteOffset;
    if (!error.empty()) return;
    if (napi_get_typedarray_info(env, values[0], &type, &heapLength, &data, &buffer, &byteOffset) != napi_ok || type != napi_uint8_array) {
      error = "heap must be a Uint8Array";
      return;
    }
    heap = static_cast<char*>(data);
  }
  size_t offset(size_t i) {
    double v = -1;
    if (error.empty() && (napi_get_value_double(env, values[i], &v) != napi_ok || v < 0 || v >= (double)heapLength)) {
      error = "argument " + std::to_string(i) + " must be a byte offset inside the heap";
    }
    return (size_t)v;
  }
  double number(size_t i) {
    double v = 0;
    if (error.empty() && napi_get_value_double(env, values[i], &v) != napi_ok) error = "argument " + std::to_string(i) + " must be a number";
    return v;
  }
  const int32_t* ints(size_t i, size_t expected) {
    napi_typedarray_type type;
    size_t length;
    void* data;
    napi_value buffer;
    size_t byteOffset;
    if (!error.empty()) return nullptr;
    if (napi_get_typedarray_info(env, values[i], &type, &length, &data, &buffer, &byteOffset) != napi_ok || type != napi_int32_array || length != expected) {
      error = "argument " + std::to_string(i) + " must be an Int32Array of " + std::to_string(expected);
      return nullptr;
    }
    return static_cast<const int32_t*>(data);
  }
};

template <typename F>
napi_value guarded(napi_env env, F f) {
  try {
    f();
  } catch (const dnnl::error& e) {
    return fail(env, std::string("oneDNN: ") + e.what());
  } catch (const std::exception& e) {
    return fail(env, e.what());
  }
  return nullptr;
}

// (heap, a, b, out, dims: Int32Array[17], [bias offset | -1, relu])
napi_value Convolve(napi_env env, napi_callback_info info, Direction dir) {
  Args args(env, info);
  args.need(5, "(heap, a, b, out, dims[, bias, relu])");
  args.readHeap();
  size_t a = args.offset(1), b = args.offset(2), out = args.offset(3);
  const int32_t* d = args.ints(4, 17);
  double bias = args.count > 5 ? args.number(5) : -1;
  bool relu = false;
  if (args.count > 6 && args.error.empty() && napi_get_value_bool(env, args.values[6], &relu) != napi_ok) args.error = "relu must be a boolean";
  if (args.error.empty() && bias >= (double)args.heapLength) args.error = "bias must be a byte offset inside the heap or -1";
  if (!args.error.empty()) return fail(env, args.error);
  omniprune::Conv c{d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13], d[14], d[15], d[16]};
  return guarded(env, [&] { omniprune::convolve(dir, args.heap, a, b, out, c, bias, relu); });
}

napi_value Conv2D(napi_env env, napi_callback_info info) { return Convolve(env, info, Direction::Forward); }
napi_value Conv2DBackpropInput(napi_env env, napi_callback_info info) { return Convolve(env, info, Direction::BackwardData); }
napi_value Conv2DBackpropFilter(napi_env env, napi_callback_info info) { return Convolve(env, info, Direction::BackwardWeights); }

using Offset = size_t omniprune::BatchNormArgs::*;
using A = omniprune::BatchNormArgs;

// (heap, [rows, channels], epsilon, offsets...): the byte offsets fill `fields` of BatchNormArgs, in order.
napi_value BatchNorm(napi_env env, napi_callback_info info, const char* signature, std::initializer_list<Offset> fields,
                     void (*kernel)(char*, const omniprune::BatchNormArgs&)) {
  Args args(env, info);
  args.need(3 + fields.size(), signature);
  args.readHeap();
  const int32_t* shape = args.ints(1, 2);
  double epsilon = args.number(2);
  omniprune::BatchNormArgs a{};
  size_t i = 3;
  for (Offset field : fields) a.*field = args.offset(i++);
  if (!args.error.empty()) return fail(env, args.error);
  a.rows = shape[0], a.channels = shape[1], a.epsilon = (float)epsilon;
  return guarded(env, [&] { kernel(args.heap, a); });
}

napi_value BatchNormTrain(napi_env env, napi_callback_info info) {
  return BatchNorm(env, info, "(heap, [rows, channels], epsilon, x, gamma, beta, y, mean, variance)",
                   {&A::x, &A::gamma, &A::beta, &A::y, &A::mean, &A::variance}, omniprune::batchNormTrain);
}

napi_value BatchNormGrad(napi_env env, napi_callback_info info) {
  return BatchNorm(env, info, "(heap, [rows, channels], epsilon, dy, x, gamma, mean, variance, dx, dgamma, dbeta)",
                   {&A::dy, &A::x, &A::gamma, &A::mean, &A::variance, &A::dx, &A::dgamma, &A::dbeta}, omniprune::batchNormGrad);
}

napi_value BatchNormInfer(napi_env env, napi_callback_info info) {
  return BatchNorm(env, info, "(heap, [rows, channels], epsilon, x, mean, variance, gamma, beta, y)",
                   {&A::x, &A::mean, &A::variance, &A::gamma, &A::beta, &A::y}, omniprune::batchNormInfer);
}

// (heap, offsets..., count): `N` byte offsets of float32 arrays of `count` floats, each inside the heap.
template <size_t N, typename Kernel>
napi_value Elementwise(napi_env env, napi_callback_info info, const char* signature, Kernel kernel) {
  Args args(env, info);
  args.need(N + 2, signature);
  args.readHeap();
  size_t at[N];
  for (size_t i = 0; i < N; i++) at[i] = args.offset(i + 1);
  double count = args.number(N + 1);
  if (args.error.empty() && (count < 1 || count != (double)(long)count)) args.error = "count must be a positive integer";
  for (size_t i = 0; i < N && args.error.empty(); i++) {
    if (at[i] + 4 * count > (double)args.heapLength) args.error = "count runs past the heap";
  }
  if (!args.error.empty()) return fail(env, args.error);
  return guarded(env, [&] { kernel(args.heap, at, (long)count); });
}

// relu(heap, x, y, count)
napi_value Relu(napi_env env, napi_callback_info info) {
  return Elementwise<2>(env, info, "(heap, x, y, count)", [](char* heap, const size_t* at, long n) { omniprune::relu(heap, at[0], at[1], n); });
}

// reluGrad(heap, dy, x, dx, count)
napi_value ReluGrad(napi_env env, napi_callback_info info) {
  return Elementwise<3>(env, info, "(heap, dy, x, dx, count)", [](char* heap, const size_t* at, long n) { omniprune::reluGrad(heap, at[0], at[1], at[2], n); });
}

// add(heap, a, b, out, count)
napi_value Add(napi_env env, napi_callback_info info) {
  return Elementwise<3>(env, info, "(heap, a, b, out, count)", [](char* heap, const size_t* at, long n) { omniprune::add(heap, at[0], at[1], at[2], n); });
}

// sgdUpdate(heap, param, grad, velocity, paramOut, velocityOut, count, learningRate, momentum, weightDecay, nesterov)
napi_value SgdUpdate(napi_env env, napi_callback_info info) {
  Args args(env, info);
  args.need(11, "(heap, param, grad, velocity, paramOut, velocityOut, count, learningRate, momentum, weightDecay, nesterov)");
  args.readHeap();
  omniprune::SgdArgs a{};
  size_t* offsets[] = {&a.param, &a.grad, &a.velocity, &a.paramOut, &a.velocityOut};
  for (size_t i = 0; i < 5; i++) *offsets[i] = args.offset(i + 1);
  double count = args.number(6);
  a.learningRate = (float)args.number(7), a.momentum = (float)args.number(8), a.weightDecay = (float)args.number(9);
  if (args.error.empty() && napi_get_value_bool(env, args.values[10], &a.nesterov) != napi_ok) args.error = "nesterov must be a boolean";
  if (args.error.empty() && (count < 1 || count != (double)(long)count)) args.error = "count must be a positive integer";
  for (size_t i = 0; i < 5 && args.error.empty(); i++) {
    if (*offsets[i] + 4 * count > (double)args.heapLength) args.error = "count runs past the heap";
  }
  if (!args.error.empty()) return fail(env, args.error);
  a.count = (long)count;
  return guarded(env, [&] { omniprune::sgdUpdate(args.heap, a); });
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  Args args(env, info);
  int32_t n = 0;
  if (args.count != 1 || napi_get_value_int32(env, args.values[0], &n) != napi_ok || n < 1) return fail(env, "threads must be a positive integer");
  omp_set_num_threads(n);
  return nullptr;
}

napi_value Info(napi_env env, napi_callback_info) {
  const dnnl_version_t* v = dnnl_version();
  std::string s = "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch) + ", " +
                  std::to_string(omp_get_max_threads()) + (omp_get_max_threads() == 1 ? " thread" : " threads");
  napi_value out;
  napi_create_string_utf8(env, s.c_str(), s.size(), &out);
  return out;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"conv2d", nullptr, Conv2D, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropInput", nullptr, Conv2DBackpropInput, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropFilter", nullptr, Conv2DBackpropFilter, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormTrain", nullptr, BatchNormTrain, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormGrad", nullptr, BatchNormGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormInfer", nullptr, BatchNormInfer, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"relu", nullptr, Relu, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reluGrad", nullptr, ReluGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"add", nullptr, Add, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sgdUpdate", nullptr, SgdUpdate, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
