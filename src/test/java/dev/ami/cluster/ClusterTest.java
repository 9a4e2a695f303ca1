package dev.ami.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.bus.Addresses;
import dev.ami.bus.ControlCommand;
import dev.ami.bus.ControlReply;
import dev.ami.bus.SnapshotOffer;
import dev.ami.bus.TickRecord;
import dev.ami.config.AmiConfig;
import dev.ami.runtime.AmiRuntime;
import dev.ami.runtime.Verticles;
import dev.ami.support.Await;
import dev.ami.support.ChildJvm;
import dev.ami.support.RuntimeTest;
import dev.ami.support.TestRuntime;
import dev.ami.system.FreePort;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Two real JVMs on loopback over Vert.x's Hazelcast-clustered event bus: this one is the agent node, a child
 * process the trainer node. Killed and started again, the trainer node picks up from the agent node's mirror.
 */
@RuntimeTest
class ClusterTest {
  // ports free now and a cluster of this test's own: a stale node elsewhere on the machine can never join it
  private static final int AGENT_PORT = FreePort.find();
  private static final int TRAINER_PORT = FreePort.find();
  private static final String NAME = "ami-test-" + ProcessHandle.current().pid();

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

  private Process trainerNode() throws Exception {
    Process p = ChildJvm.start(List.of(), List.of("run", "--cluster", "--role", "trainer", "--members",
        "127.0.0.1:" + AGENT_PORT, "--port", String.valueOf(TRAINER_PORT), "--cluster-name", NAME, "model.preset=curiosity-small", "env=noise",
        "system.isolate_cpus=false", "console.enabled=false", "telemetry.log_every_s=0", "vae.min_new=0",
        "vae.publish_every=4", "checkpoint.on_shutdown=false"), childLog);
    children.add(p);
    return p;
  }

  private JsonObject status() throws Exception {
    ControlReply r = TestRuntime.await(vertx.eventBus().<ControlReply>request(Addresses.CONTROL,
        ControlCommand.of("status")).map(m -> m.body()));
    return r.detail();
  }

  private long inUse(String key) throws Exception {
    return status().getJsonObject("agent").getJsonObject("versions_in_use", new JsonObject()).getLong(key, 0L);
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

  @Test
  @DisplayName("the agent acts on snapshots trained in another JVM, recovers a dropped offer, keeps ticking when the "
      + "trainer node dies (health says it is missing), and a new trainer node goes on with higher versions")
  void agentAndTrainerOnTwoJvms() throws Exception {
    ClusterOptions agent = ClusterOptions.of("agent", List.of("127.0.0.1:" + TRAINER_PORT), "127.0.0.1", AGENT_PORT,
        0, NAME);
    vertx = TestRuntime.await(ClusterVertx.start(agent, AmiRuntime.vertxOptions()));
    // one delivery of each fd offer is dropped: the agent can only have what the periodic offers bring again
    Set<Long> droppedOnce = new HashSet<>();
    AtomicLong drops = new AtomicLong();
    vertx.eventBus().addInboundInterceptor(ctx -> {
      if (ctx.message().body() instanceof SnapshotOffer o && o.key().equals("fd")) {
        synchronized (droppedOnce) {
          if (droppedOnce.add(o.version())) {
            drops.incrementAndGet();
            return;
          }
        }
      }
      ctx.next();
    });
    List<TickRecord> ticks = new CopyOnWriteArrayList<>();
    vertx.eventBus().<TickRecord>localConsumer(Addresses.TELEMETRY_TICK, m -> ticks.add(m.body()));
    AmiConfig config = TestRuntime.smallConfig(Map.of("agent.hz", 20));
    runtime = TestRuntime.await(AmiRuntime.start(vertx, config, Verticles.trainer(), agent));
    int port = (Integer) vertx.sharedData().getLocalMap(Addresses.CONSOLE_MAP).get("port");

    Process first = trainerNode();
    // fd carries the VAE's encoder: the agent runs both as trained in the trainer JVM
    await("the agent runs fd v3+ trained in the trainer JVM", 120, () -> unchecked(() -> inUse("fd") >= 3));
    assertThat(drops.get()).as("offers were dropped and recovered").isPositive();
    assertThat(status().getJsonObject("trainer").getString("state")).isEqualTo("running");

    Map<String, Long> before = new java.util.HashMap<>();
    for (String key : List.of("vae", "fd", "policy")) {
      before.put(key, inUse(key));
    }
    first.destroyForcibly(); // kill -9: no goodbye
    first.waitFor(30, TimeUnit.SECONDS);
    long ticksAtKill = ticks.get(ticks.size() - 1).tick();
    HttpClient http = HttpClient.newHttpClient();
    await("/health reports the trainer missing", 30, () -> unchecked(() -> {
      HttpResponse<String> h = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
          .build(), HttpResponse.BodyHandlers.ofString());
      return h.statusCode() == 503 && h.body().contains("trainer is missing");
    }));
    await("the agent ticks on without its trainer", 30, () -> ticks.get(ticks.size() - 1).tick() > ticksAtKill + 40);
    HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
        + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.body()).contains("ami_cluster_transitions_dropped_total");
    assertThat(metrics.body().lines().filter(l -> l.startsWith("ami_cluster_transitions_dropped_total"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum())
        .as("steps without a trainer are dropped and counted").isPositive();
    for (String stage : List.of("meta", "chunks", "decode")) { // the agent node's snapshot path, stage by stage
      assertThat(metrics.body().lines().filter(l -> l.startsWith("ami_cluster_snapshot_stage_seconds_count{")
              && l.contains("stage=\"" + stage + "\""))
          .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum())
          .as("fetches timed at stage " + stage).isPositive();
    }
    List<TickRecord> seen = List.copyOf(ticks);
    for (int i = 1; i < seen.size(); i++) {
      assertThat(seen.get(i).tick()).as("no tick lost across the trainer's death").isEqualTo(seen.get(i - 1).tick() + 1);
    }

    trainerNode();
    await("a new trainer node publishes versions above all before", 120, () -> unchecked(() -> {
      JsonObject models = status().getJsonObject("trainer").getJsonObject("models", new JsonObject());
      return before.keySet().stream().allMatch(k -> models.getJsonObject(k, new JsonObject())
          .getLong("version_published", 0L) > before.get(k));
    }));
    long fd = inUse("fd"); // it carries the VAE's encoder too
    await("the agent takes the new trainer's snapshots up", 60, () -> unchecked(() -> inUse("fd") > fd));
    assertThat(childLog).anyMatch(l -> l.contains("trainer-resumed: vae starts from its snapshot"));
  }
}
