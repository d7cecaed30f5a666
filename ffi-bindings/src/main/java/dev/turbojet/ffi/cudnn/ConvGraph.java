package dev.turbojet.ffi.cudnn;

/** Builders for the finalized descriptors of a forward-convolution operation graph (no handle needed). */
final class ConvGraph {
    private static final long ALIGNMENT = 16;

    private ConvGraph() {}

    /** A non-virtual NHWC tensor with logical NCHW {@code dims}. */
    static Descriptor tensor(long uid, long[] dims, ConvDataType type) {
        Descriptor t = CudnnBackend.create(DescriptorType.TENSOR);
        CudnnBackend.setEnum(t, Attribute.TENSOR_DATA_TYPE, type.value);
        CudnnBackend.setLongs(t, Attribute.TENSOR_DIMENSIONS, dims);
        CudnnBackend.setLongs(t, Attribute.TENSOR_STRIDES, ConvShape.nhwcStrides(dims));
        CudnnBackend.setLongs(t, Attribute.TENSOR_UNIQUE_ID, uid);
        CudnnBackend.setLongs(t, Attribute.TENSOR_BYTE_ALIGNMENT, ALIGNMENT);
        CudnnBackend.finalize(t);
        return t;
    }

    /** A 2-D convolution accumulating in fp32. */
    static Descriptor convolution(ConvShape s, int mode) {
        Descriptor c = CudnnBackend.create(DescriptorType.CONVOLUTION);
        CudnnBackend.setLongs(c, Attribute.CONVOLUTION_SPATIAL_DIMS, 2);
        CudnnBackend.setEnum(c, Attribute.CONVOLUTION_COMP_TYPE, ConvDataType.FLOAT.value);
        CudnnBackend.setEnum(c, Attribute.CONVOLUTION_CONV_MODE, mode);
        CudnnBackend.setLongs(c, Attribute.CONVOLUTION_PRE_PADDINGS, s.padH(), s.padW());
        CudnnBackend.setLongs(c, Attribute.CONVOLUTION_POST_PADDINGS, s.padH(), s.padW());
        CudnnBackend.setLongs(c, Attribute.CONVOLUTION_FILTER_STRIDES, s.strideH(), s.strideW());
        CudnnBackend.setLongs(c, Attribute.CONVOLUTION_DILATIONS, 1, 1);
        CudnnBackend.finalize(c);
        return c;
    }

    /** y = 1·conv(x, w) + 0·y. */
    static Descriptor forward(Descriptor x, Descriptor w, Descriptor y, Descriptor conv) {
        Descriptor op = CudnnBackend.create(DescriptorType.OPERATION_CONVOLUTION_FORWARD);
        CudnnBackend.setDescriptors(op, Attribute.OPERATION_CONVOLUTION_FORWARD_X, x);
        CudnnBackend.setDescriptors(op, Attribute.OPERATION_CONVOLUTION_FORWARD_W, w);
        CudnnBackend.setDescriptors(op, Attribute.OPERATION_CONVOLUTION_FORWARD_Y, y);
        CudnnBackend.setDescriptors(op, Attribute.OPERATION_CONVOLUTION_FORWARD_CONV_DESC, conv);
        CudnnBackend.setFloat(op, Attribute.OPERATION_CONVOLUTION_FORWARD_ALPHA, 1f);
        CudnnBackend.setFloat(op, Attribute.OPERATION_CONVOLUTION_FORWARD_BETA, 0f);
        CudnnBackend.finalize(op);
        return op;
    }
}
