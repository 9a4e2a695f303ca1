package dev.ami.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.ami.bus.AgentState;
import dev.ami.data.Saved;
import dev.ami.params.ModelState;
import dev.ami.params.ParamSnapshot;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Writes a checkpoint atomically: every file into a hidden temporary sibling, each fsynced as it is closed, the
 * manifest last, the directories fsynced, then one rename to the final name. A crash at any moment leaves
 * either no new checkpoint or a whole one; never a half-written one under a final name. Not thread-safe: the
 * checkpoint verticle runs one writer on one thread.
 */
final class CheckpointWriter {
  /** What was written; {@code manifestSha256} is what the agent part of a split checkpoint records. */
  record Written(Path path, long bytes, double writeMs, String manifestSha256) {
  }

  private static final int BUFFER = 1 << 16;
  /** Test hook: stall this long after the first file of every checkpoint but a process's first. */
  private static final long STALL_MS = Long.getLong("ami.test.checkpoint_stall_ms", 0);
  /** Test hook: while this system property is true, every checkpoint fails after its first file, as on a full disk. */
  static final String FAIL_PROPERTY = "ami.test.checkpoint_fail";

  private final Path dir;
  private final Clock clock;
  private int written;

  CheckpointWriter(Path dir, Clock clock) {
    this.dir = dir;
    this.clock = clock;
  }

  Written write(CheckpointContent c) throws IOException {
    return write(c, null);
  }

  /**
   * @param name the directory's name (a split cluster's parts share one); null: the next one in this run, stamped
   *     {@code c.created()}
   * @throws IOException also when a checkpoint of that name exists: a part is never written over
   */
  Written write(CheckpointContent c, String name) throws IOException {
    long t0 = System.nanoTime();
    Files.createDirectories(dir);
    Instant now = c.created() != null ? c.created() : clock.instant();
    if (name == null) {
      name = Checkpoints.newName(dir, now);
    } else if (Files.exists(dir.resolve(name))) {
      throw new IOException("checkpoint " + dir.resolve(name) + " exists already: not written over");
    }
    Path tmp = Checkpoints.temp(dir, name);
    Checkpoints.deleteTree(tmp); // a crash's leftover under a name the coordinator chose
    Files.createDirectory(tmp);
    try {
      JsonObject files = new JsonObject();
      put(files, tmp, "config.json", out -> out.write(c.config().encodePrettily().getBytes(StandardCharsets.UTF_8)));
      stallForTests();
      if (Boolean.getBoolean(FAIL_PROPERTY)) { // read per write: a test turns it on and off around one checkpoint
        throw new IOException("injected disk error (" + FAIL_PROPERTY + ")");
      }
      JsonObject models = new JsonObject();
      if (c.trainer() != null) {
        for (ModelState m : c.trainer().models()) {
          models.put(m.key(), writeModel(files, tmp, m, specOf(c, m.params())));
        }
      }
      for (Map.Entry<String, ParamSnapshot> p : c.params().entrySet()) {
        models.put(p.getKey(), writeParamsOnly(files, tmp, p.getValue(), specOf(c, p.getValue())));
      }
      if (c.agent() != null) {
        put(files, tmp, "agent.json", out -> out.write(agentJson(c.agent()).encode().getBytes(StandardCharsets.UTF_8)));
      }
      for (Map.Entry<String, Saved> b : c.buffers().entrySet()) {
        put(files, tmp, "buffers/" + b.getKey(), out -> b.getValue().writeTo(new DataOutputStream(out)));
      }
      JsonObject manifest = Manifest.build(now, c, models, files);
      byte[] manifestBytes = manifest.encodePrettily().getBytes(StandardCharsets.UTF_8);
      FileEntry m = writeFile(tmp, Manifest.FILE, out -> out.write(manifestBytes));
      writeFile(tmp, Manifest.CHECKSUM_FILE, out -> out.write((m.sha256() + "\n").getBytes(StandardCharsets.UTF_8)));
      syncDirectories(tmp);
      Path target = dir.resolve(name);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      syncDirectory(dir);
      written++;
      long bytes = m.bytes() + files.stream().mapToLong(e -> ((JsonObject) e.getValue()).getLong("bytes")).sum();
      return new Written(target, bytes, (System.nanoTime() - t0) / 1e6, m.sha256());
    } catch (IOException | RuntimeException e) {
      Checkpoints.deleteTree(tmp);
      throw e;
    }
  }

  private static String specOf(CheckpointContent c, ParamSnapshot p) {
    return p.spec().isEmpty() ? c.specs().get(p.key()) : p.spec();
  }

