package dev.ami.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ami.bus.Addresses;
import dev.ami.bus.AgentState;
import dev.ami.bus.ControlReply;
import dev.ami.bus.ModelKeys;
import dev.ami.config.AmiConfig;
import dev.ami.handover.Handovers;
import dev.ami.params.ParamSnapshot;
import dev.ami.support.Await;
import dev.ami.support.RuntimeTest;
import dev.ami.support.TestRuntime;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The two parts a split cluster writes per checkpoint, written here by the writer itself from a real run's
 * checkpoint: the trainer node's complete one and the agent node's small one, and how each node reads them back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@RuntimeTest
class CheckpointPartsTest {
  private static final Instant STAMP = Instant.parse("2026-12-07T10:30:00.123Z");
  private static final AgentState AGENT = new AgentState(5000, 3, 2, 1, new float[] {0.5f, -0.25f});
  private Path whole;
  private Vertx vertx;
  private AmiConfig config;
  private Map<String, Map<String, List<List<Long>>>> shapes;

  @BeforeAll
  void takeOne() throws Exception {
    try (TestRuntime rt = TestRuntime.start(Map.of("vae.min_new", 0, "vae.publish_every", 4))) {
      Await.until(Await.MINUTE, () -> rt.status().getJsonObject("models").getJsonObject(ModelKeys.VAE)
          .getLong("version_published") >= 3, "the VAE publishes v3");
      ControlReply reply = rt.control("checkpoint", 0);
      assertThat(reply.ok()).as(reply.error()).isTrue();
      whole = Path.of(reply.detail().getString("path"));
    }
    vertx = Vertx.vertx();
    config = TestRuntime.smallConfig(Map.of());
    shapes = ModelShapes.of(config);
  }

  @AfterAll
  void close() {
    vertx.close();
  }

  /** The trainer node's part of the whole checkpoint's state, written under {@code name} into {@code dir}. */
  private CheckpointWriter.Written trainerPart(Path dir, String name, String id) throws Exception {
    CheckpointReader.Loaded loaded = CheckpointReader.load(CheckpointReader.check(whole, shapes), null);
    try (var trainer = loaded.trainer()) {
      CheckpointContent c = new CheckpointContent("operator", CheckpointVerticle.savedConfig(config),
          ModelShapes.specs(config), trainer, AGENT, Map.of(), Part.TRAINER, id, STAMP, Map.of(),
          new JsonObject().put("agent", new JsonObject().put("node", "a1")).put("trainer", new JsonObject()));
      return new CheckpointWriter(dir, Clock.systemUTC()).write(c, name);
    } finally {
      loaded.snapshots().values().forEach(ParamSnapshot::release);
    }
  }

  /** The agent node's part: the models {@code keys} only, as its node had mirrored them. */
  private CheckpointWriter.Written agentPart(Path dir, String name, String id, List<String> keys) throws Exception {
    CheckpointReader.Loaded loaded = CheckpointReader.load(CheckpointReader.check(whole, shapes), null,
        Scope.AGENT);
    try {
      Map<String, ParamSnapshot> params = new java.util.LinkedHashMap<>();
      keys.forEach(k -> params.put(k, loaded.snapshots().get(k)));
      CheckpointContent c = new CheckpointContent("operator", CheckpointVerticle.savedConfig(config),
          ModelShapes.specs(config), null, AGENT, Map.of(), Part.AGENT, id, STAMP, params,
          new JsonObject().put("trainer", new JsonObject().put("name", name)));
      return new CheckpointWriter(dir, Clock.systemUTC()).write(c, name);
    } finally {
      loaded.snapshots().values().forEach(ParamSnapshot::release);
    }
  }

