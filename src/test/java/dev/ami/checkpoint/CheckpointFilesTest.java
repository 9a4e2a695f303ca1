package dev.ami.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ami.bus.Addresses;
import dev.ami.bus.ControlCommand;
import dev.ami.bus.ControlReply;
import dev.ami.bus.ModelKeys;
import dev.ami.config.AmiConfig;
import dev.ami.support.Await;
import dev.ami.support.RuntimeTest;
import dev.ami.support.TestRuntime;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The layout of a real checkpoint, and every way a damaged one is refused with the file and the reason. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@RuntimeTest
class CheckpointFilesTest {
  private static final Map<String, Object> SETTINGS = Map.of("vae.min_new", 0, "vae.publish_every", 4,
      "console.token", "s3cret");
  private Path original;
  private Vertx vertx;
  private Map<String, Map<String, List<List<Long>>>> shapes;
  private String secondReply;

  @BeforeAll
  void takeOne() throws Exception {
    try (TestRuntime rt = TestRuntime.start(SETTINGS)) {
      Await.until(Await.MINUTE, () -> rt.status().getJsonObject("models").getJsonObject(ModelKeys.VAE)
          .getLong("version_published") >= 3, "the VAE publishes v3");
      // two at once: the second is refused while the first is written
      Future<Message<ControlReply>> first = rt.vertx().eventBus().request(Addresses.CONTROL,
          ControlCommand.of("checkpoint"));
      Future<Message<ControlReply>> second = rt.vertx().eventBus().request(Addresses.CONTROL,
          ControlCommand.of("checkpoint"));
      ControlReply reply = TestRuntime.await(first).body();
      assertThat(reply.ok()).as(reply.error()).isTrue();
      secondReply = String.valueOf(TestRuntime.await(second).body().error());
      original = Path.of(reply.detail().getString("path"));
    }
    vertx = Vertx.vertx();
    shapes = ModelShapes.of(TestRuntime.smallConfig(Map.of()));
  }

  @AfterAll
  void close() {
    vertx.close();
  }

