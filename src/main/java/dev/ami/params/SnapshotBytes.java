package dev.ami.params;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A snapshot as bytes, for a snapshot that travels to another node: a length-prefixed JSON header (format, key,
 * version, trainer step, spec, byte order, each group's name and its arrays' data types and shapes) followed by
 * every array's raw bytes, groups in sorted order.
 *
 * <p>Not DJL's {@link ai.djl.ndarray.NDList#encode} any more: its decoder takes a fresh 1 MiB scratch array per
 * array, 60 MB of heap for the 57 arrays of the 15 MB forward model, and its encoder copies every array onto the
 * heap first. Here the bytes go from the tensor's own memory into the chunks and from the chunks into new
 * tensors' memory, never through the Java heap.
 */
public final class SnapshotBytes {
  /** The layout version, in the header: a peer that writes another one is refused by name. */
  static final int FORMAT = 2;
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
    List<NDArray> all = new ArrayList<>();
    for (String g : s.groupNames()) {
      JsonArray arrays = new JsonArray();
      for (NDArray a : s.group(g)) {
        arrays.add(new JsonObject().put("dtype", a.getDataType().name())
            .put("shape", new JsonArray(Arrays.stream(a.getShape().getShape()).boxed().toList())));
        all.add(a);
      }
      groups.add(new JsonObject().put("name", g).put("arrays", arrays));
    }
    byte[] header = new JsonObject().put("format", FORMAT).put("key", s.key()).put("version", s.version())
        .put("trainer_step", s.trainerStep()).put("spec", s.spec()).put("order", ORDER.toString())
        .put("groups", groups).encode().getBytes(StandardCharsets.UTF_8);
    ChunkedOutput out = new ChunkedOutput(chunks);
    out.write(ByteBuffer.allocate(4).putInt(0, header.length));
    out.write(ByteBuffer.wrap(header));
    for (NDArray a : all) {
      if (a.size() > 0) { // an empty tensor may have no memory to view
        out.write(a.toByteBuffer(true)); // a view of a contiguous CPU tensor's memory (parameters are)
      }
    }
    return new EncodedSnapshot(s.key(), s.version(), s.spec(), out.chunks(), out.size());
  }

  /** The byte order the arrays' bytes are in: the machine's own, so that no value is ever swapped. */
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();

  /** Writes into fixed-size chunks: no buffer ever grows and is copied, none is larger than a chunk. */
  private static final class ChunkedOutput {
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

    /** Copies all of {@code from}'s remaining bytes. */
    void write(ByteBuffer from) {
      ByteBuffer src = from.duplicate();
      while (src.hasRemaining()) {
        if (!current.hasRemaining()) {
          full.add(current.flip());
          current = next();
        }
        size += move(src, current);
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

  /** Decodes chunks as {@link #encode} made them; see {@link #decode(List, long)}. */
  public static ParamSnapshot decode(List<byte[]> chunks) {
    return decode(chunks.stream().map(ByteBuffer::wrap).toList(), chunks.stream().mapToLong(c -> c.length).sum());
  }

  /** Decodes one array holding all the bytes; see {@link #decode(List, long)}. */
  public static ParamSnapshot decode(byte[] data) {
    return decode(List.of(data));
  }

  /**
   * A new snapshot owning a manager of its own, from chunks read in order (each from its position to its limit,
   * left untouched), {@code size} bytes in all. Each array is made empty by libtorch and the bytes are copied
   * into its memory. Throws {@link IllegalArgumentException} on bad bytes, before allocating for a size the
   * bytes cannot hold.
   */
  public static ParamSnapshot decode(List<ByteBuffer> chunks, long size) {
    ChunkedInput in = new ChunkedInput(chunks);
    if (in.left() != size) {
      throw new IllegalArgumentException("the chunks hold " + in.left() + " bytes, not " + size);
    }
    // on the CPU whatever the default device: a view of a GPU tensor's memory would be a copy, filled in vain
    NDManager manager = NDManager.newBaseManager(Device.cpu());
    try {
      int n = size < 4 ? -1 : in.readInt();
      if (n < 2 || n > Math.min(MAX_HEADER, size - 4)) {
        throw new IllegalArgumentException("snapshot header of " + n + " bytes in " + size);
      }
      JsonObject h = new JsonObject(new String(in.read(n), StandardCharsets.UTF_8));
      if (h.getInteger("format", 0) != FORMAT) {
        throw new IllegalArgumentException("snapshot format " + h.getValue("format") + ", but this JVM reads "
            + FORMAT + ": the peer runs another version of ami-runtime");
      }
      if (!ORDER.toString().equals(h.getString("order"))) {
        throw new IllegalArgumentException("arrays in byte order " + h.getString("order") + ", this machine is "
            + ORDER);
      }
      if (h.getString("key") == null || h.getLong("version") == null || h.getLong("trainer_step") == null) {
        throw new IllegalArgumentException("snapshot header without key, version or trainer step");
      }
      Map<String, List<NDArray>> groups = new LinkedHashMap<>();
      for (Object o : h.getJsonArray("groups")) {
        JsonObject g = (JsonObject) o;
        if (g.getString("name") == null) {
          throw new IllegalArgumentException("a group without a name");
        }
        List<NDArray> arrays = new ArrayList<>();
        for (Object a : g.getJsonArray("arrays")) {
          arrays.add(readArray(manager, (JsonObject) a, in));
        }
        groups.put(g.getString("name"), List.copyOf(arrays));
      }
      if (in.left() != 0) {
        throw new IllegalArgumentException(in.left() + " bytes left after the arrays the header lists");
      }
      return ParamSnapshot.restored(h.getString("key"), h.getLong("version"), h.getLong("trainer_step"),
          h.getString("spec", ""), groups, manager);
    } catch (RuntimeException e) {
      manager.close();
      throw e instanceof IllegalArgumentException iae ? iae
          : new IllegalArgumentException("not a snapshot: " + e.getMessage(), e);
    }
  }

  /** One array as the header describes it, its bytes copied from {@code in} straight into its own memory. */
  private static NDArray readArray(NDManager manager, JsonObject a, ChunkedInput in) {
    DataType type = DataType.valueOf(a.getString("dtype"));
    if (type.getNumOfBytes() <= 0 || type == DataType.STRING || type == DataType.UNKNOWN) {
      throw new IllegalArgumentException("no fixed-size data type: " + type);
    }
    long[] dims = a.getJsonArray("shape").stream().mapToLong(d -> ((Number) d).longValue()).toArray();
    long bytes = type.getNumOfBytes();
    for (long d : dims) {
      if (d < 0) {
        throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " has a negative size");
      }
      bytes = Math.multiplyExact(bytes, d);
    }
    if (bytes > in.left()) {
      throw new IllegalArgumentException("an array of shape " + Arrays.toString(dims) + " needs " + bytes
          + " bytes, " + in.left() + " are left");
    }
    NDArray array = manager.create(new Shape(dims), type);
    if (bytes == 0) {
      return array;
    }
    ByteBuffer memory = array.toByteBuffer(true); // a fresh CPU tensor is contiguous: this is its own memory
    if (memory.remaining() != bytes) {
      throw new IllegalStateException("a new array of " + bytes + " bytes offers " + memory.remaining());
    }
    in.read(memory);
    return array;
  }

  /** Copies as many bytes as both have room for from {@code from} to {@code to}, advancing both; returns how many. */
  private static int move(ByteBuffer from, ByteBuffer to) {
    int n = Math.min(from.remaining(), to.remaining());
    to.put(to.position(), from, from.position(), n).position(to.position() + n);
    from.position(from.position() + n);
    return n;
  }

  /** Reads across chunks in order, never changing them. */
  private static final class ChunkedInput {
    private final List<ByteBuffer> chunks;
    private int at;
    private long left;

    ChunkedInput(List<ByteBuffer> chunks) {
      this.chunks = chunks.stream().map(ByteBuffer::duplicate).toList();
      this.left = this.chunks.stream().mapToLong(ByteBuffer::remaining).sum();
    }

    long left() {
      return left;
    }

    int readInt() {
      return ByteBuffer.wrap(read(4)).getInt();
    }

    byte[] read(int n) {
      byte[] out = new byte[n];
      read(ByteBuffer.wrap(out));
      return out;
    }

    /** Fills {@code to} from its position to its limit. */
    void read(ByteBuffer to) {
      if (to.remaining() > left) {
        throw new IllegalArgumentException("truncated: " + to.remaining() + " bytes wanted, " + left + " left");
      }
      while (to.hasRemaining()) {
        ByteBuffer c = chunks.get(at);
        if (!c.hasRemaining()) {
          at++;
          continue;
        }
        left -= move(c, to);
      }
    }
  }
}
