package dev.ami.checkpoint;

import dev.ami.bus.Addresses;
import dev.ami.bus.ModelState;
import dev.ami.config.AmiConfig;
import dev.ami.data.Buffers;
import dev.ami.params.ParamSnapshot;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code run --resume latest|PATH}: picks and checks the checkpoint, then puts what it holds where the
 * verticles look for it before they deploy: the snapshots in {@link Addresses#PARAMS_MAP} (so versions go on
 * from the saved ones), the buffers in {@link Addresses#DATA_MAP}, the trainer's and the agent's state in
 * {@link Addresses#RESUME_MAP}. Call it after the engine is configured and before the runtime starts.
 */
public final class Resume {
  private static final Logger LOG = LoggerFactory.getLogger(Resume.class);

  /** The checkpoint used and what was skipped on the way to it. */
  public record Resumed(Path path, List<CheckpointException> skipped, String summary) {
  }

  private Resume() {
  }

  /**
   * @param what {@code latest} (the newest valid checkpoint in {@code checkpoint.dir}) or a checkpoint's path
   * @throws CheckpointException when the checkpoint cannot be used (for {@code latest}: when none can)
   */
  public static Resumed prepare(Vertx vertx, AmiConfig config, String what) throws CheckpointException {
    Map<String, Map<String, List<List<Long>>>> expected =
        ModelShapes.of(config, vertx.sharedData().getLocalMap("ami.resume.probe"));
    CheckpointReader.Checked chosen;
    List<CheckpointException> skipped = List.of();
    if ("latest".equals(what)) {
      CheckpointReader.Choice c = CheckpointReader.latest(CheckpointOptions.from(config).dir(), expected);
      chosen = c.chosen();
      skipped = c.skipped();
    } else {
      chosen = CheckpointReader.check(Path.of(what), expected);
    }
    for (CheckpointException e : skipped) {
      LOG.warn("skipped checkpoint {}", e.getMessage());
    }
    logSettingChanges(chosen.dir(), config);
    Buffers buffers = Buffers.of(config);
    CheckpointReader.Loaded loaded = CheckpointReader.load(chosen, buffers);
    Map<String, ParamSnapshot> params = vertx.sharedData().getLocalMap(Addresses.PARAMS_MAP);
    loaded.snapshots().forEach((key, snapshot) -> {
      ParamSnapshot previous = params.put(key, snapshot);
      if (previous != null) {
        previous.release();
      }
    });
    if (loaded.buffers()) {
      vertx.sharedData().getLocalMap(Addresses.DATA_MAP).put(Addresses.BUFFERS_KEY, buffers);
    }
    vertx.sharedData().getLocalMap(Addresses.RESUME_MAP).put(Addresses.RESUME_TRAINER, loaded.trainer());
    if (loaded.agent() != null) {
      vertx.sharedData().getLocalMap(Addresses.RESUME_MAP).put(Addresses.RESUME_AGENT, loaded.agent());
    }
    List<String> parts = new ArrayList<>();
    for (ModelState m : loaded.trainer().models()) {
      parts.add(m.key() + " v" + m.version() + " (step " + m.counters().getOrDefault("steps", 0L) + ")");
    }
    String summary = String.join(", ", parts)
        + (loaded.agent() == null ? "" : "; agent at tick " + loaded.agent().ticks())
        + (loaded.buffers() ? "; buffers: " + buffers.frames().size() + " frames"
            + (buffers.steps() == null ? "" : ", " + buffers.steps().size() + " steps, "
                + buffers.rollouts().size() + " rollout steps") : "; buffers start empty");
    LOG.info("resuming from {}: {}", chosen.dir(), summary);
    return new Resumed(chosen.dir(), skipped, summary);
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
