package dev.ami.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.bus.Addresses;
import dev.ami.bus.ControlReply;
import dev.ami.bus.Event;
import dev.ami.bus.ModelKeys;
import dev.ami.bus.TrainRecord;
import dev.ami.support.Await;
import dev.ami.support.RuntimeTest;
import dev.ami.support.TestRuntime;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A checkpoint of a real run, and a second run resumed from it, on the built-in world. */
@RuntimeTest
class CheckpointResumeTest {
  private static final int WINDOW = 20;

  @Test
  @DisplayName("resume continues versions, optimizer steps, counters, the agent's ticks, the buffers, and the loss")
  void resumeContinues() throws Exception {
    Path dir = TestRuntime.tempDir("ami-resume");
    Map<String, Object> settings = Map.of("env", "sim", "agent.hz", 20, "system.runs_dir", dir.toString(),
        "vae.min_new", 0, "vae.publish_every", 8);
    List<Double> vaeLosses = new CopyOnWriteArrayList<>();
    JsonObject saved;
    Path path;
    try (TestRuntime rt = TestRuntime.start(settings)) {
      rt.vertx().eventBus().<TrainRecord>consumer(Addresses.TELEMETRY_TRAIN, m -> {
        if (m.body().model().equals(ModelKeys.VAE) && Double.isFinite(m.body().loss())) {
          vaeLosses.add(m.body().loss());
        }
      });
      Await.until(Await.MINUTE, () -> trainedEnough(rt.status()), "all three models trained a while");
      ControlReply reply = rt.control("checkpoint", 0);
      assertThat(reply.ok()).as("checkpoint reply: %s", reply.error()).isTrue();
      saved = reply.detail();
      path = Path.of(saved.getString("path"));
    }
    JsonObject manifest = new JsonObject(Files.readString(path.resolve("manifest.json"), StandardCharsets.UTF_8));
    JsonObject savedModels = manifest.getJsonObject("models");
    long savedTicks = new JsonObject(Files.readString(path.resolve("agent.json"))).getLong("ticks");
    double untrained = mean(vaeLosses.subList(0, WINDOW));
    double trained = mean(vaeLosses.subList(vaeLosses.size() - WINDOW, vaeLosses.size()));
    assertThat(trained).as("the VAE learned before the checkpoint").isLessThan(0.8 * untrained);

    double[] savedNorm = rewardNorm(path, manifest); // the reward normaliser's state travels in the policy's snapshot
    assertThat(savedNorm[1]).as("PPO's reward normaliser counted the rollouts it saw").isGreaterThan(1.0);

    List<Double> resumedLosses = new CopyOnWriteArrayList<>();
    List<Event> events = new CopyOnWriteArrayList<>();
    try (TestRuntime rt = TestRuntime.startResumed(settings, path.toString())) {
      JsonObject status = rt.control("status", 0).detail();
      rt.vertx().eventBus().<TrainRecord>consumer(Addresses.TELEMETRY_TRAIN, m -> {
        if (m.body().model().equals(ModelKeys.VAE) && Double.isFinite(m.body().loss())) {
          resumedLosses.add(m.body().loss());
        }
      });
      rt.vertx().eventBus().<Event>consumer(Addresses.EVENTS, m -> events.add(m.body()));
      JsonObject trainer = status.getJsonObject("trainer").getJsonObject("models");
      for (String key : List.of(ModelKeys.VAE, ModelKeys.FD, ModelKeys.POLICY)) {
        JsonObject before = savedModels.getJsonObject(key);
        JsonObject now = trainer.getJsonObject(key);
        assertThat(now.getLong("version_published")).as("%s version goes on", key)
            .isGreaterThanOrEqualTo(before.getLong("version"));
        assertThat(now.getLong("steps")).as("%s steps go on", key)
            .isGreaterThanOrEqualTo(before.getJsonObject("counters").getLong("steps"));
        assertThat(now.getLong("optimizer_steps")).as("%s's optimizer goes on", key)
            .isGreaterThanOrEqualTo(before.getLong("optimizer_steps"));
      }
      assertThat(status.getLong("ticks")).as("the agent's ticks go on").isGreaterThanOrEqualTo(savedTicks);
      dev.ami.params.ParamSnapshot policy = rt.vertx().sharedData()
          .<String, dev.ami.params.ParamSnapshot>getLocalMap(Addresses.PARAMS_MAP).get(ModelKeys.POLICY);
      assertThat(policy.tryAcquire()).isTrue();
      try {
        double[] resumedNorm = policy.group("reward_norm").get(0).toDoubleArray();
        assertThat(resumedNorm[1]).as("the normaliser's count goes on from the checkpoint's")
            .isGreaterThanOrEqualTo(savedNorm[1]);
      } finally {
        policy.release();
      }
      assertThat(trainer.getJsonObject(ModelKeys.VAE).getInteger("buffer_size")).as("frames come back")
          .isGreaterThanOrEqualTo(savedFrames(path)).isPositive();
      Await.until(Await.MINUTE, () -> resumedLosses.size() >= WINDOW, "the resumed VAE trains");
    }
    double resumed = mean(new ArrayList<>(resumedLosses).subList(0, WINDOW));
    System.out.printf("VAE loss: untrained %.5f, before the checkpoint %.5f, after resume %.5f%n", untrained, trained,
        resumed);
    assertThat(resumed).as("first losses after resume (%s) sit with the trained (%s), not the untrained (%s)",
        resumed, trained, untrained).isLessThan((trained + untrained) / 2);
  }

  /** The reward normaliser's state saved with the policy: discounted return, count, mean, variance. */
  private static double[] rewardNorm(Path checkpoint, JsonObject manifest) throws Exception {
    CheckpointReader.Loaded loaded = CheckpointReader.load(new CheckpointReader.Checked(checkpoint, manifest), null);
    try {
      return loaded.snapshots().get(ModelKeys.POLICY).group("reward_norm").get(0).toDoubleArray();
    } finally {
      loaded.snapshots().values().forEach(dev.ami.params.ParamSnapshot::release);
      loaded.trainer().close();
    }
  }

  /** The frame count in the saved frame buffer's header (magic, format, frame bytes, count). */
  private static int savedFrames(Path checkpoint) throws java.io.IOException {
    try (var in = new java.io.DataInputStream(Files.newInputStream(checkpoint.resolve("buffers/frames.bin")))) {
      in.readInt();
      in.readInt();
      in.readInt();
      return in.readInt();
    }
  }

  private static boolean trainedEnough(JsonObject status) {
    JsonObject models = status.getJsonObject("trainer").getJsonObject("models", new JsonObject());
    return models.size() == 3 && models.getJsonObject(ModelKeys.VAE).getLong("steps") >= 300
        && models.getJsonObject(ModelKeys.FD).getLong("steps") > 0
        && models.getJsonObject(ModelKeys.POLICY).getLong("steps") > 0;
  }

  private static double mean(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }
}
