package dev.ami.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.bus.Addresses;
import dev.ami.bus.AgentState;
import dev.ami.bus.CheckpointPartReply;
import dev.ami.bus.CheckpointPartRequest;
import dev.ami.bus.ControlCommand;
import dev.ami.bus.ControlReply;
import dev.ami.bus.NodeBeat;
import dev.ami.config.AmiConfig;
import dev.ami.runs.RunFolder;
import dev.ami.runtime.AmiRuntime;
import dev.ami.support.Await;
import dev.ami.support.TestRuntime;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The coordinator of a split cluster's checkpoints in one JVM: a fake agent answers its state, a fake trainer node
 * beats and answers part requests by making a directory under the name it chooses, as the real one does.
 */
class SplitCoordinatorTest {
  private Vertx vertx;
  private RunFolder run;
  private Path trainerStates;
  private long beats = -1;
  /** What the fake trainer node does with a request: write, fail, never answer, or hold it (then write). */
  private volatile String trainerMode = "write";
  private volatile Message<CheckpointPartRequest> held;
  /** The fake trainer node's own next sequence, to check that the larger one wins. */
  private volatile long trainerNext = 1;
  private final List<CheckpointPartRequest> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger written = new AtomicInteger();
  private final CompletableFuture<Void> firstRequest = new CompletableFuture<>();

  @BeforeEach
  void start() throws Exception {
    AmiConfig config = TestRuntime.smallConfig(Map.of());
    vertx = AmiRuntime.newVertx();
    run = TestRuntime.attachRun(vertx, config);
    trainerStates = TestRuntime.tempDir("ami-fake-trainer");
    vertx.eventBus().consumer(Addresses.AGENT_STATE, m -> m.reply(new AgentState(42, 0, 0, 0, null)));
    vertx.eventBus().<CheckpointPartRequest>consumer(Addresses.CHECKPOINT_TRAINER_PART, this::fakeTrainerPart);
    beat(true);
    JsonObject deployment = config.toJson().put(CheckpointVerticle.SPLIT_KEY, true)
        .put(CheckpointVerticle.NODE_KEY, "agent-node");
    TestRuntime.await(vertx.deployVerticle(new CheckpointVerticle(), new DeploymentOptions().setConfig(deployment)));
    CompletableFuture<Void> heard = new CompletableFuture<>();
    AtomicInteger beatsHeard = new AtomicInteger();
    vertx.eventBus().<NodeBeat>consumer(Addresses.NODE_BEATS, m -> {
      if (beatsHeard.incrementAndGet() >= 2) { // the coordinator, there before this consumer, has heard one too
        heard.complete(null);
      }
    });
    TestRuntime.await(heard);
  }

  @AfterEach
  void stop() throws Exception {
    TestRuntime.await(vertx.close());
  }

  private void beat(boolean on) {
    if (beats >= 0) {
      vertx.cancelTimer(beats);
      beats = -1;
    }
    if (on) {
      beats = vertx.setPeriodic(0, 300, t -> vertx.eventBus().publish(Addresses.NODE_BEATS,
          new NodeBeat("trainer-node", List.of("trainer"), System.currentTimeMillis())));
    }
  }

  private void fakeTrainerPart(Message<CheckpointPartRequest> m) {
    CheckpointPartRequest r = m.body();
    requests.add(r);
    firstRequest.complete(null);
    switch (trainerMode) {
      case "fail" -> m.reply(CheckpointPartReply.failed(r.id(), "trainer-node", "t-run", "disk full"));
      case "hang" -> { } // never answers: only the beat watch ends the wait
      case "hold" -> { // answered when the test says so; the requests after it are written at once
        held = m;
        trainerMode = "write";
      }
      default -> writePart(m);
    }
  }

