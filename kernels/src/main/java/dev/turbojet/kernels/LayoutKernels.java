package dev.turbojet.kernels;

import static dev.turbojet.kernels.Checks.blocks;
import static dev.turbojet.kernels.Checks.nonNegative;
import static dev.turbojet.kernels.Checks.pointer;
import static dev.turbojet.kernels.Checks.positive;

import dev.turbojet.ffi.cuda.DevicePtr;
import dev.turbojet.ffi.cuda.KernelArgs;
import dev.turbojet.ffi.cuda.LaunchConfig;

/** Launchers for layout.cu. The kernels move 16-bit elements, so one kernel serves fp16 and bf16. */
public final class LayoutKernels {
    private static final int ELEMENT = 2;

    private LayoutKernels() {}

    private static Launch flat(String kernel, long n, KernelArgs args) {
        return new Launch(kernel, LaunchConfig.linear(blocks(n), Checks.THREADS), args);
    }

    private static void dims(String k, int n, int c, int h, int w) {
        positive(k, "n", n);
        positive(k, "c", c);
        positive(k, "h", h);
        positive(k, "w", w);
    }

    /** {@code x [n, c, h, w]} → {@code y [n, h, w, c]}. */
    public static Launch nchwToNhwc(DevicePtr y, DevicePtr x, int n, int c, int h, int w) {
        return transpose("nchw_to_nhwc_16", y, x, n, c, h, w);
    }

    /** {@code x [n, h, w, c]} → {@code y [n, c, h, w]}. */
    public static Launch nhwcToNchw(DevicePtr y, DevicePtr x, int n, int c, int h, int w) {
        return transpose("nhwc_to_nchw_16", y, x, n, c, h, w);
    }

    private static Launch transpose(String k, DevicePtr y, DevicePtr x, int n, int c, int h, int w) {
        dims(k, n, c, h, w);
        pointer(k, "y", y, ELEMENT);
        pointer(k, "x", x, ELEMENT);
        if (y.equals(x)) {
            throw new IllegalArgumentException(k + ": cannot transpose in place");
        }
        return flat(k, (long) n * c * h * w, KernelArgs.of().ptr(y).ptr(x).i32(n).i32(c).i32(h).i32(w));
    }

    /** Nearest-neighbour resize of NHWC {@code x [n, h, w, c]} to {@code [n, oh, ow, c]} (PyTorch's index rule). */
    public static Launch upsampleNearest(DevicePtr y, DevicePtr x, int n, int h, int w, int c, int oh, int ow) {
        String k = "upsample_nearest_nhwc_16";
        dims(k, n, c, h, w);
        positive(k, "oh", oh);
        positive(k, "ow", ow);
        pointer(k, "y", y, ELEMENT);
        pointer(k, "x", x, ELEMENT);
        return flat(k, (long) n * oh * ow * c, KernelArgs.of().ptr(y).ptr(x).i32(n).i32(h).i32(w).i32(c).i32(oh).i32(ow));
    }

    /** The UNet/VAE upsampler: 2x nearest. */
    public static Launch upsample2x(DevicePtr y, DevicePtr x, int n, int h, int w, int c) {
        return upsampleNearest(y, x, n, h, w, c, 2 * h, 2 * w);
    }

    /** {@code y [pixels, ca + cb]} = channels of a then b (torch.cat(dim=1) on NHWC storage). */
    public static Launch concatChannels(DevicePtr y, DevicePtr a, DevicePtr b, long pixels, int ca, int cb) {
        String k = "concat_channels_nhwc_16";
        positive(k, "pixels", pixels);
        positive(k, "ca", ca);
        positive(k, "cb", cb);
        pointer(k, "y", y, ELEMENT);
        pointer(k, "a", a, ELEMENT);
        pointer(k, "b", b, ELEMENT);
        return flat(k, pixels * (ca + cb), KernelArgs.of().ptr(y).ptr(a).ptr(b).i64(pixels).i32(ca).i32(cb));
    }

    /** Constant padding of NHWC {@code x} (F.pad with (left, right, top, bottom)); {@code value} in dtype {@code t}. */
    public static Launch pad(ElementType t, DevicePtr y, DevicePtr x, int n, int h, int w, int c, int top, int bottom,
                             int left, int right, float value) {
        String k = "pad_nhwc_16";
        dims(k, n, c, h, w);
        nonNegative(k, "top", top);
        nonNegative(k, "bottom", bottom);
        nonNegative(k, "left", left);
        nonNegative(k, "right", right);
        pointer(k, "y", y, ELEMENT);
        pointer(k, "x", x, ELEMENT);
        long total = (long) n * (h + top + bottom) * (w + left + right) * c;
        KernelArgs args = KernelArgs.of().ptr(y).ptr(x).i32(n).i32(h).i32(w).i32(c).i32(top).i32(bottom).i32(left)
                .i32(right).i32(Short.toUnsignedInt(t.bits(value)));
        return flat(k, total, args);
    }
}
