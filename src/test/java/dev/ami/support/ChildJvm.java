package dev.ami.support;

import dev.ami.app.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A real second JVM running {@code ami} on the test's class path, its output collected line by line. */
public final class ChildJvm {
  private ChildJvm() {
  }

  /** Starts {@code java -cp <test class path> [jvmOptions] dev.ami.app.Main args}; lines land in {@code output}. */
  public static Process start(List<String> jvmOptions, List<String> args, List<String> output) throws IOException {
    List<String> all = new ArrayList<>(args);
    if (!args.isEmpty() && args.get(0).equals("run") && args.stream().noneMatch(a -> a.startsWith("system.runs_dir="))) {
      all.add("system.runs_dir=" + TestRuntime.tempDir("ami-child-runs")); // a run's folder never goes into the tree
    }
    return startMain(Main.class, jvmOptions, all, output);
  }

  /** The same with another main class of the test class path. */
  public static Process startMain(Class<?> main, List<String> jvmOptions, List<String> args, List<String> output)
      throws IOException {
    return startMain(List.of(), main, jvmOptions, args, output);
  }

  /** The same run through {@code launcher} (e.g. {@code env --default-signal=INT}), which then execs the JVM. */
  public static Process startMain(List<String> launcher, Class<?> main, List<String> jvmOptions, List<String> args,
                                  List<String> output) throws IOException {
    List<String> command = new ArrayList<>(launcher);
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("-Dai.djl.offline=true");
    command.addAll(jvmOptions);
    command.add(main.getName());
    command.addAll(args);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    // a test JVM that dies (a killed fork) must not leave a node behind that later tests would meet
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "kill-child-" + p.pid()));
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          output.add(line);
        }
      } catch (IOException ignored) {
        // the process was killed
      }
    }, "child-output");
    reader.setDaemon(true);
    reader.start();
    return p;
  }
}
