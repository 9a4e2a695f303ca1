package dev.ami.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ami.bus.Addresses;
import dev.ami.bus.ControlCommand;
import dev.ami.bus.ControlReply;
import dev.ami.bus.TickRecord;
import dev.ami.checkpoint.CheckpointException;
import dev.ami.checkpoint.CheckpointReader;
import dev.ami.checkpoint.Checkpoints;
import dev.ami.checkpoint.ModelShapes;
import dev.ami.checkpoint.Resume;
import dev.ami.checkpoint.Scope;
import dev.ami.config.AmiConfig;
import dev.ami.handover.Handovers;
import dev.ami.runs.RunFolder;
import dev.ami.runtime.AmiRuntime;
import dev.ami.runtime.Verticles;
import dev.ami.support.Await;
import dev.ami.support.ChildJvm;
import dev.ami.support.RuntimeTest;
import dev.ami.support.TestRuntime;
import dev.ami.system.FreePort;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Checkpoints and resume with the agent and the trainer in two real JVMs on loopback: this one is the agent node
 * (the coordinator), a child process the trainer node. Each node keeps its part under the same name in its own
 * run folder, each resumes from its own disk, and each redeploys what it runs.
 */
@RuntimeTest
class SplitCheckpointTest {
  private static final int AGENT_PORT = FreePort.find();
  private static final int AGENT_PORT_2 = FreePort.find();
  private static final int TRAINER_PORT = FreePort.find();
  private static final String NAME = "ami-split-" + ProcessHandle.current().pid();
  private static final List<String> MODELS = List.of("vae", "fd", "policy");

  private final Path agentRuns = TestRuntime.tempDir("ami-split-agent");
  private final Path trainerRuns = TestRuntime.tempDir("ami-split-trainer");
  private Vertx vertx;
  private AmiRuntime runtime;
  private final List<Process> children = new ArrayList<>();
  private final List<String> childLog = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() throws Exception {
    children.forEach(Process::destroyForcibly);
    if (runtime != null) {
      TestRuntime.await(runtime.stop());
    }
    if (vertx != null) {
      TestRuntime.await(vertx.close());
    }
  }

