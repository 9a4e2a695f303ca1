package dev.ami.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ami.params.EncodedSnapshot;
import dev.ami.params.ParamSnapshot;
import dev.ami.params.SnapshotBytes;
import io.vertx.core.buffer.Buffer;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The chunks a mirror receives, read in place. */
class BufferInputStreamTest {

  @Test
  @DisplayName("reads every byte in order, unsigned, in pieces of any size, then -1")
  void readsInPieces() {
    BufferInputStream in = new BufferInputStream(Buffer.buffer(new byte[] {1, -2, 3, 4, 5}));
    assertThat(in.available()).isEqualTo(5);
    assertThat(in.read()).isEqualTo(1);
    assertThat(in.read()).as("unsigned").isEqualTo(254);
    byte[] b = new byte[10];
    assertThat(in.read(b, 2, 0)).isZero();
    assertThat(in.read(b, 2, 2)).isEqualTo(2);
    assertThat(b[2]).isEqualTo((byte) 3);
    assertThat(b[3]).isEqualTo((byte) 4);
    assertThat(in.read(b, 0, 10)).as("only what is left").isEqualTo(1);
    assertThat(b[0]).isEqualTo((byte) 5);
    assertThat(in.read(b, 0, 10)).isEqualTo(-1);
    assertThat(in.read()).isEqualTo(-1);
  }

  @Test
  @DisplayName("a snapshot decoded from the received chunks in place has its values")
  void decodesFromChunks() {
    NDManager m = NDManager.newBaseManager();
    ParamSnapshot s = ParamSnapshot.restored("fd", 9, 3, "spec",
        Map.of("w", List.of(m.arange(400_000f).reshape(new Shape(800, 500)))), m);
    EncodedSnapshot e = SnapshotBytes.encode(s);
    s.release();
    List<InputStream> parts = new ArrayList<>();
    for (int i = 0; i < e.chunks().size(); i++) {
      parts.add(new BufferInputStream(Buffer.buffer(e.chunk(i))));
    }
    ParamSnapshot back = SnapshotBytes.decodeParts(parts, e.size());
    try {
      assertThat(back.version()).isEqualTo(9);
      float[] w = back.group("w").get(0).toFloatArray();
      assertThat(w).hasSize(400_000);
      assertThat(w[0]).isZero();
      assertThat(w[123_457]).isEqualTo(123_457f);
      assertThat(w[399_999]).isEqualTo(399_999f);
    } finally {
      back.release();
    }
  }
}
