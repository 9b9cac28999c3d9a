// Products with few rows against a transposed B: C (m x n) = A (m x k) · Bᵀ, B n x k, m ≤ WS_SKINNY_MAX_ROWS.
//
// A decoding step multiplies a handful of rows (one per beam or sample) by every weight matrix of the model, so
// its time is the time to stream the weights from memory once. BLAS libraries treat such a product as a general
// GEMM: they pack (copy) B into panels first — a second full pass over the largest operand — and OpenBLAS then
// runs it on one thread; measured on the BERT-base decoder's shapes (4 x 768 · 768 x 768ᵀ and the 30522-row
// output layer) that reaches 3-4.5 GB/s, against 16 GB/s for its own matrix-vector product. Here each row of B —
// a dense layer's [out, in] weight row, contiguous — is read once and dotted with every row of A at the same time,
// one vector accumulator per row of A. (B untransposed, as GPT-2's [in, out] Conv1D weights, still goes to the
// BLAS: a row-streaming version of this kernel measured 1.3-2.6 GB/s here and was dropped.)
// Kernels for AVX-512 and AVX2+FMA (per-function target attributes, chosen at load time as in gemm.c) and plain C.
// Callers split the columns [j0, j1) between threads; a kernel writes only its columns.
#include "skinny.h"

#include <stdbool.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define WS_SKINNY_X86 1
#endif

// Row pointers of A for all WS_SKINNY_MAX_ROWS accumulators: rows past m repeat row 0, so a kernel specialised for R
// rows (m rounded up to 1, 2, 4 or 8) reads valid memory for its extra rows and stores only m of them.
static void row_pointers(const float *a, size_t lda, size_t m, const float **rows) {
  for (size_t r = 0; r < WS_SKINNY_MAX_ROWS; r++) rows[r] = a + (r < m ? r : 0) * lda;
}

// ---- plain C ----

static void skinny_generic(const ws_skinny_args *s, size_t j0, size_t j1) {
  const float *rows[WS_SKINNY_MAX_ROWS];
  row_pointers(s->a, s->lda, s->m, rows);
  for (size_t j = j0; j < j1; j++) {
    const float *bj = s->b + j * s->ldb;
    for (size_t r = 0; r < s->m; r++) {
      // Eight partial sums so that compilers vectorise the loop without reassociating one sum.
      float acc[8] = {0};
      size_t p = 0;
      for (; p + 8 <= s->k; p += 8) {
        for (size_t l = 0; l < 8; l++) acc[l] += rows[r][p + l] * bj[p + l];
      }
      float sum = 0.f;
      for (size_t l = 0; l < 8; l++) sum += acc[l];
      for (; p < s->k; p++) sum += rows[r][p] * bj[p];
      float *out = s->c + r * s->ldc + j;
      *out = s->accumulate ? *out + sum : sum;
    }
  }
}

#ifdef WS_SKINNY_X86
// ---- AVX2 + FMA ----

