package dev.ami.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Appends a record's fields to a Vert.x {@link Buffer} in the wire layout {@link WireReader} reads: big-endian
 * fixed-width numbers (NaN kept bit for bit), booleans as one byte 0/1, and every variable-length value (string,
 * array, list, map) as an int32 count followed by its elements, with count -1 for null.
 */
public final class WireWriter {
  /** The count written for a null string, array, list, map or JSON object. */
  static final int NULL = -1;

  private final Buffer buffer;

  WireWriter(Buffer buffer) {
    this.buffer = buffer;
  }

  WireWriter u8(int v) {
    return then(buffer.appendByte((byte) v));
  }

  WireWriter bool(boolean v) {
    return u8(v ? 1 : 0);
  }

  WireWriter i32(int v) {
    return then(buffer.appendInt(v));
  }

  WireWriter i64(long v) {
    return then(buffer.appendLong(v));
  }

  WireWriter f32(float v) {
    return then(buffer.appendFloat(v));
  }

  WireWriter f64(double v) {
    return then(buffer.appendDouble(v));
  }

  /** UTF-8 bytes after their count. */
  WireWriter string(String s) {
    return s == null ? i32(NULL) : bytes(s.getBytes(StandardCharsets.UTF_8));
  }

  /** A buffer's remaining bytes after their count, as {@link #bytes} lays them out; the buffer is left as it was. */
  public WireWriter byteBuffer(ByteBuffer b) {
    if (b == null) {
      return i32(NULL);
    }
    buffer.appendInt(b.remaining());
    return then(buffer.setBytes(buffer.length(), b.slice())); // a slice: Vert.x sizes by the limit
  }

  /** Raw bytes after their count: a uint8 frame stays one byte a pixel. */
  WireWriter bytes(byte[] a) {
    return a == null ? i32(NULL) : then(buffer.appendInt(a.length).appendBytes(a));
  }

  WireWriter ints(int[] a) {
    return a == null ? i32(NULL) : elements(a.length, Integer.BYTES, b -> b.asIntBuffer().put(a));
  }

  WireWriter floats(float[] a) {
    return a == null ? i32(NULL) : elements(a.length, Float.BYTES, b -> b.asFloatBuffer().put(a));
  }

  /** Its encoded JSON text, as a string (JSON has no NaN: a non-finite double arrives as the string "NaN"). */
  WireWriter json(JsonObject o) {
    return string(o == null ? null : o.encode());
  }

  /** The constant's name, so that adding a constant on one side does not shift the others. */
  WireWriter enumName(Enum<?> e) {
    return string(e == null ? null : e.name());
  }

  <T> WireWriter list(List<T> list, BiConsumer<WireWriter, T> element) {
    if (list == null) {
      return i32(NULL);
    }
    i32(list.size());
    for (T t : list) {
      element.accept(this, t);
    }
    return this;
  }

  /** The entries in the map's iteration order, each as its key (a string) and then its value. */
  <V> WireWriter map(Map<String, V> map, BiConsumer<WireWriter, V> value) {
    if (map == null) {
      return i32(NULL);
    }
    i32(map.size());
    for (Map.Entry<String, V> e : map.entrySet()) {
      string(e.getKey());
      value.accept(this, e.getValue());
    }
    return this;
  }

  /** The count, then the elements that {@code fill} puts into a big-endian buffer of that many, in one copy. */
  private WireWriter elements(int count, int elementBytes, Consumer<ByteBuffer> fill) {
    ByteBuffer bytes = ByteBuffer.allocate(count * elementBytes);
    fill.accept(bytes);
    return then(buffer.appendInt(count).appendBytes(bytes.array()));
  }

  /** Chains on after an append to the buffer (which returns the buffer). */
  private WireWriter then(Buffer appended) {
    return this;
  }
}
