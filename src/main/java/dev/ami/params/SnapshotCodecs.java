package dev.ami.params;

import dev.ami.bus.LocalRecordCodec;
import dev.ami.bus.RecordCodec;
import dev.ami.bus.WireCodec;
import java.util.List;

/**
 * The codecs of this package's records: a snapshot's chunk crosses JVMs (its bytes read straight into a buffer of
 * {@link SnapshotChunk#RECEIVED}); training states hold native arrays and stay local.
 */
public final class SnapshotCodecs {
  static final WireCodec<SnapshotChunk> SNAPSHOT_CHUNK = new WireCodec<>(SnapshotChunk.class,
      (w, c) -> w.byteBuffer(c.bytes()),
      r -> new SnapshotChunk(r.chunk(SnapshotBytes.CHUNK, SnapshotChunk.RECEIVED::take)));

  /** Every codec of the package, for {@link dev.ami.bus.Codecs#registerAll}. */
  public static final List<RecordCodec<?>> ALL = List.of(SNAPSHOT_CHUNK,
      new LocalRecordCodec<>(TrainerState.class), new LocalRecordCodec<>(ModelState.class));

  private SnapshotCodecs() {
  }
}
