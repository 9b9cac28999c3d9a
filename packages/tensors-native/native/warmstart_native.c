// N-API addon behind @warmstart/tensors-native: tfjs cpu-backend kernels whose inner loops run here, on the
// JS typed arrays the cpu backend already stores (no copies in or out). Matrix products go to OpenBLAS's
// threaded sgemm, or, in a build without OpenBLAS (WARMSTART_BLAS_OPENBLAS undefined), to the bundled one in
// gemm.c; the row-wise and elementwise kernels are plain loops split over a few threads.
// clock_gettime and the other POSIX calls under -std=c11.
#define _POSIX_C_SOURCE 200809L
#define NAPI_VERSION 8
#include <node_api.h>
#ifdef WARMSTART_BLAS_OPENBLAS
#include <cblas.h>
#else
#include "gemm.h"
#endif
#include "skinny.h"
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef WARMSTART_BLAS_OPENBLAS
// OpenBLAS extensions (declared by its cblas.h on Debian, repeated so another cblas.h still compiles).
extern void openblas_set_num_threads(int);
extern int openblas_get_num_threads(void);
extern char *openblas_get_corename(void);
extern char *openblas_get_config(void);
#endif

// Hot loops are compiled for AVX-512, AVX2 and baseline x86-64, and the loader picks one per machine (ifunc):
// the addon stays safe to copy between machines, unlike a -march=native build, which dies with SIGILL on an
// older CPU instead of falling back.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define HOT_LOOP __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define HOT_LOOP
#endif

enum { ACT_LINEAR = 0, ACT_RELU = 1, ACT_RELU6 = 2, ACT_LEAKYRELU = 3, ACT_ELU = 4, ACT_SIGMOID = 5 };

static int g_threads = 1;
// Threads OpenBLAS is set to now: every product picks 1 or g_threads by size (see gemm_threads_for).
static int g_blas_threads = 1;

#define CHECK(call)                                                   \
  do {                                                                \
    if ((call) != napi_ok) {                                          \
      napi_throw_error(env, "WARMSTART_NATIVE", "N-API call failed: " #call); \
      return NULL;                                                    \
    }                                                                 \
  } while (0)

static int get_typed(napi_env env, napi_value v, napi_typedarray_type want, const char *what, void **data, size_t *length) {
  napi_typedarray_type type;
  if (napi_get_typedarray_info(env, v, &type, length, data, NULL, NULL) != napi_ok || type != want) {
    napi_throw_type_error(env, "WARMSTART_NATIVE", what);
    return 0;
  }
  return 1;
}

static int get_f32(napi_env env, napi_value v, float **data, size_t *length) {
  return get_typed(env, v, napi_float32_array, "expected a Float32Array", (void **)data, length);
}

static int get_i32(napi_env env, napi_value v, int32_t **data, size_t *length) {
  return get_typed(env, v, napi_int32_array, "expected an Int32Array", (void **)data, length);
}

static int get_int(napi_env env, napi_value v, int64_t *out) {
  if (napi_get_value_int64(env, v, out) != napi_ok) {
    napi_throw_type_error(env, "WARMSTART_NATIVE", "expected an integer");
    return 0;
  }
  return 1;
}

static int get_double(napi_env env, napi_value v, double *out) {
  if (napi_get_value_double(env, v, out) != napi_ok) {
    napi_throw_type_error(env, "WARMSTART_NATIVE", "expected a number");
    return 0;
  }
  return 1;
}

// ---- a minimal fork-join over rows: elementwise kernels are memory-bound, so two cores nearly halve them ----

typedef void (*range_fn)(void *ctx, size_t begin, size_t end);

// Elements (or row elements) a second thread must get before splitting pays: handing a range to a pool thread that
// is spinning costs about a microsecond, but one that has gone to sleep takes a futex wake-up (~90 µs measured in
// these VMs), about what a memory-bound pass over 2^16-2^18 floats takes; and on a 2-core machine the second core is
// also wanted by V8's garbage collector. Measured on tiny-model training (2^14 before): 1.2x faster.
#define PER_THREAD_ELEMENTS ((size_t)1 << 18)

// ---- the thread pool ----
//
// parallel_for used to start and join threads on every call: 190 µs per call measured in these VMs, more than a
// decoding step's dense layer takes on one core, so those ran on one thread and left half the memory bandwidth
// unused. Pool threads are started once and, after each range, wait for the next one (a decoding step issues its
// kernels tens to hundreds of microseconds apart) by spinning for POOL_SPIN_NS, then yielding the core to other
// runnable threads (OpenBLAS's, V8's) until POOL_YIELD_NS, and only then sleep on a condition variable: waking a
// sleeping thread takes ~90 µs here, as long as the product it would share.
// One caller at a time: a second concurrent caller (another JS thread) runs its range serially instead of waiting.
#define POOL_MAX_THREADS 16
#define POOL_SPIN_NS 50000ull
#define POOL_YIELD_NS 2000000ull

static struct {
  pthread_mutex_t busy;  // held by the caller whose job the pool runs
  pthread_mutex_t sleep_lock;
  pthread_cond_t wake;
  atomic_uint generation;  // bumped once per job; a worker runs each generation it sees once
  atomic_uint remaining;   // workers that have not finished the current job
  atomic_int sleepers;     // workers waiting on `wake`
  size_t workers;          // pool threads started (thread 0 is the caller)
  // The current job, written before `generation` is bumped.
  range_fn fn;
  void *ctx;
  size_t n, chunk;
} g_pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0, NULL, NULL, 0, 0};

static inline uint64_t monotonic_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

// Waits for a generation other than `seen`: spins, then yields, then sleeps.
static unsigned pool_wait(unsigned seen) {
  uint64_t start = monotonic_ns();
  for (unsigned spins = 0;; spins++) {
    unsigned g = atomic_load(&g_pool.generation);
    if (g != seen) return g;
    cpu_relax();
    if ((spins & 255) == 255 && monotonic_ns() - start > POOL_SPIN_NS) break;
  }
  for (;;) {
    unsigned g = atomic_load(&g_pool.generation);
    if (g != seen) return g;
    if (monotonic_ns() - start > POOL_YIELD_NS) break;
    sched_yield();
  }
  pthread_mutex_lock(&g_pool.sleep_lock);
  atomic_fetch_add(&g_pool.sleepers, 1);
  unsigned g;
  // seq_cst on both sides: either the caller sees this sleeper and signals, or this check sees the new generation.
  while ((g = atomic_load(&g_pool.generation)) == seen) pthread_cond_wait(&g_pool.wake, &g_pool.sleep_lock);
  atomic_fetch_sub(&g_pool.sleepers, 1);
  pthread_mutex_unlock(&g_pool.sleep_lock);
  return g;
}

// What a pool thread starts from: its chunk index and the generation before its first job. The generation is read
// when the thread is created, not when it first runs: the caller bumps it right after, possibly before then.
typedef struct {
  size_t index;  // 1..workers
  unsigned seen;
} pool_start;
static pool_start g_pool_starts[POOL_MAX_THREADS];

static void *pool_worker(void *arg) {
  const size_t index = ((pool_start *)arg)->index;
  unsigned seen = ((pool_start *)arg)->seen;
  for (;;) {
    seen = pool_wait(seen);
    size_t begin = index * g_pool.chunk, end = begin + g_pool.chunk > g_pool.n ? g_pool.n : begin + g_pool.chunk;
    if (begin < end) g_pool.fn(g_pool.ctx, begin, end);
    atomic_fetch_sub(&g_pool.remaining, 1);
  }
  return NULL;
}

// Starts pool threads up to `count`; returns how many there are (fewer when the system refuses threads).
static size_t pool_grow(size_t count) {
  while (g_pool.workers < count) {
    pthread_t id;
    pool_start *start = &g_pool_starts[g_pool.workers];
    *start = (pool_start){g_pool.workers + 1, atomic_load(&g_pool.generation)};
    if (pthread_create(&id, NULL, pool_worker, start) != 0) break;
    pthread_detach(id);
    g_pool.workers++;
  }
  return g_pool.workers;
}

// Splits [0, n) into contiguous chunks, one per thread; below `grain` items per thread the hand-off costs more
// than it saves.
static void parallel_for(size_t n, size_t grain, range_fn fn, void *ctx) {
  size_t threads = (size_t)g_threads;
  if (threads > POOL_MAX_THREADS) threads = POOL_MAX_THREADS;
  if (grain == 0) grain = 1;
  if (n / grain < threads) threads = n / grain;
  if (threads <= 1 || pthread_mutex_trylock(&g_pool.busy) != 0) {
    fn(ctx, 0, n);
    return;
  }
  if (pool_grow(threads - 1) < threads - 1) threads = g_pool.workers + 1;
  size_t chunk = (n + threads - 1) / threads;
  g_pool.fn = fn;
  g_pool.ctx = ctx;
  g_pool.n = n;
  g_pool.chunk = chunk;
  // Every started worker takes part in each generation (those past `threads` chunks find an empty range).
  atomic_store(&g_pool.remaining, (unsigned)g_pool.workers);
  atomic_fetch_add(&g_pool.generation, 1);
  if (atomic_load(&g_pool.sleepers) > 0) {
    pthread_mutex_lock(&g_pool.sleep_lock);
    pthread_cond_broadcast(&g_pool.wake);
    pthread_mutex_unlock(&g_pool.sleep_lock);
  }
  fn(ctx, 0, chunk > n ? n : chunk);
  while (atomic_load(&g_pool.remaining) != 0) cpu_relax();
  pthread_mutex_unlock(&g_pool.busy);
}

