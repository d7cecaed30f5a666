// The one translation unit the build compiles into turbojet.fatbin (and NVRTC compiles at run time
// when no fatbin was built): every kernel family, each in its own file.
#include "common.cuh"
#include "group_norm.cu"
#include "layer_norm.cu"
#include "softmax.cu"
#include "elementwise.cu"
#include "layout.cu"
#include "embedding.cu"
#include "attention.cu"
