// The bundled sgemm: what the addon's matrix products run on when it is built without OpenBLAS.
//
// The design is GotoBLAS/BLIS's, written in C with intrinsics:
//   - op(A) and op(B) are copied ("packed") into contiguous, zero-padded micro-panels, so the innermost loop
//     reads both operands sequentially whatever the transpose flags and leading dimensions were;
//   - the loops are blocked so that each packed piece stays in the cache level that reuses it: a block of
//     op(A) (MB rows x KC) in L3, a block of op(B) (KC x NB columns) in L2, and one MR-row micro-panel of
//     A in L1 while it sweeps every NR-column micro-panel of the B block;
//   - a register-blocked micro-kernel computes one MR x NR tile of C over KC steps entirely in vector
//     registers (one broadcast of A and NR/width loads of B feed MR·NR/width fused multiply-adds);
//   - tiles cut by the edge of C are computed in full on the zero-padded panels and only their valid part
//     is written back.
// Kernels for AVX-512, AVX2+FMA, NEON and plain C are compiled into the same binary (per-function target
// attributes on x86) and one is chosen at load time from what the CPU supports, so the addon can be copied
// between machines. Threads split C into column (or row) strips that are computed independently.
#include "gemm.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define WS_X86 1
#endif
#if defined(__aarch64__)
#include <arm_neon.h>
#define WS_NEON 1
#endif

// A micro-kernel: c[0..mr)[0..nr) = alpha · (a-panel · b-panel) + beta · c, where the a panel holds, for each of
// kc steps, MR values (one per row) and the b panel NR values (one per column). mr ≤ MR and nr ≤ NR say how
// much of the tile lies inside C; beta == 0 never reads c.
typedef void (*micro_kernel)(size_t kc, const float *a, const float *b, float *c, size_t ldc, float alpha, float beta,
                             size_t mr, size_t nr);

typedef struct {
  const char *name, *tile;
  size_t mr, nr;  // register tile
  size_t kc;      // depth of one packed block: an MR x KC panel of A (and NR x KC of B) stays in L1
  size_t nb;      // columns of the packed B block kept in L2 (a multiple of NR): a default, sized to L2 at load
  size_t mb;      // rows of the packed A block kept in L3 (a multiple of MR)
  micro_kernel run;
} kernel_desc;

// Writes an mr x nr tile held in `acc` (row stride `stride`) back to C with alpha and beta.
static inline void store_tile(const float *acc, size_t stride, float *c, size_t ldc, float alpha, float beta, size_t mr,
                              size_t nr) {
  for (size_t i = 0; i < mr; i++) {
    float *row = c + i * ldc;
    const float *src = acc + i * stride;
    if (beta == 0.f) {
      for (size_t j = 0; j < nr; j++) row[j] = alpha * src[j];
    } else {
      for (size_t j = 0; j < nr; j++) row[j] = alpha * src[j] + beta * row[j];
    }
  }
}

// ---- plain C: 4 x 16, which compilers vectorise for whatever baseline they target ----

#define GEN_MR 4
#define GEN_NR 16
static void kernel_generic(size_t kc, const float *a, const float *b, float *c, size_t ldc, float alpha, float beta,
                           size_t mr, size_t nr) {
  float acc[GEN_MR][GEN_NR] = {{0}};
  for (size_t p = 0; p < kc; p++) {
    for (size_t i = 0; i < GEN_MR; i++) {
      float ai = a[p * GEN_MR + i];
      for (size_t j = 0; j < GEN_NR; j++) acc[i][j] += ai * b[p * GEN_NR + j];
    }
  }
  store_tile(&acc[0][0], GEN_NR, c, ldc, alpha, beta, mr, nr);
}

#ifdef WS_X86
// ---- AVX2 + FMA: 6 x 16, 12 accumulators + 2 B vectors + 1 broadcast of the 16 ymm registers ----

#define AVX2_MR 6
#define AVX2_NR 16
__attribute__((target("avx2,fma"))) static void kernel_avx2(size_t kc, const float *a, const float *b, float *c,
                                                              size_t ldc, float alpha, float beta, size_t mr,
                                                              size_t nr) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps(), c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps(), c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps(), c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