// expf without a libm call, so loops over it vectorise (glibc's expf is scalar here): Cody-Waite range
// reduction to r in [-ln2/2, ln2/2], a degree-6 polynomial (Cephes expf coefficients), and 2^n put into the
// exponent bits. Relative error ~2 ulp; -inf → 0, +inf → inf and NaN → NaN as expf.
static inline float fast_expf(float x) {
  float xc = x < -87.3f ? -87.3f : (x > 88.7f ? 88.7f : x);
  float n = floorf(xc * 1.44269504088896341f + 0.5f);
  float r = xc - n * 0.693359375f + n * 2.12194440e-4f;
  float r2 = r * r;
  float p = ((((1.9875691500e-4f * r + 1.3981999507e-3f) * r + 8.3334519073e-3f) * r + 4.1665795894e-2f) * r + 1.6666665459e-1f) * r +
            5.0000001201e-1f;
  p = p * r2 + r + 1.0f;
  int32_t bits = ((int32_t)n + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);  // a bit cast the vectoriser understands, unlike a union
  float y = p * scale;
  y = x < -87.3f ? 0.0f : y;
  y = x > 88.7f ? INFINITY : y;
  return x != x ? x : y;
}

// erf as tfjs's cpu kernel computes it (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7), on fast_expf.
static inline float fast_erff(float x) {
  float v = x < 0.f ? -x : x;
  float t = 1.0f / (1.0f + 0.3275911f * v);
  float poly = ((((1.061405429f * t - 1.453152027f) * t + 1.421413741f) * t - 0.284496736f) * t + 0.254829592f) * t;
  float y = 1.0f - poly * fast_expf(-v * v);
  return x < 0.f ? -y : y;
}

// ---- matrix products ----

static inline float activate(float v, int act, float alpha) {
  switch (act) {
    case ACT_RELU: return v < 0.f ? 0.f : v;  // NaN passes through, as in tfjs
    case ACT_RELU6: return v < 0.f ? 0.f : (v > 6.f ? 6.f : v);
    case ACT_LEAKYRELU: return v < 0.f ? alpha * v : v;
    case ACT_ELU: return v >= 0.f ? v : fast_expf(v) - 1.f;
    case ACT_SIGMOID: return 1.f / (1.f + fast_expf(-v));
    default: return v;
  }
}

// Below this many flops a product runs on one OpenBLAS thread: waking a second costs more than it saves, and
// on a 2-core machine it competes with V8's garbage collector (tiny-model training ran 1.3x faster overall;
// a 1536x64x64 product took 3.4 ms threaded there, 0.6 ms on one thread).
#define GEMM_THREADED_MIN_FLOPS 1.0e8

// The least work a pool thread takes from a batch of small products. Handing a range to a second thread costs
// microseconds when it is spinning and milliseconds when it must be scheduled beside OpenBLAS's own spinning
// threads: BERT2GPT2's greedy decoding spent 1-2.5 ms per call on 12 per-head products of ~15 kflop each.
#define BATCHED_MIN_FLOPS_PER_THREAD 2.0e6

static void set_blas_threads(int threads) {
  if (threads == g_blas_threads) return;
#ifdef WARMSTART_BLAS_OPENBLAS
  openblas_set_num_threads(threads);
#endif
  g_blas_threads = threads;
}

// Row-major C = alpha · op(A) · op(B) + beta · C on whichever BLAS the addon was built with.
static void sgemm_row_major(bool ta, bool tb, int m, int n, int k, float alpha, const float *a, int lda, const float *b,
                            int ldb, float beta, float *c, int ldc) {
#ifdef WARMSTART_BLAS_OPENBLAS
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b,
              ldb, beta, c, ldc);
#else
  ws_sgemm(ta, tb, (size_t)m, (size_t)n, (size_t)k, alpha, a, (size_t)lda, b, (size_t)ldb, beta, c, (size_t)ldc,
           g_blas_threads);
#endif
}

// Columns of one skinny product per thread (parallel_for's range function).
static void skinny_range(void *ctx, size_t begin, size_t end) { ws_skinny_gemm_columns((const ws_skinny_args *)ctx, begin, end); }

// B elements (n·k) from which a one-row or few-row product splits its columns between threads: below about 1 MB
// of B the product takes less time than handing work to another thread.
#define SKINNY_THREADED_MIN_B ((size_t)1 << 18)

// One product C = op(A) · op(B) (+ C when beta is 1, C holding the bias) on the fastest path for its shape:
//   - at most WS_SKINNY_MAX_ROWS rows against a transposed B: the few-row kernel, which reads B once (skinny.c);
//   - one row against an untransposed B (GPT-2's [in, out] Conv1D weights), OpenBLAS build: its sgemv, which
//     streams B at memory speed, where its sgemm packs B first on one thread (~4x slower measured here);
//   - anything else: the BLAS's sgemm, on the threads the caller set.
// `threaded` says whether the product may use more than one thread: false inside a batch whose products run on
// the pool's threads (OpenBLAS's thread count is process-wide and must not change under a running product).
static void one_product(bool ta, bool tb, size_t m, size_t n, size_t k, const float *a, int lda, const float *b,
                        int ldb, float beta, float *c, bool threaded) {
  const bool big_b = n * k >= SKINNY_THREADED_MIN_B;
  if (!ta && tb && m <= WS_SKINNY_MAX_ROWS) {
    ws_skinny_args args = {beta != 0.f, m, n, k, a, (size_t)lda, b, (size_t)ldb, c, n};
    if (threaded && big_b) {
      parallel_for(n, 1, skinny_range, &args);
    } else {
      ws_skinny_gemm_columns(&args, 0, n);
    }
    return;
  }
#ifdef WARMSTART_BLAS_OPENBLAS
  if (!ta && !tb && m == 1) {
    if (threaded) set_blas_threads(big_b ? g_threads : 1);
    cblas_sgemv(CblasRowMajor, CblasTrans, (int)k, (int)n, 1.f, b, ldb, a, 1, beta, c, 1);
    return;
  }
#endif
  sgemm_row_major(ta, tb, (int)m, (int)n, (int)k, 1.f, a, lda, b, ldb, beta, c, (int)n);
}

// The products i in [begin, end) of a batch whose operands are picked by aIndex / bIndex, each on one thread
// (parallel_for's range function).
typedef struct {
  bool ta, tb;
  size_t m, n, k;
  const float *a, *b;
  float *out;
  const int32_t *aidx, *bidx;
  size_t a_mat, b_mat, o_mat;
  int lda, ldb;
  float beta;
} batched_products;

static void batched_range(void *ctx, size_t begin, size_t end) {
  const batched_products *j = (const batched_products *)ctx;
  for (size_t i = begin; i < end; i++) {
    one_product(j->ta, j->tb, j->m, j->n, j->k, j->a + (size_t)j->aidx[i] * j->a_mat, j->lda,
                j->b + (size_t)j->bidx[i] * j->b_mat, j->ldb, j->beta, j->out + i * j->o_mat, false);
  }
}

// gemm(a, b, out, m, n, k, transA, transB, aIndex, bIndex, bias|null, activation, alpha)
// out[i] = act(op(a[aIndex[i]]) · op(b[bIndex[i]]) + bias) for every output batch i, row-major; bias has n
// entries (broadcast over rows). Index arrays carry the batch broadcasting worked out in JS.
static napi_value gemm(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value argv[13];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 13) {
    napi_throw_error(env, "WARMSTART_NATIVE", "gemm expects 13 arguments");
    return NULL;
  }
  float *a, *b, *out, *bias = NULL;
  size_t alen, blen, olen, biaslen = 0, ailen, bilen;
  int32_t *aidx, *bidx;
  int64_t m, n, k, act;
  bool ta, tb;
  double alpha;
  napi_valuetype bias_type;
  if (!get_f32(env, argv[0], &a, &alen) || !get_f32(env, argv[1], &b, &blen) || !get_f32(env, argv[2], &out, &olen)) return NULL;
  if (!get_int(env, argv[3], &m) || !get_int(env, argv[4], &n) || !get_int(env, argv[5], &k)) return NULL;
  CHECK(napi_get_value_bool(env, argv[6], &ta));
  CHECK(napi_get_value_bool(env, argv[7], &tb));
  if (!get_i32(env, argv[8], &aidx, &ailen) || !get_i32(env, argv[9], &bidx, &bilen)) return NULL;
  CHECK(napi_typeof(env, argv[10], &bias_type));
  if (bias_type != napi_null && !get_f32(env, argv[10], &bias, &biaslen)) return NULL;
  if (!get_int(env, argv[11], &act) || !get_double(env, argv[12], &alpha)) return NULL;

  size_t batch = ailen;
  size_t a_mat = (size_t)m * (size_t)k, b_mat = (size_t)k * (size_t)n, o_mat = (size_t)m * (size_t)n;
  // Bounds are checked here, not trusted from JS: a wrong shape must throw, never read past a buffer.
  if (bilen != batch || olen != batch * o_mat || (bias != NULL && biaslen != (size_t)n)) {
    napi_throw_range_error(env, "WARMSTART_NATIVE", "gemm: output, index or bias sizes do not match m, n, k");
    return NULL;
  }
  for (size_t i = 0; i < batch; i++) {
    if (aidx[i] < 0 || bidx[i] < 0 || (size_t)(aidx[i] + 1) * a_mat > alen || (size_t)(bidx[i] + 1) * b_mat > blen) {
      napi_throw_range_error(env, "WARMSTART_NATIVE", "gemm: a batch index points past its input");
      return NULL;
    }
  }
  if (o_mat == 0 || batch == 0) return NULL;

  set_blas_threads(2.0 * (double)m * (double)n * (double)k * (double)batch < GEMM_THREADED_MIN_FLOPS ? 1 : g_threads);
  int lda = ta ? (int)m : (int)k, ldb = tb ? (int)k : (int)n;
  float beta = 0.f;
  if (bias != NULL) {
    // Start C at the bias and let sgemm accumulate onto it (beta = 1): no second pass for the add.
    for (size_t r = 0; r < batch * (size_t)m; r++) memcpy(out + r * (size_t)n, bias, (size_t)n * sizeof(float));
    beta = 1.f;
  }
  if (k == 0) {
    if (bias == NULL) memset(out, 0, batch * o_mat * sizeof(float));
  } else {
    // Untransposed a with one shared b (a dense layer over [batch, rows, in]): one tall product is far faster
    // than `batch` small ones. It needs a's batches laid out in order (aIndex = 0, 1, 2, ...).
    int fold = !ta && batch > 1;
    for (size_t i = 0; fold && i < batch; i++) fold = aidx[i] == (int32_t)i && bidx[i] == bidx[0];
    if (fold || batch == 1) {
      one_product(ta, tb, (size_t)m * (fold ? batch : 1), (size_t)n, (size_t)k, a + (size_t)aidx[0] * a_mat, lda,
                  b + (size_t)bidx[0] * b_mat, ldb, beta, out, true);
    } else {
      batched_products job = {ta,   tb,   (size_t)m, (size_t)n, (size_t)k, a,   b,   out,
                              aidx, bidx, a_mat,     b_mat,     o_mat,     lda, ldb, beta};
      double flops = 2.0 * (double)m * (double)n * (double)k;
      if (flops < GEMM_THREADED_MIN_FLOPS) {
        // Many small products (attention's per-head q·kᵀ and weights·v): one thread per product, the batch split
        // between the pool's threads, instead of each small product split between BLAS threads. Each thread
        // gets at least BATCHED_MIN_FLOPS_PER_THREAD of them: a decoding step's per-head products against the
        // cache (12 heads of 1x64x24) are done before a woken thread would start.
        set_blas_threads(1);
        size_t grain = (size_t)ceil(BATCHED_MIN_FLOPS_PER_THREAD / flops);
        parallel_for(batch, grain, batched_range, &job);
      } else {
        for (size_t i = 0; i < batch; i++) {
          one_product(ta, tb, (size_t)m, (size_t)n, (size_t)k, a + (size_t)aidx[i] * a_mat, lda,
                      b + (size_t)bidx[i] * b_mat, ldb, beta, out + i * o_mat, true);
        }
      }
    }
  }
  if (act != ACT_LINEAR) {
    size_t total = batch * o_mat;
    float al = (float)alpha;
    for (size_t i = 0; i < total; i++) out[i] = activate(out[i], (int)act, al);
  }
  return NULL;
}

