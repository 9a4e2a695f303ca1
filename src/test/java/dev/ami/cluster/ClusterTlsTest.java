package dev.ami.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ami.app.Main;
import dev.ami.bus.Addresses;
import dev.ami.bus.ControlCommand;
import dev.ami.bus.ControlReply;
import dev.ami.runtime.AmiRuntime;
import dev.ami.runtime.Verticles;
import dev.ami.support.Await;
import dev.ami.support.ChildJvm;
import dev.ami.support.RuntimeTest;
import dev.ami.support.TestRuntime;
import dev.ami.system.FreePort;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real JVMs on loopback. This one is the agent node and a child the trainer node, both with certificates from
 * cluster-init; they train together over mutual TLS. A third JVM reaches the same ports without those certificates
 * (none, then another CA's) and tries to command, read and push: it achieves nothing, and the system runs on.
 */
@DisplayName("the cluster's trust boundary")
@RuntimeTest
class ClusterTlsTest {
  private static final int AGENT_PORT = FreePort.find();
  private static final int TRAINER_PORT = FreePort.find();
  private static final String NAME = "ami-tls-" + ProcessHandle.current().pid();

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

  @Test
  @DisplayName("agent and trainer with certificates train together; an intruder without them (or with another CA's)"
      + " can neither command, read nor push; every port listens on loopback only")
  void onlyTheCaMembersCount(@TempDir Path dir) throws Exception {
    Path certs = dir.resolve("cluster");
    ClusterCerts.init(certs, List.of("agent", "trainer"));
    Path other = dir.resolve("other");
    ClusterCerts.init(other, List.of("mallory"));

    ClusterOptions agent = ClusterOptions.of("agent", List.of("127.0.0.1:" + TRAINER_PORT), "127.0.0.1", AGENT_PORT,
        0, NAME).withTls(certs.resolve("agent"));
    vertx = TestRuntime.await(ClusterVertx.start(agent, AmiRuntime.vertxOptions()));
    runtime = TestRuntime.await(AmiRuntime.start(vertx, TestRuntime.smallConfig(Map.of("agent.hz", 20)),
        Verticles.trainer(), agent));
    children.add(ChildJvm.start(List.of(), List.of("run", "--cluster", "--role", "trainer", "--members",
        "127.0.0.1:" + AGENT_PORT, "--port", String.valueOf(TRAINER_PORT), "--cluster-name", NAME, "--tls",
        certs.resolve("trainer").toString(), "model.preset=curiosity-small", "env=noise", "system.isolate_cpus=false",
        "console.enabled=false", "telemetry.log_every_s=0", "vae.min_new=0", "vae.publish_every=4",
        "checkpoint.on_shutdown=false"), childLog));
    await("the agent takes up policy snapshots trained on the other node, over TLS", 180,
        () -> inUse("policy") > 1 && inUse("fd") > 1);
    assertListensOnLoopbackOnly();

    for (Path cert : new Path[] {null, other.resolve("mallory")}) {
      List<String> log = new CopyOnWriteArrayList<>();
      List<String> args = new ArrayList<>(List.of(NAME, String.valueOf(FreePort.find()), "127.0.0.1:" + AGENT_PORT,
          "15"));
      if (cert != null) {
        args.add(cert.toString());
      }
      Process intruder = ChildJvm.startMain(Intruder.class, List.of(), args, log);
      children.add(intruder);
      assertThat(intruder.waitFor(150, TimeUnit.SECONDS)).as("the intruder finishes; its log: %s", log).isTrue();
      String result = log.stream().filter(l -> l.startsWith("INTRUDER ")).findFirst().orElse("no result: " + log);
      assertThat(result).as(cert == null ? "without certificates" : "with another CA's certificate")
          .isEqualTo("INTRUDER frames=0 ticks=0 replies=0");
      JsonObject s = status();
      assertThat(s.getString("state")).as("neither paused nor shut down").isEqualTo("running");
      assertThat(inUse("policy")).as("no pushed snapshot was taken up").isLessThan(999_999_999L);
      long ticks = s.getLong("ticks");
      await("the agent ticks on", 30, () -> statusTicks() > ticks + 20);
    }
  }

  @Test
  @DisplayName("run --cluster refuses before any socket opens: every interface, or off loopback without --tls")
  void refusesUnsafeBinds(@TempDir Path dir) throws Exception {
    assertThat(Main.execute("run", "--cluster", "--bind", "0.0.0.0", "--members", "127.0.0.1")).isEqualTo(2);
    assertThatThrownBy(() -> ClusterOptions.of("agent", List.of(), "0.0.0.0", 5701).requireSafe(true))
        .hasMessageContaining("every interface");
    assertThatThrownBy(() -> ClusterOptions.of("agent", List.of(), "10.1.2.3", 5701).requireSafe(false))
        .hasMessageContaining("--tls").hasMessageContaining("--insecure");
    ClusterOptions.of("agent", List.of(), "10.1.2.3", 5701).requireSafe(true); // a network the user trusts
    ClusterOptions.of("agent", List.of(), "127.0.0.1", 5701).requireSafe(false);
    assertThatThrownBy(() -> ClusterOptions.of("agent", List.of(), "10.1.2.3", 5701).withTls(dir).requireSafe(false))
        .hasMessageContaining("node.key");
  }

  /** Every TCP socket this process listens on (from /proc, Linux) is bound to a loopback address. */
  private static void assertListensOnLoopbackOnly() throws IOException {
    Path fds = Path.of("/proc/self/fd");
    if (!Files.isDirectory(fds)) {
      return; // not Linux: nothing to read this from
    }
    Set<String> inodes = new HashSet<>();
    try (var s = Files.list(fds)) {
      for (Path fd : s.toList()) {
        try {
          String link = Files.readSymbolicLink(fd).toString();
          if (link.startsWith("socket:[")) {
            inodes.add(link.substring(8, link.length() - 1));
          }
        } catch (IOException gone) {
          // closed meanwhile
        }
      }
    }
    int listening = 0;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path t = Path.of(table);
      if (!Files.exists(t)) {
        continue;
      }
      for (String line : Files.readAllLines(t).subList(1, Files.readAllLines(t).size())) {
        String[] f = line.trim().split("\\s+");
        if (f[3].equals("0A") && inodes.contains(f[9])) { // LISTEN, one of ours
          listening++;
          String local = f[1].substring(0, f[1].indexOf(':'));
          assertThat(local).as("%s listens on %s", table, f[1])
              .isIn("0100007F", "00000000000000000000000001000000", "0000000000000000FFFF00000100007F");
        }
      }
    }
    assertThat(listening).as("Hazelcast, the event bus and the console listen").isGreaterThanOrEqualTo(2);
  }

  private JsonObject status() throws Exception {
    ControlReply r = TestRuntime.await(vertx.eventBus().<ControlReply>request(Addresses.CONTROL,
        ControlCommand.of("status")).map(m -> m.body()));
    return r.detail();
  }

  private long statusTicks() {
    try {
      return status().getLong("ticks");
    } catch (Exception e) {
      return 0;
    }
  }

  private long inUse(String key) {
    try {
      return status().getJsonObject("agent").getJsonObject("versions_in_use", new JsonObject()).getLong(key, 0L);
    } catch (Exception e) {
      return 0;
    }
  }

  private void await(String what, long seconds, BooleanSupplier condition) throws Exception {
    Await.until(Duration.ofSeconds(seconds), condition::getAsBoolean, () -> what + "; trainer node log tail: "
        + childLog.subList(Math.max(0, childLog.size() - 15), childLog.size()));
  }
}
