package dev.ami.bus;

import io.vertx.core.buffer.Buffer;

/**
 * The codec of the records that never leave their JVM ({@link Codecs#LOCAL_ONLY}: native tensors, handles,
 * nanoTime deadlines): by reference on local delivery, and it refuses to encode. Records that may cross a JVM
 * boundary have a {@link WireCodec}.
 */
public final class LocalRecordCodec<T> extends RecordCodec<T> {
  public LocalRecordCodec(Class<T> type) {
    super(type, "local");
  }

  @Override
  public void encodeToWire(Buffer buffer, T t) {
    throw new UnsupportedOperationException(type().getSimpleName() + " is local-only");
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    throw new UnsupportedOperationException(type().getSimpleName() + " is local-only");
  }
}
