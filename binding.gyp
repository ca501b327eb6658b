{
  "variables": { "march%": "native" },
  "targets": [
    {
      "target_name": "unet_native",
      "sources": [
        "native/src/addon.cc",
        "native/src/conv.cc",
        "native/src/matmul.cc",
        "native/src/pool.cc",
        "native/src/resize.cc",
        "native/src/norm.cc",
        "native/src/eltwise.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O3", "-march=<(march)", "-fopenmp", "-fexceptions"],
      "libraries": ["-ldnnl", "-fopenmp"]
    }
  ]
}
