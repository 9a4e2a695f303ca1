package dev.ami.params;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

  /** Encodes an acquired snapshot; read-only on its arrays. */
  public static byte[] encode(ParamSnapshot s) {
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
    long payload = 0;
    for (NDArray a : all) {
      payload += a.size() * a.getDataType().getNumOfBytes() + 64; // each array's data and its own header
    }
    int initial = (int) Math.min(Integer.MAX_VALUE - 16, header.length + 4 + 1024 + payload);
    try (ByteArrayOutputStream bytes = new ByteArrayOutputStream(initial);
         DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(header.length);
      out.write(header);
      all.encode(out);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode snapshot " + s.key() + "@" + s.version(), e);
    }
  }

  /** A new snapshot owning a manager of its own; throws {@link IllegalArgumentException} on bad bytes. */
  public static ParamSnapshot decode(byte[] data) {
    NDManager manager = NDManager.newBaseManager();
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      int n = in.readInt();
      if (n < 2 || n > Math.min(MAX_HEADER, data.length - 4)) {
        throw new IllegalArgumentException("snapshot header of " + n + " bytes in " + data.length);
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
