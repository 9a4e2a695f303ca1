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

  /** Decodes chunks into new memory; see {@link #decode(List, long, SpareSnapshots)}. */
  public static ParamSnapshot decode(List<ByteBuffer> chunks, long size) {
    return decode(chunks, size, null);
  }

  /**
   * A new snapshot owning a manager of its own, from chunks read in order (each from its position to its limit,
   * left untouched), {@code size} bytes in all. The bytes are copied into the memory of the model's spare from
   * {@code spares} when it has this snapshot's layout, else into arrays libtorch makes empty; the snapshot's
   * memory goes back to {@code spares} when it is freed. {@code spares} may be null: new memory, freed at the
   * end. Throws {@link IllegalArgumentException} on bad bytes, before allocating anything.
   */
  public static ParamSnapshot decode(List<ByteBuffer> chunks, long size, SpareSnapshots spares) {
    ChunkedInput in = new ChunkedInput(chunks);
    if (in.left() != size) {
      throw new IllegalArgumentException("the chunks hold " + in.left() + " bytes, not " + size);
    }
    JsonObject h;
    Map<String, List<ArrayLayout.Array>> layout;
    try {
      h = header(in, size);
      layout = layout(h, in.left());
    } catch (RuntimeException e) {
      throw e instanceof IllegalArgumentException iae ? iae
          : new IllegalArgumentException("not a snapshot: " + e.getMessage(), e);
    }
    SpareSnapshots.Spare spare = spares == null ? null
        : spares.take(h.getString("key"), g -> layout.equals(ArrayLayout.of(g)));
    // on the CPU whatever the default device: a view of a GPU tensor's memory would be a copy, filled in vain
    NDManager manager = spare != null ? spare.manager() : NDManager.newBaseManager(Device.cpu());
    try {
      Map<String, List<NDArray>> groups = new LinkedHashMap<>();
      layout.forEach((name, specs) -> {
        List<NDArray> arrays = spare != null ? spare.groups().get(name)
            : List.copyOf(specs.stream().map(a -> manager.create(a.shape(), a.type())).toList());
        for (NDArray a : arrays) {
          fill(a, in);
        }
        groups.put(name, arrays);
      });
      return ParamSnapshot.decoded(h.getString("key"), h.getLong("version"), h.getLong("trainer_step"),
          h.getString("spec", ""), groups, manager, spares);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** The header, checked for its format, byte order, key, version and trainer step. */
  private static JsonObject header(ChunkedInput in, long size) {
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
    return h;
  }

  /** Each group's arrays as the header lists them, checked to fill exactly the {@code left} bytes after it. */
  private static Map<String, List<ArrayLayout.Array>> layout(JsonObject h, long left) {
    Map<String, List<ArrayLayout.Array>> layout = new LinkedHashMap<>();
    for (Object o : h.getJsonArray("groups")) {
      JsonObject g = (JsonObject) o;
      String name = g.getString("name");
      if (name == null || layout.containsKey(name)) {
        throw new IllegalArgumentException(name == null ? "a group without a name" : "group " + name + " twice");
      }
      List<ArrayLayout.Array> arrays = new ArrayList<>();
      for (Object a : g.getJsonArray("arrays")) {
        ArrayLayout.Array spec = array((JsonObject) a);
        long bytes = spec.bytes();
        if (bytes > left) {
          throw new IllegalArgumentException("an array of shape " + spec.shape() + " needs " + bytes
              + " bytes, " + left + " are left");
        }
        left -= bytes;
        arrays.add(spec);
      }
      layout.put(name, List.copyOf(arrays));
    }
    if (left != 0) {
      throw new IllegalArgumentException(left + " bytes left after the arrays the header lists");
    }
    return layout;
  }

  private static ArrayLayout.Array array(JsonObject a) {
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
      bytes = Math.multiplyExact(bytes, d); // throws on overflow, before any size is trusted
    }
    return new ArrayLayout.Array(type, new Shape(dims));
  }

  /** Copies the array's bytes from {@code in} straight into its own memory. */
  private static void fill(NDArray array, ChunkedInput in) {
    if (array.size() == 0) {
      return;
    }
    // a CPU tensor made empty by libtorch is contiguous: the view is its own memory
    ByteBuffer memory = array.toByteBuffer(true);
    long bytes = array.size() * array.getDataType().getNumOfBytes();
    if (!memory.isDirect() || memory.remaining() != bytes) {
      throw new IllegalStateException("an array of " + bytes + " bytes offers " + memory.remaining()
          + (memory.isDirect() ? "" : ", not its own memory"));
    }
    in.read(memory);
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
