package dev.turbojet.ffi.cublas;

/** cublasLtOrder_t: how a matrix layout's elements are laid out. */
public enum Order {
    COLUMN_MAJOR(0), ROW_MAJOR(1);

    public final int value;

    Order(int value) {
        this.value = value;
    }
}
