package dev.ami.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Reads what {@link WireWriter} wrote, from an offset of a Vert.x {@link Buffer}. Every read is checked against
 * the buffer's end, and every count against the bytes left before anything is allocated, so a truncated or
 * corrupted body fails with a {@link WireFormatException} naming the record, never with an out-of-memory error
 * or a wrong record.
 */
public final class WireReader {
  private final Buffer buffer;
  private final String record;
  private int pos;

  WireReader(Buffer buffer, int pos, String record) {
    this.buffer = buffer;
    this.record = record;
    if (pos < 0 || pos > buffer.length()) {
      throw fail("offset " + pos + " is outside the buffer of " + buffer.length() + " bytes");
    }
    this.pos = pos;
  }

  WireFormatException fail(String problem) {
    return new WireFormatException(record, problem);
  }

  int u8() {
    return buffer.getUnsignedByte(take(1));
  }

  boolean bool() {
    int b = u8();
    if (b > 1) {
      throw fail("boolean byte " + b + " at offset " + (pos - 1) + " is neither 0 nor 1");
    }
    return b == 1;
  }

  int i32() {
    return buffer.getInt(take(4));
  }

  long i64() {
    return buffer.getLong(take(8));
  }

  float f32() {
    return buffer.getFloat(take(4));
  }

  double f64() {
    return buffer.getDouble(take(8));
  }

  String string() {
    return array("string", 1, (b, n) -> new String(b.array(), StandardCharsets.UTF_8));
  }

  byte[] bytes() {
    return array("byte array", 1, (b, n) -> b.array());
  }

  /**
   * Bytes as {@link #bytes} reads them, copied into a buffer from {@code buffers} (flipped: position 0, limit their
   * count); more than {@code maxBytes} (one buffer's size) is refused before a buffer is taken.
   */
  public ByteBuffer chunk(int maxBytes, Supplier<ByteBuffer> buffers) {
    int at = pos;
    int n = count("chunk", 1);
    if (n == WireWriter.NULL) {
      throw fail("chunk at offset " + at + " is null");
    }
    if (n > maxBytes) {
      throw fail("chunk at offset " + at + " claims " + n + " bytes, more than a chunk's " + maxBytes);
    }
    int from = take(n);
    ByteBuffer to = buffers.get().limit(n);
    // a Vert.x slice counts from the buffer's start, as every read here does; its ByteBuf then starts at 0
    if (buffer.slice(from, from + n) instanceof BufferInternal b) {
      b.getByteBuf().getBytes(0, to); // straight into it, no array on the way
    } else {
      to.put(buffer.getBytes(from, from + n));
    }
    return to.flip();
  }

  int[] ints() {
    return array("int array", Integer.BYTES, (b, n) -> {
      int[] a = new int[n];
      b.asIntBuffer().get(a);
      return a;
    });
  }

  float[] floats() {
    return array("float array", Float.BYTES, (b, n) -> {
      float[] a = new float[n];
      b.asFloatBuffer().get(a);
      return a;
    });
  }

  JsonObject json() {
    String text = string();
    if (text == null) {
      return null;
    }
    try {
      return new JsonObject(text);
    } catch (DecodeException e) {
      throw fail("JSON object does not parse: " + e.getMessage());
    }
  }

  <E extends Enum<E>> E enumValue(Class<E> type) {
    String name = string();
    if (name == null) {
      return null;
    }
    try {
      return Enum.valueOf(type, name);
    } catch (IllegalArgumentException e) {
      throw fail("unknown " + type.getSimpleName() + " " + name);
    }
  }

  /** An unmodifiable list (nulls allowed); {@code minElementBytes}: the fewest bytes one element takes. */
  <T> List<T> list(Function<WireReader, T> element, int minElementBytes) {
    int n = count("list", minElementBytes);
    if (n == WireWriter.NULL) {
      return null;
    }
    List<T> list = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      list.add(element.apply(this));
    }
    return Collections.unmodifiableList(list);
  }

  /** An unmodifiable map in the sender's order; {@code minValueBytes}: the fewest bytes one value takes. */
  <V> Map<String, V> map(Function<WireReader, V> value, int minValueBytes) {
    int n = count("map", 4 + minValueBytes);
    if (n == WireWriter.NULL) {
      return null;
    }
    Map<String, V> map = new LinkedHashMap<>(Math.max(4, n * 2));
    for (int i = 0; i < n; i++) {
      String key = string();
      map.put(key, value.apply(this));
    }
    return Collections.unmodifiableMap(map);
  }

  /**
   * Reads a count and that many elements of {@code elementBytes} each, copied once into a big-endian buffer that
   * {@code read} turns into the value (given the count); null for count -1.
   */
  private <A> A array(String what, int elementBytes, BiFunction<ByteBuffer, Integer, A> read) {
    int n = count(what, elementBytes);
    if (n == WireWriter.NULL) {
      return null;
    }
    int at = take(n * elementBytes);
    return read.apply(ByteBuffer.wrap(buffer.getBytes(at, at + n * elementBytes)), n);
  }

  /** Reads a count: -1 (null), or as many elements of at least {@code elementBytes} as the buffer still holds. */
  private int count(String what, int elementBytes) {
    int at = pos;
    int n = i32();
    if (n == WireWriter.NULL) {
      return n;
    }
    if (n < 0) {
      throw fail(what + " at offset " + at + " has a negative length " + n);
    }
    long left = buffer.length() - pos;
    if ((long) n * elementBytes > left) {
      throw fail(what + " at offset " + at + " claims " + n + " elements of at least " + elementBytes
          + " bytes, but only " + left + " bytes are left");
    }
    return n;
  }

  /** Claims the next {@code n} bytes and returns their offset. */
  private int take(int n) {
    if (n > buffer.length() - pos) {
      throw fail("truncated: " + n + " more bytes needed at offset " + pos + ", the buffer ends at "
          + buffer.length());
    }
    int at = pos;
    pos += n;
    return at;
  }
}