// Arguments (x: Float32Array, out: Float32Array, n integers) of the one-input kernels; 0 with a JS exception set otherwise.
static int read_x_out(napi_env env, napi_callback_info info, const char *name, float **x, size_t *xlen, float **out, size_t *olen, size_t nints,
                      int64_t *ints) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 2 + nints) {
    napi_throw_error(env, "WARMSTART_NATIVE", name);
    return 0;
  }
  if (!get_f32(env, argv[0], x, xlen) || !get_f32(env, argv[1], out, olen)) return 0;
  for (size_t i = 0; i < nints; i++)
    if (!get_int(env, argv[2 + i], &ints[i])) return 0;
  return 1;
}

// ---- softmax over the last axis ----

// What the one-input kernels (softmax, unary, reduce) hand to parallel_for: rows of `cols`, or elements.
typedef struct {
  const float *x;
  float *out;
  size_t cols;
  int op;
} rows_ctx;

// The row helpers of the softmax-shaped kernels, inlined into each (and so into each of its ISA clones).
static inline __attribute__((always_inline)) float row_max(const float *x, size_t n) {
  float mx = -INFINITY;
  for (size_t j = 0; j < n; j++) mx = x[j] > mx ? x[j] : mx;
  return mx;
}

// o = softmax(x) over one row; x and o may be the same buffer. An all -inf row gives NaN, as tfjs does
// (exp(-inf - -inf)), rather than an invented distribution.
static inline __attribute__((always_inline)) void softmax_row(const float *x, float *o, size_t n) {
  float mx = row_max(x, n);
  for (size_t j = 0; j < n; j++) o[j] = fast_expf(x[j] - mx);
  float sum = 0.f;
  for (size_t j = 0; j < n; j++) sum += o[j];
  float inv = 1.f / sum;
  for (size_t j = 0; j < n; j++) o[j] *= inv;
}

HOT_LOOP static void softmax_rows(void *p, size_t begin, size_t end) {
  rows_ctx *c = (rows_ctx *)p;
  size_t cols = c->cols;
  for (size_t r = begin; r < end; r++) softmax_row(c->x + r * cols, c->out + r * cols, cols);
}

// softmax(x, out, cols): row-wise softmax of a [rows, cols] buffer.
static napi_value softmax(napi_env env, napi_callback_info info) {
  float *x, *out;
  size_t xlen, olen;
  int64_t cols;
  if (!read_x_out(env, info, "softmax expects (x, out, cols)", &x, &xlen, &out, &olen, 1, &cols)) return NULL;
  if (cols <= 0 || xlen != olen || xlen % (size_t)cols != 0) {
    napi_throw_range_error(env, "WARMSTART_NATIVE", "softmax: buffer sizes do not match the row length");
    return NULL;
  }
  rows_ctx c = {x, out, (size_t)cols, 0};
  size_t rows = xlen / (size_t)cols;
  parallel_for(rows, (PER_THREAD_ELEMENTS + (size_t)cols - 1) / (size_t)cols, softmax_rows, &c);
  return NULL;
}

// ---- N-D transpose ----

#define MAX_RANK 8
typedef struct {
  const float *x;
  float *out;
  int rank;
  int64_t out_shape[MAX_RANK];
  int64_t in_stride_for_out[MAX_RANK];  // stride in x of each output axis
} transpose_ctx;

// Walks output positions [begin, end) in order with an odometer over the output axes; the innermost output
// axis is a strided read of x, which is the unavoidable cost of a transpose without blocking.
HOT_LOOP static void transpose_range(void *p, size_t begin, size_t end) {
  transpose_ctx *c = (transpose_ctx *)p;
  int rank = c->rank;
  int64_t idx[MAX_RANK];
  size_t rem = begin;
  int64_t src = 0;
  for (int d = rank - 1; d >= 0; d--) {
    idx[d] = (int64_t)(rem % (size_t)c->out_shape[d]);
    rem /= (size_t)c->out_shape[d];
    src += idx[d] * c->in_stride_for_out[d];
  }
  int64_t inner = c->out_shape[rank - 1], inner_stride = c->in_stride_for_out[rank - 1];
  size_t pos = begin;
  while (pos < end) {
    int64_t run = inner - idx[rank - 1];
    if ((size_t)run > end - pos) run = (int64_t)(end - pos);
    const float *s = c->x + src;
    float *o = c->out + pos;
    if (inner_stride == 1) {
      memcpy(o, s, (size_t)run * sizeof(float));
    } else {
      for (int64_t j = 0; j < run; j++) o[j] = s[j * inner_stride];
    }
    pos += (size_t)run;
    src += run * inner_stride;
    idx[rank - 1] += run;
    for (int d = rank - 1; d > 0 && idx[d] == c->out_shape[d]; d--) {
      src -= idx[d] * c->in_stride_for_out[d];
      idx[d] = 0;
      idx[d - 1]++;
      src += c->in_stride_for_out[d - 1];
    }
  }
}


#define TILE 32
typedef struct {
  const float *x;
  float *out;
  transpose_ctx m;
  int q;
  int64_t blocks_q, outer;
  int64_t out_stride[MAX_RANK];
} tiled_ctx;

// Job j = (outer index, block of axis q). The outer index enumerates every output axis except q and the last.
HOT_LOOP static void transpose_tiles(void *p, size_t begin, size_t end) {
  tiled_ctx *t = (tiled_ctx *)p;
  int r = t->m.rank, q = t->q;
  int64_t nq = t->m.out_shape[q], nl = t->m.out_shape[r - 1], sl = t->m.in_stride_for_out[r - 1];
  int64_t oq = t->out_stride[q];
  for (size_t job = begin; job < end; job++) {
    int64_t outer = (int64_t)job / t->blocks_q, bq = (int64_t)job % t->blocks_q;
    int64_t src = 0, dst = 0, rem = outer;
    for (int d = r - 2; d >= 0; d--) {
      if (d == q) continue;
      int64_t coord = rem % t->m.out_shape[d];
      rem /= t->m.out_shape[d];
      src += coord * t->m.in_stride_for_out[d];
      dst += coord * t->out_stride[d];
    }
    int64_t q0 = bq * TILE, q1 = q0 + TILE > nq ? nq : q0 + TILE;
    for (int64_t l0 = 0; l0 < nl; l0 += TILE) {
      int64_t l1 = l0 + TILE > nl ? nl : l0 + TILE;
      for (int64_t i = q0; i < q1; i++) {
        const float *s = t->x + src + i;  // x's stride along q is 1
        float *o = t->out + dst + i * oq;
        for (int64_t l = l0; l < l1; l++) o[l] = s[l * sl];
      }
    }
  }
}