#define AVX2_ROW(i)                          \
  {                                          \
    __m256 ai = _mm256_broadcast_ss(a + i);  \
    c##i##0 = _mm256_fmadd_ps(ai, b0, c##i##0); \
    c##i##1 = _mm256_fmadd_ps(ai, b1, c##i##1); \
  }
  // The tile of C is read only after the loop: start fetching it now (it is usually in L3 or memory).
  for (size_t i = 0; i < mr; i++) {
    _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
    _mm_prefetch((const char *)(c + i * ldc + AVX2_NR - 1), _MM_HINT_T0);
  }
  for (size_t p = 0; p < kc; p++) {
    __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
    _mm_prefetch((const char *)(b + 8 * AVX2_NR), _MM_HINT_T0);
    AVX2_ROW(0) AVX2_ROW(1) AVX2_ROW(2) AVX2_ROW(3) AVX2_ROW(4) AVX2_ROW(5)
    a += AVX2_MR;
    b += AVX2_NR;
  }
#undef AVX2_ROW
  __m256 acc[AVX2_MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  if (mr == AVX2_MR && nr == AVX2_NR) {
    __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
    for (size_t i = 0; i < AVX2_MR; i++) {
      float *row = c + i * ldc;
      for (size_t h = 0; h < 2; h++) {
        __m256 v = _mm256_mul_ps(va, acc[i][h]);
        if (beta != 0.f) v = _mm256_fmadd_ps(vb, _mm256_loadu_ps(row + 8 * h), v);
        _mm256_storeu_ps(row + 8 * h, v);
      }
    }
  } else {
    float tile[AVX2_MR * AVX2_NR] __attribute__((aligned(32)));
    for (size_t i = 0; i < AVX2_MR; i++) {
      _mm256_store_ps(tile + i * AVX2_NR, acc[i][0]);
      _mm256_store_ps(tile + i * AVX2_NR + 8, acc[i][1]);
    }
    store_tile(tile, AVX2_NR, c, ldc, alpha, beta, mr, nr);
  }
}

// ---- AVX-512: 12 x 32, 24 accumulators + 2 B vectors + 1 broadcast of the 32 zmm registers ----

#define AVX512_MR 12
#define AVX512_NR 32
__attribute__((target("avx512f,fma"))) static void kernel_avx512(size_t kc, const float *a, const float *b, float *c,
                                                                   size_t ldc, float alpha, float beta, size_t mr,
                                                                   size_t nr) {
  __m512 acc0[AVX512_MR], acc1[AVX512_MR];
  for (size_t i = 0; i < AVX512_MR; i++) acc0[i] = acc1[i] = _mm512_setzero_ps();
  for (size_t i = 0; i < mr; i++) {
    _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
    _mm_prefetch((const char *)(c + i * ldc + AVX512_NR - 1), _MM_HINT_T0);
  }
  for (size_t p = 0; p < kc; p++) {
    __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
    _mm_prefetch((const char *)(b + 8 * AVX512_NR), _MM_HINT_T0);
    // A fixed trip count: the compiler unrolls it and keeps every accumulator in a register.
    for (size_t i = 0; i < AVX512_MR; i++) {
      __m512 ai = _mm512_set1_ps(a[i]);
      acc0[i] = _mm512_fmadd_ps(ai, b0, acc0[i]);
      acc1[i] = _mm512_fmadd_ps(ai, b1, acc1[i]);
    }
    a += AVX512_MR;
    b += AVX512_NR;
  }
  if (mr == AVX512_MR && nr == AVX512_NR) {
    __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    for (size_t i = 0; i < AVX512_MR; i++) {
      float *row = c + i * ldc;
      __m512 v0 = _mm512_mul_ps(va, acc0[i]), v1 = _mm512_mul_ps(va, acc1[i]);
      if (beta != 0.f) {
        v0 = _mm512_fmadd_ps(vb, _mm512_loadu_ps(row), v0);
        v1 = _mm512_fmadd_ps(vb, _mm512_loadu_ps(row + 16), v1);
      }
      _mm512_storeu_ps(row, v0);
      _mm512_storeu_ps(row + 16, v1);
    }
  } else {
    float tile[AVX512_MR * AVX512_NR] __attribute__((aligned(64)));
    for (size_t i = 0; i < AVX512_MR; i++) {
      _mm512_store_ps(tile + i * AVX512_NR, acc0[i]);
      _mm512_store_ps(tile + i * AVX512_NR + 16, acc1[i]);
    }
    store_tile(tile, AVX512_NR, c, ldc, alpha, beta, mr, nr);
  }
}
#endif

