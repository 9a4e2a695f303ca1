package dev.ami.app;

import dev.ami.config.SimOptions;
import dev.ami.world.sim.SimWorld;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The built-in world on its own, shaped like VRChat plus OBS: OSC input on a UDP port and its view streamed
 * with FFmpeg. Another ami process then runs the full capture path against it:
 * {@code java -jar ami.jar env=vrchat capture.input=udp://127.0.0.1:5600 capture.format=mpegts}.
 */
@Command(name = "world", mixinStandardHelpOptions = true,
    description = "Run the built-in world alone: OSC input like VRChat's, view streamed like OBS.")
final class WorldCommand implements Callable<Integer> {
  @Option(names = "--osc-port", defaultValue = "9000", description = "UDP port for OSC input (VRChat's is 9000)")
  int oscPort;

  @Option(names = "--stream", defaultValue = "udp://127.0.0.1:5600", description = "where the view is streamed")
  String streamUrl;

  @Option(names = "--format", defaultValue = "mpegts", description = "container of the stream")
  String format;

  @Option(names = "--width", defaultValue = "320") int width;

  @Option(names = "--height", defaultValue = "240") int height;

  @Option(names = "--fps", defaultValue = "30") int fps;

  @Option(names = "--map", defaultValue = "room", description = "floor plan: room or rooms")
  String map;

  @Override
  public Integer call() throws Exception {
    SimWorld world = new SimWorld(new SimOptions(oscPort, fps, width, height, Math.min(width, height), streamUrl,
        format, map));
    world.start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      world.close();
      stopped.countDown();
    }, "ami-world-stop"));
    System.err.printf("world: OSC input on udp://127.0.0.1:%d, view streamed to %s (%dx%d@%d); Ctrl+C stops%n",
        oscPort, streamUrl, width, height, fps);
    stopped.await();
    return 0;
  }
}