// transpose(x, out, shape: Int32Array, perm: Int32Array)
static napi_value transpose(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *x, *out;
  size_t xlen, olen, rank, plen;
  int32_t *shape, *perm;
  if (argc != 4 || !get_f32(env, argv[0], &x, &xlen) || !get_f32(env, argv[1], &out, &olen) || !get_i32(env, argv[2], &shape, &rank) ||
      !get_i32(env, argv[3], &perm, &plen))
    return NULL;
  if (rank == 0 || rank > MAX_RANK || plen != rank || xlen != olen) {
    napi_throw_range_error(env, "WARMSTART_NATIVE", "transpose: rank, permutation or sizes do not match");
    return NULL;
  }
  int64_t in_stride[MAX_RANK];
  size_t total = 1;
  for (int d = (int)rank - 1; d >= 0; d--) {
    in_stride[d] = (int64_t)total;
    if (shape[d] < 0) {
      napi_throw_range_error(env, "WARMSTART_NATIVE", "transpose: negative dimension");
      return NULL;
    }
    total *= (size_t)shape[d];
  }
  if (total != xlen) {
    napi_throw_range_error(env, "WARMSTART_NATIVE", "transpose: shape does not match the buffer size");
    return NULL;
  }
  if (total == 0) return NULL;
  transpose_ctx c = {x, out, (int)rank, {0}, {0}};
  int seen[MAX_RANK] = {0};
  for (size_t d = 0; d < rank; d++) {
    if (perm[d] < 0 || (size_t)perm[d] >= rank || seen[perm[d]]++) {
      napi_throw_range_error(env, "WARMSTART_NATIVE", "transpose: perm is not a permutation");
      return NULL;
    }
    c.out_shape[d] = shape[perm[d]];
    c.in_stride_for_out[d] = in_stride[perm[d]];
  }
  // Merge output axes that stay contiguous in x, and drop length-1 axes: fewer, longer runs.
  transpose_ctx m = {x, out, 0, {0}, {0}};
  for (int d = 0; d < (int)rank; d++) {
    if (c.out_shape[d] == 1) continue;
    if (m.rank > 0 && m.in_stride_for_out[m.rank - 1] == c.in_stride_for_out[d] * c.out_shape[d]) {
      m.out_shape[m.rank - 1] *= c.out_shape[d];
      m.in_stride_for_out[m.rank - 1] = c.in_stride_for_out[d];
    } else {
      m.out_shape[m.rank] = c.out_shape[d];
      m.in_stride_for_out[m.rank] = c.in_stride_for_out[d];
      m.rank++;
    }
  }
  if (m.rank == 0) {
    memcpy(out, x, total * sizeof(float));
    return NULL;
  }
  int q = -1;
  for (int d = 0; d < m.rank - 1; d++)
    if (m.in_stride_for_out[d] == 1) q = d;
  if (m.in_stride_for_out[m.rank - 1] != 1 && q >= 0) {
    // x's contiguous axis is not the output's: a strided read per element thrashes the cache, so copy
    // 32x32 tiles of the (q, last) plane instead.
    tiled_ctx t = {x, out, m, q, 0, 0, {0}};
    int64_t out_stride = 1;
    for (int d = m.rank - 1; d >= 0; d--) {
      t.out_stride[d] = out_stride;
      out_stride *= m.out_shape[d];
    }
    t.blocks_q = (m.out_shape[q] + TILE - 1) / TILE;
    t.outer = (int64_t)total / (m.out_shape[q] * m.out_shape[m.rank - 1]);
    size_t strip = (size_t)TILE * (size_t)m.out_shape[m.rank - 1];
    parallel_for((size_t)(t.outer * t.blocks_q), (PER_THREAD_ELEMENTS + strip - 1) / strip, transpose_tiles, &t);
    return NULL;
  }
  parallel_for(total, PER_THREAD_ELEMENTS, transpose_range, &m);
  return NULL;
}

// ---- unary elementwise: the transcendental ones tfjs's cpu backend runs through Math.* per element ----

enum { UN_EXP = 0, UN_ERF = 1, UN_TANH = 2, UN_RSQRT = 3, UN_SQRT = 4, UN_LOG = 5, UN_SIGMOID = 6 };

HOT_LOOP static void unary_range(void *p, size_t begin, size_t end) {
  rows_ctx *c = (rows_ctx *)p;
  const float *x = c->x;
  float *o = c->out;
  switch (c->op) {
    case UN_EXP: for (size_t i = begin; i < end; i++) o[i] = fast_expf(x[i]); break;
    case UN_ERF: for (size_t i = begin; i < end; i++) o[i] = fast_erff(x[i]); break;
    case UN_TANH: for (size_t i = begin; i < end; i++) o[i] = tanhf(x[i]); break;
    case UN_RSQRT: for (size_t i = begin; i < end; i++) o[i] = 1.f / sqrtf(x[i]); break;
    case UN_SQRT: for (size_t i = begin; i < end; i++) o[i] = sqrtf(x[i]); break;
    case UN_LOG: for (size_t i = begin; i < end; i++) o[i] = logf(x[i]); break;
    case UN_SIGMOID: for (size_t i = begin; i < end; i++) o[i] = 1.f / (1.f + fast_expf(-x[i])); break;
    default: break;
  }
}

// unary(x, out, op)
static napi_value unary(napi_env env, napi_callback_info info) {
  float *x, *out;
  size_t xlen, olen;
  int64_t op;
  if (!read_x_out(env, info, "unary expects (x, out, op)", &x, &xlen, &out, &olen, 1, &op)) return NULL;
  if (xlen != olen || op < 0 || op > UN_SIGMOID) {
    napi_throw_range_error(env, "WARMSTART_NATIVE", "unary: sizes differ or unknown op");
    return NULL;
  }
  rows_ctx c = {x, out, 1, (int)op};
  parallel_for(xlen, PER_THREAD_ELEMENTS, unary_range, &c);
  return NULL;
}


// ---- binary elementwise with broadcasting ----
// tfjs's cpu backend computes a broadcast index per element in JS, which made Add/Mul/Sub ~75% of a BERT
// forward once the products were native. Shapes arrive coalesced from JS: out dims with per-operand strides
// (0 where an operand is broadcast), the innermost dim walked by a tight loop.

enum { BIN_ADD = 0, BIN_SUB = 1, BIN_MUL = 2, BIN_DIV = 3, BIN_SQDIFF = 4, BIN_MAX = 5, BIN_MIN = 6 };
typedef struct {
  const float *a, *b;
  float *out;
  int rank, op;
  int64_t shape[MAX_RANK], sa[MAX_RANK], sb[MAX_RANK];
} binary_ctx;

#define BIN_LOOP(EXPR)                                                                   \
  do {                                                                                   \
    if (ia == 1 && ib == 1) {                                                            \
      for (int64_t j = 0; j < n; j++) { float x = pa[j], y = pb[j]; po[j] = (EXPR); }    \
    } else if (ia == 1 && ib == 0) {                                                     \
      float y = pb[0];                                                                   \
      for (int64_t j = 0; j < n; j++) { float x = pa[j]; po[j] = (EXPR); }               \
    } else if (ia == 0 && ib == 1) {                                                     \
      float x = pa[0];                                                                   \
      for (int64_t j = 0; j < n; j++) { float y = pb[j]; po[j] = (EXPR); }               \
    } else {                                                                             \
      for (int64_t j = 0; j < n; j++) { float x = pa[j * ia], y = pb[j * ib]; po[j] = (EXPR); } \
    }                                                                                    \
  } while (0)

static void binary_row(int op, const float *pa, int64_t ia, const float *pb, int64_t ib, float *po, int64_t n) {
  switch (op) {
    case BIN_ADD: BIN_LOOP(x + y); break;
    case BIN_SUB: BIN_LOOP(x - y); break;
    case BIN_MUL: BIN_LOOP(x * y); break;
    case BIN_DIV: BIN_LOOP(x / y); break;
    case BIN_SQDIFF: BIN_LOOP((x - y) * (x - y)); break;
    // Math.max/Math.min semantics: NaN if either side is NaN.
    case BIN_MAX: BIN_LOOP((x != x || y != y) ? NAN : (x > y ? x : y)); break;
    case BIN_MIN: BIN_LOOP((x != x || y != y) ? NAN : (x < y ? x : y)); break;
    default: break;
  }
}

HOT_LOOP static void binary_rows(void *p, size_t begin, size_t end) {
  binary_ctx *c = (binary_ctx *)p;
  int r = c->rank;
  int64_t n = c->shape[r - 1];
  for (size_t row = begin; row < end; row++) {
    size_t rem = row;
    int64_t oa = 0, ob = 0;
    for (int d = r - 2; d >= 0; d--) {
      int64_t coord = (int64_t)(rem % (size_t)c->shape[d]);
      rem /= (size_t)c->shape[d];
      oa += coord * c->sa[d];
      ob += coord * c->sb[d];
    }
    binary_row(c->op, c->a + oa, c->sa[r - 1], c->b + ob, c->sb[r - 1], c->out + row * (size_t)n, n);
  }
}