#ifdef WS_NEON
// ---- NEON: 8 x 12, 24 accumulators + 3 B vectors + 2 vectors of A (lane-indexed FMA) of the 32 registers ----

#define NEON_MR 8
#define NEON_NR 12
static void kernel_neon(size_t kc, const float *a, const float *b, float *c, size_t ldc, float alpha, float beta,
                        size_t mr, size_t nr) {
  float32x4_t acc[NEON_MR][3];
  for (size_t i = 0; i < NEON_MR; i++) acc[i][0] = acc[i][1] = acc[i][2] = vdupq_n_f32(0.f);
#define NEON_ROW(i, av, lane)                              \
  acc[i][0] = vfmaq_laneq_f32(acc[i][0], b0, av, lane);    \
  acc[i][1] = vfmaq_laneq_f32(acc[i][1], b1, av, lane);    \
  acc[i][2] = vfmaq_laneq_f32(acc[i][2], b2, av, lane);
  for (size_t p = 0; p < kc; p++) {
    float32x4_t a0 = vld1q_f32(a), a1 = vld1q_f32(a + 4);
    float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4), b2 = vld1q_f32(b + 8);
    NEON_ROW(0, a0, 0) NEON_ROW(1, a0, 1) NEON_ROW(2, a0, 2) NEON_ROW(3, a0, 3)
    NEON_ROW(4, a1, 0) NEON_ROW(5, a1, 1) NEON_ROW(6, a1, 2) NEON_ROW(7, a1, 3)
    a += NEON_MR;
    b += NEON_NR;
  }
#undef NEON_ROW
  float tile[NEON_MR * NEON_NR];
  for (size_t i = 0; i < NEON_MR; i++) {
    vst1q_f32(tile + i * NEON_NR, acc[i][0]);
    vst1q_f32(tile + i * NEON_NR + 4, acc[i][1]);
    vst1q_f32(tile + i * NEON_NR + 8, acc[i][2]);
  }
  store_tile(tile, NEON_NR, c, ldc, alpha, beta, mr, nr);
}
#endif

// Block sizes: KC x NR floats of B (16-32 KiB) and MR x KC of A fit L1 with room for C, a KC x NB block of B
// fits half of a 512 KiB-1 MiB L2, and an MB x KC block of A a few MiB of L3 (BLIS's choices for these shapes).
static const kernel_desc KERNELS[] = {
#ifdef WS_X86
    {"avx512", "12x32", AVX512_MR, AVX512_NR, 256, 256, 3072, kernel_avx512},
    {"avx2", "6x16", AVX2_MR, AVX2_NR, 256, 192, 4080, kernel_avx2},
#endif
#ifdef WS_NEON
    {"neon", "8x12", NEON_MR, NEON_NR, 256, 192, 4096, kernel_neon},
#endif
    {"generic", "4x16", GEN_MR, GEN_NR, 256, 128, 2048, kernel_generic},
};
#define KERNEL_COUNT (sizeof(KERNELS) / sizeof(KERNELS[0]))

static int cpu_runs(const char *name) {
#ifdef WS_X86
  __builtin_cpu_init();
  if (strcmp(name, "avx512") == 0) return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
  if (strcmp(name, "avx2") == 0) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  (void)name;
  return 1;  // NEON is part of AArch64, and the generic kernel runs anywhere
}

// The kernel in use, with its B block resized to this machine's L2.
static kernel_desc g_active;
static const kernel_desc *g_kernel = NULL;

// The B block (KC x NB floats) takes about 3/4 of L2, leaving room for the A micro-panel and C tiles in flight:
// 2048³ ran 10-15% faster with NB = 384 than with 192 on a 512 KiB L2. Without a reported size, the default.
static void use_kernel(const kernel_desc *kd) {
  g_active = *kd;
  long l2 = -1;
#ifdef _SC_LEVEL2_CACHE_SIZE
  l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
#endif
  if (l2 > 0) {
    size_t nb = (size_t)l2 * 3 / 4 / (kd->kc * sizeof(float)) / kd->nr * kd->nr;
    if (nb < 4 * kd->nr) nb = 4 * kd->nr;
    if (nb > 1024) nb = 1024 / kd->nr * kd->nr;
    g_active.nb = nb;
  }
  g_kernel = &g_active;
}

