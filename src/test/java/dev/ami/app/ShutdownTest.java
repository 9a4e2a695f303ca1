package dev.ami.app;

import dev.ami.runtime.AmiRuntime;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import dev.ami.bus.ControlReply;
import dev.ami.bus.RunState;
import dev.ami.support.Await;
import dev.ami.support.ChildJvm;
import dev.ami.support.RuntimeTest;
import dev.ami.support.TestRuntime;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@RuntimeTest
class ShutdownTest {

  @Test
  @DisplayName("the shutdown command writes a checkpoint, stops agent and trainer and leaves no open NDManager or "
      + "NDArray")
  void shutdownFreesAllNativeMemory() throws Exception {
    AmiRuntime.configureEngine(TestRuntime.smallConfig(Map.of()));
    BaseNDManager system;
    try (NDManager probe = NDManager.newBaseManager()) {
      system = (BaseNDManager) probe.getParentManager(); // DJL's system manager: parent of every base manager
    }
    int arraysBefore = system.getManagedArrays().size();
    int managersBefore = resources(system);

    TestRuntime rt = TestRuntime.start(Map.of("vae.publish_every", 1, "vae.min_new", 0,
        "checkpoint.on_shutdown", true));
    java.nio.file.Path checkpoints = rt.runFolder().states();
    // let it train and publish a few versions so snapshots, clones and swaps all happened
    // the forward model's snapshots carry the VAE's encoder: fd in use at v3 means both models went around
    Await.until(Await.MINUTE, () -> rt.status().getJsonObject("models").getJsonObject("fd", new JsonObject())
        .getValue("version_in_use") instanceof Number v && v.longValue() >= 3, "the agent runs fd v3");
    assertThat(system.getManagedArrays().size()).as("the running system holds arrays").isGreaterThan(arraysBefore);
    ControlReply reply = rt.control("shutdown", 0);
    assertThat(reply.ok()).isTrue();
    assertThat(reply.state()).isEqualTo(RunState.STOPPING);
    TestRuntime.await(rt.runtime().terminated());
    TestRuntime.await(rt.vertx().close());

    var written = dev.ami.checkpoint.Checkpoints.list(checkpoints);
    assertThat(written).as("one checkpoint on the way out").hasSize(1);
    assertThat(java.nio.file.Files.readString(written.get(0).resolve("manifest.json"))).contains("\"shutdown\"");
    assertThat(system.getManagedArrays()).as("arrays left open").hasSize(arraysBefore);
    assertThat(resources(system)).as("managers left open").isEqualTo(managersBefore);
  }

  @Test
  @DisplayName("Ctrl+C (SIGINT) ends the process after a graceful stop with actuators neutral and a last checkpoint, "
      + "without waiting out the shutdown's bound")
  void signalEndsProcessGracefully() throws Exception {
    // a JVM started with SIGINT ignored (a background job of a shell without job control) passes that on to its
    // children, and HotSpot then leaves Ctrl+C ignored; the child gets SIGINT back at its default through env
    List<String> launcher = List.of();
    if (sigintIgnored(ProcessHandle.current().pid())) {
      assumeTrue(defaultSignalLauncher(), "this test JVM inherited SIGINT as ignored and `env --default-signal` is"
          + " not there to give its child the default back: Ctrl+C cannot reach the child");
      launcher = List.of("env", "--default-signal=INT");
    }
    // as a user runs it: a checkpoint at shutdown (closing Vert.x inside the stop's callback once hung here)
    List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
    Process p = ChildJvm.startMain(launcher, Main.class, List.of(), List.of("run", "agent.realtime=false",
        "system.isolate_cpus=false", "model.preset=curiosity-small", "console.port=0", "telemetry.log_every_s=0",
        "checkpoint.on_shutdown=true", "system.runs_dir=" + TestRuntime.tempDir("ami-shutdown")), lines);
    try {
      Await.until(Duration.ofSeconds(2 * TestRuntime.TIMEOUT_S), () -> {
        assertThat(p.isAlive()).as("the child runs; output: %s", lines).isTrue();
        return lines.stream().anyMatch(l -> l.contains("running; Ctrl+C"));
      }, () -> "the child says it runs; output: " + lines);
      assertThat(sigintIgnored(p.pid())).as("the child ignores SIGINT: Ctrl+C could not stop it").isFalse();
      assertThat(new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor()).isZero();
      assertThat(p.waitFor(2 * TestRuntime.TIMEOUT_S, TimeUnit.SECONDS)).as("the child stopped; output: %s", lines)
          .isTrue();
    } finally {
      p.destroyForcibly();
      p.waitFor(TestRuntime.TIMEOUT_S, TimeUnit.SECONDS);
    }
    // the child's output is read to its end: the reader thread saw the stream close once the process ended
    Await.until(Duration.ofSeconds(10), () -> lines.stream().anyMatch(l -> l.contains("stopped cleanly")
        || l.contains("did not finish cleanly")), () -> "the child's last lines; output: " + lines);
    String log = String.join("\n", lines);
    assertThat(log).contains("running; Ctrl+C").contains("agent stopped; actuators neutral")
        .contains("trainer stopped").contains("checkpoint").contains("stopped cleanly")
        .doesNotContain("did not finish cleanly").doesNotContain("RejectedExecutionException");
  }

  /** Whether process {@code pid} ignores SIGINT (bit 1 of SigIgn in /proc/pid/status); false where unreadable. */
  static boolean sigintIgnored(long pid) {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("SigIgn:")) {
          return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 0x2) != 0;
        }
      }
    } catch (java.io.IOException | NumberFormatException e) {
      // not Linux
    }
    return false;
  }

  /** Whether {@code env --default-signal} (GNU coreutils 8.31+) is there to reset SIGINT for a child. */
  private static boolean defaultSignalLauncher() {
    try {
      Process p = new ProcessBuilder("env", "--default-signal=INT", "true").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (java.io.IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static int resources(BaseNDManager manager) throws ReflectiveOperationException {
    Field f = BaseNDManager.class.getDeclaredField("resources");
    f.setAccessible(true);
    return ((Map<?, ?>) f.get(manager)).size();
  }
}