// binary(a, b, out, shape: Int32Array, aStrides: Int32Array, bStrides: Int32Array, op)
static napi_value binary(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *a, *b, *out;
  size_t alen, blen, olen, rank, salen, sblen;
  int32_t *shape, *sa, *sb;
  int64_t op;
  if (argc != 7 || !get_f32(env, argv[0], &a, &alen) || !get_f32(env, argv[1], &b, &blen) || !get_f32(env, argv[2], &out, &olen) ||
      !get_i32(env, argv[3], &shape, &rank) || !get_i32(env, argv[4], &sa, &salen) || !get_i32(env, argv[5], &sb, &sblen) ||
      !get_int(env, argv[6], &op))
    return NULL;
  if (rank == 0 || rank > MAX_RANK || salen != rank || sblen != rank || op < 0 || op > BIN_MIN) {
    napi_throw_range_error(env, "WARMSTART_NATIVE", "binary: bad rank, strides or op");
    return NULL;
  }
  binary_ctx c = {a, b, out, (int)rank, (int)op, {0}, {0}, {0}};
  size_t total = 1, maxa = 0, maxb = 0;
  for (size_t d = 0; d < rank; d++) {
    if (shape[d] <= 0 || sa[d] < 0 || sb[d] < 0) {
      if (shape[d] == 0) return NULL;  // empty output: nothing to do
      napi_throw_range_error(env, "WARMSTART_NATIVE", "binary: negative dimension or stride");
      return NULL;
    }
    c.shape[d] = shape[d];
    c.sa[d] = sa[d];
    c.sb[d] = sb[d];
    total *= (size_t)shape[d];
    maxa += (size_t)(shape[d] - 1) * (size_t)sa[d];
    maxb += (size_t)(shape[d] - 1) * (size_t)sb[d];
  }
  if (total != olen || maxa >= alen || maxb >= blen) {
    napi_throw_range_error(env, "WARMSTART_NATIVE", "binary: shape and strides reach past a buffer");
    return NULL;
  }
  size_t rows = total / (size_t)c.shape[rank - 1];
  parallel_for(rows, (PER_THREAD_ELEMENTS + (size_t)c.shape[rank - 1] - 1) / (size_t)c.shape[rank - 1], binary_rows, &c);
  return NULL;
}

// ---- reductions over the innermost axis of a [rows, cols] buffer (JS transposes other axes there first) ----

enum { RED_SUM = 0, RED_MEAN = 1, RED_MAX = 2, RED_MIN = 3 };

HOT_LOOP static void reduce_rows(void *p, size_t begin, size_t end) {
  rows_ctx *c = (rows_ctx *)p;
  size_t cols = c->cols;
  for (size_t r = begin; r < end; r++) {
    const float *x = c->x + r * cols;
    float acc;
    if (c->op == RED_MAX || c->op == RED_MIN) {
      acc = x[0];
      for (size_t j = 1; j < cols; j++) {
        float v = x[j];
        if (v != v) { acc = v; break; }  // NaN wins, as in tfjs's comparisons
        if (c->op == RED_MAX ? v > acc : v < acc) acc = v;
      }
    } else {
      // tfjs's cpu kernel sums in JS numbers (double); 8 double partial sums match that and still vectorise.
      double part[8] = {0, 0, 0, 0, 0, 0, 0, 0}, sum = 0;
      size_t j = 0;
      for (; j + 8 <= cols; j += 8)
        for (int q = 0; q < 8; q++) part[q] += (double)x[j + q];
      for (; j < cols; j++) sum += (double)x[j];
      for (int q = 0; q < 8; q++) sum += part[q];
      acc = (float)(c->op == RED_MEAN ? sum / (double)cols : sum);
    }
    c->out[r] = acc;
  }
}

// reduce(x, out, cols, op)
static napi_value reduce(napi_env env, napi_callback_info info) {
  float *x, *out;
  size_t xlen, olen;
  int64_t args[2];
  if (!read_x_out(env, info, "reduce expects (x, out, cols, op)", &x, &xlen, &out, &olen, 2, args)) return NULL;
  int64_t cols = args[0], op = args[1];
  if (cols <= 0 || op < 0 || op > RED_MIN || xlen != olen * (size_t)cols) {
    napi_throw_range_error(env, "WARMSTART_NATIVE", "reduce: sizes do not match the row length, or unknown op");
    return NULL;
  }
  rows_ctx c = {x, out, (size_t)cols, (int)op};
  parallel_for(olen, (PER_THREAD_ELEMENTS + (size_t)cols - 1) / (size_t)cols, reduce_rows, &c);
  return NULL;
}

// reduce_mid(x, out, outer, r, inner, op): out[o, i] = op over j of x[o, j, i] for x viewed as [outer, r, inner].
// Reductions over leading or middle axes (a bias gradient sums [tokens, features] over tokens) run here in
// place, with no transpose to bring the reduced axes innermost.
typedef struct {
  const float *x;
  float *out;
  size_t r, inner, blocks;
  int op;
} mid_ctx;

#define MID_BLOCK 256
HOT_LOOP static void reduce_mid_blocks(void *p, size_t begin, size_t end) {
  mid_ctx *c = (mid_ctx *)p;
  double acc[MID_BLOCK];
  float ext[MID_BLOCK];
  for (size_t job = begin; job < end; job++) {
    size_t o = job / c->blocks, i0 = (job % c->blocks) * MID_BLOCK;
    size_t w = c->inner - i0 < MID_BLOCK ? c->inner - i0 : MID_BLOCK;
    const float *x = c->x + o * c->r * c->inner + i0;
    float *out = c->out + o * c->inner + i0;
    if (c->op == RED_MAX || c->op == RED_MIN) {
      for (size_t i = 0; i < w; i++) ext[i] = x[i];
      for (size_t j = 1; j < c->r; j++) {
        const float *row = x + j * c->inner;
        for (size_t i = 0; i < w; i++) {
          float v = row[i], a = ext[i];
          // NaN wins, as in tfjs's comparisons
          ext[i] = (a != a || v != v) ? NAN : (c->op == RED_MAX ? (v > a ? v : a) : (v < a ? v : a));
        }
      }
      for (size_t i = 0; i < w; i++) out[i] = ext[i];
    } else {
      for (size_t i = 0; i < w; i++) acc[i] = 0;
      for (size_t j = 0; j < c->r; j++) {
        const float *row = x + j * c->inner;
        for (size_t i = 0; i < w; i++) acc[i] += (double)row[i];
      }
      for (size_t i = 0; i < w; i++) out[i] = (float)(c->op == RED_MEAN ? acc[i] / (double)c->r : acc[i]);
    }
  }
}

static napi_value reduce_mid(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *x, *out;
  size_t xlen, olen;
  int64_t outer, r, inner, op;
  if (argc != 6 || !get_f32(env, argv[0], &x, &xlen) || !get_f32(env, argv[1], &out, &olen) || !get_int(env, argv[2], &outer) ||
      !get_int(env, argv[3], &r) || !get_int(env, argv[4], &inner) || !get_int(env, argv[5], &op))
    return NULL;
  if (outer <= 0 || r <= 0 || inner <= 0 || op < 0 || op > RED_MIN || xlen != (size_t)(outer * r * inner) || olen != (size_t)(outer * inner)) {
    napi_throw_range_error(env, "WARMSTART_NATIVE", "reduceMid: sizes do not match [outer, r, inner], or unknown op");
    return NULL;
  }
  mid_ctx c = {x, out, (size_t)r, (size_t)inner, ((size_t)inner + MID_BLOCK - 1) / MID_BLOCK, (int)op};
  size_t jobs = (size_t)outer * c.blocks;
  size_t per_job = (size_t)r * (inner < MID_BLOCK ? (size_t)inner : MID_BLOCK);
  parallel_for(jobs, (PER_THREAD_ELEMENTS + per_job - 1) / per_job, reduce_mid_blocks, &c);
  return NULL;
}

// ---- fused LayerNorm over the last axis (forward and backward) ----
// The composed form is nine elementwise/reduction passes forward and more backward; these are one pass per row
// (plus one over columns for the parameter gradients). Sums are in double, as tfjs's Mean.

typedef struct {
  const float *x, *gamma, *beta, *dy;
  float *out, *mean, *rstd, *dgamma, *dbeta;
  size_t rows, cols;
  float eps;
} ln_ctx;

HOT_LOOP static void ln_forward_rows(void *p, size_t begin, size_t end) {
  ln_ctx *c = (ln_ctx *)p;
  size_t n = c->cols;
  for (size_t r = begin; r < end; r++) {
    const float *x = c->x + r * n;
    float *o = c->out + r * n;
    double s = 0;
    for (size_t j = 0; j < n; j++) s += (double)x[j];
    float mean = (float)(s / (double)n);
    double v = 0;
    for (size_t j = 0; j < n; j++) {
      float d = x[j] - mean;
      v += (double)(d * d);
    }
    float rstd = 1.f / sqrtf((float)(v / (double)n) + c->eps);
    for (size_t j = 0; j < n; j++) o[j] = (x[j] - mean) * rstd * c->gamma[j] + c->beta[j];
    c->mean[r] = mean;
    c->rstd[r] = rstd;
  }
}

// layerNorm(x, gamma, beta, out, mean, rstd, cols, eps): mean and rstd (1/sqrt(var + eps)) per row are kept
// for the backward pass.
static napi_value layer_norm(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *x, *gamma, *beta, *out, *mean, *rstd;
  size_t xlen, glen, blen, olen, mlen, rlen;
  int64_t cols;
  double eps;
  if (argc != 8 || !get_f32(env, argv[0], &x, &xlen) || !get_f32(env, argv[1], &gamma, &glen) || !get_f32(env, argv[2], &beta, &blen) ||
      !get_f32(env, argv[3], &out, &olen) || !get_f32(env, argv[4], &mean, &mlen) || !get_f32(env, argv[5], &rstd, &rlen) ||
      !get_int(env, argv[6], &cols) || !get_double(env, argv[7], &eps))
    return NULL;
  if (cols <= 0 || xlen % (size_t)cols != 0 || glen != (size_t)cols || blen != (size_t)cols || olen != xlen ||
      mlen != xlen / (size_t)cols || rlen != mlen) {
    napi_throw_range_error(env, "WARMSTART_NATIVE", "layerNorm: buffer sizes do not match the row length");
    return NULL;
  }
  ln_ctx c = {x, gamma, beta, NULL, out, mean, rstd, NULL, NULL, mlen, (size_t)cols, (float)eps};
  parallel_for(c.rows, (PER_THREAD_ELEMENTS + c.cols - 1) / c.cols, ln_forward_rows, &c);
  return NULL;
}