static const kernel_desc *kernel(void) {
  if (g_kernel == NULL) ws_gemm_select(NULL);
  return g_kernel;
}

const char *ws_gemm_select(const char *requested) {
  if (requested == NULL || requested[0] == '\0') {
    for (size_t i = 0; i < KERNEL_COUNT; i++) {
      if (cpu_runs(KERNELS[i].name)) {
        use_kernel(&KERNELS[i]);
        return NULL;
      }
    }
    return "no GEMM kernel runs on this CPU";  // unreachable: the generic kernel runs anywhere
  }
  for (size_t i = 0; i < KERNEL_COUNT; i++) {
    if (strcmp(KERNELS[i].name, requested) != 0) continue;
    if (!cpu_runs(requested)) return "this CPU lacks the instructions of the requested GEMM kernel";
    use_kernel(&KERNELS[i]);
    return NULL;
  }
  return "unknown GEMM kernel: expected avx512, avx2 (x86-64), neon (AArch64) or generic";
}

const char *ws_gemm_kernel(void) { return kernel()->name; }
const char *ws_gemm_tile(void) { return kernel()->tile; }

// ---- packing ----

// op(A)[i0 .. i0+rows)[p0 .. p0+kc) into micro-panels of mr rows, each kc steps of mr values, rows past the
// edge zero so the micro-kernel needs no edge case.
static void pack_a(int trans, const float *a, size_t lda, size_t i0, size_t rows, size_t p0, size_t kc, size_t mr,
                   float *dst) {
  for (size_t ir = 0; ir < rows; ir += mr, dst += mr * kc) {
    size_t h = rows - ir < mr ? rows - ir : mr;
    if (trans) {  // op(A)[i][p] = a[p·lda + i]: each step's mr values are contiguous
      for (size_t p = 0; p < kc; p++) {
        const float *src = a + (p0 + p) * lda + i0 + ir;
        float *d = dst + p * mr;
        for (size_t r = 0; r < h; r++) d[r] = src[r];
        for (size_t r = h; r < mr; r++) d[r] = 0.f;
      }
    } else {  // op(A)[i][p] = a[i·lda + p]: read each row sequentially
      for (size_t r = 0; r < h; r++) {
        const float *src = a + (i0 + ir + r) * lda + p0;
        for (size_t p = 0; p < kc; p++) dst[p * mr + r] = src[p];
      }
      for (size_t r = h; r < mr; r++) {
        for (size_t p = 0; p < kc; p++) dst[p * mr + r] = 0.f;
      }
    }
  }
}

// op(B)[p0 .. p0+kc)[j0 .. j0+cols) into micro-panels of nr columns, each kc steps of nr values, zero-padded.
static void pack_b(int trans, const float *b, size_t ldb, size_t p0, size_t kc, size_t j0, size_t cols, size_t nr,
                   float *dst) {
  for (size_t jr = 0; jr < cols; jr += nr, dst += nr * kc) {
    size_t w = cols - jr < nr ? cols - jr : nr;
    if (trans) {  // op(B)[p][j] = b[j·ldb + p]: read each of B's rows sequentially
      for (size_t j = 0; j < w; j++) {
        const float *src = b + (j0 + jr + j) * ldb + p0;
        for (size_t p = 0; p < kc; p++) dst[p * nr + j] = src[p];
      }
      for (size_t j = w; j < nr; j++) {
        for (size_t p = 0; p < kc; p++) dst[p * nr + j] = 0.f;
      }
    } else {  // op(B)[p][j] = b[p·ldb + j]: each step's nr values are contiguous
      for (size_t p = 0; p < kc; p++) {
        const float *src = b + (p0 + p) * ldb + j0 + jr;
        float *d = dst + p * nr;
        memcpy(d, src, w * sizeof(float));
        for (size_t j = w; j < nr; j++) d[j] = 0.f;
      }
    }
  }
}

// ---- packing buffers, reused across calls (first touch of fresh pages would otherwise cost as much as a
// small product); a pool rather than one static pair so concurrent callers (worker threads) stay safe ----

typedef struct {
  float *data;
  size_t floats;
  int busy;
} pack_buffer;

#define POOL_SIZE 64
static pack_buffer g_pool[POOL_SIZE];
static pthread_mutex_t g_pool_lock = PTHREAD_MUTEX_INITIALIZER;

