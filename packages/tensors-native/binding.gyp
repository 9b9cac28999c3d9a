{
  "variables": {
    "warmstart_blas%": "<!(node -p \"process.env.WARMSTART_NATIVE_BLAS_BUILD || 'bundled'\")"
  },
  "targets": [
    {
      "target_name": "warmstart_native",
      "sources": ["native/warmstart_native.c", "native/skinny.c"],
      "cflags": ["-O3", "-fno-math-errno", "-fno-trapping-math", "-std=c11", "-Wall", "-Wextra"],
      "libraries": ["-lpthread", "-lm"],
      "conditions": [
        [
          "warmstart_blas=='openblas'",
          {
            "defines": ["WARMSTART_BLAS_OPENBLAS"],
            "cflags": ["<!@(node -p \"process.env.WARMSTART_NATIVE_BLAS_CFLAGS || ''\")"],
            "libraries": ["<!@(node -p \"process.env.WARMSTART_NATIVE_BLAS_LIBS || '-lopenblas'\")"]
          },
          {
            "sources": ["native/gemm.c"]
          }
        ]
      ]
    }
  ]
}