  private void writePart(Message<CheckpointPartRequest> m) {
    CheckpointPartRequest r = m.body();
    try {
      String name = Checkpoints.nameOf(Math.max(r.sequence(), trainerNext), Instant.ofEpochMilli(r.stampMillis()));
      Path dir = Files.createDirectories(trainerStates.resolve(name));
      byte[] manifest = new JsonObject().put("checkpoint_id", r.id()).encode().getBytes(StandardCharsets.UTF_8);
      Files.write(dir.resolve("manifest.json"), manifest);
      written.incrementAndGet();
      m.reply(new CheckpointPartReply(r.id(), name, dir.toString(), manifest.length,
          HexFormat.of().formatHex(CheckpointWriter.sha256().digest(manifest)), 1.5, 2.5, "trainer-node", "t-run",
          null, System.currentTimeMillis()));
    } catch (java.io.IOException e) {
      m.fail(1, e.toString());
    }
  }

  private ControlReply ask(String cmd) throws Exception {
    return TestRuntime.await(vertx.eventBus().<ControlReply>request(Addresses.CHECKPOINT, ControlCommand.of(cmd),
        new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(60_000)).map(Message::body));
  }

  private static JsonObject manifest(Path part) throws Exception {
    return new JsonObject(Files.readString(part.resolve(Manifest.FILE), StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("a pair: the agent part takes the trainer part's name and records its manifest hash and id")
  void pair() throws Exception {
    ControlReply reply = ask("checkpoint");
    assertThat(reply.ok()).as(reply.error()).isTrue();
    Path agentPart = Path.of(reply.detail().getString("path"));
    Path trainerPart = Path.of(reply.detail().getString("trainer_path"));
    assertThat(agentPart.getParent()).isEqualTo(run.states());
    assertThat(agentPart.getFileName()).isEqualTo(trainerPart.getFileName());
    JsonObject m = manifest(agentPart);
    assertThat(m.getString("part")).isEqualTo("agent");
    assertThat(m.getInteger("format")).isEqualTo(2);
    assertThat(m.getString("checkpoint_id")).isEqualTo(requests.get(0).id())
        .isEqualTo(reply.detail().getString("checkpoint_id"));
    byte[] trainerManifest = Files.readAllBytes(trainerPart.resolve("manifest.json"));
    assertThat(m.getJsonObject("parts").getJsonObject("trainer").getString("manifest_sha256"))
        .isEqualTo(HexFormat.of().formatHex(CheckpointWriter.sha256().digest(trainerManifest)));
    assertThat(requests.get(0).agentState().ticks()).as("the agent's state travels to the trainer node")
        .isEqualTo(42);
  }

  @Test
  @DisplayName("a proposed sequence below the trainer node's: both parts take the trainer node's name")
  void trainerSequenceWins() throws Exception {
    trainerNext = 17;
    ControlReply reply = ask("checkpoint");
    assertThat(reply.ok()).as(reply.error()).isTrue();
    assertThat(requests.get(0).sequence()).isEqualTo(1);
    assertThat(Path.of(reply.detail().getString("path")).getFileName().toString()).startsWith("000017-");
    assertThat(Checkpoints.nextSequence(run.states())).as("this run goes on after it").isEqualTo(18);
  }

  @Test
  @DisplayName("the trainer part fails: nothing is written on the agent node, and the error says why")
  void trainerPartFails() throws Exception {
    trainerMode = "fail";
    ControlReply reply = ask("checkpoint");
    assertThat(reply.ok()).isFalse();
    assertThat(reply.error()).contains("trainer part: disk full; nothing written");
    assertThat(Checkpoints.list(run.states())).isEmpty();
  }

  @Test
  @DisplayName("the trainer node stops beating while its part is pending: the checkpoint fails without waiting it out")
  void trainerGoneMidway() throws Exception {
    trainerMode = "hang";
    Future<Message<ControlReply>> pending = vertx.eventBus().request(Addresses.CHECKPOINT,
        ControlCommand.of("checkpoint"), new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(60_000));
    TestRuntime.await(firstRequest);
    long t0 = System.nanoTime();
    beat(false);
    ControlReply reply = TestRuntime.await(pending).body();
    assertThat((System.nanoTime() - t0) / 1e9).as("seconds until it fails: the beat watch, not the request's timeout")
        .isLessThan(CheckpointVerticle.TRAINER_GONE_MS / 1000.0 + 5);
    assertThat(reply.ok()).isFalse();
    assertThat(reply.error()).contains("trainer node gone mid-checkpoint");
    assertThat(Checkpoints.list(run.states())).isEmpty();
  }

  @Test
  @DisplayName("no trainer node alive: an operator's checkpoint is refused, a shutdown keeps the agent's part alone")
  void noTrainer() throws Exception {
    beat(false);
    trainerMode = "fail"; // while the last beat still counts, an operator's checkpoint fails at the trainer part
    Await.value(Duration.ofSeconds(30), () -> ask("checkpoint").error(), e -> e.contains("no trainer node alive"),
        "the trainer node counts as gone");
    int asked = requests.size();
    ControlReply reply = ask("shutdown");
    assertThat(reply.ok()).as(reply.error()).isTrue();
    JsonObject m = manifest(Path.of(reply.detail().getString("path")));
    assertThat(m.getString("part")).isEqualTo("agent");
    assertThat(m.getJsonObject("parts").getValue("trainer")).isNull();
    assertThat(m.getBoolean("agent")).isTrue();
    assertThat(requests).as("no trainer node asked for a part").hasSize(asked);
  }

  @Test
  @DisplayName("both nodes stopping at once (shutdown and trainer-stop): one pair, whichever asked first")
  void oneFinalPair() throws Exception {
    Future<Message<ControlReply>> shutdown = vertx.eventBus().request(Addresses.CHECKPOINT,
        ControlCommand.of("shutdown"));
    Future<Message<ControlReply>> trainerStop = vertx.eventBus().request(Addresses.CHECKPOINT,
        ControlCommand.of("trainer-stop"));
    ControlReply a = TestRuntime.await(shutdown).body();
    ControlReply b = TestRuntime.await(trainerStop).body();
    assertThat(a.ok()).as(a.error()).isTrue();
    assertThat(b.ok()).as(b.error()).isTrue();
    assertThat(b.detail().getString("path")).isEqualTo(a.detail().getString("path"));
    assertThat(Checkpoints.list(run.states())).hasSize(1);
    assertThat(written.get()).isEqualTo(1);
  }

  @Test
  @DisplayName("a shutdown and a trainer-stop that both wait for an operator's checkpoint under way: after it, one"
      + " final pair for both")
  void finalsWaitingTogetherMakeOnePair() throws Exception {
    trainerMode = "hold";
    Future<Message<ControlReply>> operator = request("checkpoint");
    TestRuntime.await(firstRequest);
    Future<Message<ControlReply>> shutdown = request("shutdown");
    Future<Message<ControlReply>> trainerStop = request("trainer-stop");
    Thread.sleep(500); // both reach the coordinator and wait on the operator's checkpoint (the race being tested)
    Message<CheckpointPartRequest> first = held;
    vertx.runOnContext(v -> writePart(first));
    ControlReply o = TestRuntime.await(operator).body();
    ControlReply a = TestRuntime.await(shutdown).body();
    ControlReply b = TestRuntime.await(trainerStop).body();
    assertThat(o.ok()).as(o.error()).isTrue();
    assertThat(a.ok()).as(a.error()).isTrue();
    assertThat(b.ok()).as(b.error()).isTrue();
    assertThat(b.detail().getString("path")).as("the same final pair").isEqualTo(a.detail().getString("path"))
        .isNotEqualTo(o.detail().getString("path"));
    assertThat(requests).as("the operator's part and one final part").hasSize(2);
    assertThat(Checkpoints.list(run.states())).hasSize(2);
  }

  @Test
  @DisplayName("a trainer-stop whose pair got no trainer part is told so: the trainer node writes its own")
  void trainerStopWithoutItsPart() throws Exception {
    trainerMode = "fail"; // the shutdown's pair falls back to the agent's part alone
    ControlReply shutdown = ask("shutdown");
    assertThat(shutdown.ok()).as(shutdown.error()).isTrue();
    ControlReply trainerStop = ask("trainer-stop");
    assertThat(trainerStop.ok()).as("not joined to a pair without the trainer's part").isFalse();
  }

  private Future<Message<ControlReply>> request(String cmd) {
    return vertx.eventBus().request(Addresses.CHECKPOINT, ControlCommand.of(cmd),
        new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(60_000));
  }
}
