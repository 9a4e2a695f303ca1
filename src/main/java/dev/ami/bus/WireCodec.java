package dev.ami.bus;

import io.vertx.core.buffer.Buffer;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The codec of a record that may cross a JVM boundary (clustered event bus). Local delivery passes the record by
 * reference, exactly like {@link LocalRecordCodec}. On the wire the body is the format byte {@link #FORMAT}
 * followed by the record's fields as its writer lays them out (see {@link WireFormats}); a body of another format
 * fails to decode with a {@link WireFormatException}.
 */
public final class WireCodec<T> extends RecordCodec<T> {
  /** The version of the wire layout: change it whenever any record's layout changes. */
  public static final int FORMAT = 4;

  private final BiConsumer<WireWriter, T> writer;
  private final Function<WireReader, T> reader;

  /**
   * @param writer appends the record's fields
   * @param reader reads them back in the same order and builds the record
   */
  public WireCodec(Class<T> type, BiConsumer<WireWriter, T> writer, Function<WireReader, T> reader) {
    super(type, "wire");
    this.writer = writer;
    this.reader = reader;
  }

  @Override
  public void encodeToWire(Buffer buffer, T t) {
    writer.accept(new WireWriter(buffer).u8(FORMAT), t);
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    WireReader in = new WireReader(buffer, pos, type().getSimpleName());
    int format = in.u8();
    if (format != FORMAT) {
      throw in.fail("wire format " + format + ", but this JVM reads format " + FORMAT
          + ": the peer runs another version of ami-runtime");
    }
    return reader.apply(in);
  }
}
