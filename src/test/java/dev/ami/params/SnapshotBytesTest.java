package dev.ami.params;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A snapshot as the chunks that travel between cluster nodes, and back. */
class SnapshotBytesTest {

  @Test
  @DisplayName("a snapshot spanning many chunks comes back with the same key, version, spec, groups and values")
  void roundTrip() {
    NDManager m = NDManager.newBaseManager();
    Map<String, List<NDArray>> groups = new LinkedHashMap<>();
    groups.put("encoder", List.of(m.arange(300_000f).reshape(new Shape(600, 500)), m.create(new float[] {1.5f, -2f})));
    groups.put("decoder", List.of(m.create(new float[] {Float.NaN, 3f, 4f}, new Shape(3))));
    ParamSnapshot s = ParamSnapshot.restored("vae", 42, 1234, "VaeSpec[x]", groups, m);
    EncodedSnapshot e = SnapshotBytes.encode(s);
    assertThat(e.chunks().size()).as("1.2 MB in chunks of 256 KiB").isGreaterThanOrEqualTo(5);
    assertThat(e.chunks()).allSatisfy(c -> assertThat(c.remaining()).isLessThanOrEqualTo(SnapshotBytes.CHUNK));
    assertThat(e.chunks().stream().mapToLong(c -> c.remaining()).sum()).isEqualTo(e.size());
    assertThat(e.version()).isEqualTo(42);
    List<byte[]> chunks = new ArrayList<>();
    for (int i = 0; i < e.chunks().size(); i++) {
      chunks.add(e.chunk(i));
    }
    assertThat(chunks.stream().mapToLong(c -> c.length).sum()).isEqualTo(e.size());

    ParamSnapshot back = SnapshotBytes.decode(chunks);
    try {
      assertThat(back.key()).isEqualTo("vae");
      assertThat(back.version()).isEqualTo(42);
      assertThat(back.trainerStep()).isEqualTo(1234);
      assertThat(back.spec()).isEqualTo("VaeSpec[x]");
      assertThat(back.groupNames()).containsExactly("decoder", "encoder");
      float[] big = back.group("encoder").get(0).toFloatArray();
      assertThat(back.group("encoder").get(0).getShape()).isEqualTo(new Shape(600, 500));
      assertThat(big[0]).isEqualTo(0f);
      assertThat(big[299_999]).isEqualTo(299_999f);
      assertThat(back.group("encoder").get(1).toFloatArray()).containsExactly(1.5f, -2f);
      assertThat(back.group("decoder").get(0).toFloatArray()[0]).isNaN();
    } finally {
      back.release();
      s.release();
    }
    assertThat(back.isFreed()).isTrue();
  }

  @Test
  @DisplayName("bytes that are not a snapshot are refused with a clear error, never a snapshot")
  void refusesGarbage() {
    List<byte[]> garbage = new ArrayList<>(List.of(new byte[] {0, 0, 0, 5, 'h', 'e'}));
    assertThatThrownBy(() -> SnapshotBytes.decode(garbage)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SnapshotBytes.decode(List.of(new byte[] {127, 0, 0, 0, 1})))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("header");
  }
}