// dx = rstd·(g − mean(g) − x̂·mean(g·x̂)) with g = dy·gamma and x̂ = (x − mean)·rstd.
HOT_LOOP static void ln_backward_rows(void *p, size_t begin, size_t end) {
  ln_ctx *c = (ln_ctx *)p;
  size_t n = c->cols;
  for (size_t r = begin; r < end; r++) {
    const float *x = c->x + r * n, *dy = c->dy + r * n;
    float *dx = c->out + r * n;
    float mean = c->mean[r], rstd = c->rstd[r];
    double sg = 0, sgx = 0;
    for (size_t j = 0; j < n; j++) {
      float g = dy[j] * c->gamma[j];
      sg += (double)g;
      sgx += (double)(g * ((x[j] - mean) * rstd));
    }
    float a = (float)(sg / (double)n), b = (float)(sgx / (double)n);
    for (size_t j = 0; j < n; j++) dx[j] = rstd * (dy[j] * c->gamma[j] - a - (x[j] - mean) * rstd * b);
  }
}

// dgamma = Σ_rows dy·x̂, dbeta = Σ_rows dy, split over column ranges.
HOT_LOOP static void ln_backward_cols(void *p, size_t begin, size_t end) {
  ln_ctx *c = (ln_ctx *)p;
  size_t n = c->cols;
  double sgx[MID_BLOCK], sb[MID_BLOCK];
  for (size_t j0 = begin; j0 < end; j0 += MID_BLOCK) {
    size_t w = end - j0 < MID_BLOCK ? end - j0 : MID_BLOCK;
    for (size_t j = 0; j < w; j++) sgx[j] = sb[j] = 0;
    for (size_t r = 0; r < c->rows; r++) {
      const float *x = c->x + r * n + j0, *dy = c->dy + r * n + j0;
      float mean = c->mean[r], rstd = c->rstd[r];
      for (size_t j = 0; j < w; j++) {
        sgx[j] += (double)(dy[j] * ((x[j] - mean) * rstd));
        sb[j] += (double)dy[j];
      }
    }
    for (size_t j = 0; j < w; j++) {
      c->dgamma[j0 + j] = (float)sgx[j];
      c->dbeta[j0 + j] = (float)sb[j];
    }
  }
}

// layerNormGrad(dy, x, gamma, mean, rstd, dx, dgamma, dbeta, cols)
static napi_value layer_norm_grad(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *dy, *x, *gamma, *mean, *rstd, *dx, *dgamma, *dbeta;
  size_t dylen, xlen, glen, mlen, rlen, dxlen, dglen, dblen;
  int64_t cols;
  if (argc != 9 || !get_f32(env, argv[0], &dy, &dylen) || !get_f32(env, argv[1], &x, &xlen) || !get_f32(env, argv[2], &gamma, &glen) ||
      !get_f32(env, argv[3], &mean, &mlen) || !get_f32(env, argv[4], &rstd, &rlen) || !get_f32(env, argv[5], &dx, &dxlen) ||
      !get_f32(env, argv[6], &dgamma, &dglen) || !get_f32(env, argv[7], &dbeta, &dblen) || !get_int(env, argv[8], &cols))
    return NULL;
  if (cols <= 0 || xlen % (size_t)cols != 0 || dylen != xlen || dxlen != xlen || glen != (size_t)cols || dglen != glen || dblen != glen ||
      mlen != xlen / (size_t)cols || rlen != mlen) {
    napi_throw_range_error(env, "WARMSTART_NATIVE", "layerNormGrad: buffer sizes do not match the row length");
    return NULL;
  }
  ln_ctx c = {x, gamma, NULL, dy, dx, mean, rstd, dgamma, dbeta, mlen, (size_t)cols, 0.f};
  parallel_for(c.rows, (PER_THREAD_ELEMENTS + c.cols - 1) / c.cols, ln_backward_rows, &c);
  parallel_for(c.cols, 1 + PER_THREAD_ELEMENTS / (c.rows == 0 ? 1 : c.rows), ln_backward_cols, &c);
  return NULL;
}

// ---- exact GELU, x·Φ(x), and its derivative Φ(x) + x·φ(x): one pass each instead of five and ten ----

typedef struct {
  const float *x, *dy;
  float *out;
} gelu_ctx;

HOT_LOOP static void gelu_range(void *p, size_t begin, size_t end) {
  gelu_ctx *c = (gelu_ctx *)p;
  for (size_t i = begin; i < end; i++) {
    float v = c->x[i];
    c->out[i] = v * (0.5f * (1.f + fast_erff(v * 0.70710678118654752f)));
  }
}

HOT_LOOP static void gelu_grad_range(void *p, size_t begin, size_t end) {
  gelu_ctx *c = (gelu_ctx *)p;
  for (size_t i = begin; i < end; i++) {
    float v = c->x[i];
    float cdf = 0.5f * (1.f + fast_erff(v * 0.70710678118654752f));
    float pdf = 0.39894228040143268f * fast_expf(-0.5f * v * v);
    c->out[i] = c->dy[i] * (cdf + v * pdf);
  }
}

// gelu(x, out) and geluGrad(x, dy, out)
static napi_value gelu_common(napi_env env, napi_callback_info info, int grad) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *x, *dy = NULL, *out;
  size_t xlen, dylen = 0, olen;
  size_t want = grad ? 3 : 2;
  if (argc != want || !get_f32(env, argv[0], &x, &xlen) || (grad && !get_f32(env, argv[1], &dy, &dylen)) ||
      !get_f32(env, argv[want - 1], &out, &olen))
    return NULL;
  if (olen != xlen || (grad && dylen != xlen)) {
    napi_throw_range_error(env, "WARMSTART_NATIVE", "gelu: buffer sizes differ");
    return NULL;
  }
  gelu_ctx c = {x, dy, out};
  parallel_for(xlen, PER_THREAD_ELEMENTS, grad ? gelu_grad_range : gelu_range, &c);
  return NULL;
}

static napi_value gelu(napi_env env, napi_callback_info info) { return gelu_common(env, info, 0); }
static napi_value gelu_grad(napi_env env, napi_callback_info info) { return gelu_common(env, info, 1); }

// ---- attention softmax: softmax(scale·x + mask) with a broadcast additive mask, and its gradient ----
// One pass instead of the separate scale, mask-add and softmax passes over [B, H, Tq, Tk] scores.

typedef struct {
  const float *x, *mask, *dy;
  float *out;
  size_t cols;
  int64_t heads, queries, sb, sh, sq;  // mask row strides per batch, head, query (0 where broadcast)
  float scale;
} attn_ctx;

HOT_LOOP static void masked_softmax_rows(void *p, size_t begin, size_t end) {
  attn_ctx *c = (attn_ctx *)p;
  size_t cols = c->cols;
  for (size_t r = begin; r < end; r++) {
    const float *x = c->x + r * cols;
    float *o = c->out + r * cols;
    int64_t q = (int64_t)r % c->queries, h = ((int64_t)r / c->queries) % c->heads, b = (int64_t)r / (c->queries * c->heads);
    const float *m = c->mask == NULL ? NULL : c->mask + (size_t)(b * c->sb + h * c->sh + q * c->sq) * cols;
    if (m == NULL) {
      for (size_t j = 0; j < cols; j++) o[j] = x[j] * c->scale;
    } else {
      for (size_t j = 0; j < cols; j++) o[j] = x[j] * c->scale + m[j];
    }
    softmax_row(o, o, cols);
  }
}

// maskedSoftmax(x, mask | null, out, cols, dims: Int32Array [B, H, Tq], maskStrides: Int32Array, scale)
static napi_value masked_softmax(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *x, *mask = NULL, *out;
  size_t xlen, mlen = 0, olen, dlen, slen;
  int32_t *dims, *strides;
  int64_t cols;
  double scale;
  napi_valuetype mask_type;
  if (argc != 7 || !get_f32(env, argv[0], &x, &xlen)) return NULL;
  CHECK(napi_typeof(env, argv[1], &mask_type));
  if (mask_type != napi_null && !get_f32(env, argv[1], &mask, &mlen)) return NULL;
  if (!get_f32(env, argv[2], &out, &olen) || !get_int(env, argv[3], &cols) || !get_i32(env, argv[4], &dims, &dlen) ||
      !get_i32(env, argv[5], &strides, &slen) || !get_double(env, argv[6], &scale))
    return NULL;
  if (cols <= 0 || dlen != 3 || slen != 3 || olen != xlen || dims[0] <= 0 || dims[1] <= 0 || dims[2] <= 0 ||
      xlen != (size_t)dims[0] * (size_t)dims[1] * (size_t)dims[2] * (size_t)cols) {
    napi_throw_range_error(env, "WARMSTART_NATIVE", "maskedSoftmax: sizes do not match [B, H, Tq, Tk]");
    return NULL;
  }
  if (mask != NULL) {
    size_t last = (size_t)((dims[0] - 1) * (int64_t)strides[0] + (dims[1] - 1) * (int64_t)strides[1] + (dims[2] - 1) * (int64_t)strides[2]);
    if (strides[0] < 0 || strides[1] < 0 || strides[2] < 0 || (last + 1) * (size_t)cols > mlen) {
      napi_throw_range_error(env, "WARMSTART_NATIVE", "maskedSoftmax: mask strides reach past the mask");
      return NULL;
    }
  }
  attn_ctx c = {x, mask, NULL, out, (size_t)cols, dims[1], dims[2], strides[0], strides[1], strides[2], (float)scale};
  parallel_for(xlen / (size_t)cols, (PER_THREAD_ELEMENTS + (size_t)cols - 1) / (size_t)cols, masked_softmax_rows, &c);
  return NULL;
}