// A 64-byte-aligned buffer of at least `floats` floats, or NULL when memory is exhausted.
static pack_buffer *acquire(size_t floats) {
  pthread_mutex_lock(&g_pool_lock);
  pack_buffer *pick = NULL;
  for (size_t i = 0; i < POOL_SIZE && pick == NULL; i++) {
    if (!g_pool[i].busy && g_pool[i].floats >= floats) pick = &g_pool[i];
  }
  for (size_t i = 0; i < POOL_SIZE && pick == NULL; i++) {
    if (!g_pool[i].busy) pick = &g_pool[i];
  }
  if (pick != NULL) pick->busy = 1;
  pthread_mutex_unlock(&g_pool_lock);
  if (pick == NULL) return NULL;
  if (pick->floats < floats) {
    free(pick->data);
    size_t bytes = (floats * sizeof(float) + 63) & ~(size_t)63;
    pick->data = aligned_alloc(64, bytes);
    pick->floats = pick->data == NULL ? 0 : floats;
    if (pick->data == NULL) {
      pthread_mutex_lock(&g_pool_lock);
      pick->busy = 0;
      pthread_mutex_unlock(&g_pool_lock);
      return NULL;
    }
  }
  return pick;
}

static void release(pack_buffer *buffer) {
  pthread_mutex_lock(&g_pool_lock);
  buffer->busy = 0;
  pthread_mutex_unlock(&g_pool_lock);
}

// ---- one thread's product ----

typedef struct {
  int trans_a, trans_b;
  size_t m, n, k;
  float alpha;
  const float *a;
  size_t lda;
  const float *b;
  size_t ldb;
  float beta;
  float *c;
  size_t ldc;
  int ok;  // 0 when the packing buffers could not be allocated
} gemm_job;

static size_t round_up(size_t x, size_t to) { return (x + to - 1) / to * to; }
static size_t min_size(size_t x, size_t y) { return x < y ? x : y; }

// The block size of `extent` split into equal blocks of at most `block` (in multiples of `unit`): a 1024-column
// strip in blocks of 384 would end in a 256-wide one that streams the A panels from L3 for a third of the work.
static size_t balanced(size_t extent, size_t block, size_t unit) {
  size_t blocks = (extent + block - 1) / block;
  return round_up((extent + blocks - 1) / blocks, unit);
}

static void gemm_serial(gemm_job *job) {
  const kernel_desc *kd = kernel();
  size_t m = job->m, n = job->n, k = job->k;
  size_t kc_max = balanced(k, kd->kc, 1), mb_max = balanced(m, kd->mb, kd->mr), nb_max = balanced(n, kd->nb, kd->nr);
  pack_buffer *abuf = acquire(round_up(mb_max, kd->mr) * kc_max);
  pack_buffer *bbuf = abuf == NULL ? NULL : acquire(round_up(nb_max, kd->nr) * kc_max);
  if (bbuf == NULL) {
    if (abuf != NULL) release(abuf);
    job->ok = 0;
    return;
  }
  for (size_t ic = 0; ic < m; ic += mb_max) {
    size_t mb = min_size(mb_max, m - ic);
    for (size_t pc = 0; pc < k; pc += kc_max) {
      size_t kc = min_size(kc_max, k - pc);
      // Later depth blocks add onto what the first wrote.
      float beta = pc == 0 ? job->beta : 1.f;
      pack_a(job->trans_a, job->a, job->lda, ic, mb, pc, kc, kd->mr, abuf->data);
      for (size_t jc = 0; jc < n; jc += nb_max) {
        size_t nb = min_size(nb_max, n - jc);
        pack_b(job->trans_b, job->b, job->ldb, pc, kc, jc, nb, kd->nr, bbuf->data);
        for (size_t ir = 0; ir < mb; ir += kd->mr) {
          const float *ap = abuf->data + ir * kc;
          float *crow = job->c + (ic + ir) * job->ldc + jc;
          size_t mr = min_size(kd->mr, mb - ir);
          for (size_t jr = 0; jr < nb; jr += kd->nr) {
            kd->run(kc, ap, bbuf->data + jr * kc, crow + jr, job->ldc, job->alpha, beta, mr, min_size(kd->nr, nb - jr));
          }
        }
      }
    }
  }
  release(bbuf);
  release(abuf);
  job->ok = 1;
}

// Strips of C handed out one at a time to whichever thread is free (the caller included), so a strip whose
// thread could not be started is still computed.
typedef struct {
  gemm_job *strips;
  size_t count;
  size_t next;  // the next strip to take (atomic)
} strip_queue;

