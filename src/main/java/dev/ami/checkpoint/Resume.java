package dev.ami.checkpoint;

import dev.ami.bus.Addresses;
import dev.ami.config.AmiConfig;
import dev.ami.config.SystemOptions;
import dev.ami.data.Buffers;
import dev.ami.handover.Handovers;
import dev.ami.kind.AgentKinds;
import dev.ami.params.ModelState;
import dev.ami.params.ParamSnapshot;
import dev.ami.runs.RunFolder;
import dev.ami.runs.Runs;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code run --resume latest|PATH}: picks and checks the checkpoint, then puts what it holds where the
 * verticles look for it before they deploy: the snapshots in {@link Addresses#PARAMS_MAP} (so versions go on
 * from the saved ones), the buffers in {@link Handovers}, the trainer's and the agent's state in
 * {@link Handovers}. Call it after the engine is configured and before the runtime starts.
 */
public final class Resume {
  private static final Logger LOG = LoggerFactory.getLogger(Resume.class);

  /**
   * The checkpoint used, what was skipped on the way to it, and the run folder it belongs to (null for a
   * checkpoint outside any run folder).
   */
  public record Resumed(Path path, List<CheckpointException> skipped, String summary, RunFolder parent) {
  }

  /**
   * What this node resumes. One JVM with the agent and the trainer resumes {@link #ALL}; in a split cluster each
   * node resumes its own part from its own disk: the agent node its parameters and the agent's state, the
   * trainer node everything but the agent's state.
   */
  private Resume() {
  }

  /**
   * The checkpoints {@code what} stands for, newest first: for {@code latest} every checkpoint of every training
   * run under {@code system.runs_dir} (evaluation runs are skipped), the runs ordered by when they last wrote one,
   * not by name; for a run folder its own; otherwise the one checkpoint at that path.
   */
  public static List<Path> candidates(AmiConfig config, String what) {
    if ("latest".equals(what)) {
      List<List<Path>> runs = new ArrayList<>();
      for (RunFolder run : Runs.training(SystemOptions.from(config).runsDir())) {
        List<Path> own = Checkpoints.list(run.states());
        if (!own.isEmpty()) {
          runs.add(own);
        }
      }
      // runs by the last time one of their checkpoints was written; inside a run by sequence, which a clock set
      // back cannot reorder
      Map<List<Path>, Instant> lastWritten = new HashMap<>();
      for (List<Path> own : runs) {
        lastWritten.put(own, own.stream().map(Checkpoints::created).filter(java.util.Objects::nonNull)
            .max(Comparator.naturalOrder()).orElse(Instant.EPOCH));
      }
      runs.sort(Comparator.comparing((List<Path> own) -> lastWritten.get(own)).reversed());
      return runs.stream().flatMap(List::stream).toList();
    }
    Path path = Path.of(what);
    if (Files.isDirectory(path.resolve("states"))) {
      return Checkpoints.list(path.resolve("states"));
    }
    return List.of(path);
  }

  /**
   * @param what {@code latest} (the newest valid checkpoint of the training runs under {@code system.runs_dir}),
   *     a run folder (its newest valid checkpoint) or a checkpoint's path
   * @throws CheckpointException when the checkpoint cannot be used (for {@code latest}: when none can)
   */
  public static Resumed prepare(Vertx vertx, AmiConfig config, String what) throws CheckpointException {
    return prepare(vertx, config, what, Scope.ALL);
  }

  /**
   * {@link #prepare(Vertx, AmiConfig, String)} for one node of a split cluster: an agent node makes no buffers and
   * leaves no trainer state; a trainer node leaves no agent state (the agent node resumes its own).
   */
  public static Resumed prepare(Vertx vertx, AmiConfig config, String what, Scope scope) throws CheckpointException {
    Map<String, Map<String, List<List<Long>>>> expected = ModelShapes.of(config);
    CheckpointReader.Choice choice = CheckpointReader.first(candidates(config, what),
        "latest".equals(what) ? SystemOptions.from(config).runsDir() : Path.of(what), expected, scope);
    CheckpointReader.Checked chosen = choice.chosen();
    List<CheckpointException> skipped = choice.skipped();
    for (CheckpointException e : skipped) {
      LOG.warn("skipped checkpoint {}", e.getMessage());
    }
    logSettingChanges(chosen.dir(), config);
    Buffers buffers = scope.loadsTrainer() ? AgentKinds.of(config).buffers(config) : null; // frames are allocated eagerly
    CheckpointReader.Loaded loaded = CheckpointReader.load(chosen, buffers, scope);
    Map<String, ParamSnapshot> params = vertx.sharedData().getLocalMap(Addresses.PARAMS_MAP);
    loaded.snapshots().forEach((key, snapshot) -> {
      ParamSnapshot previous = params.put(key, snapshot);
      if (previous != null) {
        previous.release();
      }
    });
    if (loaded.buffers()) {
      Handovers.of(vertx).buffers(buffers);
    }
    if (loaded.trainer() != null) {
      Handovers.of(vertx).resumeTrainer(loaded.trainer());
    }
    if (loaded.agent() != null && scope.loadsAgent()) {
      Handovers.of(vertx).resumeAgent(loaded.agent());
    }
    List<String> parts = new ArrayList<>();
    if (loaded.trainer() != null) {
      for (ModelState m : loaded.trainer().models()) {
        parts.add(m.key() + " v" + m.version() + " (step " + m.counters().getOrDefault("steps", 0L) + ")");
      }
    } else {
      loaded.snapshots().forEach((key, s) -> parts.add(key + " v" + s.version()));
    }
    vertx.sharedData().getLocalMap(Addresses.APP_MAP).put(Addresses.RESUMED_KEY, new JsonObject()
        .put("checkpoint_id", chosen.manifest().getString("checkpoint_id"))
        .put("name", chosen.dir().getFileName().toString()).put("path", chosen.dir().toString()));
    String summary = String.join(", ", parts)
        + (loaded.agent() == null || !scope.loadsAgent() ? "" : "; agent at tick " + loaded.agent().ticks())
        + (loaded.buffers() ? "; buffers: " + buffers.frames().size() + " frames"
            + (buffers.steps() == null ? "" : ", " + buffers.steps().size() + " steps, "
                + buffers.rollouts().size() + " rollout steps") : !scope.loadsTrainer() ? "" : "; buffers start empty");
    LOG.info("resuming from {}: {}", chosen.dir(), summary);
    return new Resumed(chosen.dir(), skipped, summary, Runs.of(chosen.dir()));
  }

  /** Keys whose value differs from the checkpoint's: the run goes on with the new ones, and says so. */
  private static void logSettingChanges(Path dir, AmiConfig config) {
    try {
      JsonObject saved = new JsonObject(Files.readString(dir.resolve("config.json"), StandardCharsets.UTF_8));
      JsonObject now = config.toJson();
      List<String> changed = new ArrayList<>();
      for (String key : new TreeSet<>(now.fieldNames())) {
        Object was = saved.getValue(key);
        if (!key.startsWith("console.") && was != null && !String.valueOf(was).equals(String.valueOf(now.getValue(key)))) {
          changed.add(key + " " + was + " -> " + now.getValue(key));
        }
      }
      if (!changed.isEmpty()) {
        LOG.info("settings that differ from the checkpoint's (the new ones apply): {}", String.join(", ", changed));
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("could not compare settings with the checkpoint's: {}", e.toString());
    }
  }
}
