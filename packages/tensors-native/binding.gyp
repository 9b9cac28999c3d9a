{
  "targets": [
    {
      "target_name": "warmstart_native",
      "sources": ["native/warmstart_native.c"],
      "include_dirs": ["/usr/include/x86_64-linux-gnu", "/usr/include/openblas"],
      "cflags": ["-O3", "-fno-math-errno", "-fno-trapping-math", "-std=c11", "-Wall", "-Wextra"],
      "libraries": ["-lopenblas", "-lpthread", "-lm"]
    }
  ]
}