__attribute__((target("avx2,fma"))) static inline float hsum256(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// Exactly R rows of A (R a constant after inlining, so the accumulators stay in registers).
__attribute__((target("avx2,fma"), always_inline)) static inline void dots_avx2(const ws_skinny_args *s,
                                                                             const float *const *rows, size_t R,
                                                                             size_t j0, size_t j1) {
  const size_t k = s->k, kv = k & ~(size_t)7;
  for (size_t j = j0; j < j1; j++) {
    const float *bj = s->b + j * s->ldb;
    __m256 acc[WS_SKINNY_MAX_ROWS];
    for (size_t r = 0; r < R; r++) acc[r] = _mm256_setzero_ps();
    for (size_t p = 0; p < kv; p += 8) {
      const __m256 bv = _mm256_loadu_ps(bj + p);
      for (size_t r = 0; r < R; r++) acc[r] = _mm256_fmadd_ps(_mm256_loadu_ps(rows[r] + p), bv, acc[r]);
    }
    for (size_t r = 0; r < R && r < s->m; r++) {
      float sum = hsum256(acc[r]);
      for (size_t p = kv; p < k; p++) sum += rows[r][p] * bj[p];
      float *out = s->c + r * s->ldc + j;
      *out = s->accumulate ? *out + sum : sum;
    }
  }
}

// Row counts round up to 1, 2, 4 or 8 accumulators: few rows do not pay for 8 (measured: one row against a
// cache-resident 768x768 weight ran at half speed with 8 accumulators).
#define DISPATCH_ROWS(dots, s, rows, j0, j1) \
  do {                                       \
    if ((s)->m == 1)                         \
      dots(s, rows, 1, j0, j1);              \
    else if ((s)->m == 2)                    \
      dots(s, rows, 2, j0, j1);              \
    else if ((s)->m <= 4)                    \
      dots(s, rows, 4, j0, j1);              \
    else                                     \
      dots(s, rows, 8, j0, j1);              \
  } while (0)

__attribute__((target("avx2,fma"))) static void skinny_avx2(const ws_skinny_args *s, size_t j0, size_t j1) {
  const float *rows[WS_SKINNY_MAX_ROWS];
  row_pointers(s->a, s->lda, s->m, rows);
  DISPATCH_ROWS(dots_avx2, s, rows, j0, j1);
}

// ---- AVX-512 ----

// Exactly R rows of A (R a constant after inlining, so the accumulators stay in registers).
__attribute__((target("avx512f"), always_inline)) static inline void dots_avx512(const ws_skinny_args *s,
                                                                                const float *const *rows, size_t R,
                                                                                size_t j0, size_t j1) {
  const size_t k = s->k, kv = k & ~(size_t)15;
  // The last partial vector of a row, read with a mask instead of a scalar loop.
  const __mmask16 tail = (__mmask16)((1u << (k - kv)) - 1u);
  for (size_t j = j0; j < j1; j++) {
    const float *bj = s->b + j * s->ldb;
    __m512 acc[WS_SKINNY_MAX_ROWS];
    for (size_t r = 0; r < R; r++) acc[r] = _mm512_setzero_ps();
    for (size_t p = 0; p < kv; p += 16) {
      const __m512 bv = _mm512_loadu_ps(bj + p);
      for (size_t r = 0; r < R; r++) acc[r] = _mm512_fmadd_ps(_mm512_loadu_ps(rows[r] + p), bv, acc[r]);
    }
    if (tail != 0) {
      const __m512 bv = _mm512_maskz_loadu_ps(tail, bj + kv);
      for (size_t r = 0; r < R; r++) acc[r] = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(tail, rows[r] + kv), bv, acc[r]);
    }
    for (size_t r = 0; r < R && r < s->m; r++) {
      const float sum = _mm512_reduce_add_ps(acc[r]);
      float *out = s->c + r * s->ldc + j;
      *out = s->accumulate ? *out + sum : sum;
    }
  }
}

__attribute__((target("avx512f"))) static void skinny_avx512(const ws_skinny_args *s, size_t j0, size_t j1) {
  const float *rows[WS_SKINNY_MAX_ROWS];
  row_pointers(s->a, s->lda, s->m, rows);
  DISPATCH_ROWS(dots_avx512, s, rows, j0, j1);
}
#endif

typedef void (*skinny_kernel)(const ws_skinny_args *s, size_t j0, size_t j1);

static skinny_kernel g_kernel = NULL;

const char *ws_skinny_select(const char *requested) {
  const bool any = requested == NULL || requested[0] == '\0';
  skinny_kernel kernel = NULL;
#ifdef WS_SKINNY_X86
  __builtin_cpu_init();
  const bool avx512 = __builtin_cpu_supports("avx512f");
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (any) {
    kernel = avx512 ? skinny_avx512 : avx2 ? skinny_avx2 : skinny_generic;
  } else if (strcmp(requested, "avx512") == 0) {
    if (!avx512) return "this CPU has no AVX-512";
    kernel = skinny_avx512;
  } else if (strcmp(requested, "avx2") == 0) {
    if (!avx2) return "this CPU has no AVX2 with FMA";
    kernel = skinny_avx2;
  }
#else
  if (any) kernel = skinny_generic;
#endif
  // The plain C kernel is what the compiler vectorises for the target (NEON on arm64): "neon" means it there.
  if (!any && (strcmp(requested, "generic") == 0 || strcmp(requested, "neon") == 0)) kernel = skinny_generic;
  if (kernel == NULL) return "unknown kernel: expected avx512, avx2, neon or generic";
  g_kernel = kernel;
  return NULL;
}

void ws_skinny_gemm_columns(const ws_skinny_args *s, size_t j0, size_t j1) {
  if (s->m == 0 || j0 >= j1) return;
  if (s->k == 0) {
    if (!s->accumulate) {
      for (size_t r = 0; r < s->m; r++) memset(s->c + r * s->ldc + j0, 0, (j1 - j0) * sizeof(float));
    }
    return;
  }
  if (g_kernel == NULL) ws_skinny_select(NULL);
  g_kernel(s, j0, j1);
}

const char *ws_skinny_kernel_name(void) {
  if (g_kernel == NULL) ws_skinny_select(NULL);
#ifdef WS_SKINNY_X86
  if (g_kernel == skinny_avx512) return "avx512";
  if (g_kernel == skinny_avx2) return "avx2";
#endif
  return "generic";
}
