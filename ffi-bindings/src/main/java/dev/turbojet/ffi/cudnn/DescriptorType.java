package dev.turbojet.ffi.cudnn;

/** The cudnnBackendDescriptorType_t values turbojet builds. */
public enum DescriptorType {
    CONVOLUTION(1), ENGINECFG(3), ENGINEHEUR(4), EXECUTION_PLAN(5), OPERATION_CONVOLUTION_FORWARD(10),
    OPERATIONGRAPH(15), VARIANT_PACK(16), TENSOR(17);

    final int value;

    DescriptorType(int value) {
        this.value = value;
    }
}
