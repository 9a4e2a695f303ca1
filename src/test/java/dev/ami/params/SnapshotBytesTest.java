package dev.ami.params;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
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
  @DisplayName("a snapshot decodes from direct chunks as received, cut anywhere, and leaves them untouched")
  void decodesFromDirectChunks() {
    NDManager m = NDManager.newBaseManager();
    ParamSnapshot s = ParamSnapshot.restored("fd", 9, 3, "spec", Map.of(
        "w", List.of(m.arange(400_000f).reshape(new Shape(800, 500)), m.create(new int[] {7, -8})),
        "b", List.of(m.create(new float[] {2.5f}, new Shape()), m.zeros(new Shape(0, 3)))), m);
    EncodedSnapshot e = SnapshotBytes.encode(s);
    s.release();
    byte[] all = new byte[(int) e.size()];
    int at = 0;
    for (int i = 0; i < e.chunks().size(); i++) {
      byte[] c = e.chunk(i);
      System.arraycopy(c, 0, all, at, c.length);
      at += c.length;
    }
    // pieces of odd sizes, each in a direct buffer at an offset, as a receive pool hands them out
    List<ByteBuffer> pieces = new ArrayList<>();
    for (int from = 0, n = 3; from < all.length; from += n, n = n * 7 % 300_001 + 1) {
      int len = Math.min(n, all.length - from);
      ByteBuffer d = ByteBuffer.allocateDirect(len + 5).position(5);
      d.put(all, from, len).position(5);
      pieces.add(d);
    }
    ParamSnapshot back = SnapshotBytes.decode(pieces, e.size());
    try {
      assertThat(back.version()).isEqualTo(9);
      assertThat(back.groupNames()).containsExactly("b", "w");
      float[] w = back.group("w").get(0).toFloatArray();
      assertThat(w).hasSize(400_000);
      assertThat(w[0]).isZero();
      assertThat(w[123_457]).isEqualTo(123_457f);
      assertThat(w[399_999]).isEqualTo(399_999f);
      assertThat(back.group("w").get(1).toIntArray()).containsExactly(7, -8);
      assertThat(back.group("b").get(0).getShape()).isEqualTo(new Shape());
      assertThat(back.group("b").get(0).getFloat()).isEqualTo(2.5f);
      assertThat(back.group("b").get(1).getShape()).as("an empty array keeps its shape").isEqualTo(new Shape(0, 3));
      assertThat(pieces).allSatisfy(p -> assertThat(p.position()).isEqualTo(5));
    } finally {
      back.release();
    }
  }

  @Test
  @DisplayName("encoding into direct chunks and decoding from them allocate almost nothing on the Java heap")
  void staysOffTheHeap() {
    // the forward model's shape of snapshot: many arrays, a dozen of them 1 MB or more
    NDManager m = NDManager.newBaseManager();
    List<NDArray> arrays = new ArrayList<>();
    for (int i = 0; i < 57; i++) {
      arrays.add(m.full(new Shape(i % 4 == 0 ? 300_000 : 5_000), (float) i));
    }
    ParamSnapshot s = ParamSnapshot.restored("fd", 3, 0, "", Map.of("model", arrays), m);
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    try {
      long[] heap = new long[2];
      for (int round = 0; round < 3; round++) { // the first rounds load classes and parse JSON for the first time
        long a0 = threads.getThreadAllocatedBytes(id);
        EncodedSnapshot e = SnapshotBytes.encode(s, () -> ByteBuffer.allocateDirect(SnapshotBytes.CHUNK));
        long a1 = threads.getThreadAllocatedBytes(id);
        ParamSnapshot back = SnapshotBytes.decode(e.chunks(), e.size());
        long a2 = threads.getThreadAllocatedBytes(id);
        assertThat(back.group("model").get(55).toFloatArray()).hasSize(5_000).containsOnly(55f);
        back.release();
        heap[0] = a1 - a0;
        heap[1] = a2 - a1;
        assertThat(e.size()).isGreaterThan(15L * 4 * 300_000);
      }
      // DJL's NDList codec took 1x the bytes to encode and a 1 MiB scratch array per array to decode (60 MB here)
      assertThat(heap[0]).as("heap bytes to encode 18 MB").isLessThan(1_000_000);
      assertThat(heap[1]).as("heap bytes to decode 18 MB").isLessThan(1_000_000);
    } finally {
      s.release();
    }
  }

  @Test
  @DisplayName("a decode reuses the memory of the model's freed snapshot of the same layout, never one still read")
  void decodesIntoSpares() {
    SpareSnapshots spares = new SpareSnapshots();
    EncodedSnapshot v1 = encoded("fd", 1, 0f, new Shape(700, 500));
    EncodedSnapshot v2 = encoded("fd", 2, 10f, new Shape(700, 500));
    EncodedSnapshot v3 = encoded("fd", 3, 20f, new Shape(700, 500));
    ParamSnapshot first = SnapshotBytes.decode(v1.chunks(), v1.size(), spares);
    NDArray firstMemory = first.group("w").get(0);
    ParamSnapshot second = SnapshotBytes.decode(v2.chunks(), v2.size(), spares);
    assertThat(second.group("w").get(0)).as("v1 is still held: new memory").isNotSameAs(firstMemory);
    assertThat(spares.reused("fd")).isZero();
    first.release();
    assertThat(first.isFreed()).isTrue();
    assertThat(spares.bytes()).as("v1's memory kept").isEqualTo(4L * (700 * 500 + 3));

    ParamSnapshot third = SnapshotBytes.decode(v3.chunks(), v3.size(), spares);
    try {
      assertThat(spares.reused("fd")).isEqualTo(1);
      assertThat(spares.bytes()).as("taken").isZero();
      assertThat(third.group("w").get(0)).as("v1's very array, rewritten").isSameAs(firstMemory);
      float[] w = third.group("w").get(0).toFloatArray();
      assertThat(w[0]).isEqualTo(20f);
      assertThat(w[349_999]).isEqualTo(20f + 349_999);
      assertThat(third.group("b").get(0).toFloatArray()).containsExactly(20f, 21f, 22f);
      assertThat(third.version()).isEqualTo(3);
      assertThat(second.group("w").get(0).toFloatArray()[1]).as("v2 untouched").isEqualTo(11f);
    } finally {
      third.release();
      second.release();
    }
    assertThat(spares.bytes()).as("one spare per model: v3's memory, v2's freed").isEqualTo(4L * (700 * 500 + 3));

    EncodedSnapshot wider = encoded("fd", 4, 30f, new Shape(700, 501));
    ParamSnapshot fourth = SnapshotBytes.decode(wider.chunks(), wider.size(), spares);
    assertThat(spares.reused("fd")).as("another layout: the spare is freed, not reused").isEqualTo(1);
    assertThat(spares.bytes()).isZero();
    assertThat(fourth.group("w").get(0).getShape()).isEqualTo(new Shape(700, 501));
    assertThat(fourth.group("w").get(0).toFloatArray()[700 * 501 - 1]).isEqualTo(30f + 700 * 501 - 1);
    spares.close();
    fourth.release();
    assertThat(spares.bytes()).as("closed: a freed snapshot frees its memory").isZero();
    assertThat(fourth.group("w").get(0).isReleased()).isTrue();
  }

  /** A snapshot {@code key@version} of one group: w of {@code shape} counting from {@code from}, b of three. */
  private static EncodedSnapshot encoded(String key, long version, float from, Shape shape) {
    NDManager m = NDManager.newBaseManager();
    ParamSnapshot s = ParamSnapshot.restored(key, version, 0, "", Map.of("g", List.of(), "w",
        List.of(m.arange(from, from + shape.size()).reshape(shape)), "b", List.of(m.arange(from, from + 3))), m);
    try {
      return SnapshotBytes.encode(s, () -> ByteBuffer.allocateDirect(SnapshotBytes.CHUNK));
    } finally {
      s.release();
    }
  }

  @Test
  @DisplayName("a header that promises other arrays than the bytes hold is refused before anything that size is made")
  void refusesLyingHeaders() {
    NDManager m = NDManager.newBaseManager();
    ParamSnapshot s = ParamSnapshot.restored("vae", 1, 0, "", Map.of("g", List.of(m.zeros(new Shape(4, 4)))), m);
    byte[] good = SnapshotBytes.encode(s).chunk(0);
    s.release();
    assertThat(good.length).as("header plus 64 bytes of floats").isGreaterThan(64);
    String header = header(good);
    assertThat(header).contains("\"format\":2").contains("\"shape\":[4,4]").contains("\"dtype\":\"FLOAT32\"");
    Map<String, String> lies = Map.of(
        header.replace("[4,4]", "[4,400000000]"), "needs 6400000000 bytes",
        header.replace("[4,4]", "[4,-4]"), "negative size",
        header.replace("[4,4]", "[4,2]"), "bytes left after the arrays",
        header.replace("[4,4]", "[4611686018427387904,4]"), "overflow",
        header.replace("FLOAT32", "STRING"), "no fixed-size data type",
        header.replace("FLOAT32", "COMPLEX99"), "COMPLEX99",
        header.replace("\"format\":2", "\"format\":1"), "another version of ami-runtime",
        header.replace("\"key\":", "\"kex\":"), "without key",
        header.replace("\"groups\":[", "\"groups\":[{\"name\":\"g\",\"arrays\":[]},"), "group g twice",
        header.replace(ByteOrder.nativeOrder().toString(), "BIG_OR_SMALL"), "byte order BIG_OR_SMALL");
    lies.forEach((lie, message) -> assertThatThrownBy(() -> SnapshotBytes.decode(withHeader(good, lie)))
        .as(lie).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message));
    ParamSnapshot same = SnapshotBytes.decode(withHeader(good, header));
    assertThat(same.group("g").get(0).getShape()).isEqualTo(new Shape(4, 4));
    same.release();
  }

  private static String header(byte[] bytes) {
    int n = ByteBuffer.wrap(bytes).getInt();
    return new String(bytes, 4, n, StandardCharsets.UTF_8);
  }

  /** {@code bytes} with its header replaced by {@code header}, the arrays' bytes unchanged. */
  private static byte[] withHeader(byte[] bytes, String header) {
    int n = ByteBuffer.wrap(bytes).getInt();
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer out = ByteBuffer.allocate(4 + h.length + bytes.length - 4 - n);
    out.putInt(h.length).put(h).put(bytes, 4 + n, bytes.length - 4 - n);
    return out.array();
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
