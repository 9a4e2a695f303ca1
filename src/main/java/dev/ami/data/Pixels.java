package dev.ami.data;

/**
 * Frames as the buffers keep them: one byte per channel value. Capture and the built-in world deliver
 * 8-bit pictures scaled by 1/255, so {@code round(v · 255)} gives the original byte back exactly.
 */
public final class Pixels {
  private Pixels() {
  }

  /** Float CHW in [0,1] → uint8 CHW (values outside are clamped). */
  public static byte[] toBytes(float[] chw) {
    byte[] out = new byte[chw.length];
    for (int i = 0; i < chw.length; i++) {
      float v = chw[i];
      int q = v >= 1f ? 255 : v > 0f ? Math.round(v * 255f) : 0; // NaN → 0
      out[i] = (byte) q;
    }
    return out;
  }

  /** uint8 CHW → float CHW in [0,1], written into {@code out} from {@code at}. */
  public static void toFloats(byte[] frame, float[] out, int at) {
    toFloats(frame, 0, frame.length, out, at);
  }

  /** {@code n} bytes of {@code src} from {@code from} → floats in [0,1] into {@code out} from {@code at}. */
  public static void toFloats(byte[] src, int from, int n, float[] out, int at) {
    for (int i = 0; i < n; i++) {
      out[at + i] = (src[from + i] & 0xFF) * (1f / 255f);
    }
  }
}