  private static JsonObject manifest(Path part) throws IOException {
    return new JsonObject(Files.readString(part.resolve(Manifest.FILE), StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("a trainer part is a whole checkpoint under the given name, format 1, with its id and part")
  void trainerPartLayout() throws Exception {
    Path dir = TestRuntime.tempDir("ami-trainer-part");
    String name = Checkpoints.nameOf(7, STAMP);
    CheckpointWriter.Written w = trainerPart(dir, name, "id-1");
    assertThat(w.path()).isEqualTo(dir.resolve("000007-20261207T103000.123Z.state"));
    JsonObject m = manifest(w.path());
    assertThat(m.getInteger("format")).isEqualTo(1);
    assertThat(m.getString("part")).isEqualTo("trainer");
    assertThat(m.getString("checkpoint_id")).isEqualTo("id-1");
    assertThat(m.getString("created")).as("the coordinator's stamp, not the writer's clock")
        .isEqualTo(STAMP.toString());
    assertThat(m.getJsonObject("files").fieldNames()).contains("agent.json", "models/vae.params",
        "models/vae.optimizer");
    assertThat(w.manifestSha256()).isEqualTo(HexFormat.of().formatHex(
        CheckpointWriter.sha256().digest(Files.readAllBytes(w.path().resolve(Manifest.FILE)))));
    assertThat(CheckpointReader.check(w.path(), shapes, Scope.TRAINER).dir()).isEqualTo(w.path());
    assertThat(CheckpointReader.check(w.path(), shapes, Scope.AGENT).dir()).as("an agent node takes it too")
        .isEqualTo(w.path());
  }

  @Test
  @DisplayName("a part is never written over: a second write under the same name fails and leaves the first")
  void nameCollision() throws Exception {
    Path dir = TestRuntime.tempDir("ami-collision");
    String name = Checkpoints.nameOf(3, STAMP);
    Path first = trainerPart(dir, name, "id-a").path();
    assertThatThrownBy(() -> trainerPart(dir, name, "id-b")).isInstanceOf(IOException.class)
        .hasMessageContaining("exists already");
    assertThat(manifest(first).getString("checkpoint_id")).isEqualTo("id-a");
    assertThat(Files.list(dir).map(p -> p.getFileName().toString()).toList()).as("no temporary left")
        .containsExactly(name);
  }

  @Test
  @DisplayName("an agent part holds parameters without optimizers: format 2, refused to a trainer, taken by an agent")
  void agentPart() throws Exception {
    Path dir = TestRuntime.tempDir("ami-agent-part");
    String name = Checkpoints.nameOf(2, STAMP);
    Path part = agentPart(dir, name, UUID.randomUUID().toString(), List.of(ModelKeys.VAE, ModelKeys.FD,
        ModelKeys.POLICY)).path();
    JsonObject m = manifest(part);
    assertThat(m.getInteger("format")).isEqualTo(2);
    assertThat(m.getString("part")).isEqualTo("agent");
    assertThat(m.getBoolean("buffers")).isFalse();
    assertThat(m.getJsonObject("models").getJsonObject(ModelKeys.VAE).getValue("optimizer")).isNull();
    assertThat(m.getJsonObject("files").fieldNames()).containsExactlyInAnyOrder("config.json", "agent.json",
        "models/vae.params", "models/fd.params", "models/policy.params");
    for (Scope scope : List.of(Scope.ALL, Scope.TRAINER)) {
      assertThatThrownBy(() -> CheckpointReader.check(part, shapes, scope)).as("%s", scope)
          .isInstanceOf(CheckpointException.class).hasMessageContaining("an agent part");
    }
    CheckpointReader.Loaded loaded = CheckpointReader.load(CheckpointReader.check(part, shapes, Scope.AGENT),
        null, Scope.AGENT);
    try {
      assertThat(loaded.trainer()).isNull();
      assertThat(loaded.agent().ticks()).isEqualTo(5000);
      assertThat(loaded.snapshots()).containsOnlyKeys(ModelKeys.VAE, ModelKeys.FD, ModelKeys.POLICY);
    } finally {
      loaded.snapshots().values().forEach(ParamSnapshot::release);
    }
  }

  @Test
  @DisplayName("an agent part may lack a model its node had not mirrored yet, for an agent node only")
  void agentPartSubset() throws Exception {
    Path dir = TestRuntime.tempDir("ami-subset");
    Path part = agentPart(dir, Checkpoints.nameOf(1, STAMP), "id", List.of(ModelKeys.VAE)).path();
    assertThat(CheckpointReader.check(part, shapes, Scope.AGENT).manifest().getJsonObject("models")
        .fieldNames()).containsExactly(ModelKeys.VAE);
    assertThatThrownBy(() -> CheckpointReader.check(part, shapes, Scope.WEIGHTS))
        .as("evaluation and export need every model").isInstanceOf(CheckpointException.class)
        .hasMessageContaining("the configured agent trains");
    Path full = agentPart(dir, Checkpoints.nameOf(2, STAMP), "id2", List.copyOf(shapes.keySet())).path();
    assertThat(CheckpointReader.check(full, shapes, Scope.WEIGHTS).dir()).isEqualTo(full);
  }

  @Test
  @DisplayName("a manifest without a part, as older builds wrote it, holds a whole checkpoint")
  void olderManifests() throws Exception {
    assertThat(Part.of(null)).isEqualTo(Part.WHOLE);
    assertThat(manifest(whole).getString("part")).isEqualTo("whole");
    assertThat(manifest(whole).getInteger("format")).isEqualTo(1);
    assertThat(CheckpointReader.check(whole, shapes, Scope.TRAINER).dir()).isEqualTo(whole);
  }

  @Test
  @DisplayName("the trainer node takes the larger of the proposed sequence and its own next one")
  void sequences() throws Exception {
    Path dir = TestRuntime.tempDir("ami-sequences");
    trainerPart(dir, Checkpoints.nameOf(5, STAMP), "id-5");
    assertThat(Checkpoints.nextSequence(dir)).isEqualTo(6);
    Files.createDirectories(dir.resolve("." + Checkpoints.nameOf(9, STAMP) + Checkpoints.TEMP_SUFFIX));
    assertThat(Checkpoints.nextSequence(dir)).as("a crash's leftover counts").isEqualTo(10);
    assertThat(Checkpoints.nextSequence(TestRuntime.tempDir("ami-empty"))).isEqualTo(1);
  }

  @Test
  @DisplayName("an agent node's resume fills the parameters and the agent's state, and makes no buffers or trainer")
  void resumeAgentScope() throws Exception {
    Path part = agentPart(TestRuntime.tempDir("ami-resume-agent"), Checkpoints.nameOf(4, STAMP), "id-4",
        List.of(ModelKeys.VAE, ModelKeys.FD, ModelKeys.POLICY)).path();
    Vertx v = Vertx.vertx();
    try {
      Resume.Resumed resumed = Resume.prepare(v, config, part.toString(), Scope.AGENT);
      assertThat(resumed.path()).isEqualTo(part);
      assertThat(Handovers.of(v).buffers()).isNull();
      assertThat(Handovers.of(v).pendingResumeTrainer()).isNull();
      assertThat(Handovers.of(v).pendingResumeAgent()
          .ticks()).isEqualTo(5000);
      assertThat(((JsonObject) v.sharedData().getLocalMap(Addresses.APP_MAP).get(Addresses.RESUMED_KEY))
          .getString("checkpoint_id")).isEqualTo("id-4");
      assertThat(v.sharedData().<String, ParamSnapshot>getLocalMap(Addresses.PARAMS_MAP).keySet())
          .containsExactlyInAnyOrder(ModelKeys.VAE, ModelKeys.FD, ModelKeys.POLICY);
    } finally {
      var params = v.sharedData().<String, ParamSnapshot>getLocalMap(Addresses.PARAMS_MAP);
      params.values().forEach(ParamSnapshot::release);
      v.close();
    }
  }
}
