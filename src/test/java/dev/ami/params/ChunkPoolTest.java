package dev.ami.params;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The direct chunks a trainer node's encodings live in, reused from one publish to the next. */
class ChunkPoolTest {

  @Test
  @DisplayName("a chunk given back is the next one handed out, empty; beyond the limit chunks are let go")
  void reuse() {
    ChunkPool pool = new ChunkPool();
    pool.keepFree(2L * SnapshotBytes.CHUNK);
    ByteBuffer a = pool.take();
    assertThat(a.isDirect()).isTrue();
    assertThat(a.remaining()).isEqualTo(SnapshotBytes.CHUNK);
    a.put(new byte[100]).flip();
    ByteBuffer b = pool.take();
    ByteBuffer c = pool.take();
    assertThat(pool.made()).isEqualTo(3);

    pool.give(List.of(a, b, c, ByteBuffer.allocate(SnapshotBytes.CHUNK)));
    assertThat(pool.free()).as("two kept, the third let go, a heap buffer ignored").isEqualTo(2);
    ByteBuffer again = pool.take();
    assertThat(again).isSameAs(b);
    assertThat(again.position()).isZero();
    assertThat(again.remaining()).isEqualTo(SnapshotBytes.CHUNK);
    assertThat(pool.take()).isSameAs(a);
    assertThat(pool.made()).isEqualTo(3);
    pool.take();
    assertThat(pool.made()).as("empty again: a new one").isEqualTo(4);
  }

  @Test
  @DisplayName("an encoding into reused chunks decodes to the values of its own snapshot, not the one before")
  void encodingsInReusedChunks() {
    ChunkPool pool = new ChunkPool();
    pool.keepFree(64L * SnapshotBytes.CHUNK);
    EncodedSnapshot one = encode(pool, 1, 1f);
    List<byte[]> first = copies(one);
    pool.give(one.chunks());
    assertThat(pool.free()).as("the first encoding's chunks are back").isGreaterThanOrEqualTo(4);
    int made = pool.made();
    EncodedSnapshot two = encode(pool, 2, -7f);
    List<byte[]> second = copies(two);
    pool.give(two.chunks());
    assertThat(pool.made()).as("the second encoding reused them all").isEqualTo(made);

    for (List<byte[]> bytes : List.of(first, second)) {
      ParamSnapshot back = SnapshotBytes.decode(bytes);
      try {
        float expected = back.version() == 1 ? 1f : -7f;
        float[] values = back.group("w").get(0).toFloatArray();
        assertThat(values).hasSize(300_000).containsOnly(expected);
      } finally {
        back.release();
      }
    }
  }

  /** Encodes a 1.2 MB snapshot of {@code value}s into the pool's chunks. */
  private static EncodedSnapshot encode(ChunkPool pool, long version, float value) {
    NDManager m = NDManager.newBaseManager();
    NDArray w = m.full(new Shape(300_000), value);
    ParamSnapshot s = ParamSnapshot.restored("m", version, 0, "", Map.of("w", List.of(w)), m);
    try {
      return SnapshotBytes.encode(s, pool::take);
    } finally {
      s.release();
    }
  }

  private static List<byte[]> copies(EncodedSnapshot e) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < e.chunks().size(); i++) {
      out.add(e.chunk(i));
    }
    return out;
  }
}