// d(scale·x) of y = softmax(scale·x + mask): scale·y·(dy − Σ dy·y) per row.
HOT_LOOP static void softmax_grad_rows(void *p, size_t begin, size_t end) {
  attn_ctx *c = (attn_ctx *)p;
  size_t cols = c->cols;
  for (size_t r = begin; r < end; r++) {
    const float *y = c->x + r * cols, *dy = c->dy + r * cols;
    float *o = c->out + r * cols;
    double dot = 0;
    for (size_t j = 0; j < cols; j++) dot += (double)(dy[j] * y[j]);
    float d = (float)dot;
    for (size_t j = 0; j < cols; j++) o[j] = c->scale * y[j] * (dy[j] - d);
  }
}

// softmaxGrad(y, dy, out, cols, scale)
static napi_value softmax_grad(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *y, *dy, *out;
  size_t ylen, dylen, olen;
  int64_t cols;
  double scale;
  if (argc != 5 || !get_f32(env, argv[0], &y, &ylen) || !get_f32(env, argv[1], &dy, &dylen) || !get_f32(env, argv[2], &out, &olen) ||
      !get_int(env, argv[3], &cols) || !get_double(env, argv[4], &scale))
    return NULL;
  if (cols <= 0 || ylen % (size_t)cols != 0 || dylen != ylen || olen != ylen) {
    napi_throw_range_error(env, "WARMSTART_NATIVE", "softmaxGrad: buffer sizes do not match the row length");
    return NULL;
  }
  attn_ctx c = {y, NULL, dy, out, (size_t)cols, 1, 1, 0, 0, 0, (float)scale};
  parallel_for(ylen / (size_t)cols, (PER_THREAD_ELEMENTS + (size_t)cols - 1) / (size_t)cols, softmax_grad_rows, &c);
  return NULL;
}

// ---- softmax cross-entropy with per-row weights, and its gradient ----
// The training loss over [tokens, vocab] logits: the composed form makes a logsumexp (max, subtract, exp, sum, log)
// forward and softmax, one-hot, subtract and scale passes backward; here it is two passes forward (max, then
// Σ exp) and one backward, with no one-hot. A weight of 0 drops a row (labels of -100: the caller points their
// target at 0 and weights them 0), so ignored rows cost nothing in the gradient beyond writing zeros.

typedef struct {
  const float *x, *weights;
  const int32_t *targets;
  float *lse, *loss, *out;
  size_t cols;
  float dy;
} xent_ctx;

HOT_LOOP static void xent_rows(void *p, size_t begin, size_t end) {
  xent_ctx *c = (xent_ctx *)p;
  size_t cols = c->cols;
  for (size_t r = begin; r < end; r++) {
    const float *x = c->x + r * cols;
    float mx = row_max(x, cols);
    float sum = 0.f;
    for (size_t j = 0; j < cols; j++) sum += fast_expf(x[j] - mx);
    float lse = mx + logf(sum);
    c->lse[r] = lse;
    c->loss[r] = c->weights[r] == 0.f ? 0.f : c->weights[r] * (lse - x[c->targets[r]]);
  }
}

// out = w·dy·(softmax(x) − onehot(target)) per row.
HOT_LOOP static void xent_grad_rows(void *p, size_t begin, size_t end) {
  xent_ctx *c = (xent_ctx *)p;
  size_t cols = c->cols;
  for (size_t r = begin; r < end; r++) {
    const float *x = c->x + r * cols;
    float *o = c->out + r * cols;
    float scale = c->weights[r] * c->dy, lse = c->lse[r];
    if (scale == 0.f) {
      memset(o, 0, cols * sizeof(float));
      continue;
    }
    for (size_t j = 0; j < cols; j++) o[j] = scale * fast_expf(x[j] - lse);
    o[c->targets[r]] -= scale;
  }
}

// Checks shared by both entry points: [rows, cols] logits, a target in [0, cols) and a weight per row.
static int xent_shapes(napi_env env, size_t xlen, int64_t cols, size_t tlen, const int32_t *targets, size_t wlen, size_t lselen) {
  if (cols <= 0 || xlen % (size_t)cols != 0 || tlen != xlen / (size_t)cols || wlen != tlen || lselen != tlen) {
    napi_throw_range_error(env, "WARMSTART_NATIVE", "softmaxCrossEntropy: buffer sizes do not match [rows, cols]");
    return 0;
  }
  for (size_t r = 0; r < tlen; r++) {
    if (targets[r] < 0 || targets[r] >= cols) {
      napi_throw_range_error(env, "WARMSTART_NATIVE", "softmaxCrossEntropy: a target is outside [0, cols)");
      return 0;
    }
  }
  return 1;
}

// softmaxCrossEntropy(x, targets, weights, lse, loss, cols): per row, lse = logsumexp(x) and
// loss = weight·(lse − x[target]) (0 where the weight is 0).
static napi_value softmax_cross_entropy(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *x, *weights, *lse, *loss;
  int32_t *targets;
  size_t xlen, tlen, wlen, lselen, losslen;
  int64_t cols;
  if (argc != 6 || !get_f32(env, argv[0], &x, &xlen) || !get_i32(env, argv[1], &targets, &tlen) || !get_f32(env, argv[2], &weights, &wlen) ||
      !get_f32(env, argv[3], &lse, &lselen) || !get_f32(env, argv[4], &loss, &losslen) || !get_int(env, argv[5], &cols))
    return NULL;
  if (!xent_shapes(env, xlen, cols, tlen, targets, wlen, lselen)) return NULL;
  if (losslen != tlen) {
    napi_throw_range_error(env, "WARMSTART_NATIVE", "softmaxCrossEntropy: the loss buffer needs one value per row");
    return NULL;
  }
  xent_ctx c = {x, weights, targets, lse, loss, NULL, (size_t)cols, 0.f};
  parallel_for(tlen, (PER_THREAD_ELEMENTS + (size_t)cols - 1) / (size_t)cols, xent_rows, &c);
  return NULL;
}

// softmaxCrossEntropyGrad(x, targets, weights, lse, out, cols, dy): d(Σ loss)/dx scaled by dy.
static napi_value softmax_cross_entropy_grad(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *x, *weights, *lse, *out;
  int32_t *targets;
  size_t xlen, tlen, wlen, lselen, olen;
  int64_t cols;
  double dy;
  if (argc != 7 || !get_f32(env, argv[0], &x, &xlen) || !get_i32(env, argv[1], &targets, &tlen) || !get_f32(env, argv[2], &weights, &wlen) ||
      !get_f32(env, argv[3], &lse, &lselen) || !get_f32(env, argv[4], &out, &olen) || !get_int(env, argv[5], &cols) ||
      !get_double(env, argv[6], &dy))
    return NULL;
  if (!xent_shapes(env, xlen, cols, tlen, targets, wlen, lselen)) return NULL;
  if (olen != xlen) {
    napi_throw_range_error(env, "WARMSTART_NATIVE", "softmaxCrossEntropyGrad: the output must have the logits' size");
    return NULL;
  }
  xent_ctx c = {x, weights, targets, lse, NULL, out, (size_t)cols, (float)dy};
  parallel_for(tlen, (PER_THREAD_ELEMENTS + (size_t)cols - 1) / (size_t)cols, xent_grad_rows, &c);
  return NULL;
}

// ---- gradient clipping: Σ x² over a parameter's gradient, and the gradient scaled in place ----
// The sum runs over fixed blocks of SUM_BLOCK elements, each with eight double accumulators in a fixed order, and
// the block sums are added in block order: the same result whatever the thread count.

#define SUM_BLOCK ((size_t)1 << 16)

typedef struct {
  const float *x;
  size_t n;
  double *block_sums;
  float *out;
  double factor;
} sum_squares_ctx;

HOT_LOOP static void sum_squares_blocks(void *p, size_t begin, size_t end) {
  sum_squares_ctx *c = (sum_squares_ctx *)p;
  for (size_t b = begin; b < end; b++) {
    size_t lo = b * SUM_BLOCK, hi = lo + SUM_BLOCK < c->n ? lo + SUM_BLOCK : c->n;
    double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t i = lo;
    for (; i + 8 <= hi; i += 8)
      for (int l = 0; l < 8; l++) acc[l] += (double)c->x[i + l] * (double)c->x[i + l];
    for (; i < hi; i++) acc[0] += (double)c->x[i] * (double)c->x[i];
    c->block_sums[b] = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  }
}

// sumSquares(x): Σ x[i]² in double precision.
static napi_value sum_squares(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *x;
  size_t n;
  if (argc != 1 || !get_f32(env, argv[0], &x, &n)) return NULL;
  size_t blocks = (n + SUM_BLOCK - 1) / SUM_BLOCK;
  double total = 0;
  if (blocks > 0) {
    double *sums = malloc(blocks * sizeof(double));
    if (sums == NULL) {
      napi_throw_error(env, "WARMSTART_NATIVE", "sumSquares: out of memory");
      return NULL;
    }
    sum_squares_ctx c = {x, n, sums, NULL, 0};
    parallel_for(blocks, (PER_THREAD_ELEMENTS + SUM_BLOCK - 1) / SUM_BLOCK, sum_squares_blocks, &c);
    for (size_t b = 0; b < blocks; b++) total += sums[b];
    free(sums);
  }
  CHECK(napi_create_double(env, total, &result));
  return result;
}

HOT_LOOP static void scale_range(void *p, size_t begin, size_t end) {
  sum_squares_ctx *c = (sum_squares_ctx *)p;
  // In double and rounded once, as JS's x[i] * factor stored into a Float32Array.
  for (size_t i = begin; i < end; i++) c->out[i] = (float)((double)c->out[i] * c->factor);
}

