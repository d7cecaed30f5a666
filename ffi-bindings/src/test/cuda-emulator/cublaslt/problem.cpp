// The emulated cuBLASLt's validation of a matmul problem (shared by cublasLtMatmul and
// cublasLtMatmulAlgoGetHeuristic). From the cuBLAS guide, chapter 3
// (https://docs.nvidia.com/cuda/cublas/index.html#using-the-cublaslt-api):
//  - 3.4.17 cublasLtMatmul: D = alpha*(op(A)*op(B)) + beta*C with op(A) m x k, op(B) k x n, C and D
//    m x n. "Datatypes Supported", Table 1 (regular column- or row-major matrices), for the compute
//    types emulated here: CUBLAS_COMPUTE_32F / _32F_PEDANTIC with scaleType CUDA_R_32F and
//    Atype/Btype -> Ctype 16BF -> 16BF or 32F, 16F -> 16F or 32F, 32F -> 32F; CUBLAS_COMPUTE_32F_FAST_16F
//    / _FAST_16BF / _FAST_TF32 / _EMULATED_16BFX9 with scaleType CUDA_R_32F and A/B/C CUDA_R_32F only.
//    Anything else in the table (16F, 32I, 64F compute, int8, complex, FP8, FP4) is NOT_SUPPORTED here.
//  - In-place (C == D) needs Cdesc == Ddesc; out-of-place, C and D "must have the same data type, number
//    of rows, number of columns, batch size, and memory order", C's leading dimension may differ and
//    "can be 0 to achieve row or column broadcast"; "If Cdesc is omitted, this function assumes it to be
//    equal to Ddesc" (a NULL Cdesc).
//  - Footnote 6: "ReLU, dReLu, GELU, dGELU and Bias epilogue modes ... are not supported when D matrix
//    memory order is defined as CUBLASLT_ORDER_ROW": NOT_SUPPORTED.
//  - 3.3.19 CUBLASLT_MATRIX_LAYOUT_LD: "only non-negative values are supported", "large enough so that
//    matrix memory locations are not overlapping (e.g., greater or equal to ROWS in case of
//    CUBLASLT_ORDER_COL)"; for CUBLASLT_ORDER_ROW (3.3.23) ld is the stride between rows, so >= COLS.
//    ROWS/COLS: "Normally only values that can be expressed as int32_t are supported".
//  - 3.3.9: TRANSC "Currently only CUBLAS_OP_N is supported"; FILL_MODE is "not supported on ...
//    Hopper, Blackwell" (the emulated GPU is sm_90), so only CUBLAS_FILL_MODE_FULL; the A/B/C/D scale
//    pointers, AMAX pointers, aux scale/amax pointers, D_OUT scale pointer, scale modes and the aux data
//    type apply to narrow-precision (FP8/FP4) kernels: "If set for an unsupported matrix data, scale,
//    and compute type combination, calling cublasLtMatmul() will return CUBLAS_INVALID_VALUE".
//    BIAS_DATA_TYPE: "If unset (or set to the default value of -1), the bias vector elements are the same
//    type as the elements of the output matrix (Dtype)"; Table 1's bias column gives Dtype for every
//    emulated row, so any other bias type is NOT_SUPPORTED.
//  - 3.3.2 cublasLtEpilogue_t: BIAS is a vector of D's rows, packed, broadcast to all columns and added
//    "before applying the final postprocessing"; GELU is "approximated by
//    0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3)))". The AUX, gradient (D*, BGRAD*) epilogues are not
//    emulated: NOT_SUPPORTED.
//  - 3.3.24 pointer modes: HOST, DEVICE (single values), DEVICE_VECTOR (alpha and beta vectors of D's
//    rows), ALPHA_DEVICE_VECTOR_BETA_ZERO, ALPHA_DEVICE_VECTOR_BETA_HOST (3.3.9: with BETA_ZERO,
//    ALPHA_VECTOR_BATCH_STRIDE "must be set to 0").
//  - 3.3.28 batch modes: only CUBLASLT_BATCH_MODE_STRIDED is emulated. PLANE_OFFSET != 0 (planar
//    complex) is NOT_SUPPORTED for the real types emulated.
// Strict choices:
//  - every layout's batch count must be the same (the documentation states it only for C and D; a
//    broadcast operand is expressed with a batch stride of 0, which is allowed for A, B and C);
//  - D's elements may not overlap across the batch (its batch stride must keep the matrices apart):
//    the batch writes would race on a GPU;
//  - an enum value the header does not define is INVALID_VALUE, a defined one the emulator does not
//    run is NOT_SUPPORTED.
#include "lt_emu.h"

