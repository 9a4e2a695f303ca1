package dev.ami.osc;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's side of the avatar's dead-man switch: starts a {@link Watchdog} process from this very class path
 * (pure Java, so the same on Windows and Linux), feeds it heartbeats through its standard input, and says goodbye
 * when the actuator closes cleanly. If this process dies any other way, the operating system closes the pipe and
 * the watchdog sends neutral to the OSC target: VRChat's inputs go to 0 within a second even after kill -9.
 */
public final class DeadManSwitch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DeadManSwitch.class);
  /** Flags that keep the watchdog JVM small (its RSS is in docs/benchmarks.md, "Current figures"). */
  static final List<String> JVM_FLAGS = List.of("-Xms4m", "-Xmx16m", "-Xss256k", "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-XX:ReservedCodeCacheSize=8m",
      "-XX:MaxMetaspaceSize=32m", "-XX:-UsePerfData", "-Djava.awt.headless=true");

  private final Process process;
  private final OutputStream beats;
  private volatile boolean closed;

  private DeadManSwitch(Process process) {
    this.process = process;
    this.beats = process.getOutputStream();
  }

  /** Starts a watchdog for {@code target} that acts after {@code timeoutMs} without a heartbeat. */
  public static DeadManSwitch start(InetSocketAddress target, long timeoutMs) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_FLAGS);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Watchdog.class.getName());
    command.add(target.getHostString());
    command.add(String.valueOf(target.getPort()));
    command.add(String.valueOf(timeoutMs));
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    // the runtime's heap and GC flags are not the watchdog's
    builder.environment().keySet().removeAll(List.of("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS"));
    DeadManSwitch d = new DeadManSwitch(builder.start());
    LOG.info("dead-man switch for the avatar: watchdog process {} sends neutral to {}:{} if this process dies "
        + "(or stops its heartbeat for {} ms)", d.process.pid(), target.getHostString(), target.getPort(), timeoutMs);
    return d;
  }

  /** One heartbeat; called every {@code timeout / 5} or so from the thread whose liveness counts. */
  public void beat() {
    if (closed) {
      return;
    }
    try {
      beats.write(Watchdog.BEAT);
      beats.flush();
    } catch (IOException e) {
      closed = true;
      LOG.warn("the avatar's watchdog is gone ({}); the avatar has no dead-man switch until the next start",
          e.getMessage());
    }
  }

  /** The watchdog's process id. */
  public long pid() {
    return process.pid();
  }

  public boolean alive() {
    return process.isAlive();
  }

  /**
   * Lets go of the watchdog without a goodbye (the runtime could not confirm neutral itself): the pipe closes and
   * the watchdog sends neutral, then exits.
   */
  public void abandon() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      beats.close();
    } catch (IOException e) {
      // it is gone already
    }
  }

  /** Goodbye: the actuators were set neutral by the runtime itself; the watchdog exits quietly. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      beats.write(Watchdog.BYE);
      beats.flush();
      beats.close();
    } catch (IOException e) {
      // it is gone already
    }
    try {
      if (!process.waitFor(2, TimeUnit.SECONDS)) {
        process.destroy();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroy();
    }
  }
}
