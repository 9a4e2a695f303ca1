package dev.ami.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * One reusable native buffer that model inputs are copied into. {@code NDManager.create(float[])} allocates
 * a fresh direct ByteBuffer per call, which only the garbage collector frees: at 1.5 MB per training batch
 * that grew the process by hundreds of MB per minute between collections. The tensor made here shares
 * this buffer's memory, so it must be closed before the next {@link #wrap}; one thread uses it.
 */
public final class InputBuffer {
  private final ByteBuffer bytes;
  private final FloatBuffer floats;

  public InputBuffer(int floatCount) {
    this.bytes = ByteBuffer.allocateDirect(floatCount * Float.BYTES).order(ByteOrder.nativeOrder());
    this.floats = bytes.asFloatBuffer();
  }

  /** Copies {@code data} in and returns a tensor over this buffer, owned by {@code manager}. */
  public NDArray wrap(NDManager manager, float[] data, Shape shape) {
    floats.clear();
    floats.put(data, 0, (int) shape.size());
    bytes.clear();
    bytes.limit((int) shape.size() * Float.BYTES);
    return manager.create(bytes, shape, DataType.FLOAT32); // direct: used as is, no copy, no allocation
  }
}
