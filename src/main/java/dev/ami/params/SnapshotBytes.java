package dev.ami.params;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

  /** Encodes an acquired snapshot into chunks of {@link #CHUNK} bytes; read-only on its arrays. */
  public static EncodedSnapshot encode(ParamSnapshot s) {
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
    ChunkedOutput chunks = new ChunkedOutput();
    try (DataOutputStream out = new DataOutputStream(chunks)) {
      out.writeInt(header.length);
      out.write(header);
      all.encode(out);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode snapshot " + s.key() + "@" + s.version(), e);
    }
    return new EncodedSnapshot(s.key(), s.version(), s.spec(), chunks.chunks(), chunks.size());
  }

  /** An output stream into fixed-size chunks: no array ever grows and is copied, none is larger than a chunk. */
  private static final class ChunkedOutput extends OutputStream {
    private final List<byte[]> full = new ArrayList<>();
    private byte[] current = new byte[CHUNK];
    private int at;
    private long size;

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      while (len > 0) {
        if (at == CHUNK) {
          full.add(current);
          current = new byte[CHUNK];
          at = 0;
        }
        int n = Math.min(len, CHUNK - at);
        System.arraycopy(b, off, current, at, n);
        at += n;
        off += n;
        len -= n;
        size += n;
      }
    }

    List<byte[]> chunks() {
      List<byte[]> out = new ArrayList<>(full);
      out.add(Arrays.copyOf(current, at));
      return out;
    }

    long size() {
      return size;
    }
  }

  /** Decodes chunks as {@link #encode} made them; see {@link #decode(byte[])}. */
  public static ParamSnapshot decode(List<byte[]> chunks) {
    List<InputStream> parts = new ArrayList<>();
    long size = 0;
    for (byte[] c : chunks) {
      parts.add(new ByteArrayInputStream(c));
      size += c.length;
    }
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
