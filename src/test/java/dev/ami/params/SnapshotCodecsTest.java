package dev.ami.params;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ami.bus.WireCodec;
import dev.ami.bus.WireFormatException;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SnapshotCodecsTest {
  /** What Vert.x writes before a body: a decoder must start at the position it is given. */
  private static final byte[] LEADING = {9, 8, 7, 6, 5, 4, 3};

  @Test
  @DisplayName("a chunk's bytes cross the wire unchanged, an empty chunk included")
  void roundTrip() {
    for (byte[] bytes : List.of(new byte[] {1, -2, 3, 0, 127, -128}, new byte[0])) {
      ByteBuffer got = decode(afterLeading(new SnapshotChunk(ByteBuffer.wrap(bytes))));
      byte[] back = new byte[got.remaining()];
      got.get(back);
      assertThat(back).containsExactly(bytes);
    }
  }

  @Test
  @DisplayName("a received SnapshotChunk lies in a direct buffer of the receive pool, and a sent one is left as it was")
  void snapshotChunkArrivesOffHeap() {
    byte[] bytes = new byte[SnapshotBytes.CHUNK];
    new Random(5).nextBytes(bytes);
    ByteBuffer sent = ByteBuffer.wrap(bytes).position(10).limit(SnapshotBytes.CHUNK - 3);
    SnapshotChunk.RECEIVED.keepFree(4L * SnapshotBytes.CHUNK);
    Buffer wire = afterLeading(new SnapshotChunk(sent));
    assertThat(sent.position()).isEqualTo(10);
    assertThat(sent.limit()).isEqualTo(SnapshotBytes.CHUNK - 3);

    ByteBuffer got = decode(wire);
    assertThat(got.isDirect()).isTrue();
    assertThat(got.position()).isZero();
    assertThat(got.remaining()).isEqualTo(SnapshotBytes.CHUNK - 13);
    assertThat(got).isEqualTo(sent);
    SnapshotChunk.RECEIVED.give(List.of(got));
    assertThat(decode(wire)).as("the buffer given back is the next one used").isSameAs(got);
  }

  @Test
  @DisplayName("a SnapshotChunk claiming more than a chunk's bytes, or none at all, is refused")
  void snapshotChunkTooLarge() {
    Buffer big = Buffer.buffer().appendByte((byte) WireCodec.FORMAT).appendInt(SnapshotBytes.CHUNK + 1)
        .appendBytes(new byte[SnapshotBytes.CHUNK + 1]);
    assertThatThrownBy(() -> SnapshotCodecs.SNAPSHOT_CHUNK.decodeFromWire(0, big))
        .isInstanceOf(WireFormatException.class).hasMessageContaining("more than a chunk's");
    Buffer none = Buffer.buffer().appendByte((byte) WireCodec.FORMAT).appendInt(-1);
    assertThatThrownBy(() -> SnapshotCodecs.SNAPSHOT_CHUNK.decodeFromWire(0, none))
        .isInstanceOf(WireFormatException.class).hasMessageContaining("null");
  }

  @Test
  @DisplayName("training states, which hold native arrays, are registered local-only")
  void localOnly() {
    assertThat(SnapshotCodecs.ALL.stream().map(c -> c.type().getSimpleName()))
        .containsExactlyInAnyOrder("SnapshotChunk", "TrainerState", "ModelState");
    assertThatThrownBy(() -> SnapshotCodecs.ALL.get(1).encodeToWire(Buffer.buffer(), null))
        .isInstanceOf(UnsupportedOperationException.class).hasMessageEndingWith("is local-only");
  }

  private static Buffer afterLeading(SnapshotChunk c) {
    Buffer b = Buffer.buffer().appendBytes(LEADING);
    SnapshotCodecs.SNAPSHOT_CHUNK.encodeToWire(b, c);
    return b;
  }

  private static ByteBuffer decode(Buffer wire) {
    return SnapshotCodecs.SNAPSHOT_CHUNK.decodeFromWire(LEADING.length, wire).bytes();
  }
}