  private Process trainerNode(String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("run"));
    args.addAll(List.of(extra)); // options before the key=value settings
    args.addAll(List.of("--cluster", "--role", "trainer", "--members",
        "127.0.0.1:" + AGENT_PORT, "--port", String.valueOf(TRAINER_PORT),
        "--cluster-name", NAME, "model.preset=curiosity-small", "env=noise", "system.isolate_cpus=false",
        "console.enabled=false", "telemetry.log_every_s=0", "vae.min_new=0", "vae.publish_every=4",
        "checkpoint.on_shutdown=true", "checkpoint.interval=0", "system.runs_dir=" + trainerRuns));
    Process p = ChildJvm.start(List.of(), args, childLog);
    children.add(p);
    return p;
  }

  private AmiConfig agentConfig() {
    return TestRuntime.smallConfig(Map.of("agent.hz", 20, "system.runs_dir", agentRuns.toString(),
        "checkpoint.on_shutdown", true, "checkpoint.interval", 0));
  }

  private ControlReply control(String cmd) throws Exception {
    return control(ControlCommand.of(cmd));
  }

  private ControlReply control(ControlCommand c) throws Exception {
    return TestRuntime.await(vertx.eventBus().<ControlReply>request(Addresses.CONTROL, c).map(m -> m.body()));
  }

  private JsonObject trainerModels() throws Exception {
    return control("status").detail().getJsonObject("trainer").getJsonObject("models", new JsonObject());
  }

  private long inUse(String key) throws Exception {
    return control("status").detail().getJsonObject("agent").getJsonObject("versions_in_use", new JsonObject())
        .getLong(key, 0L);
  }

  private void await(String what, long seconds, BooleanSupplier condition) throws Exception {
    Await.until(Duration.ofSeconds(seconds), condition::getAsBoolean, () -> what + "; trainer node log tail: "
        + childLog.subList(Math.max(0, childLog.size() - 15), childLog.size()));
  }

  private static boolean unchecked(java.util.concurrent.Callable<Boolean> c) {
    try {
      return c.call();
    } catch (Exception e) {
      return false;
    }
  }

  private static JsonObject manifest(Path part) throws Exception {
    return new JsonObject(Files.readString(part.resolve("manifest.json"), StandardCharsets.UTF_8));
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  /** The newest part in the newest run folder under {@code runs} (each node of this test makes its own folders). */
  private static Path newestPart(Path runs) throws Exception {
    List<Path> parts = new ArrayList<>();
    try (Stream<Path> s = Files.list(runs)) {
      for (Path run : s.filter(Files::isDirectory).toList()) {
        parts.addAll(Checkpoints.list(run.resolve("states")));
      }
    }
    return parts.stream().max(java.util.Comparator.comparing((Path p) -> Checkpoints.created(p))
        .thenComparing(Checkpoints::sequence)).orElseThrow();
  }

  /** A clustered Vert.x for an agent node on {@code port}, joining through the trainer node's port. */
  private Vertx agentNode(int port) throws Exception {
    return TestRuntime.await(ClusterVertx.start(agentOptions(port), AmiRuntime.vertxOptions()));
  }

  private static ClusterOptions agentOptions(int port) {
    return ClusterOptions.of("agent", List.of("127.0.0.1:" + TRAINER_PORT), "127.0.0.1", port, 0, NAME);
  }

  @Test
  @DisplayName("a checkpoint asked on either node writes one part per node under one name; each node resumes its "
      + "own part; the trainer and the agent redeploy on their own nodes; with the trainer node gone a checkpoint "
      + "fails at once and writes nothing")
  void checkpointAndResumeAcrossTwoJvms() throws Exception {
    AmiConfig config = agentConfig();
    vertx = agentNode(AGENT_PORT);
    TestRuntime.attachRun(vertx, config);
    runtime = TestRuntime.await(AmiRuntime.start(vertx, config, Verticles.trainer(), agentOptions(AGENT_PORT)));
    Map<String, Map<String, List<List<Long>>>> shapes = ModelShapes.of(config);

    // 1. asked on the agent node
    trainerNode();
    await("all three models trained in the trainer JVM and the agent acts on fd v2+", 180, () -> unchecked(() -> {
      JsonObject models = trainerModels();
      return models.getJsonObject("vae", new JsonObject()).getLong("steps", 0L) >= 50
          && models.getJsonObject("fd", new JsonObject()).getLong("steps", 0L) > 0
          && models.getJsonObject("policy", new JsonObject()).getLong("steps", 0L) > 0 && inUse("fd") >= 2;
    }));
    ControlReply reply = control("checkpoint");
    assertThat(reply.ok()).as("checkpoint: %s", reply.error()).isTrue();
    Path agentPart = Path.of(reply.detail().getString("path"));
    Path trainerPart = Path.of(reply.detail().getString("trainer_path"));
    assertThat(agentPart.getFileName()).as("one name on both nodes").isEqualTo(trainerPart.getFileName());
    assertThat(agentPart.startsWith(agentRuns)).isTrue();
    assertThat(trainerPart.startsWith(trainerRuns)).isTrue();
    JsonObject a = manifest(agentPart);
    JsonObject t = manifest(trainerPart);
    assertThat(a.getString("checkpoint_id")).isNotBlank().isEqualTo(t.getString("checkpoint_id"));
    assertThat(a.getString("part")).isEqualTo("agent");
    assertThat(t.getString("part")).isEqualTo("trainer");
    assertThat(a.getJsonObject("parts").getJsonObject("trainer").getString("manifest_sha256"))
        .as("the agent part commits the trainer part it names").isEqualTo(sha256(trainerPart.resolve("manifest.json")));
    assertThat(a.getJsonObject("files").getJsonObject("agent.json").getString("sha256"))
        .isEqualTo(t.getJsonObject("files").getJsonObject("agent.json").getString("sha256"));
    assertThat(t.getJsonObject("files").fieldNames()).contains("models/vae.params", "models/vae.optimizer",
        "models/policy.optimizer", "buffers/frames.bin");
    assertThat(a.getJsonObject("files").fieldNames()).contains("models/vae.params")
        .noneMatch(f -> f.endsWith(".optimizer") || f.startsWith("buffers/"));
    for (String key : a.getJsonObject("models").fieldNames()) {
      assertThat(a.getJsonObject("models").getJsonObject(key).getLong("version")).as("%s: the agent's no newer", key)
          .isLessThanOrEqualTo(t.getJsonObject("models").getJsonObject(key).getLong("version"));
    }
    assertThat(CheckpointReader.check(trainerPart, shapes, Scope.TRAINER).dir()).isEqualTo(trainerPart);
    assertThat(CheckpointReader.check(agentPart, shapes, Scope.AGENT).dir()).isEqualTo(agentPart);
    assertThatThrownBy(() -> CheckpointReader.check(agentPart, shapes, Scope.TRAINER))
        .isInstanceOf(CheckpointException.class).hasMessageContaining("an agent part");

    // 2. asked by the trainer node's graceful stop (SIGTERM)
    Process first = children.get(0);
    first.destroy();
    assertThat(first.waitFor(120, TimeUnit.SECONDS)).as("the trainer node stops within its bound").isTrue();
    Path stopAgentPart = newestPart(agentRuns);
    Path stopTrainerPart = newestPart(trainerRuns);
    assertThat(manifest(stopAgentPart).getString("reason")).isEqualTo("trainer-stop");
    assertThat(stopAgentPart.getFileName()).isEqualTo(stopTrainerPart.getFileName());
    JsonObject saved = manifest(stopTrainerPart).getJsonObject("models");

    // 3. the trainer node resumes its own part
    trainerNode("--resume", "latest");
    await("the trainer node resumed from its part", 180, () -> childLog.stream()
        .anyMatch(l -> l.contains("trainer-resumed: vae resumes from the checkpoint: v"
            + saved.getJsonObject("vae").getLong("version"))));
    await("the resumed trainer publishes above the saved versions", 120, () -> unchecked(() -> {
      JsonObject models = trainerModels();
      return MODELS.stream().allMatch(k -> models.getJsonObject(k, new JsonObject())
          .getLong("version_published", 0L) > saved.getJsonObject(k).getLong("version"));
    }));
    JsonObject vaeNow = trainerModels().getJsonObject("vae");
    assertThat(vaeNow.getLong("steps")).as("steps go on")
        .isGreaterThanOrEqualTo(saved.getJsonObject("vae").getJsonObject("counters").getLong("steps"));
    assertThat(vaeNow.getLong("optimizer_steps")).isGreaterThanOrEqualTo(
        saved.getJsonObject("vae").getLong("optimizer_steps"));
    assertThat(vaeNow.getInteger("buffer_size")).as("the frames came back").isPositive();

    // 3b. redeploy in the split layout: the trainer on its node (forwarded there), the agent on this one
    JsonObject published = trainerModels();
    ControlReply trainerRedeploy = control(new ControlCommand("redeploy", 0, new JsonObject().put("target", "trainer")
        .put("model", new JsonObject().put("overrides", new JsonObject().put("vae.lr", 0.0005)))));
    assertThat(trainerRedeploy.ok()).as("trainer redeploy: %s", trainerRedeploy.error()).isTrue();
    assertThat(trainerRedeploy.detail().getValue("trainer_gap_ms")).isNotNull();
    await("the new trainer publishes above the versions before it", 120, () -> unchecked(() ->
        trainerModels().getJsonObject("vae").getLong("version_published")
            > published.getJsonObject("vae").getLong("version_published")));
    ControlReply agentRedeploy = control(new ControlCommand("redeploy", 0, new JsonObject().put("target", "agent")));
    assertThat(agentRedeploy.ok()).as("agent redeploy: %s", agentRedeploy.error()).isTrue();
    assertThat(agentRedeploy.detail().getValue("handover_ms")).isNotNull();
    ControlReply both = control(new ControlCommand("redeploy", 0, new JsonObject().put("target", "all")));
    assertThat(both.ok()).isFalse();
    assertThat(both.error()).contains("not yet available in a split cluster");
    ControlReply after = control("checkpoint");
    assertThat(after.ok()).as("a pair after the redeploys: %s", after.error()).isTrue();
    assertThat(Path.of(after.detail().getString("path")).getFileName())
        .isEqualTo(Path.of(after.detail().getString("trainer_path")).getFileName());

    // 4. the agent node stops (a shutdown pair, the trainer node still running) and resumes its own part
    TestRuntime.await(runtime.stop());
    runtime = null;
    Path shutdownAgentPart = newestPart(agentRuns);
    assertThat(manifest(shutdownAgentPart).getString("reason")).isEqualTo("shutdown");
    assertThat(manifest(shutdownAgentPart).getJsonObject("parts").getJsonObject("trainer")).as("a pair")
        .isNotNull();
    long savedTicks = new JsonObject(Files.readString(shutdownAgentPart.resolve("agent.json"))).getLong("ticks");
    TestRuntime.await(vertx.close());
    vertx = agentNode(AGENT_PORT_2);
    RunFolder second = TestRuntime.attachRun(vertx, config);
    AmiRuntime.configureEngine(config);
    Resume.Resumed resumed = Resume.prepare(vertx, config, "latest", Scope.AGENT);
    assertThat(resumed.path()).isEqualTo(shutdownAgentPart);
    assertThat(Handovers.of(vertx).buffers()).as("no buffers")
        .isNull();
    assertThat(Handovers.of(vertx).pendingResumeTrainer()).isNull();
    List<TickRecord> ticks = new CopyOnWriteArrayList<>();
    vertx.eventBus().<TickRecord>localConsumer(Addresses.TELEMETRY_TICK, m -> ticks.add(m.body()));
    runtime = TestRuntime.await(AmiRuntime.start(vertx, config, Verticles.trainer(), agentOptions(AGENT_PORT_2)));
    await("the resumed agent ticks", 60, () -> !ticks.isEmpty());
    assertThat(ticks.get(0).tick()).as("the tick count goes on from the agent part").isGreaterThanOrEqualTo(savedTicks);

    // 5. the trainer node gone: a checkpoint fails at once and writes nothing
    int before = Checkpoints.list(second.states()).size();
    for (Process child : children) { // every trainer node this test started: one left alive still takes checkpoints
      child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    await("a checkpoint says no trainer node is alive", 30, () -> unchecked(() -> {
      ControlReply r = control("checkpoint");
      assertThat(r.ok()).as("no checkpoint without the trainer node").isFalse();
      return r.error().contains("no trainer node alive");
    }));
    assertThat(Checkpoints.list(second.states())).as("nothing written").hasSize(before);
  }
}