  /** An agent part's model: its parameters as the agent acts with them, no optimizer (manifest format 2). */
  private JsonObject writeParamsOnly(JsonObject files, Path tmp, ParamSnapshot p, String spec) throws IOException {
    JsonArray groups = new JsonArray();
    NDList params = new NDList();
    for (String g : p.groupNames()) {
      List<NDArray> arrays = p.group(g);
      params.addAll(arrays);
      groups.add(new JsonObject().put("name", g).put("shapes", shapes(arrays)));
    }
    String paramsFile = "models/" + p.key() + ".params";
    put(files, tmp, paramsFile, params::encode);
    return new JsonObject().put("version", p.version()).put("trainer_step", p.trainerStep())
        .put("optimizer_steps", 0).put("counters", new JsonObject()).put("spec", spec).put("groups", groups)
        .put("optimizer_arrays", 0).put("params", paramsFile).putNull("optimizer");
  }

  private JsonObject writeModel(JsonObject files, Path tmp, ModelState m, String spec) throws IOException {
    List<String> groupNames = m.params().groupNames();
    JsonArray groups = new JsonArray();
    NDList params = new NDList();
    for (String g : groupNames) {
      List<NDArray> arrays = m.params().group(g);
      params.addAll(arrays);
      groups.add(new JsonObject().put("name", g).put("shapes", shapes(arrays)));
    }
    String paramsFile = "models/" + m.key() + ".params";
    String optimizerFile = "models/" + m.key() + ".optimizer";
    put(files, tmp, paramsFile, params::encode);
    put(files, tmp, optimizerFile, new NDList(m.optimizer())::encode);
    return new JsonObject().put("version", m.version()).put("trainer_step", m.params().trainerStep())
        .put("optimizer_steps", m.optimizerSteps()).put("counters", new JsonObject(Map.copyOf(m.counters())))
        .put("spec", spec).put("groups", groups).put("optimizer_arrays", m.optimizer().size())
        .put("params", paramsFile).put("optimizer", optimizerFile);
  }

  static JsonArray shapes(List<NDArray> arrays) {
    JsonArray out = new JsonArray();
    for (NDArray a : arrays) {
      JsonArray dims = new JsonArray();
      for (long d : a.getShape().getShape()) {
        dims.add(d);
      }
      out.add(dims);
    }
    return out;
  }

  private static JsonObject agentJson(AgentState a) {
    JsonArray hidden = null;
    if (a.hidden() != null) {
      hidden = new JsonArray(new ArrayList<>(a.hidden().length));
      for (float h : a.hidden()) {
        hidden.add(h);
      }
    }
    return new JsonObject().put("ticks", a.ticks()).put("no_frame_ticks", a.noFrameTicks())
        .put("stale_ticks", a.staleTicks()).put("missed_ticks", a.missedTicks()).put("hidden", hidden);
  }

  private void stallForTests() {
    if (STALL_MS > 0 && written > 0) {
      try {
        Thread.sleep(STALL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private interface Body {
    void write(OutputStream out) throws IOException;
  }

  private record FileEntry(long bytes, String sha256) {
  }

  private static void put(JsonObject files, Path tmp, String name, Body body) throws IOException {
    FileEntry e = writeFile(tmp, name, body);
    files.put(name, new JsonObject().put("bytes", e.bytes()).put("sha256", e.sha256()));
  }

  /** Writes one file, hashing what goes through, and forces it to the disk before closing it. */
  private static FileEntry writeFile(Path tmp, String name, Body body) throws IOException {
    Path file = tmp.resolve(name);
    Files.createDirectories(file.getParent());
    MessageDigest sha = sha256();
    try (FileOutputStream fos = new FileOutputStream(file.toFile())) {
      DigestOutputStream digest = new DigestOutputStream(new BufferedOutputStream(fos, BUFFER), sha);
      body.write(digest);
      digest.flush();
      fos.getChannel().force(true);
      return new FileEntry(fos.getChannel().size(), HexFormat.of().formatHex(sha.digest()));
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  private static void syncDirectories(Path root) throws IOException {
    try (var s = Files.walk(root)) {
      for (Path p : s.filter(Files::isDirectory).toList()) {
        syncDirectory(p);
      }
    }
  }

  /** fsync of a directory makes its entries durable (Linux, macOS); Windows cannot open one and needs none. */
  private static void syncDirectory(Path d) throws IOException {
    try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      if (!System.getProperty("os.name", "").startsWith("Windows")) {
        throw e;
      }
    }
  }

  /** The single daemon thread a checkpoint is serialised and written on, off every event loop. */
  static ExecutorService thread(String name) {
    return Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
  }
}
