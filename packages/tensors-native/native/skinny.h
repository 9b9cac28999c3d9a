// Products of few rows (a decoding step's beams) with a transposed B, reading B once: see skinny.c.
#ifndef WARMSTART_SKINNY_H
#define WARMSTART_SKINNY_H

#include <stdbool.h>
#include <stddef.h>

// The most rows of A a skinny product takes; above it the product is a GEMM and goes to the BLAS.
#define WS_SKINNY_MAX_ROWS 8

typedef struct {
  bool accumulate;   // C += A · op(B) (C holds the bias); else C = A · op(B)
  size_t m, n, k;    // m ≤ WS_SKINNY_MAX_ROWS
  const float *a;    // m x k, row stride lda
  size_t lda;
  const float *b;  // n x k (a dense layer's [out, in] weight), row stride ldb: the product takes its transpose
  size_t ldb;
  float *c;  // m x n, row stride ldc
  size_t ldc;
} ws_skinny_args;

// Columns [j0, j1) of C; threads may compute disjoint column ranges of the same product at once.
void ws_skinny_gemm_columns(const ws_skinny_args *args, size_t j0, size_t j1);

// Picks the kernel: NULL or "" for the best this CPU runs, else "avx512", "avx2" or "generic" ("neon" is the plain C
// kernel, vectorised by the compiler). Returns NULL on success, or why the requested kernel cannot run here.
const char *ws_skinny_select(const char *requested);

// The kernel in use: "avx512", "avx2" or "generic".
const char *ws_skinny_kernel_name(void);

#endif
