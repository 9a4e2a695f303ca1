package dev.ami.world;

import dev.ami.capture.CaptureOptions;
import dev.ami.capture.FfmpegFrameSource;
import dev.ami.config.AmiConfig;
import dev.ami.env.Actuator;
import dev.ami.env.Environment;
import dev.ami.env.NoiseFrameSource;
import dev.ami.env.RecordingActuator;
import dev.ami.osc.OscActuator;
import dev.ami.world.sim.SimOptions;
import dev.ami.world.sim.SimWorld;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Builds the environment a config names. It knows every implementation (capture, OSC, the built-in world),
 * so it sits above them instead of beside the interfaces it returns.
 */
public final class Environments {
  private Environments() {
  }

  public static Environment create(AmiConfig config) {
    String name = config.getString("env");
    int side = config.getInt("model.input_size");
    try {
      return switch (name) {
        case "noise" -> new Environment(name, new NoiseFrameSource(side, config.getLong("agent.seed")),
            new RecordingActuator());
        case "sim" -> sim(config);
        case "vrchat", "video" -> new Environment(name, new FfmpegFrameSource(CaptureOptions.from(config)),
            oscOrRecording(config, config.getString("osc.host"), config.getInt("osc.port")));
        default -> throw new IllegalArgumentException("unknown environment " + name);
      };
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  /** The built-in world, driven over real OSC on loopback exactly as VRChat would be. */
  private static Environment sim(AmiConfig config) throws IOException {
    SimWorld world = new SimWorld(SimOptions.from(config));
    if (world.actuator() != null) { // sim.lockstep: actions step the world directly, no OSC in between
      return new Environment("sim", world, world.actuator(), world);
    }
    return new Environment("sim", world, oscOrRecording(config, "127.0.0.1", world.oscPort()), world);
  }

  private static Actuator oscOrRecording(AmiConfig config, String host, int port) throws IOException {
    if (!config.getBool("osc.enabled")) {
      return new RecordingActuator();
    }
    // an action not renewed within three ticks (at least a second) means the agent stopped deciding
    long stale = Math.max(1000, 3000L / config.getInt("agent.hz"));
    return OscActuator.open(host, port, config.getInt("osc.refresh_ms"), config.getDouble("osc.smoothing_ms"),
        config.getBool("osc.watchdog") ? config.getInt("osc.watchdog_timeout_ms") : 0, stale);
  }
}
