// The bundled single-precision matrix product, built when OpenBLAS is absent (see README "Two builds").
#ifndef WARMSTART_GEMM_H
#define WARMSTART_GEMM_H

#include <stddef.h>

// C = alpha · op(A) · op(B) + beta · C, all row-major: op(A) is m x k (A is k x m when trans_a), op(B) is
// k x n (B is n x k when trans_b), C is m x n. Like cblas_sgemm(CblasRowMajor, ...), C is not read when
// beta == 0. Uses up to `threads` threads (1 runs on the caller's).
void ws_sgemm(int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda,
              const float *b, size_t ldb, float beta, float *c, size_t ldc, int threads);

// Picks the micro-kernel: NULL or "" for the best this CPU runs, else "avx512", "avx2", "neon" or "generic".
// Returns NULL on success, or a message saying why the requested kernel cannot run here.
const char *ws_gemm_select(const char *requested);

// The micro-kernel in use ("avx512", "avx2", "neon" or "generic") and its shape (e.g. "6x16").
const char *ws_gemm_kernel(void);
const char *ws_gemm_tile(void);

#endif
