package dev.ami.params;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A snapshot as bytes, for a snapshot that travels to another node: a length-prefixed JSON header (key, version,
 * trainer step, spec, each group's name and array count) followed by DJL's own encoding of every array
 * ({@link NDList#encode}), groups in sorted order.
 */
public final class SnapshotBytes {
  private static final int MAX_HEADER = 1 << 20;

  private SnapshotBytes() {
  }

  /**
   * Bytes per chunk: below half of G1's smallest region (1 MiB), so no chunk is ever a humongous object whatever
   * the heap's size, and many small requests travel in parallel.
   */
  public static final int CHUNK = 256 * 1024;

  /** Encodes an acquired snapshot into heap chunks of {@link #CHUNK} bytes; read-only on its arrays. */
  public static EncodedSnapshot encode(ParamSnapshot s) {
    return encode(s, () -> ByteBuffer.allocate(CHUNK));
  }

  /**
   * Encodes an acquired snapshot into chunks taken from {@code chunks}, each an empty buffer of {@link #CHUNK}
   * bytes (direct ones from a pool, so that no encoding lives on the Java heap); every chunk comes back filled
   * and flipped, the last one partly. Read-only on the snapshot's arrays.
   */
  public static EncodedSnapshot encode(ParamSnapshot s, Supplier<ByteBuffer> chunks) {
    JsonArray groups = new JsonArray();
    NDList all = new NDList();
    for (String g : s.groupNames()) {
      List<NDArray> arrays = s.group(g);
      groups.add(new JsonObject().put("name", g).put("arrays", arrays.size()));
      all.addAll(arrays);
    }
    byte[] header = new JsonObject().put("key", s.key()).put("version", s.version())
        .put("trainer_step", s.trainerStep()).put("spec", s.spec()).put("groups", groups).encode()
        .getBytes(StandardCharsets.UTF_8);
    ChunkedOutput out = new ChunkedOutput(chunks);
    try (DataOutputStream data = new DataOutputStream(new BufferedOutputStream(out, 64 * 1024))) {
      data.writeInt(header.length);
      data.write(header);
      all.encode(data);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode snapshot " + s.key() + "@" + s.version(), e);
    }
    return new EncodedSnapshot(s.key(), s.version(), s.spec(), out.chunks(), out.size());
  }

  /** An output stream into fixed-size chunks: no buffer ever grows and is copied, none is larger than a chunk. */
  private static final class ChunkedOutput extends OutputStream {
    private final Supplier<ByteBuffer> source;
    private final List<ByteBuffer> full = new ArrayList<>();
    private ByteBuffer current;
    private long size;

    ChunkedOutput(Supplier<ByteBuffer> source) {
      this.source = source;
      this.current = next();
    }

    private ByteBuffer next() {
      ByteBuffer b = source.get();
      if (b.remaining() != CHUNK) {
        throw new IllegalArgumentException("a chunk must have " + CHUNK + " bytes free, not " + b.remaining());
      }
      return b;
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      while (len > 0) {
        if (!current.hasRemaining()) {
          full.add(current.flip());
          current = next();
        }
        int n = Math.min(len, current.remaining());
        current.put(b, off, n);
        off += n;
        len -= n;
        size += n;
      }
    }

    List<ByteBuffer> chunks() {
      List<ByteBuffer> out = new ArrayList<>(full);
      out.add(current.flip());
      return out;
    }

    long size() {
      return size;
    }
  }

  /** Decodes chunks as {@link #encode} made them; see {@link #decode(byte[])}. */
  public static ParamSnapshot decode(List<byte[]> chunks) {
    return decodeParts(chunks.stream().map(c -> (InputStream) new ByteArrayInputStream(c)).toList(),
        chunks.stream().mapToLong(c -> c.length).sum());
  }

  /** Decodes chunks read in order from {@code parts}, {@code size} bytes in all; see {@link #decode(byte[])}. */
  public static ParamSnapshot decodeParts(List<InputStream> parts, long size) {
    return decode(new SequenceInputStream(Collections.enumeration(parts)), size);
  }

  /** A new snapshot owning a manager of its own; throws {@link IllegalArgumentException} on bad bytes. */
  public static ParamSnapshot decode(byte[] data) {
    return decode(new ByteArrayInputStream(data), data.length);
  }

  private static ParamSnapshot decode(InputStream source, long size) {
    NDManager manager = NDManager.newBaseManager();
    try (DataInputStream in = new DataInputStream(source)) {
      int n = in.readInt();
      if (n < 2 || n > Math.min(MAX_HEADER, size - 4)) {
        throw new IllegalArgumentException("snapshot header of " + n + " bytes in " + size);
      }
      byte[] header = in.readNBytes(n);
      JsonObject h = new JsonObject(new String(header, StandardCharsets.UTF_8));
      NDList arrays = NDList.decode(manager, in);
      Map<String, List<NDArray>> groups = new LinkedHashMap<>();
      int at = 0;
      for (Object o : h.getJsonArray("groups")) {
        JsonObject g = (JsonObject) o;
        int count = g.getInteger("arrays");
        if (count < 0 || at + count > arrays.size()) {
          throw new IllegalArgumentException("group " + g.getString("name") + " wants " + count + " arrays, "
              + (arrays.size() - at) + " left");
        }
        groups.put(g.getString("name"), List.copyOf(arrays.subList(at, at + count)));
        at += count;
      }
      if (at != arrays.size()) {
        throw new IllegalArgumentException(arrays.size() + " arrays, the header lists " + at);
      }
      return ParamSnapshot.restored(h.getString("key"), h.getLong("version"), h.getLong("trainer_step"),
          h.getString("spec", ""), groups, manager);
    } catch (IOException | RuntimeException e) {
      manager.close();
      throw e instanceof IllegalArgumentException iae ? iae
          : new IllegalArgumentException("not a snapshot: " + e.getMessage(), e);
    }
  }
}
