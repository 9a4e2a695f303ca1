package dev.ami.redeploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.bus.Addresses;
import dev.ami.bus.Event;
import dev.ami.bus.TickRecord;
import dev.ami.console.Http;
import dev.ami.console.TestSocket;
import dev.ami.support.Await;
import dev.ami.support.RuntimeTest;
import dev.ami.support.TestRuntime;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Redeploys through the console while a real WebSocket client (offering compression, as browsers do) stays on. */
@RuntimeTest
class RedeployTest {
  private static final int HZ = 20;
  private TestRuntime rt;
  private TestSocket socket;
  private final List<TickRecord> ticks = new CopyOnWriteArrayList<>();
  private final List<Event> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    rt = TestRuntime.start(Map.of("agent.hz", HZ, "vae.min_new", 0, "vae.publish_every", 4));
    rt.vertx().eventBus().<TickRecord>consumer(Addresses.TELEMETRY_TICK, m -> ticks.add(m.body()));
    rt.vertx().eventBus().<Event>consumer(Addresses.EVENTS, m -> events.add(m.body()));
    int port = (Integer) rt.vertx().sharedData().getLocalMap(Addresses.CONSOLE_MAP).get("port");
    socket = TestSocket.open(rt.vertx(), new WebSocketClientOptions().setTryUsePerMessageCompression(true),
        TestSocket.options(port));
    socket.request(new JsonObject().put("cmd", "subscribe").put("topics", new io.vertx.core.json.JsonArray()
        .add("telemetry")));
    Await.until(Await.MINUTE, () -> modelsInStatus().getJsonObject("vae", new JsonObject())
        .getLong("version_published", 0L) >= 2, "the VAE publishes v2");
  }

  @AfterEach
  void stop() throws Exception {
    socket.close();
    rt.close();
  }

  private JsonObject status() throws Exception {
    return socket.request("status");
  }

  private JsonObject modelsInStatus() throws Exception {
    return rt.control("status", 0).detail().getJsonObject("trainer").getJsonObject("models", new JsonObject());
  }

  @Test
  @DisplayName("an agent redeployed to another preset hands over at a tick boundary: the client stays, ticks go on "
      + "without a gap on the same schedule, the reported model changes, and the misfit is said once")
  void agentToAnotherPreset() throws Exception {
    JsonObject reply = socket.request(new JsonObject().put("cmd", "redeploy").put("target", "agent")
        .put("model", new JsonObject().put("preset", "autoencoder")
            .put("overrides", new JsonObject().put("model.input_size", 48)))); // the world's frames keep their size
    assertThat(reply.getBoolean("ok")).as("reply %s", reply).isTrue();
    assertThat(reply.getString("redeployed")).isEqualTo("agent");
    assertThat(reply.getLong("build_ms")).isPositive();
    long missed = reply.getLong("missed_ticks");
    double period = 1000.0 / HZ;
    System.out.printf("agent redeploy: build %d ms, handover %.2f ms after ready, %d missed, deadline gap %.3f ms%n",
        reply.getLong("build_ms"), reply.getDouble("handover_ms"), missed, reply.getDouble("deadline_gap_ms"));
    // the successor's first deadline is the predecessor's next one: exactly one period on, unless a tick was missed
    double gapPeriods = reply.getDouble("deadline_gap_ms") / period;
    assertThat(gapPeriods).as("deadline gap in periods").isCloseTo(Math.rint(gapPeriods),
        org.assertj.core.api.Assertions.within(1e-6)).isGreaterThanOrEqualTo(1.0);
    assertThat(reply.getDouble("handover_ms")).as("handover within a period (and what was missed) of ready")
        .isLessThanOrEqualTo(period * (1 + missed) + 50);
    assertThat(reply.getJsonArray("warnings").encode()).contains("trainer");

    long after = status().getLong("ticks");
    Await.until(Await.MINUTE, () -> status().getLong("ticks") >= after + HZ, "the new agent ticks");
    List<Long> seen = new ArrayList<>(ticks.stream().map(TickRecord::tick).toList());
    for (int i = 1; i < seen.size(); i++) {
      assertThat(seen.get(i)).as("tick numbers across the handover").isEqualTo(seen.get(i - 1) + 1);
    }
    JsonObject agent = status().getJsonObject("agent");
    assertThat(agent.getJsonObject("versions_in_use").fieldNames()).as("the reported model").containsExactly("ae");
    assertThat(socket.awaitPush("telemetry", t -> t.getLong("ticks") > after)).isNotNull();
    assertThat(socket.closeStatus).as("the client stays connected").isNotDone();
    // a few more publishes of the trainer's models, which the autoencoder agent cannot take; the agent's status,
    // answered on its context after it handled those publishes, comes after any rejection they caused
    // (that a misfit is reported once per shape is ParamSyncTest's)
    long published = modelsInStatus().getJsonObject("vae").getLong("version_published");
    Await.until(Await.MINUTE, () -> modelsInStatus().getJsonObject("vae").getLong("version_published") >= published + 2,
        "the trainer publishes twice more");
    rt.agentCommand("status");
    rt.status();
    assertThat(events).filteredOn(e -> e.kind().equals("params-rejected")).as("a misfit is said once, not per publish")
        .hasSizeLessThanOrEqualTo(1);
  }

  @Test
  @DisplayName("a shutdown during a redeploy waits for it: every deployment is gone afterwards, the new agent too")
  void redeployRacingAShutdown() throws Exception {
    io.vertx.core.Future<io.vertx.core.eventbus.Message<dev.ami.bus.ControlReply>> redeploy = rt.vertx().eventBus()
        .request(Addresses.REDEPLOY, new dev.ami.bus.ControlCommand("redeploy", 0, new JsonObject()
            .put("target", "agent").put("model", new JsonObject().put("preset", "autoencoder")
                .put("overrides", new JsonObject().put("model.input_size", 48)))),
            new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(60_000));
    TestRuntime.await(rt.runtime().stop()); // begins while the new agent is being built
    dev.ami.bus.ControlReply r = TestRuntime.await(redeploy).body();
    assertThat(rt.vertx().deploymentIDs()).as("nothing left deployed: no agent ticks after the actuators went "
        + "neutral (the redeploy %s)", r.ok() ? "completed first" : "was refused: " + r.error()).isEmpty();
    dev.ami.bus.ControlReply late = TestRuntime.await(rt.vertx().eventBus().<dev.ami.bus.ControlReply>request(
        Addresses.REDEPLOY, new dev.ami.bus.ControlCommand("redeploy", 0, new JsonObject().put("target", "agent")))
        .map(m -> m.body()));
    assertThat(late.ok()).isFalse();
    assertThat(late.error()).contains("not running");
  }

  @Test
  @DisplayName("a redeployed trainer keeps the buffers and continues the versions")
  void trainerKeepsBuffersAndVersions() throws Exception {
    JsonObject before = modelsInStatus();
    JsonObject reply = socket.request(new JsonObject().put("cmd", "redeploy").put("target", "trainer")
        .put("model", new JsonObject().put("overrides", new JsonObject().put("vae.lr", 0.0005))));
    assertThat(reply.getBoolean("ok")).as("reply %s", reply).isTrue();
    assertThat(reply.getJsonArray("warnings")).as("same shapes: nothing to say").isEmpty();
    JsonObject now = modelsInStatus();
    for (String key : List.of("vae", "fd", "policy")) {
      assertThat(now.getJsonObject(key).getLong("version_published")).as("%s version", key)
          .isGreaterThanOrEqualTo(before.getJsonObject(key).getLong("version_published"));
      assertThat(now.getJsonObject(key).getInteger("buffer_size")).as("%s buffer", key)
          .isGreaterThanOrEqualTo(before.getJsonObject(key).getInteger("buffer_size"));
    }
    assertThat(events).extracting(Event::kind).contains("trainer-resumed", "redeploy");
    JsonObject pushed = socket.awaitPush("telemetry", t -> t.getJsonObject("redeploy") != null);
    assertThat(pushed.getJsonObject("redeploy").getString("target")).isEqualTo("trainer");
    assertThat(pushed.getJsonObject("redeploy").getBoolean("ok")).isTrue();
    assertThat(pushed.getJsonObject("redeploy").getDouble("trainer_gap_ms")).isNotNegative();
    int port = (Integer) rt.vertx().sharedData().getLocalMap(Addresses.CONSOLE_MAP).get("port");
    assertThat(new Http(port).get("/metrics").body().lines()
        .filter(l -> l.startsWith("ami_redeploys_total{") && l.contains("target=\"trainer\"")
            && l.contains("outcome=\"done\"")))
        .as("/metrics counts the redeploy").singleElement().asString().endsWith(" 1.0");
    long v = now.getJsonObject("vae").getLong("version_published");
    Await.until(Await.MINUTE, () -> modelsInStatus().getJsonObject("vae").getLong("version_published") > v,
        "the new trainer trains and publishes");
  }

  @Test
  @DisplayName("a redeploy that cannot be done leaves the running agent and trainer as they were, with the reason")
  void failuresLeaveEverythingRunning() throws Exception {
    long t0 = status().getLong("ticks");
    JsonObject badValue = socket.request(new JsonObject().put("cmd", "redeploy").put("target", "all")
        .put("model", new JsonObject().put("overrides", new JsonObject().put("vae.latent", -5))));
    assertThat(badValue.getBoolean("ok")).isFalse();
    assertThat(badValue.getString("error")).contains("vae.latent");
    JsonObject badCheckpoint = socket.request(new JsonObject().put("cmd", "redeploy").put("target", "trainer")
        .put("from", "/nonexistent/x.state"));
    assertThat(badCheckpoint.getBoolean("ok")).isFalse();
    assertThat(badCheckpoint.getString("error")).contains("x.state").contains("not a checkpoint directory");
    JsonObject world = socket.request(new JsonObject().put("cmd", "redeploy").put("target", "agent")
        .put("model", new JsonObject().put("overrides", new JsonObject().put("env", "sim"))));
    assertThat(world.getString("error")).contains("env").contains("cannot change in a redeploy");
    JsonObject noTarget = socket.request(new JsonObject().put("cmd", "redeploy"));
    assertThat(noTarget.getString("error")).contains("target");
    JsonObject token = socket.request(new JsonObject().put("cmd", "redeploy").put("target", "all")
        .put("model", new JsonObject().put("overrides", new JsonObject().put("console.token", "NEWSECRET-42"))));
    assertThat(token.getString("error")).contains("console.token").contains("***").doesNotContain("NEWSECRET");
    assertThat(events).filteredOn(e -> e.kind().equals("redeploy-failed")).hasSize(4)
        .allSatisfy(e -> assertThat(e.message()).doesNotContain("NEWSECRET"));
    Await.until(Await.MINUTE, () -> status().getLong("ticks") >= t0 + HZ, "the old agent ticks on");
    assertThat(status().getJsonObject("agent").getJsonObject("versions_in_use").fieldNames())
        .as("the models the agent runs (the VAE's encoder comes with fd)").containsExactlyInAnyOrder("fd", "policy");
    assertThat(status().getJsonObject("trainer").getString("state")).isEqualTo("running");
  }

  @Test
  @DisplayName("agent and trainer redeployed together to another agent: both switch, nothing misfits, ticks go on")
  void allToAnotherAgent() throws Exception {
    JsonObject reply = socket.request(new JsonObject().put("cmd", "redeploy").put("target", "all")
        .put("model", new JsonObject().put("preset", "autoencoder")
            .put("overrides", new JsonObject().put("model.input_size", 48))));
    assertThat(reply.getBoolean("ok")).as("reply %s", reply).isTrue();
    assertThat(reply.getJsonArray("warnings")).isEmpty();
    assertThat(reply.getDouble("trainer_gap_ms")).isNotNegative();
    Await.until(Await.MINUTE, () -> status().getJsonObject("agent").getJsonObject("versions_in_use")
        .getLong("ae", 0L) >= 2, "the agent runs the new trainer's ae");
    assertThat(modelsInStatus().fieldNames()).containsExactly("ae");
    List<Long> seen = new ArrayList<>(ticks.stream().map(TickRecord::tick).toList());
    for (int i = 1; i < seen.size(); i++) {
      assertThat(seen.get(i)).as("tick numbers across the handover").isEqualTo(seen.get(i - 1) + 1);
    }
    assertThat(events).filteredOn(e -> e.kind().equals("params-rejected") || e.kind().equals("step-refused"))
        .as("agent and trainer agree at every moment that counts: %s", events).hasSizeLessThanOrEqualTo(2);
  }

  @Test
  @DisplayName("a trainer redeployed from a checkpoint takes its models, and versions still only grow")
  void trainerFromCheckpoint() throws Exception {
    JsonObject checkpoint = socket.request("checkpoint");
    assertThat(checkpoint.getBoolean("ok")).as("checkpoint %s", checkpoint).isTrue();
    long savedSteps = new JsonObject(java.nio.file.Files.readString(java.nio.file.Path.of(checkpoint.getString("path"))
        .resolve("manifest.json"))).getJsonObject("models").getJsonObject("vae").getJsonObject("counters")
        .getLong("steps");
    long v = modelsInStatus().getJsonObject("vae").getLong("version_published");
    Await.until(Await.MINUTE, () -> modelsInStatus().getJsonObject("vae").getLong("steps") >= savedSteps + 50,
        "it trains on after the checkpoint");
    long liveVersion = modelsInStatus().getJsonObject("vae").getLong("version_published");
    JsonObject reply = socket.request(new JsonObject().put("cmd", "redeploy").put("target", "trainer")
        .put("from", checkpoint.getString("path")));
    assertThat(reply.getBoolean("ok")).as("reply %s", reply).isTrue();
    JsonObject vae = modelsInStatus().getJsonObject("vae");
    assertThat(vae.getLong("steps")).as("the checkpoint's training state").isLessThan(savedSteps + 50);
    assertThat(vae.getLong("version_published")).as("its parameters are a new version").isGreaterThan(liveVersion)
        .isGreaterThan(v);
  }

  @Test
  @DisplayName("a trainer redeployed fresh starts every model from new weights, as asked, with versions still growing")
  void trainerFresh() throws Exception {
    JsonObject before = modelsInStatus();
    JsonObject reply = socket.request(new JsonObject().put("cmd", "redeploy").put("target", "trainer")
        .put("fresh", true));
    assertThat(reply.getBoolean("ok")).as("reply %s", reply).isTrue();
    assertThat(events).filteredOn(e -> e.kind().equals("trainer-fresh")).extracting(Event::message)
        .anyMatch(m -> m.startsWith("vae starts from new weights")).anyMatch(m -> m.startsWith("fd "))
        .anyMatch(m -> m.startsWith("policy "));
    assertThat(events).filteredOn(e -> e.kind().equals("trainer-resumed")).as("nothing resumed").isEmpty();
    JsonObject now = modelsInStatus();
    for (String key : List.of("vae", "fd", "policy")) {
      assertThat(now.getJsonObject(key).getLong("version_published")).as("%s version", key)
          .isGreaterThan(before.getJsonObject(key).getLong("version_published"));
    }
    JsonObject both = socket.request(new JsonObject().put("cmd", "redeploy").put("target", "trainer")
        .put("fresh", true).put("from", "states/x.state"));
    assertThat(both.getBoolean("ok")).isFalse();
    assertThat(both.getString("error")).contains("exclude each other");
  }
}
