package dev.ami.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.ami.bus.AgentState;
import dev.ami.bus.ModelKeys;
import dev.ami.data.Buffers;
import dev.ami.data.Saved;
import dev.ami.params.ModelState;
import dev.ami.params.ParamSnapshot;
import dev.ami.params.TrainerState;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks and loads checkpoints. {@link #check} reads every byte once: the manifest against its own checksum,
 * every file against its size and SHA-256, and the models' shapes against the configured ones. Nothing here
 * writes or deletes anything.
 */
public final class CheckpointReader {
  /** A checkpoint that passed {@link #check}. */
  public record Checked(Path dir, JsonObject manifest) {
  }

  /** The newest valid checkpoint and those newer that were skipped, with why. */
  public record Choice(Checked chosen, List<CheckpointException> skipped) {
  }

  /**
   * What a checkpoint brings back; the snapshots are not yet in any map, the states not yet taken.
   *
   * @param trainer null when loaded without a trainer ({@link Scope#loadsTrainer()})
   */
  public record Loaded(Map<String, ParamSnapshot> snapshots, TrainerState trainer, AgentState agent,
                       boolean buffers) {
  }

  private CheckpointReader() {
  }

  /**
   * The first of {@code candidates} (newest first) that passes {@link #check}.
   *
   * @param where what the candidates were taken from, for the error
   * @throws CheckpointException when none does, with the reason for each that was tried
   */
  public static Choice first(List<Path> candidates, Path where, Map<String, Map<String, List<List<Long>>>> expected)
      throws CheckpointException {
    return first(candidates, where, expected, Scope.ALL);
  }

  /** {@link #first(List, Path, Map)} for what one node of a split cluster resumes ({@code scope}). */
  public static Choice first(List<Path> candidates, Path where, Map<String, Map<String, List<List<Long>>>> expected,
                             Scope scope) throws CheckpointException {
    List<CheckpointException> skipped = new ArrayList<>();
    for (Path candidate : candidates) {
      try {
        return new Choice(check(candidate, expected, scope), List.copyOf(skipped));
      } catch (CheckpointException e) {
        skipped.add(e);
      }
    }
    throw new CheckpointException(where, skipped.isEmpty() ? "no checkpoint here"
        : "no valid checkpoint: " + String.join("; ", skipped.stream().map(Throwable::getMessage).toList()));
  }

  /**
   * Checks a checkpoint completely.
   *
   * @throws CheckpointException naming the first file at fault: a missing file, a size or checksum that does not
   *     match, a manifest that is damaged or from a newer format, or a model that does not fit the configured one
   */
  public static Checked check(Path dir, Map<String, Map<String, List<List<Long>>>> expected)
      throws CheckpointException {
    return check(dir, expected, Scope.ALL);
  }

  /**
   * {@link #check(Path, Map)} for what {@code scope} takes: an agent part only where no trainer runs, and a subset
   * of the configured models (those its node had mirrored when it was written) only on an agent node.
   */
  public static Checked check(Path dir, Map<String, Map<String, List<List<Long>>>> expected, Scope scope)
      throws CheckpointException {
    if (!Files.isDirectory(dir)) {
      throw new CheckpointException(dir, "not a checkpoint directory");
    }
    JsonObject manifest = manifest(dir);
    if (partOf(dir, manifest) == Part.AGENT && !scope.takesAgentPart()) {
      throw new CheckpointException(dir.resolve(Manifest.FILE), "an agent part (parameters and the agent's counters, "
          + "no optimizer or buffers): resume the trainer from a trainer part on the trainer node");
    }
    JsonObject files = manifest.getJsonObject("files", new JsonObject());
    for (String name : files.fieldNames()) {
      verifyFile(inside(dir, name), files.getJsonObject(name));
    }
    verifyModels(dir, manifest, expected, scope.takesSubset());
    return new Checked(dir, manifest);
  }

  private static JsonObject manifest(Path dir) throws CheckpointException {
    Path file = dir.resolve(Manifest.FILE);
    Path sum = dir.resolve(Manifest.CHECKSUM_FILE);
    if (!Files.isRegularFile(file)) {
      throw new CheckpointException(file, "missing: the checkpoint was never finished");
    }
    if (!Files.isRegularFile(sum)) {
      throw new CheckpointException(sum, "missing: the manifest cannot be checked");
    }
    try {
      byte[] bytes = Files.readAllBytes(file);
      String expectedSum = Files.readString(sum, StandardCharsets.UTF_8).trim();
      String actual = HexFormat.of().formatHex(CheckpointWriter.sha256().digest(bytes));
      if (!actual.equals(expectedSum)) {
        throw new CheckpointException(file, "checksum mismatch: the manifest is damaged (SHA-256 " + actual
            + ", " + Manifest.CHECKSUM_FILE + " says " + expectedSum + ")");
      }
      JsonObject manifest = new JsonObject(new String(bytes, StandardCharsets.UTF_8));
      Integer format = manifest.getInteger("format");
      if (format == null) {
        throw new CheckpointException(file, "has no format version");
      }
      if (format > Manifest.FORMAT_READ) {
        throw new CheckpointException(file, "format version " + format + " is from a newer build; this one reads "
            + "up to " + Manifest.FORMAT_READ + " (written by ami " + manifest.getString("project_version") + ")");
      }
      return manifest;
    } catch (IOException e) {
      throw new CheckpointException(file, "cannot be read: " + e.getMessage(), e);
    } catch (DecodeException | ClassCastException e) {
      throw new CheckpointException(file, "is not a valid manifest: " + e.getMessage(), e);
    }
  }

  private static void verifyFile(Path file, JsonObject entry) throws CheckpointException {
    if (!Files.isRegularFile(file)) {
      throw new CheckpointException(file, "missing");
    }
    try {
      long size = Files.size(file);
      long expectedSize = entry.getLong("bytes");
      if (size != expectedSize) {
        throw new CheckpointException(file, "has " + size + " bytes, the manifest says " + expectedSize
            + (size < expectedSize ? " (truncated)" : ""));
      }
      MessageDigest sha = CheckpointWriter.sha256();
      try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
        in.transferTo(java.io.OutputStream.nullOutputStream());
      }
      String actual = HexFormat.of().formatHex(sha.digest());
      if (!actual.equals(entry.getString("sha256"))) {
        throw new CheckpointException(file, "checksum mismatch: the file is damaged");
      }
    } catch (IOException e) {
      throw new CheckpointException(file, "cannot be read: " + e.getMessage(), e);
    }
  }

  /** The part a manifest holds; {@link Part#WHOLE} for one from before parts existed. */
  static Part partOf(Path dir, JsonObject manifest) throws CheckpointException {
    try {
      return Part.of(manifest.getString("part"));
    } catch (IllegalArgumentException | ClassCastException e) {
      throw new CheckpointException(dir.resolve(Manifest.FILE), "names an unknown part: " + manifest.getValue("part"),
          e);
    }
  }

  private static void verifyModels(Path dir, JsonObject manifest, Map<String, Map<String, List<List<Long>>>> expected,
                                   boolean subset) throws CheckpointException {
    JsonObject models = manifest.getJsonObject("models", new JsonObject());
    boolean fits = subset ? expected.keySet().containsAll(models.fieldNames())
        : models.fieldNames().equals(expected.keySet());
    if (!fits) {
      throw new CheckpointException(dir.resolve(Manifest.FILE), "holds the models " + models.fieldNames()
          + " (" + manifest.getString("model_kind") + "); the configured agent trains " + expected.keySet());
    }
    for (Map.Entry<String, Map<String, List<List<Long>>>> model : expected.entrySet()) {
      JsonObject saved = models.getJsonObject(model.getKey());
      if (saved == null) {
        continue; // an agent part without this model: its node had not mirrored it yet
      }
      Path file = inside(dir, saved.getString("params"));
      Map<String, List<List<Long>>> savedGroups = new LinkedHashMap<>();
      for (Object g : saved.getJsonArray("groups")) {
        JsonObject group = (JsonObject) g;
        List<List<Long>> shapes = new ArrayList<>();
        for (Object s : group.getJsonArray("shapes")) {
          List<Long> dims = new ArrayList<>();
          for (Object d : (JsonArray) s) {
            dims.add(((Number) d).longValue());
          }
          shapes.add(dims);
        }
        savedGroups.put(group.getString("name"), shapes);
      }
      String misfit = misfit(model.getKey(), savedGroups, model.getValue());
      if (misfit != null) {
        throw new CheckpointException(file, model.getKey() + " does not fit the configured model: " + misfit
            + " (saved as " + saved.getString("spec") + ")");
      }
    }
  }

  /**
   * Groups, per model, that a checkpoint from before they existed may lack (all added with issue #20): PPO's
   * reward normaliser and entropy weights start afresh; the forward model's encoder comes with the trainer's next
   * publish.
   */
  static final Map<String, java.util.Set<String>> OPTIONAL_GROUPS = Map.of(
      ModelKeys.POLICY, java.util.Set.of("reward_norm", "entropy_coef"),
      ModelKeys.FD, java.util.Set.of(ModelKeys.FD_ENCODER));

  private static String misfit(String model, Map<String, List<List<Long>>> saved,
                               Map<String, List<List<Long>>> wanted) {
    java.util.Set<String> optional = OPTIONAL_GROUPS.getOrDefault(model, java.util.Set.of());
    java.util.Set<String> required = new java.util.TreeSet<>(wanted.keySet());
    required.removeIf(g -> optional.contains(g) && !saved.containsKey(g));
    if (!saved.keySet().equals(required)) {
      return "groups " + saved.keySet() + ", the model has " + wanted.keySet();
    }
    for (String g : required) {
      List<List<Long>> s = saved.get(g);
      List<List<Long>> w = wanted.get(g);
      if (s.size() != w.size()) {
        return "group " + g + " has " + s.size() + " arrays, the model " + w.size();
      }
      for (int i = 0; i < s.size(); i++) {
        if (!s.get(i).equals(w.get(i))) {
          return "group " + g + " parameter " + i + " has shape " + s.get(i) + ", the model needs " + w.get(i);
        }
      }
    }
    return null;
  }

  /**
   * Loads a checked checkpoint: each model's parameters as a snapshot at its saved version, the optimizer state
   * and counters for the trainer, the agent's state, and (when {@code buffers} is given and the checkpoint has
   * them) the buffers' content into {@code buffers}.
   */
  public static Loaded load(Checked c, Buffers buffers) throws CheckpointException {
    return load(c, buffers, Scope.ALL);
  }

  /**
   * {@link #load(Checked, Buffers)} for what {@code scope} takes. Where no trainer runs ({@link Scope#AGENT},
   * {@link Scope#WEIGHTS}) only the parameters and the agent's state: no optimizer is decoded, no buffers are read,
   * and {@link Loaded#trainer()} is null.
   */
  public static Loaded load(Checked c, Buffers buffers, Scope scope) throws CheckpointException {
    boolean forTrainer = scope.loadsTrainer();
    Map<String, ParamSnapshot> snapshots = new LinkedHashMap<>();
    NDManager optimizerManager = forTrainer ? NDManager.newBaseManager() : null;
    if (optimizerManager != null) {
      optimizerManager.setName("resume-optimizer");
    }
    List<ModelState> models = new ArrayList<>();
    try {
      JsonObject manifest = c.manifest().getJsonObject("models");
      for (String key : manifest.fieldNames()) {
        JsonObject m = manifest.getJsonObject(key);
        ParamSnapshot snapshot = snapshot(c.dir(), key, m);
        snapshots.put(key, snapshot);
        if (!forTrainer) {
          continue;
        }
        Path optimizerFile = inside(c.dir(), m.getString("optimizer"));
        List<NDArray> optimizer = new ArrayList<>(decode(optimizerFile, optimizerManager));
        Map<String, Long> counters = new LinkedHashMap<>();
        m.getJsonObject("counters").forEach(e -> counters.put(e.getKey(), ((Number) e.getValue()).longValue()));
        snapshot.tryAcquire(); // the trainer state's own reference; the map will hold the first
        models.add(new ModelState(key, m.getLong("version"), snapshot, Map.copyOf(counters),
            m.getInteger("optimizer_steps"), List.copyOf(optimizer)));
      }
      AgentState agent = c.manifest().getBoolean("agent", false) ? agent(c.dir().resolve("agent.json")) : null;
      if (!forTrainer) {
        return new Loaded(snapshots, null, agent, false);
      }
      boolean withBuffers = buffers != null && c.manifest().getBoolean("buffers", false);
      if (withBuffers) {
        for (Map.Entry<String, Saved> part : buffers.parts().entrySet()) {
          Path file = c.dir().resolve("buffers").resolve(part.getKey());
          try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            part.getValue().readFrom(in);
          } catch (IOException e) {
            throw new CheckpointException(file, "cannot be taken up: " + e.getMessage(), e);
          }
        }
      }
      return new Loaded(snapshots, new TrainerState(List.copyOf(models), 0, optimizerManager), agent, withBuffers);
    } catch (CheckpointException | RuntimeException e) {
      models.forEach(m -> m.params().release());
      snapshots.values().forEach(ParamSnapshot::release);
      if (optimizerManager != null) {
        optimizerManager.close();
      }
      throw e;
    }
  }

  private static ParamSnapshot snapshot(Path dir, String key, JsonObject m) throws CheckpointException {
    Path file = inside(dir, m.getString("params"));
    NDManager manager = NDManager.newBaseManager();
    manager.setName("params-" + key + "@" + m.getLong("version") + " (checkpoint)");
    try {
      NDList all = decode(file, manager);
      Map<String, List<NDArray>> groups = new LinkedHashMap<>();
      int at = 0;
      for (Object g : m.getJsonArray("groups")) {
        JsonObject group = (JsonObject) g;
        int n = group.getJsonArray("shapes").size();
        groups.put(group.getString("name"), List.copyOf(all.subList(at, at + n)));
        at += n;
      }
      if (at != all.size()) {
        throw new CheckpointException(file, "holds " + all.size() + " arrays, the manifest lists " + at);
      }
      return ParamSnapshot.restored(key, m.getLong("version"), m.getLong("trainer_step"), m.getString("spec", ""),
          groups, manager);
    } catch (CheckpointException | RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  private static NDList decode(Path file, NDManager manager) throws CheckpointException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      return NDList.decode(manager, in);
    } catch (IOException | RuntimeException e) {
      throw new CheckpointException(file, "is not a tensor file DJL can read: " + e.getMessage(), e);
    } catch (OutOfMemoryError e) { // a crafted shape asks for more than there is: a corrupt file, not a dead JVM
      throw new CheckpointException(file, "is corrupt: an array in it asks for more memory than there is ("
          + e.getMessage() + ")", e);
    }
  }

  /**
   * {@code name} from a manifest, resolved inside the checkpoint {@code dir}: an absolute name, or one that climbs
   * out with {@code ..}, is refused. A manifest comes from disk, and a copied or crafted one must not make the
   * reader open files elsewhere.
   */
  static Path inside(Path dir, String name) throws CheckpointException {
    if (name == null || name.isEmpty()) {
      throw new CheckpointException(dir.resolve(Manifest.FILE), "names a file without a name");
    }
    Path base = dir.toAbsolutePath().normalize();
    Path p;
    try {
      p = base.resolve(name).normalize();
    } catch (java.nio.file.InvalidPathException e) {
      throw new CheckpointException(dir.resolve(Manifest.FILE), "names an invalid file: " + name, e);
    }
    if (Path.of(name).isAbsolute() || !p.startsWith(base) || p.equals(base)) {
      throw new CheckpointException(dir.resolve(Manifest.FILE), "names a file outside the checkpoint: " + name);
    }
    try { // a link inside the checkpoint must not lead out of it either
      if (Files.exists(p) && !p.toRealPath().startsWith(base.toRealPath())) {
        throw new CheckpointException(dir.resolve(Manifest.FILE), "names a file outside the checkpoint (a link): "
            + name);
      }
    } catch (java.io.IOException e) {
      throw new CheckpointException(p, "cannot be resolved: " + e.getMessage(), e);
    }
    return p;
  }

  private static AgentState agent(Path file) throws CheckpointException {
    try {
      JsonObject a = new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
      JsonArray h = a.getJsonArray("hidden");
      float[] hidden = null;
      if (h != null) {
        hidden = new float[h.size()];
        for (int i = 0; i < hidden.length; i++) {
          hidden[i] = ((Number) h.getValue(i)).floatValue();
        }
      }
      return new AgentState(a.getLong("ticks"), a.getLong("no_frame_ticks"), a.getLong("stale_ticks"),
          a.getLong("missed_ticks"), hidden);
    } catch (IOException | DecodeException | ClassCastException | NullPointerException e) {
      throw new CheckpointException(file, "is not the agent's state: " + e.getMessage(), e);
    }
  }
}