#include <algorithm>
#include <climits>

namespace tjemu::lt {

namespace {

Check ok() { return Check{}; }
Check bad(cublasStatus_t code, std::string message) { return Check{code, std::move(message)}; }

Check make_matrix(const Layout& l, const char* name, bool ld_zero_allowed, Matrix& out) {
    const std::string who = std::string(name) + " (layout " + hex((uintptr_t)&l) + ")";
    out.elem = element_size((int32_t)l.type);
    if (out.elem == 0)
        return bad(CUBLAS_STATUS_NOT_SUPPORTED, who + ": data type " + type_name((int32_t)l.type) +
                                                    " is not emulated (CUDA_R_16F, CUDA_R_16BF, CUDA_R_32F)");
    out.type = (cudaDataType_t)l.type;
    switch (l.order) {
    case CUBLASLT_ORDER_COL:
    case CUBLASLT_ORDER_ROW: break;
    case CUBLASLT_ORDER_COL32:
    case CUBLASLT_ORDER_COL4_4R2_8C:
    case CUBLASLT_ORDER_COL32_2R_4R4:
        return bad(CUBLAS_STATUS_NOT_SUPPORTED, who + ": " + order_name(l.order) +
                                                    " is an IMMA ordering (Table 2), not emulated and not available on sm_90");
    default: return bad(CUBLAS_STATUS_INVALID_VALUE, who + ": CUBLASLT_MATRIX_LAYOUT_ORDER " + std::to_string(l.order) + " is no cublasLtOrder_t");
    }
    out.order = l.order;
    switch (l.batch_mode) {
    case CUBLASLT_BATCH_MODE_STRIDED: break;
    case CUBLASLT_BATCH_MODE_POINTER_ARRAY:
        return bad(CUBLAS_STATUS_NOT_SUPPORTED, who + ": CUBLASLT_BATCH_MODE_POINTER_ARRAY is not emulated");
    default: return bad(CUBLAS_STATUS_INVALID_VALUE, who + ": CUBLASLT_MATRIX_LAYOUT_BATCH_MODE " + std::to_string(l.batch_mode) + " is no cublasLtBatchMode_t");
    }
    if (l.plane_offset != 0)
        return bad(CUBLAS_STATUS_NOT_SUPPORTED, who + ": CUBLASLT_MATRIX_LAYOUT_PLANE_OFFSET is set (planar complex), but the type is real");
    if (l.rows > (uint64_t)INT32_MAX || l.cols > (uint64_t)INT32_MAX)
        return bad(CUBLAS_STATUS_NOT_SUPPORTED, who + ": " + std::to_string(l.rows) + " x " + std::to_string(l.cols) +
                                                    " does not fit int32_t (\"Normally only values that can be expressed as int32_t are supported\")");
    out.rows = l.rows;
    out.cols = l.cols;
    if (l.ld < 0) return bad(CUBLAS_STATUS_INVALID_VALUE, who + ": ld " + std::to_string(l.ld) + " is negative (\"only non-negative values are supported\")");
    const bool col = l.order == CUBLASLT_ORDER_COL;
    const uint64_t line = col ? l.rows : l.cols;  // elements a column (col) or a row (row) holds
    if ((uint64_t)l.ld < line && !(ld_zero_allowed && l.ld == 0))
        return bad(CUBLAS_STATUS_INVALID_VALUE,
                   who + ": ld " + std::to_string(l.ld) + " is less than the " + (col ? "rows" : "columns") + " (" +
                       std::to_string(line) + ") of a " + (col ? "column-major" : "row-major") +
                       " matrix, so its elements overlap (3.3.19 CUBLASLT_MATRIX_LAYOUT_LD)" +
                       (ld_zero_allowed ? "; C may also use ld 0 to broadcast" : ""));
    out.ld = l.ld;
    if (l.batch_count < 1)
        return bad(CUBLAS_STATUS_INVALID_VALUE, who + ": CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT " + std::to_string(l.batch_count) + " is less than 1");
    out.batch = l.batch_count;
    out.batch_stride = l.batch_stride;
    out.row_step = col ? 1 : l.ld;
    out.col_step = col ? l.ld : 1;
    if (out.rows == 0 || out.cols == 0) {
        out.first = 0;
        out.bytes = 0;
        return ok();
    }
    const __int128 span = (__int128)(out.rows - 1) * out.row_step + (__int128)(out.cols - 1) * out.col_step;
    const __int128 shift = (__int128)(out.batch - 1) * out.batch_stride;
    const __int128 lo = std::min<__int128>(0, shift), hi = span + std::max<__int128>(0, shift);
    const __int128 bytes = (hi - lo + 1) * (__int128)out.elem;
    if (bytes > ((__int128)1 << 48))
        return bad(CUBLAS_STATUS_INVALID_VALUE, who + ": the matrix would span " + std::to_string((double)bytes) + " bytes");
    out.first = (int64_t)(lo * (__int128)out.elem);
    out.bytes = (uint64_t)bytes;
    return ok();
}

std::string dims(const Matrix& m) { return std::to_string(m.rows) + " x " + std::to_string(m.cols); }

bool known_op(int32_t op) { return op == CUBLAS_OP_N || op == CUBLAS_OP_T || op == CUBLAS_OP_C || op == CUBLAS_OP_CONJG; }

Check op_of(int32_t op, const char* attr, bool& transposed) {
    if (!known_op(op)) return bad(CUBLAS_STATUS_INVALID_VALUE, std::string(attr) + " " + std::to_string(op) + " is no cublasOperation_t");
    if (op == CUBLAS_OP_CONJG)
        return bad(CUBLAS_STATUS_NOT_SUPPORTED, std::string(attr) + " CUBLAS_OP_CONJG is \"not supported in the current release\" (cublas_api.h)");
    transposed = op != CUBLAS_OP_N;  // CUBLAS_OP_C on a real matrix is its transpose
    return ok();
}

}  // namespace

bool Matrix::operator==(const Matrix& o) const {
    return type == o.type && order == o.order && rows == o.rows && cols == o.cols && ld == o.ld && batch == o.batch &&
           batch_stride == o.batch_stride;
}

size_t element_size(int32_t type) {
    switch (type) {
    case CUDA_R_16F:
    case CUDA_R_16BF: return 2;
    case CUDA_R_32F: return 4;
    default: return 0;
    }
}

Check build_problem(const MatmulDesc& desc, const Layout& la, const Layout& lb, const Layout* lc, const Layout& ld, Problem& p) {
    // Compute and scale type (Table 1).
    bool fast = false;
    switch ((cublasComputeType_t)desc.compute_type) {
    case CUBLAS_COMPUTE_32F:
    case CUBLAS_COMPUTE_32F_PEDANTIC: break;
    case CUBLAS_COMPUTE_32F_FAST_16F:
    case CUBLAS_COMPUTE_32F_FAST_16BF:
    case CUBLAS_COMPUTE_32F_FAST_TF32:
    case CUBLAS_COMPUTE_32F_EMULATED_16BFX9: fast = true; break;
    case CUBLAS_COMPUTE_16F:
    case CUBLAS_COMPUTE_16F_PEDANTIC:
    case CUBLAS_COMPUTE_64F:
    case CUBLAS_COMPUTE_64F_PEDANTIC:
    case CUBLAS_COMPUTE_64F_EMULATED_FIXEDPOINT:
    case CUBLAS_COMPUTE_32I:
    case CUBLAS_COMPUTE_32I_PEDANTIC:
        return bad(CUBLAS_STATUS_NOT_SUPPORTED, "compute type " + std::to_string(desc.compute_type) +
                                                    " is not emulated (CUBLAS_COMPUTE_32F, _32F_PEDANTIC, _32F_FAST_16F, _32F_FAST_16BF, "
                                                    "_32F_FAST_TF32, _32F_EMULATED_16BFX9)");
    default: return bad(CUBLAS_STATUS_INVALID_VALUE, "CUBLASLT_MATMUL_DESC_COMPUTE_TYPE " + std::to_string(desc.compute_type) + " is no cublasComputeType_t");
    }
    p.compute = (cublasComputeType_t)desc.compute_type;
    if (desc.scale_type != CUDA_R_32F)
        return bad(CUBLAS_STATUS_NOT_SUPPORTED, "scale type " + type_name(desc.scale_type) + " with a 32-bit float compute type: Table 1 lists only CUDA_R_32F");
    p.scale = CUDA_R_32F;

    // Layouts.
    Check c;
    if ((c = make_matrix(la, "A", false, p.a))) return c;
    if ((c = make_matrix(lb, "B", false, p.b))) return c;
    if ((c = make_matrix(ld, "D", false, p.d))) return c;
    if ((c = make_matrix(lc ? *lc : ld, lc ? "C" : "C (= Ddesc)", true, p.c))) return c;
    p.c_is_d_layout = lc == nullptr || p.c == p.d;

    // Types (Table 1).
    if (p.a.type != p.b.type)
        return bad(CUBLAS_STATUS_NOT_SUPPORTED, "A is " + type_name(p.a.type) + " but B is " + type_name(p.b.type) + ": Table 1 has one Atype/Btype");
    if (p.c.type != p.d.type)
        return bad(CUBLAS_STATUS_INVALID_VALUE, "C is " + type_name(p.c.type) + " but D is " + type_name(p.d.type) + ": C and D must have the same data type");
    const cudaDataType_t ab = p.a.type, cd = p.d.type;
    const bool listed = fast ? (ab == CUDA_R_32F && cd == CUDA_R_32F)
                             : ((ab == CUDA_R_16F || ab == CUDA_R_16BF) && (cd == ab || cd == CUDA_R_32F)) || (ab == CUDA_R_32F && cd == CUDA_R_32F);
    if (!listed)
        return bad(CUBLAS_STATUS_NOT_SUPPORTED, "Atype/Btype " + type_name(ab) + " with Ctype/Dtype " + type_name(cd) + " under compute type " +
                                                    std::to_string(desc.compute_type) + " is not in Table 1");

    // Operations.
    if ((c = op_of(desc.transa, "CUBLASLT_MATMUL_DESC_TRANSA", p.trans_a))) return c;
    if ((c = op_of(desc.transb, "CUBLASLT_MATMUL_DESC_TRANSB", p.trans_b))) return c;
    if (!known_op(desc.transc)) return bad(CUBLAS_STATUS_INVALID_VALUE, "CUBLASLT_MATMUL_DESC_TRANSC " + std::to_string(desc.transc) + " is no cublasOperation_t");
    if (desc.transc != CUBLAS_OP_N)
        return bad(CUBLAS_STATUS_NOT_SUPPORTED, "CUBLASLT_MATMUL_DESC_TRANSC is " + op_name(desc.transc) + ": \"Currently only CUBLAS_OP_N is supported\"");
    switch (desc.fill_mode) {
    case CUBLAS_FILL_MODE_FULL: break;
    case CUBLAS_FILL_MODE_LOWER:
    case CUBLAS_FILL_MODE_UPPER:
        return bad(CUBLAS_STATUS_NOT_SUPPORTED, "CUBLASLT_MATMUL_DESC_FILL_MODE other than CUBLAS_FILL_MODE_FULL is not supported on Hopper (sm_90)");
    default: return bad(CUBLAS_STATUS_INVALID_VALUE, "CUBLASLT_MATMUL_DESC_FILL_MODE " + std::to_string(desc.fill_mode) + " is no cublasFillMode_t");
    }

    // Shapes: op(A) is m x k, op(B) is k x n, C and D are m x n.
    p.m = p.d.rows;
    p.n = p.d.cols;
    const uint64_t a_rows = p.trans_a ? p.a.cols : p.a.rows, a_cols = p.trans_a ? p.a.rows : p.a.cols;
    const uint64_t b_rows = p.trans_b ? p.b.cols : p.b.rows, b_cols = p.trans_b ? p.b.rows : p.b.cols;
    p.k = a_cols;
    const std::string shapes = " (A " + dims(p.a) + " op " + op_name(desc.transa) + ", B " + dims(p.b) + " op " + op_name(desc.transb) +
                               ", C " + dims(p.c) + ", D " + dims(p.d) + ")";
    if (a_rows != p.m) return bad(CUBLAS_STATUS_INVALID_VALUE, "op(A) has " + std::to_string(a_rows) + " rows but D has " + std::to_string(p.m) + shapes);
    if (b_rows != p.k) return bad(CUBLAS_STATUS_INVALID_VALUE, "op(A) has " + std::to_string(p.k) + " columns but op(B) has " + std::to_string(b_rows) + " rows" + shapes);
    if (b_cols != p.n) return bad(CUBLAS_STATUS_INVALID_VALUE, "op(B) has " + std::to_string(b_cols) + " columns but D has " + std::to_string(p.n) + shapes);
    if (p.c.rows != p.m || p.c.cols != p.n) return bad(CUBLAS_STATUS_INVALID_VALUE, "C and D must have the same number of rows and columns" + shapes);
    if (p.c.order != p.d.order) return bad(CUBLAS_STATUS_INVALID_VALUE, "C is " + order_name(p.c.order) + "-major but D is " + order_name(p.d.order) + "-major: C and D must have the same memory order");
    if (p.a.batch != p.d.batch || p.b.batch != p.d.batch || p.c.batch != p.d.batch)
        return bad(CUBLAS_STATUS_INVALID_VALUE, "batch counts differ (A " + std::to_string(p.a.batch) + ", B " + std::to_string(p.b.batch) + ", C " +
                                                    std::to_string(p.c.batch) + ", D " + std::to_string(p.d.batch) +
                                                    "); strict: all must be equal (use a batch stride of 0 to broadcast A, B or C)");
    p.batch = p.d.batch;
    if (p.batch > 1 && p.m > 0 && p.n > 0) {
        auto spans = element_spans(p.d, 0);
        std::sort(spans.begin(), spans.end());
        for (size_t i = 1; i < spans.size(); i++)
            if (spans[i].first < spans[i - 1].second)
                return bad(CUBLAS_STATUS_INVALID_VALUE, "D's " + std::to_string(p.batch) + " batch matrices overlap (batch stride " +
                                                            std::to_string(p.d.batch_stride) + ", ld " + std::to_string(p.d.ld) +
                                                            "): the writes would race");
    }

    // Pointer mode.
    switch (desc.pointer_mode) {
    case CUBLASLT_POINTER_MODE_HOST:
    case CUBLASLT_POINTER_MODE_DEVICE:
    case CUBLASLT_POINTER_MODE_DEVICE_VECTOR:
    case CUBLASLT_POINTER_MODE_ALPHA_DEVICE_VECTOR_BETA_HOST: break;
    case CUBLASLT_POINTER_MODE_ALPHA_DEVICE_VECTOR_BETA_ZERO:
        if (desc.alpha_vector_batch_stride != 0)
            return bad(CUBLAS_STATUS_INVALID_VALUE, "CUBLASLT_MATMUL_DESC_ALPHA_VECTOR_BATCH_STRIDE must be 0 with CUBLASLT_POINTER_MODE_ALPHA_DEVICE_VECTOR_BETA_ZERO");
        break;
    default: return bad(CUBLAS_STATUS_INVALID_VALUE, "CUBLASLT_MATMUL_DESC_POINTER_MODE " + std::to_string(desc.pointer_mode) + " is no cublasLtPointerMode_t");
    }
    p.pointer_mode = desc.pointer_mode;
    p.alpha_vector_batch_stride = desc.pointer_mode == CUBLASLT_POINTER_MODE_ALPHA_DEVICE_VECTOR_BETA_HOST ? desc.alpha_vector_batch_stride : 0;

    // Epilogue.
    switch (desc.epilogue) {
    case CUBLASLT_EPILOGUE_DEFAULT: break;
    case CUBLASLT_EPILOGUE_RELU: p.relu = true; break;
    case CUBLASLT_EPILOGUE_BIAS: p.bias = true; break;
    case CUBLASLT_EPILOGUE_RELU_BIAS: p.relu = p.bias = true; break;
    case CUBLASLT_EPILOGUE_GELU: p.gelu = true; break;
    case CUBLASLT_EPILOGUE_GELU_BIAS: p.gelu = p.bias = true; break;
    case CUBLASLT_EPILOGUE_RELU_AUX:
    case CUBLASLT_EPILOGUE_RELU_AUX_BIAS:
    case CUBLASLT_EPILOGUE_DRELU:
    case CUBLASLT_EPILOGUE_DRELU_BGRAD:
    case CUBLASLT_EPILOGUE_GELU_AUX:
    case CUBLASLT_EPILOGUE_GELU_AUX_BIAS:
    case CUBLASLT_EPILOGUE_DGELU:
    case CUBLASLT_EPILOGUE_DGELU_BGRAD:
    case CUBLASLT_EPILOGUE_BGRADA:
    case CUBLASLT_EPILOGUE_BGRADB:
        return bad(CUBLAS_STATUS_NOT_SUPPORTED, epilogue_name(desc.epilogue) +
                                                    " is not emulated (DEFAULT, RELU, BIAS, RELU_BIAS, GELU, GELU_BIAS are)");
    default: return bad(CUBLAS_STATUS_INVALID_VALUE, "CUBLASLT_MATMUL_DESC_EPILOGUE " + std::to_string(desc.epilogue) + " is no cublasLtEpilogue_t");
    }
    p.epilogue = desc.epilogue;
    if (p.epilogue != CUBLASLT_EPILOGUE_DEFAULT && p.d.order == CUBLASLT_ORDER_ROW)
        return bad(CUBLAS_STATUS_NOT_SUPPORTED, epilogue_name(p.epilogue) +
                                                    " with a row-major D: \"ReLU, dReLu, GELU, dGELU and Bias epilogue modes are not supported "
                                                    "when D matrix memory order is defined as CUBLASLT_ORDER_ROW\" (3.4.17, note 6)");
    if (desc.bias_data_type != -1 && desc.bias_data_type != (int32_t)p.d.type)
        return bad(CUBLAS_STATUS_NOT_SUPPORTED, "CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE " + type_name(desc.bias_data_type) + " with Dtype " +
                                                    type_name(p.d.type) + ": Table 1 gives the bias the type of D");
    p.bias_type = p.d.type;
    p.bias_batch_stride = desc.bias_batch_stride;

    // Narrow-precision and other attributes that have no meaning for these types.
    const std::pair<const void*, const char*> narrow[] = {
        {desc.a_scale_pointer, "CUBLASLT_MATMUL_DESC_A_SCALE_POINTER"}, {desc.b_scale_pointer, "CUBLASLT_MATMUL_DESC_B_SCALE_POINTER"},
        {desc.c_scale_pointer, "CUBLASLT_MATMUL_DESC_C_SCALE_POINTER"}, {desc.d_scale_pointer, "CUBLASLT_MATMUL_DESC_D_SCALE_POINTER"},
        {desc.amax_d_pointer, "CUBLASLT_MATMUL_DESC_AMAX_D_POINTER"}, {desc.aux_scale_pointer, "CUBLASLT_MATMUL_DESC_EPILOGUE_AUX_SCALE_POINTER"},
        {desc.aux_amax_pointer, "CUBLASLT_MATMUL_DESC_EPILOGUE_AUX_AMAX_POINTER"}, {desc.d_out_scale_pointer, "CUBLASLT_MATMUL_DESC_D_OUT_SCALE_POINTER"}};
    for (const auto& [ptr, name] : narrow)
        if (ptr != nullptr)
            return bad(CUBLAS_STATUS_INVALID_VALUE, std::string(name) + " is set, which this data/scale/compute type combination does not support (3.3.9)");
    const std::pair<int32_t, const char*> modes[] = {
        {desc.a_scale_mode, "CUBLASLT_MATMUL_DESC_A_SCALE_MODE"}, {desc.b_scale_mode, "CUBLASLT_MATMUL_DESC_B_SCALE_MODE"},
        {desc.c_scale_mode, "CUBLASLT_MATMUL_DESC_C_SCALE_MODE"}, {desc.d_scale_mode, "CUBLASLT_MATMUL_DESC_D_SCALE_MODE"},
        {desc.aux_scale_mode, "CUBLASLT_MATMUL_DESC_EPILOGUE_AUX_SCALE_MODE"}, {desc.d_out_scale_mode, "CUBLASLT_MATMUL_DESC_D_OUT_SCALE_MODE"}};
    for (const auto& [mode, name] : modes)
        if (mode != 0)
            return bad(CUBLAS_STATUS_INVALID_VALUE, std::string(name) + " is " + std::to_string(mode) +
                                                        ": scaling modes apply to narrow-precision (FP8/FP4) data, not to these types");
    if (desc.aux_data_type != -1)
        return bad(CUBLAS_STATUS_INVALID_VALUE, "CUBLASLT_MATMUL_DESC_EPILOGUE_AUX_DATA_TYPE is set: \"Otherwise, the data type should be left unset or set to the default value of -1\"");
    if (desc.emulation_desc != nullptr)
        return bad(CUBLAS_STATUS_NOT_SUPPORTED, "CUBLASLT_MATMUL_DESC_EMULATION_DESCRIPTOR is set: floating point emulation descriptors are not emulated");

    p.sm_count = desc.sm_count_target > 0 ? desc.sm_count_target : 132;
    if (desc.sm_count_target <= 0) {
        int sms = 0;
        if (cuDeviceGetAttribute(&sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, 0) == CUDA_SUCCESS && sms > 0) p.sm_count = sms;
    }
    return ok();
}

uint64_t fingerprint(const Problem& p) {
    uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a over the problem's defining values
    auto mix = [&h](uint64_t v) {
        for (int i = 0; i < 8; i++) {
            h ^= (v >> (8 * i)) & 0xff;
            h *= 0x100000001b3ull;
        }
    };
    mix((uint64_t)p.compute);
    mix((uint64_t)p.scale);
    mix((uint64_t)p.pointer_mode);
    mix((uint64_t)p.alpha_vector_batch_stride);
    mix(p.trans_a);
    mix(p.trans_b);
    mix(p.epilogue);
    mix((uint64_t)p.bias_type);
    mix((uint64_t)p.bias_batch_stride);
    for (const Matrix* m : {&p.a, &p.b, &p.c, &p.d}) {
        mix((uint64_t)m->type);
        mix((uint64_t)m->order);
        mix(m->rows);
        mix(m->cols);
        mix((uint64_t)m->ld);
        mix((uint64_t)m->batch);
        mix((uint64_t)m->batch_stride);
    }
    return h;
}

std::string describe(const Problem& p) {
    auto mat = [](const char* n, const Matrix& m) {
        std::string s = std::string(n) + " " + type_name(m.type) + " " + std::to_string(m.rows) + "x" + std::to_string(m.cols) + " " +
                        order_name(m.order) + " ld " + std::to_string(m.ld);
        if (m.batch > 1) s += " stride " + std::to_string(m.batch_stride);
        return s;
    };
    return "m=" + std::to_string(p.m) + " n=" + std::to_string(p.n) + " k=" + std::to_string(p.k) + " batch=" + std::to_string(p.batch) +
           " op " + (p.trans_a ? "T" : "N") + (p.trans_b ? "T" : "N") + ", " + mat("A", p.a) + ", " + mat("B", p.b) + ", " + mat("C", p.c) + ", " +
           mat("D", p.d) + ", " + epilogue_name(p.epilogue);
}

std::vector<std::pair<uint64_t, uint64_t>> element_spans(const Matrix& m, uintptr_t base) {
    std::vector<std::pair<uint64_t, uint64_t>> out;
    if (m.rows == 0 || m.cols == 0) return out;
    const bool col = m.order == CUBLASLT_ORDER_COL;
    const uint64_t lines = col ? m.cols : m.rows, len = col ? m.rows : m.cols;
    const int64_t line_step = col ? m.col_step : m.row_step;
    out.reserve((size_t)(lines * (uint64_t)m.batch));
    for (int32_t b = 0; b < m.batch; b++)
        for (uint64_t l = 0; l < lines; l++) {
            const int64_t off = ((int64_t)b * m.batch_stride + (int64_t)l * line_step) * (int64_t)m.elem;
            const uint64_t start = (uint64_t)((int64_t)base + off);
            out.emplace_back(start, start + len * m.elem);
        }
    return out;
}

bool spans_overlap(std::vector<std::pair<uint64_t, uint64_t>> x, std::vector<std::pair<uint64_t, uint64_t>> y) {
    std::sort(x.begin(), x.end());
    std::sort(y.begin(), y.end());
    size_t i = 0, j = 0;
    while (i < x.size() && j < y.size()) {
        if (x[i].first < y[j].second && y[j].first < x[i].second) return true;
        if (x[i].second <= y[j].second) i++;
        else j++;
    }
    return false;
}

}  // namespace tjemu::lt