// scaleInPlace(x, factor): x[i] ← x[i]·factor.
static napi_value scale_in_place(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  sum_squares_ctx c = {NULL, 0, NULL, NULL, 0};
  if (argc != 2 || !get_f32(env, argv[0], &c.out, &c.n) || !get_double(env, argv[1], &c.factor)) return NULL;
  parallel_for(c.n, PER_THREAD_ELEMENTS, scale_range, &c);
  return NULL;
}

// ---- setup and introspection ----

// ---- AdamW: one parameter's update in one pass, as torch.optim.AdamW (amsgrad off) ----
// The same double-precision expression, in the same order, as the JS loop of @warmstart/tensors' adamwUpdate, so
// both give the same bits: -std=c11 keeps GCC from contracting a·b + c into a fused multiply-add here (it does that
// only in its GNU modes), and the division by √v̂ + ε stays a true division.

typedef struct {
  const float *param, *grad;
  float *exp_avg, *exp_avg_sq, *out;
  double beta1, beta2, decay, step_size, sqrt_correction2, eps;
} adamw_ctx;

HOT_LOOP static void adamw_range(void *p, size_t begin, size_t end) {
  adamw_ctx *c = (adamw_ctx *)p;
  const double b1 = c->beta1, b2 = c->beta2, one_b1 = 1.0 - c->beta1, one_b2 = 1.0 - c->beta2;
  for (size_t i = begin; i < end; i++) {
    double g = c->grad[i];
    double m = b1 * (double)c->exp_avg[i] + one_b1 * g;
    double v = b2 * (double)c->exp_avg_sq[i] + one_b2 * g * g;
    c->exp_avg[i] = (float)m;
    c->exp_avg_sq[i] = (float)v;
    c->out[i] = (float)((double)c->param[i] * c->decay - (c->step_size * m) / (sqrt(v) / c->sqrt_correction2 + c->eps));
  }
}

// adamw(param, grad, expAvg, expAvgSq, out, beta1, beta2, decay, stepSize, sqrtCorrection2, eps): the moments are
// updated in place, the new weights written to `out` (the caller's tensor may be shared, so `param` stays as it is).
static napi_value adamw(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  adamw_ctx c;
  float *param, *grad, *m, *v, *out;
  size_t plen, glen, mlen, vlen, olen;
  if (argc != 11 || !get_f32(env, argv[0], &param, &plen) || !get_f32(env, argv[1], &grad, &glen) ||
      !get_f32(env, argv[2], &m, &mlen) || !get_f32(env, argv[3], &v, &vlen) || !get_f32(env, argv[4], &out, &olen) ||
      !get_double(env, argv[5], &c.beta1) || !get_double(env, argv[6], &c.beta2) || !get_double(env, argv[7], &c.decay) ||
      !get_double(env, argv[8], &c.step_size) || !get_double(env, argv[9], &c.sqrt_correction2) ||
      !get_double(env, argv[10], &c.eps))
    return NULL;
  if (glen != plen || mlen != plen || vlen != plen || olen != plen) {
    napi_throw_range_error(env, "WARMSTART_NATIVE", "adamw: parameter, gradient, moments and output differ in size");
    return NULL;
  }
  c.param = param;
  c.grad = grad;
  c.exp_avg = m;
  c.exp_avg_sq = v;
  c.out = out;
  parallel_for(plen, PER_THREAD_ELEMENTS, adamw_range, &c);
  return NULL;
}

static napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int64_t n;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 1 || !get_int(env, argv[0], &n)) return NULL;
  if (n < 1) n = 1;
  g_threads = (int)n;
  set_blas_threads((int)n);
  return NULL;
}

#ifdef WARMSTART_BLAS_OPENBLAS
#define BLAS_NAME "openblas"
#define BLAS_CORE openblas_get_corename()
#define BLAS_CONFIG openblas_get_config()
#else
#define BLAS_NAME "bundled"
#define BLAS_CORE ws_gemm_kernel()
static char g_bundled_config[96];
#define BLAS_CONFIG g_bundled_config
#endif

static napi_value get_info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value obj, v;
  CHECK(napi_create_object(env, &obj));
  CHECK(napi_create_string_utf8(env, BLAS_CORE, NAPI_AUTO_LENGTH, &v));
  CHECK(napi_set_named_property(env, obj, "blasCore", v));
  CHECK(napi_create_string_utf8(env, BLAS_CONFIG, NAPI_AUTO_LENGTH, &v));
  CHECK(napi_set_named_property(env, obj, "blasConfig", v));
  // The most OpenBLAS uses: products under GEMM_THREADED_MIN_FLOPS run on one thread.
  CHECK(napi_create_int32(env, g_threads, &v));
  CHECK(napi_set_named_property(env, obj, "blasThreads", v));
  CHECK(napi_create_int32(env, g_threads, &v));
  CHECK(napi_set_named_property(env, obj, "threads", v));
  return obj;
}

// buildInfo() → { blas: "openblas" | "bundled", kernel, config, skinnyKernel }: which BLAS this addon was compiled
// against and the kernel it runs (OpenBLAS's core name, or the bundled micro-kernel chosen for this CPU), and the
// kernel of the few-row products (skinny.c).
static napi_value get_build_info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value obj, v;
  CHECK(napi_create_object(env, &obj));
  CHECK(napi_create_string_utf8(env, BLAS_NAME, NAPI_AUTO_LENGTH, &v));
  CHECK(napi_set_named_property(env, obj, "blas", v));
  CHECK(napi_create_string_utf8(env, BLAS_CORE, NAPI_AUTO_LENGTH, &v));
  CHECK(napi_set_named_property(env, obj, "kernel", v));
  CHECK(napi_create_string_utf8(env, BLAS_CONFIG, NAPI_AUTO_LENGTH, &v));
  CHECK(napi_set_named_property(env, obj, "config", v));
  CHECK(napi_create_string_utf8(env, ws_skinny_kernel_name(), NAPI_AUTO_LENGTH, &v));
  CHECK(napi_set_named_property(env, obj, "skinnyKernel", v));
  return obj;
}

// Applies WARMSTART_GEMM_KERNEL with `select` (a kernel chooser returning NULL or why the kernel cannot run); on a
// refusal throws the reason, so a kernel this CPU cannot run fails the load instead of being ignored.
static bool kernel_chosen(napi_env env, const char *(*select)(const char *requested)) {
  const char *requested = getenv("WARMSTART_GEMM_KERNEL");
  const char *why = select(requested);
  if (why == NULL) return true;
  char message[256];
  snprintf(message, sizeof message, "WARMSTART_GEMM_KERNEL=%s: %s", requested, why);
  napi_throw_error(env, "WARMSTART_NATIVE", message);
  return false;
}

static napi_value init(napi_env env, napi_value exports) {
#ifdef WARMSTART_BLAS_OPENBLAS
  g_threads = openblas_get_num_threads();
#else
  // WARMSTART_GEMM_KERNEL picks a micro-kernel other than the best this CPU runs (tests of each kernel, and
  // benchmarks); one the CPU cannot run fails the load with the reason instead of being ignored.
  if (!kernel_chosen(env, ws_gemm_select)) return NULL;
  snprintf(g_bundled_config, sizeof g_bundled_config, "warmstart bundled GEMM, %s %s micro-kernel", ws_gemm_kernel(),
           ws_gemm_tile());
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  g_threads = cores < 1 ? 1 : (int)cores;
#endif
  // The same variable picks the kernel of the few-row products (skinny.c) in either build.
  if (!kernel_chosen(env, ws_skinny_select)) return NULL;
  g_blas_threads = g_threads;
  napi_property_descriptor props[] = {
      {"gemm", NULL, gemm, NULL, NULL, NULL, napi_default, NULL},
      {"softmax", NULL, softmax, NULL, NULL, NULL, napi_default, NULL},
      {"transpose", NULL, transpose, NULL, NULL, NULL, napi_default, NULL},
      {"unary", NULL, unary, NULL, NULL, NULL, napi_default, NULL},
      {"binary", NULL, binary, NULL, NULL, NULL, napi_default, NULL},
      {"reduce", NULL, reduce, NULL, NULL, NULL, napi_default, NULL},
      {"reduceMid", NULL, reduce_mid, NULL, NULL, NULL, napi_default, NULL},
      {"layerNorm", NULL, layer_norm, NULL, NULL, NULL, napi_default, NULL},
      {"layerNormGrad", NULL, layer_norm_grad, NULL, NULL, NULL, napi_default, NULL},
      {"gelu", NULL, gelu, NULL, NULL, NULL, napi_default, NULL},
      {"maskedSoftmax", NULL, masked_softmax, NULL, NULL, NULL, napi_default, NULL},
      {"softmaxGrad", NULL, softmax_grad, NULL, NULL, NULL, napi_default, NULL},
      {"geluGrad", NULL, gelu_grad, NULL, NULL, NULL, napi_default, NULL},
      {"softmaxCrossEntropy", NULL, softmax_cross_entropy, NULL, NULL, NULL, napi_default, NULL},
      {"softmaxCrossEntropyGrad", NULL, softmax_cross_entropy_grad, NULL, NULL, NULL, napi_default, NULL},
      {"adamw", NULL, adamw, NULL, NULL, NULL, napi_default, NULL},
      {"sumSquares", NULL, sum_squares, NULL, NULL, NULL, napi_default, NULL},
      {"scaleInPlace", NULL, scale_in_place, NULL, NULL, NULL, napi_default, NULL},
      {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_default, NULL},
      {"info", NULL, get_info, NULL, NULL, NULL, napi_default, NULL},
      {"buildInfo", NULL, get_build_info, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