static void *gemm_worker(void *arg) {
  strip_queue *q = (strip_queue *)arg;
  for (;;) {
    size_t i = __atomic_fetch_add(&q->next, 1, __ATOMIC_RELAXED);
    if (i >= q->count) return NULL;
    gemm_serial(&q->strips[i]);
  }
}

// C = beta · C without reading C when beta is 0 (the k == 0 product, and the fallback below).
static void scale_c(float *c, size_t ldc, size_t m, size_t n, float beta) {
  for (size_t i = 0; i < m; i++) {
    float *row = c + i * ldc;
    if (beta == 0.f) {
      memset(row, 0, n * sizeof(float));
    } else {
      for (size_t j = 0; j < n; j++) row[j] *= beta;
    }
  }
}

// Without memory for packing, the product is still computed, slowly, rather than left wrong.
static void gemm_unpacked(const gemm_job *j) {
  for (size_t i = 0; i < j->m; i++) {
    for (size_t col = 0; col < j->n; col++) {
      double sum = 0.0;
      for (size_t p = 0; p < j->k; p++) {
        float av = j->trans_a ? j->a[p * j->lda + i] : j->a[i * j->lda + p];
        float bv = j->trans_b ? j->b[col * j->ldb + p] : j->b[p * j->ldb + col];
        sum += (double)av * (double)bv;
      }
      float *out = j->c + i * j->ldc + col;
      *out = j->alpha * (float)sum + (j->beta == 0.f ? 0.f : j->beta * *out);
    }
  }
}

#define MAX_THREADS 16
#define MAX_STRIPS 64

void ws_sgemm(int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda,
              const float *b, size_t ldb, float beta, float *c, size_t ldc, int threads) {
  if (m == 0 || n == 0) return;
  if (k == 0 || alpha == 0.f) {
    scale_c(c, ldc, m, n, beta);
    return;
  }
  const kernel_desc *kd = kernel();
  gemm_job whole = {trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, 0};
  size_t count = threads < 1 ? 1 : (size_t)threads;
  if (count > MAX_THREADS) count = MAX_THREADS;
  if (count == 1) {
    gemm_serial(&whole);
    if (!whole.ok) gemm_unpacked(&whole);
    return;
  }
  // Strips along the longer side of C, whole register tiles each and no two over the same part of C. Each
  // strip packs all of the operand it does not cut, so there is one strip per thread (two per thread ran
  // 2048³ 10-20% slower on 2 cores), at least one L2 block wide (columns) or 16 tiles tall (rows).
  int along_n = n >= m;
  size_t unit = along_n ? kd->nr : kd->mr, extent = along_n ? n : m;
  size_t tiles = (extent + unit - 1) / unit;
  size_t min_tiles = along_n ? kd->nb / kd->nr : 16;
  size_t per = (tiles + count - 1) / count;
  if (per < min_tiles) per = min_tiles;
  if (per * MAX_STRIPS < tiles) per = (tiles + MAX_STRIPS - 1) / MAX_STRIPS;
  size_t width = per * unit;
  size_t strips = (extent + width - 1) / width;
  gemm_job jobs[MAX_STRIPS];
  for (size_t t = 0; t < strips; t++) {
    size_t begin = t * width, len = min_size(width, extent - begin);
    gemm_job *j = &jobs[t];
    *j = whole;
    if (along_n) {
      j->n = len;
      j->b = trans_b ? b + begin * ldb : b + begin;
      j->c = c + begin;
    } else {
      j->m = len;
      j->a = trans_a ? a + begin : a + begin * lda;
      j->c = c + begin * ldc;
    }
  }
  if (count > strips) count = strips;
  strip_queue queue = {jobs, strips, 0};
  pthread_t ids[MAX_THREADS];
  int started[MAX_THREADS] = {0};
  for (size_t t = 1; t < count; t++) started[t] = pthread_create(&ids[t], NULL, gemm_worker, &queue) == 0;
  gemm_worker(&queue);  // the caller takes strips too (and all of them if no thread could start)
  for (size_t t = 1; t < count; t++) {
    if (started[t]) pthread_join(ids[t], NULL);
  }
  for (size_t t = 0; t < strips; t++) {
    if (!jobs[t].ok) gemm_unpacked(&jobs[t]);
  }
}