  /** A copy of the checkpoint in a directory of its own, to damage. */
  private Path copy(Path into) throws IOException {
    Path target = into.resolve(original.getFileName());
    try (Stream<Path> s = Files.walk(original)) {
      for (Path p : s.toList()) {
        Path t = target.resolve(original.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
    return target;
  }

  private Path copy() throws IOException {
    return copy(TestRuntime.tempDir("ami-damaged"));
  }

  @Test
  @DisplayName("a checkpoint holds every model's parameters and optimizer, the agent, the buffers and the config")
  void layout() throws Exception {
    assertThat(original.getFileName().toString()).matches("000001-\\d{8}T\\d{6}\\.\\d{3}Z\\.state");
    assertThat(original.getParent().getFileName().toString()).as("in the run folder's states/").isEqualTo("states");
    JsonObject manifest = new JsonObject(Files.readString(original.resolve("manifest.json")));
    assertThat(manifest.getInteger("format")).isEqualTo(Manifest.FORMAT);
    assertThat(manifest.getString("project_version")).isNotBlank();
    assertThat(manifest.getJsonObject("models").fieldNames()).containsExactlyInAnyOrder("vae", "fd", "policy");
    JsonObject vae = manifest.getJsonObject("models").getJsonObject("vae");
    assertThat(vae.getString("spec")).startsWith("VaeSpec[");
    assertThat(vae.getLong("optimizer_steps")).isPositive();
    assertThat(vae.getJsonObject("counters").getLong("steps")).isPositive();
    assertThat(vae.getInteger("optimizer_arrays")).as("two moments per parameter")
        .isEqualTo(2 * vae.getJsonArray("groups").stream()
            .mapToInt(g -> ((JsonObject) g).getJsonArray("shapes").size()).sum());
    assertThat(manifest.getJsonObject("files").fieldNames()).contains("config.json", "agent.json",
        "models/vae.params", "models/vae.optimizer", "models/fd.params", "models/policy.optimizer",
        "buffers/frames.bin", "buffers/steps.bin", "buffers/rollouts.bin");
    JsonObject agent = new JsonObject(Files.readString(original.resolve("agent.json")));
    AmiConfig c = TestRuntime.smallConfig(Map.of());
    assertThat(agent.getJsonArray("hidden")).hasSize(2 * c.getInt("fd.depth") * c.getInt("fd.width"));
    String config = Files.readString(original.resolve("config.json"));
    assertThat(config).contains("\"model.kind\"").doesNotContain("s3cret");
    assertThat(CheckpointReader.check(original, shapes).dir()).isEqualTo(original);
    try (Stream<Path> s = Files.list(original.getParent())) {
      assertThat(s.map(p -> p.getFileName().toString())).as("no temporary directory left").noneMatch(n -> n.startsWith("."));
    }
  }

  @Test
  @DisplayName("a checkpoint asked for while one is written is refused, not queued")
  void oneAtATime() {
    assertThat(secondReply).contains("already being written");
  }

  @Test
  @DisplayName("a damaged manifest is refused: checksum mismatch, naming manifest.json")
  void corruptedManifest() throws Exception {
    Path c = copy();
    flipByte(c.resolve("manifest.json"), 40);
    assertThatThrownBy(() -> CheckpointReader.check(c, shapes)).isInstanceOf(CheckpointException.class)
        .hasMessageContaining("manifest.json").hasMessageContaining("checksum mismatch");
  }

  @Test
  @DisplayName("a truncated tensor file is refused, naming the file")
  void truncatedTensor() throws Exception {
    Path c = copy();
    Path file = c.resolve("models/vae.params");
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(f.length() / 2);
    }
    assertThatThrownBy(() -> CheckpointReader.check(c, shapes)).hasMessageContaining("models/vae.params")
        .hasMessageContaining("truncated");
  }

  @Test
  @DisplayName("a flipped byte in a tensor file is refused by its checksum")
  void damagedTensor() throws Exception {
    Path c = copy();
    flipByte(c.resolve("models/fd.optimizer"), 200);
    assertThatThrownBy(() -> CheckpointReader.check(c, shapes)).hasMessageContaining("models/fd.optimizer")
        .hasMessageContaining("checksum mismatch");
  }

  @Test
  @DisplayName("a missing file is refused, naming it")
  void missingFile() throws Exception {
    Path c = copy();
    Files.delete(c.resolve("buffers/steps.bin"));
    assertThatThrownBy(() -> CheckpointReader.check(c, shapes)).hasMessageContaining("buffers/steps.bin")
        .hasMessageContaining("missing");
  }

  @Test
  @DisplayName("a format version from the future is refused, even with a matching checksum")
  void futureFormat() throws Exception {
    Path c = copy();
    Path m = c.resolve("manifest.json");
    JsonObject manifest = new JsonObject(Files.readString(m)).put("format", 99);
    byte[] bytes = manifest.encodePrettily().getBytes(StandardCharsets.UTF_8);
    Files.write(m, bytes);
    Files.writeString(c.resolve("manifest.sha256"),
        HexFormat.of().formatHex(CheckpointWriter.sha256().digest(bytes)) + "\n");
    assertThatThrownBy(() -> CheckpointReader.check(c, shapes)).hasMessageContaining("manifest.json")
        .hasMessageContaining("format version 99 is from a newer build");
  }

  @Test
  @DisplayName("a manifest naming a file outside the checkpoint (.., an absolute path) is refused, even with a"
      + " matching checksum")
  void pathsStayInside() throws Exception {
    for (String name : new String[] {"../outside.bin", "models/../../outside.bin", "/etc/passwd"}) {
      Path c = copy();
      Path m = c.resolve("manifest.json");
      JsonObject manifest = new JsonObject(Files.readString(m));
      manifest.getJsonObject("files").put(name, new JsonObject().put("bytes", 1).put("sha256", "00"));
      byte[] bytes = manifest.encodePrettily().getBytes(StandardCharsets.UTF_8);
      Files.write(m, bytes);
      Files.writeString(c.resolve("manifest.sha256"),
          HexFormat.of().formatHex(CheckpointWriter.sha256().digest(bytes)) + "\n");
      assertThatThrownBy(() -> CheckpointReader.check(c, shapes)).as(name)
          .hasMessageContaining("outside the checkpoint").hasMessageContaining(name);
    }
    Path dir = Path.of("/tmp/ckpt");
    assertThat(CheckpointReader.inside(dir, "models/vae.params")).isEqualTo(Path.of("/tmp/ckpt/models/vae.params"));
    assertThatThrownBy(() -> CheckpointReader.inside(dir, "")).isInstanceOf(CheckpointException.class);
    assertThatThrownBy(() -> CheckpointReader.inside(dir, ".")).isInstanceOf(CheckpointException.class);
  }

  @Test
  @DisplayName("a forward model saved before it carried its encoder still fits; a VAE without its encoder does not")
  void optionalGroupsPerModel() throws Exception {
    assertThat(shapes.get(ModelKeys.FD)).as("the forward model's shapes include the encoder it was trained against")
        .containsKeys("model", ModelKeys.FD_ENCODER);
    Path old = withoutGroup(ModelKeys.FD, ModelKeys.FD_ENCODER);
    CheckpointReader.check(old, shapes); // accepted: the trainer's next publish brings the pair
    Path broken = withoutGroup(ModelKeys.VAE, "encoder");
    assertThatThrownBy(() -> CheckpointReader.check(broken, shapes)).hasMessageContaining("models/vae.params")
        .hasMessageContaining("groups [decoder]");
  }

  /** A copy of the checkpoint whose manifest no longer lists one group of one model (its checksum rewritten). */
  private Path withoutGroup(String model, String group) throws Exception {
    Path c = copy();
    Path m = c.resolve("manifest.json");
    JsonObject manifest = new JsonObject(Files.readString(m));
    io.vertx.core.json.JsonArray groups = manifest.getJsonObject("models").getJsonObject(model).getJsonArray("groups");
    assertThat(groups.getList().removeIf(g -> group.equals(
        g instanceof JsonObject j ? j.getString("name") : ((Map<?, ?>) g).get("name")))).as(model + "." + group)
        .isTrue();
    byte[] bytes = manifest.encodePrettily().getBytes(StandardCharsets.UTF_8);
    Files.write(m, bytes);
    Files.writeString(c.resolve("manifest.sha256"),
        HexFormat.of().formatHex(CheckpointWriter.sha256().digest(bytes)) + "\n");
    return c;
  }

  @Test
  @DisplayName("shapes that do not fit the configured model are refused, naming the file and the first misfit")
  void shapeMismatch() throws Exception {
    Map<String, Map<String, List<List<Long>>>> other =
        ModelShapes.of(TestRuntime.smallConfig(Map.of("vae.latent", 16)));
    assertThatThrownBy(() -> CheckpointReader.check(original, other)).hasMessageContaining("models/vae.params")
        .hasMessageContaining("does not fit the configured model").hasMessageContaining("saved as VaeSpec[");
    Map<String, Map<String, List<List<Long>>>> autoencoder =
        ModelShapes.of(TestRuntime.smallConfig(Map.of("model.preset", "autoencoder")));
    assertThatThrownBy(() -> CheckpointReader.check(original, autoencoder)).hasMessageContaining("manifest.json")
        .hasMessageContaining("the configured agent trains [ae]");
  }

  @Test
  @DisplayName("latest skips a damaged newer checkpoint for the newest valid one, says why, and changes nothing")
  void latestFallsBack() throws Exception {
    Path dir = TestRuntime.tempDir("ami-latest");
    Path good = copy(dir);
    Path bad = Files.move(copy(TestRuntime.tempDir("ami-newer")),
        dir.resolve("000002-29991231T235959.999Z.state")); // the next in sequence
    Files.delete(bad.resolve("agent.json"));
    Map<String, Long> before = listing(dir);
    CheckpointReader.Choice choice = CheckpointReader.first(Checkpoints.list(dir), dir, shapes);
    assertThat(choice.chosen().dir()).isEqualTo(good);
    assertThat(choice.skipped()).hasSize(1);
    assertThat(choice.skipped().get(0).getMessage()).contains(bad.getFileName().toString()).contains("agent.json")
        .contains("missing");
    assertThat(listing(dir)).as("nothing deleted or rewritten").isEqualTo(before);
  }

  @Test
  @DisplayName("latest with no valid checkpoint says so for each, and a failed resume deletes nothing")
  void noValidCheckpoint() throws Exception {
    Path runs = TestRuntime.tempDir("ami-none");
    Path dir = Files.createDirectories(runs.resolve("20261207-000000/states"));
    Path only = copy(dir);
    flipByte(only.resolve("models/policy.params"), 100);
    Map<String, Long> before = listing(dir);
    AmiConfig config = TestRuntime.smallConfig(Map.of("system.runs_dir", runs.toString()));
    Vertx v = Vertx.vertx();
    try {
      assertThatThrownBy(() -> Resume.prepare(v, config, "latest")).isInstanceOf(CheckpointException.class)
          .hasMessageContaining("no valid checkpoint").hasMessageContaining("models/policy.params");
      assertThat(v.sharedData().getLocalMap(Addresses.PARAMS_MAP)).as("nothing half-loaded").isEmpty();
    } finally {
      v.close();
    }
    assertThat(listing(dir)).isEqualTo(before);
    Path empty = TestRuntime.tempDir("ami-empty");
    assertThatThrownBy(() -> CheckpointReader.first(Checkpoints.list(empty), empty, shapes))
        .hasMessageContaining("no checkpoint here");
  }

  private static void flipByte(Path file, long at) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      long pos = Math.min(at, f.length() - 1);
      f.seek(pos);
      int b = f.read();
      f.seek(pos);
      f.write(b ^ 0x5A);
    }
  }

  /** Every file under {@code dir} with its size and modification time folded together. */
  private static Map<String, Long> listing(Path dir) throws IOException {
    Map<String, Long> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        out.put(dir.relativize(p).toString(), Files.size(p) * 31 + Files.getLastModifiedTime(p).toMillis());
      }
    }
    return out;
  }
}
